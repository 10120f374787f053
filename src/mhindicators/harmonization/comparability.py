"""Comparability codes and SDG nature codes of a result row (docs/multi-country.md).

Codes, `;`-joined on each row, relative to the reference definition the row's indicator
stands for:

- `R`  computed with the reference definition of the catalogue;
- `V:<kinds>`  computed with a national variant whose deviations are of these kinds (`+`-joined);
- `B`  the migratory dimension rests on another basis than the reference definition's;
- `S`  another source type (survey / registry) than the reference definition's;
- `U`  another unit than the reference definition's (only through a declared `unit` deviation).

Variant information is read through `extends`, `country` and `deviations` of the definition,
as the national-variant spec shares it with `mhi diff`.
"""

from __future__ import annotations

from mhindicators.harmonization.basis import indicator_basis

#: SDG global database NATURE attribute (SDG DSD guidelines, code list CL_NATURE).
NATURE = {
    "C": "Country data: produced and disseminated by the country",
    "CA": "Country adjusted: produced by the country, adjusted by the international agency",
    "E": "Estimated from national data by the international agency",
    "G": "Global monitoring data",
    "M": "Modelled",
    "N": "Non-relevant",
}


def reference_id(ind) -> str:
    """The id of the reference definition an indicator stands for (itself if not a variant)."""
    extends = getattr(ind, "extends", None)
    return extends.id if extends is not None else ind.id


def deviation_kinds(ind) -> tuple[str, ...]:
    """The sorted, unique kinds of the definition's declared deviations."""
    return tuple(sorted({d.kind for d in getattr(ind, "deviations", None) or []}))


def comparability(ind, ref) -> tuple[str, list[str]]:
    """(codes, reasons in words) of `ind` against its reference definition `ref`."""
    codes, reasons = [], []
    if getattr(ind, "extends", None) is None:
        codes.append("R")
    else:
        kinds = deviation_kinds(ind)
        codes.append("V:" + "+".join(kinds))
        reasons.append(f"national variant {ind.id} ({', '.join(kinds) or 'no deviation'})")
    basis, ref_basis = indicator_basis(ind), indicator_basis(ref)
    if basis != ref_basis:
        codes.append("B")
        reasons.append(f"migratory basis {basis or 'none'} instead of {ref_basis or 'none'}")
    if ind.source != ref.source:
        codes.append("S")
        reasons.append(f"source {ind.source} instead of {ref.source}")
    if ind.unit != ref.unit:
        codes.append("U")
        reasons.append(f"unit {ind.unit} instead of {ref.unit}")
    return ";".join(codes), reasons


def nature(ind) -> str:
    """SDG nature of a national row: always `C`. mhi computes from the country's own data and
    never adjusts a value; a variant's difference is stated by its comparability code (the
    footnote), not by `CA`, which means an adjustment by the compiling agency."""
    return "C"
