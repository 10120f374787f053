# Golden values for the Gini coefficient and the quintile share ratio S80/S20 by domain.
#
# Run from the repository root:  Rscript tests/reference/inequality_goldens.R
# Reads tests/fixtures/survey/ (written by survey_goldens.R); writes tests/golden/inequality/.
# Value: `enroll` among schools with has_enroll == 1; domains grp x sx with totals `_T`; each
# domain's statistic on its own distribution.
#   Gini (laeken giniCoeff / Langel and Tillé 2013): G = (2 sum w y C - sum w^2 y)/(N Y) - 1,
#     C the cumulative weight in value order; linearised variable (Langel and Tillé 2013)
#     z_k = [2 N_k (y_k - Ybar_k) + Y - N y_k - G (Y + y_k N)] / (N Y),
#     N_k = sum w 1{y <= y_k}, Ybar_k = sum w y 1{y <= y_k} / N_k.
#   S80/S20 (laeken quintileRatio): sum w y 1{y > q80} / sum w y 1{y <= q20}, quintiles by
#     survey's qrule_school (laeken's weightedQuantile rule); linearised variable (Osier 2009)
#     z_k = [y_k - u80_k - QSR u20_k] / T20, u_a = (y - q_a) 1{y <= q_a} + a q_a.
# Taylor variances: svytotal(~z, des) with z = 0 outside the domain. Replicate variances:
# withReplicates(rdes, theta, return.replicates = TRUE) recomputing every domain's statistic.
# laeken.csv: laeken gini() and qsr() point estimates by grp (an independent implementation).

suppressMessages(library(survey))
suppressMessages(library(laeken))
options(warn = 1)
fixdir <- "tests/fixtures/survey"
golddir <- "tests/golden/inequality"
dir.create(golddir, showWarnings = FALSE)
g17 <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", as.numeric(x)))
qrule <- survey:::qrule_school

gini_z <- function(y, w) {  # y, w of the domain; returns list(G, z)
  o <- order(y); ys <- y[o]; ws <- w[o]
  N <- sum(w); Y <- sum(w * y)
  G <- (2 * sum(ws * ys * cumsum(ws)) - sum(ws^2 * ys)) / (N * Y) - 1
  Nk <- sapply(y, function(v) sum(w[y <= v]))
  Yk <- sapply(y, function(v) sum(w[y <= v] * y[y <= v]))
  z <- (2 * (Nk * y - Yk) + Y - N * y - G * (Y + y * N)) / (N * Y)
  list(stat = G, z = z)
}
qsr_z <- function(y, w) {
  q20 <- qrule(y, w, 0.2); q80 <- qrule(y, w, 0.8)
  t20 <- sum(w * y * (y <= q20)); top <- sum(w * y * (y > q80))
  R <- top / t20
  u20 <- (y - q20) * (y <= q20) + 0.2 * q20
  u80 <- (y - q80) * (y <= q80) + 0.8 * q80
  list(stat = R, z = (y - u80 - R * u20) / t20)
}
measures <- list(gini = gini_z, qsr = qsr_z)

strat <- read.csv(file.path(fixdir, "apistrat.csv"), stringsAsFactors = FALSE)
clus1 <- read.csv(file.path(fixdir, "apiclus1.csv"), stringsAsFactors = FALSE)
domains <- expand.grid(grp = c("A", "B", "C", "_T"), sx = c("F", "M", "_T"), stringsAsFactors = FALSE)
in_domain <- function(data, k) {
  (domains$grp[k] == "_T" | data$grp == domains$grp[k]) & (domains$sx[k] == "_T" | data$sx == domains$sx[k])
}
taylor <- list(
  strat = list(data = strat, r = "svydesign(id=~1, strata=~stype, weights=~pw, fpc=~fpc, data=apistrat.csv)",
               make = function(d) svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = d)),
  clus1 = list(data = clus1, r = "svydesign(id=~dnum, weights=~pw, fpc=~fpc, data=apiclus1.csv)",
               make = function(d) svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = d)))
rows <- list()
for (dn in names(taylor)) {
  data <- taylor[[dn]]$data
  des <- taylor[[dn]]$make(data)
  u <- data$has_enroll == 1
  for (mn in names(measures)) for (k in seq_len(nrow(domains))) {
    i <- in_domain(data, k) & u
    r <- measures[[mn]](data$enroll[i], data$pw[i])
    z <- numeric(nrow(data)); z[i] <- r$z
    des$variables$z <- z
    rows[[length(rows) + 1]] <- data.frame(
      case = dn, measure = mn, grp = domains$grp[k], sx = domains$sx[k], estimate = g17(r$stat),
      variance = g17(as.numeric(SE(svytotal(~z, des)))^2), r_design = taylor[[dn]]$r,
      r_call = "svytotal(~z, des), z the linearised variable in the header (0 outside the domain)")
  }
}
rw <- as.matrix(read.csv(gzfile(file.path(fixdir, "jk1_clus1_repweights.csv.gz"))))
sub <- clus1$has_enroll == 1
rdes <- svrepdesign(data = clus1[sub, ], repweights = rw[sub, ], weights = ~pw, type = "JK1",
                    scale = 14 / 15, mse = FALSE, combined.weights = TRUE)
for (mn in names(measures)) {
  theta <- function(w, data) sapply(seq_len(nrow(domains)), function(k) {
    i <- in_domain(data, k) & w > 0
    measures[[mn]](data$enroll[i], w[i])$stat
  })
  wr <- withReplicates(rdes, theta, return.replicates = TRUE)
  v <- diag(as.matrix(attr(wr$theta, "var")))
  full <- theta(clus1$pw[sub], clus1[sub, ])
  for (k in seq_len(nrow(domains))) {
    rows[[length(rows) + 1]] <- data.frame(
      case = "jk1_clus1", measure = mn, grp = domains$grp[k], sx = domains$sx[k],
      estimate = g17(full[k]), variance = g17(v[k]),
      r_design = "svrepdesign(data=apiclus1.csv[has_enroll == 1, ], repweights=<jk1_clus1_repweights.csv.gz>, weights=~pw, type='JK1', scale=14/15, mse=FALSE, combined.weights=TRUE)",
      r_call = sprintf("withReplicates(rdes, theta, return.replicates=TRUE), theta = %s of every domain (weights > 0)", mn))
  }
}
write.csv(do.call(rbind, rows), file.path(golddir, "inequality.csv"), row.names = FALSE)

lk <- list()
for (dn in names(taylor)) {
  data <- taylor[[dn]]$data
  data <- data[data$has_enroll == 1, ]
  gi <- gini("enroll", weights = "pw", breakdown = "grp", data = data)
  qs <- qsr("enroll", weights = "pw", breakdown = "grp", data = data)
  lk[[length(lk) + 1]] <- data.frame(case = dn, grp = c("_T", as.character(gi$valueByStratum$stratum)),
    gini = g17(c(gi$value, gi$valueByStratum$value) / 100),
    qsr = g17(c(qs$value, qs$valueByStratum$value)),
    r_call = "gini('enroll', weights='pw', breakdown='grp', data=d)/100; qsr('enroll', weights='pw', breakdown='grp', data=d); d = rows with has_enroll == 1")
}
write.csv(do.call(rbind, lk), file.path(golddir, "laeken.csv"), row.names = FALSE)
writeLines(c(R.version.string, paste("survey", packageVersion("survey")),
             paste("laeken", packageVersion("laeken"))), file.path(golddir, "VERSIONS.txt"))
