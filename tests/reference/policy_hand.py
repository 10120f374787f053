"""Hand computation of the policy indicators on sample_data/policy/policy_2024.csv.

Independent of mhi: the csv module and plain arithmetic, following the published methods.

- Counts (SDG 10.7.2 item 1a; UNAIDS HIV travel restrictions): the number of countries whose
  answer is "1" (item 1a: "yes, regardless of immigration status") or "1" (any HIV-specific
  restriction); blank answers are not counted and the responding countries are reported.
- SDG 10.7.2 score (UN SDG metadata 10.7.2, IOM/UN DESA): each of the 30 items coded 1 / 0.5 / 0;
  domain score = mean of its 5 items x 100; overall = mean of the 30 items x 100; bands
  <40 "Requires further progress", 40-<80 "Partially meets", 80-<100 "Meets", 100 "Fully meets".
  A missing item is left out of its domain's mean and of the overall mean (mean of answered items).

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
    return {
        "sdg_10_7_2_d1a_health_access": (sum(a == "1" for a in d1a), len(d1a)),
        "unaids_hiv_travel_restrictions": (sum(a == "1" for a in hiv), len(hiv)),
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


if __name__ == "__main__":
    for ident, (n, m) in counts().items():
        print(f"{ident}: {n} of {m} answering countries")
    for iso, s in sdg_10_7_2().items():
        doms = " ".join(f"{d}={s[d]:.1f}" for d in DOMAINS)
        print(f"{iso} {s['region']:<6} overall={s['overall']:.4f} {s['band']:<26} {doms}")
