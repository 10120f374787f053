"""mhi: migrant-health indicator definitions computed into official-quality statistics."""

from importlib import import_module

from mhindicators.definitions import Catalog, Indicator, load_catalog, validate
from mhindicators.issues import Issue, Report

__version__ = "0.1.0"

# The engine (pandas, scipy) loads on first use, so `mhi validate` and `import mhindicators`
# stay fast.
_LAZY = {
    "compute": "mhindicators.engine.compute",
    "load_project": "mhindicators.project",
    "project_with_overrides": "mhindicators.project",
    "write_results": "mhindicators.outputs.writers",
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'mhindicators' has no attribute {name!r}")


__all__ = [
    "Catalog",
    "Indicator",
    "Issue",
    "Report",
    "__version__",
    "compute",
    "load_catalog",
    "load_project",
    "project_with_overrides",
    "validate",
    "write_results",
]
