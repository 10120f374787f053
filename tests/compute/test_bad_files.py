"""Bad data files and profiles that used to pass silently (or fail without a location):
each now stops with a coded, located error, exit 1 and no output."""

from __future__ import annotations

import gzip

import pandas as pd
import pytest

from tests.compute.test_bad_input import assert_fails, run


def _survey(scratch) -> pd.DataFrame:
    return pd.read_csv(scratch.root / "survey.csv", dtype=str, keep_default_na=False)


def test_duplicate_column_names_the_column_and_profile_line(scratch) -> None:
    frame = _survey(scratch)
    header = ",".join([*frame.columns, "EDAD"])
    rows = (frame.assign(extra="0").to_csv(index=False, header=False)).splitlines()
    (scratch.root / "survey.csv").write_text("\n".join([header, *rows]) + "\n")
    line = scratch.line_of("survey.profile.yaml", "  age: ")
    out = assert_fails(scratch, "MHI370", f"survey.profile.yaml:{line}:")
    assert "'EDAD'" in out and f"columns 10, {len(frame.columns) + 1}" in out


@pytest.mark.parametrize("keep", ["header", "nothing"])
def test_file_without_rows(scratch, keep: str) -> None:
    path = scratch.root / "survey.csv"
    path.write_text(path.read_text().splitlines()[0] + "\n" if keep == "header" else "")
    assert_fails(scratch, "MHI375", "survey.csv")


def test_all_weights_zero_points_at_weight(scratch) -> None:
    scratch.edit_csv("survey.csv", lambda f: f.assign(FACTOR="0"))
    line = scratch.line_of("survey.profile.yaml", "  weight: ")
    assert_fails(scratch, "MHI376", f"survey.profile.yaml:{line}:")


def test_infinite_weight_names_the_column(scratch) -> None:
    scratch.edit_csv(
        "survey.csv", lambda f: f.assign(FACTOR=f["FACTOR"].where(f.index != 7, "inf"))
    )
    line = scratch.line_of("survey.profile.yaml", "  weight: ")
    out = assert_fails(scratch, "MHI360", f"survey.profile.yaml:{line}:")
    assert "'FACTOR'" in out and "infinite" in out


def test_infinite_population_names_the_column(scratch) -> None:
    scratch.write_project(survey=False, registry=True)
    scratch.edit_csv(
        "population.csv",
        lambda f: f.assign(POBLACION=f["POBLACION"].where(f.index != 3, "inf")),
    )
    line = scratch.line_of("population.profile.yaml", "  population: ")
    out = assert_fails(scratch, "MHI378", f"population.profile.yaml:{line}:")
    assert "'POBLACION'" in out and "<input>" not in out


@pytest.mark.parametrize(("pattern", "code"), [("REPW[0-9]+", "MHI377"), ("REPW[0-9", "MHI301")])
def test_replicate_pattern_matching_nothing_is_located(scratch, pattern: str, code: str) -> None:
    scratch.edit_text(
        "survey.profile.yaml",
        "  lonely_psu: fail",
        f"  lonely_psu: fail\n  replicates: {{pattern: '{pattern}', type: JK1}}",
    )
    line = scratch.line_of("survey.profile.yaml", "REPW")
    out = assert_fails(scratch, code, f"survey.profile.yaml:{line}:")
    assert "MHI900" not in out


def test_unknown_encoding_points_at_the_profile_line(scratch) -> None:
    scratch.edit_text(
        "survey.profile.yaml", "columns:  #", "format: {encoding: utf-9}\ncolumns:  #"
    )
    line = scratch.line_of("survey.profile.yaml", "utf-9")
    assert_fails(scratch, "MHI373", f"survey.profile.yaml:{line}:")


def _utf16(path) -> None:
    path.write_bytes(path.read_text().encode("utf-16"))


def _utf16_without_mark(path) -> None:
    path.write_bytes(path.read_text().encode("utf-16-le"))


def _latin1(path) -> None:
    lines = path.read_text().splitlines()
    path.write_bytes(
        "\n".join([lines[0].replace("ID_HOGAR", "ID_HOGAR_Ñ"), *lines[1:]]).encode("latin-1")
    )


def _gzip(path) -> None:
    path.write_bytes(gzip.compress(path.read_bytes()))


@pytest.mark.parametrize(
    ("change", "code", "says"),
    [
        (_utf16, "MHI371", "encoding: utf-16"),
        (_utf16_without_mark, "MHI371", "encoding: utf-16"),
        (_latin1, "MHI371", "encoding: latin-1"),
        (_gzip, "MHI372", ".gz"),
    ],
)
def test_encodings_and_compression_are_named(scratch, change, code: str, says: str) -> None:
    change(scratch.root / "survey.csv")
    out = assert_fails(scratch, code, "survey.csv")
    assert says in out and "MHI310" not in out


def test_utf16_file_reads_with_format_encoding(scratch) -> None:
    _utf16(scratch.root / "survey.csv")
    scratch.edit_text(
        "survey.profile.yaml", "columns:  #", "format: {encoding: utf-16}\ncolumns:  #"
    )
    assert run(scratch).exit_code == 0


def test_wrong_delimiter_says_so(scratch) -> None:
    path = scratch.root / "survey.csv"
    _survey(scratch).to_csv(path, index=False, sep=";")
    out = assert_fails(scratch, "MHI374", "survey.profile.yaml:")
    assert 'delimiter: ";"' in out and "another file" not in out
    assert out.count("error") == 2  # one issue (and the summary line), not one per column


def test_lonely_psu_points_at_lonely_psu(scratch) -> None:
    def one_psu(f):
        first = f[f["ESTRATO"] == "1"]["UPM"].iloc[0]
        return f.assign(UPM=f["UPM"].where(f["ESTRATO"] != "1", first))

    scratch.edit_csv("survey.csv", one_psu)
    line = scratch.line_of("survey.profile.yaml", "lonely_psu:")
    assert_fails(scratch, "MHI460", f"survey.profile.yaml:{line}:")


def test_psu_not_nested_points_at_psu(scratch) -> None:
    scratch.edit_csv("survey.csv", lambda f: f.assign(UPM="1"))
    line = scratch.line_of("survey.profile.yaml", "  psu: ")
    assert_fails(scratch, "MHI361", f"survey.profile.yaml:{line}:")


def test_huge_cell_is_never_echoed(scratch) -> None:
    scratch.edit_csv(
        "survey.csv", lambda f: f.assign(SEXO=f["SEXO"].where(f.index != 5, "x" * 1_000_000))
    )
    out = assert_fails(scratch, "MHI313", "survey.profile.yaml:")
    assert len(out) < 2_000 and "1,000,000 characters" in out


def test_nesting_too_deep_in_project_file_gives_the_line(scratch) -> None:
    deep = "[" * 3000 + "]" * 3000
    scratch.write_project(extra=f"notes: {deep}")
    line = scratch.line_of("mhi.yaml", "notes:")
    assert_fails(scratch, "MHI107", f"mhi.yaml:{line}:")


def test_nesting_too_deep_in_profile_gives_the_line(scratch) -> None:
    deep = "[" * 3000 + "1" + "]" * 3000
    scratch.edit_text("survey.profile.yaml", "  reference_year: 2024", f"  reference_year: {deep}")
    line = scratch.line_of("survey.profile.yaml", "reference_year:")
    assert_fails(scratch, "MHI107", f"survey.profile.yaml:{line}:")


def test_expression_over_the_limit_gets_mhi206(scratch) -> None:
    path = next((scratch.root / "indicator_defs").rglob("hs_health_coverage.yaml"))
    long = " or ".join(["age >= 18"] * 300)
    text = path.read_text(encoding="utf-8")
    needle = 'numerator: "has_health_insurance == true"'
    path.write_text(text.replace(needle, f'universe: "{long}"\n{needle}'), encoding="utf-8")
    out = assert_fails(scratch, "MHI206", "hs_health_coverage.yaml:")
    assert "MHI110" not in out


def test_line_100_is_not_an_emoji(capsys) -> None:
    from mhindicators.cli.render import print_report
    from mhindicators.issues import Report, issue

    print_report(Report([issue("MHI375", "no rows", "data.csv", 100, 1)]))
    assert "data.csv:100:1:" in capsys.readouterr().err


def test_duplicate_column_in_parquet(scratch) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(_survey(scratch), preserve_index=False)
    table = table.append_column("EDAD", pa.array(["0"] * table.num_rows))
    pq.write_table(table, scratch.root / "survey.parquet")
    scratch.edit_text("mhi.yaml", "path: survey.csv", "path: survey.parquet")
    line = scratch.line_of("survey.profile.yaml", "  age: ")
    assert_fails(scratch, "MHI370", f"survey.profile.yaml:{line}:")


def test_missing_weight_column_points_at_weight(scratch) -> None:
    scratch.edit_csv("survey.csv", lambda f: f.rename(columns={"FACTOR": "FACTOR_X"}))
    line = scratch.line_of("survey.profile.yaml", "  weight: ")
    out = assert_fails(scratch, "MHI311", f"survey.profile.yaml:{line}:")
    assert "'FACTOR_X'" in out


def test_latin1_byte_deep_in_the_file_is_located(scratch) -> None:
    path = scratch.root / "survey.csv"
    lines = path.read_bytes().split(b"\n")
    cells = lines[5000].split(b",")
    cells[8] += b"\xd1"  # SEXO, a column that is read: an N-tilde in latin-1
    lines[5000] = b",".join(cells)
    path.write_bytes(b"\n".join(lines))
    col = lines[5000].index(b"\xd1") + 1
    out = assert_fails(scratch, "MHI371", f"survey.csv:5001:{col}:")
    assert "0xd1" in out and "encoding: latin-1" in out


def test_latin1_byte_in_a_column_not_read_is_no_error(scratch) -> None:
    # as before: only the columns the indicators need are decoded (ID_HOGAR is not)
    path = scratch.root / "survey.csv"
    lines = path.read_bytes().split(b"\n")
    lines[20] = b"\xd1" + lines[20]
    path.write_bytes(b"\n".join(lines))
    assert run(scratch).exit_code == 0
