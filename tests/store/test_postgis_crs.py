"""A PostGIS save never writes scene coordinates into a table whose CRS it cannot reach."""

from __future__ import annotations

import psycopg
import pytest

from tests.store.pg_fixtures import *  # noqa: F403 (fixtures: pg_cluster, pg_db, twin)
from tests.store.test_postgis_structure import SCENE, TABLE, pg_editor
from twinviewer.core.edits import MovePoint, SetValues
from twinviewer.store import StoreError
from twinviewer.store.postgis import PostGISStore


def _sql(url: str, query: str, args=()) -> list[tuple]:
    with psycopg.connect(url, autocommit=True) as conn:
        cur = conn.execute(query, args)
        return cur.fetchall() if cur.description is not None else []


def test_unreachable_table_crs_refuses_a_move_and_keeps_the_edits(twin):
    _, layer, stack = pg_editor(twin)
    oid = int(layer.table.df["oid"].iat[0])
    before = _sql(twin, f"SELECT ST_AsEWKB(geom), version FROM {TABLE} WHERE oid = %s", (oid,))
    # a foreign tool wrote a CRS PROJ cannot read into the layer's registration
    _sql(twin, "UPDATE twinviewer_layers SET crs = 'NOT A COORDINATE SYSTEM', srid = 0 "
               "WHERE name = %s", (TABLE,))
    store = PostGISStore(twin, user="tester")  # reads the table's CRS afresh
    stack.push(MovePoint(layer, 0, layer.batches[0].points[0] + [5.0, 5.0, 0.0]))
    with pytest.raises(StoreError) as err:
        store.save(stack, scene=SCENE)
    message = err.value.message
    assert TABLE in message and "coordinate system" in message
    assert "nothing was written" in message and "\n" not in message
    assert not stack.is_clean and len(stack.pending()) == 1
    after = _sql(twin, f"SELECT ST_AsEWKB(geom), version FROM {TABLE} WHERE oid = %s", (oid,))
    assert [(bytes(g), v) for g, v in after] == [(bytes(g), v) for g, v in before]
    # attribute edits do not need the CRS: they still save
    stack.undo()
    field = next(f for f in layer.table.fields if stack.field_type(layer, f).kind == "text")
    stack.push(SetValues(layer, [0], field, "改过"))
    store.save(stack, scene=SCENE)
    assert stack.is_clean
    assert _sql(twin, f'SELECT "{field}" FROM {TABLE} WHERE oid = %s', (oid,)) == [("改过",)]
