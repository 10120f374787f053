# Golden values for the HEAT inequality summary measures over groups (core/inequality_measures.py).
#
# Run from the repository root:  Rscript tests/reference/inequality_measures_goldens.R
# Reads tests/fixtures/survey/nhanes_sub.csv and brr_nhanes_repweights.csv.gz (written by
# survey_goldens.R); writes tests/golden/inequality_measures/measures.csv with %.17g numbers and
# the exact R call beside every number.
#
# Survey: the group estimates come from svyby(..., covmat = TRUE) on one margin (all groups of
# `grp` within sex = F, M or overall), and every measure is svycontrast() of that svyby object
# with a nonlinear expression quote()d from the HEAT formula, so the SE is the delta method on
# the JOINT covariance of the groups (Taylor linearisation for the stratified clustered design
# svydesign(id=~SDMVPSU, strata=~SDMVSTRA, nest=TRUE), replicate covariance for the BRR design:
# svycontrast on svyby without return.replicates uses vcov(), i.e. the delta method).
# Population shares p_j = N_j / sum N (N_j: svyby svytotal of the universe indicator) are
# constants in the expressions (fixed shares, as HEAT). The mean is mu = sum p_j y_j.
# |x| is written sign(x) * x with the sign taken at the estimate (R's deriv() has no abs; the
# derivative of |x| is sign(x) there). The group compared by D and R (furthest from the
# reference), the best group of MDB* and the signs are chosen at the estimates.
# PAF and PAR are set to 0 (SE NA) when their sign is wrong for the favourable direction (HEAT).
# Intervals: estimate +- qt(0.975, df) * SE, df = the smallest degf() of the domains of the groups
# the measure depends on: the reference and the compared group for D and R (as mhi's contrasts),
# every group for the others (each depends on the mean mu or on every group);
# R on the log scale: R * exp(+-t SE / R).
#
# Outcomes: chol (0/1, favourable lower) and old = 1{agegrp == "(59,Inf]"} (favourable higher),
# both among has_chol == 1; groups grp (r1-r4), reference r3.
# Registry: independent Poisson groups: rate_j = 1e5 x_j / n_j, Var = x_j (1e5 / n_j)^2, a
# diagonal covariance in a svystat object built here; svycontrast() applies the same
# expressions; normal intervals (df = Inf).

suppressMessages(library(survey))
options(warn = 1)
fixdir <- "tests/fixtures/survey"
golddir <- "tests/golden/inequality_measures"
dir.create(golddir, showWarnings = FALSE)
g17 <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", as.numeric(x)))
read_fixture <- function(name) {
  path <- file.path(fixdir, name)
  read.csv(if (grepl("\\.gz$", name)) gzfile(path) else path, stringsAsFactors = FALSE)
}

# HEAT formulas as R expressions in the group names; y = estimates, p = shares (constants)
measure_exprs <- function(y, p, ref, fav) {
  nm <- names(y)
  G <- length(y)
  mu_txt <- sprintf("(%s)", paste(sprintf("%s * %s", g17(p), nm), collapse = " + "))
  mu <- sum(p * y)
  others <- setdiff(nm, ref)
  far <- others[which.max(abs(y[others] - y[ref]))]
  best <- if (fav > 0) nm[which.max(y)] else nm[which.min(y)]
  sd <- sign(y - mu)
  dev <- sprintf("(%s - %s)", nm, mu_txt)
  absdev_u <- paste(sprintf("%s * %s", g17(sd), dev), collapse = " + ")
  absdev_w <- paste(sprintf("%s * %s * %s", g17(p), g17(sd), dev), collapse = " + ")
  gap <- function(k, w) {
    s <- sign(y[k] - y)
    paste(sprintf("%s%s * (%s - %s)", w, g17(s), k, nm), collapse = " + ")
  }
  bgv <- sprintf("(%s)", paste(sprintf("%s * %s^2", g17(p), dev), collapse = " + "))
  list(
    exprs = list(
      D = sprintf("%s - %s", far, ref),
      R = sprintf("%s / %s", far, ref),
      PAF = sprintf("100 * (%s / %s - 1)", ref, mu_txt),
      PAR = sprintf("%s - %s", ref, mu_txt),
      BGV = bgv,
      BGSD = sprintf("sqrt(%s)", bgv),
      COV = sprintf("100 * sqrt(%s) / %s", bgv, mu_txt),
      IDISU = sprintf("100 * ((%s) / %d) / %s", absdev_u, G, mu_txt),
      IDISW = sprintf("100 * (%s) / %s", absdev_w, mu_txt),
      MDBU = sprintf("(%s) / %d", gap(best, ""), G),
      MDBW = sprintf("(%s)", gap(best, paste0(g17(p), " * "))),
      MDRU = sprintf("(%s) / %d", gap(ref, ""), G),
      MDRW = sprintf("(%s)", gap(ref, paste0(g17(p), " * "))),
      MDMU = sprintf("(%s) / %d", absdev_u, G),
      MDMW = sprintf("(%s)", absdev_w),
      TI = sprintf("1000 * (%s)", paste(sprintf("%s * (%s / %s) * log(%s / %s)", g17(p), nm,
                                                   mu_txt, nm, mu_txt), collapse = " + ")),
      MLD = sprintf("-1000 * (%s)", paste(sprintf("%s * log(%s / %s)", g17(p), nm, mu_txt),
                                          collapse = " + "))
    ),
    far = far, best = best
  )
}

rows <- list()
emit <- function(case, within, fav, st, y, p, ref, df, call) {
  m <- measure_exprs(y, p, ref, fav)
  res <- svycontrast(st, lapply(m$exprs, function(e) parse(text = e)[[1]]))
  est <- coef(res)
  se <- sqrt(diag(vcov(res)))
  for (k in names(m$exprs)) {
    dk <- if (k %in% c("D", "R")) min(df[c(ref, m$far)]) else min(df)
    t <- qt(0.975, dk)
    e <- unname(est[k]); s <- unname(se[k])
    status <- "ok"
    if (k %in% c("PAF", "PAR") && fav * e < 0) {
      e <- 0; s <- NA; status <- "clamped"
    }
    lo <- e - t * s; hi <- e + t * s
    if (k == "R") { lo <- e * exp(-t * s / e); hi <- e * exp(t * s / e) }
    group <- if (k %in% c("D", "R")) m$far else if (k %in% c("PAF", "PAR")) ref else
      if (k %in% c("MDBU", "MDBW")) m$best else ""
    rows[[length(rows) + 1]] <<- data.frame(
      case = case, within = within, favourable = if (fav > 0) "higher" else "lower",
      measure = k, estimate = g17(e), se = g17(s), ci_lower = g17(lo), ci_upper = g17(hi),
      df = g17(dk), compared_group = group, status = status,
      r_call = sprintf("svycontrast(%s, quote(%s))", call, m$exprs[[k]]))
  }
}

# ------------------------------------------------------------------- survey ----
data <- read_fixture("nhanes_sub.csv")
data$one <- 1
data$old <- as.numeric(data$agegrp == "(59,Inf]")  # a second 0/1 outcome
des <- svydesign(id = ~SDMVPSU, strata = ~SDMVSTRA, weights = ~WTMEC2YR, nest = TRUE, data = data)
rw <- as.matrix(read_fixture("brr_nhanes_repweights.csv.gz"))
rd <- as.svrepdesign(des, type = "BRR")
rdes <- svrepdesign(data = data, repweights = rw, weights = data$WTMEC2YR, type = rd$type,
                    mse = FALSE, combined.weights = TRUE)
designs <- list(
  nhanes = list(des = des, call = "svydesign(id=~SDMVPSU, strata=~SDMVSTRA, weights=~WTMEC2YR, nest=TRUE, data=data)"),
  brr_nhanes = list(des = rdes, call = "svrepdesign(data=data, repweights=<brr_nhanes_repweights.csv.gz>, weights=~WTMEC2YR, type='BRR', mse=FALSE)")
)
indicators <- list(list(y = "chol", fav = -1), list(y = "old", fav = 1))
ref <- "r3"
for (cid in names(designs)) {
  d <- designs[[cid]]$des
  for (within in c("_T", "F", "M")) {
    sub <- if (within == "_T") d[data$has_chol == 1, ] else d[data$has_chol == 1 & data$sx == within, ]
    subtxt <- if (within == "_T") "des[has_chol==1, ]" else sprintf("des[has_chol==1 & sx=='%s', ]", within)
    pops <- coef(svyby(~one, ~grp, sub, svytotal))
    p <- pops / sum(pops)
    groups <- sort(unique(data$grp))
    df <- sapply(groups, function(g) degf(subset(sub, grp == g)))
    names(df) <- groups
    for (ind in indicators) {
      st <- svyby(as.formula(paste0("~", ind$y)), ~grp, sub, svymean, covmat = TRUE)
      y <- coef(st)
      call <- sprintf("svyby(~%s, ~grp, %s, svymean, covmat=TRUE) on %s", ind$y, subtxt,
                      designs[[cid]]$call)
      emit(paste(cid, ind$y, sep = ":"), within, ind$fav, st, y, p[names(y)], ref, df, call)
    }
  }
}

# ----------------------------------------------------------------- registry ----
registry <- list(
  list(within = "_T", x = c(g1 = 412, g2 = 96, g3 = 57, g4 = 21),
       n = c(g1 = 2.61e6, g2 = 3.1e5, g3 = 2.05e5, g4 = 4.3e4)),
  list(within = "F", x = c(g1 = 190, g2 = 51, g3 = 22, g4 = 12),
       n = c(g1 = 1.32e6, g2 = 1.6e5, g3 = 1.01e5, g4 = 2.2e4))
)
for (r in registry) {
  rate <- 1e5 * r$x / r$n
  v <- r$x * (1e5 / r$n)^2
  vm <- diag(v, nrow = length(v))
  dimnames(vm) <- list(names(v), names(v))
  st <- structure(rate, var = vm, statistic = "rate", class = "svystat")
  call <- sprintf("svystat of rates 1e5*x/n with var diag(x*(1e5/n)^2), x = c(%s), n = c(%s)",
                  paste(r$x, collapse = ", "), paste(r$n, collapse = ", "))
  for (fav in c(-1, 1)) {
    df <- setNames(rep(Inf, length(rate)), names(rate))
    emit("registry:rate", r$within, fav, st, rate, r$n / sum(r$n), "g1", df, call)
  }
}

out <- do.call(rbind, rows)
write.csv(out, file.path(golddir, "measures.csv"), row.names = FALSE, quote = TRUE)
writeLines(c(R.version.string, paste("survey", packageVersion("survey"))),
           file.path(golddir, "VERSIONS.txt"))
cat("wrote", nrow(out), "rows\n")
