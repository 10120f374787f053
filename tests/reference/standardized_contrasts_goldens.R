# Goldens for contrasts of directly age-standardised survey estimates, computed with R `survey`.
#
# Run from the repository root:  Rscript tests/reference/standardized_contrasts_goldens.R
# Reads sample_data/survey/nhs_2024.csv and re-derives, in plain R and independently of mhi, the
# canonical variables (as tests/reference/sample_survey_goldens.R does; the profile is
# sample_data/survey/nhs_2024.profile.yaml). The indicators are two sample-survey indicators made
# age-standardised by tests/test_standardized_contrasts_golden.py (temporary definitions):
#   std_health_coverage   proportion, numerator has_health_insurance == true (77, 99 missing)
#   std_oop_budget_share  mean of household_health_spending / household_consumption,
#                         universe household_consumption > 0
# both with disaggregate_by [migratory_status, sex], age_groups [[0,19],[20,44],[45,64],[65,null]],
# standardize {by: age_group, standard: esp_2013} (ESP 2013 weights summed into those bands:
# 21,500 / 32,500 / 26,500 / 19,500 of 100,000; read from src/mhindicators/stdpop/esp_2013.csv),
# reference_group {migratory_status: native_born_citizen}.
#
# Per indicator, with sub = subset(des, <universe> & !is.na(y)):
#   sd <- svystandardize(sub, by = ~age_group, over = ~migratory_status + sex | ~migratory_status
#                        | ~sex | ~1, population = P)
#   svyby(~y, <over>, sd, svymean)                      (svymean(~y, sd) for over = ~1)
#   joint covariance of the group means: svyratio(~num1 + ..., ~den1 + ..., sd, covmat = TRUE)
#   with num_i = y * [group i], den_i = [group i] -- the same ratio linearisation svyby uses;
#   svyby(covmat = TRUE) itself stops on post-stratified designs in survey 4.1.1 ("number of
#   items to replace is not a multiple of replacement length"). The script checks that the
#   svyratio estimates and SEs equal svyby's (1e-12, 1e-10).
#   difference: svycontrast(by, quote(`g` - `ref`)); ratio: svycontrast(by, quote(`g` / `ref`));
#   intervals with mhi's documented convention: df = min(degf(dom_g), degf(dom_ref)) of the
#   group domains; difference: confint(., df = df); ratio: exp(confint(svycontrast(by,
#   quote(log(`g` / `ref`))), df = df)). Standardised rows: estimate, SE; the interval is
#   svyciprop(~y, subset(sd, dom), method = "xlogit") (proportion; mhi's logit interval on a
#   standardised estimate is the delta-method one) or confint(svymean(~y, subset(sd, dom)),
#   df = degf) (mean), df = degf(subset(sd, dom)).
# native_born_noncitizen has empty age cells (no one aged 45+), where svystandardize cannot
# standardise (R's svyby stops; mhi reports NaN with status empty-age-band): the by-group tables
# use sub minus that group (a domain subset, so the other groups' estimates and their joint
# linearisation are unchanged); margins over migratory status use all of sub.

suppressMessages(library(survey))
options(warn = 1, survey.lonely.psu = "fail")

golddir <- "tests/golden/sample_survey_standardized"
dir.create(golddir, showWarnings = FALSE, recursive = TRUE)
g17 <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", as.numeric(x)))

raw <- read.csv("sample_data/survey/nhs_2024.csv")
stopifnot(nrow(raw) == 9641, all(raw$SEXO %in% c(1, 2)), !anyNA(raw$EDAD))
na_codes <- function(x, codes) ifelse(x %in% codes, NA, x)
raw$sex <- factor(c("M", "F")[raw$SEXO], levels = c("F", "M"))
bands <- list(c(0, 19), c(20, 44), c(45, 64), c(65, NA))
band_names <- c("Y0T19", "Y20T44", "Y45T64", "Y_GE65")
raw$age_group <- factor(cut(raw$EDAD, c(-1, 19, 44, 64, Inf), labels = band_names),
                        levels = band_names)
cob <- na_codes(raw$PAIS_NAC, 999)
cit <- na_codes(raw$NACIONALIDAD, 999)
nativity <- ifelse(is.na(cob), "unknown", ifelse(cob == 724, "native_born", "foreign_born"))
citizen <- ifelse(is.na(cit), NA, cit == 724)  # 995 stateless counts as non-citizen
ms <- ifelse(nativity == "unknown" | is.na(citizen), "unknown",
             paste0(nativity, "_", ifelse(citizen, "citizen", "noncitizen")))
raw$migratory_status <- factor(ms, levels = c("native_born_citizen", "native_born_noncitizen",
                                              "foreign_born_citizen", "foreign_born_noncitizen",
                                              "unknown"))
ins <- na_codes(raw$SEGURO_SALUD, c(77, 99))
stopifnot(all(is.na(ins) | ins %in% c(1, 2)))
raw$y_coverage <- ifelse(is.na(ins), NA, as.numeric(ins == 1))
raw$u_coverage <- TRUE
cons <- raw$GASTO_CONSUMO_HOGAR
raw$u_hh <- !is.na(cons) & cons > 0
raw$y_share <- ifelse(raw$u_hh, raw$GASTO_SANITARIO_HOGAR / cons, NA)

esp <- read.csv("src/mhindicators/stdpop/esp_2013.csv", comment.char = "#")
P <- vapply(bands, function(b) sum(esp$weight[esp$lower >= b[1] &
                                              (is.na(b[2]) | (!is.na(esp$upper) & esp$upper <= b[2]))]), 0)
stopifnot(sum(P) == 1e5)

des <- svydesign(ids = ~UPM, strata = ~ESTRATO, weights = ~FACTOR, data = raw, nest = FALSE)
ref <- "native_born_citizen"
empty_group <- "native_born_noncitizen"
indicators <- list(
  list(id = "std_health_coverage", estimator = "proportion", y = "y_coverage", u = "u_coverage"),
  list(id = "std_oop_budget_share", estimator = "mean", y = "y_share", u = "u_hh"))
overs <- list(c("migratory_status", "sex"), "migratory_status", "sex", character(0))
fml <- function(v) as.formula(paste("~", paste(v, collapse = " + ")))
pop_txt <- paste0("c(", paste(P, collapse = ", "), ")")

est_rows <- list(); con_rows <- list()
for (ind in indicators) {
  y <- ind$y
  sub <- subset(des, get(ind$u) & !is.na(get(y)))
  sub_txt <- sprintf("subset(des, %s & !is.na(%s))", ind$u, y)
  for (over in overs) {
    by_group <- "migratory_status" %in% over
    base <- if (by_group) subset(sub, migratory_status != empty_group) else sub
    base_txt <- if (by_group) sprintf("subset(%s, migratory_status != '%s')", sub_txt, empty_group)
                else sub_txt
    ofml <- if (length(over)) fml(over) else ~1
    sd <- svystandardize(base, by = ~age_group, over = ofml, population = P)
    sd_txt <- sprintf("svystandardize(%s, by = ~age_group, over = %s, population = %s)",
                      base_txt, deparse(ofml), pop_txt)
    if (length(over)) {
      b0 <- svyby(fml(y), fml(over), sd, svymean)
      lab <- b0[, over, drop = FALSE]
      lab[] <- lapply(lab, as.character)
      est <- coef(b0); se <- SE(b0)
      # joint covariance of the group means: svyratio(covmat = TRUE) of y * [group] over [group]
      # (svyby(covmat = TRUE) stops on post-stratified designs in survey 4.1.1)
      k <- length(est)
      for (i in seq_len(k)) {
        inside <- rep(TRUE, nrow(sd))
        for (v in over) inside <- inside & as.character(sd$variables[[v]]) == lab[i, v]
        sd$variables[[paste0("num", i)]] <- sd$variables[[y]] * inside
        sd$variables[[paste0("den", i)]] <- as.numeric(inside)
      }
      rt <- svyratio(fml(paste0("num", 1:k)), fml(paste0("den", 1:k)), sd, covmat = TRUE)
      pick <- paste0("num", 1:k, "/den", 1:k)
      v <- vcov(rt)[pick, pick]
      stopifnot(isTRUE(all.equal(unname(coef(rt)[pick]), unname(est), tolerance = 1e-12)),
                isTRUE(all.equal(unname(sqrt(diag(v))), unname(se), tolerance = 1e-10)))
      dimnames(v) <- list(names(est), names(est))
      b <- structure(est, var = v, statistic = "mean", class = "svystat")
      call <- sprintf(paste0("svyby(~%s, %s, sd, svymean); covariance: svyratio(~num1 + ... + num%d, ",
                             "~den1 + ... + den%d, sd, covmat = TRUE) with num_i = %s * [group i], ",
                             "den_i = [group i] (groups in svyby's order); sd = %s"),
                      y, deparse(fml(over)), k, k, y, sd_txt)
    } else {
      m <- svymean(fml(y), sd)
      call <- sprintf("svymean(~%s, %s)", y, sd_txt)
      lab <- data.frame(row.names = 1)
      est <- coef(m); se <- SE(m)
    }
    dfs <- numeric(length(est))
    for (i in seq_along(est)) {
      vals <- if (length(over)) unlist(lab[i, , drop = FALSE]) else character(0)
      keep <- rep(TRUE, nrow(sd))
      for (v in names(vals)) keep <- keep & as.character(sd$variables[[v]]) == vals[[v]]
      dom <- sd[keep, ]
      dfs[i] <- degf(dom)
      ci <- if (ind$estimator == "proportion")
        as.numeric(attr(svyciprop(fml(y), dom, method = "xlogit"), "ci"))
      else as.numeric(confint(svymean(fml(y), dom), df = dfs[i]))
      labs <- c(migratory_status = "_T", sex = "_T")
      labs[names(vals)] <- vals
      est_rows[[length(est_rows) + 1]] <- data.frame(
        indicator_id = ind$id, estimator = ind$estimator, t(labs), estimate = g17(est[i]),
        se = g17(se[i]), df = dfs[i], ci_lower = g17(ci[1]), ci_upper = g17(ci[2]),
        r_call = paste0(call, "; interval: ", if (ind$estimator == "proportion")
                          "svyciprop(~y, subset(sd, dom), method = 'xlogit')"
                        else "confint(svymean(~y, subset(sd, dom)), df = degf(subset(sd, dom)))"),
        stringsAsFactors = FALSE)
    }
    if (!by_group) next
    keys <- names(est)
    other <- setdiff(over, "migratory_status")
    okey <- if (length(other)) lab[[other]] else rep("_T", length(keys))
    for (i in seq_along(keys)) {
      if (lab$migratory_status[i] == ref) next
      j <- which(lab$migratory_status == ref & okey == okey[i])
      a <- as.name(keys[i]); r <- as.name(keys[j])
      cd <- svycontrast(b, list(difference = bquote(.(a) - .(r))))
      cr <- svycontrast(b, list(ratio = bquote(.(a) / .(r))))
      cl <- svycontrast(b, list(log_ratio = bquote(log(.(a) / .(r)))))
      df <- min(dfs[i], dfs[j])
      dci <- as.numeric(confint(cd, df = df))
      lci <- exp(as.numeric(confint(cl, df = df)))
      con_rows[[length(con_rows) + 1]] <- data.frame(
        indicator_id = ind$id, estimator = ind$estimator, dimension = "migratory_status",
        group = lab$migratory_status[i], reference = ref, sex = okey[i],
        estimate = g17(est[i]), reference_estimate = g17(est[j]),
        difference = g17(coef(cd)), difference_se = g17(SE(cd)),
        ratio = g17(coef(cr)), ratio_se = g17(SE(cr)), df = df,
        difference_ci_lower = g17(dci[1]), difference_ci_upper = g17(dci[2]),
        ratio_ci_lower = g17(lci[1]), ratio_ci_upper = g17(lci[2]),
        r_call = sprintf(paste0("by <- %s; svycontrast(by, quote(`%s` - `%s`)); ",
                                "svycontrast(by, quote(`%s` / `%s`)); ",
                                "exp(confint(svycontrast(by, quote(log(`%s` / `%s`))), df = %d))"),
                         call, keys[i], keys[j], keys[i], keys[j], keys[i], keys[j], df),
        stringsAsFactors = FALSE)
    }
  }
}

write.csv(do.call(rbind, est_rows), file.path(golddir, "estimates.csv"), row.names = FALSE)
write.csv(do.call(rbind, con_rows), file.path(golddir, "contrasts.csv"), row.names = FALSE)
writeLines(c(
  R.version.string, paste("survey", as.character(packageVersion("survey"))),
  paste("generated", format(Sys.Date())), "",
  "options(survey.lonely.psu = 'fail')",
  "des <- svydesign(ids = ~UPM, strata = ~ESTRATO, weights = ~FACTOR, data = nhs, nest = FALSE)",
  sprintf("P <- %s (ESP 2013 summed into Y0T19, Y20T44, Y45T64, Y_GE65)", pop_txt),
  "std_health_coverage: y_coverage = as.numeric(SEGURO_SALUD == 1), NA for 77/99; universe all",
  "std_oop_budget_share: y_share = GASTO_SANITARIO_HOGAR / GASTO_CONSUMO_HOGAR; universe GASTO_CONSUMO_HOGAR > 0",
  "sd <- svystandardize(sub, by = ~age_group, over = <over>, population = P); svyby(~y, <over>, sd, svymean)",
  "joint covariance: svyratio(~num1 + ..., ~den1 + ..., sd, covmat = TRUE), num_i = y * [group i], den_i = [group i] (svyby(covmat = TRUE) fails on post-stratified designs in survey 4.1.1)",
  "contrasts: svycontrast(by, quote(`g` - `ref`)), svycontrast(by, quote(`g` / `ref`)); CIs with df = min(degf) of the two domains, ratio CI = exp(confint(svycontrast(by, quote(log(`g` / `ref`))), df = df))",
  "Each row carries its exact call in r_call."), file.path(golddir, "CALLS.txt"))
cat(sprintf("wrote %d standardised rows and %d contrasts to %s\n", length(est_rows),
            length(con_rows), golddir))
