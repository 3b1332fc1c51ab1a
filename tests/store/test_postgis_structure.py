"""Structural edits on PostGIS: objects added, moved, deleted (and undone); fields (admin)."""

from __future__ import annotations

import shutil
from types import SimpleNamespace

import numpy as np
import pandas as pd
import psycopg
import pytest
from pyproj import CRS

from tests.store.pg_fixtures import *  # noqa: F403 (fixtures: pg_cluster, pg_db, twin)
from tests.store.pg_fixtures import DEMO_SCENE
from twinviewer.core.crs import place_layer
from twinviewer.core.edits import (
    GEOMETRY,
    OBJECT,
    AddField,
    AddPoint,
    CommandStack,
    DeleteField,
    DeleteObjects,
    MovePoint,
    RenameField,
    SetValues,
)
from twinviewer.io.vector import read_vector
from twinviewer.store import ConflictError, GeoPackageStore, StoreError
from twinviewer.store.postgis import PostGISStore

SCENE = SimpleNamespace(origin=np.array([350300.0, 3455100.0, 0.0]), crs=CRS("EPSG:32651"))
TABLE = "street_furniture"


def placed(layer):
    """The layer placed in the demo scene (scene CRS, origin subtracted), as a window has it."""
    place_layer(layer, SCENE.crs, SCENE.origin)
    return layer


def pg_editor(url: str, table: str = TABLE, user: str = "tester"):
    store = PostGISStore(url, user=user)
    layer = placed(store.read_layer(table))
    stack = CommandStack()
    stack.declare_schema(layer.name, store.schema(table))
    return store, layer, stack


def gpkg_editor(path, table: str = TABLE):
    store = GeoPackageStore(path, user="tester")
    [layer] = read_vector(path, table=table)
    stack = CommandStack()
    stack.declare_schema(layer.name, store.schema(table))
    return store, placed(layer), stack


def points_of(layer, row: int) -> np.ndarray:
    return np.concatenate([b.points[b.rows == row] for b in layer.batches])


def same_layers(a, b) -> None:
    da, db = a.table.df, b.table.df
    assert list(da.columns) == list(db.columns)
    assert da["oid"].tolist() == db["oid"].tolist()
    for col in da.columns:
        assert [None if pd.isna(v) else str(v) for v in da[col]] == \
            [None if pd.isna(v) else str(v) for v in db[col]], col
    for ba, bb in zip(a.batches, b.batches, strict=True):
        np.testing.assert_allclose(ba.points, bb.points, atol=1e-6)
        np.testing.assert_array_equal(ba.rows, bb.rows)


def structural_edits(store, layer, stack) -> int:
    """Add a bin, move one object, delete two, set a value of the new one: the same edits
    for a GeoPackage and PostGIS."""
    oid = store.next_oid(TABLE)
    stack.push(AddPoint(layer, [12.5, -40.25, 0.0], {"类别": "垃圾桶", "状态": "正常"}, oid=oid))
    stack.push(MovePoint(layer, 3, [-20.0, 30.0, 0.0]))
    stack.push(DeleteObjects(layer, [5, 6]))
    stack.push(SetValues(layer, [len(layer) - 1], "编号", "新-1"))
    return oid


def test_add_move_delete_round_trip_same_as_geopackage(twin, tmp_path):
    gpkg = tmp_path / "district.gpkg"
    shutil.copy(DEMO_SCENE.parent / "district.gpkg", gpkg)
    g_store, g_layer, g_stack = gpkg_editor(gpkg)
    p_store, p_layer, p_stack = pg_editor(twin)
    same_layers(g_layer, p_layer)
    gone = p_layer.table.df["oid"].iloc[[5, 6]].tolist()
    assert structural_edits(g_store, g_layer, g_stack) == \
        structural_edits(p_store, p_layer, p_stack)
    g_store.save(g_stack, scene=SCENE)
    report = p_store.save(p_stack, scene=SCENE)
    assert p_stack.is_clean and report.log_rows == 5
    # re-opened, both stores hold the same objects, values and positions
    same_layers(gpkg_editor(gpkg)[1], pg_editor(twin)[1])
    fields = [(e.field, e.oid in gone) for e in p_store.log(layer=TABLE)]
    assert fields == [(OBJECT, False), (GEOMETRY, False), (OBJECT, True), (OBJECT, True),
                      ("编号", False)]
    # the new oid is never handed out again, not even after its object is deleted
    assert p_store.next_oid(TABLE) > max(p_layer.table.df["oid"])


def sql(url: str, query: str, args=()) -> list[tuple]:
    """Plain SQL on its own connection: what is in the database, not what the store says."""
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(query, args).fetchall()


def test_undo_of_saved_delete_restores_object(twin):
    store, layer, stack = pg_editor(twin, "buildings")
    oid = int(layer.table.df["oid"].iat[0])
    before = sql(twin, "SELECT ST_AsEWKB(geom), \"人口\", version FROM buildings WHERE "
                       "oid = %s", (oid,))[0]
    stack.push(DeleteObjects(layer, [0]))
    store.save(stack)
    assert not sql(twin, "SELECT 1 FROM buildings WHERE oid = %s", (oid,))
    stack.undo()
    store.save(stack)
    after = sql(twin, "SELECT ST_AsEWKB(geom), \"人口\", version FROM buildings WHERE "
                      "oid = %s", (oid,))[0]
    assert bytes(after[0]) == bytes(before[0]) and after[1] == before[1]
    assert layer.table.df["oid"].iat[0] == oid
    # the restored object is the one this window holds: it moves on without a conflict
    stack.push(SetValues(layer, [0], "人口", 7))
    stack.push(DeleteObjects(layer, [0]))
    store.save(stack)
    assert [e.new is None for e in store.log(oid=oid, layer="buildings")
            if e.field == OBJECT] == [True, False, True]


def test_concurrent_structural_edits_conflict_and_write_nothing(twin):
    a, la, sa = pg_editor(twin, user="alice")
    b, lb, sb = pg_editor(twin, user="bob")
    oids = la.table.df["oid"].tolist()
    sa.push(MovePoint(la, 0, [1.0, 2.0, 0.0]))
    sa.push(SetValues(la, [1], "状态", "损坏"))
    sa.push(DeleteObjects(la, [2]))
    a.save(sa, scene=SCENE)
    sb.push(SetValues(lb, [4], "状态", "待修"))  # no conflict, but not written either
    sb.push(MovePoint(lb, 0, [5.0, 6.0, 0.0]))  # moved by alice meanwhile
    sb.push(DeleteObjects(lb, [1]))  # changed by alice meanwhile
    with pytest.raises(ConflictError) as info:
        b.save(sb, scene=SCENE)
    first = info.value.conflicts
    got = sorted((c.oid, c.field, c.gone) for c in first)
    assert got == [(oids[0], GEOMETRY, False), (oids[1], OBJECT, False)]
    assert "\n" not in info.value.message and not sb.is_clean
    assert b.fetch(TABLE, [oids[4]])[oids[4]]["状态"] != "待修"
    # deleting an object deleted by someone else, or editing it: conflicts (gone)
    c, lc, sc = pg_editor(twin, user="carol")
    sa.push(DeleteObjects(la, [la.table.df["oid"].tolist().index(oids[3])]))
    a.save(sa, scene=SCENE)
    row = lc.table.df["oid"].tolist().index(oids[3])
    sc.push(SetValues(lc, [row], "状态", "x"))
    sc.push(DeleteObjects(lc, [row]))
    with pytest.raises(ConflictError) as info:
        c.save(sc, scene=SCENE)
    assert sorted((x.field, x.gone) for x in info.value.conflicts) == \
        [(OBJECT, True), ("状态", True)]
    # keep mine: bob's move and deletion go in over alice's changes
    b.resolve(first, "mine")
    b.save(sb, scene=SCENE)
    xyz = b.points(TABLE, [oids[0]], SCENE)[oids[0]][0]
    np.testing.assert_allclose(xyz[0, :2], [5.0, 6.0], atol=1e-6)
    assert not b.fetch(TABLE, [oids[1]]) and b.fetch(TABLE, [oids[4]])[oids[4]]["状态"] == "待修"


def as_user(url: str, user: str) -> str:
    return url.replace("postgres@", f"{user}@", 1)


@pytest.fixture
def people(twin, pg_cluster):
    admin = PostGISStore(twin)
    logins = {"vic": ("viewer", None, False), "eve": ("editor", ["residents", TABLE], False),
              "ada": ("admin", None, True)}
    with open(pg_cluster.passfile, "a") as fh:
        for login, (role, layers, sensitive) in logins.items():
            admin.grant(login, role, layers=layers, password=f"pw-{login}", sensitive=sensitive)
            fh.write(f"127.0.0.1:{pg_cluster.port}:*:{login}:pw-{login}\n")
    return {login: as_user(twin, login) for login in logins}


def test_fields_are_for_admins_and_new_sensitive_fields_stay_hidden(people):
    eve, layer, stack = pg_editor(people["eve"], "residents", user="eve")
    stack.push(AddField(layer, "监护人", "text"))
    with pytest.raises(StoreError) as info:
        eve.save(stack)
    assert "administrator" in info.value.message and "\n" not in info.value.message
    assert "监护人" not in eve.schema("residents")
    ada, layer, stack = pg_editor(people["ada"], "residents", user="ada")
    stack.push(AddField(layer, "监护人", {"type": "text", "sensitive": True}, "无"))
    stack.push(AddField(layer, "楼层", "int"))
    stack.push(SetValues(layer, [0], "楼层", 3))
    stack.push(RenameField(layer, "楼层", "所在楼层"))
    stack.push(DeleteField(layer, "备注") if "备注" in layer.table.df else
               AddField(layer, "临时", "text"))
    ada.save(stack)
    schema = ada.schema("residents")
    assert schema["监护人"].sensitive and schema["所在楼层"].kind == "int"
    with psycopg.connect(people["vic"]) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute('SELECT "监护人" FROM residents')
        conn.rollback()
        assert conn.execute('SELECT count("所在楼层") FROM residents').fetchone()[0] == 1
    viewer = PostGISStore(people["vic"]).read_layer("residents")
    assert "监护人" in viewer.hidden_fields and "监护人" not in viewer.table.df
    # the layer's editor may write the new plain field, not the sensitive one
    eve, layer, stack = pg_editor(people["eve"], "residents", user="eve")
    stack.push(SetValues(layer, [1], "所在楼层", 5))
    eve.save(stack)
    assert "监护人" not in layer.table.df
    with psycopg.connect(people["eve"]) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute('UPDATE residents SET "监护人" = \'x\'')
    entries = [(e.field, e.old, e.new) for e in ada.log(layer="residents") if e.oid is None]
    assert ("监护人", None, "field (text) = 无") in entries
    assert ("楼层", "楼层", "所在楼层") in entries


def test_editor_adds_moves_deletes_and_undoes_without_sensitive_rights(people):
    ada = PostGISStore(people["ada"])
    eve, layer, stack = pg_editor(people["eve"], "residents", user="eve")
    oid = int(layer.table.df["oid"].iat[0])
    secret = ada.fetch("residents", [oid])[oid]["身份证号"]
    stack.push(DeleteObjects(layer, [0]))
    eve.save(stack)
    with psycopg.connect(people["vic"]) as conn:  # the deleted row's secrets stay hidden
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT sensitive FROM twinviewer_deleted")
    stack.undo()
    eve.save(stack)
    assert ada.fetch("residents", [oid])[oid]["身份证号"] == secret
    new = eve.next_oid("residents")
    stack.push(AddPoint(layer, [0.0, 0.0, 3.0], {"类别": "独居老人"}, oid=new))
    stack.push(MovePoint(layer, len(layer) - 1, [1.0, 1.0, 3.0]))
    eve.save(stack)
    assert ada.fetch("residents", [new])[new]["类别"] == "独居老人"
    viewer = PostGISStore(people["vic"])
    stack = CommandStack()
    vlayer = viewer.read_layer("residents")
    stack.push(DeleteObjects(vlayer, [0]))
    with pytest.raises(StoreError, match="permission denied"):
        viewer.save(stack)
