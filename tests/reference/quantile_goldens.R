# Golden values for mhindicators' quantile estimators, computed with R `survey` svyquantile.
#
# Run from the repository root:  Rscript tests/reference/quantile_goldens.R
# Reads the fixtures of tests/fixtures/survey/ (written by survey_goldens.R) and writes
# tests/golden/quantile/quantiles.csv with %.17g numbers and the exact R call per row.
# Every domain (a level or the total `_T` of grp and sx) is estimated as
#   svyquantile(~y, subset(des, <universe> & <domain>), quantiles = p, qrule = rule,
#               ci = TRUE, interval.type = "mean")
# i.e. the Woodruff interval (R's default) with df = degf(domain design).

suppressMessages(library(survey))
options(warn = 1)
fixdir <- "tests/fixtures/survey"
out <- "tests/golden/quantile/quantiles.csv"
g17 <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", as.numeric(x)))

strat <- read.csv(file.path(fixdir, "apistrat.csv"), stringsAsFactors = FALSE)
clus1 <- read.csv(file.path(fixdir, "apiclus1.csv"), stringsAsFactors = FALSE)
designs <- list(
  strat = list(data = strat, r = "svydesign(id=~1, strata=~stype, weights=~pw, fpc=~fpc, data=apistrat.csv)",
               des = svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = strat)),
  clus1 = list(data = clus1, r = "svydesign(id=~dnum, weights=~pw, fpc=~fpc, data=apiclus1.csv)",
               des = svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = clus1))
)
rw <- as.matrix(read.csv(gzfile(file.path(fixdir, "jk1_clus1_repweights.csv.gz"))))
designs$jk1_clus1 <- list(
  data = clus1,
  r = "svrepdesign(data=apiclus1.csv, repweights=<jk1_clus1_repweights.csv.gz>, weights=~pw, type='JK1', scale=14/15, mse=FALSE, combined.weights=TRUE)",
  des = svrepdesign(data = clus1, repweights = rw, weights = ~pw, type = "JK1", scale = 14 / 15,
                    mse = FALSE, combined.weights = TRUE))
vars <- list(api00 = list(y = "api00", universe = NULL),
             enroll = list(y = "enroll", universe = "has_enroll == 1"))
rules <- c("math", "school", "hf1", "hf2", "hf4", "hf5", "hf6", "hf7", "hf8", "hf9")
probs <- c(0.1, 0.5, 0.9)
domains <- expand.grid(grp = c("A", "B", "C", "_T"), sx = c("F", "M", "_T"), stringsAsFactors = FALSE)
rows <- list()
for (dn in names(designs)) {
  d <- designs[[dn]]
  for (vn in names(vars)) {
    v <- vars[[vn]]
    for (k in seq_len(nrow(domains))) {
      cond <- c(v$universe,
                if (domains$grp[k] != "_T") sprintf("grp == '%s'", domains$grp[k]),
                if (domains$sx[k] != "_T") sprintf("sx == '%s'", domains$sx[k]))
      cond <- if (length(cond)) paste(cond, collapse = " & ") else "TRUE"
      sub <- eval(parse(text = sprintf("subset(d$des, %s)", cond)))
      for (rule in rules) for (p in probs) {
        call <- sprintf("svyquantile(~%s, subset(des, %s), quantiles=%s, qrule='%s', ci=TRUE, interval.type='mean')",
                        v$y, cond, p, rule)
        r <- svyquantile(as.formula(paste0("~", v$y)), sub, quantiles = p, qrule = rule, ci = TRUE,
                         interval.type = "mean")[[1]]
        rows[[length(rows) + 1]] <- data.frame(
          case = dn, variable = vn, grp = domains$grp[k], sx = domains$sx[k], rule = rule, p = p,
          quantile = g17(r[1, 1]), ci_lower = g17(r[1, 2]), ci_upper = g17(r[1, 3]), se = g17(r[1, 4]),
          df = g17(degf(sub)), r_design = d$r, r_call = call)
      }
    }
  }
}
res <- do.call(rbind, rows)
write.csv(res, out, row.names = FALSE)
writeLines(c(R.version.string, paste("survey", packageVersion("survey"))),
           "tests/golden/quantile/VERSIONS.txt")

# ---- contrasts: variance of (median of group) - (median of C), sx = _T, api00, rule math ----
# Taylor: linearised quantile z_k = -(1{y_k <= q_d} - F_d) / (f_d(q_d) N_d) on the domain's rows,
# f_d a Gaussian kernel density with h_d = sd_d / N_d^0.2 (weighted population SD of the
# domain; R convey's h_fun on the domain), F_d the share at or below q_d; var of svytotal(~zg - zr).
# Replicate: withReplicates recomputing both medians (qrule_math on the rows with weight > 0).
qmath <- survey:::qrule_math
lin_q <- function(data, i, p = 0.5) {
  y <- data$api00; w <- data$pw
  q <- qmath(y[i], w[i], p); N <- sum(w[i])
  Fd <- sum(w[i] * (y[i] <= q)) / N
  sd <- sqrt(sum(w[i] * y[i]^2) / N - (sum(w[i] * y[i]) / N)^2); h <- sd / exp(0.2 * log(N))
  f <- sum(w[i] * dnorm((q - y[i]) / h)) / (N * h)
  ifelse(i, -((y <= q) - Fd) / (f * N), 0)
}
grp_i <- function(data, g) data$grp == g
crow <- list()
for (dn in c("strat", "clus1")) {
  d <- designs[[dn]]
  for (g in c("A", "B")) {
    d$des$variables$zd <- lin_q(d$data, grp_i(d$data, g)) - lin_q(d$data, grp_i(d$data, "C"))
    crow[[length(crow) + 1]] <- data.frame(case = dn, group = g, reference = "C",
      difference_variance = g17(as.numeric(SE(svytotal(~zd, d$des)))^2),
      r_call = "svytotal(~zd, des), zd = z_group - z_C, z the linearised quantile above")
  }
}
qdiff <- function(w, data) sapply(c("A", "B"), function(g) {
  i <- data$grp == g & w > 0; j <- data$grp == "C" & w > 0
  qmath(data$api00[i], w[i], 0.5) - qmath(data$api00[j], w[j], 0.5)
})
wq <- withReplicates(designs$jk1_clus1$des, qdiff, return.replicates = TRUE)
vq <- diag(as.matrix(attr(wq$theta, "var")))
for (k in 1:2) {
  crow[[length(crow) + 1]] <- data.frame(case = "jk1_clus1", group = c("A", "B")[k], reference = "C",
    difference_variance = g17(vq[k]),
    r_call = "withReplicates(rdes, qdiff, return.replicates=TRUE), qdiff = median(group) - median(C), qrule_math")
}
write.csv(do.call(rbind, crow), "tests/golden/quantile/contrasts.csv", row.names = FALSE)
