"""A country added from docs/profiles.md ("Adding a country") alone: draft, review, compute.

The national extract is the sample survey re-delivered the way another office might: an SPSS
file with its own column names, variable labels and value labels, and a separate household
file with the design. `mhi profile draft` writes the profile; the "review" is only what the
draft's REVIEW lines ask for (stateless code and not-stated codes). The estimates must equal
those of the hand-written sample profile on the original CSV.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from mhindicators.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
SURVEY = ROOT / "sample_data" / "survey"
runner = CliRunner()
PERSON = {"SEXO": "kon", "EDAD": "alder", "PAIS_NAC": "fodelseland",
          "NACIONALIDAD": "medborgarskap", "SEGURO_SALUD": "q12"}  # fmt: skip
HOUSEHOLD = {"ESTRATO": "strata", "UPM": "psu", "FACTOR": "vikt"}
INDICATOR = "hs_health_coverage"


def _deliver(folder: Path) -> None:
    import pyreadstat

    whole = pd.read_csv(SURVEY / "nhs_2024.csv")
    persons = whole[["ID_HOGAR", *PERSON]].rename(columns={**PERSON, "ID_HOGAR": "hushall"})
    pyreadstat.write_sav(
        persons,
        str(folder / "hbs_2024.sav"),
        column_labels=[
            "Hushall",
            "Kon",
            "Alder",
            "Fodelseland",
            "Medborgarskap",
            "Has health insurance",
        ],
        variable_value_labels={
            "kon": {1: "Man", 2: "Kvinna"},
            "q12": {1: "Yes", 2: "No", 77: "Don't know", 99: "Refused"},
        },
    )
    households = whole[["ID_HOGAR", *HOUSEHOLD]].drop_duplicates("ID_HOGAR")
    households.rename(columns={**HOUSEHOLD, "ID_HOGAR": "hushall"}).to_csv(
        folder / "hbs_2024_households.csv", index=False
    )


def _run(folder: Path, data: str, profile: str) -> pd.DataFrame:
    out = folder / f"out_{profile}"
    result = runner.invoke(
        app,
        ["compute", "--data", str(folder / data), "--profile", str(folder / profile),
         "--defs", str(ROOT / "indicator_defs"), "-i", INDICATOR, "-o", str(out), "-f", "csv"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "estimates.csv")
    return table[[c for c in table.columns if c not in ("dataset", "profile")]]


def test_new_country_from_the_draft(tmp_path: Path) -> None:
    _deliver(tmp_path)
    # 1. draft from the person file (the design columns live in the household file)
    result = runner.invoke(
        app, ["profile", "draft", str(tmp_path / "hbs_2024.sav"), "--country", "ESP",
              "-o", str(tmp_path / "hbs.yaml")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    text = (tmp_path / "hbs.yaml").read_text(encoding="utf-8")
    assert "weight: WEIGHT  # REVIEW: no weight column found" in text
    assert "values not in the table: 999" in text and "995" in text
    # 2. review: what the REVIEW lines ask for, nothing else
    text = text.replace("weight: WEIGHT", "weight: vikt\n  strata: strata\n  psu: psu")
    text = text.replace("  # strata: ...", "  # (strata)").replace("  # psu: ...", "  # (psu)")
    text = text.replace(
        "recode:  # raw code: canonical code (null = missing)\n",
        "recode:  # raw code: canonical code (null = missing)\n  citizenship: {995: XXA}\n",
    )
    text = text.replace("missing_codes: {}", "missing_codes:\n"
                        "  country_of_birth: [999]\n  citizenship: [999]")  # fmt: skip
    text += "join:\n  - {path: hbs_2024_households.csv, on: [hushall]}\n"
    (tmp_path / "hbs.yaml").write_text(text, encoding="utf-8")
    # 3. nothing left unmapped, and the profile validates without data
    check = ["profile", "check", str(tmp_path / "hbs_2024.sav"), "--profile"]
    assert runner.invoke(app, [*check, str(tmp_path / "hbs.yaml")]).exit_code == 0
    assert runner.invoke(app, ["validate", "--strict", str(tmp_path / "hbs.yaml")]).exit_code == 0
    # 4. the same estimates as the sample's hand-written profile on the original file
    (tmp_path / "hand.yaml").write_text((SURVEY / "nhs_2024.profile.yaml").read_text())
    (tmp_path / "nhs.csv").write_text((SURVEY / "nhs_2024.csv").read_text())
    got = _run(tmp_path, "hbs_2024.sav", "hbs.yaml")
    expected = _run(tmp_path, "nhs.csv", "hand.yaml")
    keys = [c for c in expected.columns if expected[c].dtype == object]
    pd.testing.assert_frame_equal(
        got.sort_values(keys).reset_index(drop=True),
        expected.sort_values(keys).reset_index(drop=True),
        check_exact=False, rtol=1e-12,
    )  # fmt: skip
    assert len(got) > 10
