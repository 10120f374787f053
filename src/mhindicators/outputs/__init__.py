"""Writers for result tables (atomic: temporary file then rename)."""
