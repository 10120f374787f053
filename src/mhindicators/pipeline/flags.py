"""Reliability flags for a finished domain table, from the policies that apply to its estimator."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from mhindicators.definitions import Indicator
from mhindicators.pipeline.quality import Policy, apply_policy, load_policy


@cache
def named_policy(name: str) -> Policy:
    """A shipped policy by name, loaded once per process."""
    return load_policy(name)


def policies_for(ind: Indicator, defaults: list[str]) -> list[Policy]:
    """The definition's own policy, else the project's defaults that apply to this estimator."""
    names = [ind.reliability] if ind.reliability else defaults
    chosen = [named_policy(n) for n in names]
    return [p for p in chosen if not p.applies_to or ind.estimator in p.applies_to]


def flag_table(table: pd.DataFrame, ind: Indicator, defaults: list[str]) -> pd.DataFrame:
    """Add `flags` (';'-joined codes of every applicable policy) on the estimator's own scale."""
    stats = {
        "estimate": table["estimate"].to_numpy(dtype=float),
        "lower": table["ci_lower"].to_numpy(dtype=float),
        "upper": table["ci_upper"].to_numpy(dtype=float),
        "se": table["se"].to_numpy(dtype=float),
        "df": table["df"].to_numpy(dtype=float),
        "n_unweighted": table["n_unweighted"].to_numpy(dtype=float),
        "n_eff": table["n_eff"].to_numpy(dtype=float),
        "denominator": table["weighted_denominator"].to_numpy(dtype=float),
    }
    if ind.source == "registry":  # counts rules apply to the events (the numerator)
        stats["events"] = table["weighted_numerator"].to_numpy(dtype=float)
        del stats["n_unweighted"], stats["n_eff"]
    parts = [apply_policy(p, stats) for p in policies_for(ind, defaults)]
    out = table.copy()
    if not parts:
        out["flags"] = ""
        return out
    joined = parts[0].astype(object)
    for more in parts[1:]:
        joined = np.where((joined != "") & (more != ""), joined + ";" + more, joined + more)
    out["flags"] = joined
    return out
