"""Survey (design-based) estimators over the numeric core: ratios, proportions, means, totals,
quantiles, distribution measures, contrasts, standardisation."""
