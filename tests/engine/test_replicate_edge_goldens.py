"""Replicate-weight edge cases against tests/reference/replicate_edge_goldens.R (R `survey`).

JKn with a one-PSU (certainty) stratum: its replicate has rscale 0, and R's `svrVar` centres
on the mean of the replicates with rscales > 0 (mse = FALSE) or on the full-sample estimate
(mse = TRUE). Every golden file must exist: a missing one fails, never skips.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mhindicators.core import intervals as ci
from mhindicators.core.design import ReplicateSpec, SurveyDesign
from mhindicators.core.replicates import replicate_thetas
from mhindicators.core.stats import Column, accumulate
from mhindicators.survey.estimate import estimate_domains

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "golden" / "survey"
FIX = ROOT / "fixtures" / "survey"
RTOL, ATOL = 1e-9, 1e-13
CASES = ["jkn_lonely", "jkn_lonely_mse"]


def _gold(name: str) -> Path:
    path = GOLD / name
    if not path.exists():
        pytest.fail(
            f"golden file missing: {path} (run Rscript tests/reference/replicate_edge_goldens.R)"
        )
    return path


@cache
def cases() -> dict:
    return json.loads(_gold("replicate_edge_cases.json").read_text())


@cache
def golden(name: str) -> pd.DataFrame:
    return pd.read_csv(_gold(name), na_values=["NA"], keep_default_na=False)


@cache
def design_and_data(cid: str) -> tuple[SurveyDesign, pd.DataFrame]:
    spec = cases()[cid]
    df = pd.read_csv(FIX / spec["fixture"])
    rep = spec["replicates"]
    replicates = ReplicateSpec(
        weights=pd.read_csv(FIX / rep["file"]).to_numpy(float),
        type=rep["type"],
        scale=float(rep["scale"]),
        rscales=np.array([float(v) for v in rep["rscales"]]),
        mse=bool(rep["mse"]),
    )
    return SurveyDesign(df[spec["design"]["weights"]].to_numpy(float), replicates=replicates), df


def domain_matrix(df: pd.DataFrame, dims: list, labels: list) -> tuple[np.ndarray, int, np.ndarray]:
    """Cell codes over `dims` and a 0-1 (domain x cell) matrix for labels 'a=x;b=_T'."""
    per = [pd.factorize(df[d].astype(str), sort=True) for d in dims]
    sizes = [len(u) for _, u in per]
    cell = np.zeros(len(df), dtype=np.int64)
    for (c, _), size in zip(per, sizes, strict=True):
        cell = cell * size + c
    grid = np.stack(np.unravel_index(np.arange(int(np.prod(sizes))), sizes), axis=1)
    dmat = np.zeros((len(labels), grid.shape[0]))
    for i, label in enumerate(labels):
        want = dict(part.split("=", 1) for part in label.split(";"))
        ok = np.ones(grid.shape[0], dtype=bool)
        for k, (d, (_, u)) in enumerate(zip(dims, per, strict=True)):
            if want[d] != "_T":
                ok &= grid[:, k] == list(u).index(want[d])
        dmat[i, ok] = 1
    return cell, grid.shape[0], dmat


def estimates(cid: str, name: str, labels: list):
    design, df = design_and_data(cid)
    spec = cases()[cid]
    ind = next(i for i in spec["indicators"] if i["name"] == name)
    column = Column(
        y=df[ind["y"]].to_numpy(float),
        x=df[ind["x"]].to_numpy(float) if ind.get("x") else None,
        universe=(df[ind["universe"]] == 1).to_numpy() if ind.get("universe") else None,
    )
    cell, n_cells, dmat = domain_matrix(df, spec["dims"], labels)
    stats = accumulate(design, cell, n_cells, [column])
    return estimate_domains(stats, dmat, estimator=ind["estimator"]), stats, dmat


def close(ours, gold) -> np.ndarray:
    ours, gold = np.asarray(ours, float), np.asarray(gold, float)
    return np.abs(ours - gold) <= ATOL + RTOL * np.abs(gold)


@pytest.mark.parametrize(
    "name", ["replicate_edge_cases.json", "replicate_edge.csv", "replicate_edge_ci.csv"]
)
def test_golden_file_present(name):
    assert _gold(name).stat().st_size > 0


def test_case_has_one_zero_rscale():
    for cid in CASES:
        rs = np.array([float(v) for v in cases()[cid]["replicates"]["rscales"]])
        assert (rs == 0).sum() == 1 and (rs == 0.5).sum() == rs.size - 1


@pytest.mark.parametrize("cid", CASES)
@pytest.mark.parametrize("name", ["hi_chol", "chol_total", "female_per_chol", "female"])
def test_jkn_one_psu_stratum_matches_r(cid, name):
    gd = golden("replicate_edge.csv")
    g = gd[(gd.case == cid) & (gd.indicator == name)]
    assert len(g) == 15
    est = estimates(cid, name, list(g.domain))[0]
    for col, ours in (("estimate", est.estimate), ("se", est.se), ("df", est.df), ("n", est.n)):
        ok = close(ours, g[col].to_numpy(float))
        assert ok.all(), f"{col} {list(g.domain[~ok])}: {ours[~ok]} vs {g[col][~ok].tolist()}"


@pytest.mark.parametrize("cid", CASES)
def test_jkn_one_psu_stratum_proportion_cis_match_r(cid):
    gc = golden("replicate_edge_ci.csv")
    g = gc[gc.case == cid]
    labels = list(dict.fromkeys(g.domain))
    est = estimates(cid, "hi_chol", labels)[0]
    pos = {lab: i for i, lab in enumerate(labels)}
    for method, rows in g.groupby("method"):
        iv = ci.proportion_ci(method, est, level=0.95)
        idx = np.array([pos[d] for d in rows.domain])
        for bound in ("lower", "upper"):
            ours = getattr(iv, bound)[idx]
            ok = close(ours, rows[bound].to_numpy(float))
            assert ok.all(), f"{method} {bound}: {ours[~ok]} vs {rows[bound][~ok].tolist()}"


def test_centring_on_all_replicates_would_miss_r():
    """The golden discriminates: centring on the mean of all 29 replicates (the rscale-0 one
    included) moves some SE by more than the 1e-9 tolerance."""
    g = golden("replicate_edge.csv")
    g = g[(g.case == "jkn_lonely") & (g.indicator == "female")]
    est, stats, dmat = estimates("jkn_lonely", "female", list(g.domain))
    thetas = replicate_thetas(stats, 0, dmat, total=False)
    rs = stats.rep_meta["rscales"]
    wrong = np.sqrt(((thetas - thetas.mean(1, keepdims=True)) ** 2 * rs).sum(1))
    assert not close(wrong, g.se.to_numpy(float)).all()
    assert close(est.se, g.se.to_numpy(float)).all()


AGE_RECODE = '{"(0,19]": Y0T19, "(19,39]": Y20T39, "(39,59]": Y40T59, "(59,Inf]": Y_GE60}'
STANDARD = (
    "band,lower,upper,weight\nY0T19,0,19,30\nY20T39,20,39,25\nY40T59,40,59,25\nY_GE60,60,,20\n"
)
DEFINITIONS = {
    "nh_female": "name: Female share\nestimator: proportion\nnumerator: has_health_insurance\n"
    "ci_method: mean\ndisaggregate_by: [area]\n",
    "nh_chol_std": "name: High cholesterol (age-standardised)\nestimator: proportion\n"
    "numerator: longstanding_illness\nuniverse: unmet_medical_need\n"
    "disaggregate_by: [area]\nage_groups: [[0, 19], [20, 39], [40, 59], [60, null]]\n"
    "standardize: {by: age_group, standard: nh_std}\nreference_group: {area: r1}\n",
}


def run_project(root: Path, cid: str):
    """The case's design declared in a profile (`rscales` with a 0), through `compute`."""
    from mhindicators.pipeline.compute import compute
    from mhindicators.project import load_project

    rep = cases()[cid]["replicates"]
    data = pd.read_csv(FIX / "nhanes_sub.csv")
    weights = pd.read_csv(FIX / rep["file"], dtype=str)  # the %.17g text, unchanged
    pd.concat([data.astype(str), weights], axis=1).to_csv(root / "nh.csv", index=False)
    (root / "nh.profile.yaml").write_text(
        "id: nh\nkind: survey\nmetadata: {country: USA, year: 2004, source: NHANES subsample}\n"
        "columns: {area: grp, has_health_insurance: female, longstanding_illness: chol,\n"
        "  unmet_medical_need: has_chol, age_group: agegrp}\n"
        f"recode: {{age_group: {AGE_RECODE}}}\n"
        "design:\n  weight: WTMEC2YR\n  replicates:\n    pattern: 'rw[0-9]+'\n    type: JKn\n"
        f"    scale: {rep['scale']}\n    rscales: [{', '.join(rep['rscales'])}]\n"
        f"    mse: {str(rep['mse']).lower()}\n",
        encoding="utf-8",
    )
    (root / "std.csv").write_text(STANDARD, encoding="utf-8")
    (root / "defs").mkdir()
    for ident, body in DEFINITIONS.items():
        (root / "defs" / f"{ident}.yaml").write_text(
            f"id: {ident}\nversion: 1.0.0\ndescription: NHANES subsample test indicator.\n"
            "framework: {pillar: monitoring, references: [{citation: NHANES}]}\n"
            f"source: survey\nunit: proportion\n{body}",
            encoding="utf-8",
        )
    (root / "mhi.yaml").write_text(
        "definitions: [defs]\nstandard_populations: {nh_std: std.csv}\n"
        "datasets: [{id: nh, path: nh.csv, profile: nh.profile.yaml}]\n",
        encoding="utf-8",
    )
    return compute(load_project(root / "mhi.yaml"))


def test_profile_with_zero_rscale_matches_r(tmp_path):
    ours = run_project(tmp_path, "jkn_lonely").estimates
    gd = golden("replicate_edge.csv")
    g = gd[(gd.case == "jkn_lonely") & (gd.indicator == "female") & gd.domain.str.endswith("sx=_T")]
    assert len(g) == 5
    for row in g.itertuples():
        area = row.domain.split(";")[0].split("=")[1]
        hit = ours[(ours["indicator_id"] == "nh_female") & (ours["area"] == area)]
        assert len(hit) == 1, row.domain
        for col in ("estimate", "se", "df"):
            assert close(hit[col].item(), getattr(row, col)), (row.domain, col, hit[col].item())


@pytest.mark.parametrize("cid", CASES)
def test_contrasts_of_standardized_estimates_on_replicates_match_r(tmp_path, cid):
    """svystandardize on the replicate design, then svyby(covmat = TRUE) + svycontrast."""
    res = run_project(tmp_path, cid)
    est = res.estimates
    est = est[(est["indicator_id"] == "nh_chol_std") & (est["standardization"] == "nh_std")]
    gs = golden("replicate_edge_std.csv")
    gs = gs[gs.case == cid]
    assert len(gs) == 4
    for row in gs.itertuples():
        hit = est[est["area"] == row.grp]
        assert len(hit) == 1, row.grp
        for col in ("estimate", "se", "df", "ci_lower", "ci_upper"):
            assert close(hit[col].item(), getattr(row, col)), (row.grp, col, hit[col].item())
    con = res.contrasts
    con = con[(con["indicator_id"] == "nh_chol_std") & (con["standardization"] == "nh_std")]
    gc = golden("replicate_edge_std_contrasts.csv")
    gc = gc[gc.case == cid]
    assert len(gc) == 3
    for row in gc.itertuples():
        hit = con[(con["group"] == row.group) & (con["reference"] == row.reference)]
        assert len(hit) == 1, row.group
        for col in (
            "difference",
            "difference_se",
            "difference_ci_lower",
            "difference_ci_upper",
            "ratio",
            "ratio_se",
            "ratio_ci_lower",
            "ratio_ci_upper",
            "df",
        ):
            assert close(hit[col].item(), getattr(row, col)), (row.group, col, hit[col].item())
