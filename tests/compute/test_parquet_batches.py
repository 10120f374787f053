"""Wide Parquet extracts are read and harmonised a few variables at a time."""

from __future__ import annotations

import pandas as pd
import pytest

from mhindicators.errors import MhiError
from mhindicators.pipeline import datasets
from mhindicators.pipeline.compute import compute
from mhindicators.project import load_project

SURVEY_ONLY = (
    "definitions: [indicator_defs]\n"
    "datasets: [{{id: survey, path: {path}, profile: survey.profile.yaml}}]\n"
)


def _parquet_copy(scratch, change=None) -> None:
    frame = pd.read_csv(scratch.root / "survey.csv")
    if change is not None:
        frame = change(frame)
    frame.to_parquet(scratch.root / "survey.parquet", row_group_size=2500)


def _run(scratch, path: str, monkeypatch, batch: int):
    monkeypatch.setattr(datasets, "BATCH_VARIABLES", batch)
    project = scratch.root / "mhi.yaml"
    project.write_text(SURVEY_ONLY.format(path=path), encoding="utf-8")
    return compute(load_project(project))


def test_batched_parquet_gives_the_csv_results(scratch, monkeypatch) -> None:
    _parquet_copy(scratch)
    from_csv = _run(scratch, "survey.csv", monkeypatch, batch=8)
    batched = _run(scratch, "survey.parquet", monkeypatch, batch=3)
    assert len(batched.estimates) == len(from_csv.estimates) > 0
    pd.testing.assert_frame_equal(
        batched.estimates.reset_index(drop=True),
        from_csv.estimates.reset_index(drop=True),
        check_exact=False,
        rtol=1e-12,
    )


def test_problems_of_every_batch_are_reported_together(scratch, monkeypatch) -> None:
    def corrupt(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[0, "SEXO"] = 7  # sex: not in the recode
        frame.loc[1, "PAIS_NAC"] = 555  # country of birth: not in the recode
        return frame

    _parquet_copy(scratch, corrupt)
    with pytest.raises(MhiError) as err:
        _run(scratch, "survey.parquet", monkeypatch, batch=2)
    text = " ".join(i.message for i in err.value.issues)
    assert "sex" in text and "country_of_birth" in text
