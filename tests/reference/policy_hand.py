"""Hand computation of the policy indicators on sample_data/policy/policy_2024.csv.

Independent of mhi: the csv module and plain arithmetic, following the published methods.

- Counts (SDG 10.7.2 item 1a; UNAIDS HIV travel restrictions; TB travel restrictions): the
  number of countries whose answer is "1" (item 1a: "yes, regardless of immigration status";
  any HIV- or TB-specific restriction); blank answers are not counted and the responding
  countries are reported. The HIV-or-TB share is 100 x countries with either restriction /
  countries whose answer is known (either is "1", or both are answered).
- SDG 10.7.2 score (UN SDG metadata 10.7.2, IOM/UN DESA): each of the 30 items coded 1 / 0.5 / 0;
  domain score = mean of its 5 items x 100; overall = mean of the 30 items x 100; bands
  <40 "Requires further progress", 40-<80 "Partially meets", 80-<100 "Meets", 100 "Fully meets".
  A missing item is left out of its domain's mean and of the overall mean (mean of answered items).

- MIPEX Health strand (Ingleby et al. 2019): indicators scored 0 / 50 / 100; "NA" (not
  applicable) and blank answers are left out; dimension score = mean of its indicators; strand
  score = mean of the 4 dimension scores. Dimensions are the column prefixes HA, HB, HC, HD.

- Sensitivity (OECD/JRC Handbook on Constructing Composite Indicators, 2008): each scenario
  rescores the 10.7.2 countries: equal domain weights (mean of the 6 domain scores); weights
  D1 = 2, others 1; geometric mean of the domain scores; each domain left out (mean of the
  other domains' answered items). Rank 1 = highest, ties share the best rank; the average
  shift in ranks is (1/M) sum |rank_scenario - rank_baseline| over the M countries.

Run `python tests/reference/policy_hand.py` to print the values the tests compare with.
"""

from __future__ import annotations

import csv
from pathlib import Path

TABLE = Path(__file__).resolve().parents[2] / "sample_data" / "policy" / "policy_2024.csv"
DOMAINS = [f"D{d}" for d in range(1, 7)]
BANDS = [(40, "Requires further progress"), (80, "Partially meets"), (100, "Meets")]


def rows() -> list[dict[str, str]]:
    with TABLE.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def counts() -> dict[str, tuple[int, int]]:
    """indicator -> (countries counted, countries answering)."""
    table = rows()
    d1a = [r["D1A"] for r in table if r["D1A"] != ""]
    hiv = [r["HIV_TRAVEL"] for r in table if r["HIV_TRAVEL"] != ""]
    tb = [r["TB_TRAVEL"] for r in table if r["TB_TRAVEL"] != ""]
    # HIV or TB (three-valued): known when either is "1" or both are answered
    either = [
        "1" in (r["HIV_TRAVEL"], r["TB_TRAVEL"])
        for r in table
        if "1" in (r["HIV_TRAVEL"], r["TB_TRAVEL"]) or "" not in (r["HIV_TRAVEL"], r["TB_TRAVEL"])
    ]
    return {
        "sdg_10_7_2_d1a_health_access": (sum(a == "1" for a in d1a), len(d1a)),
        "unaids_hiv_travel_restrictions": (sum(a == "1" for a in hiv), len(hiv)),
        "tb_travel_restrictions": (sum(a == "1" for a in tb), len(tb)),
        "hiv_tb_travel_restrictions_share": (sum(either), len(either)),
    }


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def sdg_10_7_2() -> dict[str, dict]:
    """country -> {domain scores, overall, band, region}."""
    out = {}
    for r in rows():
        scores, answered = {}, []
        for d in DOMAINS:
            items = [float(r[d + s]) for s in "ABCDE" if r[d + s] != ""]
            scores[d] = 100 * _mean(items)
            answered += items
        overall = 100 * _mean(answered)
        band = "Fully meets" if overall == 100 else next(b for t, b in BANDS if overall < t)
        out[r["ISO"]] = {"region": r["REGION"], "overall": overall, "band": band, **scores}
    return out


def mipex() -> dict[str, dict]:
    """country -> {dimension scores A-D, overall}."""
    out = {}
    for r in rows():
        dims = {}
        for d in "ABCD":
            vals = [float(v) for k, v in r.items() if k.startswith("H" + d) and v not in ("", "NA")]
            dims[d] = _mean(vals)
        out[r["ISO"]] = {**dims, "overall": _mean(list(dims.values()))}
    return out


def _ranks(scores: dict[str, float]) -> dict[str, int]:
    return {k: 1 + sum(o > v for o in scores.values()) for k, v in scores.items()}


def sdg_10_7_2_sensitivity() -> dict[str, dict[str, float]]:
    """scenario -> country -> score."""
    table, base = rows(), sdg_10_7_2()
    out = {"baseline": {k: v["overall"] for k, v in base.items()}}
    out["equal_weights"] = {k: _mean([v[d] for d in DOMAINS]) for k, v in base.items()}
    w = {d: (2.0 if d == "D1" else 1.0) for d in DOMAINS}
    out["weights_rights_double"] = {
        k: sum(w[d] * v[d] for d in DOMAINS) / sum(w.values()) for k, v in base.items()
    }
    geo = {}
    for k, v in base.items():
        prod = 1.0
        for d in DOMAINS:
            prod *= v[d]
        geo[k] = prod ** (1 / len(DOMAINS))
    out["geometric"] = geo
    for left in DOMAINS:
        out["without_" + left] = {
            r["ISO"]: 100
            * _mean([float(r[d + s]) for d in DOMAINS if d != left for s in "ABCDE" if r[d + s]])
            for r in table
        }
    return out


def average_rank_shift(scenario: str) -> float:
    sens = sdg_10_7_2_sensitivity()
    base, other = _ranks(sens["baseline"]), _ranks(sens[scenario])
    return _mean([abs(other[k] - base[k]) for k in base])


def band_counts() -> dict[tuple[str, str], int]:
    """(region or "_T", band) -> number of countries."""
    out: dict[tuple[str, str], int] = {}
    for s in sdg_10_7_2().values():
        for group in (s["region"], "_T"):
            out[(group, s["band"])] = out.get((group, s["band"]), 0) + 1
    return out


if __name__ == "__main__":
    for ident, (n, m) in counts().items():
        print(f"{ident}: {n} of {m} answering countries")
    for iso, s in sdg_10_7_2().items():
        doms = " ".join(f"{d}={s[d]:.1f}" for d in DOMAINS)
        print(f"{iso} {s['region']:<6} overall={s['overall']:.4f} {s['band']:<26} {doms}")
    for (group, band), n in sorted(band_counts().items()):
        print(f"{group:<6} {band:<26} {n}")
