"""Semantic diff: normalised expressions, typed changes, catalogue diffs, `mhi diff` exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mhindicators.cli.main import app
from mhindicators.definitions import load_catalog
from mhindicators.expr.canonical import same_expression
from mhindicators.harmonization.diff import diff_catalogs, diff_indicators, diff_pair

ROOT = Path(__file__).resolve().parents[2]
DEFS = ROOT / "indicator_defs"
VARIANT = ROOT / "tests" / "fixtures" / "variants" / "eu_unmet_medical_need_mar.yaml"
runner = CliRunner()


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("age >= 18", "18 <= age"),
        ("age >= 18", "age >= 18.0"),
        ("age >= 18 and sex == 'female'", "sex == 'female' and (18 <= age)"),
        ('x in ["a", "b"]', 'x in ["b", "a", "a"]'),
        ('x in ["a"]', 'x == "a"'),
        ("not not has_health_insurance", "has_health_insurance"),
        ("not (age < 18)", "age >= 18"),
        ("age between 15 and 49", "age >= 15 and age <= 49"),
        ("a == b", "b == a"),
        ("x or y", "y or x"),
        ("not x in [1, 2]", "x not in [2, 1]"),
    ],
)
def test_equivalent_expressions_are_equal(a: str, b: str) -> None:
    assert same_expression(a, b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("age >= 18", "age > 18"),
        ("age > 17", "age >= 18"),  # equal on integers, but not normalised (documented)
        ("age >= 18", "age >= 16"),
        ('x in ["a", "b"]', 'x in ["a"]'),
        ("a - b > 0", "b - a > 0"),
    ],
)
def test_different_expressions_differ(a: str, b: str) -> None:
    assert not same_expression(a, b)


def _with(ind, **changes):
    return ind.model_copy(update=changes)


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(DEFS)


def _kinds(a, b) -> dict[str, str]:
    return {c.field: c.kind for c in diff_indicators(a, b)}


def test_change_kinds(catalog) -> None:
    base = catalog.get("eu_unmet_medical_need")
    assert _kinds(base, base) == {}
    assert _kinds(base, _with(base, universe="16 <= age")) == {}
    assert _kinds(base, _with(base, universe="age >= 15")) == {"universe": "age_range"}
    assert _kinds(base, _with(base, universe="age >= 16 and urbanisation == 'urban'")) == {
        "universe": "population_coverage"
    }
    assert _kinds(base, _with(base, universe="age >= 16 and nativity == 'foreign_born'")) == {
        "universe": "migratory_status_basis"
    }
    assert _kinds(base, _with(base, age_groups=[(16, 29), (30, 64), (65, None)])) == {
        "age_groups": "disaggregation"
    }
    assert _kinds(base, _with(base, age_groups=[(16, 44), (45, 74)])) == {"age_groups": "age_range"}
    assert _kinds(base, _with(base, ci_method="wilson", missing="as_false")) == {
        "ci_method": "method",
        "missing": "method",
    }
    assert _kinds(base, _with(base, unit="proportion")) == {"unit": "unit"}
    assert _kinds(base, _with(base, disaggregate_by=["migratory_status", "sex"])) == {
        "disaggregate_by": "disaggregation"
    }
    assert _kinds(base, _with(base, numerator="unmet_medical_need == true")) == {
        "numerator": "outcome_definition"
    }


def test_threshold_change_between_sdg_382_indicators(catalog) -> None:
    changes = diff_indicators(catalog.get("sdg_3_8_2_che_10"), catalog.get("sdg_3_8_2_che_25"))
    semantic = {c.field: c.kind for c in changes if c.kind != "metadata"}
    assert semantic == {"numerator": "threshold"}


def test_variant_against_base_carries_declared_deviations() -> None:
    catalog = load_catalog([DEFS, VARIANT.parent])
    result = diff_pair(
        catalog.get("eu_unmet_medical_need"), catalog.get("eu_unmet_medical_need_mar")
    )
    assert result.variant == "eu_unmet_medical_need_mar"
    semantic = {c.field: c.kind for c in result.changes if c.kind != "metadata"}
    assert semantic == {
        "universe": "age_range",
        "age_groups": "age_range",
        "disaggregate_by": "migratory_status_basis",
        "reference_group": "migratory_status_basis",
    }
    for change in result.changes:
        if change.kind != "metadata":
            assert [d.kind for d in result.declared(change)] == [change.kind]


def test_catalog_diff_added_removed_changed(tmp_path: Path) -> None:
    new = tmp_path / "new"
    shutil.copytree(DEFS, new)
    (new / "access_to_care" / "hs_health_coverage.yaml").unlink()
    path = new / "access_to_care" / "eu_unmet_medical_need.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("ci_method: logit", "ci_method: beta"))
    shutil.copy(DEFS / "access_to_care" / "eu_unmet_dental_need.yaml", new / "extra.yaml")
    text = (new / "extra.yaml").read_text(encoding="utf-8")
    (new / "extra.yaml").write_text(text.replace("id: eu_unmet_dental_need", "id: extra"))
    result = diff_catalogs(load_catalog(DEFS), load_catalog(new))
    assert result.added == ["extra"]
    assert result.removed == ["hs_health_coverage"]
    assert list(result.changed) == ["eu_unmet_medical_need"]
    (change,) = result.changed["eu_unmet_medical_need"].changes
    assert (change.field, change.kind, change.old, change.new) == (
        "ci_method",
        "method",
        "logit",
        "beta",
    )
    assert diff_catalogs(load_catalog(DEFS), load_catalog(DEFS)).same
    cli = runner.invoke(app, ["diff", str(DEFS), str(new), "-f", "json"])
    assert cli.exit_code == 1
    data = json.loads(cli.stdout)
    assert data["diff"] == "catalog" and data["added"] == ["extra"]
    assert list(data["changed"]) == ["eu_unmet_medical_need"]
    text = runner.invoke(app, ["diff", str(DEFS), str(new)]).stdout
    assert "+ extra (only in B)" in text and "- hs_health_coverage (only in A)" in text


def test_cli_exit_codes_and_formats(tmp_path: Path) -> None:
    base = str(DEFS / "access_to_care" / "eu_unmet_medical_need.yaml")
    same = runner.invoke(app, ["diff", base, base])
    assert same.exit_code == 0 and "no differences" in same.stdout
    differ = runner.invoke(app, ["diff", str(VARIANT), "--defs", str(DEFS), "-f", "json"])
    assert differ.exit_code == 1, differ.output
    data = json.loads(differ.stdout)
    assert data["variant"] == "eu_unmet_medical_need_mar"
    assert {"field", "kind", "old", "new", "sentence", "declared"} <= set(data["changes"][0])
    md = runner.invoke(app, ["diff", str(VARIANT), "--defs", str(DEFS), "-f", "markdown"])
    assert md.exit_code == 1
    assert "| field | kind | A | B | declared deviation | note |" in md.stdout
    ids = runner.invoke(app, ["diff", "sdg_3_8_2_che_10", "sdg_3_8_2_che_25", "--defs", str(DEFS)])
    assert ids.exit_code == 1 and "[threshold]" in ids.stdout
    folders = runner.invoke(app, ["diff", str(DEFS), str(DEFS)])
    assert folders.exit_code == 0
    for args, code in [
        ([str(DEFS), base], "MHI500"),
        ([base, "--defs", str(DEFS)], "MHI500"),
        (["no_such_thing", "--defs", str(DEFS)], "MHI501"),
        (["diff-me", "-f", "xml"], ""),
    ]:
        result = runner.invoke(app, ["diff", *args])
        assert result.exit_code == 2, (args, result.output)
        assert code in result.output
        assert "Traceback" not in result.output


def test_cli_refuses_invalid_side_with_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: bad\n", encoding="utf-8")
    good = str(DEFS / "access_to_care" / "eu_unmet_medical_need.yaml")
    result = runner.invoke(app, ["diff", good, str(bad)])
    assert result.exit_code == 2
    assert "MHI502" in result.output and "MHI112" in result.output


def test_show_renders_variant_beside_its_base() -> None:
    args = ["show", "eu_unmet_medical_need_mar", "--defs", str(DEFS), "--defs", str(VARIANT.parent)]
    result = runner.invoke(app, args, env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Deviations from eu_unmet_medical_need v1.0.0" in out
    assert "variant of" in out and "MAR" in out
    for text in ("universe", "age >= 16", "15 <= age", "age range", "recall", "(data)"):
        assert text in out
    table = out[out.index("Deviations from") :]
    assert max(len(line) for line in table.splitlines()) <= 80
    plain = runner.invoke(app, ["show", "eu_unmet_medical_need", "--defs", str(DEFS)])
    assert "Deviations from" not in plain.stdout


def test_docs_variant_examples_validate_and_cover_every_kind(tmp_path: Path) -> None:
    """Every ```yaml variant block in docs/harmonization.md resolves cleanly against the
    shipped catalogue, and every deviation kind has an example."""
    import re
    from typing import get_args

    from mhindicators.definitions import check_paths
    from mhindicators.definitions.model import DeviationKind
    from mhindicators.yamlsource import parse_yaml

    page = (ROOT / "docs" / "harmonization.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml variant\n(.*?)```", page, re.S)
    assert len(blocks) >= 8
    kinds = set()
    for block in blocks:
        data = parse_yaml(block).data
        (tmp_path / f"{data['id']}.yaml").write_text(block, encoding="utf-8")
        kinds |= {d["kind"] for d in data["deviations"]}
    catalog, report = check_paths([DEFS, tmp_path])
    assert not report.issues, [i.format_text() for i in report.issues]
    assert len(catalog) == len(load_catalog(DEFS)) + len(blocks)
    assert kinds == set(get_args(DeviationKind))
    for kind in get_args(DeviationKind):
        assert f"| `{kind}` |" in page


def test_two_variants_of_one_base_show_each_sides_declarations(tmp_path: Path) -> None:
    base = "extends: {id: eu_unmet_medical_need, version: 1.0.0}\n"
    (tmp_path / "unmet_esp.yaml").write_text(
        "id: unmet_esp\nversion: 1.0.0\n" + base + "country: ESP\n"
        'universe: "age >= 15"\n'
        "deviations: [{kind: age_range, fields: [universe], note: Ages 15+.}]\n",
        encoding="utf-8",
    )
    (tmp_path / "unmet_swe.yaml").write_text(
        "id: unmet_swe\nversion: 1.0.0\n" + base + "country: SWE\n"
        "deviations: [{kind: reference_period, note: Pooled 2022-2023.}]\n",
        encoding="utf-8",
    )
    catalog = load_catalog([DEFS, tmp_path])
    result = diff_pair(catalog.get("unmet_esp"), catalog.get("unmet_swe"))
    assert result.variant is None
    fields = {c.field: c for c in result.changes}
    assert set(fields) == {"country", "universe", "deviations"}
    assert fields["universe"].kind == "age_range"
    assert [d.kind for d in result.declared_on(fields["universe"], "a")] == ["age_range"]
    assert result.declared_on(fields["universe"], "b") == []
    args = ["diff", "unmet_esp", "unmet_swe", "--defs", str(DEFS), "--defs", str(tmp_path)]
    text = runner.invoke(app, args).stdout
    assert "A declared: age_range: Ages 15+." in text
    assert "B declared, no definition field: reference_period: Pooled 2022-2023." in text
    md = runner.invoke(app, [*args, "-f", "markdown"]).stdout
    assert "| declared by A | declared by B |" in md
    # the same fields with other declared deviations still differ
    same_fields = diff_pair(catalog.get("unmet_swe"), catalog.get("eu_unmet_medical_need"))
    assert same_fields.variant == "unmet_swe"
    assert [c.field for c in same_fields.changes] == ["country"]


def test_docs_kind_table_matches_the_validator() -> None:
    from mhindicators.definitions.variants import ANY_FIELD, KIND_FIELDS

    page = (ROOT / "docs" / "harmonization.md").read_text(encoding="utf-8")
    for kind, fields in KIND_FIELDS.items():
        row = next(line for line in page.splitlines() if line.startswith(f"| `{kind}` |"))
        documented = row.rstrip(" |").rsplit("|", 1)[1].strip()
        expected = "any" if fields == ANY_FIELD else ", ".join(fields)
        assert documented == expected, kind
