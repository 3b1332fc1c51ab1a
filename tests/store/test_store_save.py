"""Saving edits to a GeoPackage: one transaction, edit log, undo after save, clear failures."""

from __future__ import annotations

import json
import sqlite3
import struct
import threading
import time

import numpy as np
import pyogrio
import pyogrio.raw
import pytest
import shapely

from tests.store.conftest import STATUS, make_store, run_cli
from twinviewer.core.edits import (
    AddField,
    AddPoint,
    CommandStack,
    DeleteField,
    DeleteObjects,
    MovePoint,
    RenameField,
    SetValues,
)
from twinviewer.io.loader import open_scene
from twinviewer.io.vector import read_vector
from twinviewer.store import GeoPackageStore, StoreError, import_layers


def read_all(path, layer="设施") -> dict:
    """Independent oracle: everything GDAL reads of a table, keyed by oid.

    Fields are compared by name (a field deleted and restored after a save comes
    back as the table's last column: SQLite cannot insert a column in place).
    """
    meta, fids, wkb, data = pyogrio.raw.read(path, layer=layer, return_fids=True)
    rows = {}
    for k, oid in enumerate(fids.tolist()):
        rec = {str(f): (None if isinstance(d[k], float) and np.isnan(d[k]) else
                        d[k].item() if hasattr(d[k], "item") else d[k])
               for f, d in zip(meta["fields"], data, strict=True)}
        geom = shapely.from_wkb(wkb[k])
        rec["xyz"] = shapely.get_coordinates(geom, include_z=bool(shapely.has_z(geom))).tolist()
        rows[oid] = rec
    return {"fields": dict(zip(meta["fields"], meta["ogr_types"], strict=True)), "rows": rows}


def rtree_consistent(path, table="设施") -> bool:
    con = sqlite3.connect(path)
    try:
        tree = {r[0]: r[1:] for r in con.execute(f'SELECT * FROM "rtree_{table}_geom"')}
        geoms = dict(con.execute(f'SELECT oid, geom FROM "{table}" WHERE geom IS NOT NULL'))
        if tree.keys() != geoms.keys():
            return False
        for oid, blob in geoms.items():
            x, y = struct.unpack("<2d", blob[8 + 32 + 5: 8 + 32 + 21]) if blob[3] & 0x0E \
                else struct.unpack("<2d", blob[8 + 5: 8 + 21])
            minx, maxx, miny, maxy = tree[oid]
            if not (minx <= x <= maxx and miny <= y <= maxy):  # rtree stores float32 bounds
                return False
        return con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        con.close()


def test_save_reopen_and_undo_after_save(tmp_path):
    path = make_store(tmp_path)
    original = read_all(path)
    store = GeoPackageStore(path, user="王工")
    layer = read_vector(path)[0]  # one table: the layer is named after the file
    stack = CommandStack()
    stack.declare_schema(layer.name, store.schema("设施"))
    assert stack.field_type(layer, "状态").values == tuple(STATUS)
    n = len(layer)
    stack.push(SetValues(layer, np.arange(n), "状态", "待修"))
    stack.push(SetValues(layer, [1, 2], "高度", [12.5, None]))
    stack.push(AddField(layer, "责任人", "text", "李四"))
    stack.push(AddField(layer, "整改期限", "date", "2024年6月30日"))
    stack.push(RenameField(layer, "名称", "设施名称"))
    stack.push(DeleteField(layer, "层数"))
    new_oid = store.next_oid("设施")
    stack.push(AddPoint(layer, [350_500.0, 3_455_500.0, 0.0],
                        {"类别": "垃圾桶", "状态": "正常", "启用": True}, oid=new_oid))
    stack.push(MovePoint(layer, 3, [350_001.0, 3_455_002.0, 0.0]))
    stack.push(DeleteObjects(layer, [0, 5]))
    assert not stack.is_clean and len(stack.dirty) > n
    report = store.save(stack)
    assert stack.is_clean and stack.dirty == set()
    assert report.tables == ["设施"]

    saved = read_all(path)
    assert list(saved["fields"]) == ["设施名称", "类别", "高度", "启用", "检查日期", "状态",
                                     "责任人", "整改期限"]
    assert saved["fields"]["整改期限"] == "OFTDate" and saved["fields"]["启用"] == "OFTInteger"
    assert set(saved["rows"]) == (set(original["rows"]) - {0, 5}) | {new_oid}
    assert {r["状态"] for oid, r in saved["rows"].items() if oid != new_oid} == {"待修"}
    assert saved["rows"][1]["高度"] == 12.5 and saved["rows"][2]["高度"] is None
    assert saved["rows"][7]["责任人"] == "李四"
    assert str(saved["rows"][7]["整改期限"]) == "2024-06-30"
    assert saved["rows"][new_oid]["类别"] == "垃圾桶" and saved["rows"][new_oid]["启用"] in (1, True)
    assert saved["rows"][new_oid]["xyz"] == [[350_500.0, 3_455_500.0]]
    assert saved["rows"][3]["xyz"] == [[350_001.0, 3_455_002.0]]
    assert rtree_consistent(path)
    # GDAL (QGIS) sees the layer and the edit log table, not the deleted-objects archive
    assert [str(n) for n, _ in pyogrio.list_layers(path)] == ["设施", "twinviewer_edit_log"]
    assert store.tables() == ["设施"]

    # the viewer reads back what the model holds
    again = read_vector(path, table="设施")[0]
    assert again.table.oid.tolist() == layer.table.oid.tolist()
    assert again.table.df["状态"].tolist() == layer.table.df["状态"].tolist()

    # the edit log: who, what, old and new
    entries = store.log()
    assert len(entries) == report.log_rows and {e.user for e in entries} == {"王工"}
    moved = store.log(oid=3, layer="设施")
    assert [e.field for e in moved] == ["状态", "<geometry>"]
    assert moved[0].old == STATUS[0] and moved[0].new == "待修"
    assert moved[1].new == "POINT (350001.0 3455002.0)"
    gone = [e for e in store.log(oid=5) if e.field == "<object>"]
    assert gone[0].new is None and "设施5号" in gone[0].old

    # undo everything after the save, save again: the store is as imported
    while stack.can_undo:
        stack.undo()
    store.save(stack)
    assert read_all(path) == original
    assert rtree_consistent(path)
    labels = [e.label for e in store.log(oid=5)]
    assert labels.index("Delete 2 objects (undone)") < labels.index(
        "Set 状态 of 30 objects (undone)")


def test_points_in_a_placed_scene_go_back_to_the_table_crs(tmp_path):
    path = make_store(tmp_path)
    scene = open_scene([path])
    layer = scene.layers[0]
    origin = scene.origin
    assert origin[0] > 1e5  # placed: local coordinates around a rounded centre
    stack = CommandStack()
    stack.push(AddPoint(layer, [10.0, 20.0, 0.0], {"类别": "路灯"}))
    GeoPackageStore(path).save(stack, scene=scene)
    oid = int(layer.table.oid[-1])
    xyz = read_all(path)["rows"][oid]["xyz"][0]
    assert xyz[:2] == pytest.approx([origin[0] + 10.0, origin[1] + 20.0], abs=1e-6)


def test_two_tables_need_their_table_names(tmp_path):
    path = make_store(tmp_path)
    import_layers([tmp_path / "设施.geojson"], path, name="备份")
    layer = read_vector(path, table="备份")[0]
    assert layer.source_table == "备份"  # the reader remembers where the layer came from
    stack = CommandStack()
    stack.push(SetValues(layer, [0], "名称", "改"))
    layer.source_table, layer.name = None, "别名"
    with pytest.raises(StoreError, match="has no table in this GeoPackage"):
        GeoPackageStore(path).save(stack)
    assert not stack.is_clean
    layer.source_table = "备份"
    GeoPackageStore(path).save(stack)
    assert read_all(path, "备份")["rows"][0]["名称"] == "改"
    assert read_all(path)["rows"][0]["名称"] == "设施0号"


def _pending(path):
    layer = read_vector(path)[0]
    stack = CommandStack()
    stack.push(SetValues(layer, np.arange(len(layer)), "名称", "很长的名称" * 40))
    stack.push(AddField(layer, "新字段", "int", 1))
    return layer, stack


def _unchanged(path, before, stack):
    assert read_all(path) == before
    assert not stack.is_clean and len(stack.pending()) == 2
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    has_log = con.execute("SELECT count(*) FROM sqlite_master WHERE name = "
                          "'twinviewer_edit_log'").fetchone()[0]
    assert has_log == 0
    con.close()


def test_read_only_file_is_refused_and_nothing_is_lost(tmp_path):
    path = make_store(tmp_path)
    before = read_all(path)
    _layer, stack = _pending(path)
    path.chmod(0o444)
    try:
        with pytest.raises(StoreError, match="read-only.*pending edits are kept"):
            GeoPackageStore(path).save(stack)
        _unchanged(path, before, stack)
        assert GeoPackageStore(path).log() == []  # reading still works
    finally:
        path.chmod(0o644)
    GeoPackageStore(path).save(stack)
    assert stack.is_clean


def test_locked_database_waits_then_fails_clearly(tmp_path):
    path = make_store(tmp_path)
    before = read_all(path)
    _layer, stack = _pending(path)
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # another editor is writing
    t0 = time.perf_counter()
    with pytest.raises(StoreError, match=r"locked by another program \(waited 0.3 s\)"):
        GeoPackageStore(path, timeout=0.3).save(stack)
    assert time.perf_counter() - t0 >= 0.25
    other.execute("ROLLBACK")
    _unchanged(path, before, stack)
    # a lock released while we wait: the save goes through
    other.execute("BEGIN IMMEDIATE")
    threading.Timer(0.4, lambda: other.execute("COMMIT")).start()
    GeoPackageStore(path, timeout=3).save(stack)
    assert stack.is_clean
    other.close()


class _TinyDisk(GeoPackageStore):
    """The database may not grow: SQLite answers 'database or disk is full'."""

    def _connect(self, write=False):
        conn = super()._connect(write)
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")
        return conn


def test_full_disk_rolls_back(tmp_path):
    path = make_store(tmp_path)
    before = read_all(path)
    _layer, stack = _pending(path)
    with pytest.raises(StoreError, match="disk is full; nothing was written"):
        _TinyDisk(path).save(stack)
    _unchanged(path, before, stack)


def test_unknown_oid_or_field_writes_nothing(tmp_path):
    path = make_store(tmp_path)
    layer = read_vector(path)[0]
    stack = CommandStack()
    stack.push(SetValues(layer, [0, 1], "名称", "甲"))
    stack.push(SetValues(layer, [2, 3], "高度", 1.0))
    con = sqlite3.connect(path)
    con.execute('DELETE FROM "设施" WHERE oid = 3')  # another editor deleted it meanwhile
    con.commit()
    before = read_all(path)
    with pytest.raises(StoreError, match="unknown oid 3; nothing was written"):
        GeoPackageStore(path).save(stack)
    assert read_all(path) == before and not stack.is_clean
    stack.undo()
    con.execute('ALTER TABLE "设施" DROP COLUMN "名称"')
    con.commit()
    con.close()
    with pytest.raises(StoreError, match="has no field '名称'"):
        GeoPackageStore(path).save(stack)


def test_not_a_geopackage_and_a_foreign_layer(tmp_path, shared_data):
    bad = tmp_path / "x.gpkg"
    bad.write_text("hello")
    with pytest.raises(StoreError, match="not a usable GeoPackage"):
        GeoPackageStore(bad).log()
    with pytest.raises(StoreError, match="file not found"):
        GeoPackageStore(tmp_path / "none.gpkg").tables()
    path = make_store(tmp_path)
    other = read_vector(shared_data / "fiona-testdata/gre.shp")[0]
    stack = CommandStack()
    stack.push(SetValues(other, [0], other.table.fields[0], None))
    with pytest.raises(StoreError, match="comes from .*gre.shp, not from this GeoPackage"):
        GeoPackageStore(path).save(stack)


def test_cli_log(tmp_path):
    path = make_store(tmp_path)
    layer = read_vector(path)[0]
    stack = CommandStack()
    stack.push(SetValues(layer, [4], "状态", "待修", label="巡查：标记待修"))
    GeoPackageStore(path, user="巡查员").save(stack)
    proc = run_cli("log", path, "--oid", 4, "--json")
    assert proc.returncode == 0, proc.stderr
    (entry,) = json.loads(proc.stdout)
    assert entry["user"] == "巡查员" and entry["old"] == "损坏" and entry["new"] == "待修"
    assert entry["label"] == "巡查：标记待修" and entry["layer"] == "设施"
    text = run_cli("log", path, "--layer", "设施")
    assert "巡查员  设施#4  状态: 损坏 -> 待修  [巡查：标记待修]" in text.stdout
    assert run_cli("log", path, "--oid", 99).stdout.startswith("no saved edits")
