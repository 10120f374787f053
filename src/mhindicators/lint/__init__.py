"""Linter conventions for reports: code selection, explanations, SARIF and JUnit output."""
