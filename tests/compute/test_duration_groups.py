"""Duration-of-residence groups: profile thresholds must make codes the vocabulary has."""

from __future__ import annotations

import pytest

from mhindicators.errors import MhiError
from mhindicators.pipeline.compute import compute
from mhindicators.profiles.loader import load_profile
from mhindicators.project import load_project

DEFAULT = "  duration_thresholds: [5, 10]"


@pytest.mark.parametrize(
    "thresholds, words",
    [("[5, 10, 20]", "10_to_19, ge_20"), ("[10, 5]", "increasing"), ("[0, 5]", "increasing")],
)
def test_thresholds_outside_the_vocabulary_are_located(scratch, thresholds, words) -> None:
    scratch.edit_text("survey.profile.yaml", DEFAULT, f"  duration_thresholds: {thresholds}")
    with pytest.raises(MhiError) as err:
        load_profile(scratch.root / "survey.profile.yaml")
    (problem,) = err.value.issues
    assert problem.code == "MHI308" and words in problem.message
    assert problem.line == scratch.line_of("survey.profile.yaml", "duration_thresholds")


def test_a_project_vocabulary_can_add_the_groups(scratch) -> None:
    scratch.edit_text("survey.profile.yaml", DEFAULT, "  duration_thresholds: [5, 10, 20]")
    (scratch.root / "durations.yaml").write_text(
        "variables:\n"
        "  duration_group:\n"
        "    type: categorical\n"
        "    role: dimension\n"
        "    description: Duration of residence, 4 groups.\n"
        "    codes: {lt_5: '<5', 5_to_9: '5-9', 10_to_19: '10-19', ge_20: '20+', "
        "native_born: Native-born, unknown: Unknown}\n",
        encoding="utf-8",
    )
    definition = scratch.root / "indicator_defs" / "access_to_care" / "hs_health_coverage.yaml"
    text = definition.read_text(encoding="utf-8")
    definition.write_text(
        text.replace(
            "disaggregate_by: [migratory_status, sex, age_group]",
            "disaggregate_by: [migratory_status, duration_group]",
        ),
        encoding="utf-8",
    )
    project = scratch.write_project(extra="vocabulary: [durations.yaml]")
    out = compute(load_project(project), indicators={"hs_health_coverage"}).estimates
    assert {"lt_5", "5_to_9", "10_to_19", "ge_20", "native_born"} <= set(out["duration_group"])
