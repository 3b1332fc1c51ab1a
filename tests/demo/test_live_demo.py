"""The demo's hazard sweep (cases) and IoT estate (sensors), read back independently."""

from __future__ import annotations

import sqlite3

import pyogrio
import pytest
import tomllib

from twinviewer.demo.generator import generate_district


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("live_demo")
    return generate_district(out, objects=6000)


def test_sweep_cases(demo):
    gpkg = demo.parent / "district.gpkg"
    cases = pyogrio.read_dataframe(gpkg, layer="twinviewer_cases")
    events = pyogrio.read_dataframe(gpkg, layer="twinviewer_case_events")
    b = pyogrio.read_dataframe(gpkg, layer="buildings", fid_as_index=True)
    assert len(cases) == 705 and cases.subcategory.nunique() == 21
    assert cases.oid.nunique() == min(541, len(b)) and set(cases.oid) <= set(b.index)
    assert set(events.case_id) == set(cases.case_id)
    last = events.groupby("case_id").to_state.last()
    assert (last == "结案").mean() > 0.8 and (last != "结案").sum() > 10
    assert ((events.from_state == "核查") & (events.to_state == "派遣")).sum() > 10  # reworks
    limits = pyogrio.read_dataframe(gpkg, layer="twinviewer_time_limits")
    assert set(limits["小类"]) == set(cases.subcategory)
    with sqlite3.connect(gpkg) as conn:  # holidays in the calendar
        assert conn.execute("SELECT 类型 FROM twinviewer_calendar WHERE 日期 = '2026-10-01'"
                            ).fetchone() == ("休息",)


def test_estate_sensors_and_live_section(demo):
    gpkg = demo.parent / "district.gpkg"
    s = pyogrio.read_dataframe(gpkg, layer="iot_sensors")
    assert 990 <= len(s) <= 1010 and s["类型"].nunique() == 19
    assert s["小区"].nunique() == 1 and s["编号"].is_unique
    gateways = set(s.loc[s["类型"] == "网关", "编号"])
    assert set(s.loc[s["类型"] != "网关", "网关"]) <= gateways
    doc = tomllib.loads(demo.read_text(encoding="utf-8"))
    assert doc["live"]["sensors"] == "物联设备"
    assert next(lyr for lyr in doc["layers"] if lyr["name"] == "物联设备")["table"] == "iot_sensors"
