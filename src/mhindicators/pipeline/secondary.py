"""Secondary (complementary) cell suppression of a table published with its margins.

The table's linear relations are "margin (`_T`) = sum of its levels" along every dimension.
Given the primary (confidential) cells, choose further cells to suppress, at least cost, so
that for every primary cell p an attacker who knows every published cell, every relation and
that counts are >= 0 can neither push p below a_p - lower_p nor keep it under a_p + upper_p.

Exact model (Fischetti & Salazar-Gonzalez 2001, the "optimal" method of tau-ARGUS; sdcTable
`protectTable(method = "OPT")`): binary z_i (suppress cell i) and, per primary cell and
direction, a perturbation y with A y = 0, y_p = +upper_p (or -lower_p) and
-a_i z_i <= y_i <= M z_i: a + y is then a table the attacker cannot exclude. Minimise
sum (a_i + 1) z_i with scipy.optimize.milp (HiGHS). Primary cells enter the model lazily:
solve with the cells whose protection failed so far, audit every primary cell with two
linear programs, add the failing ones, repeat (the final answer is the optimum of the full
model, because a cell whose protection holds adds a constraint the solution already meets).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from mhindicators.errors import EstimationError
from mhindicators.issues import define, issue

define(
    "MHI703",
    "secondary-suppression-unmet",
    "error",
    "Secondary suppression could not protect every confidential cell within the time limit.",
    "Raise `disclosure.time_limit`, lower `disclosure.protection`, or publish fewer margins.",
)
SECONDARY_FLAG = "S"
SECONDARY_MEANING = (
    "Secondary (complementary) suppression: withheld so that a confidential cell cannot be "
    "recovered or narrowed from the published cells and margins."
)
TOTAL = "_T"
#: primary cells added to the model per round (small models solve fast; most cells are then
#: protected by the cells chosen for others)
BATCH = 4


@dataclass
class Protection:
    """The outcome for one table: cells to suppress and the solver's effort."""

    suppressed: np.ndarray  # bool per cell: primary or secondary
    secondary: np.ndarray  # bool per cell: chosen by the solver
    seconds: float
    rounds: int
    status: str  # "optimal" or the solver's message


def relations(keys: pd.DataFrame) -> list[tuple[int, list[int]]]:
    """(margin row, level rows) for every `_T` cell whose levels are all in the table."""
    dims = list(keys.columns)
    index = {tuple(r): i for i, r in enumerate(keys.astype(str).itertuples(index=False))}
    out = []
    for key, i in index.items():
        for d, value in enumerate(key):
            if value != TOTAL:
                continue
            levels = [
                j
                for k, j in index.items()
                if k[d] != TOTAL and all(k[e] == key[e] for e in range(len(dims)) if e != d)
            ]
            if levels:
                out.append((i, levels))
    return out


def relation_matrix(rel: list[tuple[int, list[int]]], n: int) -> sparse.csr_matrix:
    rows, cols, vals = [], [], []
    for r, (margin, levels) in enumerate(rel):
        rows += [r] * (1 + len(levels))
        cols += [margin, *levels]
        vals += [1.0] + [-1.0] * len(levels)
    return sparse.csr_matrix((vals, (rows, cols)), shape=(len(rel), n))


def attacker_interval(
    A: sparse.csr_matrix, a: np.ndarray, hidden: np.ndarray, p: int
) -> tuple[float, float]:
    """The range of cell p over all tables >= 0 that agree with the published cells."""
    free = np.flatnonzero(hidden)
    pos = {int(c): k for k, c in enumerate(free)}
    A_free = A[:, free]
    b = -(A[:, ~hidden] @ a[~hidden])
    cost = np.zeros(len(free))
    cost[pos[p]] = 1.0
    from scipy.optimize import linprog  # 0.45 s to import: only when suppressing

    lo = linprog(cost, A_eq=A_free, b_eq=b, bounds=(0, None), method="highs")
    hi = linprog(-cost, A_eq=A_free, b_eq=b, bounds=(0, None), method="highs")
    low = lo.fun if lo.status == 0 else 0.0
    high = np.inf if hi.status == 3 else (-hi.fun if hi.status == 0 else np.inf)
    return float(low), float(high)


def protect(
    keys: pd.DataFrame,
    values: np.ndarray,
    primary: np.ndarray,
    protection: float = 3.0,
    time_limit: float = 60.0,
) -> Protection:
    """Choose the complementary cells of a table (see the module docstring).

    `keys` are the dimension columns (codes, `_T` for margins), `values` the counts,
    `primary` the cells suppressed already. Protection: upper = `protection`, lower =
    min(a_p, `protection`).
    """
    start = time.perf_counter()
    a = np.nan_to_num(np.asarray(values, dtype=float))
    primary = np.asarray(primary, dtype=bool)
    n = len(a)
    rel = [(m, lv) for m, lv in relations(keys) if abs(a[m] - a[lv].sum()) < 1e-6 * (1 + a[m])]
    A = relation_matrix(rel, n)
    upper = np.full(n, float(protection))
    lower = np.minimum(a, protection)
    hidden = primary.copy()
    active: list[int] = []
    rounds = 0
    status = "optimal"
    while True:
        failing = [
            int(p) for p in np.flatnonzero(primary) if not _holds(A, a, hidden, p, upper, lower)
        ]
        if not failing:
            break
        rounds += 1
        active += [p for p in failing if p not in active][:BATCH]
        left = time_limit - (time.perf_counter() - start)
        z, status = _solve(A, a, primary, active, upper, lower, max(left, 1.0))
        if z is None:
            break
        hidden = z
    return Protection(hidden, hidden & ~primary, time.perf_counter() - start, rounds, status)


def _holds(A, a, hidden, p, upper, lower) -> bool:
    lo, hi = attacker_interval(A, a, hidden, p)
    return hi >= a[p] + upper[p] - 1e-7 and lo <= a[p] - lower[p] + 1e-7


def _solve(A, a, primary, active, upper, lower, time_limit):
    """The MIP over the active primary cells: the suppression pattern, or None on failure."""
    from scipy.optimize import Bounds, LinearConstraint, milp  # only when suppressing

    n, m = len(a), A.shape[0]
    big = float(max(upper.max(), lower.max()))  # |y_i| <= the protection level (docstring)
    tasks = [(p, upper[p]) for p in active] + [(p, -lower[p]) for p in active if lower[p] > 0]
    k = len(tasks)
    nvar = n + k * n
    blocks, lo_rows, hi_rows = [], [], []
    eye = sparse.identity(n, format="csr")
    for t, (p, target) in enumerate(tasks):
        left = sparse.csr_matrix((m, n))
        pad = [sparse.csr_matrix((m, n))] * k
        pad[t] = A
        blocks.append(sparse.hstack([left, *pad]))
        lo_rows.append(np.zeros(m))
        hi_rows.append(np.zeros(m))
        fix = sparse.csr_matrix(([1.0], ([0], [n + t * n + p])), shape=(1, nvar))
        blocks.append(fix)
        lo_rows.append([target])
        hi_rows.append([target])
        up = [sparse.csr_matrix((n, n))] * k
        up[t] = eye
        blocks.append(sparse.hstack([-big * eye, *up]))  # y_i - M z_i <= 0
        lo_rows.append(np.full(n, -np.inf))
        hi_rows.append(np.zeros(n))
        down = [sparse.csr_matrix((n, n))] * k
        down[t] = eye
        cap = np.minimum(a, big)
        blocks.append(sparse.hstack([-sparse.diags(cap), *[-b for b in down]]))  # y >= -cap z
        lo_rows.append(np.full(n, -np.inf))
        hi_rows.append(np.zeros(n))
    cons = LinearConstraint(
        sparse.vstack(blocks).tocsr(), np.concatenate(lo_rows), np.concatenate(hi_rows)
    )
    cost = np.concatenate([a + 1.0, np.zeros(k * n)])
    lb = np.concatenate([primary.astype(float), np.tile(-np.minimum(a, big), k)])
    ub = np.concatenate([np.ones(n), np.full(k * n, big)])
    integrality = np.concatenate([np.ones(n), np.zeros(k * n)])
    res = milp(
        cost,
        constraints=cons,
        integrality=integrality,
        bounds=Bounds(lb, ub),
        options={"time_limit": time_limit},
    )
    if res.x is None:
        return None, res.message
    return res.x[:n] > 0.5, "optimal" if res.status == 0 else res.message


def apply_secondary(
    estimates: pd.DataFrame,
    legend: pd.DataFrame,
    protection: float = 3.0,
    time_limit: float = 60.0,
    where: tuple[str, int, int] = ("", 0, 0),
) -> tuple[pd.DataFrame, pd.DataFrame, list[dict]]:
    """Flag `S` (action suppress) on the complementary cells of every table with confidential
    cells; one table = dataset x indicator x standardization, counts = `events` (registers) or
    `n_unweighted` (surveys). Returns the estimates, the legend with `S`, and a report per table.
    """
    conf = set(legend.loc[legend["policy_action"] == "confidential", "flag"])
    est = estimates.copy()
    flags = est["flags"].fillna("").astype(str)
    primary_all = flags.map(lambda f: bool(conf & set(f.split(";")))).to_numpy()
    dims = _dims(est)
    report = []
    keys = ["dataset", "indicator_id", "standardization"]
    for key, idx in est.groupby(keys, sort=True).groups.items():
        rows = np.asarray(idx)
        prim = primary_all[est.index.get_indexer(rows)]
        if not prim.any():
            continue
        table = est.loc[rows]
        count = "events" if (table["source"] == "registry").all() else "n_unweighted"
        used = [d for d in dims if table[d].nunique() > 1]
        result = protect(table[used], table[count].to_numpy(), prim, protection, time_limit)
        if result.status != "optimal":
            unmet = [
                "/".join(table.loc[r, used].astype(str)) for r in rows[prim & ~result.suppressed]
            ][:5]
            msg = (
                f"secondary suppression of {key[1]} on {key[0]} did not finish "
                f"({result.status[:80]}); cells at risk: {', '.join(unmet) or 'unknown'}"
            )
            raise EstimationError(msg, [issue("MHI703", msg, *where)])
        extra = rows[result.secondary]
        est.loc[extra, "flags"] = [f + ";S" if f else "S" for f in est.loc[extra, "flags"]]
        if "action" in est:
            est.loc[extra, "action"] = "suppress"
        report.append(
            {
                "dataset": key[0],
                "indicator_id": key[1],
                "cells": len(rows),
                "primary": int(prim.sum()),
                "secondary": int(result.secondary.sum()),
                "seconds": round(result.seconds, 3),
                "rounds": result.rounds,
            }
        )
    if SECONDARY_FLAG not in set(legend["flag"]):
        row = {
            "flag": SECONDARY_FLAG,
            "meaning": SECONDARY_MEANING,
            "policy": "secondary-milp",
            "policy_title": "Secondary cell suppression (exact MIP)",
            "source": "Fischetti & Salazar-Gonzalez (2001), as tau-ARGUS 'optimal' and "
            "sdcTable protectTable(method = 'OPT'); docs/outputs.md",
            "policy_action": "suppress",
            "action": "suppress",
        }
        legend = pd.concat([legend, pd.DataFrame([row])], ignore_index=True)
    return est, legend, report


def _dims(est: pd.DataFrame) -> list[str]:
    from mhindicators.results import ID_COLUMNS, LABEL_COLUMNS, STAT_COLUMNS

    known = {*ID_COLUMNS, *STAT_COLUMNS, *LABEL_COLUMNS}
    return [c for c in est.columns if c not in known]
