"""SDMX-CSV 2.0 read back by the `sdmx1` library against the documented structure
(docs/outputs.md), observation by observation against the Parquet estimates."""

from __future__ import annotations

import logging
import shutil
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd
import pytest
import sdmx
from sdmx.model import common, v30

from mhindicators.outputs.sdmx_csv import time_period

ROOT = Path(__file__).resolve().parents[2]
#: the structure as docs/outputs.md documents it (typed here, not imported)
DIMENSIONS = [
    "DATA_SOURCE",
    "REF_AREA",
    "TIME_PERIOD",
    "INDICATOR",
    "SEX",
    "AGE",
    "MIGRATORY_STATUS",
    "NATIVITY",
    "CITIZENSHIP",
    "MIGRANT_GENERATION",
    "STANDARDIZATION",
]
ATTRIBUTES = [
    "UNIT_MEASURE",
    "UNIT_MULT",
    "OBS_STATUS",
    "CONF_STATUS",
    "LOWER_BOUND",
    "UPPER_BOUND",
    "NATURE",
    "COMMENT_OBS",
]
DECIMALS = {
    "percent": 1,
    "per_100000": 1,
    "per_100000_live_births": 1,
    "ratio": 2,
    "currency": 0,
    "number": 0,
}


def dataflow() -> v30.Dataflow:
    agency = common.Agency(id="MHI")
    dsd = v30.DataStructureDefinition(id="DSD_MIGRANT_HEALTH", maintainer=agency)
    for dim in DIMENSIONS:
        dsd.dimensions.append(v30.Dimension(id=dim))
    dsd.measures.append(v30.Measure(id="OBS_VALUE"))
    for att in ATTRIBUTES:
        dsd.attributes.append(common.DataAttribute(id=att))
    return v30.Dataflow(id="DF_MIGRANT_HEALTH", maintainer=agency, version="1.0.0", structure=dsd)


def _round(x: float, d: int) -> str:
    return format(Decimal(repr(x)).quantize(Decimal(1).scaleb(-d), rounding=ROUND_HALF_UP), "f")


def test_sdmx1_reads_every_observation(sample_out: Path, caplog) -> None:
    path = sample_out / "estimates.sdmx.csv"
    with caplog.at_level(logging.WARNING, logger="sdmx"):
        message = sdmx.read_sdmx(path, structure=dataflow())
    assert not [r for r in caplog.records if "No column detected" in r.getMessage()]
    header = path.read_text().splitlines()[0].split(",")
    assert header == ["STRUCTURE", "STRUCTURE_ID", "ACTION", *DIMENSIONS, "OBS_VALUE", *ATTRIBUTES]
    assert len(message.data) == 1
    obs = message.data[0].obs
    est = pd.read_parquet(sample_out / "estimates.parquet")
    assert len(obs) == len(est)
    keys = {tuple(kv.value for kv in o.dimension.values.values()) for o in obs}
    assert len(keys) == len(obs)  # one observation per key
    checked = 0
    for o, row in zip(obs, est.itertuples(), strict=True):
        dim = {k: v.value for k, v in o.dimension.values.items()}
        att = {k: v.value for k, v in o.attached_attribute.items()}
        assert dim["REF_AREA"] == row.country and dim["INDICATOR"] == row.indicator_id
        assert dim["SEX"] == row.sex and dim["AGE"] == row.age_group
        hidden = row.action == "suppress" or pd.isna(row.estimate)
        if hidden:
            assert o.value in ("", None) and att["OBS_STATUS"] == "M"
            assert att["LOWER_BOUND"] == "" and att["UPPER_BOUND"] == ""
        else:
            d = DECIMALS[row.unit]
            assert str(o.value) == _round(row.estimate, d)
            assert att["OBS_STATUS"] == ("U" if row.action == "publish_with_caution" else "A")
            checked += 1
        assert att["CONF_STATUS"] == ("C" if "R" in row.flags.split(";") else "F")
        assert att["UNIT_MULT"] == "0" and att["NATURE"] == "C"
    assert checked > 100
    units = {o.attached_attribute["UNIT_MEASURE"].value for o in obs}
    assert {"PT", "PER_100000_POP", "PER_100000_LIVE_BIRTHS"} <= units


def test_time_periods() -> None:
    assert time_period("2024", "year") == "2024"
    assert time_period("2022-2024", "pooled_years") == "2022-01-01/P3Y"
    assert time_period("2024-02/2024-07", "fieldwork") == "2024-02-01/P6M"


def test_pooled_register_is_a_time_range(sample_out: Path) -> None:
    data = pd.read_csv(sample_out / "estimates.sdmx.csv", dtype=str, keep_default_na=False)
    assert set(data.loc[data["DATA_SOURCE"] == "tb", "TIME_PERIOD"]) == {"2022-01-01/P3Y"}
    assert set(data["STRUCTURE_ID"]) == {"MHI:DF_MIGRANT_HEALTH(1.0.0)"}


@pytest.mark.parametrize(
    "sdmx_yaml, where",
    [
        ("{agency: 1BAD}", "agency"),
        ("{dataflow: 'DF MIGRANT'}", "dataflow"),
        ("{version: v1}", "version"),
    ],
)
def test_bad_sdmx_ids_are_located(tmp_path, run_in, sdmx_yaml, where) -> None:
    shutil.copytree(ROOT / "indicator_defs", tmp_path / "indicator_defs")
    (tmp_path / "mhi.yaml").write_text(
        "definitions: [indicator_defs]\noutput:\n  dir: out\n  formats: [sdmx-csv]\n"
        "  sdmx: " + sdmx_yaml + "\n"
    )
    result = run_in(tmp_path, "compute")
    assert result.exit_code == 1, result.output
    assert "mhi.yaml:5:" in result.output and "MHI701" in result.output, result.output
    assert f"output.sdmx.{where}" in result.output
    assert not (tmp_path / "out").exists()


def test_configured_dataflow(tmp_path, run_in) -> None:
    shutil.copytree(ROOT / "indicator_defs", tmp_path / "indicator_defs")
    for name in ("nhs_2024.csv", "nhs_2024.profile.yaml"):
        shutil.copy(ROOT / "sample_data" / "survey" / name, tmp_path / name)
    (tmp_path / "mhi.yaml").write_text(
        "definitions: [indicator_defs]\ndatasets:\n  - id: nhs\n    path: nhs_2024.csv\n"
        "    profile: nhs_2024.profile.yaml\n    indicators: [hs_health_coverage]\n"
        "output:\n  dir: out\n  formats: [sdmx-csv]\n"
        "  sdmx: {agency: SDMX.UNSD, dataflow: DF_SDG_MIG, version: '2.1'}\n"
    )
    result = run_in(tmp_path, "compute", "-q")
    assert result.exit_code == 0, result.output
    lines = (tmp_path / "out" / "estimates.sdmx.csv").read_text().splitlines()
    want = "dataflow,SDMX.UNSD:DF_SDG_MIG(2.1),I,nhs,ESP,2024,hs_health_coverage"
    assert lines[1].startswith(want)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [".mhi", "estimates.sdmx.csv"]
