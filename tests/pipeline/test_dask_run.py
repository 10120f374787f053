"""A survey dataset's Parquet partitions on a Dask cluster of 2 worker processes give the
single-process results at 1e-12 (docs/scale.md)."""

from __future__ import annotations

import pytest
from stream_helpers import assert_same_results, write_project

from mhindicators.errors import MhiError
from mhindicators.pipeline.compute import compute
from mhindicators.pipeline.dask_run import partitions
from mhindicators.project import load_project

distributed = pytest.importorskip("distributed")  # the `dask` extra (in `test`)


@pytest.fixture(scope="module")
def scheduler():
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        yield cluster.scheduler_address


@pytest.mark.parametrize("path", ["nhs.parquet", "hive"])
def test_taylor_partitions_on_two_workers_give_the_single_process_results(
    survey_root, scheduler, path
) -> None:
    project = load_project(write_project(survey_root, path, "nhs.profile.yaml"))
    assert len(partitions(survey_root / path, 2000)) >= 4
    assert_same_results(compute(project), compute(project, batch_rows=2000, scheduler=scheduler))


def test_replicate_partitions_on_two_workers(acs_root, scheduler) -> None:
    project = load_project(write_project(acs_root, "acs.parquet", "acs.profile.yaml"))
    assert_same_results(compute(project), compute(project, batch_rows=500, scheduler=scheduler))


def test_project_file_names_the_scheduler(survey_root, scheduler) -> None:
    extra = f"compute: {{scheduler: '{scheduler}', batch_rows: 3000}}\n"
    project = load_project(write_project(survey_root, "nhs.parquet", "nhs.profile.yaml", extra))
    assert project.model.compute.scheduler == scheduler
    single = load_project(write_project(survey_root, "nhs.parquet", "nhs.profile.yaml"))
    assert_same_results(compute(single), compute(project))


def test_unreachable_scheduler_is_a_coded_usage_error(survey_root, monkeypatch) -> None:
    monkeypatch.setattr("mhindicators.pipeline.dask_run.CONNECT_TIMEOUT", "1s")
    project = load_project(write_project(survey_root, "nhs.parquet", "nhs.profile.yaml"))
    with pytest.raises(MhiError) as err:
        compute(project, scheduler="tcp://127.0.0.1:9")
    assert err.value.exit_code == 2
    assert [i.code for i in err.value.issues] == ["MHI912"]


def test_missing_dask_is_a_coded_usage_error(survey_root, monkeypatch) -> None:
    monkeypatch.setitem(__import__("sys").modules, "distributed", None)  # import fails
    project = load_project(write_project(survey_root, "nhs.parquet", "nhs.profile.yaml"))
    with pytest.raises(MhiError) as err:
        compute(project, scheduler="local")
    assert [i.code for i in err.value.issues] == ["MHI911"]
