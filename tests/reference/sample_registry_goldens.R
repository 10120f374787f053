# End-to-end goldens for `mhi compute` on the shipped sample registers (the registry datasets of
# the root mhi.yaml), computed with base R `stats` and `epitools`.
#
# Run from the repository root:  Rscript tests/reference/sample_registry_goldens.R
# The CSV registers are read as they are. R here has no Parquet reader (no arrow, no nanoparquet),
# so the three Parquet files are first converted to CSV, format only, by the committed
# tests/reference/export_registry_inputs.py (run with $MHI_PYTHON, default .venv/bin/python)
# into a temporary directory. Everything else -- recodes, missing codes, the derivations of
# nativity / citizenship status / migratory status, age banding, regrouping of the denominator's
# age bands, sums by cell, margins, rates, intervals, contrasts -- is written out plainly here,
# independently of mhi, following the profiles in sample_data/registry/, the definitions in
# indicator_defs/ and docs/methods-registry.md. Writes tests/golden/sample_registry/
# {estimates,contrasts}.csv (numbers %.17g, the R call on each row) and CALLS.txt.
#
# Conventions reproduced (docs/methods-registry.md, registry/indicators.py):
# - all years of the files are pooled (year is not a dimension of any registry indicator);
# - every code of a dimension's vocabulary is a level (observed or not); a counted record whose
#   value is missing gets the level `_U`; `_T` is the margin; domains = all combinations;
# - a domain with denominator 0 has no rate (NA; mhi: NaN with MHI420 / MHI421);
# - crude rate: x/n * unit, exact Poisson CI = poisson.test(x, T = n)$conf.int * unit, SE =
#   sqrt(x)/n * unit;
# - DSR: epitools::ageadjust.direct(count, pop, stdpop) * unit (Fay-Feuer), the standard's bands
#   summed into the definition's bands; a band with no population and no events is passed with
#   pop = Inf so it adds 0 to the DSR, its variance and w_M (mhi's documented empty-band rule;
#   with pop = 0 epitools gives NaN); SE = sqrt(sum(stdwt^2 * count / pop^2)) * unit, the
#   variance ageadjust.direct uses internally;
# - crude rate ratio: poisson.test(c(x1, x0), c(n1, n0)) (estimate, conf.int); difference
#   (r1 - r0) +/- qnorm(0.975) sqrt(x1/n1^2 + x0/n0^2) * unit;
# - DSR ratio: Fay (1999) F interval re-typed (as tests/reference/rates_goldens.R); difference
#   (y1 - y0) +/- qnorm(0.975) sqrt(v1 + v0) * unit;
# - proportion among records: x/n * 100, Wilson CI = prop.test(x, n, correct = FALSE)$conf.int,
#   SE sqrt(p(1 - p)/n); contrasts: difference (Wald), ratio (Katz log), formulas re-typed.

suppressPackageStartupMessages(library(epitools))
options(warn = 1)

golddir <- "tests/golden/sample_registry"
regdir <- "sample_data/registry"
dir.create(golddir, showWarnings = FALSE, recursive = TRUE)
g17 <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", as.numeric(x)))
z <- qnorm(0.975)

pq <- file.path(tempdir(), "registry_csv")
py <- Sys.getenv("MHI_PYTHON", ".venv/bin/python")
# R's LD_LIBRARY_PATH can point Python at another libpython: run it with the caller's unset
stopifnot(system2(py, c("tests/reference/export_registry_inputs.py", pq),
                  env = "LD_LIBRARY_PATH=") == 0)
read_reg <- function(name) {
  path <- if (file.exists(file.path(regdir, paste0(name, ".csv")))) file.path(regdir, paste0(name, ".csv"))
          else file.path(pq, paste0(name, ".csv"))
  read.csv(path, stringsAsFactors = FALSE, na.strings = "")
}

# ------------------------------------------------------------ derivations ----
# Country codes are UN M49 numeric; every profile recodes the same set (plus 995 stateless for
# citizenship); 999 is the missing code. Only 724 (ESP, the reporting country) and 995 matter.
m49 <- c(12, 32, 68, 156, 170, 214, 218, 250, 276, 340, 380, 504, 566, 586, 604, 642, 686, 724,
         804, 826, 862)
migration <- function(cob, cit) {
  cob[cob %in% 999] <- NA
  cit[cit %in% 999] <- NA
  stopifnot(all(is.na(cob) | cob %in% m49), all(is.na(cit) | cit %in% c(m49, 995)))
  nat <- ifelse(is.na(cob), "unknown", ifelse(cob == 724, "native_born", "foreign_born"))
  cs <- ifelse(is.na(cit), "unknown", ifelse(cit == 724, "citizen",
               ifelse(cit == 995, "stateless", "foreign_citizen")))
  ms <- ifelse(nat == "unknown" | cs == "unknown", "unknown",
               paste0(nat, "_", ifelse(cs == "citizen", "citizen", "noncitizen")))
  data.frame(nativity = nat, citizenship_status = cs, migratory_status = ms,
             stringsAsFactors = FALSE)
}
sex_of <- function(x) { stopifnot(all(x %in% c(1, 2))); c("M", "F")[x] }
# vocabulary codes (src/mhindicators/vocabulary/data/variables.yaml): each is a level
LEVELS <- list(
  sex = c("F", "M"),
  nativity = c("native_born", "foreign_born", "unknown"),
  citizenship_status = c("citizen", "foreign_citizen", "stateless", "unknown"),
  migratory_status = c("native_born_citizen", "native_born_noncitizen", "foreign_born_citizen",
                       "foreign_born_noncitizen", "unknown"))
DIMS <- c("age_group", "citizenship_status", "migratory_status", "nativity", "sex")

band_code <- function(lo, hi) ifelse(is.na(hi), paste0("Y_GE", lo), paste0("Y", lo, "T", hi))
band_ages <- function(age, bands) {  # single ages -> the definition's band (NA if unknown)
  out <- rep(NA_character_, length(age))
  for (b in bands) {
    inb <- !is.na(age) & age >= b[1] & (is.na(b[2]) | age <= b[2])
    out[inb] <- band_code(b[1], b[2])
  }
  stopifnot(all(is.na(age) | !is.na(out)))  # every definition's bands cover 0+
  out
}
# national age-band codes 1-19 of the denominator tables: 0-4, 5-9, 10-14, 15-17, 18-19, 20-24,
# ..., 80-84, 85+
code_lo <- c(0, 5, 10, 15, 18, seq(20, 85, 5))
code_hi <- c(4, 9, 14, 17, 19, seq(24, 84, 5), NA)
band_codes <- function(code, bands) {
  stopifnot(all(code %in% 1:19))
  lo <- code_lo[code]; hi <- code_hi[code]
  out <- rep(NA_character_, length(code))
  for (b in bands) {
    inb <- lo >= b[1] & (is.na(b[2]) | (!is.na(hi) & hi <= b[2]))
    out[inb] <- band_code(b[1], b[2])
  }
  stopifnot(!anyNA(out))  # nests exactly
  out
}
five_year <- c(lapply(seq(0, 80, 5), function(a) c(a, a + 4)), list(c(85, NA)))

std_weights <- function(name, bands) {  # the standard's bands summed into the definition's
  s <- read.csv(file.path("src/mhindicators/stdpop", paste0(name, ".csv")), comment.char = "#")
  vapply(bands, function(b) {
    inb <- s$lower >= b[1] & (is.na(b[2]) | (!is.na(s$upper) & s$upper <= b[2]))
    sum(s$weight[inb])
  }, numeric(1))
}

# --------------------------------------------------------------- inputs ----
population <- local({
  d <- read_reg("population")
  cbind(d["ANO"], migration(d$PAIS_NAC, d$NACIONALIDAD), sex = sex_of(d$SEXO),
        code = d$GRUPO_EDAD, value = d$POBLACION, stringsAsFactors = FALSE)
})
live_births <- local({
  d <- read_reg("live_births")
  cbind(migration(d$PAIS_NAC_MADRE, d$NACIONALIDAD_MADRE), code = d$GRUPO_EDAD_MADRE,
        value = d$NACIDOS_VIVOS, stringsAsFactors = FALSE)
})
workers <- local({
  d <- read_reg("workers")
  cbind(migration(d$PAIS_NAC, d$NACIONALIDAD), sex = sex_of(d$SEXO),
        value = d$TRABAJADORES_ETC, stringsAsFactors = FALSE)
})
tb <- local({
  d <- read_reg("tb_notifications")
  stopifnot(all(d$TIPO_REGISTRO == 3), all(is.na(d$TIPO_CASO) | d$TIPO_CASO %in% c(1:5, 9)))
  cbind(migration(d$PAIS_NAC, d$NACIONALIDAD), sex = sex_of(d$SEXO), age = d$EDAD,
        hit = d$TIPO_CASO %in% c(1, 2), known = !is.na(d$TIPO_CASO), stringsAsFactors = FALSE)
})
deaths <- read_reg("deaths")
stopifnot(all(deaths$TIPO_REGISTRO == 1))
cause <- list(
  maternal = c("A34", "O150", "O721", "O85", "O881", "O993", "O994"),
  late_maternal = c("O960", "O969", "O970"),
  suicide = c("X64", "X70", "X78", "X80", "X84", "Y870"),
  ill_defined = c("R54", "R69", "R98", "R99"),
  other = c("B24", "C169", "C189", "C259", "C349", "C719", "C910", "E149", "F03", "G309", "G409",
            "I10", "I219", "I500", "I639", "J189", "J449", "K703", "K746", "N189", "P073",
            "V892", "W19", "X42"))
stopifnot(all(deaths$CAUSA_BASICA %in% unlist(cause)))  # the recode is exhaustive
death_frame <- function(hit) cbind(migration(deaths$PAIS_NAC, deaths$NACIONALIDAD),
                                   sex = sex_of(deaths$SEXO), age = deaths$EDAD, hit = hit,
                                   known = TRUE, stringsAsFactors = FALSE)
births <- local({
  d <- read_reg("births")
  stopifnot(all(d$TIPO_REGISTRO == 2))
  w <- ifelse(d$PESO == 9999, NA, d$PESO)
  cbind(migration(d$PAIS_NAC_MADRE, d$NACIONALIDAD_MADRE), age = d$EDAD_MADRE,
        hit = !is.na(w) & w < 2500, known = !is.na(w), stringsAsFactors = FALSE)
})
injuries <- local({
  d <- read_reg("occupational_injuries")
  stopifnot(all(d$TIPO_REGISTRO == 4), all(d$GRADO %in% 1:4))
  cbind(migration(d$PAIS_NAC, d$NACIONALIDAD), sex = sex_of(d$SEXO), grado = d$GRADO,
        known = TRUE, stringsAsFactors = FALSE)
})
trafficking <- local({
  d <- read_reg("trafficking_victims")
  stopifnot(all(d$TIPO_REGISTRO == 5))
  cbind(migration(d$PAIS_NAC, d$NACIONALIDAD), sex = sex_of(d$SEXO),
        age = ifelse(d$EDAD == 999, NA, d$EDAD), hit = TRUE, known = TRUE,
        stringsAsFactors = FALSE)
})
sources <- local({
  d <- read_reg("data_sources")
  v <- d[c("REG_PAIS_NAC", "REG_NACIONALIDAD", "REG_LLEGADA", "REG_PADRES")]
  stopifnot(all(unlist(v) %in% c(1, 2)))
  data.frame(hit = rowSums(v == 1) == 4, known = TRUE)
})

# ----------------------------------------------------------- indicators ----
tb_bands <- list(c(0, 4), c(5, 14), c(15, 24), c(25, 34), c(35, 44), c(45, 54), c(55, 64),
                 c(65, NA))
mmr_bands <- list(c(0, 19), c(20, 34), c(35, NA))
IND <- list(
  list(id = "sdg_3_3_2_tb_notification_rate", kind = "rate", ev = tb, den = population,
       dims = c("migratory_status", "sex", "age_group"), bands = tb_bands,
       ref = c(migratory_status = "native_born_citizen"), unit = 1e5,
       num = "TIPO_CASO in (1 new, 2 relapse)", den_r = "population.csv POBLACION"),
  list(id = "tb_notification_asr", kind = "dsr", ev = tb, den = population,
       dims = c("migratory_status", "sex"), bands = five_year, std = "who_world_2000_2025",
       ref = c(migratory_status = "native_born_citizen"), unit = 1e5,
       num = "TIPO_CASO in (1 new, 2 relapse)", den_r = "population.csv POBLACION"),
  list(id = "mort_asmr_by_cob", kind = "dsr", ev = death_frame(rep(TRUE, nrow(deaths))),
       den = population, dims = c("nativity", "sex"), bands = five_year, std = "esp_2013",
       ref = c(nativity = "native_born"), unit = 1e5,
       num = "every death (TIPO_REGISTRO 1)", den_r = "population.csv POBLACION"),
  list(id = "sdg_3_4_2_suicide_rate", kind = "rate",
       ev = death_frame(deaths$CAUSA_BASICA %in% cause$suicide), den = population,
       dims = c("migratory_status", "sex", "age_group"),
       bands = list(c(0, 14), c(15, 29), c(30, 49), c(50, 69), c(70, NA)),
       ref = c(migratory_status = "native_born_citizen"), unit = 1e5,
       num = "CAUSA_BASICA in X64, X70, X78, X80, X84, Y870", den_r = "population.csv POBLACION"),
  list(id = "sdg_3_1_1_mmr", kind = "rate",
       ev = death_frame(deaths$CAUSA_BASICA %in% cause$maternal), den = live_births,
       dims = c("migratory_status", "age_group"), bands = mmr_bands,
       ref = c(migratory_status = "native_born_citizen"), unit = 1e5,
       num = "CAUSA_BASICA in A34, O150, O721, O85, O881, O993, O994",
       den_r = "live_births.csv NACIDOS_VIVOS"),
  list(id = "peristat_low_birth_weight", kind = "proportion", ev = births,
       dims = c("migratory_status", "age_group"), bands = mmr_bands,
       ref = c(migratory_status = "native_born_citizen"), unit = 100,
       num = "PESO < 2500 among PESO != 9999", den_r = "births with known PESO"),
  list(id = "sdg_8_8_1_fatal_occupational_injuries", kind = "rate",
       ev = transform(injuries, hit = grado == 4), den = workers,
       dims = c("migratory_status", "sex"), ref = c(migratory_status = "native_born_citizen"),
       unit = 1e5, num = "GRADO == 4", den_r = "workers.csv TRABAJADORES_ETC"),
  list(id = "sdg_8_8_1_nonfatal_occupational_injuries", kind = "rate",
       ev = transform(injuries, hit = grado %in% 1:3), den = workers,
       dims = c("migratory_status", "sex"), ref = c(migratory_status = "native_born_citizen"),
       unit = 1e5, num = "GRADO in 1:3", den_r = "workers.csv TRABAJADORES_ETC"),
  list(id = "sdg_16_2_2_trafficking_victims", kind = "rate", ev = trafficking, den = population,
       dims = c("citizenship_status", "sex", "age_group"), bands = list(c(0, 17), c(18, NA)),
       ref = c(citizenship_status = "citizen"), unit = 1e5,
       num = "every victim (TIPO_REGISTRO 5)", den_r = "population.csv POBLACION"),
  list(id = "his_migration_core_variables", kind = "proportion", ev = sources,
       dims = character(0), unit = 100, num = "all four REG_* == 1", den_r = "every source")
)

# ------------------------------------------------------------- domains ----
levels_for <- function(ind, d, ev) {
  lev <- if (d == "age_group") vapply(ind$bands, function(b) band_code(b[1], b[2]), "")
         else LEVELS[[d]]
  if (anyNA(ev[[d]][ev$counted])) lev <- c(lev, "_U")
  c(lev, "_T")
}
in_domain <- function(frame, dom) {
  ok <- rep(TRUE, nrow(frame))
  for (d in names(dom)) {
    v <- dom[[d]]
    if (v == "_T") next
    ok <- ok & if (v == "_U") is.na(frame[[d]]) else (!is.na(frame[[d]]) & frame[[d]] == v)
  }
  ok
}
dom_text <- function(dom) {
  parts <- unlist(Map(function(d, v) if (v == "_T") NULL else sprintf("%s == '%s'", d, v),
                      names(dom), dom))
  if (length(parts)) paste(parts, collapse = " & ") else "all"
}
labels <- function(dom) {
  lab <- setNames(rep("_T", length(DIMS)), DIMS)
  lab[names(dom)] <- unlist(dom)
  as.list(lab)
}

crude <- function(x, n, unit) {
  if (n == 0) return(list(est = NA, se = NA, lo = NA, hi = NA, call = "n = 0: no rate"))
  ci <- poisson.test(x, T = n)$conf.int
  list(est = x / n * unit, se = sqrt(x) / n * unit, lo = ci[1] * unit, hi = ci[2] * unit,
       call = sprintf("poisson.test(%s, T = %s)$conf.int * %s", g17(x), g17(n), g17(unit)))
}
dsr_parts <- function(e, p, s) {
  if (any(e > 0 & p == 0) || all(p == 0)) return(NULL)
  pop <- ifelse(p == 0, Inf, p)  # empty band: adds 0 to y, v and w_M
  stdwt <- s / sum(s)
  list(e = e, pop = pop, s = s, y = sum(stdwt * e / pop), v = sum(stdwt^2 * e / pop^2),
       wm = max(stdwt / pop))
}
dsr_row <- function(q, unit) {
  if (is.null(q)) return(list(est = NA, se = NA, lo = NA, hi = NA, call = "no population in a band with events, or in every band: no rate"))
  r <- ageadjust.direct(count = q$e, pop = q$pop, stdpop = q$s)
  list(est = r[["adj.rate"]] * unit, se = sqrt(q$v) * unit, lo = r[["lci"]] * unit,
       hi = r[["uci"]] * unit,
       call = sprintf("ageadjust.direct(count = c(%s), pop = c(%s), stdpop = c(%s)) * %s; se = sqrt(sum((stdpop/sum(stdpop))^2 * count/pop^2)) * %s",
                      paste(g17(q$e), collapse = ","), paste(g17(q$pop), collapse = ","),
                      paste(g17(q$s), collapse = ","), g17(unit), g17(unit)))
}

est_rows <- list(); con_rows <- list(); calls <- character(0)
for (ind in IND) {
  ev <- ind$ev
  ev$counted <- ev$known & ev$hit  # records that count as events (for `_U` levels)
  if (ind$kind == "proportion") ev$counted <- ev$known
  if (!is.null(ind$bands)) ev$age_group <- band_ages(ev$age, ind$bands)
  den <- ind[["den"]]  # [[ ]]: `$` would partially match den_r
  if (!is.null(den) && "age_group" %in% c(ind$dims, if (ind$kind == "dsr") "age_group"))
    den$age_group <- band_codes(den$code, ind$bands)
  dims <- ind$dims
  grid <- expand.grid(lapply(setNames(dims, dims), function(d) levels_for(ind, d, ev)),
                      stringsAsFactors = FALSE)
  if (!length(dims)) grid <- data.frame(row.names = 1)
  bands <- if (ind$kind == "dsr") vapply(ind$bands, function(b) band_code(b[1], b[2]), "")
  s <- if (ind$kind == "dsr") std_weights(ind$std, ind$bands)
  res <- vector("list", nrow(grid))
  for (i in seq_len(nrow(grid))) {
    dom <- as.list(grid[i, , drop = FALSE])
    if (!length(dims)) dom <- list()
    evd <- ev[in_domain(ev, dom), , drop = FALSE]
    dend <- if (!is.null(den)) den[in_domain(den, dom), , drop = FALSE]
    if (ind$kind == "rate") {
      x <- sum(evd$known & evd$hit); n <- sum(dend$value)
      r <- crude(x, n, ind$unit)
      r$x <- x; r$n <- n; r$method <- "garwood"
    } else if (ind$kind == "dsr") {
      e <- vapply(bands, function(b) sum(evd$known & evd$hit & evd$age_group %in% b), 0)
      p <- vapply(bands, function(b) sum(dend$value[dend$age_group == b]), 0)
      q <- dsr_parts(e, p, s)
      r <- dsr_row(q, ind$unit)
      r$q <- q; r$x <- sum(e); r$n <- sum(p); r$method <- "fay-feuer"
    } else {
      x <- sum(evd$known & evd$hit); n <- sum(evd$known)
      ci <- prop.test(x, n, correct = FALSE)$conf.int
      pr <- x / n
      r <- list(est = pr * 100, se = sqrt(pr * (1 - pr) / n) * 100, lo = ci[1] * 100,
                hi = ci[2] * 100, x = x, n = n, method = "wilson",
                call = sprintf("prop.test(%s, %s, correct = FALSE)$conf.int * 100", x, n))
    }
    res[[i]] <- r
    est_rows[[length(est_rows) + 1]] <- data.frame(
      indicator_id = ind$id, labels(dom), standardization = if (is.null(ind$std)) "" else ind$std,
      events = g17(r$x), denominator = g17(r$n), estimate = g17(r$est), se = g17(r$se),
      ci_lower = g17(r$lo), ci_upper = g17(r$hi), ci_method = r$method,
      r_call = sprintf("domain %s: %s", dom_text(dom), r$call), stringsAsFactors = FALSE)
  }
  if (is.null(ind$ref)) next
  dim <- names(ind$ref); refv <- ind$ref[[1]]
  others <- setdiff(dims, dim)
  key <- if (length(others)) do.call(paste, c(grid[others], sep = "|")) else rep("", nrow(grid))
  for (i in seq_len(nrow(grid))) {
    g <- grid[[dim]][i]
    if (g %in% c(refv, "_T")) next
    j <- which(grid[[dim]] == refv & key == key[i])
    a <- res[[i]]; b <- res[[j]]
    out <- list(ratio = NA, ratio_se = NA, rlo = NA, rhi = NA, diff = NA, diff_se = NA)
    if (ind$kind == "rate" && a$n > 0 && b$n > 0) {
      out$diff <- (a$x / a$n - b$x / b$n) * ind$unit
      out$diff_se <- sqrt(a$x / a$n^2 + b$x / b$n^2) * ind$unit
      if (a$x + b$x > 0) {
        pt <- poisson.test(c(a$x, b$x), c(a$n, b$n))
        out$ratio <- unname(pt$estimate); out$rlo <- pt$conf.int[1]; out$rhi <- pt$conf.int[2]
        call <- sprintf("poisson.test(c(%s, %s), c(%s, %s))", g17(a$x), g17(b$x), g17(a$n), g17(b$n))
      } else call <- "x1 + x0 = 0: poisson.test undefined; ratio 0/0"
      call <- paste0(call, "; difference (x1/n1 - x0/n0) * unit +/- qnorm(0.975) * sqrt(x1/n1^2 + x0/n0^2) * unit")
    } else if (ind$kind == "dsr" && !is.null(a$q) && !is.null(b$q)) {
      p1 <- a$q; p0 <- b$q; al <- 0.05
      out$ratio <- p1$y / p0$y
      out$rlo <- if (p1$y > 0) p1$y / (p0$y + p0$wm) * qf(al / 2, 2 * p1$y^2 / p1$v,
                   2 * (p0$y + p0$wm)^2 / (p0$v + p0$wm^2)) else 0
      out$rhi <- if (p0$y > 0) (p1$y + p1$wm) / p0$y * qf(1 - al / 2,
                   2 * (p1$y + p1$wm)^2 / (p1$v + p1$wm^2), 2 * p0$y^2 / p0$v) else Inf
      out$diff <- (p1$y - p0$y) * ind$unit
      out$diff_se <- sqrt(p1$v + p0$v) * ind$unit
      call <- paste("Fay F: y1/(y0+wm0)*qf(0.025, 2y1^2/v1, 2(y0+wm0)^2/(v0+wm0^2)),",
                    "(y1+wm1)/y0*qf(0.975, 2(y1+wm1)^2/(v1+wm1^2), 2y0^2/v0);",
                    "difference (y1 - y0) * unit +/- qnorm(0.975) * sqrt(v1 + v0) * unit;",
                    "y, v, wm from the ageadjust.direct inputs of both rows")
    } else if (ind$kind == "proportion") {
      p1 <- a$x / a$n; p0 <- b$x / b$n
      out$diff <- (p1 - p0) * 100
      out$diff_se <- sqrt(p1 * (1 - p1) / a$n + p0 * (1 - p0) / b$n) * 100
      out$ratio <- p1 / p0
      sl <- sqrt(1 / a$x - 1 / a$n + 1 / b$x - 1 / b$n)
      out$ratio_se <- out$ratio * sl
      out$rlo <- out$ratio * exp(-z * sl); out$rhi <- out$ratio * exp(z * sl)
      call <- paste("difference (p1 - p0) * 100 +/- qnorm(0.975) * sqrt(p1(1-p1)/n1 + p0(1-p0)/n0) * 100;",
                    "ratio p1/p0 * exp(-/+ qnorm(0.975) * sqrt(1/x1 - 1/n1 + 1/x0 - 1/n0)) (Katz)")
    } else call <- "no denominator in the group or the reference: no contrast"
    lab <- labels(as.list(grid[i, , drop = FALSE]))
    lab[[dim]] <- NULL
    con_rows[[length(con_rows) + 1]] <- data.frame(
      indicator_id = ind$id, dimension = dim, group = g, reference = refv, lab,
      estimate = g17(a$est), reference_estimate = g17(b$est),
      difference = g17(out$diff), difference_se = g17(out$diff_se),
      difference_ci_lower = g17(out$diff - z * out$diff_se),
      difference_ci_upper = g17(out$diff + z * out$diff_se),
      ratio = g17(out$ratio), ratio_se = g17(out$ratio_se),
      ratio_ci_lower = g17(out$rlo), ratio_ci_upper = g17(out$rhi),
      r_call = sprintf("group %s vs reference %s: %s", dom_text(as.list(grid[i, , drop = FALSE])),
                       refv, call), stringsAsFactors = FALSE)
  }
  calls <- c(calls, sprintf("  %s (%s): numerator %s; denominator %s; dims %s%s", ind$id,
                            ind$kind, ind$num, ind$den_r, paste(dims, collapse = " x "),
                            if (is.null(ind$std)) "" else paste0("; standard ", ind$std)))
}

estimates <- do.call(rbind, est_rows)
contrasts <- do.call(rbind, lapply(con_rows, function(r) {
  for (d in setdiff(DIMS, names(r))) r[[d]] <- "_T"
  r[c("indicator_id", "dimension", "group", "reference", setdiff(DIMS, c()), setdiff(names(r),
      c("indicator_id", "dimension", "group", "reference", DIMS)))]
}))
write.csv(estimates, file.path(golddir, "estimates.csv"), row.names = FALSE)
write.csv(contrasts, file.path(golddir, "contrasts.csv"), row.names = FALSE)
writeLines(c(
  R.version.string,
  paste("epitools", as.character(packageVersion("epitools"))),
  paste("generated", format(Sys.Date())),
  "",
  "Inputs: sample_data/registry/*.csv read with read.csv; *.parquet converted to CSV (format only)",
  "by tests/reference/export_registry_inputs.py. All years pooled. Recodes and derivations: see the",
  "script (nativity, citizenship status and migratory status from PAIS_NAC / NACIONALIDAD vs 724).",
  "Indicators (as in mhi.yaml):", calls, "",
  "crude rate: poisson.test(x, T = n)$conf.int * unit; se = sqrt(x)/n * unit",
  "DSR: epitools::ageadjust.direct(count, pop, stdpop) * unit (empty band: pop = Inf); se = sqrt(sum(stdwt^2 count/pop^2)) * unit",
  "proportion: prop.test(x, n, correct = FALSE)$conf.int * 100; se = sqrt(p(1-p)/n) * 100",
  "rate ratio: poisson.test(c(x1, x0), c(n1, n0)); DSR ratio: Fay (1999) F interval (qf), re-typed",
  "differences: normal, qnorm(0.975); proportion ratio: Katz log interval",
  "Each row of estimates.csv / contrasts.csv carries its exact call in r_call."),
  file.path(golddir, "CALLS.txt"))
cat(sprintf("wrote %d estimate rows and %d contrast rows to %s\n", nrow(estimates),
            nrow(contrasts), golddir))
