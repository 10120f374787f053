# Goldens for the Taylor variance without cancellation (tests/engine/test_variance_goldens.py).
#
# Run from the repository root:  Rscript tests/reference/variance_goldens.R
# Writes the fixture tests/fixtures/survey/variance.csv.gz (deterministic, set.seed; %.17g, read
# back so R and Python see identical numbers) and tests/golden/survey/variance_domains.csv with
# %.17g numbers and the exact R call per row.
#
# Design: 10 strata x 20 PSUs (ids numbered within strata, nest = TRUE) x 50 rows, weights
# ~1e6 (continuous), outcomes y_c = c + N(0, 1) for offsets c in {0, 1e3, ..., 1e8}; a
# self-weighting design (equal weights, equal PSU sizes) whose population total has SE exactly
# 0; a near-constant outcome (all rows equal but one); the same rows with each row its own PSU
# (ids = ~1); and JKn replicate weights (as.svrepdesign) for the largest offset.

suppressMessages(library(survey))
options(warn = 1)

fixdir <- "tests/fixtures/survey"
golddir <- "tests/golden/survey"
stopifnot(dir.exists(fixdir), dir.exists(golddir))
g17 <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", as.numeric(x)))

offsets <- c(0, 1e3, 1e4, 1e5, 1e6, 3e7, 1e8)
ynames <- c("y_0", "y_1e3", "y_1e4", "y_1e5", "y_1e6", "y_3e7", "y_1e8")
ycol <- function(c) ynames[match(c, offsets)]

set.seed(20261206)
n_strata <- 10; n_psu <- 20; m <- 50
n <- n_strata * n_psu * m
d <- data.frame(
  stratum = rep(seq_len(n_strata), each = n_psu * m),
  psu = rep(rep(seq_len(n_psu), each = m), n_strata)
)
d$w <- 1e6 * runif(n, 0.5, 1.5) * (1 + d$stratum / 10)
d$dom <- sample(c("A", "B", "C"), n, replace = TRUE, prob = c(0.5, 0.3, 0.2))
noise <- rnorm(n) + 0.3 * d$stratum  # strata differ in mean
for (c in offsets) d[[ycol(c)]] <- c + noise
d$x <- 40 + 20 * runif(n)
d$w_eq <- 1234567.891
d$one <- 1
d$y_nc <- 123456.789
d$y_nc[137] <- 123457.789

out <- d
num <- vapply(out, is.numeric, logical(1))
out[num] <- lapply(out[num], function(v) sprintf("%.17g", v))
con <- gzfile(file.path(fixdir, "variance.csv.gz"), "w")
write.csv(out, con, row.names = FALSE)
close(con)
d <- read.csv(gzfile(file.path(fixdir, "variance.csv.gz")), stringsAsFactors = FALSE)

clus <- svydesign(ids = ~psu, strata = ~stratum, weights = ~w, nest = TRUE, data = d)
rows <- svydesign(ids = ~1, strata = ~stratum, weights = ~w, data = d)
selfw <- svydesign(ids = ~psu, strata = ~stratum, weights = ~w_eq, nest = TRUE, data = d)
jkn <- as.svrepdesign(clus, type = "JKn")
designs <- list(clus = clus, rows = rows, selfw = selfw, jkn = jkn)
calls <- c(
  clus = "svydesign(ids = ~psu, strata = ~stratum, weights = ~w, nest = TRUE, data = d)",
  rows = "svydesign(ids = ~1, strata = ~stratum, weights = ~w, data = d)",
  selfw = "svydesign(ids = ~psu, strata = ~stratum, weights = ~w_eq, nest = TRUE, data = d)",
  jkn = "as.svrepdesign(clus, type = 'JKn')"
)

res <- list()
add <- function(case, var, estimator, domain, est, se, deff, call) {
  res[[length(res) + 1]] <<- data.frame(
    case = case, variable = var, estimator = estimator, domain = domain,
    estimate = g17(as.numeric(est)), se = g17(as.numeric(se)), deff = g17(as.numeric(deff)),
    r_call = paste0(call, "  # des = ", calls[[case]]), stringsAsFactors = FALSE
  )
}
# one estimator on one variable: the whole sample (domain "_T") and svyby over dom
run <- function(case, var, estimator, deff = TRUE) {
  des <- designs[[case]]
  f <- as.formula(paste0("~", var))
  if (estimator == "mean") {
    a <- svymean(f, des, deff = deff)
    call_t <- sprintf("svymean(~%s, des, deff = %s)", var, deff)
    b <- svyby(f, ~dom, des, svymean, deff = deff)
    call_b <- sprintf("svyby(~%s, ~dom, des, svymean, deff = %s)", var, deff)
  } else if (estimator == "total") {
    a <- svytotal(f, des, deff = deff)
    call_t <- sprintf("svytotal(~%s, des, deff = %s)", var, deff)
    b <- svyby(f, ~dom, des, svytotal, deff = deff)
    call_b <- sprintf("svyby(~%s, ~dom, des, svytotal, deff = %s)", var, deff)
  } else {  # ratio y / x
    a <- svyratio(f, ~x, des)
    call_t <- sprintf("svyratio(~%s, ~x, des)", var)
    b <- svyby(f, ~dom, des, svyratio, denominator = ~x)
    call_b <- sprintf("svyby(~%s, ~dom, denominator = ~x, des, svyratio)", var)
  }
  if (estimator == "ratio") {
    add(case, var, estimator, "_T", coef(a), sqrt(as.numeric(vcov(a))), NA, call_t)
  } else {
    dt <- if (deff) as.numeric(deff(a)) else NA
    add(case, var, estimator, "_T", coef(a), SE(a), dt, call_t)
  }
  db <- if (deff && estimator != "ratio") as.numeric(deff(b)) else rep(NA, nrow(b))
  for (i in seq_len(nrow(b))) {
    add(case, var, estimator, b$dom[i], coef(b)[i], SE(b)[i], db[i],
        sprintf("%s[dom == '%s']", call_b, b$dom[i]))
  }
}
for (c in offsets) {
  run("clus", ycol(c), "mean")
  run("rows", ycol(c), "mean")
}
run("jkn", ycol(3e7), "mean", deff = FALSE)
for (c in c(0, 1e6, 1e8)) {
  run("clus", ycol(c), "total")
  run("rows", ycol(c), "total")
  run("clus", ycol(c), "ratio")
}
run("jkn", ycol(1e8), "mean", deff = FALSE)
run("jkn", ycol(1e8), "total", deff = FALSE)
run("selfw", "one", "total")
run("selfw", ycol(1e8), "mean")
run("clus", "y_nc", "mean")
run("rows", "y_nc", "mean")
run("clus", "one", "total")

tab <- do.call(rbind, res)
write.csv(tab, file.path(golddir, "variance_domains.csv"), row.names = FALSE)
v <- c(R.version.string, paste("survey", packageVersion("survey")))
writeLines(v, file.path(golddir, "variance_VERSIONS.txt"))
cat("wrote", nrow(tab), "rows\n")
