"""The multi-country example (examples/multi_country/) end to end: national estimates against
R (tests/reference/multi_country_goldens.R), cross-country quantities against hand formulas
(tests/reference/multi_country_hand.py), and the shape of the stacked tables."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from mhindicators.cli.main import app
from mhindicators.outputs.writers import read_provenance
from mhindicators.pipeline.compute import compute
from mhindicators.project import load_project

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "multi_country"
GOLDEN = ROOT / "tests" / "golden" / "multi_country"
runner = CliRunner()


def _hand():
    spec = importlib.util.spec_from_file_location(
        "multi_country_hand", ROOT / "tests" / "reference" / "multi_country_hand.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _golden(name: str) -> pd.DataFrame:
    path = GOLDEN / name
    assert path.exists(), (
        f"missing golden {path}: run Rscript tests/reference/multi_country_goldens.R"
    )
    return pd.read_csv(path, keep_default_na=False, na_values=["NA"])


@pytest.fixture(scope="module")
def result():
    return compute(load_project(EXAMPLE / "mhi.yaml"))


def test_example_computes_with_one_command(tmp_path) -> None:
    out = tmp_path / "out"
    res = runner.invoke(app, ["compute", "-p", str(EXAMPLE / "mhi.yaml"), "-o", str(out), "-q"])
    assert res.exit_code == 0, res.output
    for name in ("stacked", "comparison", "gap_differences", "aggregates"):
        assert (out / f"{name}.csv").exists() and (out / f"{name}.parquet").exists()
    assert read_provenance(out / "stacked.parquet")["project.root"] == "../.."


def test_stacked_keys_are_unique_and_coded(result) -> None:
    st = result.tables["stacked"]
    dims = [d for d in result.dimensions if d in st.columns]
    keys = ["country", "period", "reference_indicator_id", "variant_id", *dims]
    assert not st.duplicated(keys).any()
    assert set(st["country"]) == {"ESP", "MAR", "SWE"}
    assert set(st["nature"]) == {"C"}
    codes = st.drop_duplicates(["country", "indicator_id"]).set_index(["country", "indicator_id"])
    assert codes.loc[("ESP", "eu_unmet_medical_need"), "comparability"] == "R"
    mar = codes.loc[("MAR", "eu_unmet_medical_need_mar")]
    assert mar["comparability"] == "V:age_range+migratory_status_basis+recall_period;B"
    assert (mar["reference_indicator_id"], mar["variant_id"]) == (
        "eu_unmet_medical_need",
        "eu_unmet_medical_need_mar",
    )
    assert (mar["migratory_basis"], mar["migratory_dimension"]) == (
        "citizenship",
        "citizenship_status",
    )
    swe = codes.loc[("SWE", "mort_asmr_by_cob_swe")]
    assert swe["comparability"] == "V:disaggregation+reference_period;B"
    assert swe["migratory_basis"] == "country_of_birth+parents_country_of_birth"
    assert codes.loc[("SWE", "sdg_3_4_2_suicide_rate_swe"), "comparability"] == (
        "V:age_range+reference_period"
    )
    mort = st[st["indicator_id"] == "mort_asmr_by_cob"]
    assert set(mort["migratory_basis"]) == {"country_of_birth"}
    assert set(mort["migratory_dimension"]) == {"nativity"}
    assert set(mort["period"]) == {"2022-2024"}
    spb = st[st["indicator_id"] == "eu_self_perceived_health_bad"]
    assert set(spb["migratory_basis"]) == {"country_of_birth+citizenship"}
    assert set(spb["period"]) == {"2024"}


def _swe(result, ident, dim, group, sex="_T"):
    st = result.tables["stacked"]
    rows = st[
        (st["country"] == "SWE")
        & (st["indicator_id"] == ident)
        & (st[dim] == group)
        & (st["sex"] == sex)
        & (st["age_group"] == "_T")
    ]
    assert len(rows) == 1, (ident, group, sex)
    return rows.iloc[0]


def test_sweden_national_estimates_match_r(result) -> None:
    gold = _golden("swe.csv")
    con = result.tables["comparison"]
    for row in gold.itertuples():
        dim = "nativity" if row.indicator_id == "mort_asmr_by_cob" else "migratory_status"
        got = _swe(result, row.indicator_id, dim, row.group, row.sex)
        for col in ("estimate", "se", "ci_lower", "ci_upper"):
            assert got[col] == pytest.approx(getattr(row, col), rel=1e-9), (row, col)
        assert got["weighted_denominator"] == row.population
        if not np.isnan(row.difference) and row.sex == "_T":
            c = con[
                (con["country"] == "SWE")
                & (con["indicator_id"] == row.indicator_id)
                & (con["group"] == row.group)
            ]
            assert c["difference"].iloc[0] == pytest.approx(row.difference, rel=1e-9)
            assert c["difference_se"].iloc[0] == pytest.approx(row.difference_se, rel=1e-9)


def test_morocco_national_estimates_match_r(tmp_path) -> None:
    """The SPSS file with 80 calibrated bootstrap replicates, by citizenship (the MAR
    variants resolved, as standalone definitions), against R survey."""
    shutil.copytree(ROOT / "tests" / "fixtures" / "multi_country" / "mar_defs", tmp_path / "defs")
    for name in ("ehm_2024.sav", "ehm_2024.profile.yaml"):
        shutil.copy(EXAMPLE / "mar" / name, tmp_path / name)
    (tmp_path / "mhi.yaml").write_text(
        "definitions: [defs]\n"
        "datasets:\n  - {id: mar, path: ehm_2024.sav, profile: ehm_2024.profile.yaml}\n"
    )
    res = compute(load_project(tmp_path / "mhi.yaml"))
    est = res.estimates
    est = est[(est["sex"] == "_T") & (est["age_group"] == "_T")]
    gold = _golden("mar_estimates.csv")
    for row in gold.itertuples():
        got = est[
            (est["indicator_id"] == row.indicator_id)
            & (est["citizenship_status"] == row.citizenship_status)
        ].iloc[0]
        assert got["migratory_basis"] == "citizenship"
        assert got["estimate"] == pytest.approx(row.estimate, rel=1e-9)
        assert got["se"] == pytest.approx(row.se, rel=1e-9)
        assert got["df"] == row.df
        assert got["n_unweighted"] == row.n_unweighted
        # svyciprop(logit) stops its IRLS at a 1e-8 relative deviance change
        assert got["ci_lower"] == pytest.approx(row.ci_lower, rel=1e-6, abs=1e-9)
        assert got["ci_upper"] == pytest.approx(row.ci_upper, rel=1e-6)
    con = res.contrasts
    con = con[(con["sex"] == "_T") & (con["age_group"] == "_T")]
    for row in _golden("mar_contrasts.csv").itertuples():
        got = con[(con["indicator_id"] == row.indicator_id) & (con["group"] == row.group)]
        assert got["difference"].iloc[0] == pytest.approx(row.difference, rel=1e-9)
        assert got["difference_se"].iloc[0] == pytest.approx(row.difference_se, rel=1e-9)


def test_moroccan_variants_in_the_example_match_r(result) -> None:
    """The example's MAR rows come from the national variants; R computed the same
    definitions (tests/fixtures/multi_country/mar_defs) on the same file."""
    st, con = result.tables["stacked"], result.tables["comparison"]
    st = st[(st["country"] == "MAR") & (st["sex"] == "_T") & (st["age_group"] == "_T")]
    variant = {
        "mar_unmet_medical_need": "eu_unmet_medical_need_mar",
        "mar_self_perceived_health_bad": "eu_self_perceived_health_bad_mar",
        "mar_health_coverage": "hs_health_coverage_mar",
    }
    for row in _golden("mar_estimates.csv").itertuples():
        got = st[
            (st["variant_id"] == variant[row.indicator_id])
            & (st["migratory_group"] == row.citizenship_status)
        ].iloc[0]
        assert got["estimate"] == pytest.approx(row.estimate, rel=1e-9)
        assert got["se"] == pytest.approx(row.se, rel=1e-9)
    for row in _golden("mar_contrasts.csv").itertuples():
        got = con[(con["variant_id"] == variant[row.indicator_id]) & (con["group"] == row.group)]
        assert got["difference_se"].iloc[0] == pytest.approx(row.difference_se, rel=1e-9)
        assert not got["comparable"].iloc[0]


def test_gap_differences_follow_the_hand_formula(result) -> None:
    hand = _hand()
    con, gaps = result.tables["comparison"], result.tables["gap_differences"]
    row = gaps[
        (gaps["reference_indicator_id"] == "mort_asmr_by_cob") & (gaps["group"] == "foreign_born")
    ].iloc[0]
    assert (row["country_a"], row["country_b"]) == ("ESP", "SWE")
    a, b = (
        con[
            (con["country"] == c)
            & (con["indicator_id"] == "mort_asmr_by_cob")
            & (con["group"] == "foreign_born")
        ].iloc[0]
        for c in ("ESP", "SWE")
    )
    want = hand.gap_difference(
        a["difference"],
        a["difference_se"],
        b["difference"],
        b["difference_se"],
        hand.normal_quantile(0.95),
    )
    got = [
        row[c]
        for c in (
            "gap_difference",
            "gap_difference_se",
            "gap_difference_ci_lower",
            "gap_difference_ci_upper",
        )
    ]
    np.testing.assert_allclose(got, want, rtol=1e-12)
    assert bool(row["comparable"])


def test_aggregates_follow_the_hand_formula(result) -> None:
    hand = _hand()
    st, agg = result.tables["stacked"], result.tables["aggregates"]
    for group in ("native_born", "foreign_born"):
        members = []
        for country in ("ESP", "SWE"):
            r = st[
                (st["country"] == country)
                & (st["indicator_id"] == "mort_asmr_by_cob")
                & (st["nativity"] == group)
                & (st["sex"] == "_T")
            ].iloc[0]
            members.append((r["weighted_denominator"], r["estimate"], r["se"]))
        got = agg[
            (agg["reference_indicator_id"] == "mort_asmr_by_cob")
            & (agg["migratory_group"] == group)
        ].iloc[0]
        np.testing.assert_allclose(
            [got["estimate"], got["se"], got["ci_lower"], got["ci_upper"]],
            hand.aggregate(members),
            rtol=1e-12,
        )
        assert got["members"] == "ESP;SWE"
        assert got["missing_members"] == "MAR" and got["flags"] == "MHI546"
    refused = agg[
        (agg["reference_indicator_id"] == "eu_unmet_medical_need")
        & (agg["migratory_group"] == "foreign_citizen")
    ].iloc[0]
    assert refused["status"] == "MHI545" and np.isnan(refused["estimate"])
    assert refused["reasons"].startswith("MAR: V:age_range")


def test_matrix_of_the_example(tmp_path) -> None:
    args = ["matrix", "-p", str(EXAMPLE / "mhi.yaml")]
    res = runner.invoke(app, [*args, "-f", "csv"])
    assert res.exit_code == 0, res.output
    from io import StringIO

    table = pd.read_csv(StringIO(res.stdout), keep_default_na=False)
    cell = table[(table["reference_indicator_id"] == "mort_asmr_by_cob")]
    assert list(zip(cell["country"], cell["status"], cell["variant_id"], strict=True)) == [
        ("ESP", "reference", ""),
        ("MAR", "not_computable", ""),
        ("SWE", "reference", ""),
        ("SWE", "variant", "mort_asmr_by_cob_swe"),
    ]
    mar = table[
        (table["reference_indicator_id"] == "eu_unmet_medical_need") & (table["country"] == "MAR")
    ].iloc[0]
    assert (mar["status"], mar["deviations"]) == (
        "variant",
        "age_range+migratory_status_basis+recall_period",
    )
    res = runner.invoke(app, [*args, "-f", "csv", "--all"])
    table = pd.read_csv(StringIO(res.stdout), keep_default_na=False)
    mar = table[
        (table["reference_indicator_id"] == "eu_self_perceived_health_good")
        & (table["country"] == "MAR")
    ].iloc[0]
    assert mar["status"] == "not_computable"
    assert "no country_of_birth basis; migrants identified by citizenship" in mar["reason"]
    res = runner.invoke(app, [*args, "-f", "json"])
    assert res.exit_code == 0 and '"reference_indicator_id"' in res.stdout
    res = runner.invoke(app, args)
    assert res.exit_code == 0 and "Harmonization matrix" in res.stdout


@pytest.mark.parametrize(
    ("ident", "dim", "group", "reference", "countries"),
    [
        ("mort_asmr_by_cob", "nativity", "foreign_born", "native_born", ("ESP", "SWE")),
        (
            "sdg_3_4_2_suicide_rate",
            "migratory_status",
            "foreign_born_noncitizen",
            "native_born_citizen",
            ("ESP", "SWE"),
        ),
        (
            "eu_unmet_medical_need",
            "migratory_status",
            "foreign_born_noncitizen",
            "native_born_citizen",
            ("ESP",),
        ),
    ],
)
def test_aggregate_gaps_follow_the_hand_formula(result, ident, dim, group, reference, countries):
    hand = _hand()
    st, con, agg = (result.tables[k] for k in ("stacked", "comparison", "aggregates"))
    st = st[(st["indicator_id"] == ident) & (st["sex"] == "_T") & (st["age_group"] == "_T")]
    members = []
    for country in countries:
        g, r = (
            st[(st["country"] == country) & (st[dim] == lv)].iloc[0] for lv in (group, reference)
        )
        c = con[
            (con["country"] == country) & (con["indicator_id"] == ident) & (con["group"] == group)
        ].iloc[0]
        members.append(
            (
                g["weighted_denominator"],
                g["estimate"],
                g["se"],
                r["weighted_denominator"],
                r["estimate"],
                r["se"],
                c["difference_se"],
            )
        )
    got = agg[
        (agg["reference_indicator_id"] == ident)
        & (agg["migratory_group"] == group)
        & (agg["migratory_dimension"] == dim)
    ].iloc[0]
    assert got["reference_group"] == reference
    np.testing.assert_allclose(
        [
            got[c]
            for c in ("difference", "difference_se", "difference_ci_lower", "difference_ci_upper")
        ],
        hand.aggregate_gap(members),
        rtol=1e-10,
    )
