"""Built-in code tables: content against an independent list, use in a profile, bad names."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd
import pytest

from mhindicators.errors import ProfileError
from mhindicators.profiles.code_tables import code_table, table_names
from mhindicators.profiles.harmonize import harmonize
from mhindicators.profiles.loader import load_profile
from mhindicators.vocabulary import default_vocabulary

ROOT = Path(__file__).resolve().parents[2]
SURVEY = ROOT / "sample_data" / "survey"
VOCAB_CSV = ROOT / "src" / "mhindicators" / "vocabulary" / "data" / "iso3166_alpha3.csv"
COUNTRY_VARS = ("country_of_birth", "citizenship", "mother_country_of_birth")


def test_tables_agree_with_the_vocabulary_country_list() -> None:
    # the vocabulary's ISO 3166-1 list was committed independently of the generator
    with VOCAB_CSV.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(code_table("m49_to_iso3")) == 249
    for row in rows:
        assert code_table("m49_to_iso3")[int(row["numeric"])] == row["alpha3"]
        assert code_table("m49_to_iso2")[int(row["numeric"])] == row["alpha2"]
        assert code_table("iso2_to_iso3")[row["alpha2"]] == row["alpha3"]
    assert table_names() == ["iso2_to_iso3", "m49_to_iso2", "m49_to_iso3"]
    assert 830 not in code_table("m49_to_iso3")  # Channel Islands: M49 area, no ISO code


def _table_profile(tmp_path: Path, extra: str = "") -> Path:
    """The sample profile with its hand-written country recodes replaced by the table."""
    text = (SURVEY / "nhs_2024.profile.yaml").read_text(encoding="utf-8")
    for var in (*COUNTRY_VARS, "father_country_of_birth"):
        text = re.sub(rf"(?m)^  {var}: \{{.*\}}\n", "", text, count=1)
    text = text.replace(
        "missing_codes:\n",
        "code_tables:\n"
        "  country_of_birth: m49_to_iso3\n"
        "  citizenship: m49_to_iso3\n"
        "  mother_country_of_birth: m49_to_iso3\n"
        "  father_country_of_birth: m49_to_iso3\n" + extra + "missing_codes:\n",
    )
    text = text.replace("recode:  # raw code", "recode:\n  citizenship: {995: XXA}\n  # raw code")
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_table_recode_equals_the_hand_written_recode(tmp_path: Path) -> None:
    vocab = default_vocabulary()
    hand = load_profile(SURVEY / "nhs_2024.profile.yaml", vocab)
    table = load_profile(_table_profile(tmp_path), vocab)
    assert "country_of_birth" not in table.profile.recode
    raw = pd.read_csv(SURVEY / "nhs_2024.csv", dtype=str)
    wanted = {"country_of_birth", "citizenship", "migrant_generation", "migratory_status"}
    expected = harmonize(raw, hand, wanted, vocab)
    got = harmonize(raw, table, wanted, vocab)
    pd.testing.assert_frame_equal(got[sorted(got.columns)], expected[sorted(expected.columns)])
    # 995 (stateless) comes from the explicit recode merged on top of the table
    assert (got["citizenship"] == "XXA").sum() == (raw["NACIONALIDAD"] == "995").sum() > 0


def test_unknown_table_is_located_with_did_you_mean(tmp_path: Path) -> None:
    path = _table_profile(tmp_path)
    path.write_text(
        path.read_text().replace("citizenship: m49_to_iso3", "citizenship: m49_to_iso"),
        encoding="utf-8",
    )
    line = next(
        i for i, t in enumerate(path.read_text().splitlines(), 1) if "m49_to_iso\n" in t + "\n"
    )
    with pytest.raises(ProfileError) as err:
        load_profile(path)
    (item,) = err.value.issues
    assert (item.code, item.line) == ("MHI520", line)
    assert "'m49_to_iso3'" in item.hint


def test_table_with_the_wrong_target_codes(tmp_path: Path) -> None:
    path = _table_profile(tmp_path)
    path.write_text(
        path.read_text().replace("citizenship: m49_to_iso3", "citizenship: m49_to_iso2"),
        encoding="utf-8",
    )
    with pytest.raises(ProfileError) as err:
        load_profile(path)
    assert [i.code for i in err.value.issues] == ["MHI521"]


def test_compute_with_an_unknown_table_writes_nothing(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from mhindicators.cli.main import app

    path = _table_profile(tmp_path)
    path.write_text(path.read_text().replace("citizenship: m49_to_iso3", "citizenship: m49"))
    result = CliRunner().invoke(
        app,
        ["compute", "--data", str(SURVEY / "nhs_2024.csv"), "--profile", str(path),
         "--defs", str(ROOT / "indicator_defs"), "-o", str(tmp_path / "out")],
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert "MHI520" in result.output and "p.yaml:" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "out").exists()


def test_a_value_the_table_lacks_is_located_at_the_table(tmp_path: Path) -> None:
    from mhindicators.errors import DataError

    path = _table_profile(tmp_path)
    path.write_text(path.read_text().replace("  country_of_birth: [999]\n", ""), encoding="utf-8")
    raw = pd.read_csv(SURVEY / "nhs_2024.csv", dtype=str)
    with pytest.raises(DataError) as err:
        harmonize(raw, load_profile(path), {"country_of_birth"}, default_vocabulary())
    (item,) = err.value.issues
    line = next(
        i for i, t in enumerate(path.read_text().splitlines(), 1)
        if t.startswith("  country_of_birth: m49_to_iso3")
    )  # fmt: skip
    n = int((raw["PAIS_NAC"] == "999").sum())
    assert (item.code, item.line) == ("MHI313", line) and f"'999' ({n} rows)" in item.message
