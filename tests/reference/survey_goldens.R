# Golden values for mhindicators' survey engine, computed with R `survey`.
#
# Run from the repository root:  Rscript tests/reference/survey_goldens.R
# Reads the datasets under $MHI_EXTERNAL (default /work/shared/external) to (re)build the small
# fixtures in tests/fixtures/survey/, reads the fixtures back (so R and Python see identical
# numbers) and writes tests/golden/survey/*.csv with %.17g numbers and the exact R call per row.
# Case definitions (design, indicators, domains) are written to tests/golden/survey/cases.json;
# the Python tests build the same designs from that file.
#
# Wilson: survey 4.1.1 (installed) has no method = "wilson"; `wilson_ci()` below re-expresses the
# algorithm of svyciprop(method = "wilson") in survey 4.5 (github.com/cran/survey, commit
# 4834b8bc91f6414ad4514552daaed8990a86d9c1, R/svyttest.R), with df passed explicitly.
# NCHS Korn-Graubard: `kg_nchs_ci()` re-expresses CDCgov/surveytable R/svyciprop_adjusted.R
# (df = degf(design), n_eff = min(nrow, n_eff * ratio^2), p = 0 => n_eff = nrow), extended
# symmetrically to p = 1 (n_eff = nrow), where surveytable gives NaN.

suppressMessages(library(survey))
suppressMessages(library(jsonlite))
options(warn = 1)

ext <- Sys.getenv("MHI_EXTERNAL", "/work/shared/external")
fixdir <- "tests/fixtures/survey"
golddir <- "tests/golden/survey"
stopifnot(dir.exists(fixdir), dir.exists(golddir))

g17 <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", as.numeric(x)))
num_cols <- function(df) vapply(df, is.numeric, logical(1))
write_fixture <- function(df, name) {
  out <- df
  out[num_cols(out)] <- lapply(out[num_cols(out)], function(v) ifelse(is.na(v), NA, sprintf("%.17g", v)))
  path <- file.path(fixdir, name)
  con <- if (grepl("\\.gz$", name)) gzfile(path, "w") else file(path, "w")
  write.csv(out, con, row.names = FALSE, na = "")
  close(con)
}
read_fixture <- function(name) {
  path <- file.path(fixdir, name)
  read.csv(if (grepl("\\.gz$", name)) gzfile(path) else path, stringsAsFactors = FALSE)
}

# ---------------------------------------------------------------- fixtures ----
api_dims <- function(d) {
  d$grp <- c("A", "B", "C")[d$snum %% 3 + 1]
  d$sx <- c("F", "M")[(d$snum %/% 3) %% 2 + 1]
  d$agegrp <- c("a1", "a2", "a3")[(d$snum %/% 6) %% 3 + 1]
  d$hi700 <- as.numeric(d$api00 > 700)
  d$hi900 <- as.numeric(d$api00 > 900)
  d$has_ed <- as.numeric(!is.na(d$avg.ed))
  d$has_enroll <- as.numeric(!is.na(d$enroll))
  d$avg_ed <- ifelse(is.na(d$avg.ed), 0, d$avg.ed)
  d$api_stu <- d$api.stu
  d$yr_rnd <- d$yr.rnd
  d
}
if (dir.exists(ext)) {
  src <- file.path(ext, "r-survey-datasets")
  keep <- c("snum", "dnum", "stype", "cname", "pw", "api00", "api99", "enroll", "api_stu",
            "avg_ed", "has_ed", "has_enroll", "yr_rnd", "grp", "sx", "agegrp", "hi700", "hi900")
  s <- api_dims(read.csv(file.path(src, "apistrat.csv"), stringsAsFactors = FALSE))
  write_fixture(s[, c(keep, "fpc")], "apistrat.csv")
  c1 <- api_dims(read.csv(file.path(src, "apiclus1.csv"), stringsAsFactors = FALSE))
  reg <- c(Alameda = "Bay", "Santa Clara" = "Bay", "Los Angeles" = "South", Orange = "South",
           "San Diego" = "SanDiego", Fresno = "Valley", Kern = "Valley", Merced = "Valley",
           "San Joaquin" = "Valley", Mendocino = "Mendocino", Plumas = "Plumas")
  c1$reg <- unname(reg[c1$cname])
  write_fixture(c1[, c(keep, "fpc", "reg")], "apiclus1.csv")
  c2 <- api_dims(read.csv(file.path(src, "apiclus2.csv"), stringsAsFactors = FALSE))
  write_fixture(c2[, c(keep, "fpc1", "fpc2")], "apiclus2.csv")
  f <- read.csv(file.path(src, "fpc.csv"))
  f$big <- ifelse(f$x > 4, "hi", "lo")
  write_fixture(f, "fpc.csv")
  h <- read.csv(file.path(src, "hospital.csv"))
  h$ob <- paste0("ob", h$oblevel)
  write_fixture(h, "hospital.csv")
  nh <- read.csv(file.path(src, "nhanes.csv"), stringsAsFactors = FALSE)
  nh <- nh[seq(1, nrow(nh), by = 4), ]  # deterministic subsample (every 4th person)
  # stratum 86 has 3 PSUs: merge PSU 3 into PSU 2 so every stratum has 2 (needed for BRR/Fay)
  nh$SDMVPSU[nh$SDMVSTRA == 86 & nh$SDMVPSU == 3] <- 2
  nh$grp <- paste0("r", nh$race)
  nh$sx <- c("M", "F")[nh$RIAGENDR]
  nh$agegrp <- nh$agecat
  nh$has_chol <- as.numeric(!is.na(nh$HI_CHOL))
  nh$chol <- ifelse(is.na(nh$HI_CHOL), 0, nh$HI_CHOL)
  nh$female <- as.numeric(nh$RIAGENDR == 2)
  write_fixture(nh[, c("SDMVPSU", "SDMVSTRA", "WTMEC2YR", "grp", "sx", "agegrp", "has_chol",
                       "chol", "female")], "nhanes_sub.csv")
  acs <- read.csv(gzfile(file.path(ext, "acs-pums-2011-ak-hi-srvyr", "acs_m.csv.gz")))
  acs <- acs[acs$serialno %% 10 == 0, ]  # deterministic subsample: whole households
  acs$state <- ifelse(acs$st == 2, "AK", "HI")
  acs$sexf <- c("M", "F")[acs$sex]
  acs$agegrp <- as.character(cut(acs$agep, c(-1, 17, 44, 64, Inf),
                                 labels = c("0-17", "18-44", "45-64", "65+")))
  acs$insured <- as.numeric(acs$hicov == 1)
  acs$one <- 1
  write_fixture(acs[, c("serialno", "sporder", "pwgtp", paste0("pwgtp", 1:80), "agep",
                        "insured", "state", "sexf", "agegrp", "one")], "acs_sub.csv.gz")
}

# ------------------------------------------------------------------ cases ----
api_ind <- list(
  list(name = "hi700", estimator = "proportion", y = "hi700", ci = TRUE),
  list(name = "hi900", estimator = "proportion", y = "hi900", ci = TRUE),
  list(name = "api00", estimator = "mean", y = "api00"),
  list(name = "enroll", estimator = "total", y = "enroll", universe = "has_enroll"),
  list(name = "stu_per_enroll", estimator = "ratio", y = "api_stu", x = "enroll",
       universe = "has_enroll"),
  list(name = "avg_ed_known", estimator = "mean", y = "avg_ed", universe = "has_ed")
)
std_api <- list(by = "agegrp", over = "grp", population = c(a1 = 30, a2 = 50, a3 = 20))
nh_ind <- list(
  list(name = "hi_chol", estimator = "proportion", y = "chol", universe = "has_chol", ci = TRUE),
  list(name = "chol_total", estimator = "total", y = "chol", universe = "has_chol"),
  list(name = "female_per_chol", estimator = "ratio", y = "female", x = "chol",
       universe = "has_chol")
)
std_nh <- list(by = "agegrp", over = "grp", population = c(30, 25, 25, 20))
cases <- list(
  list(id = "strat", fixture = "apistrat.csv", dims = c("grp", "sx"), ind = api_ind,
       r = "svydesign(id=~1, strata=~stype, weights=~pw, fpc=~fpc, data=data)",
       py = list(strata = "stype", weights = "pw", fpc = "fpc"), std = std_api),
  list(id = "clus1", fixture = "apiclus1.csv", dims = c("grp", "sx"), ind = api_ind,
       r = "svydesign(id=~dnum, weights=~pw, fpc=~fpc, data=data)",
       py = list(psu = "dnum", weights = "pw", fpc = "fpc"), std = std_api),
  list(id = "clus2_nofpc", fixture = "apiclus2.csv", dims = c("grp", "sx"), ind = api_ind[1:5],
       r = "svydesign(id=~dnum+snum, weights=~pw, data=data)",
       py = list(psu = "dnum", weights = "pw")),
  list(id = "clus2_ultimate", fixture = "apiclus2.csv", dims = c("grp", "sx"),
       ind = api_ind[c(1, 3, 4)], options = list(survey.ultimate.cluster = TRUE),
       r = "svydesign(id=~dnum+snum, fpc=~fpc1+fpc2, weights=~pw, data=data)",
       py = list(psu = "dnum", weights = "pw", fpc = "fpc1")),
  list(id = "fpc", fixture = "fpc.csv", dims = c("big"),
       ind = list(list(name = "x", estimator = "mean", y = "x"),
                  list(name = "x_total", estimator = "total", y = "x")),
       r = "svydesign(id=~psuid, strata=~stratid, weights=~weight, fpc=~Nh, nest=TRUE, data=data)",
       py = list(strata = "stratid", psu = "psuid", nest = TRUE, weights = "weight", fpc = "Nh")),
  list(id = "hospital", fixture = "hospital.csv", dims = c("ob"),
       ind = list(list(name = "births", estimator = "mean", y = "births"),
                  list(name = "births_total", estimator = "total", y = "births")),
       r = "svydesign(id=~1, strata=~oblevel, fpc=~tothosp, weights=~weighta, data=data)",
       py = list(strata = "oblevel", weights = "weighta", fpc = "tothosp")),
  list(id = "nhanes", fixture = "nhanes_sub.csv", dims = c("grp", "sx"), ind = nh_ind,
       r = "svydesign(id=~SDMVPSU, strata=~SDMVSTRA, weights=~WTMEC2YR, nest=TRUE, data=data)",
       py = list(strata = "SDMVSTRA", psu = "SDMVPSU", nest = TRUE, weights = "WTMEC2YR"),
       std = std_nh)
)
for (pol in c("remove", "certainty", "adjust", "average")) {
  cases[[length(cases) + 1]] <- list(
    id = paste0("lonely_", pol), fixture = "apiclus1.csv", dims = c("grp", "sx"),
    ind = api_ind[c(1, 3, 4, 5)], options = list(survey.lonely.psu = pol),
    r = "svydesign(id=~dnum, strata=~reg, weights=~pw, data=data)",
    py = list(strata = "reg", psu = "dnum", weights = "pw", lonely_psu = pol))
}
rep_cases <- list(
  list(id = "jk1_clus1", base = "clus1", how = "as.svrepdesign(des)", ind = api_ind),
  list(id = "boot_strat", base = "strat", seed = 20240601,
       how = "as.svrepdesign(des, type='bootstrap', replicates=50)", ind = api_ind[1:5]),
  list(id = "jkn_nhanes", base = "nhanes", how = "as.svrepdesign(des, type='JKn')", ind = nh_ind),
  list(id = "brr_nhanes", base = "nhanes", how = "as.svrepdesign(des, type='BRR')", ind = nh_ind),
  list(id = "fay_nhanes", base = "nhanes", how = "as.svrepdesign(des, type='Fay', fay.rho=0.3)",
       ind = nh_ind)
)

# ----------------------------------------------------------- estimation ----
with_opts <- function(opts, expr) {
  old <- options(opts)
  on.exit(options(old))
  expr
}
ind_call <- function(ind, dexpr, deff) {
  dstr <- if (is.character(deff)) "\"replace\"" else as.character(deff)
  switch(ind$estimator,
    proportion = , mean = sprintf("svymean(~%s, %s, deff=%s)", ind$y, dexpr, dstr),
    total = sprintf("svytotal(~%s, %s, deff=%s)", ind$y, dexpr, dstr),
    ratio = sprintf("svyratio(~%s, ~%s, %s, deff=%s)", ind$y, ind$x, dexpr, dstr))
}
domain_list <- function(data, dims) {
  levs <- lapply(dims, function(d) c(sort(unique(data[[d]])), "_T"))
  grid <- expand.grid(levs, stringsAsFactors = FALSE)
  names(grid) <- dims
  grid
}
domain_cond <- function(data, dom) {
  ok <- rep(TRUE, nrow(data))
  for (d in names(dom)) if (dom[[d]] != "_T") ok <- ok & data[[d]] == dom[[d]]
  ok
}
label <- function(dom) paste(paste0(names(dom), "=", unlist(dom)), collapse = ";")
cond_str <- function(dom) {
  parts <- unlist(lapply(names(dom), function(d) if (dom[[d]] != "_T") sprintf("%s=='%s'", d, dom[[d]])))
  if (length(parts)) paste(parts, collapse = " & ") else "TRUE"
}
wilson_ci <- function(m, level, df) {
  p <- coef(m)[[1]]
  n.eff <- p * (1 - p) / vcov(m)[1, 1]
  t <- qt(p = (1 - level) / 2, df = df, lower.tail = FALSE)
  den <- 1 + t * t / n.eff
  root <- sqrt(4 * n.eff * p * (1 - p) + t * t)
  c((p + t * t / (2 * n.eff) - t / (2 * n.eff) * root) / den,
    (p + t * t / (2 * n.eff) + t / (2 * n.eff) * root) / den)
}
kg_nchs_ci <- function(m, level, df, n) {
  p <- coef(m)[[1]]
  alpha <- 1 - level
  rat <- if (df > 0) (qt(alpha / 2, n - 1) / qt(alpha / 2, df))^2 else 0
  n.eff <- if (p > 0 && p < 1) min(n, p * (1 - p) / vcov(m)[1, 1] * rat) else n
  c(qbeta(alpha / 2, n.eff * p, n.eff * (1 - p) + 1), qbeta(1 - alpha / 2, n.eff * p + 1, n.eff * (1 - p)))
}
safe <- function(expr) tryCatch(expr, error = function(e) c(NA_real_, NA_real_))

dom_rows <- list(); ci_rows <- list(); con_rows <- list(); std_rows <- list()
add <- function(lst, row) { lst[[length(lst) + 1]] <- row; lst }

run_case <- function(cs, des, data) {
  for (ind in cs$ind) {
    is_rep <- inherits(des, "svyrep.design")
    if (!is.null(ind$universe)) {
      du <- des[data[[ind$universe]] == 1, ]
      dudata <- data[data[[ind$universe]] == 1, ]
      ustr <- sprintf("des[%s==1, ]", ind$universe)
    } else {
      du <- des; dudata <- data; ustr <- "des"
    }
    doms <- domain_list(dudata, cs$dims)
    for (i in seq_len(nrow(doms))) {
      dom <- as.list(doms[i, , drop = FALSE])
      cond <- domain_cond(dudata, dom)
      dd <- du[cond, ]
      dexpr <- sprintf("%s[%s, ]", ustr, cond_str(dom))
      use_deff <- !(is_rep && ind$estimator == "ratio")  # R: svyratio.svyrep.design deff fails
      call1 <- ind_call(ind, "dd", use_deff)
      m <- eval(parse(text = call1))
      est <- if (ind$estimator == "ratio") coef(m)[[1]] else coef(m)[[1]]
      se <- if (ind$estimator == "ratio") sqrt(m$var[1, 1]) else SE(m)[[1]]
      dfv <- if (use_deff) deff(m)[[1]] else NA
      drep <- if (use_deff) deff(eval(parse(text = ind_call(ind, "dd", "replace"))))[[1]] else NA
      dom_rows <<- add(dom_rows, data.frame(
        case = cs$id, indicator = ind$name, estimator = ind$estimator, domain = label(dom),
        estimate = g17(est), se = g17(se), df = g17(degf(dd)), n = nrow(dd),
        deff = g17(dfv), deff_replace = g17(drep),
        r_call = paste0(sub("dd", dexpr, call1, fixed = TRUE), "; degf(", dexpr, "); nrow(", dexpr, ")")))
      if (isTRUE(ind$ci)) {
        for (level in c(0.95, 0.9)) {
          for (meth in c("logit", "xlogit", "mean", "beta")) {
            ci <- safe(suppressWarnings(as.vector(confint(
              svyciprop(as.formula(paste0("~", ind$y)), dd, method = meth, level = level)))))
            ci_rows <<- add(ci_rows, data.frame(
              case = cs$id, indicator = ind$name, domain = label(dom), level = level, method = meth,
              p = g17(est), lower = g17(ci[1]), upper = g17(ci[2]),
              r_call = sprintf("svyciprop(~%s, %s, method='%s', level=%s)", ind$y, dexpr, meth, level)))
          }
          mm <- svymean(as.formula(paste0("~", ind$y)), dd)
          w <- safe(suppressWarnings(wilson_ci(mm, level, degf(dd))))
          k <- safe(suppressWarnings(kg_nchs_ci(mm, level, degf(dd), nrow(dd))))
          ci_rows <<- add(ci_rows, data.frame(
            case = cs$id, indicator = ind$name, domain = label(dom), level = level,
            method = c("wilson", "korn-graubard-nchs"), p = g17(est),
            lower = g17(c(w[1], k[1])), upper = g17(c(w[2], k[2])),
            r_call = c(sprintf("wilson_ci(svymean(~%s, dd), %s, degf(dd)) [survey 4.5 algorithm]; dd=%s", ind$y, level, dexpr),
                       sprintf("kg_nchs_ci(svymean(~%s, dd), %s, degf(dd), nrow(dd)) [surveytable algorithm]; dd=%s", ind$y, level, dexpr))))
        }
      }
    }
    if (length(cs$dims) == 2 && ind$estimator != "total") run_contrasts(cs, ind, du, ustr, dudata)
    if (!is.null(cs$std) && ind$estimator %in% c("proportion", "mean")) run_std(cs, ind, du, ustr)
  }
}

run_contrasts <- function(cs, ind, du, ustr, dudata) {
  g <- cs$dims[1]
  for (byv in list(g, cs$dims)) {
    byf <- as.formula(paste0("~", paste(byv, collapse = "+")))
    fcall <- if (ind$estimator == "ratio")
      sprintf("svyby(~%s, %s, %s, svyratio, denominator=~%s, covmat=TRUE)", ind$y, deparse(byf), ustr, ind$x)
    else sprintf("svyby(~%s, %s, %s, svymean, covmat=TRUE)", ind$y, deparse(byf), ustr)
    b <- eval(parse(text = sub(ustr, "du", fcall, fixed = TRUE)))
    # svycontrast on the svyby estimates and covmat; names made syntactic for the
    # nonlinear (ratio) contrast (svyratio names contain ':' and '/')
    st <- coef(b)
    nm <- make.names(names(st))
    v <- vcov(b)
    names(st) <- nm
    dimnames(v) <- list(nm, nm)
    st <- structure(st, var = v, statistic = "mean", class = "svystat")
    levs <- sort(unique(dudata[[g]]))
    strata_levels <- if (length(byv) == 1) "_T" else sort(unique(dudata[[cs$dims[2]]]))
    for (sl in strata_levels) {
      key <- function(l) if (sl == "_T") l else paste0(l, ".", sl)
      keyname <- function(l) make.names(key(l))
      ref <- keyname(levs[1])
      for (l in levs[-1]) {
        grp <- keyname(l)
        vec <- setNames(as.numeric(nm == grp) - as.numeric(nm == ref), nm)
        dc <- svycontrast(st, list(d = vec))
        rc <- svycontrast(st, list(r = substitute(a / b, list(a = as.name(grp), b = as.name(ref)))))
        for (kind in c("difference", "ratio")) {
          x <- if (kind == "difference") dc else rc
          con_rows <<- add(con_rows, data.frame(
            case = cs$id, indicator = ind$name, dim = g, within = if (sl == "_T") "_T" else paste0(cs$dims[2], "=", sl),
            group = l, reference = levs[1], kind = kind,
            estimate = g17(coef(x)[[1]]), se = g17(sqrt(vcov(x)[1, 1])),
            r_call = sprintf("svycontrast(%s, %s)", fcall,
                             if (kind == "difference") sprintf("`%s` - `%s`", grp, ref) else sprintf("quote(`%s`/`%s`)", grp, ref))))
        }
      }
    }
  }
}

run_std <- function(cs, ind, du, ustr) {
  st <- cs$std
  pop <- unname(st$population)
  for (over in list(st$over, NULL)) {
    if (is.null(over)) {
      sd <- svystandardize(du, by = as.formula(paste0("~", st$by)), over = ~1, population = pop)
      m <- svymean(as.formula(paste0("~", ind$y)), sd)
      est <- coef(m)[[1]]; se <- SE(m)[[1]]; grp <- "_T"
      call <- sprintf("svymean(~%s, svystandardize(%s, by=~%s, over=~1, population=c(%s)))",
                      ind$y, ustr, st$by, paste(pop, collapse = ","))
      std_rows <<- add(std_rows, data.frame(case = cs$id, indicator = ind$name, over = "_T", group = grp,
                                            estimate = g17(est), se = g17(se), r_call = call))
    } else {
      sd <- svystandardize(du, by = as.formula(paste0("~", st$by)), over = as.formula(paste0("~", over)), population = pop)
      b <- svyby(as.formula(paste0("~", ind$y)), as.formula(paste0("~", over)), sd, svymean)
      call <- sprintf("svyby(~%s, ~%s, svystandardize(%s, by=~%s, over=~%s, population=c(%s)), svymean)",
                      ind$y, over, ustr, st$by, over, paste(pop, collapse = ","))
      std_rows <<- add(std_rows, data.frame(case = cs$id, indicator = ind$name, over = over,
                                            group = as.character(b[[over]]), estimate = g17(coef(b)),
                                            se = g17(SE(b)), r_call = call))
    }
  }
}

case_json <- list()
build_taylor <- function(cs) {
  data <- read_fixture(cs$fixture)
  des <- with_opts(cs$options, eval(parse(text = cs$r)))
  list(data = data, des = des)
}
for (cs in cases) {
  b <- build_taylor(cs)
  with_opts(cs$options, run_case(cs, b$des, b$data))
  case_json[[cs$id]] <- list(fixture = cs$fixture, dims = cs$dims, design = cs$py, r_design = cs$r,
                             r_options = cs$options, indicators = cs$ind, standardize = cs$std)
}
for (rc in rep_cases) {
  base <- Filter(function(x) x$id == rc$base, cases)[[1]]
  b <- build_taylor(base)
  des <- b$des
  if (!is.null(rc$seed)) set.seed(rc$seed)
  rd <- eval(parse(text = rc$how))
  rw <- weights(rd, "analysis")
  colnames(rw) <- paste0("rw", seq_len(ncol(rw)))
  repfile <- paste0(rc$id, "_repweights.csv.gz")
  write_fixture(as.data.frame(rw), repfile)
  rw <- as.matrix(read_fixture(repfile))
  data <- b$data
  rdes <- svrepdesign(data = data, repweights = rw, weights = data[[base$py$weights]], type = rd$type,
                      scale = rd$scale, rscales = rd$rscales,
                      rho = if (rd$type == "Fay") rd$rho else NULL, mse = FALSE,
                      combined.weights = TRUE)
  rcs <- list(id = rc$id, dims = base$dims, ind = rc$ind, std = base$std)
  run_case(rcs, rdes, data)
  case_json[[rc$id]] <- list(
    fixture = base$fixture, dims = base$dims, design = list(weights = base$py$weights),
    replicates = list(file = repfile, type = rd$type, scale = g17(rd$scale), rscales = g17(rd$rscales),
                      mse = FALSE, rho = if (is.null(rd$rho)) NULL else g17(rd$rho)),
    r_design = sprintf("svrepdesign(data=data, repweights=<%s>, weights=~%s, type='%s', scale=%s, rscales=<%d values>, mse=FALSE, combined.weights=TRUE) from %s on %s",
                       repfile, base$py$weights, rd$type, g17(rd$scale), length(rd$rscales), rc$how, base$r),
    indicators = rc$ind, standardize = base$std)
}
# ACS 2011 PUMS (AK + HI) subsample, successive-difference replicate weights (srvyr vignette design)
acs <- read_fixture("acs_sub.csv.gz")
acs_r <- "svrepdesign(data=data, repweights='pwgtp[0-9]+', weights=~pwgtp, type='successive-difference', mse=TRUE)"
des <- eval(parse(text = sub("data=data", "data=acs", acs_r, fixed = TRUE)))
acs_ind <- list(
  list(name = "insured", estimator = "proportion", y = "insured", ci = TRUE),
  list(name = "age", estimator = "mean", y = "agep"),
  list(name = "insured_total", estimator = "total", y = "insured"),
  list(name = "insured_per_person", estimator = "ratio", y = "insured", x = "one")
)
acs_std <- list(by = "agegrp", over = "state", population = c(23, 37, 26, 14))
run_case(list(id = "acs_sdr", dims = c("state", "sexf"), ind = acs_ind, std = acs_std), des, acs)
case_json[["acs_sdr"]] <- list(
  fixture = "acs_sub.csv.gz", dims = c("state", "sexf"), design = list(weights = "pwgtp"),
  replicates = list(columns = paste0("pwgtp", 1:80), type = "successive-difference",
                    scale = g17(4 / 80), rscales = g17(rep(1, 80)), mse = TRUE),
  r_design = acs_r, indicators = acs_ind, standardize = acs_std)

# lonely PSU under "fail": R's error message
fail_msg <- tryCatch({
  b <- build_taylor(cases[[which(sapply(cases, `[[`, "id") == "lonely_remove")]])
  with_opts(list(survey.lonely.psu = "fail"), svymean(~api00, b$des))
  "no error"
}, error = function(e) conditionMessage(e))
writeLines(c("svymean(~api00, svydesign(id=~dnum, strata=~reg, weights=~pw, data=apiclus1 fixture))",
             "options(survey.lonely.psu='fail')", fail_msg), file.path(golddir, "lonely_fail.txt"))

out <- function(rows, name) write.csv(do.call(rbind, rows), file.path(golddir, name), row.names = FALSE)
out(dom_rows, "domains.csv")
out(ci_rows, "ci.csv")
out(con_rows, "contrasts.csv")
out(std_rows, "standardize.csv")
writeLines(toJSON(case_json, auto_unbox = TRUE, pretty = TRUE, null = "null"), file.path(golddir, "cases.json"))
writeLines(c(R.version.string, paste("survey", as.character(packageVersion("survey"))),
             paste("jsonlite", as.character(packageVersion("jsonlite"))),
             paste("generated", format(Sys.time(), "%Y-%m-%d"))), file.path(golddir, "VERSIONS.txt"))
cat("goldens written:", length(dom_rows), "domain rows,", length(ci_rows), "ci blocks,",
    length(con_rows), "contrasts,", length(std_rows), "standardised blocks\n")
