"""Registry estimators over the numeric core: crude, age-specific and standardised rates, ratios
and proportions, contrasts vs a reference group."""
