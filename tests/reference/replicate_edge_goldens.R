# Golden values for replicate-weight edge cases, computed with R `survey`.
#
# Run from the repository root:  Rscript tests/reference/replicate_edge_goldens.R
#
# JKn with a one-PSU stratum. The NHANES fixture of survey_goldens.R (tests/fixtures/survey/
# nhanes_sub.csv, 15 strata x 2 PSUs) with the two PSUs of stratum 89 merged into one: a
# certainty stratum (fpc correction 0). With options(survey.drop.replicates = FALSE),
# as.svrepdesign(type = "JKn") keeps that stratum's replicate (its PSU weighted 0) with
# rscale = fpc * (n_h - 1)/n_h = 0, so 28 replicates have rscale 1/2 and one has 0. With
# mse = FALSE, svrVar centres on mean(thetas[rscales > 0]) -- not on the mean of all 29
# replicates, which would move the SEs by ~1e-6 relative -- and the rscale-0 replicate adds
# nothing to the sum. With mse = TRUE it centres on the full-sample estimate.
#
# Writes tests/fixtures/survey/jkn_lonely_repweights.csv.gz (the analysis replicate weights,
# %.17g, read back so R and Python use identical numbers) and tests/golden/survey/
# replicate_edge.csv, replicate_edge_ci.csv (numbers %.17g, the exact R call on each row) and
# replicate_edge_cases.json (design: scale, rscales, mse per case); and, on the same design,
# age-standardised hi_chol by grp (svystandardize(by = ~agegrp, over = ~grp, population =
# c(30, 25, 25, 20))) with its contrasts vs r1 (svyby(covmat = TRUE) + svycontrast; intervals
# with df = min(degf) of the two groups, ratio on the log scale) in replicate_edge_std.csv and
# replicate_edge_std_contrasts.csv.

suppressMessages(library(survey))
suppressMessages(library(jsonlite))
options(warn = 1)

fixdir <- "tests/fixtures/survey"
golddir <- "tests/golden/survey"
stopifnot(dir.exists(fixdir), dir.exists(golddir))
g17 <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", as.numeric(x)))

data <- read.csv(file.path(fixdir, "nhanes_sub.csv"), stringsAsFactors = FALSE)
data$SDMVPSU[data$SDMVSTRA == 89] <- 1  # stratum 89: one PSU
base_r <- paste0("svydesign(id=~SDMVPSU, strata=~SDMVSTRA, weights=~WTMEC2YR, nest=TRUE, ",
                 "data=<nhanes_sub.csv with SDMVPSU[SDMVSTRA == 89] <- 1>)")
des <- svydesign(id = ~SDMVPSU, strata = ~SDMVSTRA, weights = ~WTMEC2YR, nest = TRUE, data = data)
strata <- sort(unique(data$SDMVSTRA))
fpc <- setNames(ifelse(strata == 89, 0, 1), strata)
how <- paste0("options(survey.drop.replicates=FALSE); as.svrepdesign(des, type='JKn', ",
              "fpc=c(`75`=1, ..., `88`=1, `89`=0), fpctype='correction')")
old <- options(survey.drop.replicates = FALSE)
rd <- as.svrepdesign(des, type = "JKn", fpc = fpc, fpctype = "correction")
options(old)
stopifnot(sum(rd$rscales == 0) == 1, sum(rd$rscales == 0.5) == 28)

repfile <- "jkn_lonely_repweights.csv.gz"
rw <- weights(rd, "analysis")
colnames(rw) <- paste0("rw", seq_len(ncol(rw)))
out <- as.data.frame(rw)
out[] <- lapply(out, function(v) sprintf("%.17g", v))
con <- gzfile(file.path(fixdir, repfile), "w")
write.csv(out, con, row.names = FALSE)
close(con)
rw <- as.matrix(read.csv(gzfile(file.path(fixdir, repfile))))

ind <- list(
  list(name = "hi_chol", estimator = "proportion", y = "chol", universe = "has_chol", ci = TRUE),
  list(name = "chol_total", estimator = "total", y = "chol", universe = "has_chol"),
  list(name = "female_per_chol", estimator = "ratio", y = "female", x = "chol",
       universe = "has_chol"),
  list(name = "female", estimator = "mean", y = "female")
)
dims <- c("grp", "sx")

domain_rows <- list(); ci_rows <- list(); case_json <- list()
std_rows <- list(); std_con_rows <- list()
std_pop <- c(30, 25, 25, 20)  # agegrp (0,19], (19,39], (39,59], (59,Inf]
for (mse in c(FALSE, TRUE)) {
  cid <- if (mse) "jkn_lonely_mse" else "jkn_lonely"
  r_design <- sprintf(paste0("svrepdesign(data=data, repweights=<%s>, weights=~WTMEC2YR, ",
                             "type='JKn', scale=%s, rscales=<28 x 0.5, 1 x 0>, mse=%s, ",
                             "combined.weights=TRUE) from %s on %s"),
                      repfile, g17(rd$scale), mse, how, base_r)
  rdes <- svrepdesign(data = data, repweights = rw, weights = data$WTMEC2YR, type = "JKn",
                      scale = rd$scale, rscales = rd$rscales, mse = mse, combined.weights = TRUE)
  for (it in ind) {
    du <- if (is.null(it$universe)) rdes else rdes[data[[it$universe]] == 1, ]
    ustr <- if (is.null(it$universe)) "des" else sprintf("des[%s==1, ]", it$universe)
    dd0 <- if (is.null(it$universe)) data else data[data[[it$universe]] == 1, ]
    levs <- lapply(dims, function(d) c(sort(unique(dd0[[d]])), "_T"))
    grid <- expand.grid(levs, stringsAsFactors = FALSE)
    names(grid) <- dims
    for (i in seq_len(nrow(grid))) {
      ok <- rep(TRUE, nrow(dd0)); parts <- character(0)
      for (d in dims) if (grid[i, d] != "_T") {
        ok <- ok & dd0[[d]] == grid[i, d]
        parts <- c(parts, sprintf("%s=='%s'", d, grid[i, d]))
      }
      dexpr <- sprintf("%s[%s, ]", ustr, if (length(parts)) paste(parts, collapse = " & ") else "TRUE")
      dd <- du[ok, ]
      call <- switch(it$estimator,
        proportion = , mean = sprintf("svymean(~%s, dd)", it$y),
        total = sprintf("svytotal(~%s, dd)", it$y),
        ratio = sprintf("svyratio(~%s, ~%s, dd)", it$y, it$x))
      m <- eval(parse(text = call))
      se <- if (it$estimator == "ratio") sqrt(m$var[1, 1]) else SE(m)[[1]]
      label <- paste(paste0(dims, "=", unlist(grid[i, ])), collapse = ";")
      domain_rows[[length(domain_rows) + 1]] <- data.frame(
        case = cid, mse = mse, indicator = it$name, estimator = it$estimator, domain = label,
        estimate = g17(coef(m)[[1]]), se = g17(se), df = degf(dd), n = nrow(dd),
        r_call = sprintf("%s; degf(dd); nrow(dd); dd = %s", call, dexpr))
      if (isTRUE(it$ci)) {
        for (meth in c("logit", "xlogit", "mean")) {
          ci <- as.vector(confint(svyciprop(as.formula(paste0("~", it$y)), dd, method = meth)))
          ci_rows[[length(ci_rows) + 1]] <- data.frame(
            case = cid, indicator = it$name, domain = label, level = 0.95, method = meth,
            p = g17(coef(m)[[1]]), lower = g17(ci[1]), upper = g17(ci[2]),
            r_call = sprintf("svyciprop(~%s, dd, method='%s', level=0.95); dd = %s",
                             it$y, meth, dexpr))
        }
      }
    }
  }
  # contrasts of age-standardised estimates on the same replicate design (svystandardize
  # post-stratifies every replicate; svyby(covmat = TRUE) takes the covariance from them)
  du <- rdes[data$has_chol == 1, ]
  sd <- svystandardize(du, by = ~agegrp, over = ~grp, population = std_pop)
  b <- svyby(~chol, ~grp, sd, svymean, covmat = TRUE)
  sd_txt <- sprintf("svystandardize(des[has_chol==1, ], by=~agegrp, over=~grp, population=c(%s))",
                    paste(std_pop, collapse = ","))
  by_txt <- sprintf("by <- svyby(~chol, ~grp, %s, svymean, covmat=TRUE)", sd_txt)
  grps <- as.character(b$grp)
  se_b <- setNames(SE(b), grps)
  # df: degf of the group's domain before standardising (mhi's convention). R's degf of the
  # post-stratified replicate design is larger (28 here: per-replicate post-stratification
  # breaks the exact linear dependence of the JKn replicate columns that the rank counts);
  # it is recorded as df_poststratified.
  dfs <- setNames(vapply(grps, function(g) degf(du[du$variables$grp == g, ]), 0), grps)
  df_ps <- setNames(vapply(grps, function(g) degf(sd[sd$variables$grp == g, ]), 0), grps)
  for (g in grps) {
    dom <- sd[sd$variables$grp == g, ]
    ci <- as.numeric(attr(svyciprop(~chol, dom, method = "xlogit", df = dfs[[g]]), "ci"))
    std_rows[[length(std_rows) + 1]] <- data.frame(
      case = cid, grp = g, estimate = g17(coef(b)[[g]]), se = g17(se_b[[g]]), df = dfs[[g]],
      df_poststratified = df_ps[[g]], ci_lower = g17(ci[1]), ci_upper = g17(ci[2]),
      r_call = sprintf(paste0("%s; svyciprop(~chol, dd, method='xlogit', df = degf(du)); ",
                              "dd = sd[grp=='%s', ]; du = des[has_chol==1, ][grp=='%s', ]"),
                       by_txt, g, g))
    if (g == "r1") next
    cd <- svycontrast(b, list(difference = bquote(.(as.name(g)) - r1)))
    cr <- svycontrast(b, list(ratio = bquote(.(as.name(g)) / r1)))
    cl <- svycontrast(b, list(log_ratio = bquote(log(.(as.name(g)) / r1))))
    df <- min(dfs[[g]], dfs[["r1"]])
    dci <- as.numeric(confint(cd, df = df))
    lci <- exp(as.numeric(confint(cl, df = df)))
    std_con_rows[[length(std_con_rows) + 1]] <- data.frame(
      case = cid, group = g, reference = "r1", difference = g17(coef(cd)),
      difference_se = g17(SE(cd)), ratio = g17(coef(cr)), ratio_se = g17(SE(cr)), df = df,
      difference_ci_lower = g17(dci[1]), difference_ci_upper = g17(dci[2]),
      ratio_ci_lower = g17(lci[1]), ratio_ci_upper = g17(lci[2]),
      r_call = sprintf(paste0("%s; svycontrast(by, quote(%s - r1)); svycontrast(by, quote(%s / r1)); ",
                              "exp(confint(svycontrast(by, quote(log(%s / r1))), df = %d)); ",
                              "df = min(degf(des[has_chol==1, ][grp=='%s', ]), degf(des[has_chol==1, ][grp=='r1', ]))"),
                       by_txt, g, g, g, df, g))
  }
  case_json[[cid]] <- list(
    fixture = "nhanes_sub.csv", dims = dims, design = list(weights = "WTMEC2YR"),
    replicates = list(file = repfile, type = "JKn", scale = g17(rd$scale),
                      rscales = g17(rd$rscales), mse = mse),
    r_design = r_design, indicators = ind)
}

write.csv(do.call(rbind, domain_rows), file.path(golddir, "replicate_edge.csv"), row.names = FALSE)
write.csv(do.call(rbind, ci_rows), file.path(golddir, "replicate_edge_ci.csv"), row.names = FALSE)
write.csv(do.call(rbind, std_rows), file.path(golddir, "replicate_edge_std.csv"), row.names = FALSE)
write.csv(do.call(rbind, std_con_rows), file.path(golddir, "replicate_edge_std_contrasts.csv"),
          row.names = FALSE)
writeLines(toJSON(case_json, auto_unbox = TRUE, pretty = TRUE, null = "null"),
           file.path(golddir, "replicate_edge_cases.json"))
cat("replicate edge goldens:", length(domain_rows), "domain rows,", length(ci_rows), "ci rows\n")
