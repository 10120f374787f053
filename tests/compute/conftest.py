"""A scratch project around copies of the sample survey and registers, for bad-input tests."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
SURVEY = ROOT / "sample_data" / "survey"
REGISTRY = ROOT / "sample_data" / "registry"


class Scratch:
    """A project folder: survey data + profile, TB events + population, and mhi.yaml."""

    def __init__(self, root: Path) -> None:
        self.root = root
        shutil.copytree(ROOT / "indicator_defs", root / "indicator_defs")
        shutil.copy(SURVEY / "nhs_2024.csv", root / "survey.csv")
        shutil.copy(SURVEY / "nhs_2024.profile.yaml", root / "survey.profile.yaml")
        for name in ("tb_notifications", "population"):
            shutil.copy(REGISTRY / f"{name}.csv", root / f"{name}.csv")
            shutil.copy(REGISTRY / f"{name}.profile.yaml", root / f"{name}.profile.yaml")
        self.write_project()

    def write_project(self, survey: bool = True, registry: bool = False, extra: str = "") -> Path:
        lines = ["definitions: [indicator_defs]", "datasets:"]
        if survey:
            lines += [
                "  - id: survey",
                "    path: survey.csv",
                "    profile: survey.profile.yaml",
                "    indicators: [hs_health_coverage, eu_unmet_medical_need]",
            ]
        if registry:
            lines += [
                "  - id: tb",
                "    kind: registry",
                "    events: {path: tb_notifications.csv, profile: tb_notifications.profile.yaml}",
                "    denominator: {path: population.csv, profile: population.profile.yaml}",
                "    indicators: [sdg_3_3_2_tb_notification_rate, tb_notification_asr]",
            ]
        lines += ["output: {dir: out, formats: [csv, parquet]}", extra]
        path = self.root / "mhi.yaml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    def edit_csv(self, name: str, change: Callable[[pd.DataFrame], pd.DataFrame]) -> None:
        path = self.root / name
        change(pd.read_csv(path, dtype=str, keep_default_na=False)).to_csv(path, index=False)

    def edit_text(self, name: str, old: str, new: str) -> None:
        path = self.root / name
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {name}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    def line_of(self, name: str, needle: str) -> int:
        lines = (self.root / name).read_text(encoding="utf-8").splitlines()
        return next(i for i, line in enumerate(lines, 1) if needle in line)


@pytest.fixture
def scratch(tmp_path: Path) -> Scratch:
    return Scratch(tmp_path)
