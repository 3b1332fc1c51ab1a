"""The model without Qt or VTK: selection events, tables, layers, CRS placement."""

from __future__ import annotations

import numpy as np
import pytest

from twinviewer.core import Layer, ObjectTable, Scene, Selection, TriangleBatch
from twinviewer.core.crs import parse_crs, scene_crs_for
from twinviewer.core.errors import LoadError


def test_selection_emits_once_per_change():
    sel = Selection()
    seen = []
    sel.changed.connect(seen.append)
    sel.select("建筑", [3, 1, 3])
    assert sel.rows("建筑").tolist() == [1, 3]
    sel.select("建筑", [1, 3])  # same: no event
    sel.select("路灯", [0])  # other layer: both change
    sel.select("路灯", [5], add=True)
    sel.clear()
    assert seen == [["建筑"], ["建筑", "路灯"], ["路灯"], ["路灯"]]
    assert sel.count() == 0


def test_table_sort_order_puts_missing_last_and_keeps_chinese():
    t = ObjectTable({"名称": ["乙", None, "甲"], "高度": [3.0, np.nan, 1.0]}, oid=[10, 11, 12])
    assert t.sort_order("高度").tolist() == [2, 0, 1]
    assert t.sort_order("高度", ascending=False).tolist() == [0, 2, 1]
    assert t.row(1) == {"oid": 11, "名称": None, "高度": None}
    assert t.rows_of_oids([12, 99, 10]).tolist() == [2, 0]


def test_table_without_fields_keeps_its_rows():
    t = ObjectTable({}, oid=[1, 2, 3])
    assert len(t) == 3 and t.fields == []


def _layer():
    pts = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [5, 5, 0], [6, 5, 2], [5, 6, 0]], float)
    batch = TriangleBatch(pts, [[0, 1, 2], [3, 4, 5]], [0, 1])
    return Layer("a", "vector", ObjectTable({"类别": ["甲", "乙"]}), [batch], class_field="类别")


def test_table_shares_repeated_text_without_changing_values():
    n = 1000
    # every cell its own str object, as a reader gives them
    units = np.array(["".join(["街道", "办事处", str(i % 3)]) for i in range(n)], dtype=object)
    units[7] = None
    names = np.array([f"路灯{i}" for i in range(n)], dtype=object)
    t = ObjectTable({"责任单位": units, "编号": names, "高度": np.arange(n, dtype=float)})
    col = t.df["责任单位"]
    assert col.tolist()[:3] == ["街道办事处0", "街道办事处1", "街道办事处2"]
    assert col.isna().sum() == 1 and col.iloc[8] == "街道办事处2"
    values = [v for v in col.to_numpy(dtype=object) if isinstance(v, str)]
    assert len({id(v) for v in values}) == 3  # one object per distinct value
    assert col.iloc[0] is col.iloc[3]
    # mostly distinct values are left as they were; dtypes never change
    assert len({id(v) for v in t.df["编号"].to_numpy(dtype=object)}) == n
    assert t.df.dtypes.tolist() == ObjectTable({"责任单位": units[:10], "编号": names[:10],
                                               "高度": np.arange(10.0)}).df.dtypes.tolist()
    t.set_cell(0, "责任单位", "新单位")  # an edit writes its own cell only
    assert t.df["责任单位"].iloc[0] == "新单位" and t.df["责任单位"].iloc[3] == "街道办事处0"


def test_table_shares_text_of_read_only_columns():
    """A reader may hand over columns whose buffers are read-only (the PostGIS reader's)."""
    units = np.array([f"单位{i % 4}" for i in range(600)], dtype=object)
    units.flags.writeable = False
    t = ObjectTable({"责任单位": units})
    assert t.df["责任单位"].tolist() == units.tolist()
    assert t.df["责任单位"].iloc[0] is t.df["责任单位"].iloc[4]


def test_layer_bounds_centres_classes():
    layer = _layer()
    assert layer.bounds() == (0, 0, 0, 6, 6, 2)
    assert layer.row_bounds([1]) == (5, 5, 0, 6, 6, 2)
    np.testing.assert_allclose(layer.object_centers()[0], [1 / 3, 1 / 3, 0])
    assert layer.classes() == {"甲": 1, "乙": 1}


def test_scene_names_are_unique_and_origin_is_subtracted():
    scene = Scene(None, origin=(1.0, 1.0, 0.0))
    scene.add_layer(_layer())
    second = scene.add_layer(_layer())
    assert second.name == "a (2)"
    assert scene.layers[0].bounds()[:2] == (-1, -1)


def test_bounds_shifted_with_the_origin_equal_bounds_computed_again():
    # placing without reprojection moves the cached bounds with the points (no second
    # pass over a 5-million-vertex scan); they must be exactly what a new pass finds
    from twinviewer.core.crs import place_layer

    rng = np.random.default_rng(0)
    pts = rng.uniform(-1e6, 1e6, (10_000, 3)) * rng.uniform(0, 1, (10_000, 1)) \
        + [3.5e5, 3.4e6, 10.0]
    tris = np.arange(9_999 * 3).reshape(-1, 3) % 10_000
    layer = Layer(name="a", kind="mesh", table=ObjectTable({"n": [1]}),
                  batches=[TriangleBatch(points=pts, triangles=tris, rows=np.zeros(9_999))])
    place_layer(layer, None, np.array([351_234.567, 3_412_345.678, 0.0]))
    moved = layer.bounds()
    layer.geometry_changed()
    assert moved == layer.bounds()
    assert moved[0] == float((pts[:, 0] - 351_234.567).min())


def test_crs_parsing_and_scene_crs():
    assert parse_crs("https://www.opengis.net/def/crs/EPSG/0/7415").to_epsg() == 7415
    with pytest.raises(LoadError, match="unknown CRS"):
        parse_crs("EPSG:999999")
    # geographic data gets its UTM zone: Shanghai -> zone 51N
    assert scene_crs_for(parse_crs("EPSG:4490"), (121.4, 31.2, 0, 121.5, 31.3, 0)).to_epsg() \
        == 32651
    assert scene_crs_for(parse_crs("EPSG:4549"), None).to_epsg() == 4549
