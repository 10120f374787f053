"""Additive sufficient statistics for survey estimation (one pass, mergeable across chunks).

For each indicator column pair (y, x) and each cell of the finest cross-classification we keep
sums by cell x stratum (counts, sum w, w^2, wy, wx, and the variance sums below), and for
variance either sums by cell x PSU (Taylor, clustered), centred co-moments by cell x stratum
(Taylor, each row its own PSU), or sums by cell x replicate (replicate weights).

Cancellation: the variance sums carry y' = y - s x instead of y, with s a per-column shift (the
chunk's ratio; 0 for 0/1 outcomes). Shifting y by s x moves every ratio by s and leaves
y - R x unchanged, so the variance is the same, but sums no longer carry a large offset (year
codes, scores near 1e6) that would cancel later. Co-moments (QYY, QYX, QXX) are centred within
cell x stratum (Chan et al. pairwise update), so `merge` is exact for them too; chunks with
different shifts are re-shifted on merge (`_reshift`).

For 0/1 columns we also keep the moments R's `logit` interval needs (`logit_moments.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from mhindicators.core.design import SurveyDesign, _fail
from mhindicators.core.logit_moments import (
    logit_moments,
    logit_moments_by_level,
    merge_logit,
)
from mhindicators.core.replicate_sums import accumulate_replicates
from mhindicators.errors import EstimationError

# slots of `SurveyStats.cs` (by column x slot x cell x stratum), with y' = y - shift * x:
# W sum w, W2 sum w^2, WY sum w y (the estimates), WX sum w x, WYS sum w y', WYY sum w y'^2,
# WXY sum w x y', WXX sum w x^2; unclustered designs only: QYY, QYX, QXX co-moments of
# u = w y' and v = w x centred on their cell x stratum means
W, W2, WY, WX, WYY, WXY, WXX, QYY, QYX, QXX, WYS = range(11)
N_SLOTS = 11
_DENSE_KEYS = 20_000_000  # above this many cell x PSU keys, group by sorting instead


@dataclass
class Column:
    """One indicator column: numerator y, denominator x (None = 1), optional universe mask."""

    y: np.ndarray
    x: np.ndarray | None = None
    universe: np.ndarray | None = None


@dataclass
class SurveyStats:
    """Sufficient statistics of K columns over `n_cells` cells; see module docstring."""

    n_cells: int
    n_cols: int
    kind: str  # "taylor" | "replicate"
    clustered: bool
    lonely_psu: str
    fpc_type: str | None
    cs: np.ndarray  # (K, N_SLOTS, nc, H) float64
    cs_n: np.ndarray  # (K, nc, H) rows in cell x stratum
    cs_nz: np.ndarray  # (K, nc, H) rows with non-zero weight
    stratum_rows: np.ndarray  # (H,) all sample rows per stratum
    stratum_fpc: np.ndarray  # (2, H) min and max fpc value seen (nan = none)
    psu_stratum: np.ndarray  # (P,) stratum of each PSU code, -1 = not seen
    psu_parts: list = field(default_factory=list)  # per column: (cell, psu, wy', wx, nz)
    shift: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (K,) y' = y - shift * x
    unit_x: tuple = ()  # per column: x is 1 (means, proportions, totals)
    rep: np.ndarray | None = None  # (K, 2, nc, R): sums of w_r*y and w_r*x
    rep_pos: np.ndarray | None = None  # same over positive w_r only (R's glm.fit `good` rows)
    gram: list | None = None  # per column (nc, R, R) Gram of replicate weights, or None
    rep_meta: dict | None = None  # type, scale, rscales, mse, df
    strata_labels: list | None = None
    # per column: (cell, y, bin, mom) with mom (4, m) = count, sum d, d^2, d^3 over rows with
    # w > 0 in each cell x y x weight bin; None when the column is not a 0/1 proportion
    logit_parts: list | None = None

    def __post_init__(self) -> None:
        if self.shift.size == 0:  # built without shifts: y' = y (then x = 1 is not needed)
            self.shift = np.zeros(self.n_cols)
        if not self.unit_x:
            self.unit_x = (True,) * self.n_cols

    @property
    def n_strata(self) -> int:
        return int(self.stratum_rows.shape[0])

    def merge(self, other: SurveyStats) -> SurveyStats:
        """Return the statistics of the union of the two chunks' rows."""
        a, b = self, other
        same = (a.n_cells, a.n_cols, a.kind, a.clustered, a.lonely_psu, a.unit_x)
        if same != (b.n_cells, b.n_cols, b.kind, b.clustered, b.lonely_psu, b.unit_x):
            _fail("MHI363", "cannot merge statistics of different layouts", EstimationError)
        b = _reshift(b, a.shift)
        h = max(a.n_strata, b.n_strata)
        p = max(a.psu_stratum.size, b.psu_stratum.size)
        ps_a, ps_b = _pad(a.psu_stratum, p, -1), _pad(b.psu_stratum, p, -1)
        clash = (ps_a >= 0) & (ps_b >= 0) & (ps_a != ps_b)
        if clash.any():
            _fail("MHI361", f"{int(clash.sum())} PSU ids occur in more than one stratum")
        fpc = np.stack(
            [
                np.fmin(_pad(a.stratum_fpc[0], h, np.nan), _pad(b.stratum_fpc[0], h, np.nan)),
                np.fmax(_pad(a.stratum_fpc[1], h, np.nan), _pad(b.stratum_fpc[1], h, np.nan)),
            ]
        )
        parts = [
            _reduce_parts(*(np.concatenate([u, v]) for u, v in zip(pa, pb, strict=True)))
            for pa, pb in zip(a.psu_parts, b.psu_parts, strict=True)
        ]
        gram = None
        if a.gram is not None and b.gram is not None:
            gram = [ga + gb for ga, gb in zip(a.gram, b.gram, strict=True)]
        return SurveyStats(
            n_cells=a.n_cells,
            n_cols=a.n_cols,
            kind=a.kind,
            clustered=a.clustered,
            lonely_psu=a.lonely_psu,
            fpc_type=a.fpc_type or b.fpc_type,
            cs=_merge_cs(a, b, h),
            cs_n=_pad_last(a.cs_n, h) + _pad_last(b.cs_n, h),
            cs_nz=_pad_last(a.cs_nz, h) + _pad_last(b.cs_nz, h),
            stratum_rows=_pad(a.stratum_rows, h, 0) + _pad(b.stratum_rows, h, 0),
            stratum_fpc=fpc,
            psu_stratum=np.maximum(ps_a, ps_b),
            psu_parts=parts,
            shift=a.shift,
            unit_x=a.unit_x,
            rep=None if a.rep is None else a.rep + b.rep,
            rep_pos=_add_opt(a.rep_pos, b.rep_pos, a.rep, b.rep),
            gram=gram,
            rep_meta=a.rep_meta,
            strata_labels=a.strata_labels or b.strata_labels,
            logit_parts=merge_logit(a.logit_parts, b.logit_parts, a.n_cols),
        )


def _reshift(b: SurveyStats, shift: np.ndarray) -> SurveyStats:
    """`b` with its variance sums re-expressed for the shifts `shift` (y' gains (s_b - s) x)."""
    delta = b.shift - shift
    if not np.any(delta):
        return b
    cs = b.cs.copy()
    d = delta[:, None, None]
    cs[:, WYY] += 2 * d * cs[:, WXY] + d * d * cs[:, WXX]  # before WXY changes
    cs[:, WXY] += d * cs[:, WXX]
    cs[:, WYS] += d * cs[:, WX]
    cs[:, QYY] += 2 * d * cs[:, QYX] + d * d * cs[:, QXX]
    cs[:, QYX] += d * cs[:, QXX]
    parts = [
        (cell, psu, wy + dj * wx, wx, nz)
        for (cell, psu, wy, wx, nz), dj in zip(b.psu_parts, delta[: len(b.psu_parts)], strict=True)
    ]
    rep, rep_pos = b.rep, b.rep_pos
    if rep is not None:  # replicate sums of w_r y' and w_r x: y' gains (s_b - s) x as well
        rep = _reshift_rep(rep, delta)
        rep_pos = None if rep_pos is None else _reshift_rep(rep_pos, delta)
    return replace(b, cs=cs, psu_parts=parts, shift=shift, rep=rep, rep_pos=rep_pos)


def _reshift_rep(rep: np.ndarray, delta: np.ndarray) -> np.ndarray:
    """(K, 2, nc, R) sums of w_r y' and w_r x re-expressed for y' = y - s x with s moved by
    -delta per column."""
    out = rep.copy()
    out[:, 0] += delta[:, None, None] * rep[:, 1]
    return out


def _merge_cs(a: SurveyStats, b: SurveyStats, h: int) -> np.ndarray:
    """Add two chunks' sums; centred co-moments gain the between-chunk term (Chan et al. 1979):
    M = M_a + M_b + n_a n_b / (n_a + n_b) (ubar_a - ubar_b)(vbar_a - vbar_b)."""
    ca, cb = _pad_last(a.cs, h), _pad_last(b.cs, h)
    out = ca + cb
    if a.kind != "taylor" or a.clustered:  # no co-moments
        return out
    na, nb = _pad_last(a.cs_n, h).astype(np.float64), _pad_last(b.cs_n, h).astype(np.float64)
    both = (na > 0) & (nb > 0)
    if not both.any():
        return out
    with np.errstate(divide="ignore", invalid="ignore"):
        du = np.where(both, ca[:, WYS] / na - cb[:, WYS] / nb, 0.0)
        dv = np.where(both, ca[:, WX] / na - cb[:, WX] / nb, 0.0)
        k = np.where(both, na * nb / (na + nb), 0.0)
    out[:, QYY] += k * du * du
    out[:, QYX] += k * du * dv
    out[:, QXX] += k * dv * dv
    return out


def _add_opt(pa, pb, ra, rb):
    """Add positive-part sums; a chunk without negative weights has rep_pos == rep."""
    if pa is None and pb is None:
        return None
    return (ra if pa is None else pa) + (rb if pb is None else pb)


def _pad(v: np.ndarray, size: int, fill) -> np.ndarray:
    out = np.full(size, fill, dtype=v.dtype)
    out[: v.size] = v
    return out


def _pad_last(a: np.ndarray, size: int) -> np.ndarray:
    if a.shape[-1] == size:
        return a
    out = np.zeros((*a.shape[:-1], size), dtype=a.dtype)
    out[..., : a.shape[-1]] = a
    return out


def _reduce_parts(cell, psu, wy, wx, nz):
    """Sum duplicate (cell, PSU) keys."""
    if cell.size == 0:
        return cell, psu, wy, wx, nz
    p = int(psu.max()) + 1
    inv, keys = pd.factorize(cell * p + psu, sort=True)  # hashing, not a full sort
    m = keys.size
    return (
        keys // p,
        keys % p,
        np.bincount(inv, wy, m),
        np.bincount(inv, wx, m),
        np.bincount(inv, nz, m).astype(np.int64),
    )


def _group_cell_psu(cell, psu, n_cells, wy, wx, nz):
    """Sums by (cell, PSU) for the rows given, as sparse key lists (nz None = all rows)."""
    p = int(psu.max(initial=-1)) + 1
    # dense bincounts only when the key space is not much larger than the rows (a 20M-slot
    # array per sum costs more than hashing the keys)
    if n_cells * p <= min(_DENSE_KEYS, 4 * cell.size + 1024):
        key = cell * p + psu
        size = n_cells * p
        cnt = np.bincount(key, minlength=size)
        keep = np.flatnonzero(cnt)
        return (
            keep // p,
            keep % p,
            np.bincount(key, wy, size)[keep],
            np.bincount(key, wx, size)[keep],
            cnt[keep] if nz is None else np.bincount(key, nz, size)[keep].astype(np.int64),
        )
    if nz is None:
        nz = np.ones(cell.size)
    return _reduce_parts(cell, psu, wy, wx, nz)


def _slot_sums(key, size, cnt, ws, yv, xv, wy, wx, unit_x, binary_y, unclustered, fixed=None):
    """Bincount sums per slot, the column's shift s and w y' (y' = y - s x); equal slots share
    one bincount (x = 1, or a 0/1 y, whose shift is 0). fixed: use this shift."""
    alias = {WX: W, WXY: WYS, WXX: W} if unit_x else {}
    if binary_y and not fixed:
        alias.update({WYS: WY, WYY: WY})  # y' = y and y^2 = y
    sums: dict[int, np.ndarray] = {}
    shift, ys, wys = 0.0, yv, wy

    def products():
        nonlocal shift, ys, wys
        yield W, lambda: ws
        yield W2, lambda: ws * ws
        yield WY, lambda: wy
        yield WX, lambda: wx
        # the shift from the (small) sums just formed: no extra pass over the rows
        shift = (
            fixed if fixed is not None else column_shift(sums[WY].sum(), sums[WX].sum(), binary_y)
        )
        if shift:
            ys = yv - shift if unit_x else yv - shift * xv
            wys = ws * ys
        yield WYS, lambda: wys
        yield WYY, lambda: wys * ys
        yield WXY, lambda: wys * xv
        yield WXX, lambda: wx * xv

    for slot, product in products():  # products are formed only when needed
        if slot in alias:
            sums[slot] = sums[alias[slot]]
            continue
        with np.errstate(over="ignore"):  # huge values: a non-finite variance, MHI440
            sums[slot] = np.bincount(key, product(), size)
    if unclustered:  # two-pass co-moments, centred on the cell x stratum means
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            du = wys - (sums[WYS] / cnt)[key]
            dv = wx - (sums[WX] / cnt)[key]
        for slot, values in ((QYY, du * du), (QYX, du * dv), (QXX, dv * dv)):
            sums[slot] = np.bincount(key, values, size)
    return sums, shift, wys


def column_shift(sum_wy: float, sum_wx: float, binary_y: bool) -> float:
    """The shift s of y' = y - s x: the rows' ratio sum w y / sum w x (0 for a 0/1 y, or when
    undefined). Any value near the data's centre removes the offset."""
    if binary_y:
        return 0.0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        s = float(sum_wy / sum_wx) if sum_wx else 0.0
    return s if np.isfinite(s) else 0.0


def _numbers(values) -> np.ndarray:
    """A numpy bool or numeric array; nullable and object inputs give NaN for missing."""
    if isinstance(values, np.ndarray) and values.dtype.kind in "biuf":
        return values
    return pd.array(values).to_numpy(dtype=np.float64, na_value=np.nan)


@dataclass
class _Layout:
    """What every column's pass shares: the design's rows and the output arrays."""

    design: SurveyDesign
    n_cells: int
    h: int
    kind: str
    cs: np.ndarray
    cs_n: np.ndarray
    cs_nz: np.ndarray
    nzw: np.ndarray | None  # 1.0 where w != 0; None when every weight is non-zero
    parts: list = field(default_factory=list)
    logit: list = field(default_factory=list)  # per column: a Future of its logit part, or None
    background: Executor | None = None  # where logit parts are computed (a second core)
    # cells, y (shifted), x per column, for the replicate pass
    rep_rows: tuple = field(default_factory=lambda: ([], [], []))

    @property
    def clustered(self) -> bool:
        return self.kind == "taylor" and self.design.psu is not None

    @property
    def unclustered(self) -> bool:
        return self.kind == "taylor" and self.design.psu is None


def accumulate(
    design: SurveyDesign,
    cell: np.ndarray,
    n_cells: int,
    columns: Sequence[Column],
    *,
    rank_df: bool = True,
    block_rows: int = 262_144,
    shifts: Sequence[float] | np.ndarray | None = None,
) -> SurveyStats:
    """One pass over the rows of `design` computing the statistics of every column.

    cell: (n,) int codes in [0, n_cells), -1 = outside the universe (combined with each
    column's own `universe` mask). rank_df: also keep the replicate-weight Gram matrices per
    cell so that finalize can compute R's rank-based `degf` per domain. shifts: the shift of
    each column (default: the rows' ratio); row batches share the first batch's, so their
    sums add exactly (`merge` needs no re-shift).
    """
    cell = _checked_cells(cell, design.n, n_cells)
    lay = _layout(design, n_cells, len(columns))
    fixed = [None] * len(columns) if shifts is None else [float(v) for v in shifts]
    # logit parts are a separate set of passes over the same rows: done on a second thread
    # while this one forms the sums (numpy releases the GIL in them)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="mhi-logit") as lay.background:
        shift = np.array(
            [_accumulate_column(lay, j, col, cell, fixed[j]) for j, col in enumerate(columns)]
        )
        logit_parts = [None if part is None else part.result() for part in lay.logit]
    strata = design.strata_codes
    stats = SurveyStats(
        n_cells=n_cells,
        n_cols=len(columns),
        kind=lay.kind,
        clustered=lay.clustered,
        lonely_psu=design.lonely_psu,
        fpc_type=design.fpc_type if design.fpc is not None else None,
        cs=lay.cs,
        cs_n=lay.cs_n,
        cs_nz=lay.cs_nz,
        stratum_rows=np.bincount(strata, minlength=lay.h).astype(np.int64),
        stratum_fpc=_stratum_fpc(design, strata, lay.h),
        psu_stratum=_psu_stratum(design, strata),
        psu_parts=lay.parts,
        shift=shift.reshape(len(columns)),
        unit_x=tuple(col.x is None for col in columns),
        strata_labels=design.strata_labels,
        logit_parts=logit_parts,
    )
    if lay.kind == "replicate":
        universe_ids = [None if c.universe is None else id(c.universe) for c in columns]
        cells_k, y_rows, xs = lay.rep_rows
        accumulate_replicates(stats, design, cells_k, y_rows, xs, universe_ids, rank_df, block_rows)
    return stats


def _checked_cells(cell, n: int, n_cells: int) -> np.ndarray:
    cell = np.asarray(cell, dtype=np.int64)
    if cell.shape != (n,) or (cell >= n_cells).any() or (cell < -1).any():
        _fail("MHI363", "cell codes must be (n,) ints in [-1, n_cells)", EstimationError)
    return cell


def _layout(design: SurveyDesign, n_cells: int, k: int) -> _Layout:
    """Zeroed output arrays for k columns over n_cells x strata."""
    h = int(design.strata_codes.max(initial=0)) + 1
    w = design.weights
    return _Layout(
        design=design,
        n_cells=n_cells,
        h=h,
        kind="replicate" if design.replicates is not None else "taylor",
        cs=np.zeros((k, N_SLOTS, n_cells, h)),
        cs_n=np.zeros((k, n_cells, h), dtype=np.int64),
        cs_nz=np.zeros((k, n_cells, h), dtype=np.int64),
        nzw=None if np.all(w != 0) else (w != 0).astype(np.float64),
    )


def _universe_rows(col: Column, cell: np.ndarray, j: int):
    """The column's cells (-1 outside its universe), the rows inside, y and x (float) there,
    the full y and x, and whether y is a condition (bool); MHI360 for non-finite values."""
    y = _numbers(col.y)  # float, or bool for conditions (converted after the gather)
    x = None if col.x is None else _numbers(col.x).astype(np.float64, copy=False)
    ck = cell if col.universe is None else np.where(np.asarray(col.universe), cell, -1)
    sel = np.flatnonzero(ck >= 0)
    # np.take: ~5x faster than fancy indexing on 10M rows (numpy 2.4)
    yv = np.take(y, sel).astype(np.float64, copy=False)
    xv = None if x is None else np.take(x, sel)
    boolean_y = y.dtype == np.bool_  # a condition: finite and 0/1 by construction
    bad = 0 if boolean_y else int((~np.isfinite(yv)).sum())
    bad += 0 if xv is None else int((~np.isfinite(xv)).sum())  # xv is None iff x is
    if bad:
        _fail("MHI360", f"column {j}: {bad} missing or infinite values inside the universe")
    return ck, sel, y, x, yv, xv, boolean_y


def _accumulate_column(
    lay: _Layout, j: int, col: Column, cell: np.ndarray, fixed: float | None = None
) -> float:
    """Fill column j's sums, PSU parts and logit moments; returns its shift (`fixed` if given)."""
    design, n_cells, h = lay.design, lay.n_cells, lay.h
    ck, sel, y, x, yv, xv, boolean_y = _universe_rows(col, cell, j)
    unit_x = x is None  # means and proportions: x = 1, so several sums coincide
    c, ws = np.take(ck, sel), np.take(design.weights, sel)
    key, size = c * h + np.take(design.strata_codes, sel), n_cells * h
    lay.cs_n[j] = np.bincount(key, minlength=size).reshape(n_cells, h)
    nz = None if lay.nzw is None else np.take(lay.nzw, sel)
    if nz is None:
        lay.cs_nz[j] = lay.cs_n[j]
    else:
        lay.cs_nz[j] = np.bincount(key, nz, size).reshape(n_cells, h).astype(np.int64)
    binary_y = boolean_y or bool(np.all((yv == 0) | (yv == 1)))
    # R's svyciprop(~y) glm: y must be 0/1 and the denominator 1 (a proportion)
    binary = binary_y and (unit_x or bool(np.all(xv == 1)))
    assert lay.background is not None
    lay.logit.append(lay.background.submit(_logit_part, lay, c, yv, ws, sel) if binary else None)
    wx = ws if unit_x else ws * xv
    sums, shift, wys = _slot_sums(
        key,
        size,
        lay.cs_n[j].ravel(),
        ws,
        yv,
        xv,
        ws * yv,
        wx,
        unit_x,
        binary_y,
        lay.unclustered,
        fixed,
    )
    for slot, v in sums.items():
        lay.cs[j, slot] = v.reshape(n_cells, h)
    if lay.clustered:
        assert design.psu is not None  # clustered means the design has PSUs
        psu = np.take(design.psu, sel)
        lay.parts.append(_group_cell_psu(c, psu, n_cells, wys, wx, nz))
    if lay.kind == "replicate":  # the replicate pass needs the rows again; Taylor does not
        yf = y.astype(np.float64, copy=False)  # shifted like the Taylor sums
        lay.rep_rows[0].append(ck)
        lay.rep_rows[1].append(yf if not shift else yf - shift * (1.0 if x is None else x))
        lay.rep_rows[2].append(x)  # None: x = 1
    return shift


def _logit_part(lay: _Layout, c, yv, ws, sel):
    """Logit-interval moments of a 0/1 column; weights are factorised (once per design,
    cached) only when a Taylor proportion needs them and they take few values."""
    levels = lay.design.weight_levels() if lay.kind == "taylor" else None
    if levels is not None:
        return logit_moments_by_level(c, yv, np.take(levels[0], sel), levels[1], lay.n_cells)
    return logit_moments(c, yv, ws, lay.n_cells)


def _psu_stratum(design: SurveyDesign, strata: np.ndarray) -> np.ndarray:
    """Stratum of each PSU code (-1: code not seen); empty without PSUs."""
    if design.psu is None:
        return np.zeros(0, dtype=np.int64)
    psu_stratum = np.full(int(design.psu.max(initial=-1)) + 1, -1, dtype=np.int64)
    psu_stratum[design.psu] = strata
    return psu_stratum


def _stratum_fpc(design: SurveyDesign, strata: np.ndarray, h: int) -> np.ndarray:
    """(2, H) smallest and largest fpc value per stratum (NaN: none)."""
    fpc = np.full((2, h), np.nan)
    if design.fpc is not None:
        fpc[0] = np.full(h, np.inf)
        np.minimum.at(fpc[0], strata, design.fpc)
        fpc[1] = np.full(h, -np.inf)
        np.maximum.at(fpc[1], strata, design.fpc)
        seen = np.bincount(strata, minlength=h) > 0
        fpc[:, ~seen] = np.nan
    return fpc
