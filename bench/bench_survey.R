# R `survey` side of bench/bench_survey.py: one proportion by migratory status x sex x age group.
#
#   Rscript bench/bench_survey.R <data.csv> <taylor|replicates> <out.csv>
#
# Reads the CSV export of the generated Parquet with data.table::fread (R has no `arrow` here),
# builds the design (svydesign, or svrepdesign JK1 over repw_*), runs
#   svyby(~y, ~mig + sex + age, design, svymean, na.rm = TRUE)
# and writes estimate and SE per cell. Prints one line
#   TIMING read=<s> prepare=<s> design=<s> estimate=<s>
# (elapsed seconds): read = fread; prepare = recodes (y, mig, age bands); design = svydesign /
# svrepdesign; estimate = the svyby call.
suppressPackageStartupMessages({
  library(survey)
  library(data.table)
})
args <- commandArgs(trailingOnly = TRUE)
csv <- args[[1]]
mode <- args[[2]]
out <- args[[3]]
now <- function() proc.time()[["elapsed"]]

t0 <- now()
d <- fread(csv, showProgress = FALSE, nThread = 2)
setDF(d)
t1 <- now()
# outcome: 1 yes / 2 no / 99 missing (excluded, like the profile's missing code)
d$y <- ifelse(d$outcome == 99, NA_real_, as.numeric(d$outcome == 1))
nat <- ifelse(d$country_of_birth == 724, "native_born", "foreign_born")
cit <- ifelse(d$citizenship == 724, "citizen", "noncitizen")
d$mig <- factor(paste(nat, cit, sep = "_"), levels = c(
  "native_born_citizen", "native_born_noncitizen", "foreign_born_citizen",
  "foreign_born_noncitizen"
))
d$sex <- factor(ifelse(d$sex == 1, "M", "F"), levels = c("F", "M"))
d$age <- cut(d$age, c(0, 15, 25, 35, 45, 55, 65, Inf), right = FALSE, labels = c(
  "Y0T14", "Y15T24", "Y25T34", "Y35T44", "Y45T54", "Y55T64", "Y_GE65"
))
t2 <- now()
if (mode == "taylor") {
  des <- svydesign(ids = ~psu, strata = ~stratum, weights = ~weight, nest = TRUE, data = d)
} else {
  r <- length(grep("^repw_[0-9]+$", names(d)))
  des <- svrepdesign(
    data = d, repweights = "^repw_[0-9]+$", weights = ~weight, type = "JK1",
    scale = (r - 1) / r, combined.weights = TRUE
  )
}
t3 <- now()
res <- svyby(~y, ~ mig + sex + age, des, svymean, na.rm = TRUE, keep.var = TRUE)
t4 <- now()
fwrite(data.frame(
  migratory_status = as.character(res$mig), sex = as.character(res$sex),
  age_group = as.character(res$age),
  estimate = sprintf("%.17g", coef(res)), se = sprintf("%.17g", SE(res))
), out)
cat(sprintf(
  "TIMING read=%.3f prepare=%.3f design=%.3f estimate=%.3f\n",
  t1 - t0, t2 - t1, t3 - t2, t4 - t3
))
