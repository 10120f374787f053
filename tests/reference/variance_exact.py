"""Exact (rational-arithmetic) SEs and deffs of domain means for the variance fixture.

Run from the repository root:  python tests/reference/variance_exact.py
Reads tests/fixtures/survey/variance.csv.gz (written by variance_goldens.R), takes every
number as the exact binary value it is, and evaluates the textbook formulas with Python
`fractions` (no rounding until the final square root), writing
tests/golden/survey/variance_exact.csv. Used where R's own double-precision rounding exceeds
1e-9 (offset 1e8): the tests show ours is within 1e-12 of these and R is not.

Formulas (Lumley 2010; R survey `svyrecvar`, `svrVar`, `svyvar`):
- Taylor (designs `clus`, `rows`, `selfw` of variance_goldens.R), domain mean
  R_d = sum w y / sum w over the domain; z_k = w_k (y_k - R_d) / W_d in the
  domain, 0 outside; V = sum_h n_h/(n_h - 1) sum_i (z_hi - zbar_h)^2 over all PSUs of stratum h
  (rows as PSUs for the `rows` design).
- deff: V / vsrs, vsrs = s2 (N - n)/(N n), s2 = n/(n - 1) sum w (y - R)^2 / N over the domain,
  N = sum w (R `svymean(deff = TRUE)`).
- JKn (as.svrepdesign): replicate (h, i) drops PSU i and multiplies the other PSUs of stratum h
  by n_h/(n_h - 1); V = sum_r (n_h - 1)/n_h (theta_r - mean theta)^2 (mse = FALSE).
"""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from fractions import Fraction as F
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "tests" / "fixtures" / "survey" / "variance.csv.gz"
OUT = ROOT / "tests" / "golden" / "survey" / "variance_exact.csv"
DOMAINS = {"_T": ("A", "B", "C"), "A": ("A",), "B": ("B",), "C": ("C",)}


def taylor(df, var, dom, rows_are_psus, weights="w"):
    ins = df.dom.isin(dom).to_numpy()
    w = [F(v) for v in df[weights]]
    y = [F(v) for v in df[var]]
    wd = sum(wk for wk, k in zip(w, ins, strict=True) if k)
    r = sum(wk * yk for wk, yk, k in zip(w, y, ins, strict=True) if k) / wd
    tot = defaultdict(F)
    strata = defaultdict(set)
    for i, (h, p) in enumerate(zip(df.stratum, df.psu, strict=True)):
        key = (h, i) if rows_are_psus else (h, p)
        strata[h].add(key)
        if ins[i]:
            tot[key] += w[i] * (y[i] - r) / wd
    v = F(0)
    for keys in strata.values():
        n = len(keys)
        zs = [tot[k] for k in keys]
        zbar = sum(zs) / n
        v += F(n, n - 1) * sum((z - zbar) ** 2 for z in zs)
    nobs = int(ins.sum())
    s2 = sum(wk * (yk - r) ** 2 for wk, yk, k in zip(w, y, ins, strict=True) if k) / wd
    s2 *= F(nobs, nobs - 1)
    vsrs = s2 * (wd - nobs) / (wd * nobs)
    return math.sqrt(v), float(v / vsrs)


def jkn(df, var, dom):
    ins = df.dom.isin(dom).to_numpy()
    ty, tw = defaultdict(F), defaultdict(F)
    psus = defaultdict(set)
    for i, (h, p) in enumerate(zip(df.stratum, df.psu, strict=True)):
        psus[h].add(p)
        if ins[i]:
            wk = F(df.w.iat[i])
            ty[(h, p)] += wk * F(df[var].iat[i])
            tw[(h, p)] += wk
    all_y, all_w = sum(ty.values()), sum(tw.values())
    thetas, scales = [], []
    for h, ps in psus.items():
        n = len(ps)
        hy = sum(ty[(h, p)] for p in ps)
        hw = sum(tw[(h, p)] for p in ps)
        for p in ps:
            f = F(n, n - 1)
            yr = all_y - hy + f * (hy - ty[(h, p)])
            wr = all_w - hw + f * (hw - tw[(h, p)])
            thetas.append(yr / wr)
            scales.append(F(n - 1, n))
    mean = sum(thetas) / len(thetas)
    v = sum(s * (t - mean) ** 2 for s, t in zip(scales, thetas, strict=True))
    return math.sqrt(v)


def main() -> None:
    df = pd.read_csv(FIX)
    rows = []
    for var in ("y_3e7", "y_1e8"):
        for label, dom in DOMAINS.items():
            for case, rows_psu in (("clus", False), ("rows", True)):
                se, deff = taylor(df, var, dom, rows_psu)
                rows.append([case, var, "mean", label, repr(se), repr(deff)])
            rows.append(["jkn", var, "mean", label, repr(jkn(df, var, dom)), "NA"])
    for label, dom in DOMAINS.items():  # the self-weighting design (weights w_eq)
        se, deff = taylor(df, "y_1e8", dom, False, "w_eq")
        rows.append(["selfw", "y_1e8", "mean", label, repr(se), repr(deff)])
    with OUT.open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["case", "variable", "estimator", "domain", "se", "deff"])
        out.writerows(rows)
    print(f"wrote {len(rows)} rows to {OUT}")


if __name__ == "__main__":
    main()
