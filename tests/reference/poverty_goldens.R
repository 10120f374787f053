# Golden values for the share below a data-derived line (at-risk-of-poverty rate), by domain.
#
# Run from the repository root:  Rscript tests/reference/poverty_goldens.R
# Reads tests/fixtures/survey/ (written by survey_goldens.R); writes tests/golden/poverty/*.csv.
# Value: `enroll` among schools with has_enroll == 1; line = 0.6 x weighted median
# (survey's qrule_school, which is laeken's weightedMedian rule), computed over the whole
# universe; rate = weighted share with enroll < line in each domain (grp x sx with totals `_T`).
#
# Replicate design: the line and every domain rate are recomputed with each replicate's
# weights, independently of mhi:   withReplicates(rdes, theta, return.replicates = TRUE)
# Taylor designs: the linearised variable of Deville (1999) / Osier (2009), written out below,
#   z_dk = 1{k in d} (1{y_k < line} - R_d) / N_d - 0.6 f_d(line) / f(M) (1{y_k <= M} - F(M)) / N
# with Gaussian kernel densities f_d(t) = sum_d w K((t - y)/h) / (N_d h), bandwidth
# h = sigma / N^0.2 (sigma the weighted population SD over the universe; R convey's h_fun), and
# F(M) the estimated share at or below the median; its variance is svytotal(~z_d, des).
# laeken's arpr() gives the point estimates independently (laeken.csv).

suppressMessages(library(survey))
suppressMessages(library(laeken))
options(warn = 1)
fixdir <- "tests/fixtures/survey"
golddir <- "tests/golden/poverty"
dir.create(golddir, showWarnings = FALSE)
g17 <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", as.numeric(x)))
share <- 0.6
qrule <- survey:::qrule_school

strat <- read.csv(file.path(fixdir, "apistrat.csv"), stringsAsFactors = FALSE)
clus1 <- read.csv(file.path(fixdir, "apiclus1.csv"), stringsAsFactors = FALSE)
domains <- expand.grid(grp = c("A", "B", "C", "_T"), sx = c("F", "M", "_T"), stringsAsFactors = FALSE)
in_domain <- function(data, k) {
  (domains$grp[k] == "_T" | data$grp == domains$grp[k]) & (domains$sx[k] == "_T" | data$sx == domains$sx[k])
}
rates <- function(w, data) {
  line <- share * qrule(data$enroll, w, 0.5)
  sapply(seq_len(nrow(domains)), function(k) {
    i <- in_domain(data, k)
    sum(w[i] * (data$enroll[i] < line)) / sum(w[i])
  })
}

rows <- list()
contr <- list()  # variance of the difference (group - reference C), sx = _T
pairs <- list(c("A", "C"), c("B", "C"))
# ---- Taylor: linearised variable ----
taylor <- list(
  strat = list(data = strat, r = "svydesign(id=~1, strata=~stype, weights=~pw, fpc=~fpc, data=apistrat.csv)",
               make = function(d) svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = d)),
  clus1 = list(data = clus1, r = "svydesign(id=~dnum, weights=~pw, fpc=~fpc, data=apiclus1.csv)",
               make = function(d) svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = d)))
for (dn in names(taylor)) {
  data <- taylor[[dn]]$data
  u <- data$has_enroll == 1
  y <- ifelse(u, data$enroll, 0)
  w <- ifelse(u, data$pw, 0)
  N <- sum(w)
  M <- qrule(y[u], w[u], 0.5)
  line <- share * M
  sd <- sqrt((sum(w * y * y) - sum(w * y)^2 / N) / N)
  h <- sd / exp(0.2 * log(N))
  fM <- sum(w * dnorm((M - y) / h)) / (N * h)
  FM <- sum(w * (y <= M) * u) / N
  g <- u * ((y <= M) - FM) / N
  des <- taylor[[dn]]$make(data)
  zs <- list()
  for (k in seq_len(nrow(domains))) {
    i <- in_domain(data, k) & u
    Nd <- sum(w[i])
    R <- sum(w[i] * (y[i] < line)) / Nd
    fd <- sum(w[i] * dnorm((line - y[i]) / h)) / (Nd * h)
    z <- ifelse(i, ((y < line) - R) / Nd, 0) - share * fd / fM * g
    des$variables$z <- z
    zs[[paste(domains$grp[k], domains$sx[k])]] <- z
    v <- as.numeric(SE(svytotal(~z, des)))^2
    rows[[length(rows) + 1]] <- data.frame(
      case = dn, grp = domains$grp[k], sx = domains$sx[k], estimate = g17(R), variance = g17(v),
      line = g17(line), median = g17(M), r_design = taylor[[dn]]$r,
      r_call = "svytotal(~z, des) with z the linearised variable in the header")
  }
  for (pr in pairs) {
    des$variables$zd <- zs[[paste(pr[1], "_T")]] - zs[[paste(pr[2], "_T")]]
    contr[[length(contr) + 1]] <- data.frame(case = dn, group = pr[1], reference = pr[2],
      difference_variance = g17(as.numeric(SE(svytotal(~zd, des)))^2),
      r_call = "svytotal(~zd, des), zd = z_group - z_reference (sx = _T)")
  }
}
# ---- Replicate: full recomputation ----
rw <- as.matrix(read.csv(gzfile(file.path(fixdir, "jk1_clus1_repweights.csv.gz"))))
sub <- clus1$has_enroll == 1
rdes <- svrepdesign(data = clus1[sub, ], repweights = rw[sub, ], weights = ~pw, type = "JK1",
                    scale = 14 / 15, mse = FALSE, combined.weights = TRUE)
wr <- withReplicates(rdes, rates, return.replicates = TRUE)
v <- diag(attr(wr$theta, "var"))
if (is.null(v)) v <- diag(as.matrix(vcov(wr)))
full <- rates(clus1$pw[sub], clus1[sub, ])
for (k in seq_len(nrow(domains))) {
  rows[[length(rows) + 1]] <- data.frame(
    case = "jk1_clus1", grp = domains$grp[k], sx = domains$sx[k], estimate = g17(full[k]),
    variance = g17(v[k]), line = g17(share * qrule(clus1$enroll[sub], clus1$pw[sub], 0.5)),
    median = g17(qrule(clus1$enroll[sub], clus1$pw[sub], 0.5)),
    r_design = "svrepdesign(data=apiclus1.csv[has_enroll == 1, ], repweights=<jk1_clus1_repweights.csv.gz>, weights=~pw, type='JK1', scale=14/15, mse=FALSE, combined.weights=TRUE)",
    r_call = "withReplicates(rdes, rates, return.replicates=TRUE); rates(w, data) recomputes the line 0.6*qrule_school(enroll, w, 0.5) and every domain's sum(w*(enroll < line))/sum(w)")
}
diffs <- function(w, data) {
  r <- rates(w, data)
  ix <- function(g) which(domains$grp == g & domains$sx == "_T")
  sapply(pairs, function(pr) r[ix(pr[1])] - r[ix(pr[2])])
}
wd <- withReplicates(rdes, diffs, return.replicates = TRUE)
vd <- diag(as.matrix(attr(wd$theta, "var")))
for (i in seq_along(pairs)) {
  contr[[length(contr) + 1]] <- data.frame(case = "jk1_clus1", group = pairs[[i]][1],
    reference = pairs[[i]][2], difference_variance = g17(vd[i]),
    r_call = "withReplicates(rdes, diffs, return.replicates=TRUE), diffs = rates(group) - rates(reference)")
}
write.csv(do.call(rbind, contr), file.path(golddir, "contrasts.csv"), row.names = FALSE)
write.csv(do.call(rbind, rows), file.path(golddir, "rates.csv"), row.names = FALSE)

# ---- laeken point estimates (independent implementation of arpr) ----
lk <- list()
for (dn in c("strat", "clus1")) {
  data <- taylor[[dn]]$data
  data <- data[data$has_enroll == 1, ]
  a <- arpr("enroll", weights = "pw", breakdown = "grp", data = data, p = 0.6)
  lk[[length(lk) + 1]] <- data.frame(case = dn, grp = c("_T", as.character(a$valueByStratum$stratum)),
    rate = g17(c(a$value, a$valueByStratum$value) / 100), threshold = g17(a$threshold),
    r_call = "arpr('enroll', weights='pw', breakdown='grp', data=data[data$has_enroll == 1, ], p=0.6)")
}
write.csv(do.call(rbind, lk), file.path(golddir, "laeken.csv"), row.names = FALSE)
writeLines(c(R.version.string, paste("survey", packageVersion("survey")),
             paste("laeken", packageVersion("laeken"))), file.path(golddir, "VERSIONS.txt"))

# ---- a line from another variable (`line.of`): value api00, line 0.9 x median(api99) ----
# Taylor: z_dk = 1{k in d}(1{y_k < t} - R_d)/N_d - s f_d^y(t)/f^l(M) (1{l_k <= M} - F^l(M))/N,
# f_d^y the density of the compared value (its own h), f^l that of the line's variable.
share_of <- 0.9
of_rows <- list()
for (dn in names(taylor)) {
  data <- taylor[[dn]]$data
  y <- data$api00; l <- data$api99; w <- data$pw; N <- sum(w)
  M <- qrule(l, w, 0.5); line <- share_of * M
  hfun <- function(v) sqrt((sum(w * v * v) - sum(w * v)^2 / N) / N) / exp(0.2 * log(N))
  hy <- hfun(y); hl <- hfun(l)
  fM <- sum(w * dnorm((M - l) / hl)) / (N * hl)
  g <- ((l <= M) - sum(w * (l <= M)) / N) / N
  des <- taylor[[dn]]$make(data)
  for (k in seq_len(nrow(domains))) {
    i <- in_domain(data, k)
    Nd <- sum(w[i]); R <- sum(w[i] * (y[i] < line)) / Nd
    fd <- sum(w[i] * dnorm((line - y[i]) / hy)) / (Nd * hy)
    des$variables$z <- ifelse(i, ((y < line) - R) / Nd, 0) - share_of * fd / fM * g
    of_rows[[length(of_rows) + 1]] <- data.frame(case = dn, grp = domains$grp[k], sx = domains$sx[k],
      estimate = g17(R), variance = g17(as.numeric(SE(svytotal(~z, des)))^2), line = g17(line),
      r_call = "svytotal(~z, des), z as in the comment above (value api00, line 0.9 x median api99)")
  }
}
rdes_all <- svrepdesign(data = clus1, repweights = rw, weights = ~pw, type = "JK1", scale = 14 / 15,
                        mse = FALSE, combined.weights = TRUE)
rates_of <- function(w, data) {
  line <- share_of * qrule(data$api99, w, 0.5)
  sapply(seq_len(nrow(domains)), function(k) {
    i <- in_domain(data, k)
    sum(w[i] * (data$api00[i] < line)) / sum(w[i])
  })
}
wo <- withReplicates(rdes_all, rates_of, return.replicates = TRUE)
vo <- diag(as.matrix(attr(wo$theta, "var")))
fo <- rates_of(clus1$pw, clus1)
for (k in seq_len(nrow(domains))) {
  of_rows[[length(of_rows) + 1]] <- data.frame(case = "jk1_clus1", grp = domains$grp[k],
    sx = domains$sx[k], estimate = g17(fo[k]), variance = g17(vo[k]),
    line = g17(share_of * qrule(clus1$api99, clus1$pw, 0.5)),
    r_call = "withReplicates(rdes, rates_of, return.replicates=TRUE); rates_of recomputes 0.9*qrule_school(api99, w, 0.5) and sum(w*(api00 < line))/sum(w) per domain")
}
write.csv(do.call(rbind, of_rows), file.path(golddir, "rates_line_of.csv"), row.names = FALSE)
