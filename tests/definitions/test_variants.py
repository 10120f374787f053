"""National variants: resolution against the base, located errors, the harmonization helpers."""

from __future__ import annotations

from pathlib import Path

import pytest

from mhindicators.definitions import check_paths, load_catalog
from mhindicators.errors import DefinitionError
from mhindicators.harmonization.variants import deviation_kinds, reference_id

ROOT = Path(__file__).resolve().parents[2]
DEFS = ROOT / "indicator_defs"
VARIANTS = ROOT / "tests" / "fixtures" / "variants"
BASE = """\
id: var_base
version: 1.0.0
name: Test indicator
description: A test indicator used by the error-case tests.
framework:
  pillar: monitoring
  references: [{citation: "Test citation 2024"}]
source: survey
estimator: proportion
universe: "age >= 18"
numerator: "has_health_insurance"
unit: percent
age_groups: [[18, null]]
"""


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_variant_resolves_to_base_plus_overrides() -> None:
    catalog = load_catalog([DEFS, VARIANTS])
    base = catalog.get("eu_unmet_medical_need")
    mar = catalog.get("eu_unmet_medical_need_mar")
    assert mar.universe == "15 <= age"
    assert mar.age_groups == [(15, 44), (45, 64), (65, None)]
    assert mar.numerator == base.numerator  # inherited
    assert mar.ci_method == base.ci_method == "logit"
    assert mar.country == "MAR" and base.country is None
    assert mar.extends is not None and mar.extends.id == base.id
    assert mar.extends.version == base.version
    assert [d.kind for d in mar.deviations] == [
        "age_range",
        "migratory_status_basis",
        "recall_period",
    ]
    assert base.extends is None and base.deviations == []
    assert reference_id(mar) == reference_id(base) == "eu_unmet_medical_need"
    assert deviation_kinds(mar) == ("age_range", "migratory_status_basis", "recall_period")
    assert deviation_kinds(base) == ()


def test_variant_alone_reports_missing_base_and_loads_nothing() -> None:
    catalog, report = check_paths([VARIANTS])
    assert len(catalog) == 0
    assert [i.code for i in report.errors] == ["MHI150"]
    with pytest.raises(DefinitionError):
        load_catalog([VARIANTS])


def test_bad_expression_in_override_is_located_in_the_variant(tmp_path: Path) -> None:
    _write(tmp_path, "var_base", BASE)
    _write(
        tmp_path,
        "var_case",
        "id: var_case\nversion: 1.0.0\nextends: {id: var_base, version: 1.0.0}\n"
        'universe: "agee >= 15"\n'
        "deviations: [{kind: age_range, fields: [universe], note: Ages 15+.}]\n",
    )
    _, report = check_paths([tmp_path])
    found = [(Path(i.file).name, i.line, i.col, i.code) for i in report.errors]
    assert found == [("var_case.yaml", 4, 12, "MHI202")]


def test_error_in_inherited_field_points_at_base(tmp_path: Path) -> None:
    # the base is valid for proportion; the variant switches to mean, which needs `value`
    # and must not have a numerator: the numerator was inherited, so MHI115 points at the
    # variant's `estimator:` and nothing is loaded.
    _write(tmp_path, "var_base", BASE)
    _write(
        tmp_path,
        "var_case",
        "id: var_case\nversion: 1.0.0\nextends: {id: var_base, version: 1.0.0}\n"
        "estimator: mean\n"
        "deviations: [{kind: estimator, fields: [estimator], note: Mean.}]\n",
    )
    catalog, report = check_paths([tmp_path])
    assert "var_case" not in catalog
    found = [(Path(i.file).name, i.line, i.code) for i in report.errors]
    assert found == [("var_case.yaml", 4, "MHI115")]


def test_overridden_bad_value_is_located_in_the_variant(tmp_path: Path) -> None:
    _write(tmp_path, "var_base", BASE)
    _write(
        tmp_path,
        "var_case",
        "id: var_case\nversion: 1.0.0\nextends: {id: var_base, version: 1.0.0}\n"
        "disaggregate_by: [migratory_status, sexx]\n"
        "deviations: [{kind: disaggregation, fields: [disaggregate_by], note: No age.}]\n",
    )
    _, report = check_paths([tmp_path])
    found = [(Path(i.file).name, i.line, i.col, i.code) for i in report.errors]
    assert found == [("var_case.yaml", 4, 37, "MHI133")]


def test_inherited_value_broken_by_an_override_is_located_in_the_base(tmp_path: Path) -> None:
    # the base contrasts migratory groups; the variant drops migratory_status from the
    # dimensions, so the inherited reference_group (line 14 of the base) no longer fits
    _write(
        tmp_path, "var_base", BASE + "reference_group: {migratory_status: native_born_citizen}\n"
    )
    _write(
        tmp_path,
        "var_case",
        "id: var_case\nversion: 1.0.0\nextends: {id: var_base, version: 1.0.0}\n"
        "disaggregate_by: [citizenship_status, sex]\n"
        "deviations: [{kind: migratory_status_basis, fields: [disaggregate_by],"
        " note: Citizenship.}]\n",
    )
    catalog, report = check_paths([tmp_path])
    found = [(Path(i.file).name, i.line, i.col, i.code) for i in report.errors]
    assert found == [("var_base.yaml", 14, 19, "MHI134")]
    assert "var_case" not in catalog and "var_base" in catalog


def test_unknown_deviation_kind_and_field_are_schema_errors(tmp_path: Path) -> None:
    _write(tmp_path, "var_base", BASE)
    _write(
        tmp_path,
        "var_case",
        "id: var_case\nversion: 1.0.0\nextends: {id: var_base, version: 1.0.0}\n"
        'universe: "age >= 15"\n'
        "deviations:\n"
        "  - {kind: age_limit, fields: [universe], note: Ages 15+.}\n"
        "  - {kind: age_range, fields: [id], note: Ages 15+.}\n",
    )
    _, report = check_paths([tmp_path])
    found = sorted((i.line, i.code) for i in report.errors)
    assert found == [(6, "MHI114"), (7, "MHI114")]


def test_variant_may_restate_descriptive_fields_without_a_deviation(tmp_path: Path) -> None:
    _write(tmp_path, "var_base", BASE)
    _write(
        tmp_path,
        "var_case",
        "id: var_case\nversion: 1.0.0\nextends: {id: var_base, version: 1.0.0}\n"
        "name: Test indicator, national variant\nnotes: National survey.\n",
    )
    catalog, report = check_paths([tmp_path])
    assert report.ok, report.issues
    assert catalog.get("var_case").name == "Test indicator, national variant"


def test_json_schema_accepts_partial_variants_only_with_extends() -> None:
    from mhindicators.definitions.jsonschema import definition_schema

    schema = definition_schema()
    assert "required" not in schema
    assert schema["if"] == {"required": ["extends"]}
    assert schema["then"] == {"required": ["id", "version", "extends"]}
    assert {"id", "name", "framework", "estimator", "unit"} <= set(schema["else"]["required"])
    assert {"extends", "country", "deviations"} <= set(schema["properties"])
    kinds = schema["$defs"]["Deviation"]["properties"]["kind"]["enum"]
    assert "age_range" in kinds and "migratory_status_basis" in kinds


def test_variant_of_a_broken_base_names_the_base(tmp_path: Path) -> None:
    _write(tmp_path, "var_base", BASE.replace("unit: percent", "unit: percentage"))
    _write(
        tmp_path,
        "var_case",
        "id: var_case\nversion: 1.0.0\nextends: {id: var_base, version: 1.0.0}\n"
        'universe: "age >= 15"\n'
        "deviations: [{kind: age_range, fields: [universe], note: Ages 15+.}]\n",
    )
    catalog, report = check_paths([tmp_path])
    found = sorted((Path(i.file).name, i.code) for i in report.errors)
    assert found == [("var_base.yaml", "MHI114"), ("var_case.yaml", "MHI150")]
    assert "has errors" in next(i.message for i in report.errors if i.code == "MHI150")
    assert len(catalog) == 0


def test_show_lists_the_national_variants_of_a_reference() -> None:
    from typer.testing import CliRunner

    from mhindicators.cli.main import app

    args = ["show", "eu_unmet_medical_need", "--defs", str(DEFS), "--defs", str(VARIANTS)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0
    assert "national variants" in result.stdout
    assert "eu_unmet_medical_need_mar" in result.stdout


def test_reordered_dimensions_repeat_the_base(tmp_path: Path) -> None:
    _write(tmp_path, "var_base", BASE + "disaggregate_by: [migratory_status, sex]\n")
    _write(
        tmp_path,
        "var_case",
        "id: var_case\nversion: 1.0.0\nextends: {id: var_base, version: 1.0.0}\n"
        "disaggregate_by: [sex, migratory_status]\n"
        "deviations: [{kind: disaggregation, fields: [disaggregate_by], note: Order.}]\n",
    )
    _, report = check_paths([tmp_path])
    assert [(i.code, i.line) for i in report.errors] == [("MHI157", 4)]
