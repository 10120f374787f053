"""Convert the sample registry's Parquet files to CSV for tests/reference/sample_registry_goldens.R.

R here has no Parquet reader (neither `arrow` nor `nanoparquet` is installed), so this step only
changes the file format: every column and row as stored, no filtering, recoding or arithmetic.

    python tests/reference/export_registry_inputs.py OUT_DIR
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

REGISTRY = Path(__file__).resolve().parents[2] / "sample_data" / "registry"


def main(out_dir: str) -> None:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for path in sorted(REGISTRY.glob("*.parquet")):
        frame = pd.read_parquet(path)
        frame.to_csv(out / f"{path.stem}.csv", index=False)
        print(f"{path.name}: {len(frame)} rows -> {out / (path.stem + '.csv')}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
