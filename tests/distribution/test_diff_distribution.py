"""`mhi diff` types changes of the quantile and of the relative line."""

from __future__ import annotations

from pathlib import Path

from mhindicators.definitions import load_catalog
from mhindicators.harmonization.diff import diff_indicators

DEFS = Path(__file__).resolve().parents[2] / "indicator_defs"


def test_line_and_quantile_changes_are_typed() -> None:
    cat = load_catalog([DEFS])
    arop = cat.get("eu_arop_rate")
    half = arop.model_copy(update={"line": arop.line.model_copy(update={"share": 0.5})})
    changes = {c.field: c.kind for c in diff_indicators(arop, half)}
    assert changes == {"line.share": "threshold"}
    med = cat.get("fp_oop_spending_median")
    p90 = med.model_copy(update={"quantile": 0.9, "quantile_rule": "hf7"})
    changes = {c.field: c.kind for c in diff_indicators(med, p90)}
    assert changes == {"quantile": "estimator", "quantile_rule": "method"}
