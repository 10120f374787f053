"""`mhi validate` as linters are: streams, --select/--ignore, explain, github, SARIF, JUnit."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from mhindicators.cli.main import app
from mhindicators.issues import issue

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "tests" / "fixtures" / "sarif" / "sarif-schema-2.1.0.json"
GOOD = ROOT / "indicator_defs" / "access_to_care" / "eu_unmet_dental_need.yaml"
BAD = "id: broken\nversion: 1.0.0\nestimator: not_an_estimator\n"
runner = CliRunner()


@pytest.fixture
def files(tmp_path: Path) -> list[str]:
    (tmp_path / "broken.yaml").write_text(BAD, encoding="utf-8")
    return [str(tmp_path / "broken.yaml"), str(GOOD)]


def test_results_on_stdout_summary_on_stderr(files: list[str]) -> None:
    result = runner.invoke(app, ["validate", *files])
    assert result.exit_code == 1
    assert "broken.yaml:3:12: error MHI114" in result.stdout
    assert "error(s)" not in result.stdout
    assert result.stderr.strip() == "6 error(s), 0 warning(s)"


def test_select_and_ignore(files: list[str]) -> None:
    only = runner.invoke(app, ["validate", "--select", "bad-choice", *files])
    assert only.exit_code == 1 and only.stdout.count(" error ") == 1
    assert "MHI114" in only.stdout
    rest = runner.invoke(app, ["validate", "--ignore", "MHI112,MHI114", *files])
    assert rest.exit_code == 0, rest.output
    assert rest.stderr.strip() == "0 error(s), 0 warning(s)"
    prefix = runner.invoke(app, ["validate", "--select", "MHI11", "--ignore", "MHI114", *files])
    assert prefix.stdout.count(" error MHI112 ") == 5 and "MHI114" not in prefix.stdout
    unknown = runner.invoke(app, ["validate", "--select", "MHI199", *files])
    assert unknown.exit_code == 2 and "MHI907" in unknown.output


def test_explain() -> None:
    result = runner.invoke(app, ["explain", "MHI114"])
    assert result.exit_code == 0
    assert result.stdout.startswith("MHI114 bad-choice (error)\n")
    by_name = runner.invoke(app, ["explain", "bad-choice"])
    assert by_name.stdout == result.stdout
    missing = runner.invoke(app, ["explain", "bad-choise"])
    assert missing.exit_code == 2 and "Did you mean 'bad-choice'" in missing.output


def test_github_properties_escape_colon_and_comma() -> None:
    item = issue("MHI114", "a, b: 100%\nnext", "dir,x/a:b.yaml", 3, 4)
    line = item.format_github()
    assert line.startswith("::error file=dir%2Cx/a%3Ab.yaml,line=3,col=4,title=MHI114 bad-choice::")
    assert line.split("::", 2)[2].startswith("a, b: 100%25%0Anext")


def test_sarif_validates_against_the_2_1_0_schema(files: list[str]) -> None:
    result = runner.invoke(app, ["validate", "--format", "sarif", *files])
    assert result.exit_code == 1
    log = json.loads(result.stdout)
    jsonschema.validate(log, json.loads(SCHEMA.read_text(encoding="utf-8")))
    run = log["runs"][0]
    assert run["tool"]["driver"]["name"] == "mhi"
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["MHI112", "MHI114"]
    last = run["results"][-1]
    assert last["ruleId"] == "MHI114" and last["level"] == "error"
    region = last["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 3, "startColumn": 12}
    clean = runner.invoke(app, ["validate", "--format", "sarif", str(GOOD)])
    assert clean.exit_code == 0
    jsonschema.validate(json.loads(clean.stdout), json.loads(SCHEMA.read_text("utf-8")))


def test_sarif_schema_rejects_a_broken_log() -> None:
    """The vendored schema is strict enough to catch a malformed result."""
    bad = {"version": "2.1.0", "runs": [{"tool": {"driver": {}}, "results": []}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, json.loads(SCHEMA.read_text(encoding="utf-8")))


def test_junit_has_a_case_per_checked_file(files: list[str]) -> None:
    result = runner.invoke(app, ["validate", "--format", "junit", *files])
    assert result.exit_code == 1
    suite = ET.fromstring(result.stdout)
    assert suite.tag == "testsuite" and suite.get("tests") == "2" and suite.get("failures") == "1"
    cases = {Path(c.get("name")).name: c for c in suite.findall("testcase")}
    assert cases[GOOD.name].find("failure") is None
    failure = cases["broken.yaml"].find("failure")
    assert failure is not None and "MHI114" in failure.get("message")
