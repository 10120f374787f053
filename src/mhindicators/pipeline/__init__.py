"""The run: plan, read and harmonise, accumulate, finalise (labels, reliability policies and flags,
suppression) and the run report."""
