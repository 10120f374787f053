"""`mhi profile draft`: a profile skeleton that loads, with suggestions marked for review."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from mhindicators.cli.main import app
from mhindicators.profiles.loader import load_profile
from mhindicators.profiles.scan import scan_file

ROOT = Path(__file__).resolve().parents[2]
SURVEY = ROOT / "sample_data" / "survey"
runner = CliRunner()


def draft(data: Path, out: Path, *args: str):
    return runner.invoke(app, ["profile", "draft", str(data), "-o", str(out), *args])


def test_draft_of_the_sample_survey_loads_and_agrees_with_the_hand_profile(tmp_path) -> None:
    out = tmp_path / "draft.yaml"
    result = draft(SURVEY / "nhs_2024.csv", out, "--country", "ESP")
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "# REVIEW:" in text and "#   SEGURO_SALUD: integer, 4 distinct; top 1 (9,292)" in text
    assert runner.invoke(app, ["validate", "--strict", str(out)]).exit_code == 0
    drafted = load_profile(out).profile
    hand = load_profile(SURVEY / "nhs_2024.profile.yaml").profile
    # every suggested mapping is the one the sample's authors wrote by hand
    assert drafted.columns.items() <= hand.columns.items()
    assert {"sex", "age", "country_of_birth", "citizenship", "year_of_arrival"} <= set(
        drafted.columns
    )
    assert (drafted.design.weight, drafted.design.strata, drafted.design.psu) == (
        hand.design.weight, hand.design.strata, hand.design.psu,
    )  # fmt: skip
    assert drafted.code_tables["country_of_birth"] == "m49_to_iso3"
    assert drafted.missing_codes["year_of_arrival"] == [9999]
    assert drafted.metadata.country == "ESP" and drafted.metadata.year == 2024


def test_existing_file_is_kept_unless_forced(tmp_path) -> None:
    out = tmp_path / "draft.yaml"
    out.write_text("mine\n")
    result = draft(SURVEY / "nhs_2024.csv", out)
    assert result.exit_code == 2 and "MHI528" in result.output
    assert out.read_text() == "mine\n"
    assert draft(SURVEY / "nhs_2024.csv", out, "--force").exit_code == 0
    assert "country: XXX  # REVIEW" in out.read_text()
    assert list(tmp_path.iterdir()) == [out]  # no temporary file left beside it


def test_bad_options_are_usage_errors(tmp_path) -> None:
    csv = SURVEY / "nhs_2024.csv"
    assert draft(csv, tmp_path / "a.yaml", "--country", "Spain").exit_code == 2
    assert draft(csv, tmp_path / "a.yaml", "--kind", "census").exit_code == 2
    assert draft(tmp_path / "none.csv", tmp_path / "a.yaml").exit_code == 2
    assert not list(tmp_path.iterdir())


def test_scan_reads_a_bounded_number_of_rows() -> None:
    scan = scan_file(SURVEY / "nhs_2024.csv", max_rows=1000)
    assert scan.rows_read == 1000 and not scan.complete
    sex = next(c for c in scan.columns if c.name == "SEXO")
    head = pd.read_csv(SURVEY / "nhs_2024.csv", nrows=1000, dtype=str)["SEXO"].value_counts()
    assert sex.counts.to_dict() == head.to_dict()


@pytest.fixture
def sav(tmp_path: Path) -> Path:
    """A small Swedish-style SPSS file with variable and value labels."""
    import pyreadstat

    frame = pd.DataFrame(
        {
            "kon": [1, 2, 2, 1, 2, 1],
            "alder": [34, 51, 999, 20, 67, 45],
            "fodland": ["SE", "IQ", "SY", "SE", "SE", "NA"],
            "q17": [1, 2, 1, 9, 1, 1],
            "q3": [1, 2, 5, 3, 4, 2],
            "vikt": [120.5, 98.0, 101.2, 87.3, 110.0, 95.5],
        }
    )
    path = tmp_path / "ulf_2023.sav"
    pyreadstat.write_sav(
        frame,
        str(path),
        column_labels=[
            "Kön",
            "Ålder",
            "Födelseland",
            "Has health insurance",
            "Self-perceived health",
            "Vikt",
        ],
        variable_value_labels={
            "kon": {1: "Man", 2: "Kvinna"},
            "alder": {999: "Vet ej"},
            "q17": {1: "Yes", 2: "No", 9: "Don't know"},
            "q3": {1: "Very good", 2: "Good", 3: "Fair", 4: "Bad", 5: "Very bad"},
        },
    )
    return path


def test_draft_of_a_labelled_spss_file(sav: Path, tmp_path: Path) -> None:
    out = tmp_path / "ulf.yaml"
    assert draft(sav, out, "--country", "SWE").exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert "labels 1 = Man, 2 = Kvinna" in text
    prof = load_profile(out).profile
    assert prof.columns == {
        "sex": "kon",
        "age": "alder",
        "country_of_birth": "fodland",
        "has_health_insurance": "q17",
        "self_perceived_health": "q3",
    }
    assert prof.recode["sex"] == {1: "M", 2: "F"}
    assert prof.recode["has_health_insurance"] == {1: True, 2: False, 9: None}
    assert prof.recode["self_perceived_health"] == {
        1: "very_good", 2: "good", 3: "fair", 4: "bad", 5: "very_bad",
    }  # fmt: skip
    assert prof.code_tables == {"country_of_birth": "iso2_to_iso3"}
    assert prof.missing_codes == {"age": [999]}
    assert prof.design.weight == "vikt" and prof.metadata.year == 2023
    # the reviewed draft maps every value of the file (Namibia's 'NA' is a code, not missing)
    result = runner.invoke(app, ["profile", "check", str(sav), "--profile", str(out)])
    assert result.exit_code == 0, result.output


def test_draft_of_a_parquet_register_loads(tmp_path: Path) -> None:
    out = tmp_path / "deaths.yaml"
    data = ROOT / "sample_data" / "registry" / "deaths.parquet"
    result = draft(data, out, "--kind", "events", "--country", "ESP", "--rows", "500")
    assert result.exit_code == 0, result.output
    assert "500 rows read, the first rows only" in out.read_text()
    prof = load_profile(out).profile
    assert prof.kind == "events" and prof.design is None
    hand = load_profile(ROOT / "sample_data" / "registry" / "deaths.profile.yaml").profile
    assert prof.columns.items() <= hand.columns.items() and prof.columns
    # a register declares what its records are: guessed from the file name, marked for review
    assert prof.event_types == ["death"] == hand.event_types
    assert "event_types: [death]  # REVIEW:" in out.read_text()


def test_semicolon_latin1_csv(tmp_path: Path) -> None:
    frame = pd.read_csv(SURVEY / "nhs_2024.csv", dtype=str, keep_default_na=False, nrows=300)
    frame = frame[["SEXO", "EDAD", "PAIS_NAC", "FACTOR"]].rename(
        columns={"PAIS_NAC": "País de nacimiento"}
    )
    data = tmp_path / "enc_2022.csv"
    frame.to_csv(data, sep=";", index=False, encoding="latin-1")
    result = draft(data, tmp_path / "a.yaml")
    assert result.exit_code == 1 and "MHI310" in result.output and "--encoding" in result.output
    assert not (tmp_path / "a.yaml").exists()
    assert draft(data, tmp_path / "a.yaml", "--encoding", "latin-1").exit_code == 0
    prof = load_profile(tmp_path / "a.yaml").profile
    assert (prof.format.delimiter, prof.format.encoding) == (";", "latin-1")
    assert prof.columns["country_of_birth"] == "País de nacimiento"
    assert prof.design.weight == "FACTOR" and prof.metadata.year == 2022


def test_design_columns_by_their_usual_names() -> None:
    from mhindicators.profiles.draft import design_column
    from mhindicators.profiles.scan import ColumnScan

    cols = [ColumnScan(n) for n in ("SEQN", "WTINT2YR", "WTMEC2YR", "SDMVSTRA", "SDMVPSU")]
    assert [design_column(cols, r) for r in ("weight", "strata", "psu")] == [
        "WTINT2YR", "SDMVSTRA", "SDMVPSU",
    ]  # fmt: skip
    cols = [ColumnScan(n) for n in ("ID", "FACTOR_HOGAR", "ESTRATO", "UPM")]
    assert [design_column(cols, r) for r in ("weight", "strata", "psu")] == [
        "FACTOR_HOGAR", "ESTRATO", "UPM",
    ]  # fmt: skip
    assert design_column([ColumnScan("EDAD")], "weight") is None
