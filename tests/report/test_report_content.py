"""`mhi report`: content, accessibility, offline self-containment and bad input."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pandas as pd
import pytest

from mhindicators.report import build_report, select
from mhindicators.report import page as page_mod
from mhindicators.results import ResultTable
from tests.report.conftest import MULTI, copy_run, inequality_fixture, invoke


def test_report_is_self_contained(sample_report: Path) -> None:
    html = sample_report.read_text(encoding="utf-8")
    assert "<script" not in html and "<link" not in html and "<img" not in html
    assert "@import" not in html and "@font-face" not in html
    assert not re.search(r"url\((?!#)", html)  # only the SVGs' own clip paths
    # hyperlinks only (nothing fetched at view time): anchors and relative docs pages
    for ref in re.findall(r'(?:src|href)="([^"]*)"', html):
        assert ref.startswith(("#", "docs/")), ref
    assert not re.search(r"xlink:href=\"(?!#)", html)


def test_every_plot_has_a_text_alternative(sample_report: Path) -> None:
    html = sample_report.read_text(encoding="utf-8")
    svgs = re.findall(r"<svg\b[^>]*>", html)
    assert len(svgs) >= 30  # one per indicator, plus the gaps
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "ids must be unique within the page"
    for tag in svgs:
        assert 'role="img"' in tag
        for ref in re.search(r'aria-labelledby="([^"]+)"', tag).group(1).split():
            assert f'id="{ref}"' in html
    # each figure is followed by its data as a table
    assert html.count("<figure>") == html.count("Data of this plot as a table") == len(svgs)
    # text kept as text: the labels are <text>, not glyph paths
    assert "<text" in html and "Native-born citizen" in html
    assert "Female · Foreign-born citizen" in html  # --by sex: a block per sex


def test_flags_marked_beyond_colour(sample_report: Path, sample_run: Path) -> None:
    html = sample_report.read_text(encoding="utf-8")
    est = pd.read_parquet(sample_run / "estimates.parquet")
    legend = pd.read_parquet(sample_run / "flags_legend.parquet")
    for flag in legend["flag"]:
        assert f"<td>{flag}</td>" in html  # the legend table lists every flag of the run
    assert "suppressed (Px" in html  # suppressed cells say so, in the plot and its table
    assert "hollow marker" in html and 'class="caution"' in html
    assert (est["action"] == "publish_with_caution").any()


def test_suppressed_cell_has_no_number() -> None:
    est = pd.DataFrame(
        {
            "dataset": "d",
            "indicator_id": "x",
            "migratory_status": ["a", "b", "_T"],
            "sex": "_T",
            "estimate": [12.3456, 45.6789, 20.0],
            "ci_lower": [10.0, 40.0, 18.0],
            "ci_upper": [14.0, 50.0, 22.0],
            "flags": ["", "Px", "Pc"],
            "status": "",
            "action": ["publish", "suppress", "publish_with_caution"],
        }
    )
    rows = select.forest_rows(est, "migratory_status", "a", [], select.Labels(None))
    assert list(rows["label"]) == ["a", "b", "Total"]
    assert list(rows["hidden"]) == [False, True, False]
    assert list(rows["hollow"]) == [False, False, True]
    assert rows["note"].tolist() == ["", "suppressed (Px)", "Pc"]
    from mhindicators.report.sections import _rows_table

    table = _rows_table(rows)
    assert "45.7" not in table and "50" not in table and "suppressed" in table
    assert "12.3" in table


def test_number_format() -> None:
    assert page_mod.number(12.3456) == "12.3"
    assert page_mod.number(0.012345) == "0.0123"
    assert page_mod.number(float("nan")) == ""


def test_without_inequality_table_says_not_computed(sample_run: Path, tmp_path: Path) -> None:
    run = copy_run(sample_run, tmp_path / "run")  # a run written before the inequality table
    for old in run.glob("inequality.*"):
        old.unlink()
    issues: list = []
    out = build_report(run, tmp_path / "r.html", issues=issues, indicators=["anc4_coverage"])
    assert "Inequality measures were not computed in this run" in out.read_text()
    assert [i.code for i in issues if i.code == "MHI958"] == ["MHI958"]


def test_inequality_table_shown_with_left_out_measures(sample_run: Path, tmp_path: Path) -> None:
    run = copy_run(sample_run, tmp_path / "run")
    for real in run.glob("inequality.*"):  # the fixture's made-up rows instead of the run's
        real.unlink()
    inequality_fixture(run).to_csv(run / "inequality.csv", index=False)
    summary = pd.read_parquet(run / "summary.parquet")  # a smaller run: two indicators
    keep = summary["indicator_id"].isin(["hs_health_coverage", "eu_unmet_medical_need"])
    summary[keep].to_parquet(run / "summary.parquet")
    issues: list = []
    html = build_report(run, tmp_path / "r.html", issues=issues).read_text()
    assert "Between-group variance" in html and "Population attributable fraction" in html
    assert "an estimate of 0 in a group (log undefined)" in html
    assert "7,778" not in html  # measures by sex are not the headline
    codes = {i.code for i in issues}
    assert "MHI957" in codes and "MHI958" not in codes
    assert all(i.severity != "error" for i in issues)  # a whole-run report: warnings
    result = invoke(
        ["report", str(run), "-o", str(tmp_path / "one.html"), "-i", "hs_health_coverage"]
    )
    assert result.exit_code == 1, result.output  # asked for it: not applicable is an error
    assert "MHI957" in result.output and (tmp_path / "one.html").is_file()


def test_indicator_without_reference_group(sample_run: Path, tmp_path: Path) -> None:
    run = copy_run(sample_run, tmp_path / "run")
    con = pd.read_parquet(run / "contrasts.parquet")
    con[con["indicator_id"] != "eu_unmet_medical_need"].to_parquet(run / "contrasts.parquet")
    out = tmp_path / "r.html"
    result = invoke(["report", str(run), "-o", str(out), "-i", "eu_unmet_medical_need"])
    assert result.exit_code == 1, result.output
    assert "MHI956" in result.output
    assert "No reference group" in out.read_text()


@pytest.mark.parametrize(
    ("args", "code", "exit_code"),
    [
        (["/nonexistent/run"], "MHI951", 2),
        (["RUN", "-i", "no_such_indicator"], "MHI954", 2),
        (["RUN", "--by", "shoe_size"], "MHI955", 2),
        (["RUN", "--by", "migratory_status"], "MHI955", 2),
        (["RUN", "--plots-dir", "PLOTS", "--plot-format", "gif"], "MHI959", 2),
    ],
)
def test_bad_arguments(sample_run, tmp_path, args, code, exit_code) -> None:
    args = [str(sample_run) if a == "RUN" else str(tmp_path) if a == "PLOTS" else a for a in args]
    result = invoke(["report", *args, "-o", str(tmp_path / "r.html")])
    assert result.exit_code == exit_code, result.output
    assert code in result.output


def test_incomplete_run(sample_run: Path, tmp_path: Path) -> None:
    run = copy_run(sample_run, tmp_path / "run")
    (run / "contrasts.parquet").unlink()
    (run / "contrasts.csv").unlink()
    result = invoke(["report", str(run), "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 1 and "MHI952" in result.output


def test_run_of_another_version(sample_run: Path, tmp_path: Path) -> None:
    run = copy_run(sample_run, tmp_path / "run")
    for f in run.glob("*.parquet"):
        f.unlink()  # provenance then comes from the data package
    package = json.loads((run / "datapackage.json").read_text())
    package["mhi:provenance"]["tool_version"] = "7.3.0"
    (run / "datapackage.json").write_text(json.dumps(package))
    result = invoke(["report", str(run), "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 1, result.output
    assert "MHI953" in result.output and "7.3.0" in result.output
    assert not (tmp_path / "r.html").exists()


def test_csv_only_run_reads_like_parquet(sample_run: Path, tmp_path: Path) -> None:
    run = copy_run(sample_run, tmp_path / "run")
    for f in run.glob("*.parquet"):
        f.unlink()
    some = ["anc4_coverage", "sdg_3_3_2_tb_notification_rate", "tb_notification_asr"]
    a = build_report(sample_run, tmp_path / "a.html", indicators=some).read_text()
    b = build_report(run, tmp_path / "b.html", indicators=some).read_text()
    assert a.count("<svg") == b.count("<svg") and a.count("suppressed") == b.count("suppressed")


def test_plots_written_as_files(sample_run: Path, tmp_path: Path) -> None:
    from PIL import Image

    for fmt in ("svg", "png"):
        plots = tmp_path / fmt
        build_report(
            sample_run,
            tmp_path / "r.html",
            indicators=["hs_health_coverage"],
            plots_dir=plots,
            plot_format=fmt,
        )
        files = sorted(p.name for p in plots.iterdir())
        assert f"forest-hs_health_coverage.{fmt}" in files and len(files) >= 2
    svg = (tmp_path / "svg" / "forest-hs_health_coverage.svg").read_text()
    assert svg.startswith("<?xml") and "<title" in svg
    with Image.open(tmp_path / "png" / "forest-hs_health_coverage.png") as im:
        assert im.size[0] >= 1000


def test_from_a_result_table(sample_run: Path, tmp_path: Path) -> None:
    table = ResultTable(
        estimates=pd.read_parquet(sample_run / "estimates.parquet"),
        contrasts=pd.read_parquet(sample_run / "contrasts.parquet"),
        summary=pd.read_parquet(sample_run / "summary.parquet"),
        provenance={"tool": "mhi", "tool_version": "0.1.0"},
    )
    html = build_report(table, tmp_path / "r.html", indicators=["sdg_3_8_2_che_10"]).read_text()
    assert "computed in memory" in html and html.count("<svg") == 2


def test_multi_country_sections(multi_run: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    result = invoke(["report", str(multi_run), "-o", str(out), "-p", str(MULTI)])
    assert result.exit_code == 0, result.output
    html = out.read_text()
    assert "<title>Migrant-health indicators, three countries" in html  # the project's name
    assert 'id="countries"' in html and 'id="matrix"' in html
    assert "not comparable" in html and "variant: age_range" in html
    assert "countries-per-100-000" in html or "countries-Per-100-000" in html


def test_without_matplotlib(monkeypatch, sample_run: Path, tmp_path: Path) -> None:
    """The page's SVG needs nothing more; PNG files need matplotlib (the `report` extra)."""
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    args = [
        "report",
        str(sample_run),
        "-o",
        str(tmp_path / "r.html"),
        "-i",
        "eu_unmet_medical_need",
    ]
    assert invoke(args).exit_code == 0
    result = invoke([*args, "--plots-dir", str(tmp_path / "p"), "--plot-format", "png"])
    assert result.exit_code == 2
    assert "MHI950" in result.output and "mhindicators[report]" in result.output
    assert not (tmp_path / "p").exists()


def test_the_runs_own_inequality_table_is_shown(sample_run: Path, tmp_path: Path) -> None:
    """The table `mhi compute` writes (with its `compared_group` column) reaches the report."""
    assert (sample_run / "inequality.parquet").is_file() or (
        sample_run / "inequality.csv"
    ).is_file()
    html = build_report(sample_run, tmp_path / "r.html", indicators=["eu_unmet_medical_need"])
    html = html.read_text()
    assert "Between-group variance" in html and "Theil index" in html
    assert "None: every measure was applicable" in html
    assert "no inequality measures for this indicator" not in html.lower()


def test_headline_counts_one_indicator_in_the_singular(sample_run: Path, tmp_path: Path) -> None:
    """'1 indicator', not '1 indicators', in the line under the title."""
    one = build_report(sample_run, tmp_path / "one.html", indicators=["eu_unmet_medical_need"])
    html = one.read_text(encoding="utf-8")
    assert re.search(r"\b1 indicator ·", html) and "1 indicators" not in html
    many = build_report(sample_run, tmp_path / "all.html").read_text(encoding="utf-8")
    assert re.search(r"\b\d\d+ indicators ·", many)
