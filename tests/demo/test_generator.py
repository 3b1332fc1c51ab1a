"""The demo district generator, read back independently with pyogrio and tomllib."""

from __future__ import annotations

import sys
import time

import numpy as np
import pyogrio
import pytest
import shapely

from twinviewer.demo.generator import generate_district

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

TABLES = {
    "compounds": "Polygon",
    "buildings": "Polygon",
    "roads": "LineString",
    "street_furniture": "Point",
    "cameras": "Point",
    "sensors": "Point",
    "population": "Point Z",  # markers float above the roofs
    "key_points": "Point",
    "hazards": "Point",
    "residents": "Point Z",  # special-care residents, inside their homes at their floor
}
POINT_TABLES = [t for t, kind in TABLES.items() if kind.startswith("Point")]
FURNITURE = {"路灯", "垃圾桶", "行道树", "广告牌", "电杆", "消防栓", "长椅"}


def _read(path, table):
    meta, _, wkb, values = pyogrio.raw.read(path, layer=table)
    return meta, shapely.from_wkb(wkb), dict(zip(meta["fields"], values, strict=True))


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    out = tmp_path_factory.mktemp("district")
    calls = []
    scene = generate_district(out, objects=3000, progress=lambda f, m: calls.append((f, m)))
    gpkg = out / "district.gpkg"
    data = {t: _read(gpkg, t) for t in TABLES}
    return scene, gpkg, data, calls


def test_tables_present_and_typed(district):
    _, gpkg, data, _ = district
    listed = {name: kind for name, kind in pyogrio.list_layers(gpkg)}
    assert set(TABLES) <= set(listed)
    for table, kind in TABLES.items():
        assert listed[table] == kind
        meta, geoms, _ = data[table]
        assert len(geoms) > 0, table
        assert "oid" not in meta["fields"]
        assert pyogrio.read_info(gpkg, layer=table)["crs"] == "EPSG:32651"


def test_total_count_near_target(district):
    _, _, data, _ = district
    counts = {t: len(data[t][1]) for t in TABLES}
    total = sum(counts.values())
    assert 2700 <= total - counts["residents"] <= 3300, counts
    assert 0.02 * total < counts["residents"] < 0.08 * total, counts
    main = counts["street_furniture"] + counts["buildings"]
    assert main >= 0.7 * total
    for overlay in ("cameras", "sensors", "population", "key_points", "hazards", "residents"):
        assert 0 < counts[overlay] < 0.15 * total, overlay


def test_classes_and_chinese_text(district):
    _, _, data, _ = district
    classes = set()
    for table in POINT_TABLES:
        classes |= set(data[table][2]["类别"])
    assert FURNITURE <= set(data["street_furniture"][2]["类别"])
    assert {"摄像头", "传感器", "人口", "重点点位", "安全隐患"} <= classes
    assert len(classes | {"住宅楼"}) >= 8
    assert "住宅楼" in set(data["buildings"][2]["类别"])

    comp = data["compounds"][2]
    assert all(name.endswith(("小区", "新村", "花园", "公寓", "家园")) or "期" in name
               for name in comp["名称"])
    assert set(comp["类别"]) == {"小区"}
    b = data["buildings"][2]
    homes = b["类别"] == "住宅楼"
    assert all(n.endswith("号楼") for n in b["名称"][homes])
    assert all(a.endswith("号") and "弄" in a for a in b["地址"][homes])
    roads = data["roads"][2]
    assert all(n.endswith("路") for n in roads["名称"])
    assert set(roads["等级"]) == {"主干路", "次干路", "支路"}
    assert set(roads["类别"]) == {"道路"}
    assert set(data["cameras"][2]["所属部门"]) == {"公安"}
    assert set(data["hazards"][2]["隐患类别"]) <= {
        "消防通道堵塞", "电动车违规充电", "高空坠物", "违章搭建", "井盖缺失"}
    dates = data["hazards"][2]["发现日期"]
    assert all(len(d) == 10 and d[4] == "-" and d[7] == "-" for d in dates)
    assert all(a < b for a, b in zip(dates, data["hazards"][2]["截止日期"], strict=True))


def test_numbers_consistent(district):
    _, _, data, _ = district
    b = data["buildings"][2]
    assert b["层数"].dtype.kind == "i" and b["高度"].dtype.kind == "f"
    assert np.all(np.abs(b["高度"] - b["层数"] * 3.0) <= 2.0)
    comp = data["compounds"][2]
    for name, hh, n in zip(comp["名称"], comp["户数"], comp["楼栋数"], strict=True):
        mine = b["小区"] == name
        assert mine.sum() == n
        assert b["户数"][mine].sum() == hh
    pop = data["population"][2]
    assert len(pop["楼栋"]) == int((b["类别"] == "住宅楼").sum())
    assert np.all(pop["独居老人"] <= pop["户数"]) and np.all(pop["八十岁以上"] <= pop["人口"])


def test_geometry_valid_and_buildings_in_compounds(district):
    _, _, data, _ = district
    for table in TABLES:
        geoms = data[table][1]
        assert shapely.is_valid(geoms).all(), table
    bgeoms, b = data["buildings"][1], data["buildings"][2]
    ring = shapely.get_coordinates(shapely.get_exterior_ring(bgeoms)).reshape(len(bgeoms), 5, 2)
    edges = np.hypot(*np.diff(ring, axis=1).transpose(2, 0, 1))
    assert edges.min() >= 10.0 - 1e-6 and edges.max() <= 60.0 + 1e-6
    cgeoms, c = data["compounds"][1], data["compounds"][2]
    by_name = dict(zip(c["名称"], cgeoms, strict=True))
    claimed = np.flatnonzero(b["小区"] != "")
    assert len(claimed) > 0
    containers = np.array([by_name[b["小区"][k]] for k in claimed])
    assert shapely.within(bgeoms[claimed], containers).all()
    # near Shanghai in UTM 51N
    x, y = shapely.get_coordinates(bgeoms).T
    assert 340_000 < x.min() and x.max() < 360_000
    assert 3_445_000 < y.min() and y.max() < 3_465_000


def test_residents_inside_their_homes_and_sensitive(district):
    _, gpkg, data, _ = district
    geoms, r = data["residents"][1], data["residents"][2]
    bgeoms, b = data["buildings"][1], data["buildings"][2]
    by_name = dict(zip(b["名称"], range(len(bgeoms)), strict=True))
    homes = np.array([by_name[n] for n in r["楼栋"]])
    assert (b["类别"][homes] == "住宅楼").all()
    assert shapely.within(shapely.force_2d(geoms), bgeoms[homes]).all()
    z = shapely.get_coordinates(geoms, include_z=True)[:, 2]
    assert (z >= 0).all() and (z < b["层数"][homes] * 3.0).all()  # at a floor, not on the roof
    assert set(r["类别"]) == {"独居老人", "高龄老人", "残疾人", "困难家庭"}
    assert set(np.unique(r["独居"])) == {0, 1} and set(np.unique(r["残疾"])) == {0, 1}
    assert ((r["年龄"] >= 80) & (r["独居"] == 1)).sum() > 0  # the saved filter finds people
    assert all(a.startswith(home) and a.endswith("室")
               for a, home in zip(r["地址"], b["地址"][homes], strict=True))
    # ID numbers: 18 characters with the GB 11643 check character; phones: 11 digits
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    for idn in r["身份证号"]:
        assert len(idn) == 18
        assert idn[17] == "10X98765432"[sum(w * int(c) for w, c in zip(weights, idn[:17],
                                                                      strict=True)) % 11]
    assert all(len(p) == 11 and p.isdigit() and p[0] == "1" for p in r["电话"])
    # marked sensitive in the GeoPackage schema extension, read with sqlite3 directly
    import sqlite3

    with sqlite3.connect(gpkg) as conn:
        rows = conn.execute("SELECT column_name, description FROM gpkg_data_columns WHERE "
                            "table_name = 'residents'").fetchall()
    assert {c for c, d in rows if "twinviewer:sensitive" in (d or "")} == {"姓名", "身份证号",
                                                                          "电话"}


def test_deterministic(district, tmp_path):
    _, gpkg, data, _ = district
    generate_district(tmp_path, objects=3000)
    for table in TABLES:
        meta, geoms, fields = _read(tmp_path / "district.gpkg", table)
        assert list(meta["fields"]) == list(data[table][2])
        for key, values in fields.items():
            np.testing.assert_array_equal(values, data[table][2][key], err_msg=f"{table}.{key}")
        assert shapely.equals_exact(geoms, data[table][1], tolerance=0.0).all()


def test_other_seed_differs(district, tmp_path):
    _, _, data, _ = district
    generate_district(tmp_path, objects=3000, seed=7)
    _, _, fields = _read(tmp_path / "district.gpkg", "compounds")
    assert list(fields["名称"]) != list(data["compounds"][2]["名称"])


def test_scene_toml(district):
    scene, gpkg, _, calls = district
    doc = tomllib.loads(scene.read_text(encoding="utf-8"))
    assert doc["version"] == 1
    assert doc["crs"] == "EPSG:32651"
    assert doc["name"].endswith("街道数字孪生")
    origin = doc["origin"]
    assert len(origin) == 3 and all(isinstance(v, float) for v in origin)
    assert origin[0] % 100 == 0 and origin[1] % 100 == 0
    names = [layer["name"] for layer in doc["layers"]]
    assert names == ["小区", "道路", "建筑", "街道设施", "人口", "视频监控", "传感器",
                     "重点点位", "安全隐患", "重点人群", "物联设备", "地形", "正射影像"]
    ground = [layer for layer in doc["layers"] if layer.get("kind") == "raster"]
    assert [g["role"] for g in ground] == ["terrain", "imagery"]  # the DEM and photo
    assert all((scene.parent / g["source"]).exists() for g in ground)
    doc["layers"] = [layer for layer in doc["layers"] if layer not in ground]
    tables = {name for name, _ in pyogrio.list_layers(gpkg)}
    for layer in doc["layers"]:
        assert (scene.parent / layer["source"]).exists()
        assert layer["table"] in tables
        assert layer["style"].get("color", "#").startswith("#")
    by_name = {layer["name"]: layer for layer in doc["layers"]}
    assert by_name["建筑"]["height_field"] == "高度"
    assert by_name["建筑"]["floors_field"] == "层数"
    assert by_name["安全隐患"]["style"]["color"] == "#e0393e"
    assert by_name["人口"]["group"] == "人口"
    assert "color" not in by_name["街道设施"]["style"]  # furniture keeps its asset colours
    colours = [layer["style"]["color"] for layer in doc["layers"] if layer["style"]]
    assert len(set(colours)) == len(colours) == len(doc["layers"]) - 1
    # progress went from 0 to 1
    assert calls[0][0] == 0.0 and calls[-1][0] == 1.0
    assert all(a[0] <= b[0] for a, b in zip(calls[:-1], calls[1:], strict=True))


def test_hundred_thousand_objects_fast(tmp_path):
    start = time.perf_counter()
    generate_district(tmp_path, objects=100_000)
    elapsed = time.perf_counter() - start
    total = sum(pyogrio.read_info(tmp_path / "district.gpkg", layer=t)["features"]
                for t in TABLES)
    assert 100_000 <= total <= 110_000
    assert elapsed < 15.0
