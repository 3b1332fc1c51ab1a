"""Objects set on the terrain and saved: the lift never goes into the GeoPackage.

Lamp posts without Z stand on the DEM when loaded; editing and saving them writes no
Z into their 2D table, and reopening sets them on the ground once. Markers whose Z is
their height above the ground (``base_height = "terrain"``) keep that height in the
table when moved or added, so reopening shows them where they were drawn.
"""

from __future__ import annotations

import sqlite3

import numpy as np
import pyogrio
import pytest
import shapely

from tests.ground.rasters import X0, Y1, write_dem
from tests.store.pg_fixtures import *  # noqa: F403 (fixtures: pg_cluster, pg_db)
from twinviewer.core.edits import AddPoint, CommandStack, MovePoint, SetValues
from twinviewer.core.ground_layer import ground_under, moved_height, terrain_of
from twinviewer.io.loader import open_scene
from twinviewer.store import GeoPackageStore
from twinviewer.store.geometry import parse_blob, wkb_type

LAMPS = np.array([[X0 + 300.0, Y1 - 200.0], [X0 + 120.0, Y1 - 400.0]])  # hill top, valley
MARKER = (X0 + 260.0, Y1 - 230.0, 3.0)  # 3 m above the ground


def _scene(tmp_path):
    write_dem(tmp_path / "dem.tif")
    gpkg = tmp_path / "street.gpkg"
    pyogrio.raw.write(gpkg, geometry=shapely.to_wkb(shapely.points(LAMPS)),
                      field_data=[np.array(["正常", "正常"], dtype=object)], fields=["状态"],
                      layer="lamps", driver="GPKG", crs="EPSG:4549", geometry_type="Point")
    pyogrio.raw.write(gpkg, geometry=shapely.to_wkb([shapely.Point(*MARKER)]),
                      field_data=[np.array([1])], fields=["n"], layer="markers",
                      driver="GPKG", crs="EPSG:4549", geometry_type="Point Z", append=True)
    (tmp_path / "scene.toml").write_text(
        'version = 1\n[[layers]]\nname = "地形"\nsource = "dem.tif"\nrole = "terrain"\n'
        '[[layers]]\nname = "路灯"\nsource = "street.gpkg"\ntable = "lamps"\n'
        '[[layers]]\nname = "标记"\nsource = "street.gpkg"\ntable = "markers"\n'
        'base_height = "terrain"\n', encoding="utf-8")
    return tmp_path / "scene.toml", gpkg


def _stored(gpkg, table) -> dict[int, tuple[bool, np.ndarray]]:
    """``{fid: (has Z, coordinates)}`` as the file holds them (no twinviewer reader)."""
    con = sqlite3.connect(gpkg)
    try:
        rows = con.execute(f'SELECT fid, geom FROM "{table}" ORDER BY fid').fetchall()
    finally:
        con.close()
    out = {}
    for fid, blob in rows:
        _srs, _env, wkb, _empty = parse_blob(blob)
        geom = shapely.from_wkb(wkb)
        out[fid] = (wkb_type(wkb)[1], shapely.get_coordinates(geom, include_z=True))
    return out


def _points(layer) -> np.ndarray:
    return np.concatenate([b.points for b in layer.batches])


def _ground(scene, xy) -> float:
    return ground_under(terrain_of(scene.layers), [[xy[0], xy[1], 0.0]])


def test_an_attribute_edit_saves_no_z_and_reopening_lifts_once(tmp_path):
    path, gpkg = _scene(tmp_path)
    scene = open_scene([path])
    lamps = scene.layer("路灯")
    pts = _points(lamps)
    dem = scene.layer("地形").terrain
    heights = dem.height_at(pts[:, 0], pts[:, 1])
    assert heights[0] > heights[1] + 20  # the hill top and the valley
    assert np.allclose(pts[:, 2], heights)  # on the ground
    stack = CommandStack()
    stack.push(SetValues(lamps, [0], "状态", "损坏"))
    GeoPackageStore(gpkg).save(stack, scene=scene)
    assert stack.is_clean

    stored = _stored(gpkg, "lamps")
    assert not any(has_z for has_z, _xy in stored.values())  # no Z added to the table
    assert np.allclose(np.array([xy[0, :2] for _z, xy in stored.values()]), LAMPS)
    again = open_scene([path])
    lamps2 = again.layer("路灯")
    assert lamps2.table.df["状态"].tolist() == ["损坏", "正常"]
    assert np.allclose(_points(lamps2), pts)  # lifted once: the DEM's height, not twice


def test_a_lamp_moved_up_the_hill_stands_on_it_after_reopening(tmp_path):
    path, gpkg = _scene(tmp_path)
    scene = open_scene([path])
    lamps = scene.layer("路灯")
    old = _points(lamps)[1:2]  # the valley lamp
    xy = _points(lamps)[0, :2] + (15.0, 0.0)  # beside the hill top
    z = moved_height(lamps, scene.layers, old, xy)
    assert z == pytest.approx(_ground(scene, xy))  # stands on the ground there
    stack = CommandStack()
    stack.push(MovePoint(lamps, 1, [xy[0], xy[1], z]))
    GeoPackageStore(gpkg).save(stack, scene=scene)

    has_z, stored = _stored(gpkg, "lamps")[2]
    assert not has_z
    again = open_scene([path])
    assert np.allclose(_points(again.layer("路灯"))[1], [xy[0], xy[1], z])  # where it was


def test_heights_above_the_ground_stay_heights_above_it_when_moved_and_added(tmp_path):
    path, gpkg = _scene(tmp_path)
    scene = open_scene([path])
    markers = scene.layer("标记")
    ox, oy = scene.origin[:2]
    here = _points(markers)
    assert here[0, 2] == pytest.approx(_ground(scene, here[0]) + 3.0)
    xy = (X0 + 300.0 - ox, Y1 - 200.0 - oy)  # onto the hill top
    z = moved_height(markers, scene.layers, here, xy)
    assert z == pytest.approx(_ground(scene, xy) + 3.0)  # still 3 m above the ground
    new = (X0 + 100.0 - ox, Y1 - 300.0 - oy)
    stack = CommandStack()
    stack.push(MovePoint(markers, 0, [xy[0], xy[1], z]))
    stack.push(AddPoint(markers, [new[0], new[1], _ground(scene, new)], {"n": 2}, oid=2))
    GeoPackageStore(gpkg).save(stack, scene=scene)

    stored = _stored(gpkg, "markers")
    assert stored[1][0] and stored[1][1][0, 2] == pytest.approx(3.0)  # its own height kept
    assert stored[2][0] and stored[2][1][0, 2] == pytest.approx(0.0)  # on the ground
    log = GeoPackageStore(gpkg).log(layer="markers")
    moved = next(e for e in log if e.field is not None and e.oid == 1 and e.new
                 and "POINT" in e.new.upper())
    assert float(moved.new.rstrip(")").split()[-1]) == pytest.approx(3.0)  # as the table
    again = open_scene([path])
    drawn = _points(again.layer("标记"))
    assert np.allclose(drawn[0], [xy[0], xy[1], z])  # where it was drawn, not lifted twice
    assert np.allclose(drawn[1], [new[0], new[1], _ground(scene, new)])


def test_an_object_with_its_own_z_keeps_it_when_moved(tmp_path):
    path, _gpkg = _scene(tmp_path)
    scene = open_scene([path])
    lamps = scene.layer("路灯")
    lamps.batches[0].points[1, 2] += 7.0  # not on the ground: e.g. on a roof
    old = lamps.batches[0].points[1:2].copy()
    assert moved_height(lamps, scene.layers, old, old[0, :2] + 100.0) == old[0, 2]


def test_published_objects_on_the_terrain_save_their_own_heights_to_postgis(tmp_path, pg_db):
    import psycopg

    from twinviewer.store.pg_publish import publish, write_scene
    from twinviewer.store.postgis import PostGISStore

    path, _gpkg = _scene(tmp_path)
    publish(path, pg_db)
    team = write_scene(path, pg_db, tmp_path / "team.toml")
    scene = open_scene([team])
    lamps, markers = scene.layer("路灯"), scene.layer("标记")
    dem = scene.layer("地形").terrain
    pts = _points(lamps)
    assert np.allclose(pts[:, 2], dem.height_at(pts[:, 0], pts[:, 1]))  # on the DEM
    ox, oy = scene.origin[:2]
    xy = (X0 + 300.0 - ox, Y1 - 200.0 - oy)
    here = _points(markers)
    z = moved_height(markers, scene.layers, here, xy)
    lamp_xy = (X0 + 200.0 - ox, Y1 - 250.0 - oy)
    lamp_z = moved_height(lamps, scene.layers, pts[1:2], lamp_xy)
    stack = CommandStack()
    stack.push(MovePoint(markers, 0, [xy[0], xy[1], z]))
    stack.push(MovePoint(lamps, 1, [lamp_xy[0], lamp_xy[1], lamp_z]))
    stack.push(SetValues(lamps, [0], "状态", "损坏"))
    PostGISStore(pg_db, user="tester").save(stack, scene=scene)
    assert stack.is_clean

    with psycopg.connect(pg_db, autocommit=True) as conn:
        marker = conn.execute("SELECT ST_Z(geom) FROM markers").fetchall()
        dims = conn.execute("SELECT ST_NDims(geom) FROM lamps ORDER BY oid").fetchall()
    assert marker[0][0] == pytest.approx(3.0)  # its height above the ground, not the lift
    assert dims == [(2,), (2,)]  # no Z written into the 2D table
    again = open_scene([team])
    assert np.allclose(_points(again.layer("标记"))[0], [xy[0], xy[1], z])
    lamps2 = _points(again.layer("路灯"))
    assert np.allclose(lamps2[0], pts[0])  # lifted once
    assert np.allclose(lamps2[1], [lamp_xy[0], lamp_xy[1], lamp_z])
