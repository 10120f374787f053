"""JSON Schema of a definition file, for editors and external validators."""

from __future__ import annotations

import json

from mhindicators.definitions.model import Indicator

SCHEMA_ID = "https://mhi.example.org/schema/indicator-definition.json"


def definition_schema() -> dict:
    """The JSON Schema (draft 2020-12) of an indicator definition."""
    schema = Indicator.model_json_schema(mode="validation")
    required = schema.pop("required", [])
    # a national variant (`extends:`) is partial: its other fields come from the base
    schema["if"] = {"required": ["extends"]}
    schema["then"] = {"required": ["id", "version", "extends"]}
    schema["else"] = {"required": required}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "mhi indicator definition",
        **schema,
    }


def definition_schema_text() -> str:
    """The schema as stable, pretty JSON text (what docs/ commits)."""
    return json.dumps(definition_schema(), indent=2, sort_keys=True) + "\n"
