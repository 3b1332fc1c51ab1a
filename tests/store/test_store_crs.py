"""A save never writes scene coordinates into a table whose CRS it cannot reach.

When the table's coordinate system cannot be read by PROJ, the store used to pass the
coordinates through unchanged: a save then wrote scene-CRS numbers into a table in
another CRS, with no message.  Now the save is refused with one line, nothing is
written and the pending edits stay.
"""

from __future__ import annotations

import sqlite3

import pytest

from tests.store.conftest import make_store
from tests.store.test_store_save import read_all
from twinviewer.core.edits import CommandStack, MovePoint, SetValues
from twinviewer.io.loader import open_scene
from twinviewer.store import GeoPackageStore, StoreError


def _break_table_crs(path) -> None:
    """Give the table's SRS a definition PROJ cannot read (as a foreign tool might)."""
    con = sqlite3.connect(path)
    try:
        srs = con.execute("SELECT srs_id FROM gpkg_geometry_columns").fetchone()[0]
        con.execute("UPDATE gpkg_spatial_ref_sys SET organization = 'LOCAL', "
                    "definition = 'NOT A COORDINATE SYSTEM' WHERE srs_id = ?", (srs,))
        con.commit()
    finally:
        con.close()


def test_unreachable_table_crs_refuses_a_move_and_keeps_the_edits(tmp_path):
    path = make_store(tmp_path)
    scene = open_scene([path])
    layer = scene.layers[0]
    before = read_all(path)
    _break_table_crs(path)
    stack = CommandStack()
    stack.push(SetValues(layer, [0], "状态", "损坏"))
    stack.push(MovePoint(layer, 1, layer.batches[0].points[0] + [5.0, 5.0, 0.0]))
    with pytest.raises(StoreError) as err:
        GeoPackageStore(path).save(stack, scene=scene)
    message = err.value.message
    assert str(path) in message and "设施" in message
    assert "coordinate system" in message and "nothing was written" in message
    assert "\n" not in message
    assert not stack.is_clean and len(stack.pending()) == 2  # the edits are kept
    assert read_all(path) == before  # not even the value edit of the same save
    assert GeoPackageStore(path).log() == []


def test_value_edits_without_geometry_still_save(tmp_path):
    """Only writing coordinates needs the table's CRS; attribute edits save as before."""
    path = make_store(tmp_path)
    scene = open_scene([path])
    layer = scene.layers[0]
    _break_table_crs(path)
    stack = CommandStack()
    stack.push(SetValues(layer, [0], "状态", "损坏"))
    GeoPackageStore(path).save(stack, scene=scene)
    assert stack.is_clean
    assert read_all(path)["rows"][int(layer.table.oid[0])]["状态"] == "损坏"
