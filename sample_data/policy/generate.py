"""Generate the synthetic policy table `policy_2024.csv` (one record per fictional country).

Everything here is invented: 20 fictional countries in 4 regions with user-assigned ISO 3166-1
alpha-3 codes (XAA-XAT, a range ISO 3166 reserves for private use), their answers to the 30 SDG
10.7.2 items (domain 1: 1 / 0.5 / 0; domains 2-6: 1 / 0), 38 MIPEX-Health-style items (0 / 50 /
100, "NA" = not applicable) and the UNAIDS HIV / TB travel-restriction flags. A blank cell is a
missing answer. SOURCE is the source of every answer of a country; D1A_SOURCE the source of
item 1a (health access) alone. The output is a pure function of the seed:

    python sample_data/policy/generate.py                 # rewrite the shipped file
    python sample_data/policy/generate.py --out /tmp/x    # same bytes, elsewhere
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20080524  # WHA 61.17 was adopted on 24 May 2008
YEAR = 2024
HERE = Path(__file__).resolve().parent
NAMES = [
    "Aldoria", "Belvania", "Corvessa", "Dunmarch", "Estrava",
    "Fennwick", "Galdora", "Hollen", "Istria Nova", "Jorvath",
    "Kelmora", "Lustania", "Marrowind", "Norvale", "Ostrelia",
    "Pellucia", "Quarren", "Rovinia", "Sarmatia Minor", "Tavaro",
]  # fmt: skip
REGIONS = ["North", "South", "East", "West"]
MIPEX_DIMENSIONS = {"A": 15, "B": 8, "C": 9, "D": 6}  # illustrative split of 38 items


def policy_table(seed: int = SEED) -> pd.DataFrame:
    """The synthetic table: answers drawn from a per-country openness in (0, 1)."""
    rng = np.random.default_rng(seed)
    n = len(NAMES)
    openness = rng.beta(2.0, 2.0, size=n)
    out = pd.DataFrame(
        {
            "ISO": [f"XA{chr(ord('A') + i)}" for i in range(n)],
            "NAME": NAMES,
            "REGION": [REGIONS[i % len(REGIONS)] for i in range(n)],
            "YEAR": YEAR,
        }
    )
    u = rng.random((n, 30))
    p = openness[:, None]
    d1 = np.where(u[:, :5] < p**2, 1.0, np.where(u[:, :5] < p, 0.5, 0.0))
    rest = (u[:, 5:] < 0.25 + 0.7 * p).astype(float)
    items = np.concatenate([d1, rest], axis=1)
    cols = [f"D{d}{s}" for d in range(1, 7) for s in "ABCDE"]
    tenth = pd.DataFrame(items, columns=cols).astype(object)
    tenth.iloc[[3, 11], [7, 22]] = None  # two countries leave two items blank
    out = pd.concat([out, tenth.map(_code)], axis=1)
    v = rng.random((n, 38))
    mipex = np.where(v < p**1.5, "100", np.where(v < 0.15 + 0.8 * p, "50", "0")).astype(object)
    mipex[rng.random((n, 38)) < 0.03] = "NA"
    mcols = [f"H{dim}{k:02d}" for dim, m in MIPEX_DIMENSIONS.items() for k in range(1, m + 1)]
    out = pd.concat([out, pd.DataFrame(mipex, columns=mcols)], axis=1)
    hiv = (rng.random(n) < 0.6 - 0.5 * openness).astype(object)
    hiv[7] = None  # no information for one country
    out["HIV_TRAVEL"] = [_flag(x) for x in hiv]
    out["TB_TRAVEL"] = [_flag(x) for x in (rng.random(n) < 0.4 - 0.3 * openness)]
    out["SOURCE"] = "Synthetic questionnaire, sample_data/policy/generate.py"
    out["D1A_SOURCE"] = [
        f"Synthetic health law of {name}, art. {k + 3}" for k, name in enumerate(NAMES)
    ]
    return out


def _code(x) -> str:
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return ""
    return {1.0: "1", 0.5: "0.5", 0.0: "0"}[float(x)]


def _flag(x) -> str:
    return "" if x is None else ("1" if x else "0")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    policy_table().to_csv(args.out / "policy_2024.csv", index=False, lineterminator="\n")


if __name__ == "__main__":
    main()
