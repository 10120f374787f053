"""From an indicator's expressions to the per-row numerator y, denominator x and universe.

Missing values (see docs/methods-survey.md): a row whose universe condition is unknown is not
in the universe. Under `missing: exclude` a row whose outcome is unknown leaves the universe
(and is counted); under `as_false` an unknown condition counts as not meeting the numerator.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mhindicators.definitions import Indicator
from mhindicators.expr import Kind, TriBool, compile_expression
from mhindicators.vocabulary import Vocabulary


@dataclass(frozen=True)
class Measure:
    """y, x and the universe mask of one indicator on one frame, plus missing-outcome counts."""

    y: np.ndarray  # bool for conditions (proportions, counts, rates), float for values
    x: np.ndarray | None  # the ratio's denominator; None = 1
    keep: np.ndarray  # in the universe and with a known outcome
    n_universe: int  # rows in the universe before removing missing outcomes
    n_missing_outcome: int
    line_value: np.ndarray | None = None  # below_line with `line.of`: the line's variable


VALUE_ESTIMATORS = ("mean", "total", "quantile", "below_line", "gini", "quintile_share_ratio")


def _evaluate(text: str | None, frame: pd.DataFrame, vocab: Vocabulary, kind: Kind):
    compiled = compile_expression(text, vocab, kind)
    return compiled.evaluate(frame)


def measure(ind: Indicator, frame: pd.DataFrame, vocab: Vocabulary) -> Measure:
    """Evaluate the indicator's expressions on the canonical frame (vectorised)."""
    n = len(frame)
    universe = np.ones(n, dtype=bool)
    if ind.universe:
        cond = _evaluate(ind.universe, frame, vocab, "condition")
        assert isinstance(cond, TriBool)
        universe = cond.true_mask()
    known = np.ones(n, dtype=bool)
    x = line_value = None
    if ind.estimator in ("proportion", "count") or (
        ind.source == "registry" and ind.estimator in ("rate", "standardized_rate")
    ):
        cond = _evaluate(ind.numerator, frame, vocab, "condition")
        assert isinstance(cond, TriBool)
        y = cond.true_mask()
        if ind.missing == "exclude":
            known = cond.known
    elif ind.estimator in (
        "mean",
        "total",
        "quantile",
        "below_line",
        "gini",
        "quintile_share_ratio",
    ):
        value = np.asarray(_evaluate(ind.value, frame, vocab, "value"), dtype=np.float64)
        known = ~np.isnan(value)
        y = np.where(known, value, 0.0)
        if ind.missing == "as_false":
            known = np.ones(n, dtype=bool)
        if ind.line_of:
            line_value = np.asarray(_evaluate(ind.line_of, frame, vocab, "value"), dtype=float)
            known &= ~np.isnan(line_value)
    else:  # ratio
        num = np.asarray(_evaluate(ind.numerator, frame, vocab, "value"), dtype=np.float64)
        den = np.asarray(_evaluate(ind.denominator, frame, vocab, "value"), dtype=np.float64)
        known = ~np.isnan(num) & ~np.isnan(den)
        y, x = np.where(known, num, 0.0), np.where(known, den, 0.0)
    keep = universe & known
    missing = int((universe & ~known).sum())
    return Measure(y, x, keep, int(universe.sum()), missing, line_value)


MIGRATION_DIMENSIONS = (
    "migratory_status",
    "nativity",
    "citizenship_status",
    "migrant_generation",
    "duration_group",
    "protection_status",
)


def unknown_share(
    frame: pd.DataFrame, keep: np.ndarray, ind: Indicator, weights: np.ndarray | None = None
) -> float:
    """(Weighted) share of the indicator's records whose migration dimension is unknown.

    Unknown means the code `unknown` or a missing value; NaN when the indicator has no
    migration dimension or no records.
    """
    part, total = unknown_sums(frame, keep, ind, weights)
    return float(part / total) if total > 0 else float("nan")


def unknown_sums(
    frame: pd.DataFrame, keep: np.ndarray, ind: Indicator, weights: np.ndarray | None = None
) -> tuple[float, float]:
    """(unknown, all) record counts or weight sums behind `unknown_share`; they add across
    row batches. (nan, nan) when the indicator has no migration dimension."""
    dim = next((d for d in ind.disaggregate_by if d in MIGRATION_DIMENSIONS), None)
    if dim is None or dim not in frame.columns:
        return float("nan"), float("nan")
    cat = pd.Categorical(frame[dim])  # free for categorical columns; compare codes, not text
    codes = np.asarray(cat.codes)
    unknown_code = list(cat.categories).index("unknown") if "unknown" in cat.categories else -2
    unknown = ((codes == -1) | (codes == unknown_code)) & keep
    if weights is None:
        return float(np.count_nonzero(unknown)), float(np.count_nonzero(keep))
    # masked sums: no gathered copies of the weights
    return float(weights.sum(where=unknown)), float(weights.sum(where=keep))
