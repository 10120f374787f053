"""Pure numeric core: sufficient statistics and their merge, Taylor and replicate variance, named
interval methods (numpy arrays in and out, no I/O)."""
