"""The `inequality` table: HEAT summary measures over the migratory groups of each margin.

Glue between domain tables (labels, estimates, their joint covariance, weighted denominators)
and the numeric core in `inequality_measures`: the groups of one set are the levels of the
indicator's migratory dimension (not the total `_T`, not unknown: `_U` or `unknown`) that
agree on every other dimension, so measures exist by sex, by age and overall
(docs/inequality.md).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from mhindicators.core.inequality_measures import GroupSets, inequality_measures
from mhindicators.definitions import Indicator
from mhindicators.frame.domains import UNKNOWN
from mhindicators.results import TOTAL
from mhindicators.vocabulary.migratory import DIMENSION_BASES

#: levels that are not migratory groups: the total, missing values and the coded unknown
NOT_GROUPS = [TOTAL, UNKNOWN, "unknown"]
FAVOURABLE = {"higher": 1, "lower": -1, None: 0}


def migratory_dimension(ind: Indicator) -> str | None:
    """The dimension the measures run over: the reference group's, else the first migratory
    dimension of the disaggregation; None when the indicator has none."""
    if ind.reference_group:
        return next(iter(ind.reference_group))
    return next((d for d in ind.disaggregate_by if d in DIMENSION_BASES), None)


def inequality_rows(
    ind: Indicator,
    labels: pd.DataFrame,
    estimate: np.ndarray,
    cov: np.ndarray | None,
    population: np.ndarray,
    df: np.ndarray | float,
    conf_level: float,
    scale: float = 1.0,
    cov_block: Callable[[np.ndarray], np.ndarray] | None = None,
) -> pd.DataFrame:
    """One row per (set of groups, measure); `estimate` etc. per row of `labels` (domains).

    cov: the joint covariance of the domain estimates, or their variances (1-D: independent
    groups), or None with `cov_block`, which gives the
    covariance of the given domain rows, as one `svyby` call over them); `scale` converts the
    estimates to the reported unit (percent: 100). df: per domain, or a scalar (inf = normal).
    """
    dim = migratory_dimension(ind)
    if dim is None or dim not in labels.columns:
        return pd.DataFrame()
    text = labels.astype(str)
    level = text[dim].to_numpy()
    grouprow = np.flatnonzero(~np.isin(level, NOT_GROUPS))
    if len(grouprow) == 0:
        return pd.DataFrame()
    others = [c for c in text.columns if c != dim]
    key = _keys(text, others).to_numpy()[grouprow]
    set_of, set_keys = pd.factorize(key, sort=False)
    col_of, groups = pd.factorize(level[grouprow], sort=True)
    S, G = len(set_keys), len(groups)
    idx = np.full((S, G), -1, dtype=np.int64)
    idx[set_of, col_of] = grouprow
    listed = idx >= 0
    safe = np.maximum(idx, 0)
    y = np.where(listed, np.asarray(estimate, dtype=np.float64)[safe] * scale, np.nan)
    pop = np.where(listed, np.asarray(population, dtype=np.float64)[safe], np.nan)
    covs = _set_covariances(idx, listed, cov, cov_block) * scale**2
    ref_level = ind.reference_group[dim] if ind.reference_group else None
    ref = np.full(S, -1, dtype=np.int64)
    if ref_level is not None and ref_level in set(groups):
        ref[:] = list(groups).index(ref_level)
    dfs = np.broadcast_to(np.asarray(df, dtype=np.float64), estimate.shape)
    present = listed & np.isfinite(y)
    group_df = np.where(present, dfs[safe], np.inf)  # each measure takes its own groups' minimum
    results = inequality_measures(
        GroupSets(y, covs, pop, listed, ref), FAVOURABLE[ind.favourable], conf_level, group_df
    )
    first = grouprow[np.unique(set_of, return_index=True)[1]]  # a domain row of each set
    return _assemble(ind, labels, dim, first, groups, present, ref_level, results, conf_level)


def _assemble(ind, labels, dim, first, groups, present, ref_level, results, conf_level):
    """One frame, set-major then in MEASURES order, built column by column in one go."""
    S, M = len(first), len(results)
    pick = np.repeat(first, M)  # set s, measure m -> row s * M + m
    data: dict = {"dimension": np.full(S * M, dim, dtype=object)}
    for col in labels.columns:
        if col != dim:
            data[col] = labels[col].to_numpy(dtype=object)[pick]

    def stack(attr):
        return np.stack([getattr(m, attr) for m in results], axis=1).ravel()

    names = np.asarray([*groups, ""], dtype=object)
    data["measure"] = np.tile(np.asarray([m.name for m in results], dtype=object), S)
    for col in ("estimate", "se", "ci_lower", "ci_upper"):
        data[col] = stack(col).astype(np.float64)
    data["conf_level"] = np.full(S * M, conf_level)
    data["n_groups"] = np.repeat(present.sum(axis=1), M)
    data["reference_group"] = np.full(S * M, ref_level or "", dtype=object)
    data["compared_group"] = names[stack("group")]
    data["favourable"] = np.full(S * M, ind.favourable or "", dtype=object)
    data["status"], data["reason"] = stack("status"), stack("reason")
    return pd.DataFrame(data)


def _set_covariances(idx, listed, cov, cov_block) -> np.ndarray:
    """(S, G, G) covariance of each set's groups (NaN where a group is absent)."""
    S, G = idx.shape
    if cov_block is None:
        if cov is None:
            return np.full((S, G, G), np.nan)
        safe = np.maximum(idx, 0)
        both = listed[:, :, None] & listed[:, None, :]
        if cov.ndim == 1:  # independent groups: variances only
            full = np.where(np.eye(G, dtype=bool), cov[safe][:, :, None], 0.0)
            return np.where(both, full, np.nan)
        return np.where(both, cov[safe[:, :, None], safe[:, None, :]], np.nan)
    out = np.full((S, G, G), np.nan)
    for s in range(S):  # replicate designs: one svyby call per margin, as R
        cols = np.flatnonzero(listed[s])
        if len(cols):
            out[s][np.ix_(cols, cols)] = cov_block(idx[s, cols])
    return out


def registry_rows(ind: Indicator, table: pd.DataFrame, conf_level: float, scale: float):
    """Registry groups are independent Poisson (or binomial) counts: a diagonal covariance
    from each domain's SE; populations are the denominators (person-years, births, events)."""
    dims = [d for d in ind.disaggregate_by if d in table.columns]
    se = table["se"].to_numpy(dtype=np.float64)
    return inequality_rows(
        ind,
        table[dims],
        table["estimate"].to_numpy(dtype=np.float64),
        se**2,
        table["weighted_denominator"].to_numpy(dtype=np.float64),
        np.inf,
        conf_level,
        scale,
    )


def _keys(text: pd.DataFrame, columns: list[str]) -> pd.Series:
    if not columns:
        return pd.Series("", index=text.index)
    return text[columns[0]].str.cat([text[c] for c in columns[1:]], sep="|")
