# End-to-end goldens for the distribution indicators of the catalogue on the shipped sample
# survey (sample_data/survey/nhs_2024.csv), computed in plain R from the raw columns.
#
# Run from the repository root:  Rscript tests/reference/sample_distribution_goldens.R
# Writes tests/golden/sample_distribution/estimates.csv (%.17g, the R call per row). Domains:
# each migratory status and the overall total (sex = _T). Derivations as in
# sample_survey_goldens.R (copied below). Design:
#   svydesign(ids = ~UPM, strata = ~ESTRATO, weights = ~FACTOR, data = nhs, nest = FALSE)
# Indicators (definitions in indicator_defs/):
#   fp_oop_spending_median: svyquantile(~GASTO_SANITARIO_HOGAR, subset(des, u & domain), 0.5,
#     qrule = "math", ci = TRUE), u = GASTO_CONSUMO_HOGAR > 0 and spending known
#   eu_arop_rate (age >= 18, 0.6) and sdg_10_2_1_below_half_median (all ages, 0.5): share with
#     RENTA_EQUIV < share x qrule_school median over the universe; SE of svytotal(~z) for the
#     linearised variable z of tests/reference/poverty_goldens.R; x 100 (percent)
#   fp_oop_below_relative_line: consumption - spending below 0.6 x median consumption (line.of)
#   eu_gini_income, eu_income_quintile_share_ratio: the statistic and SE of svytotal(~z) with the
#     linearised variables of tests/reference/inequality_goldens.R
suppressMessages(library(survey))
options(warn = 1)
golddir <- "tests/golden/sample_distribution"
dir.create(golddir, showWarnings = FALSE, recursive = TRUE)
g17 <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", as.numeric(x)))

raw <- read.csv("sample_data/survey/nhs_2024.csv")
stopifnot(nrow(raw) == 9641)

# ------------------------------------------------------------ derivation ----
# missing_codes -> NA (blank cells are NA already)
na_codes <- function(x, codes) ifelse(x %in% codes, NA, x)

# sex: SEXO 1 M, 2 F
stopifnot(all(raw$SEXO %in% c(1, 2)))
raw$sex <- c("M", "F")[raw$SEXO]

# age band [[0, 17], [18, 44], [45, 64], [65, null]] -> Y0T17, Y18T44, Y45T64, Y_GE65
stopifnot(!anyNA(raw$EDAD), all(raw$EDAD >= 0))
raw$age_group <- ifelse(raw$EDAD <= 17, "Y0T17",
                 ifelse(raw$EDAD <= 44, "Y18T44",
                 ifelse(raw$EDAD <= 64, "Y45T64", "Y_GE65")))

# country of birth / citizenship: UN M49 numeric. The profile's recode maps every code present to
# its ISO alpha-3; only 724 (ESP, the reporting country), 995 (XXA, stateless, citizenship only)
# and 999 (missing code) matter for the derivations. Check no other code is unmapped.
m49 <- c(12, 32, 68, 156, 170, 214, 218, 250, 276, 340, 380, 504, 566, 586, 604, 642, 686, 724,
         804, 826, 862)
cob <- na_codes(raw$PAIS_NAC, 999)
cit <- na_codes(raw$NACIONALIDAD, 999)
stopifnot(all(is.na(cob) | cob %in% m49), all(is.na(cit) | cit %in% c(m49, 995)))
nativity <- ifelse(is.na(cob), "unknown", ifelse(cob == 724, "native_born", "foreign_born"))
citizenship_status <- ifelse(is.na(cit), "unknown",
                      ifelse(cit == 724, "citizen",
                      ifelse(cit == 995, "stateless", "foreign_citizen")))
# migratory status = nativity x citizenship; stateless = non-citizen; unknown if either unknown
ms <- ifelse(nativity == "unknown" | citizenship_status == "unknown", "unknown",
             paste0(nativity, "_", ifelse(citizenship_status == "citizen", "citizen", "noncitizen")))
ms_levels <- c("native_born_citizen", "native_born_noncitizen", "foreign_born_citizen",
               "foreign_born_noncitizen", "unknown")
raw$migratory_status <- factor(ms, levels = ms_levels)
raw$sex <- factor(raw$sex, levels = c("F", "M"))
raw$age_group <- factor(raw$age_group, levels = c("Y0T17", "Y18T44", "Y45T64", "Y_GE65"))

# has_health_insurance: SEGURO_SALUD 1 true, 2 false; 77, 99 missing
ins <- na_codes(raw$SEGURO_SALUD, c(77, 99))
stopifnot(all(is.na(ins) | ins %in% c(1, 2)))
raw$y_coverage <- ifelse(is.na(ins), NA, as.numeric(ins == 1))
raw$u_coverage <- TRUE

# household_consumption: GASTO_CONSUMO_HOGAR; household_health_spending: GASTO_SANITARIO_HOGAR
# (no recode, no missing codes; blank = NA). Universe household_consumption > 0 (unknown -> out).
cons <- raw$GASTO_CONSUMO_HOGAR
spend <- raw$GASTO_SANITARIO_HOGAR
raw$u_hh <- !is.na(cons) & cons > 0
raw$y_che10 <- ifelse(is.na(spend) | is.na(cons), NA, as.numeric(spend > 0.10 * cons))
raw$y_share <- ifelse(raw$u_hh, spend / cons, NA)

design_call <- paste0("svydesign(ids = ~UPM, strata = ~ESTRATO, weights = ~FACTOR, ",
                      "data = nhs, nest = FALSE)")
des <- svydesign(ids = ~UPM, strata = ~ESTRATO, weights = ~FACTOR, data = raw, nest = FALSE)
qrule_school <- survey:::qrule_school
inc <- raw$RENTA_EQUIV
spend_u <- raw$u_hh & !is.na(spend)
levels_ms <- c(ms_levels, "_T")
in_ms <- function(g) if (g == "_T") rep(TRUE, nrow(raw)) else raw$migratory_status == g
rows <- list()
add <- function(id, g, est, se, lo = NA, hi = NA, call) {
  rows[[length(rows) + 1]] <<- data.frame(indicator_id = id, migratory_status = g,
    estimate = g17(est), se = g17(se), ci_lower = g17(lo), ci_upper = g17(hi), r_call = call)
}
# ---- median out-of-pocket spending ----
for (g in levels_ms) {
  sub <- subset(des, spend_u & in_ms(g))
  r <- svyquantile(~GASTO_SANITARIO_HOGAR, sub, 0.5, qrule = "math", ci = TRUE)[[1]]
  add("fp_oop_spending_median", g, r[1, 1], r[1, 4], r[1, 2], r[1, 3],
      sprintf("svyquantile(~GASTO_SANITARIO_HOGAR, subset(des, u & ms == '%s'), 0.5, qrule='math', ci=TRUE)", g))
}
# ---- relative lines ----
line_rate <- function(id, u, share) {
  y <- ifelse(u, inc, 0); w <- ifelse(u, weights(des), 0); N <- sum(w)
  M <- qrule_school(y[u], w[u], 0.5); line <- share * M
  sd <- sqrt((sum(w * y * y) - sum(w * y)^2 / N) / N); h <- sd / exp(0.2 * log(N))
  fM <- sum(w * dnorm((M - y) / h)) / (N * h)
  g0 <- u * ((y <= M) - sum(w * (y <= M) * u) / N) / N
  for (g in levels_ms) {
    i <- u & in_ms(g); Nd <- sum(w[i])
    R <- sum(w[i] * (y[i] < line)) / Nd
    fd <- sum(w[i] * dnorm((line - y[i]) / h)) / (Nd * h)
    des$variables$z <- ifelse(i, ((y < line) - R) / Nd, 0) - share * fd / fM * g0
    add(id, g, 100 * R, 100 * SE(svytotal(~z, des))[[1]],
        call = sprintf("line %s x median; svytotal(~z, des), z linearised (poverty_goldens.R)", share))
  }
}
known <- !is.na(inc)
line_rate("eu_arop_rate", known & raw$EDAD >= 18, 0.6)
# fp_oop_below_relative_line: value = consumption - spending, line = 0.6 x median consumption
# (line.of), universe consumption > 0 with spending known; each variable its own bandwidth
local({
  u <- spend_u; w <- ifelse(u, weights(des), 0); N <- sum(w)
  y <- ifelse(u, cons - spend, 0); l <- ifelse(u, cons, 0)
  M <- qrule_school(l[u], w[u], 0.5); line <- 0.6 * M
  hf <- function(v) sqrt((sum(w * v * v) - sum(w * v)^2 / N) / N) / exp(0.2 * log(N))
  hy <- hf(y); hl <- hf(l)
  fM <- sum(w * dnorm((M - l) / hl)) / (N * hl)
  g0 <- u * ((l <= M) - sum(w * (l <= M) * u) / N) / N
  for (g in levels_ms) {
    i <- u & in_ms(g); Nd <- sum(w[i])
    R <- sum(w[i] * (y[i] < line)) / Nd
    fd <- sum(w[i] * dnorm((line - y[i]) / hy)) / (Nd * hy)
    des$variables$z <- ifelse(i, ((y < line) - R) / Nd, 0) - 0.6 * fd / fM * g0
    add("fp_oop_below_relative_line", g, 100 * R, 100 * SE(svytotal(~z, des))[[1]],
        call = "line 0.6 x median consumption; value consumption - spending; svytotal(~z, des)")
  }
})
line_rate("sdg_10_2_1_below_half_median", known, 0.5)
# ---- Gini and S80/S20 ----
gini_z <- function(y, w) {
  o <- order(y); ys <- y[o]; ws <- w[o]; N <- sum(w); Y <- sum(w * y)
  G <- (2 * sum(ws * ys * cumsum(ws)) - sum(ws^2 * ys)) / (N * Y) - 1
  Nk <- sapply(y, function(v) sum(w[y <= v])); Yk <- sapply(y, function(v) sum((w * y)[y <= v]))
  list(stat = G, z = (2 * (Nk * y - Yk) + Y - N * y - G * (Y + y * N)) / (N * Y))
}
qsr_z <- function(y, w) {
  q20 <- qrule_school(y, w, 0.2); q80 <- qrule_school(y, w, 0.8)
  t20 <- sum(w * y * (y <= q20)); R <- sum(w * y * (y > q80)) / t20
  u20 <- (y - q20) * (y <= q20) + 0.2 * q20; u80 <- (y - q80) * (y <= q80) + 0.8 * q80
  list(stat = R, z = (y - u80 - R * u20) / t20)
}
for (m in list(list("eu_gini_income", gini_z), list("eu_income_quintile_share_ratio", qsr_z))) {
  for (g in levels_ms) {
    i <- known & in_ms(g)
    r <- m[[2]](inc[i], weights(des)[i])
    z <- numeric(nrow(raw)); z[i] <- r$z
    des$variables$z <- z
    add(m[[1]], g, r$stat, SE(svytotal(~z, des))[[1]],
        call = "statistic of the domain; svytotal(~z, des), z linearised (inequality_goldens.R)")
  }
}
write.csv(do.call(rbind, rows), file.path(golddir, "estimates.csv"), row.names = FALSE)

# ---- contrasts of the median spending vs native_born_citizen (sx = _T) ----
# linearised quantile z = -(1{y <= q_d} - F_d) / (f_d(q_d) N_d), Gaussian kernel with
# h_d = sd_d / N_d^0.2 of the domain (tests/reference/quantile_goldens.R); var of svytotal(~zg - zr)
y <- ifelse(spend_u, spend, 0)
lin_q <- function(i) {
  w <- weights(des)
  q <- survey:::qrule_math(y[i], w[i], 0.5); N <- sum(w[i])
  Fd <- sum(w[i] * (y[i] <= q)) / N
  sd <- sqrt(sum(w[i] * y[i]^2) / N - (sum(w[i] * y[i]) / N)^2); h <- sd / exp(0.2 * log(N))
  f <- sum(w[i] * dnorm((q - y[i]) / h)) / (N * h)
  list(q = q, z = ifelse(i, -((y <= q) - Fd) / (f * N), 0))
}
ref <- lin_q(spend_u & in_ms("native_born_citizen"))
crow <- list()
for (g in setdiff(ms_levels, "native_born_citizen")) {
  gr <- lin_q(spend_u & in_ms(g))
  des$variables$zd <- gr$z - ref$z
  crow[[length(crow) + 1]] <- data.frame(indicator_id = "fp_oop_spending_median", group = g,
    difference = g17(gr$q - ref$q), difference_se = g17(SE(svytotal(~zd, des))[[1]]),
    r_call = "svytotal(~zd, des), zd = z_group - z_native_born_citizen (linearised medians)")
}
write.csv(do.call(rbind, crow), file.path(golddir, "contrasts.csv"), row.names = FALSE)
