"""The shipped sample data: reproducible, parseable, and consistent with its profiles."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from mhindicators.profiles.harmonize import harmonize
from mhindicators.profiles.loader import load_profile
from mhindicators.profiles.model import Profile
from mhindicators.vocabulary import default_vocabulary
from mhindicators.yamlsource import load_mapping

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"
DATA_DIRS = ("survey", "registry")
PROFILES = sorted(p for d in DATA_DIRS for p in (SAMPLE / d).glob("*.profile.yaml"))
IDS = [p.name.removesuffix(".profile.yaml") for p in PROFILES]


def _generator():
    spec = importlib.util.spec_from_file_location("sample_generate", SAMPLE / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _data_path(profile_path: Path) -> Path:
    stem = profile_path.name.removesuffix(".profile.yaml")
    (found,) = [p for p in profile_path.parent.glob(f"{stem}.*") if p != profile_path]
    return found


def _read(path: Path) -> pd.DataFrame:
    return pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)


def _profile(path: Path) -> Profile:
    return Profile.model_validate(load_mapping(path).data)


def _key(value: object) -> object:
    """Raw codes as the harmoniser compares them: 1, 1.0 and '1' alike."""
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return int(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample_data")
    _generator().generate(out)
    return out


def test_profiles_are_shipped():
    assert len(PROFILES) >= 10
    assert (SAMPLE / "README.md").is_file()


def _files(root: Path) -> list[Path]:
    return sorted(p.relative_to(root) for d in DATA_DIRS for p in (root / d).iterdir())


def test_regeneration_is_byte_identical(regenerated: Path):
    shipped, fresh = _files(SAMPLE), _files(regenerated)
    assert fresh == shipped
    for rel in shipped:
        old, new = SAMPLE / rel, regenerated / rel
        if old.suffix == ".parquet" and _writer(old) != _writer(new):
            # another pyarrow writes other bytes for the same table (its version is in the
            # footer): then the decoded tables, schema included, must be identical
            assert pq.read_table(new).equals(pq.read_table(old), check_metadata=True), rel
            continue
        assert new.read_bytes() == old.read_bytes(), rel


def _writer(path: Path) -> str:
    return pq.ParquetFile(path).metadata.created_by


def test_shipped_files_are_small():
    total = sum(p.stat().st_size for p in SAMPLE.rglob("*") if p.is_file())
    assert total < 3_000_000


@pytest.mark.parametrize("path", PROFILES, ids=IDS)
def test_profile_validates_and_columns_exist(path: Path):
    profile = _profile(path)
    data = _read(_data_path(path))
    assert len(data) > 0
    raw = set(profile.columns.values())
    if profile.design is not None:
        raw |= {profile.design.weight, profile.design.strata, profile.design.psu} - {None}
    assert raw <= set(data.columns), raw - set(data.columns)
    assert set(profile.recode) | set(profile.missing_codes) <= set(profile.columns)
    load_profile(path)  # also checks variables and recode targets against the vocabulary


@pytest.mark.parametrize("path", PROFILES, ids=IDS)
def test_every_raw_code_is_recoded_or_missing(path: Path):
    profile = _profile(path)
    data = _read(_data_path(path))
    for name, mapping in profile.recode.items():
        known = {_key(k) for k in mapping} | {_key(k) for k in profile.missing_codes.get(name, [])}
        present = {_key(v) for v in data[profile.columns[name]].dropna().unique()}
        assert present <= known, f"{name}: uncovered raw codes {sorted(present - known)}"


@pytest.mark.parametrize("path", PROFILES, ids=IDS)
def test_harmonises_every_mapped_variable(path: Path):
    loaded = load_profile(path)
    data = _read(_data_path(path))
    frame = harmonize(data, loaded, set(loaded.profile.columns), default_vocabulary())
    assert list(frame.index) == list(data.index)
    if "country_of_birth" in frame:
        derived = harmonize(data, loaded, {"migratory_status"}, default_vocabulary())
        shares = derived["migratory_status"].value_counts(normalize=True)
        assert shares["unknown"] < 0.15
        if loaded.profile.kind != "denominator":
            assert shares["unknown"] > 0  # some events and respondents lack the core variables


def test_survey_design():
    profile = _profile(SAMPLE / "survey" / "nhs_2024.profile.yaml")
    data = pd.read_csv(SAMPLE / "survey" / "nhs_2024.csv")
    design = profile.design
    assert profile.kind == "survey" and design.lonely_psu == "fail"
    psus = data.groupby(design.strata)[design.psu].nunique()
    assert psus.min() >= 2 and (psus == 2).any() and psus.max() <= 6
    assert 35 <= psus.size <= 45
    assert not data[design.psu].duplicated().any() or not design.nest  # ids unique or nested
    assert data.groupby(design.psu)[design.strata].nunique().max() == 1
    assert 8_000 <= len(data) <= 12_000
    assert (data[design.weight] > 0).all() and data[design.weight].std() > 0


def test_survey_migrant_shares():
    data = pd.read_csv(SAMPLE / "survey" / "nhs_2024.csv")
    w = data["FACTOR"]
    born_abroad = ~data["PAIS_NAC"].isin([724, 999])
    share = w[born_abroad].sum() / w.sum()
    assert 0.11 <= share <= 0.16
    citizen = data["NACIONALIDAD"] == 724
    assert (born_abroad & citizen).sum() > 100
    assert ((data["PAIS_NAC"] == 724) & ~data["NACIONALIDAD"].isin([724, 999])).sum() > 0
    assert (data["NACIONALIDAD"] == 995).sum() > 0
    assert (data["PAIS_NAC"] == 999).sum() > 0


def test_registry_has_small_and_empty_cells():
    tb = pd.read_csv(SAMPLE / "registry" / "tb_notifications.csv")
    counts = tb.groupby(["ANO_NOTIF", "SEXO", "PAIS_NAC"]).size()
    assert (counts < 5).any()
    victims = pd.read_csv(SAMPLE / "registry" / "trafficking_victims.csv")
    assert not (victims["PAIS_NAC"] == 724).any()  # no native-born victim: a zero cell
    population = pd.read_csv(SAMPLE / "registry" / "population.csv")
    assert (population["POBLACION"] == 0).any()
    assert population.groupby("ANO")["POBLACION"].sum().between(9e5, 1.1e6).all()
