# End-to-end goldens for `mhi compute` on the shipped sample survey, computed with R `survey`.
#
# Run from the repository root:  Rscript tests/reference/sample_survey_goldens.R
# Reads sample_data/survey/nhs_2024.csv (raw national columns) and re-derives, written out plainly
# here and independently of mhi, the canonical variables the indicators need, following
# sample_data/survey/nhs_2024.profile.yaml (columns, recode, missing_codes) and the built-in
# derivations (nativity, citizenship status, migratory status). Writes
# tests/golden/sample_survey/{estimates,contrasts}.csv (numbers as %.17g, the R call on each row)
# and CALLS.txt (R and survey versions and the call templates).
#
# Indicators (as defined in indicator_defs/):
#   hs_health_coverage        proportion; numerator has_health_insurance == true; no universe
#   sdg_3_8_2_che_10          proportion; universe household_consumption > 0;
#                             numerator household_health_spending > 0.10 * household_consumption
#   fp_oop_budget_share_mean  mean of household_health_spending / household_consumption;
#                             universe household_consumption > 0
# All use `missing: exclude`: rows of the universe whose outcome is missing leave the estimate.
# The universe enters as a domain (subset() of the full design), never by dropping rows first.
# No survey definition uses ci_method beta or korn-graubard-nchs (all survey proportions: logit).
#
# Logit CI: svyciprop(method = "logit") fits svyglm(quasibinomial) by IRLS, stopped at a relative
# deviance change < 1e-8 (glm.control default; svyciprop passes no control), so its bounds are
# only ~1e-8 from the converged interval. Three variants are recorded per domain:
#   logit        svyciprop(~y, dom, method = "logit")                  (R as shipped)
#   logit_tight  the same svyglm + confint(method = "Wald", ddf = degf(dom)) with
#                control = glm.control(epsilon = 1e-15, maxit = 100)   (converged logit)
#   xlogit       svyciprop(~y, dom, method = "xlogit")                 (delta-method logit)
# For an intercept-only model the converged logit interval and xlogit coincide exactly.
# df of every interval = degf(dom), the default of svyciprop (degf of the design it is given).
#
# Contrasts: svycontrast() on svyby(..., covmat = TRUE): difference `g - ref` and ratio `g / ref`
# vs native_born_citizen. svycontrast gives no df; the intervals recorded next to them use mhi's
# documented convention (df = min(degf(dom_g), degf(dom_ref)); ratio interval on the log scale:
# exp(confint(svycontrast(by, quote(log(g / ref))), df = df))).

suppressMessages(library(survey))
options(warn = 1, survey.lonely.psu = "fail")

golddir <- "tests/golden/sample_survey"
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

indicators <- list(
  list(id = "hs_health_coverage", estimator = "proportion", y = "y_coverage", u = "u_coverage",
       y_r = "as.numeric(SEGURO_SALUD == 1), NA for 77/99",
       u_r = "TRUE"),
  list(id = "sdg_3_8_2_che_10", estimator = "proportion", y = "y_che10", u = "u_hh",
       y_r = "as.numeric(GASTO_SANITARIO_HOGAR > 0.10 * GASTO_CONSUMO_HOGAR)",
       u_r = "!is.na(GASTO_CONSUMO_HOGAR) & GASTO_CONSUMO_HOGAR > 0"),
  list(id = "fp_oop_budget_share_mean", estimator = "mean", y = "y_share", u = "u_hh",
       y_r = "GASTO_SANITARIO_HOGAR / GASTO_CONSUMO_HOGAR",
       u_r = "!is.na(GASTO_CONSUMO_HOGAR) & GASTO_CONSUMO_HOGAR > 0")
)
# domain tables: name, svyby formula variables (empty = overall)
specs <- list(
  list(name = "migratory_status x sex", by = c("migratory_status", "sex")),
  list(name = "migratory_status x age_group", by = c("migratory_status", "age_group")),
  list(name = "migratory_status", by = c("migratory_status")),
  list(name = "overall", by = character(0))
)
dims <- c("migratory_status", "sex", "age_group")
ref <- "native_born_citizen"

fml <- function(vars) as.formula(paste("~", paste(vars, collapse = " + ")))
cond_text <- function(vals) {
  if (!length(vals)) return("")
  paste0(" & ", paste(sprintf("%s == '%s'", names(vals), vals), collapse = " & "))
}
domain_design <- function(base, vals) {
  keep <- rep(TRUE, nrow(base))
  for (v in names(vals)) keep <- keep & as.character(base$variables[[v]]) == vals[[v]]
  base[keep, ]  # same as subset(base, ...): rows kept in the design with weight 0
}

# Converged svyciprop(method = "logit"): its svyglm + confint, with a tight IRLS tolerance.
logit_tight <- function(y, d, df) {
  m <- svyglm(as.formula(paste(y, "~ 1")), d, family = quasibinomial,
              control = glm.control(epsilon = 1e-15, maxit = 100))
  suppressMessages(as.numeric(plogis(confint(m, 1, level = 0.95, method = "Wald", ddf = df))))
}

est_rows <- list()
con_rows <- list()
for (ind in indicators) {
  y <- ind$y
  sub <- subset(des, get(ind$u) & !is.na(get(y)))
  sub_txt <- sprintf("subset(des, %s & !is.na(%s))", ind$u, y)
  for (sp in specs) {
    if (length(sp$by)) {
      by <- svyby(fml(y), fml(sp$by), sub, svymean, covmat = TRUE)
      call <- sprintf("svyby(~%s, %s, %s, svymean, covmat = TRUE)", y,
                      deparse(fml(sp$by)), sub_txt)
      labels <- by[, sp$by, drop = FALSE]
      labels[] <- lapply(labels, as.character)
      est <- coef(by)
      se <- SE(by)
      cov <- vcov(by)
    } else {
      m <- svymean(fml(y), sub)
      call <- sprintf("svymean(~%s, %s)", y, sub_txt)
      labels <- data.frame(row.names = 1)
      est <- coef(m)
      se <- SE(m)
      cov <- NULL
    }
    dfs <- numeric(length(est))
    for (i in seq_along(est)) {
      vals <- unlist(labels[i, , drop = FALSE])
      if (is.null(vals)) vals <- character(0)
      dom <- domain_design(sub, vals)
      dom_txt <- sprintf("subset(%s%s)", sub_txt, cond_text(vals))
      df <- degf(dom)
      dfs[i] <- df
      n <- sum(weights(dom, "sampling") != 0)
      lab <- setNames(rep("_T", 3), dims)
      lab[names(vals)] <- vals
      row <- data.frame(indicator_id = ind$id, estimator = ind$estimator, table = sp$name,
                        t(lab), estimate = g17(est[i]), se = g17(se[i]), df = df, n = n,
                        stringsAsFactors = FALSE)
      if (ind$estimator == "proportion") {
        # NA bounds where R cannot give a finite interval: df <= 0, or p at 0 / 1. The boundary
        # is read from the data (all y equal): svymean's colSums(x * w / sum(w)) can return
        # 1 - 1e-16 with SE ~ 3e-17 for a domain where every y is 1.
        yd <- dom$variables[[y]][weights(dom, "sampling") != 0]
        ok <- df > 0 && any(yd == 1) && any(yd == 0)
        ci <- if (ok) as.numeric(attr(svyciprop(fml(y), dom, method = "logit"), "ci")) else c(NA, NA)
        ct <- if (ok) logit_tight(y, dom, df) else c(NA, NA)
        cx <- if (ok) as.numeric(attr(svyciprop(fml(y), dom, method = "xlogit"), "ci")) else c(NA, NA)
        row$ci_lower_logit <- g17(ci[1]); row$ci_upper_logit <- g17(ci[2])
        row$ci_lower_logit_tight <- g17(ct[1]); row$ci_upper_logit_tight <- g17(ct[2])
        row$ci_lower <- g17(cx[1]); row$ci_upper <- g17(cx[2])
        ci_call <- sprintf(paste0("svyciprop(~%s, %s, method = 'logit' | 'xlogit') [df = degf = %d]; ",
                                  "logit_tight: confint(svyglm(%s ~ 1, dom, family = quasibinomial, ",
                                  "control = glm.control(epsilon = 1e-15, maxit = 100)), 1, ",
                                  "method = 'Wald', ddf = degf(dom))"), y, dom_txt, df, y)
      } else {
        cw <- if (df > 0) as.numeric(confint(svymean(fml(y), dom), df = df)) else c(NA, NA)
        row$ci_lower_logit <- "NA"; row$ci_upper_logit <- "NA"
        row$ci_lower_logit_tight <- "NA"; row$ci_upper_logit_tight <- "NA"
        row$ci_lower <- g17(cw[1]); row$ci_upper <- g17(cw[2])
        ci_call <- sprintf("confint(svymean(~%s, %s), df = degf(.) = %d)", y, dom_txt, df)
      }
      row$r_call <- paste0(call, "; ", ci_call)
      est_rows[[length(est_rows) + 1]] <- row
    }
    # contrasts vs native_born_citizen within each level of the other by-variable
    if (!is.null(cov)) {
      keys <- names(est)
      other <- setdiff(sp$by, "migratory_status")
      okey <- if (length(other)) labels[[other]] else rep("", length(keys))
      for (i in seq_along(keys)) {
        g <- labels$migratory_status[i]
        if (g == ref) next
        j <- which(labels$migratory_status == ref & okey == okey[i])
        if (length(j) != 1) next
        a <- as.name(keys[i]); b <- as.name(keys[j])
        cd <- svycontrast(by, list(difference = bquote(.(a) - .(b))))
        cr <- svycontrast(by, list(ratio = bquote(.(a) / .(b))))
        cl <- svycontrast(by, list(log_ratio = bquote(log(.(a) / .(b)))))
        df <- min(dfs[i], dfs[j])
        dci <- if (df > 0) as.numeric(confint(cd, df = df)) else c(NA, NA)
        lci <- if (df > 0) exp(as.numeric(confint(cl, df = df))) else c(NA, NA)
        lab <- setNames(rep("_T", 2), c("sex", "age_group"))
        if (length(other)) lab[other] <- okey[i]
        con_rows[[length(con_rows) + 1]] <- data.frame(
          indicator_id = ind$id, estimator = ind$estimator, table = sp$name,
          dimension = "migratory_status", group = g, reference = ref, t(lab),
          estimate = g17(est[i]), reference_estimate = g17(est[j]),
          difference = g17(coef(cd)), difference_se = g17(SE(cd)),
          ratio = g17(coef(cr)), ratio_se = g17(SE(cr)),
          df = df, difference_ci_lower = g17(dci[1]), difference_ci_upper = g17(dci[2]),
          ratio_ci_lower = g17(lci[1]), ratio_ci_upper = g17(lci[2]),
          r_call = sprintf(paste0("by <- %s; svycontrast(by, quote(`%s` - `%s`)); ",
                                  "svycontrast(by, quote(`%s` / `%s`)); ",
                                  "exp(confint(svycontrast(by, quote(log(`%s` / `%s`))), df = %d))"),
                           call, keys[i], keys[j], keys[i], keys[j], keys[i], keys[j], df),
          stringsAsFactors = FALSE)
      }
    }
  }
}

estimates <- do.call(rbind, est_rows)
contrasts <- do.call(rbind, con_rows)
write.csv(estimates, file.path(golddir, "estimates.csv"), row.names = FALSE)
write.csv(contrasts, file.path(golddir, "contrasts.csv"), row.names = FALSE)

calls <- c(
  R.version.string,
  paste("survey", as.character(packageVersion("survey"))),
  paste("generated", format(Sys.Date())),
  "",
  "options(survey.lonely.psu = 'fail')",
  paste("nhs <- read.csv('sample_data/survey/nhs_2024.csv') + derived columns;", design_call),
  "Derived columns (see tests/reference/sample_survey_goldens.R):",
  "  sex = c('M','F')[SEXO]; age_group = Y0T17 / Y18T44 / Y45T64 / Y_GE65 from EDAD",
  paste("  migratory_status = nativity (PAIS_NAC: 999 -> unknown, 724 -> native_born, else",
        "foreign_born) x citizenship (NACIONALIDAD: 999 -> unknown, 724 -> citizen, else",
        "noncitizen incl. 995 stateless); unknown if either is unknown"),
  vapply(indicators, function(ind) sprintf("  %s: %s = %s; universe %s = %s", ind$id, ind$y,
                                           ind$y_r, ind$u, ind$u_r), ""),
  "",
  "Per indicator: sub <- subset(des, <universe> & !is.na(<y>))",
  "  estimate, se: svyby(~y, ~migratory_status + sex | ~migratory_status + age_group | ~migratory_status, sub, svymean, covmat = TRUE); overall svymean(~y, sub)",
  "  dom <- subset(sub, <domain>); df = degf(dom); n = sum(weights(dom, 'sampling') != 0)",
  "  proportion CI (skipped: NA, where df <= 0 or every y in dom is 0 or every y is 1): svyciprop(~y, dom, method = 'logit') (ci_*_logit), svyglm logit with glm.control(epsilon = 1e-15, maxit = 100) + confint(method = 'Wald', ddf = df) (ci_*_logit_tight), svyciprop(~y, dom, method = 'xlogit') (ci_lower/ci_upper)",
  "  mean CI: confint(svymean(~y, dom), df = degf(dom))",
  "  contrasts: svycontrast(by, quote(`g` - `ref`)), svycontrast(by, quote(`g` / `ref`)); CIs with df = min(degf(dom_g), degf(dom_ref)), ratio CI = exp(confint(svycontrast(by, quote(log(`g` / `ref`))), df = df))",
  "Each row of estimates.csv / contrasts.csv carries its exact call in r_call."
)
writeLines(calls, file.path(golddir, "CALLS.txt"))
cat(sprintf("wrote %d estimate rows and %d contrast rows to %s\n", nrow(estimates),
            nrow(contrasts), golddir))
