"""mhi: migrant-health indicator definitions computed into official-quality statistics."""

from importlib import import_module

from mhindicators.definitions import Catalog, Indicator, load_catalog, validate
from mhindicators.issues import Issue, Report

__version__ = "0.1.0"

# The engine (pandas, scipy) loads on first use, so `mhi validate` and `import mhindicators`
# stay fast.
_LAZY = {
    "compute": "mhindicators.pipeline.compute",
    "load_project": "mhindicators.project",
    "project_with_overrides": "mhindicators.project",
    "write_results": "mhindicators.outputs.writers",
    "build_report": "mhindicators.report",
    "load_profile": "mhindicators.profiles.loader",
    "draft_profile": "mhindicators.profiles.draft_render",
    "unmapped_values": "mhindicators.profiles.unmapped",
    "check_profile": "mhindicators.profiles.check",
    "check_project": "mhindicators.profiles.check",
    "code_table": "mhindicators.profiles.code_tables",
    "inequality_measures": "mhindicators.core.inequality_measures",
    "GroupSets": "mhindicators.core.inequality_measures",
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'mhindicators' has no attribute {name!r}")


__all__ = [
    "Catalog",
    "GroupSets",
    "Indicator",
    "Issue",
    "Report",
    "__version__",
    "build_report",
    "check_profile",
    "check_project",
    "code_table",
    "compute",
    "draft_profile",
    "inequality_measures",
    "load_catalog",
    "load_profile",
    "load_project",
    "project_with_overrides",
    "unmapped_values",
    "validate",
    "write_results",
]
