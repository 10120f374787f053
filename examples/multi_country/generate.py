"""Generate the synthetic extracts of the multi-country example (Morocco survey, Sweden
registers); Spain comes from sample_data/. Everything here is invented.

    python examples/multi_country/generate.py             # rewrites mar/ and swe/ here
    python examples/multi_country/generate.py --out DIR   # the same bytes elsewhere

MAR: a household survey delivered as SPSS (.sav, value labels), migrants identified by
citizenship only (no country of birth), 80 bootstrap replicate weights (Rao-Wu resampling of
PSUs within strata), each replicate calibrated to the sex x age totals: the replicates are not
multiples of the base weight. The unmet-need item uses a 6-month recall and everyone aged 15+
answers the health module (the reference definitions say 12 months and 16+).
The .sav header holds its creation time, so compare regenerated files by content
(tests/examples/test_multi_country.py does), not by bytes.

SWE: register-based. A population table by year, sex, 5-year age band, country of birth,
citizenship and both parents' countries of birth (so migrant_generation derives), and a deaths
register (one row per death, ICD-10 underlying cause), 2022-2024.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat

SEED = 20240917
HERE = Path(__file__).resolve().parent
BANDS = [f"Y{a}T{a + 4}" for a in range(0, 85, 5)] + ["Y_GE85"]


def expit(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


# ------------------------------------------------------------------------------- Morocco ----
MAR_CITIZENSHIP = {
    504: "Marocaine",
    686: "Senegalaise",
    384: "Ivoirienne",
    760: "Syrienne",
    250: "Francaise",
    724: "Espagnole",
    999: "Non declaree",
}


def make_mar(rng: np.random.Generator) -> pd.DataFrame:
    n_strata, psu_per, per_psu = 20, 4, 30
    strata = np.repeat(np.arange(1, n_strata + 1), psu_per * per_psu)
    psu = np.repeat(np.arange(1, n_strata * psu_per + 1), per_psu)
    n = len(psu)
    age = np.minimum(rng.gamma(2.2, 14.0, n).astype(int), 94)
    sex = rng.integers(1, 3, n)
    # foreign citizens cluster in some PSUs (urban districts of the larger cities)
    psu_foreign = rng.beta(0.6, 6.0, n_strata * psu_per)[psu - 1]
    foreign = rng.random(n) < psu_foreign
    cit = np.where(
        foreign, rng.choice([686, 384, 760, 250, 724], n, p=[0.35, 0.25, 0.2, 0.1, 0.1]), 504
    )
    cit = np.where(rng.random(n) < 0.01, 999, cit)
    psu_eff = rng.normal(0, 0.35, n_strata * psu_per)[psu - 1]
    adult = age >= 15
    lin_bad = -3.6 + 0.045 * age + 0.2 * (sex == 2) + 0.35 * foreign + psu_eff
    health = 1 + np.minimum(rng.binomial(4, expit(lin_bad + 1.6)), 4)
    health = np.where(adult, health, np.nan)
    health = np.where(adult & (rng.random(n) < 0.02), 9, health)
    covered = rng.random(n) < expit(0.9 - 1.3 * foreign + 0.01 * age + psu_eff)
    amo = np.where(covered, 1, 2).astype(float)
    amo = np.where(rng.random(n) < 0.015, 9, amo)
    unmet = adult & (rng.random(n) < expit(-2.1 + 0.7 * foreign + 0.9 * ~covered + psu_eff))
    need = np.where(adult, np.where(unmet, 1, 2), np.nan)
    need = np.where(adult & (rng.random(n) < 0.02), 9, need)
    reason = np.where(need == 1, rng.choice([1, 2, 3, 4], n, p=[0.45, 0.2, 0.2, 0.15]), np.nan)
    base = np.round(rng.uniform(700, 1300, n_strata)[strata - 1] * rng.uniform(0.8, 1.25, n), 2)
    frame = pd.DataFrame(
        {
            "STRATE": strata,
            "GRAPPE": psu,
            "SEXE": sex,
            "AGE": age,
            "NATIONALITE": cit,
            "ETAT_SANTE": health,
            "BESOIN_NON_SATISFAIT_6M": need,
            "RAISON": reason,
            "COUVERTURE_AMO": amo,
            "POIDS": base,
        }
    )
    reps = mar_replicates(rng, frame, 80)
    return pd.concat([frame, reps], axis=1)


def mar_replicates(rng: np.random.Generator, frame: pd.DataFrame, r: int) -> pd.DataFrame:
    """Rao-Wu bootstrap of PSUs within strata (n_h - 1 draws), then each replicate raked to the
    base weights' sex x age-group totals (calibration)."""
    cell = frame["SEXE"].to_numpy() * 10 + np.digitize(frame["AGE"], [15, 30, 45, 65])
    cells, cell_idx = np.unique(cell, return_inverse=True)
    base = frame["POIDS"].to_numpy()
    target = np.bincount(cell_idx, weights=base)
    psu = frame["GRAPPE"].to_numpy()
    strata = frame["STRATE"].to_numpy()
    out = {}
    psus_of = {h: np.unique(psu[strata == h]) for h in np.unique(strata)}
    for k in range(1, r + 1):
        mult = np.zeros(psu.max() + 1)
        for ids in psus_of.values():
            n_h = len(ids)
            draws = rng.choice(ids, n_h - 1, replace=True)
            np.add.at(mult, draws, n_h / (n_h - 1))
        w = base * mult[psu]
        have = np.bincount(cell_idx, weights=w, minlength=len(cells))
        w = w * (target / np.where(have > 0, have, 1))[cell_idx]
        out[f"REP{k:02d}"] = np.round(w, 2)
    return pd.DataFrame(out)


def write_mar(out: Path, frame: pd.DataFrame) -> list[Path]:
    folder = out / "mar"
    folder.mkdir(parents=True, exist_ok=True)
    sav = folder / "ehm_2024.sav"
    labels = {
        "SEXE": {1: "Homme", 2: "Femme"},
        "NATIONALITE": MAR_CITIZENSHIP,
        "ETAT_SANTE": {
            1: "Tres bon",
            2: "Bon",
            3: "Moyen",
            4: "Mauvais",
            5: "Tres mauvais",
            9: "Ne sait pas",
        },
        "BESOIN_NON_SATISFAIT_6M": {1: "Oui", 2: "Non", 9: "Ne sait pas"},
        "RAISON": {1: "Cout", 2: "Distance", 3: "Liste d'attente", 4: "Autre"},
        "COUVERTURE_AMO": {1: "Oui (AMO, RAMED/AMO-Tadamon ou privee)", 2: "Non", 9: "NSP"},
    }
    pyreadstat.write_sav(
        frame,
        sav,
        column_labels=None,
        variable_value_labels=labels,
        row_compress=True,
        file_label="Enquete menages sante 2024 (synthetique)",
    )
    return [sav]


# -------------------------------------------------------------------------------- Sweden ----
SWE_ORIGINS = {"SWE": 0.0, "FIN": 0.05, "POL": 0.03, "IRQ": 0.05, "SYR": 0.05}


def swe_population(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    base = (
        np.array(
            [55, 57, 60, 58, 62, 70, 72, 70, 66, 62, 63, 66, 60, 56, 54, 48, 34, 22, 14],
            dtype=float,
        )
        * 250
    )  # per band, about 520,000 in all
    for year in (2022, 2023, 2024):
        for sex in (1, 2):
            for b, band in enumerate(BANDS):
                n_band = base[b] * (1.0 if sex == 1 else 1.02) * (1 + 0.004 * (year - 2022))
                for cob, share in SWE_ORIGINS.items():
                    if cob == "SWE":
                        # native-born: no, one or two foreign-born parents
                        for mother, father, s in (
                            ("SWE", "SWE", 0.74),
                            ("SWE", "IRQ", 0.04),
                            ("IRQ", "IRQ", 0.03),
                        ):
                            rows.append((year, sex, band, "SWE", "SWE", mother, father, n_band * s))
                    else:
                        s = share * (1.3 if 20 <= b * 5 <= 64 else 0.6)
                        rows.append((year, sex, band, cob, "SWE", cob, cob, n_band * s * 0.55))
                        rows.append((year, sex, band, cob, cob, cob, cob, n_band * s * 0.45))
    pop = pd.DataFrame(
        rows,
        columns=[
            "AR",
            "KON",
            "ALDER5",
            "FODELSELAND",
            "MEDBORGARSKAP",
            "FODELSELAND_MOR",
            "FODELSELAND_FAR",
            "FOLKMANGD",
        ],
    )
    pop["FOLKMANGD"] = np.round(pop["FOLKMANGD"] * rng.uniform(0.95, 1.05, len(pop))).astype(int)
    return pop


def swe_deaths(rng: np.random.Generator, pop: pd.DataFrame) -> pd.DataFrame:
    band_lo = pop["ALDER5"].map({b: i * 5 for i, b in enumerate(BANDS)}).to_numpy()
    foreign = (pop["FODELSELAND"] != "SWE").to_numpy()
    rate = np.exp(-9.4 + 0.085 * band_lo) * np.where(pop["KON"] == 1, 1.35, 1.0)
    rate *= np.where(foreign, 0.88, 1.0)  # healthy-migrant effect
    deaths = rng.poisson(rate * pop["FOLKMANGD"].to_numpy())
    idx = np.repeat(np.arange(len(pop)), deaths)
    out = pop.iloc[idx].drop(columns="FOLKMANGD").reset_index(drop=True)
    lo = band_lo[idx]
    p_suicide = np.where((lo >= 15) & (lo < 80), 0.06 / (1 + 0.05 * lo), 0.002)
    cause = np.where(
        rng.random(len(out)) < p_suicide,
        "X70",
        rng.choice(["I219", "C349", "J449", "R99"], len(out), p=[0.5, 0.35, 0.12, 0.03]),
    )
    out.insert(0, "DODSORSAK", cause)
    out.insert(0, "POSTTYP", 1)  # record type of the cause-of-death register: 1 = death
    out.insert(0, "LOPNR", np.arange(1, len(out) + 1))
    return out


def write_swe(out: Path, pop: pd.DataFrame, deaths: pd.DataFrame) -> list[Path]:
    folder = out / "swe"
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / "population.csv", folder / "deaths.csv"]
    pop.to_csv(paths[0], index=False, lineterminator="\n")
    deaths.to_csv(paths[1], index=False, lineterminator="\n")
    return paths


def generate(out: Path, seed: int = SEED) -> list[Path]:
    """Write every file of the example's MAR and SWE extracts under `out`."""
    mar_rng, pop_rng, death_rng = (
        np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(3)
    )
    paths = write_mar(out, make_mar(mar_rng))
    pop = swe_population(pop_rng)
    return paths + write_swe(out, pop, swe_deaths(death_rng, pop))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    for path in generate(args.out, args.seed):
        print(path)


if __name__ == "__main__":
    main()
