"""Readers: only the needed columns, Stata/SPSS value labels usable in recodes, clear errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyreadstat
import pytest

from mhindicators.errors import DataError
from mhindicators.profiles.harmonize import harmonize
from mhindicators.profiles.loader import load_profile
from mhindicators.profiles.model import FileFormat
from mhindicators.readers import read_columns, read_table
from mhindicators.vocabulary import default_vocabulary

FRAME = pd.DataFrame({"SEXO": [1.0, 2.0, 2.0], "EDAD": [30.0, 41.0, 99.0], "OTRO": [0.0, 0.0, 1.0]})
LABELS = {"SEXO": {1.0: "Hombre", 2.0: "Mujer"}}


@pytest.fixture(params=["stata", "spss"])
def labelled(tmp_path: Path, request) -> Path:
    if request.param == "stata":
        path = tmp_path / "x.dta"
        pyreadstat.write_dta(FRAME, str(path), variable_value_labels=LABELS)
    else:
        path = tmp_path / "x.sav"
        pyreadstat.write_sav(FRAME, str(path), variable_value_labels=LABELS)
    return path


def test_reads_only_requested_columns(labelled: Path) -> None:
    fmt = FileFormat()
    assert read_columns(labelled, fmt) == ["SEXO", "EDAD", "OTRO"]
    assert list(read_table(labelled, fmt, ["EDAD"]).columns) == ["EDAD"]


def test_value_labels_recode(labelled: Path, tmp_path: Path) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text(
        "id: labelled\nkind: survey\nmetadata: {country: ESP, year: 2024, source: test file}\n"
        "format: {value_labels: true}\ncolumns: {sex: SEXO, age: EDAD}\n"
        "recode: {sex: {Hombre: M, Mujer: F}}\nmissing_codes: {age: [99]}\n"
        "design: {weight: OTRO}\n",
        encoding="utf-8",
    )
    loaded = load_profile(profile)
    raw = read_table(labelled, loaded.profile.format, ["SEXO", "EDAD"])
    frame = harmonize(raw, loaded, {"sex", "age"}, default_vocabulary())
    assert list(frame["sex"].astype(str)) == ["M", "F", "F"]
    assert frame["age"].isna().tolist() == [False, False, True]


def test_csv_delimiter_and_encoding(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes("NOMBRE;EDAD\nJosé;30\n".encode("latin-1"))
    fmt = FileFormat(delimiter=";", encoding="latin-1")
    assert read_columns(path, fmt) == ["NOMBRE", "EDAD"]
    assert read_table(path, fmt, ["EDAD"])["EDAD"].tolist() == [30]


def test_unreadable_file_is_a_data_error_without_contents(tmp_path: Path) -> None:
    path = tmp_path / "x.parquet"
    path.write_bytes(b"PAR1 secret-value not really parquet")
    with pytest.raises(DataError) as info:
        read_columns(path, FileFormat())
    assert info.value.issues[0].code == "MHI310"
    assert "secret" not in str(info.value.issues[0].message)


def test_unknown_suffix(tmp_path: Path) -> None:
    with pytest.raises(DataError) as info:
        read_columns(tmp_path / "x.xlsx", FileFormat())
    assert info.value.issues[0].code == "MHI312"
