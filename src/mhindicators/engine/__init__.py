"""The estimation engine: plan, sufficient statistics, survey and registry estimators."""
