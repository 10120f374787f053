"""The `mhi` command line: thin wrappers over the public API."""
