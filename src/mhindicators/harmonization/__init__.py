"""Harmonization across countries: national variants, semantic diff, multi-country tables."""
