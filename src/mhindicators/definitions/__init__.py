"""Indicator definitions: models, loader with source map, rules, catalogue."""

from mhindicators.definitions.catalog import Catalog, check_paths, load_catalog, validate
from mhindicators.definitions.model import Indicator

__all__ = ["Catalog", "Indicator", "check_paths", "load_catalog", "validate"]
