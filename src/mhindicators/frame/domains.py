"""Cells (the finest cross-classification) and domains (cells plus every `_T` margin).

Each dimension is a categorical with levels; a missing value gets the level `_U` (unknown), so
no record of the universe leaves the totals. Several frames (a register's events and its
denominator table, harmonised separately) are encoded on the union of their levels: each
frame's category codes are remapped through a lookup with one entry per category, never per
row. Cells are mixed-radix codes over the levels; a
domain picks one level or the total per dimension, and its membership matrix (domains x cells)
turns cell sums into domain sums with one sparse product.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from mhindicators.results import TOTAL

UNKNOWN = "_U"


@dataclass(frozen=True)
class Cells:
    """Row -> cell codes and the level lists of each dimension."""

    dims: tuple[str, ...]
    levels: tuple[tuple[str, ...], ...]
    codes: np.ndarray  # (n,) int64; -1 = outside (not in universe or outside every age band)

    @property
    def n_cells(self) -> int:
        return int(np.prod([len(lv) for lv in self.levels], dtype=np.int64)) if self.dims else 1


@dataclass(frozen=True)
class Domains:
    """Every combination of a level or `_T` per dimension, with its membership matrix."""

    labels: pd.DataFrame  # one column per dimension
    membership: sp.csr_matrix  # (n_domains, n_cells) of 0/1


def encode_cells(frame: pd.DataFrame, dims: list[str], keep: np.ndarray) -> Cells:
    """Cell code per row for the rows where `keep` is true (others -1)."""
    cells, (kept,) = kept_cells([frame], dims, [keep])
    codes = np.full(len(frame), -1, dtype=np.int64)
    codes[keep] = kept
    return Cells(cells.dims, cells.levels, codes)


def kept_cells(
    frames: list[pd.DataFrame], dims: list[str], keeps: list[np.ndarray]
) -> tuple[Cells, list[np.ndarray]]:
    """The shared levels (a Cells without row codes) and, per frame, the cell code of each
    kept row, in row order (so sums over them add up in the same order as over all rows)."""
    per_dim: list[list[np.ndarray]] = [[] for _ in frames]  # per frame, per dimension
    levels: list[tuple[str, ...]] = []
    unknowns: list[bool] = []
    for dim in dims:
        cats = [pd.Categorical(f[dim]) for f in frames]
        union: list = []
        for cat in cats:
            union += [c for c in cat.categories if c not in union]
        index = pd.CategoricalDtype(union).categories
        unknown = False
        for out, cat, keep in zip(per_dim, cats, keeps, strict=True):
            codes = _onto(cat, index)
            if codes.size and codes.min() < 0:  # any missing, then any missing that is kept
                unknown |= bool(np.logical_and(codes < 0, keep).any())
            out.append(codes)
        levels.append(tuple([str(c) for c in index] + ([UNKNOWN] if unknown else [])))
        unknowns.append(unknown)
    cells = Cells(tuple(dims), tuple(levels), np.zeros(0, dtype=np.int64))
    sizes = [len(lv) for lv in levels]
    return cells, [
        _combine(parts, sizes, unknowns, keep) for parts, keep in zip(per_dim, keeps, strict=True)
    ]


def _onto(cat: pd.Categorical, index: pd.Index) -> np.ndarray:
    """Codes of `cat` on the categories `index` (a superset), -1 = missing."""
    codes = np.asarray(cat.codes)
    if cat.categories.dtype == index.dtype and cat.categories.equals(index):
        return codes
    lookup = np.append(index.get_indexer(cat.categories), -1)  # code -1 (missing) stays -1
    return lookup.astype(np.int32 if len(index) < 2**31 - 1 else np.int64)[codes]


def _combine(parts: list[np.ndarray], sizes: list[int], unknowns: list[bool], keep: np.ndarray):
    """Mixed-radix cell codes of the kept rows; a missing code (-1) is level `_U`, the last
    level of its dimension. Built over all rows in the smallest integer type that holds every
    cell (rows not kept may wrap; they are dropped), then compressed once."""
    n_cells = int(np.prod(sizes, dtype=np.int64))
    dtype = next(t for t in (np.int16, np.int32, np.int64) if n_cells <= np.iinfo(t).max)
    codes: np.ndarray = np.zeros(len(keep), dtype=dtype)
    for part, size, unknown in zip(parts, sizes, unknowns, strict=True):
        codes *= size
        codes += part  # same kind or narrower: no upcast, in place
        if unknown:
            codes[part < 0] += size  # -1 + size = the index of `_U`
    return codes[keep].astype(np.intp)  # np.bincount's index type


def all_domains(cells: Cells) -> Domains:
    """Cells and all margins: for D dimensions, prod(K_d + 1) domains."""
    sizes = [len(lv) for lv in cells.levels]
    if not sizes:
        return Domains(pd.DataFrame(index=[0]), sp.csr_matrix(np.ones((1, 1))))
    choice = np.array(list(itertools.product(*[range(k + 1) for k in sizes])), dtype=np.int64)
    cell_idx = np.array(list(itertools.product(*[range(k) for k in sizes])), dtype=np.int64)
    member = np.ones((len(choice), len(cell_idx)), dtype=bool)
    for d, k in enumerate(sizes):
        pick = choice[:, d][:, None]
        member &= (pick == k) | (pick == cell_idx[:, d][None, :])
    labels = pd.DataFrame(
        {
            dim: np.asarray([*cells.levels[d], TOTAL], dtype=object)[choice[:, d]]
            for d, dim in enumerate(cells.dims)
        }
    )
    return Domains(labels, sp.csr_matrix(member.astype(np.float64)))


def reference_pairs(
    labels: pd.DataFrame, dim: str, reference: str
) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (group domain, its reference domain) that agree on every other dimension.

    Groups are the levels of `dim` other than the reference and the total, in every margin of
    the other dimensions (so contrasts exist by sex, by age and overall).
    """
    if dim not in labels.columns:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    text = labels.astype(str)
    others = [c for c in text.columns if c != dim]
    key = _row_keys(text, others)
    ref_rows = np.flatnonzero((text[dim] == reference).to_numpy())
    ref_of = dict(zip(key.iloc[ref_rows], ref_rows, strict=True))
    groups = np.flatnonzero(((text[dim] != reference) & (text[dim] != TOTAL)).to_numpy())
    groups = np.asarray([g for g in groups if key.iloc[g] in ref_of], dtype=np.int64)
    refs = np.asarray([ref_of[key.iloc[g]] for g in groups], dtype=np.int64)
    return groups, refs


def contrast_labels(
    labels: pd.DataFrame, dim: str, reference: str, groups: np.ndarray
) -> pd.DataFrame:
    """The label columns of a contrasts table: dimension, group, reference, other dimensions."""
    out = labels.iloc[groups].reset_index(drop=True).rename(columns={dim: "group"})
    out.insert(0, "dimension", dim)
    out.insert(2, "reference", reference)
    return out


def components_by(
    labels: pd.DataFrame, dim: str, levels: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    """For every domain with `dim` = total: its row and the rows of its `levels` of `dim`.

    Returns (outer rows (G,), idx (G, len(levels))) for standardising over `dim`.
    """
    text = labels.astype(str)
    others = [c for c in text.columns if c != dim]
    key = _row_keys(text, others)
    outer = np.flatnonzero((text[dim] == TOTAL).to_numpy())
    where = {(k, lv): i for i, (k, lv) in enumerate(zip(key, text[dim], strict=True))}
    idx = np.asarray([[where[(key.iloc[o], lv)] for lv in levels] for o in outer], dtype=np.int64)
    return outer, idx.reshape(len(outer), len(levels))


def _row_keys(text: pd.DataFrame, columns: list[str]) -> pd.Series:
    """One string per row joining the given label columns (vectorised, no row apply)."""
    if not columns:
        return pd.Series("", index=text.index)
    return text[columns[0]].str.cat([text[c] for c in columns[1:]], sep="|")
