"""A national variant computes exactly as the same definition written out in full by hand."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from mhindicators.pipeline.compute import compute
from mhindicators.project import load_project

ROOT = Path(__file__).resolve().parents[2]
VARIANT = ROOT / "tests" / "fixtures" / "variants" / "eu_unmet_medical_need_mar.yaml"
BASE = ROOT / "indicator_defs" / "access_to_care" / "eu_unmet_medical_need.yaml"


def _full_by_hand() -> str:
    """The base file with the variant's overrides typed in: the independent reference."""
    text = BASE.read_text(encoding="utf-8")
    for old, new in [
        ("id: eu_unmet_medical_need\n", "id: eu_unmet_medical_need_mar\n"),
        (  # the name is in the outputs (indicator_name) since they carry labels
            "name: Self-reported unmet need for medical examination or treatment (cost, distance "
            "or waiting list), population aged 16 and over\n",
            "name: Unmet need for medical care (cost, distance or waiting list), Morocco, "
            "aged 15 and over\n",
        ),
        ('universe: "age >= 16"', 'universe: "age >= 15"'),
        (
            "age_groups: [[16, 44], [45, 64], [65, null]]",
            "age_groups: [[15, 44], [45, 64], [65, null]]",
        ),
        (
            "disaggregate_by: [migratory_status, sex, age_group]",
            "disaggregate_by: [citizenship_status, sex, age_group]",
        ),
        (
            "reference_group: {migratory_status: native_born_citizen}",
            "reference_group: {citizenship_status: citizen}",
        ),
    ]:
        assert old in text, old
        text = text.replace(old, new)
    return text


def _estimates(scratch, folder: str) -> pd.DataFrame:
    scratch.edit_text(
        "mhi.yaml", "definitions: [indicator_defs]", f"definitions: [indicator_defs, {folder}]"
    )
    scratch.edit_text("mhi.yaml", "eu_unmet_medical_need]", "eu_unmet_medical_need_mar]")
    result = compute(load_project(scratch.root / "mhi.yaml"))
    rows = result.estimates[result.estimates["indicator_id"] == "eu_unmet_medical_need_mar"]
    assert len(rows) > 10
    return rows.reset_index(drop=True)


def test_variant_estimates_equal_the_hand_written_full_definition(scratch, tmp_path) -> None:
    (scratch.root / "national").mkdir()
    shutil.copy(VARIANT, scratch.root / "national" / VARIANT.name)
    from_variant = _estimates(scratch, "national")
    scratch.write_project()
    shutil.rmtree(scratch.root / "national")
    (scratch.root / "full").mkdir()
    (scratch.root / "full" / VARIANT.name).write_text(_full_by_hand(), encoding="utf-8")
    by_hand = _estimates(scratch, "full")
    assert "citizenship_status" in from_variant.columns
    numeric = [c for c in from_variant.columns if pd.api.types.is_numeric_dtype(from_variant[c])]
    keys = [c for c in from_variant.columns if c not in numeric]
    pd.testing.assert_frame_equal(from_variant[keys + numeric], by_hand[keys + numeric])
