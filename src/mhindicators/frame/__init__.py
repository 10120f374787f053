"""From a harmonised frame to what the estimators reduce: each row's y, x, universe and age group,
and the cells and margins of a table."""
