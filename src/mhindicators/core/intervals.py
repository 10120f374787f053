"""Named confidence-interval methods, vectorised over domains.

Proportions: `logit` (R `svyciprop` default: its svyglm coefficient, SE and `confint.svyglm`
quantiles), `xlogit`, `mean` (Wald), `beta` (Korn-Graubard as
R `svyciprop(method = "beta")`), `korn-graubard-nchs` (NCHS 2017: df-adjusted n_eff capped at n,
defined at p = 0 and 1) and `wilson` (survey 4.5 `svyciprop(method = "wilson")`). Means,
totals and ratios use `wald` with t(df). Where R is meaningless or fails we return NaN bounds
(or the limit interval) with a status code per domain instead of raising.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

from mhindicators.core import interval_methods
from mhindicators.issues import define

define(
    "MHI440",
    "variance-not-finite",
    "warning",
    "A domain's estimated variance is negative or not finite (NaN, Inf): no interval is formed "
    "and the row's status is `variance-not-finite`; its SE is left missing, never set to 0.",
    "Look for infinite or huge values of the outcome or weights in the domain, lonely_psu = "
    "'average' with every stratum lonely, or replicates that are all undefined.",
)

OK, EMPTY, BOUNDARY, ZERO_SE, NO_DF, UNDEFINED, VARIANCE_BAD = range(7)
STATUS = {
    OK: "ok",
    EMPTY: "empty-domain",
    BOUNDARY: "p-at-boundary",
    ZERO_SE: "zero-se",
    NO_DF: "no-degrees-of-freedom",
    UNDEFINED: "undefined",
    VARIANCE_BAD: "variance-not-finite",  # MHI440
}
PROPORTION_METHODS = interval_methods.for_estimator("proportion")


@dataclass
class Interval:
    """Lower and upper bounds per domain, the method name, level and a status code per domain."""

    lower: np.ndarray
    upper: np.ndarray
    method: str
    level: float
    status: np.ndarray


def t_quantile(level: float, df) -> np.ndarray:
    """Upper (1 + level)/2 quantile of t(df); df = inf gives the normal; df <= 0 gives NaN."""
    df = np.asarray(df, dtype=np.float64)
    p = 1 - (1 - level) / 2
    with np.errstate(invalid="ignore"):
        q = np.where(np.isposinf(df), special.ndtri(p), special.stdtrit(np.where(df > 0, df, 1), p))
    return np.where(df > 0, q, np.nan)


def _arr(*xs):
    return [np.asarray(x, dtype=np.float64) for x in xs]


def _status(p, se, df, n, *, boundary: bool) -> np.ndarray:
    st = np.full(p.shape, OK, dtype=np.int8)
    st[~(df > 0)] = NO_DF
    st[(se == 0) & (st == OK)] = ZERO_SE
    edge = ((p == 0) | (p == 1)) if boundary else np.zeros(p.shape, dtype=bool)
    st[edge] = BOUNDARY
    st[~np.isfinite(p) | (~np.isfinite(se) & ~edge)] = UNDEFINED
    st[np.isfinite(p) & ~np.isfinite(se) & ~edge] = VARIANCE_BAD  # never a silent 0
    st[n == 0] = EMPTY
    return st


def wald(est, se, df, level: float = 0.95, n=None) -> Interval:
    """est -/+ t(df) * se (R `confint(..., df = df)`; `svyciprop(method = "mean")`)."""
    est, se, df = _arr(est, se, df)
    n = np.ones_like(est) if n is None else np.asarray(n)
    q = t_quantile(level, df)
    st = _status(est, se, df, n, boundary=False)
    return Interval(est - q * se, est + q * se, "wald", level, st)


def _limit(lo, hi, p, st):
    """NaN outside OK; the degenerate interval [p, p] when se = 0."""
    zero = st == ZERO_SE
    lo = np.where(st == OK, lo, np.where(zero, p, np.nan))
    hi = np.where(st == OK, hi, np.where(zero, p, np.nan))
    return lo, hi


def glm_wald_factors(level: float, df) -> tuple[np.ndarray, np.ndarray]:
    """The two multipliers of SE in R's `confint.svyglm(method = "Wald", ddf = df)`.

    R converts the t level to a normal one and back: tlevel = 1 - 2 pnorm(qt((1 - level)/2, df)),
    then `confint.default` uses qnorm(a) and qnorm(1 - a), a = (1 - tlevel)/2. We do the same
    arithmetic (it differs from -/+ qt by up to ~1e-8 relative at df = 1). Where pnorm underflows
    against 1 (df = 1 and level > ~0.924), R's a is 0 and its interval (0, 1); we keep the exact
    t quantile there (R's answer is a rounding artefact). df <= 0 gives NaN, as R.
    """
    df = np.asarray(df, dtype=np.float64)
    good = df > 0
    with np.errstate(invalid="ignore"):
        qt = np.where(
            np.isposinf(df),
            special.ndtri((1 - level) / 2),
            special.stdtrit(np.where(good, df, 1), (1 - level) / 2),
        )
        tlevel = 1 - 2 * special.ndtr(qt)
        a = (1 - tlevel) / 2
        lo = np.where(a > 0, special.ndtri(a), qt)
        hi = np.where(a > 0, special.ndtri(1 - a), -qt)
    return np.where(good, lo, np.nan), np.where(good, hi, np.nan)


def logit(
    p, se_logit, df, level: float = 0.95, n=None, method: str = "logit", coef=None
) -> Interval:
    """R `svyciprop(method = "logit")`: expit(beta + f * se_logit), f the two multipliers of
    `glm_wald_factors`, beta = `coef` (R's svyglm coefficient; logit(p) when None).

    `method = "xlogit"`: expit(logit(p) -/+ qt(df) * se_logit) (`confint.svystat`).
    """
    p, sel, df = _arr(p, se_logit, df)
    n = np.ones_like(p) if n is None else np.asarray(n)
    st = _status(p, sel, df, n, boundary=True)
    if method == "xlogit":
        q = t_quantile(level, df)
        f_lo, f_hi = -q, q
    else:
        f_lo, f_hi = glm_wald_factors(level, df)
    with np.errstate(divide="ignore", invalid="ignore"):
        eta = special.logit(p) if coef is None else np.asarray(coef, dtype=np.float64)
        lo, hi = special.expit(eta + f_lo * sel), special.expit(eta + f_hi * sel)
    lo, hi = _limit(lo, hi, p, st)
    return Interval(lo, hi, method, level, st)


def xlogit(p, se, df, level: float = 0.95, n=None) -> Interval:
    """Delta-method logit interval: se_logit = se / (p (1 - p)) (R `xlogit`)."""
    p, se = _arr(p, se)
    with np.errstate(divide="ignore", invalid="ignore"):
        sel = se / (p * (1 - p))
    out = logit(p, sel, df, level, n, method="xlogit")
    out.status[(se == 0) & np.isin(out.status, (UNDEFINED, VARIANCE_BAD))] = ZERO_SE
    return out


def _clopper(x, n_eff, level):
    a = 1 - level
    with np.errstate(invalid="ignore", divide="ignore"):
        lo = np.where(x > 0, special.betaincinv(x, n_eff - x + 1, a / 2), 0.0)
        hi = np.where(n_eff - x > 0, special.betaincinv(x + 1, n_eff - x, 1 - a / 2), 1.0)
    return lo, hi


def _kg_ratio(n, df, level):
    a = 1 - level
    with np.errstate(invalid="ignore"):
        num = special.stdtrit(np.where(n > 1, n - 1, 1), a / 2)
        den = special.stdtrit(np.where(df > 0, df, 1), a / 2)
    return np.where((n > 1) & (df > 0), (num / den) ** 2, np.nan)


def beta(p, var, n, df, level: float = 0.95) -> Interval:
    """Korn-Graubard as R `svyciprop(method = "beta")`: n_eff = p(1-p)/var * (t_{n-1}/t_df)^2.

    n is R's `nrow(design)` for the domain (its unweighted rows); df its `degf`. No cap at n.
    """
    p, var, n, df = _arr(p, var, n, df)
    st = _status(p, np.sqrt(var), df, n, boundary=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = p * (1 - p) / var * _kg_ratio(n, df, level)
        lo, hi = _clopper(n_eff * p, n_eff, level)
    lo, hi = _limit(lo, hi, p, st)
    return Interval(lo, hi, "beta", level, st)


def korn_graubard_nchs(p, var, n, df, level: float = 0.95) -> Interval:
    """NCHS (Parker et al. 2017) Korn-Graubard: n_eff = min(n, p(1-p)/var * (t_{n-1}/t_df)^2).

    p = 0 or 1 (or var = 0): n_eff = n; df <= 0: the df factor is 0 (interval (0, 1)), as
    CDCgov/surveytable `svyciprop_adjusted`.
    """
    p, var, n, df = _arr(p, var, n, df)
    st = _status(p, np.sqrt(var), df, n, boundary=True)
    rat = np.where(df > 0, _kg_ratio(n, df, level), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        raw = np.where(var > 0, p * (1 - p) / var, np.inf)
        n_eff = np.minimum(n, raw * rat)
    edge = (p == 0) | (p == 1)
    n_eff = np.where(edge, n, n_eff)
    lo, hi = _clopper(n_eff * p, n_eff, level)
    bad = (st == EMPTY) | (st == UNDEFINED) | (st == VARIANCE_BAD)
    lo, hi = np.where(bad, np.nan, lo), np.where(bad, np.nan, hi)
    return Interval(lo, hi, "korn-graubard-nchs", level, st)


def wilson(p, var, df, level: float = 0.95, n=None) -> Interval:
    """Wilson score interval with n_eff = p(1-p)/var and t(df) (survey 4.5 `svyciprop`)."""
    p, var, df = _arr(p, var, df)
    n = np.ones_like(p) if n is None else np.asarray(n)
    st = _status(p, np.sqrt(var), df, n, boundary=True)
    t = t_quantile(level, df)
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = p * (1 - p) / var
        denom = 1 + t * t / n_eff
        root = np.sqrt(4 * n_eff * p * (1 - p) + t * t)
        centre = p + t * t / (2 * n_eff)
        lo = (centre - t / (2 * n_eff) * root) / denom
        hi = (centre + t / (2 * n_eff) * root) / denom
    lo, hi = _limit(lo, hi, p, st)
    return Interval(lo, hi, "wilson", level, st)


def _logit_coef(est) -> np.ndarray | None:
    """R's svyglm coefficient where `est.logit_fit` still belongs to `est.estimate`, else
    logit(estimate) (e.g. after a caller replaced the estimates by standardised ones)."""
    fit = getattr(est, "logit_fit", None)
    if fit is None:
        return None
    p = np.asarray(est.estimate, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(fit[:, 0] == p, fit[:, 1], special.logit(p))


def proportion_ci(method: str, est, level: float = 0.95) -> Interval:
    """Interval for proportions from a `DomainEstimates` (estimator 'proportion')."""
    if method not in PROPORTION_METHODS:
        raise ValueError(f"unknown CI method {method!r}; choose one of {PROPORTION_METHODS}")
    p, se, var, df, n = est.estimate, est.se, est.variance, est.df, est.n
    if method == "logit":
        return logit(p, est.se_logit, df, level, n, coef=_logit_coef(est))
    if method == "xlogit":
        return xlogit(p, se, df, level, n)
    if method == "mean":
        out = wald(p, se, df, level, n)
        out.method = "mean"
        out.status[((p == 0) | (p == 1)) & (out.status == ZERO_SE)] = BOUNDARY
        return out
    if method == "beta":
        return beta(p, var, n, df, level)
    if method == "korn-graubard-nchs":
        return korn_graubard_nchs(p, var, n, df, level)
    if method == "wilson":
        return wilson(p, var, df, level, n)
    raise ValueError(f"unknown CI method {method!r}; choose one of {PROPORTION_METHODS}")
