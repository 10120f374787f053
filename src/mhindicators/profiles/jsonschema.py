"""JSON Schemas of profile and project files (docs/*.schema.json), for editors and CI."""

from __future__ import annotations

import json

from pydantic import BaseModel

BASE = "https://mhi.example.org/schema/"


def _schema(model: type[BaseModel], name: str, title: str) -> str:
    schema = model.model_json_schema(mode="validation")
    head = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{BASE}{name}.json",
        "title": title,
    }
    return json.dumps({**head, **schema}, indent=2, sort_keys=True) + "\n"


def profile_schema_text() -> str:
    """The JSON Schema of a dataset profile, as stable pretty JSON."""
    from mhindicators.profiles.model import Profile

    return _schema(Profile, "profile", "mhi dataset profile")


def project_schema_text() -> str:
    """The JSON Schema of a project file (mhi.yaml), as stable pretty JSON."""
    from mhindicators.project import ProjectModel

    return _schema(ProjectModel, "project", "mhi project file")
