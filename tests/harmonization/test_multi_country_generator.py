"""The example's generator is deterministic: regenerated files hold the committed content."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pyreadstat

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "multi_country"


def test_regenerated_files_match_the_committed_ones(tmp_path) -> None:
    spec = importlib.util.spec_from_file_location("mc_generate", EXAMPLE / "generate.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    written = gen.generate(tmp_path)
    assert {p.relative_to(tmp_path).as_posix() for p in written} == {
        "mar/ehm_2024.sav",
        "swe/population.csv",
        "swe/deaths.csv",
    }
    for name in ("swe/population.csv", "swe/deaths.csv"):
        assert (tmp_path / name).read_bytes() == (EXAMPLE / name).read_bytes(), name
    new, meta_new = pyreadstat.read_sav(tmp_path / "mar" / "ehm_2024.sav")
    old, meta_old = pyreadstat.read_sav(EXAMPLE / "mar" / "ehm_2024.sav")
    pd.testing.assert_frame_equal(new, old)
    assert meta_new.variable_value_labels == meta_old.variable_value_labels
    assert len([c for c in old.columns if c.startswith("REP")]) == 80
    # calibrated: a replicate is not a PSU multiple of the base weight
    factor = (old["REP01"] / old["POIDS"]).round(6)
    assert (factor.groupby(old["GRAPPE"]).nunique() > 1).any()
    for path in written:
        assert path.stat().st_size < 2_000_000, path
