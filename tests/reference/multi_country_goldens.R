# National goldens of the multi-country example (examples/multi_country/), from R.
#
# Run from the repository root:  Rscript tests/reference/multi_country_goldens.R
# Needs: survey, epitools, foreign. Writes tests/golden/multi_country/{mar,swe}.csv (numbers as
# %.17g) with the R versions and calls in CALLS.txt. Everything below re-derives the canonical
# variables from the raw national columns, written out here independently of mhi, following
# examples/multi_country/{mar/ehm_2024,swe/*}.profile.yaml.
#
# MAR (SPSS file read with foreign::read.spss, codes not labels): design
#   svrepdesign(weights = ~POIDS, repweights = "REP[0-9]+", type = "bootstrap",
#               combined.weights = TRUE)            # scale 1/(R-1), mse = FALSE (R defaults)
# citizenship_status: NATIONALITE 504 citizen, 999 unknown (missing code), other foreign_citizen.
# Indicators (tests/fixtures/multi_country/mar_defs, = the MAR national variants resolved):
#   mar_unmet_medical_need         universe AGE >= 15; y = need 1 and reason in 1,2,3
#                                  (cost, distance, waiting list); need 9 / NA -> missing
#   mar_self_perceived_health_bad  universe AGE >= 15; y = ETAT_SANTE in 4,5; 9 / NA -> missing
#   mar_health_coverage            all ages; y = COUVERTURE_AMO == 1; 9 -> missing
# Each domain (citizenship group, and the total) is a subset() of the full design (universe and
# non-missing outcome); estimate and SE from svyby(svymean); CI svyciprop(method = "logit")
# (the IRLS stops at a relative deviance change < 1e-8, so bounds agree to ~1e-7 only).
# Contrast: svycontrast(svyby(..., covmat = TRUE), foreign_citizen - citizen).
#
# SWE (registers, 2022-2024 pooled: events and person-years summed):
#   mort_asmr_by_cob by nativity (FODELSELAND == "SWE"), sex total and each sex:
#     epitools::ageadjust.direct(count, pop, stdpop = ESP 2013 in the definition's 18 bands)
#     (ESP 2013 weights from src/mhindicators/stdpop/esp_2013.csv, bands 0 + 1-4 merged and
#     85-89, 90-94, 95+ merged); se = sqrt(sum w^2 d / n^2), w = weights / sum(weights)
#   sdg_3_4_2_suicide_rate by migratory_status (nativity x citizenship MEDBORGARSKAP == "SWE"),
#     all ages and sexes: rate = d / n; poisson.test(d)$conf.int / n (Garwood); se = sqrt(d) / n
#   differences vs the reference group: normal, var = var_group + var_reference (mhi's
#     documented rate_difference / dsr_difference, docs/methods-registry.md)
# All rates per 100,000.

suppressPackageStartupMessages({library(survey); library(epitools); library(foreign)})
options(warn = 1)
out <- "tests/golden/multi_country"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
g17 <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", as.numeric(x)))
write_golden <- function(df, name) {
  num <- vapply(df, is.numeric, logical(1))
  df[num] <- lapply(df[num], g17)
  write.csv(df, file.path(out, name), row.names = FALSE, quote = TRUE)
}

# ------------------------------------------------------------------------------------ MAR ----
d <- read.spss("examples/multi_country/mar/ehm_2024.sav", to.data.frame = TRUE,
               use.value.labels = FALSE)
stopifnot(nrow(d) == 2400)
d$cit <- ifelse(d$NATIONALITE == 999, "unknown",
                ifelse(d$NATIONALITE == 504, "citizen", "foreign_citizen"))
need <- ifelse(d$BESOIN_NON_SATISFAIT_6M %in% c(1, 2), d$BESOIN_NON_SATISFAIT_6M, NA)
d$y_unmet <- ifelse(is.na(need), NA, need == 1 & d$RAISON %in% c(1, 2, 3))
d$y_bad <- ifelse(d$ETAT_SANTE %in% 1:5, d$ETAT_SANTE %in% c(4, 5), NA)
d$y_cov <- ifelse(d$COUVERTURE_AMO %in% c(1, 2), d$COUVERTURE_AMO == 1, NA)
des <- svrepdesign(data = d, weights = ~POIDS, repweights = "REP[0-9]+", type = "bootstrap",
                   combined.weights = TRUE)

mar_rows <- list()
mar_con <- list()
for (ind in list(list("mar_unmet_medical_need", "y_unmet", 15),
                 list("mar_self_perceived_health_bad", "y_bad", 15),
                 list("mar_health_coverage", "y_cov", 0))) {
  id <- ind[[1]]; y <- ind[[2]]; age_min <- ind[[3]]
  des$variables$yy <- as.numeric(des$variables[[y]])
  dom <- subset(des, AGE >= age_min & !is.na(yy))
  for (g in c("citizen", "foreign_citizen", "unknown", "_T")) {
    sub <- if (g == "_T") dom else subset(dom, cit == g)
    m <- svymean(~yy, sub)
    ci <- svyciprop(~yy, sub, method = "logit")
    mar_rows[[length(mar_rows) + 1]] <- data.frame(
      indicator_id = id, citizenship_status = g, estimate = 100 * coef(m)[[1]],
      se = 100 * SE(m)[[1]], ci_lower = 100 * confint(ci)[1], ci_upper = 100 * confint(ci)[2],
      df = degf(sub), n_unweighted = nrow(sub$variables),
      call = "svymean(~yy, subset(des, universe & !is.na(yy) [& cit == g])); svyciprop(logit)")
  }
  by <- svyby(~yy, ~cit, dom, svymean, covmat = TRUE)
  con <- svycontrast(by, quote(foreign_citizen - citizen))
  mar_con[[length(mar_con) + 1]] <- data.frame(
    indicator_id = id, group = "foreign_citizen", reference = "citizen",
    difference = 100 * coef(con)[[1]], difference_se = 100 * SE(con)[[1]],
    call = "svycontrast(svyby(~yy, ~cit, dom, svymean, covmat = TRUE), foreign_citizen - citizen)")
}
write_golden(do.call(rbind, mar_rows), "mar_estimates.csv")
write_golden(do.call(rbind, mar_con), "mar_contrasts.csv")

# ------------------------------------------------------------------------------------ SWE ----
pop <- read.csv("examples/multi_country/swe/population.csv")
dth <- read.csv("examples/multi_country/swe/deaths.csv")
bands <- c(paste0("Y", seq(0, 80, 5), "T", seq(4, 84, 5)), "Y_GE85")
std <- read.csv("src/mhindicators/stdpop/esp_2013.csv", comment.char = "#")
std$b <- pmin(floor(std$lower / 5), 17) + 1
w <- tapply(std$weight, std$b, sum)
stopifnot(length(w) == 18, abs(sum(w) - 1e5) < 1e-6)
wn <- as.numeric(w / sum(w))
pop$nat <- ifelse(pop$FODELSELAND == "SWE", "native_born", "foreign_born")
dth$nat <- ifelse(dth$FODELSELAND == "SWE", "native_born", "foreign_born")
swe <- list()
dsr <- function(sel_d, sel_p) {
  dd <- as.numeric(table(factor(dth$ALDER5[sel_d], levels = bands)))
  nn <- as.numeric(tapply(pop$FOLKMANGD[sel_p], factor(pop$ALDER5[sel_p], levels = bands), sum))
  a <- ageadjust.direct(count = dd, pop = nn, stdpop = as.numeric(w))
  list(est = 1e5 * a[["adj.rate"]], lo = 1e5 * a[["lci"]], hi = 1e5 * a[["uci"]],
       var = sum(wn^2 * dd / nn^2), d = sum(dd), n = sum(nn))
}
for (sx in c("_T", "1", "2")) {
  res <- list()
  for (g in c("native_born", "foreign_born")) {
    sd <- dth$nat == g & (sx == "_T" | dth$KON == suppressWarnings(as.integer(sx)))
    sp <- pop$nat == g & (sx == "_T" | pop$KON == suppressWarnings(as.integer(sx)))
    r <- dsr(sd, sp)
    res[[g]] <- r
    swe[[length(swe) + 1]] <- data.frame(
      indicator_id = "mort_asmr_by_cob", group = g, sex = c("_T" = "_T", "1" = "M", "2" = "F")[[sx]],
      estimate = r$est, se = 1e5 * sqrt(r$var), ci_lower = r$lo, ci_upper = r$hi,
      events = r$d, population = r$n, difference = NA, difference_se = NA,
      call = "ageadjust.direct(count, pop, stdpop = ESP2013 18 bands)")
  }
  i <- length(swe)
  swe[[i]]$difference <- res$foreign_born$est - res$native_born$est
  swe[[i]]$difference_se <- 1e5 * sqrt(res$foreign_born$var + res$native_born$var)
}
pop$ms <- paste0(pop$nat, ifelse(pop$MEDBORGARSKAP == "SWE", "_citizen", "_noncitizen"))
dth$ms <- paste0(dth$nat, ifelse(dth$MEDBORGARSKAP == "SWE", "_citizen", "_noncitizen"))
ref_d <- sum(dth$ms == "native_born_citizen" & dth$DODSORSAK == "X70")
ref_n <- sum(pop$FOLKMANGD[pop$ms == "native_born_citizen"])
for (g in c("native_born_citizen", "foreign_born_citizen", "foreign_born_noncitizen", "_T")) {
  dd <- sum((g == "_T" | dth$ms == g) & dth$DODSORSAK == "X70")
  nn <- sum(pop$FOLKMANGD[g == "_T" | pop$ms == g])
  ci <- poisson.test(dd)$conf.int / nn
  diff <- if (g %in% c("_T", "native_born_citizen")) NA else 1e5 * (dd / nn - ref_d / ref_n)
  dse <- if (is.na(diff)) NA else 1e5 * sqrt(dd / nn^2 + ref_d / ref_n^2)
  swe[[length(swe) + 1]] <- data.frame(
    indicator_id = "sdg_3_4_2_suicide_rate", group = g, sex = "_T", estimate = 1e5 * dd / nn,
    se = 1e5 * sqrt(dd) / nn, ci_lower = 1e5 * ci[1], ci_upper = 1e5 * ci[2], events = dd,
    population = nn, difference = diff, difference_se = dse,
    call = "poisson.test(d)$conf.int / n")
}
write_golden(do.call(rbind, swe), "swe.csv")

writeLines(c(
  "# generated by tests/reference/multi_country_goldens.R -- do not edit by hand",
  paste0("# ", R.version.string, "; survey ", packageVersion("survey"), "; epitools ",
         packageVersion("epitools"), "; foreign ", packageVersion("foreign")),
  "# MAR: svrepdesign(weights = ~POIDS, repweights = 'REP[0-9]+', type = 'bootstrap', combined.weights = TRUE)",
  "# MAR: svymean / svyciprop(method = 'logit') on subset(design, universe & !is.na(y) [& group])",
  "# MAR: svycontrast(svyby(~y, ~cit, dom, svymean, covmat = TRUE), quote(foreign_citizen - citizen))",
  "# SWE: epitools::ageadjust.direct(count, pop, stdpop = ESP 2013, 18 bands); poisson.test(d)$conf.int / n"
), file.path(out, "CALLS.txt"))
