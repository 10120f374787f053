# R side of bench/bench_distribution.py: medians with Woodruff intervals by domain.
#   Rscript bench/bench_distribution.R <data.csv>
# Prints one JSON line: design and svyby(svyquantile) seconds, and the total's median and CI.
suppressPackageStartupMessages({
  library(survey)
  library(data.table)
})
csv <- commandArgs(trailingOnly = TRUE)[[1]]
now <- function() proc.time()[["elapsed"]]
d <- fread(csv, showProgress = FALSE, nThread = 2)
setDF(d)
t0 <- now()
des <- svydesign(id = ~psu, strata = ~stratum, weights = ~w, data = d)
t1 <- now()
cells <- svyby(~inc, ~grp + sex, des, svyquantile, quantiles = 0.5, ci = TRUE, keep.var = TRUE)
m1 <- svyby(~inc, ~grp, des, svyquantile, quantiles = 0.5, ci = TRUE, keep.var = TRUE)
m2 <- svyby(~inc, ~sex, des, svyquantile, quantiles = 0.5, ci = TRUE, keep.var = TRUE)
tot <- svyquantile(~inc, des, quantiles = 0.5, ci = TRUE)
t2 <- now()
cat(sprintf('{"design_s": %.3f, "median_s": %.3f, "median_total": %.17g, "median_total_ci": [%.17g, %.17g]}\n',
            t1 - t0, t2 - t1, tot$inc[1, 1], tot$inc[1, 2], tot$inc[1, 3]))
