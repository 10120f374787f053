"""mhi: migrant-health indicator definitions computed into official-quality statistics."""

from mhindicators.definitions import Catalog, Indicator, load_catalog, validate
from mhindicators.issues import Issue, Report

__version__ = "0.1.0"

__all__ = ["Catalog", "Indicator", "Issue", "Report", "__version__", "load_catalog", "validate"]
