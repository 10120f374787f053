"""Survey data read in row batches gives the in-memory results at 1e-12 (docs/scale.md).

Rows are shuffled, so batches cut PSUs and strata; Taylor (stratified cluster design of the
sample survey) and 80 successive-difference replicates (ACS); CSV, Parquet and a hive folder.
"""

from __future__ import annotations

import pytest
from stream_helpers import assert_same_results, write_project

from mhindicators.errors import MhiError
from mhindicators.pipeline import compute as compute_module
from mhindicators.pipeline.compute import compute
from mhindicators.project import load_project


@pytest.mark.parametrize("path", ["nhs.csv", "nhs.parquet", "hive"])
def test_taylor_batches_give_the_in_memory_results(survey_root, path) -> None:
    project = load_project(write_project(survey_root, path, "nhs.profile.yaml"))
    whole = compute(project)
    batched = compute(project, batch_rows=997)
    assert_same_results(whole, batched)
    assert set(whole.estimates["indicator_id"]) == {
        "t_coverage",
        "t_coverage_std",
        "t_budget_share",
        "t_spending_ratio",
        "t_uninsured_total",
        "t_phq_mean",
    }
    assert len(whole.contrasts) > 0
    assert (whole.estimates["standardization"] != "").any()


@pytest.mark.parametrize("path", ["acs.csv.gz", "acs.parquet"])
def test_replicate_batches_give_the_in_memory_results(acs_root, path) -> None:
    project = load_project(write_project(acs_root, path, "acs.profile.yaml"))
    whole = compute(project)
    assert len(whole.contrasts) > 0
    assert_same_results(whole, compute(project, batch_rows=333))


def test_project_file_setting_streams(survey_root, monkeypatch) -> None:
    """`compute: {batch_rows: N}` in the project file reads in batches (not all rows)."""
    seen = []
    import mhindicators.pipeline.stream as stream

    real = stream.survey_batch

    def counting(task, raw):
        seen.append(len(raw))
        return real(task, raw)

    monkeypatch.setattr(stream, "survey_batch", counting)
    monkeypatch.setattr("mhindicators.pipeline.run.survey_batch", counting)
    extra = "compute: {batch_rows: 4000}\n"
    project = load_project(write_project(survey_root, "nhs.parquet", "nhs.profile.yaml", extra))
    compute(project)
    assert max(seen) <= 4000 and len(seen) >= 3


def test_estimator_needing_all_rows_is_refused_with_a_code(survey_root, tmp_path) -> None:
    from stream_helpers import COMMON, write_defs

    write_defs(
        survey_root / "defs_q",
        {
            "t_median": "name: Median\nestimator: quantile\nquantile: 0.5\nunit: number\n"
            "value: phq8_score\ndisaggregate_by: [sex]\n"
        },
    )
    (survey_root / "q.yaml").write_text(
        "definitions: [defs_q]\n"
        "datasets: [{id: s, path: nhs.parquet, profile: nhs.profile.yaml}]\n",
        encoding="utf-8",
    )
    assert COMMON
    project = load_project(survey_root / "q.yaml")
    assert len(compute(project).estimates) > 0  # in memory: fine
    with pytest.raises(MhiError) as err:
        compute(project, batch_rows=1000)
    assert [i.code for i in err.value.issues] == ["MHI381"]
    assert "t_median" in err.value.issues[0].message
    assert err.value.issues[0].file.endswith("t_median.yaml")


def test_memory_error_is_a_coded_message_naming_the_remedy(survey_root, monkeypatch) -> None:
    def no_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(compute_module, "compute_survey", no_memory)
    project = load_project(write_project(survey_root, "nhs.parquet", "nhs.profile.yaml"))
    with pytest.raises(MhiError) as err:
        compute(project)
    assert err.value.exit_code == 1
    (found,) = err.value.issues
    assert found.code == "MHI910"
    assert "9,641 rows x" in found.message and "batch_rows" in found.message
