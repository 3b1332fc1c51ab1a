"""``twinviewer apply``: corrections from a spreadsheet (UTF-8 or GBK), all rows or none."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.store.conftest import make_store, one_error_line, run_cli
from twinviewer.store import GeoPackageStore, StoreError


def values(path, oid, *fields):
    con = sqlite3.connect(path)
    try:
        cols = ", ".join(f'"{f}"' for f in fields)
        return con.execute(f'SELECT {cols} FROM "设施" WHERE oid = ?', (oid,)).fetchone()
    finally:
        con.close()


def log_count(path) -> int:
    con = sqlite3.connect(path)
    try:
        if not con.execute("SELECT 1 FROM sqlite_master WHERE name = 'twinviewer_edit_log'") \
                .fetchone():
            return 0
        return con.execute("SELECT count(*) FROM twinviewer_edit_log").fetchone()[0]
    finally:
        con.close()


GOOD = [
    "layer,oid,状态,高度,层数,启用,检查日期",
    "设施,1,待修,3.5,,是,2024/6/1",  # 5 fields, 高度 empty: unchanged
    "设施,2,消防栓损坏,,,,",  # refused: not in the 状态 value list
    "设施,3,损坏,,7,否,",
    "设施,4,,,,,",  # nothing given: unchanged
    "设施,6,正常,,,,",  # same as now (6 % 3 == 0 -> 正常): unchanged
    "设施,999,正常,,,,",  # refused: unknown oid
    "设施,5,,,2.5,,",  # refused: 层数 is a whole number
]


def write_csv(path, lines, encoding):
    path.write_bytes("\r\n".join(lines).encode(encoding) + b"\r\n")
    return path


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk", "utf-8"])
def test_refused_rows_change_nothing_unless_partial(tmp_path, encoding):
    store = make_store(tmp_path)
    csv = write_csv(tmp_path / "整改清单.csv", GOOD, encoding)
    before = [values(store, oid, "状态", "高度", "层数", "启用") for oid in range(8)]
    report = GeoPackageStore(store).apply_csv(csv)
    assert not report.applied
    assert sorted({r.line for r in report.refused}) == [3, 7, 8]
    reasons = {r.line: (r.field, r.reason) for r in report.refused}
    assert reasons[3] == ("状态", "'消防栓损坏' is not one of: 正常, 损坏, 待修")
    assert reasons[7] == (None, "no object with oid 999 in layer '设施'")
    assert reasons[8] == ("层数", "'2.5' is not a whole number")
    assert [values(store, oid, "状态", "高度", "层数", "启用") for oid in range(8)] == before
    assert log_count(store) == 0

    report = GeoPackageStore(store, user="街道办").apply_csv(csv, partial=True)
    assert report.applied and report.changed == 2 and report.unchanged == 2
    assert report.cells == 4 + 2  # 1: 状态 高度 启用 检查日期; 3: 状态 层数 (启用 already 否)
    assert values(store, 1, "状态", "高度", "启用", "检查日期") == ("待修", 3.5, 1, "2024-06-01")
    assert values(store, 3, "状态", "层数", "启用") == ("损坏", 7, 0)
    assert values(store, 2, "状态") == before[2][:1]
    log = GeoPackageStore(store).log(oid=1)
    assert {e.field: (e.old, e.new) for e in log}["状态"] == ("损坏", "待修")
    assert {e.user for e in log} == {"街道办"} and log[0].label == "apply 整改清单.csv"
    assert log_count(store) == 6
    # applying again changes nothing
    again = GeoPackageStore(store).apply_csv(csv, partial=True)
    assert again.changed == 0 and again.unchanged == 4 and log_count(store) == 6


def test_a_clean_gbk_sheet_applies_in_one_go(tmp_path):
    store = make_store(tmp_path)
    lines = ["layer,oid,名称,状态"] + [f"设施,{i},改名{i}号,损坏" for i in range(10)]
    csv = write_csv(tmp_path / "gbk.csv", lines, "gbk")
    proc = run_cli("apply", store, csv)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0].endswith(
        "gbk.csv (gb18030): 10 rows changed, 0 unchanged, 0 refused")
    assert values(store, 9, "名称", "状态") == ("改名9号", "损坏")


def test_cli_apply_reports_and_fails_in_one_line(tmp_path):
    store = make_store(tmp_path)
    csv = write_csv(tmp_path / "e.csv", GOOD, "utf-8-sig")
    proc = run_cli("apply", store, csv)
    line = one_error_line(proc)
    assert "3 rows refused; nothing was changed" in line
    assert "refused line 3 (设施 oid 2), field 状态" in proc.stdout
    proc = run_cli("apply", store, csv, "--partial", "--json", "--user", "测绘院")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["changed"] == 2 and report["applied"] and len(report["refused"]) == 3
    assert GeoPackageStore(store).log(oid=3)[0].user == "测绘院"


@pytest.mark.parametrize(("lines", "problem"), [
    (["oid,layer,状态", "1,设施,正常"], "first row must name the columns: layer, oid"),
    ([""], "empty"),
    (["layer,oid,状态,状态", "设施,1,正常,正常"], "appears twice"),
])
def test_bad_sheets_are_refused_whole(tmp_path, lines, problem):
    store = make_store(tmp_path)
    csv = write_csv(tmp_path / "bad.csv", lines, "utf-8")
    with pytest.raises(StoreError, match=problem):
        GeoPackageStore(store).apply_csv(csv)
    assert log_count(store) == 0


def test_unknown_layer_and_field_are_reasons(tmp_path):
    store = make_store(tmp_path)
    csv = write_csv(tmp_path / "x.csv", ["layer,oid,颜色", "道路,1,红", "设施,1,红"], "utf-8")
    report = GeoPackageStore(store).apply_csv(csv)
    reasons = [str(r) for r in report.refused]
    assert reasons == ["line 2 (道路 oid 1): no layer '道路' in the store",
                       "line 3 (设施 oid 1), field 颜色: layer '设施' has no field '颜色'"]


def test_neither_utf8_nor_gbk(tmp_path):
    store = make_store(tmp_path)
    csv = tmp_path / "bin.csv"
    csv.write_bytes(b"layer,oid\n\x81\x20\xff\xfe\x00")
    proc = run_cli("apply", store, csv)
    assert "neither UTF-8 nor GBK" in one_error_line(proc)
