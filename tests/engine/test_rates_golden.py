"""Rates against reference implementations (goldens from tests/reference/rates_goldens.R and
PHEindicatormethods' published test results). A missing golden fails; tolerance 1e-9 relative."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mhindicators.pipeline.quality import apply_policy, load_policy
from mhindicators.registry import contrasts as rate_contrasts
from mhindicators.registry import rates
from mhindicators.stdpop import align

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "golden" / "rates"
FIXTURES = ROOT / "fixtures" / "rates"
RTOL = 1e-9


def golden(name: str) -> pd.DataFrame:
    path = GOLDEN / name
    if not path.is_file():
        pytest.fail(f"golden {path} is missing; run `Rscript tests/reference/rates_goldens.R`")
    return pd.read_csv(path, comment="#", dtype={"birth_order": str})


def fixture(name: str) -> pd.DataFrame:
    path = FIXTURES / name
    if not path.is_file():
        pytest.fail(f"fixture {path} is missing")
    return pd.read_csv(path, dtype={"birth_order": str})


def close(actual, expected) -> None:
    np.testing.assert_allclose(np.asarray(actual, float), np.asarray(expected, float), rtol=RTOL)


# --- Fay-Feuer / epitools ------------------------------------------------------------------------


def fleiss():
    d = fixture("fleiss1981_down_syndrome.csv")
    d = d[d["birth_order"] != "Total"]
    ages = list(dict.fromkeys(d["maternal_age"]))
    wide = {c: d.pivot(index="birth_order", columns="maternal_age", values=c)[ages] for c in
            ("count", "population", "standard_pop")}  # fmt: skip
    order = list(wide["count"].index)
    return (
        order,
        wide["count"].to_numpy(float),
        wide["population"].to_numpy(float),
        (wide["standard_pop"].iloc[0].to_numpy(float)),
    )


@pytest.mark.parametrize("conf", [0.95, 0.90])
def test_fay_feuer_matches_epitools(conf):
    order, x, n, s = fleiss()
    g = golden("fay_feuer_epitools.csv")
    g = g[np.isclose(g["conf_level"], conf)].set_index("birth_order").loc[order]
    r = rates.dsr(x, n, s, conf_level=conf, method="fay-feuer")
    close(r.estimate, g["estimate"])
    close(r.lower, g["lower"])
    close(r.upper, g["upper"])
    close(rates.crude_rate(r.events, r.denominator).estimate, g["crude"])
    assert set(r.method) == {"fay-feuer"}
    assert set(r.status) == {""}


def test_fay_feuer_matches_shared_epitools_reference():
    order, x, n, s = fleiss()
    ref = fixture("fay_feuer_epitools_reference.csv").set_index("birth_order").loc[order]
    r = rates.dsr(x, n, s)
    close(r.estimate, ref["adj.rate"])
    close(r.lower, ref["lci"])
    close(r.upper, ref["uci"])


def test_fay_feuer_published_example_rounded():
    _, x, n, s = fleiss()
    r = rates.dsr(x[-1], n[-1], s)
    assert (round(float(r.estimate), 3), round(float(r.lower), 3), round(float(r.upper), 3)) == (
        75.529,
        67.702,
        188.300,
    )


def test_all_zero_counts_lower_is_zero_where_epitools_gives_nan():
    g = golden("dsr_all_zero_epitools.csv")
    assert np.isnan(g["lower"].iloc[0])
    r = rates.dsr([0, 0, 0], [1000, 2000, 3000], [1, 1, 1], multiplier=1)
    assert float(r.estimate) == 0.0 and float(r.lower) == 0.0
    close(r.upper, g["upper"])


def test_tiwari_matches_retyped_formula():
    order, x, n, s = fleiss()
    g = golden("tiwari.csv").set_index("birth_order").loc[order]
    r = rates.dsr(x, n, s, method="tiwari")
    close(r.estimate, g["estimate"])
    close(r.lower, g["lower"])
    close(r.upper, g["upper"])
    assert (r.upper <= rates.dsr(x, n, s).upper).all()


def test_dsr_ratio_fay_f_matches_retyped_formula():
    order, x, n, s = fleiss()
    g = golden("dsr_ratio_fay_f.csv").set_index("birth_order").loc[order]
    c = rate_contrasts.dsr_ratio(x, n, x[0], n[0], s)
    close(c.estimate, g["estimate"])
    close(c.lower, g["lower"])
    close(c.upper, g["upper"])


# --- Poisson limits ----------------------------------------------------------------------------


@pytest.mark.parametrize("conf", [0.95, 0.998])
def test_garwood_matches_poisson_test(conf):
    g = golden("garwood.csv")
    g = g[np.isclose(g["conf_level"], conf)]
    lo, hi, names = rates.poisson_limits(g["x"].to_numpy(), conf, "garwood")
    close(lo, g["lower"])
    close(hi, g["upper"])
    close(lo, g["lower_qgamma"])
    assert set(names) == {"garwood"}


def test_garwood_anchor_values():
    lo, hi, _ = rates.poisson_limits([0, 1, 5, 20])
    assert np.round(lo, 3).tolist() == [0.0, 0.025, 1.623, 12.217]
    assert np.round(hi, 3).tolist() == [3.689, 5.572, 11.668, 30.888]


@pytest.mark.parametrize("conf", [0.95, 0.998])
def test_byar_matches_phe_formula(conf):
    g = golden("byar.csv")
    g = g[np.isclose(g["conf_level"], conf)]
    lo, hi, names = rates.poisson_limits(g["x"].to_numpy(), conf, "byar")
    close(lo, g["lower"])
    close(hi, g["upper"])
    assert set(names) == {"byar"}


# --- rate ratios ---------------------------------------------------------------------------------


@pytest.mark.parametrize("conf", [0.95, 0.90])
def test_rate_ratio_exact_conditional_matches_poisson_test(conf):
    g = golden("rate_ratio_exact.csv")
    g = g[np.isclose(g["conf_level"], conf)]
    c = rate_contrasts.rate_ratio(g["x1"], g["n1"], g["x0"], g["n0"], conf_level=conf)
    close(c.estimate, g["estimate"])
    close(c.lower, g["lower"])
    close(c.upper, g["upper"])
    assert set(c.method) == {"exact-conditional"}


def test_rate_ratio_log_normal_matches_epitools_wald():
    g = golden("rate_ratio_wald.csv")
    c = rate_contrasts.rate_ratio(g["x1"], g["n1"], g["x0"], g["n0"], method="log-normal")
    close(c.estimate, g["estimate"])
    close(c.lower, g["lower"])
    close(c.upper, g["upper"])


# --- PHEindicatormethods -------------------------------------------------------------------------

PHE_BANDS = {"55-69": "Y55T59", "85+": "Y_GE85", "90+": "Y_GE90"}


def phe_code(label: str) -> str:
    if label in PHE_BANDS:
        return PHE_BANDS[label]
    lo, hi = label.split("-")
    return f"Y{lo}T{hi}"


def phe_areas():
    d = fixture("phe_testdata_multiarea.csv")
    d["band"] = d["ageband"].map(phe_code)
    bands = list(dict.fromkeys(d["band"]))
    d["count"] = d["count"].fillna(0)  # PHE's na.zero()
    groups, x, n = rates.cells(d, ["area"], "band", bands, "count", "pop")
    return list(groups["area"]), x, n, bands


def test_esp2013_aligned_to_phe_bands_equals_phe_esp2013():
    _, _, _, bands = phe_areas()
    phe = fixture("phe_esp2013.csv")
    w = align(bands, "esp_2013")["weight"].to_numpy()
    close(w, phe["esp2013"] / phe["esp2013"].sum())


@pytest.mark.parametrize("multiplier", [1e4, 1e5])
def test_dobson_dsr_matches_phe(multiplier):
    areas, x, n, bands = phe_areas()
    std = align(bands, "esp_2013")
    table = fixture("phe_testresults_DSR.csv")
    table = table[table["area"].isin(areas) & (table["method"] == "Dobson")]
    exp = table[table["statistic"] == f"dsr per {int(multiplier)}"].set_index("area")
    for conf, lo_col, hi_col in [(0.95, "lower95_0cl", "upper95_0cl"),
                                 (0.998, "lower99_8cl", "upper99_8cl")]:  # fmt: skip
        r = rates.dsr(x, n, std, multiplier=multiplier, conf_level=conf, method="dobson")
        got = pd.DataFrame({"v": r.estimate, "lo": r.lower, "hi": r.upper}, index=areas)
        for area in ("testdata_big", "testdata_small"):
            close(got.loc[area, "v"], exp.loc[area, "value"])
            close(got.loc[area, "lo"], exp.loc[area, lo_col])
            close(got.loc[area, "hi"], exp.loc[area, hi_col])
    totals = table.drop_duplicates("area").set_index("area")
    close(r.events, totals.loc[areas, "total_count"])
    flags = dict(zip(areas, apply_policy(load_policy("phe-dsr"), r.to_frame()), strict=True))
    assert flags == {"testdata_big": "", "testdata_small": "", "testdata_tiny": "PHEx"}
    assert np.isnan(totals.loc["testdata_tiny", "value"])
    assert set(r.method) == {"dobson-byar", "dobson-garwood"}


def test_dobson_dsr_matches_phe_esp1976():
    d = fixture("phe_testdata_1976.csv")
    exp = fixture("phe_testresults_DSR.csv")
    exp = exp[(exp["area"] == "testdata_1976") & (exp["statistic"] == "dsr per 100000")].iloc[0]
    r = rates.dsr(d["count"], d["pop"], d["esp1976"], method="dobson")
    close(r.estimate, exp["value"])
    close(r.lower, exp["lower95_0cl"])
    close(r.upper, exp["upper95_0cl"])


def isr_inputs():
    d = fixture("phe_testdata_multiarea_isr.csv").fillna(0)  # PHE drops NA rows from sums
    areas = list(dict.fromkeys(d["area"]))
    ref = d[d["area"] == areas[0]]
    ref_rate = ref["refcount"].sum() / ref["refpop"].sum()
    exp = {a: rates.expected_events(g["pop"], g["refcount"] / g["refpop"].where(g["refpop"] > 0))
           for a, g in d.groupby("area")}  # fmt: skip
    obs = d.groupby("area")["count"].sum()
    return areas, obs.loc[areas].to_numpy(), np.array([exp[a] for a in areas]), ref_rate


@pytest.mark.parametrize(
    ("statistic", "kind", "multiplier"),
    [
        ("indirectly standardised rate per 100000", "rate", 1e5),
        ("indirectly standardised rate per 1000", "rate", 1e3),
        ("indirectly standardised ratio x 1", "ratio", 1),
        ("indirectly standardised ratio x 100", "ratio", 100),
    ],
)
def test_isr_and_isratio_match_phe(statistic, kind, multiplier):
    areas, obs, expct, ref_rate = isr_inputs()
    table = fixture("phe_testresults_ISR.csv")
    table = table[table["statistic"] == statistic].set_index("area").loc[areas]
    close(expct, table["expected"])
    for conf, lo_col, hi_col in [(0.95, "lower95_0cl", "upper95_0cl"),
                                 (0.998, "lower99_8cl", "upper99_8cl")]:  # fmt: skip
        if kind == "rate":
            r = rates.indirect_rate(obs, expct, ref_rate, multiplier=multiplier, conf_level=conf)
            close(ref_rate * multiplier, table["ref_rate"].iloc[0])
        else:
            r = rates.standardised_ratio(obs, expct, multiplier=multiplier, conf_level=conf)
        close(r.estimate, table["value"])
        close(r.lower, table[lo_col])
        close(r.upper, table[hi_col])
    expected_method = table["method"].map({"Byars": "byar", "Exact": "garwood"})
    assert list(r.method) == list(expected_method)


# --- Wilson score interval of registry proportions (PHE phe_proportion) ---------------------


@pytest.mark.parametrize("conf", [0.95, 0.998])
def test_wilson_proportion_matches_prop_test(conf):
    from mhindicators.registry.proportions import wilson_proportion

    g = golden("wilson.csv")
    g = g[np.isclose(g["conf_level"], conf)]
    res = wilson_proportion(g["x"].to_numpy(float), g["n"].to_numpy(float), conf)
    close(res.estimate, g["x"] / g["n"])
    close(res.lower, g["lower"])
    close(res.upper, g["upper"])
