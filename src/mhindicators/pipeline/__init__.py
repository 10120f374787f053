"""Pipeline: read in batches (in memory, streaming, Dask partitions), accumulate, finalise."""
