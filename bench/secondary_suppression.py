"""Time secondary suppression on the largest sample table (TB notifications) and audit it.

    .venv/bin/python bench/secondary_suppression.py

Prints cells, confidential and secondary counts, solver seconds and the audit's failures
(the attacker LPs of tests/publication/test_secondary.py; 0 = every cell protected).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "publication"))

from test_secondary import PROTECTION, audit  # noqa: E402

from mhindicators.pipeline.compute import compute  # noqa: E402
from mhindicators.pipeline.secondary import apply_secondary  # noqa: E402
from mhindicators.project import load_project  # noqa: E402


def main() -> None:
    result = compute(load_project(ROOT / "mhi.yaml"))
    est = result.estimates
    est = est[est["indicator_id"] == "sdg_3_3_2_tb_notification_rate"].reset_index(drop=True)
    start = time.perf_counter()
    out, _, report = apply_secondary(est, result.legend, PROTECTION, 600)
    seconds = time.perf_counter() - start
    primary = est["flags"].str.split(";").map(lambda f: "R" in f).to_numpy()
    hidden = out["flags"].str.split(";").map(lambda f: "R" in f or "S" in f).to_numpy()
    dims = ["age_group", "sex", "migratory_status"]
    failures = audit(est[dims], est["events"].fillna(0).to_numpy(float), hidden, primary)
    print(report, f"total {seconds:.1f} s", f"audit failures: {len(failures)}")


if __name__ == "__main__":
    main()
