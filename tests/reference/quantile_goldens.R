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
