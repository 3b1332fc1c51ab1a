"""``twinviewer cases`` as a user runs it: a GBK sweep sheet filed on buildings, figures,
transitions, refusals as one line."""

from __future__ import annotations

import json
import subprocess
import sys

import openpyxl
import pyogrio
import pytest
from pyproj import Transformer

from tests.conftest import DEMO_SCENE, copy_demo


def run(*args, timeout=120):
    return subprocess.run([sys.executable, "-m", "twinviewer", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def scene(tmp_path):
    return copy_demo(tmp_path)


def buildings():
    df = pyogrio.read_dataframe(DEMO_SCENE.parent / "district.gpkg", layer="buildings",
                                fid_as_index=True)
    return df


HEADER = "楼栋编号,小区,楼栋,门牌,经度,纬度,类别,小类,等级,责任单位,责任人,发现时间"


def sheet_rows():
    b = buildings()
    lonlat = Transformer.from_crs(b.crs, "EPSG:4326", always_xy=True)
    c = b.geometry.iloc[9].representative_point()
    lon, lat = lonlat.transform(c.x, c.y)
    return [
        f"{b.index[0]},,,,,,消防安全,消防通道堵塞,重大,消防站,李明,2026-03-02 09:00",
        f",,,{b['地址'].iloc[3]},,,消防安全,电动车违规充电,一般,物业公司,王芳,2026-03-02",
        f",{b['小区'].iloc[5]},{b['名称'].iloc[5].removeprefix(b['小区'].iloc[5])},,,,"
        "市容环境,占道经营,一般,城管中队,张伟,2026-03-03",
        f",,,,{lon:.7f},{lat:.7f},房屋安全,外墙脱落,重大,房管所,赵强,2026-03-04",
        ",,,不存在路1号,,,消防安全,消防通道堵塞,一般,消防站,李明,2026-03-04",
    ], [b.index[0], b.index[3], b.index[5], b.index[9]]


def test_sweep_in_gbk_is_all_or_nothing_then_partial(scene, tmp_path):
    rows, expected = sheet_rows()
    sheet = tmp_path / "排查.csv"
    sheet.write_bytes(("\n".join([HEADER, *rows]) + "\n").encode("gbk"))
    before = json.loads(run("cases", scene, "--json").stdout)["cases"]  # the demo's sweep
    r = run("cases", "import", scene, sheet)
    assert r.returncode == 2, r.stderr
    assert "row 6" in r.stderr and "不存在路1号" in r.stderr and "Traceback" not in r.stderr
    assert json.loads(run("cases", scene, "--json").stdout)["cases"] == before  # none filed
    r = run("cases", "import", scene, sheet, "--partial", "--json")
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert report["filed"] == 4 and [u["row"] for u in report["unmatched"]] == [6]
    cases = pyogrio.read_dataframe(scene.parent / "district.gpkg", layer="twinviewer_cases")
    cases = cases[cases.ref.fillna("").str.startswith("sweep:排查.csv:")]
    assert sorted(cases.oid.astype(int)) == sorted(int(o) for o in expected)
    again = json.loads(run("cases", "import", scene, sheet, "--partial", "--json").stdout)
    assert again["filed"] == 0  # the same sheet twice files nothing twice


def test_xlsx_summary_keys_and_transitions(scene, tmp_path):
    rows, _ = sheet_rows()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER.split(","))
    for row in rows[:4]:
        ws.append(row.split(","))
    wb.save(tmp_path / "sweep.xlsx")
    demo = json.loads(run("cases", scene, "--json").stdout)
    assert run("cases", "import", scene, tmp_path / "sweep.xlsx").returncode == 0
    out = json.loads(run("cases", scene, "--json").stdout)
    assert list(out) == ["cases", "open", "overdue", "by_state", "by_category", "by_unit",
                         "closed_rate", "on_time_rate", "rework_rate", "extension_rate",
                         "alerts"]
    assert list(out["alerts"]) == ["firing", "acknowledged", "resolved", "silenced"]
    assert out["cases"] == demo["cases"] + 4 and out["by_state"]["上报"] == 4
    grown = {k: v - demo["by_unit"].get(k, 0) for k, v in out["by_unit"].items()}
    assert {k: v for k, v in grown.items() if v} == {"城管中队": 1, "房管所": 1, "消防站": 1,
                                                     "物业公司": 1}
    mine = pyogrio.read_dataframe(scene.parent / "district.gpkg", layer="twinviewer_cases")
    cid = mine[mine.ref.fillna("").str.startswith("sweep:sweep.xlsx:")].case_id.tolist()[0]
    for state, role in (("立案", "operator"), ("派遣", "operator"), ("处置", "unit"),
                        ("反馈", "unit"), ("核查", "checker")):
        r = run("cases", scene, "transition", cid, state, "--role", role, "--note", "ok")
        assert r.returncode == 0, r.stderr
    r = run("cases", scene, "transition", cid, "结案", "--role", "unit")
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "unit" in r.stderr
    assert run("cases", scene, "transition", cid, "结案", "--role", "checker").returncode == 0
    r = run("cases", scene, "transition", "AJ-nope", "立案")
    assert r.returncode == 2 and "no case AJ-nope" in r.stderr
    out = json.loads(run("cases", scene, "--json").stdout)
    assert out["by_state"]["上报"] == 3
    assert out["by_state"]["结案"] == demo["by_state"]["结案"] + 1
    assert out["open"] == demo["open"] + 3
