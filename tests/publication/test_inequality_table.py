"""`mhi compute` on the repository's mhi.yaml writes the inequality table with sensible statuses."""

from __future__ import annotations

import json

import numpy as np
import openpyxl
import pandas as pd
import pytest

from mhindicators.core.inequality_measures import MEASURES
from mhindicators.results import INEQUALITY_COLUMNS

STATUSES = {"ok", "clamped", "no-interval", "not-applicable"}


@pytest.fixture(scope="module")
def ineq(sample_out) -> pd.DataFrame:
    return pd.read_parquet(sample_out / "inequality.parquet")


def test_columns_are_the_documented_ones(ineq):
    dims = [c for c in ineq.columns if c not in INEQUALITY_COLUMNS]
    assert set(dims) <= {"sex", "age_group", "nativity", "citizenship_status"}, dims
    lead = INEQUALITY_COLUMNS[: INEQUALITY_COLUMNS.index("dimension") + 1]
    assert list(ineq.columns[: len(lead)]) == lead
    assert list(ineq.columns[len(lead) + len(dims) :]) == INEQUALITY_COLUMNS[len(lead) :]


def test_every_measure_is_a_row_of_every_set(ineq):
    assert set(ineq["status"]) <= STATUSES
    keys = [c for c in ineq.columns if c not in INEQUALITY_COLUMNS] + ["dataset", "indicator_id"]
    sizes = ineq.fillna({k: "" for k in keys}).groupby(keys, dropna=False)["measure"]
    assert (sizes.apply(lambda m: sorted(m) == sorted(MEASURES))).all()
    na = ineq[ineq["status"] == "not-applicable"]
    assert (na["reason"] != "").all() and na["estimate"].isna().all()
    ok = ineq[ineq["status"] == "ok"]
    assert (ok["reason"] == "").all()
    assert np.isfinite(ok[["estimate", "se", "ci_lower", "ci_upper"]].to_numpy()).all()
    assert (ok["ci_lower"] <= ok["estimate"]).all() and (ok["estimate"] <= ok["ci_upper"]).all()


def overall(ineq, indicator):
    rows = ineq[ineq["indicator_id"] == indicator]
    for dim in ("sex", "age_group"):
        if dim in rows:
            rows = rows[rows[dim].isin(["_T", None])]
    return rows.set_index("measure")


def test_survey_indicator_with_four_groups_has_every_measure(ineq):
    m = overall(ineq, "hs_health_coverage")
    assert (m["status"] == "ok").all(), m[["status", "reason"]]
    assert (m["n_groups"] == 4).all()  # native/foreign-born x citizen/non-citizen; not unknown
    assert m.loc["D", "reference_group"] == "native_born_citizen"
    assert m.loc["D", "favourable"] == "higher"
    assert m.loc["D", "estimate"] < 0 and 0 < m.loc["R", "estimate"] < 1
    assert m.loc["BGSD", "estimate"] == pytest.approx(np.sqrt(m.loc["BGV", "estimate"]))


def test_two_groups_leave_out_the_measures_needing_more(ineq):
    m = overall(ineq, "mort_asmr_by_cob")  # nativity: native-born vs foreign-born
    assert (m["dimension"] == "nativity").all()
    assert set(m.index[m["status"] == "ok"]) == {"D", "R"}
    assert (m.loc[["PAF", "PAR"], "status"] == "clamped").all()  # lower favourable, ref worse
    many = [k for k in MEASURES if k not in ("D", "R", "PAF", "PAR")]
    assert (m.loc[many, "reason"] == "needs more than 2 groups with an estimate").all()


def test_no_direction_is_not_guessed(ineq):
    m = overall(ineq, "fp_oop_spending_median")
    assert (m["favourable"] == "").all()
    for k in ("PAF", "PAR", "MDBU", "MDBW"):
        assert m.loc[k, "status"] == "not-applicable"
        assert "favourable" in m.loc[k, "reason"]
    assert m.loc["D", "status"] in ("ok", "no-interval")


def test_registry_rates_use_independent_groups(ineq):
    m = overall(ineq, "sdg_3_3_2_tb_notification_rate")
    assert m.loc["D", "status"] == "ok" and m.loc["D", "ci_lower"] < m.loc["D", "ci_upper"]


def test_csv_and_datapackage(sample_out, ineq):
    csv = pd.read_csv(sample_out / "inequality.csv", keep_default_na=False, na_values=[""])
    assert list(csv.columns) == list(ineq.columns)
    both = np.isfinite(ineq["estimate"].to_numpy())
    assert np.allclose(csv["estimate"].to_numpy(float)[both], ineq["estimate"][both], atol=6e-7)
    package = json.loads((sample_out / "datapackage.json").read_text())
    res = {r["name"]: r for r in package["resources"]}["inequality"]
    fields = {f["name"]: f for f in res["schema"]["fields"]}
    assert fields["estimate"]["type"] == "number"
    assert "HEAT" in fields["measure"]["description"]
    # openpyxl directly: pandas 3.1 reads workbooks only with openpyxl >= 3.1.5, above our floor
    sheet = openpyxl.load_workbook(sample_out / "results.xlsx", read_only=True)["inequality"]
    header, *rows = sheet.iter_rows(values_only=True)
    assert list(header) == list(ineq.columns)
    assert len(rows) == len(ineq)
