"""Filter expressions (SQLite) against pandas, spatial selection against shapely/pyogrio."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from tests.conftest import DEMO_SCENE
from twinviewer.core.layer import Layer, PointBatch
from twinviewer.core.query import (
    FilterEngine,
    QueryError,
    field_completions,
    footprint,
    rows_within,
    select_near,
    to_sql,
)
from twinviewer.core.table import ObjectTable
from twinviewer.io.loader import load, spec_for

GPKG = DEMO_SCENE.parent / "district.gpkg"


@pytest.fixture(scope="module")
def scene():
    return load(spec_for([DEMO_SCENE])).to_scene()


@pytest.fixture
def people():
    df = pd.DataFrame({"年龄": [85, 79, 90, 40, None], "独居": [1, 1, 0, 1, 1],
                       "状态": ["已办结", "待处理", None, "处理中", "待处理"],
                       "建成 年份": [1980, 1990, 2000, 2010, 2020]})
    table = ObjectTable(df)
    return Layer("居民", "vector", table, [PointBatch(np.zeros((5, 3)), np.arange(5))])


@pytest.mark.parametrize(("expr", "oracle"), [
    ("年龄 >= 80 and 独居 = 1", lambda d: (d["年龄"] >= 80) & (d["独居"] == 1)),
    ("状态 != '已办结'", lambda d: d["状态"].notna() & (d["状态"] != "已办结")),
    ('"建成 年份" < 2000 or 年龄 is null', lambda d: (d["建成 年份"] < 2000) | d["年龄"].isna()),
    ("状态 in ('待处理', '处理中') and not 独居 = 0",
     lambda d: d["状态"].isin(["待处理", "处理中"]) & (d["独居"] != 0)),
    ("年龄 between 70 and 86", lambda d: d["年龄"].between(70, 86)),
    ("状态 like '%处理%'", lambda d: d["状态"].fillna("").str.contains("处理")),
    ("(年龄 + 5) * 2 > 180", lambda d: (d["年龄"] + 5) * 2 > 180),
])
def test_filter_equals_pandas(people, expr, oracle):
    mask = FilterEngine().mask(people, expr)
    expected = oracle(people.table.df).fillna(False).to_numpy(dtype=bool)
    assert mask.tolist() == expected.tolist()


@pytest.mark.parametrize(("expr", "position", "words"), [
    ("状态 != 已办结", 6, "quotes"),
    ("年令 >= 80", 0, "年龄"),
    ("年龄 >= ", 6, "early"),
    ("(年龄 > 3", 0, "never closed"),
    ("年龄 > 3)", 6, "without"),
    ("年龄 > 3; drop table t", 6, "character"),
    ("年龄 > 'abc", 5, "unterminated"),
    ("年龄 >> 3", None, "syntax"),
])
def test_bad_expressions_say_where(people, expr, position, words):
    with pytest.raises(QueryError) as err:
        FilterEngine().mask(people, expr)
    assert words in str(err.value)
    if position is not None:
        assert err.value.position == position


def test_no_sql_beyond_a_where_clause(people):
    engine = FilterEngine()
    for expr in ("年龄 > (select count(*) from t)", "load_extension('x') = 1",
                 "年龄 > 1 union select 1"):
        with pytest.raises(QueryError):
            engine.mask(people, expr)
    assert "__import__" not in to_sql("年龄 > 1", ["年龄"])


def test_cache_and_invalidate(people):
    engine = FilterEngine()
    assert engine.mask(people, "年龄 > 80").sum() == 2
    people.table.df.loc[3, "年龄"] = 99.0
    engine.invalidate(people)
    assert engine.mask(people, "年龄 > 80").sum() == 3


def test_completion():
    assert field_completions(["人口", "户数", "独居老人", "老人数"], "老人") == ["老人数", "独居老人"]


def test_filter_on_demo_population(scene):
    layer = scene.layer("人口")
    mask = FilterEngine().mask(layer, "独居老人 > 0 and 八十岁以上 >= 5")
    df = layer.table.df
    assert mask.tolist() == ((df["独居老人"] > 0) & (df["八十岁以上"] >= 5)).tolist()


def _read(table):
    meta, _fid, geom, fields = pyogrio.raw.read(GPKG, layer=table)
    return shapely.from_wkb(geom), dict(zip(meta["fields"], fields, strict=True))


def test_within_compound_equals_shapely(scene):
    compounds, cfields = _read("compounds")
    buildings, bfields = _read("buildings")
    people, pfields = _read("population")
    origin = scene.origin
    for row in (0, 5, 17):
        area = footprint(scene.layer("小区"), row)
        world = shapely.affinity.translate(area, origin[0], origin[1])
        assert world.symmetric_difference(compounds[row]).area < 1e-3 * compounds[row].area
        expect_b = set(np.asarray(bfields["名称"])[shapely.within(
            buildings, compounds[row].buffer(0.01))].tolist())
        got_b = rows_within(scene.layer("建筑"), area)
        assert set(scene.layer("建筑").table.df["名称"].to_numpy()[got_b].tolist()) == expect_b
        assert expect_b
        expect_p = shapely.within(shapely.force_2d(people), compounds[row].buffer(0.01))
        got_p = rows_within(scene.layer("人口"), area)
        assert sorted(got_p.tolist()) == np.nonzero(expect_p)[0].tolist()


def test_select_near_equals_shapely(scene):
    layer = scene.layer("建筑")
    hull = shapely.MultiPoint(
        np.concatenate([b.points[b.triangles[b.rows == 3].ravel(), :2]
                        for b in layer.batches])).convex_hull
    got = select_near(scene, {"建筑": np.array([3])}, 60.0)
    furniture = scene.layer("街道设施")
    c = furniture.object_centers()
    expect = np.nonzero(shapely.dwithin(hull, shapely.points(c[:, :2]), 60.0))[0]
    assert len(expect)
    assert got["街道设施"].tolist() == expect.tolist()
    assert 3 in got["建筑"]


def test_meshes_count_by_their_footprint_centroid():
    """A scan whose vertices crowd one corner: its vertex mean lies there, its footprint's
    centroid (the hull's) in the middle; an area around the middle holds it."""
    from twinviewer.core.layer import Layer, TriangleBatch
    from twinviewer.core.query import rows_within
    from twinviewer.core.table import ObjectTable

    square = [[0, 0, 0], [10, 0, 0], [10, 10, 0], [0, 10, 0]]
    crowd = [[0.1 * i, 0.1, 1.0] for i in range(60)] + [[0.1 * i, 0.2, 1.0] for i in range(60)]
    points = np.array(square + crowd, dtype=float)
    tris = [[0, 1, 2], [0, 2, 3]] + [[4 + i, 5 + i, 64 + i] for i in range(59)]
    mesh = Layer("scan", "mesh", ObjectTable({"名称": ["扫描"]}),
                 [TriangleBatch(points, np.array(tris), np.zeros(len(tris), dtype=int))])
    assert mesh.object_centers()[0, 0] < 4.0  # the vertex mean sits near the crowd
    middle = shapely.box(4.0, 4.0, 6.0, 6.0)
    assert rows_within(mesh, middle).tolist() == [0]
    assert rows_within(mesh, shapely.box(0, 0, 4, 4)).tolist() == []
    assert rows_within(mesh, shapely.box(0, 0, 4, 4), how="centre").tolist() == [0]
