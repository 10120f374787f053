"""Harmonization across countries: national variants, migratory bases, multi-country tables."""
