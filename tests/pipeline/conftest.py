"""Fixtures of the streaming and Dask tests (see stream_helpers.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from stream_helpers import ACS_DEFINITIONS, ACS_PROFILE, DEFINITIONS, ROOT, SURVEY, write_defs


@pytest.fixture(scope="session")
def survey_root(tmp_path_factory) -> Path:
    """The sample survey shuffled, as CSV, Parquet (row groups of 1000) and a hive folder."""
    root = tmp_path_factory.mktemp("stream")
    frame = pd.read_csv(SURVEY / "nhs_2024.csv").sample(frac=1.0, random_state=7)
    frame.to_csv(root / "nhs.csv", index=False)
    frame.to_parquet(root / "nhs.parquet", row_group_size=1000, index=False)
    frame.to_parquet(root / "hive", partition_cols=["ZONA"], row_group_size=900, index=False)
    shutil.copy(SURVEY / "nhs_2024.profile.yaml", root / "nhs.profile.yaml")
    write_defs(root / "defs", DEFINITIONS)
    return root


@pytest.fixture(scope="session")
def acs_root(tmp_path_factory) -> Path:
    """The ACS subsample (80 successive-difference replicates), shuffled: CSV.gz and Parquet."""
    root = tmp_path_factory.mktemp("acs_stream")
    frame = pd.read_csv(ROOT / "tests" / "fixtures" / "survey" / "acs_sub.csv.gz")
    frame = frame.sample(frac=1.0, random_state=3)
    frame.to_csv(root / "acs.csv.gz", index=False)
    frame.to_parquet(root / "acs.parquet", row_group_size=400, index=False)
    (root / "acs.profile.yaml").write_text(ACS_PROFILE, encoding="utf-8")
    write_defs(root / "defs", ACS_DEFINITIONS)
    return root
