"""Line of sight and height limit against geometry worked out by hand."""

import numpy as np
import pytest
import shapely

from twinviewer.analysis.height_limit import (
    ControlSurface,
    VertexIndex,
    excess_columns,
    height_limit,
)
from twinviewer.analysis.rays import Occluders
from twinviewer.analysis.sightline import sight_line, sight_lines
from twinviewer.core.edits import CommandStack
from twinviewer.core.layer import Layer
from twinviewer.core.table import ObjectTable
from twinviewer.io.vector import extrude


def boxes(specs, name="建筑") -> Layer:
    polys = np.array([shapely.box(*b[:4]) for b in specs], dtype=object)
    batch = extrude(polys, np.arange(len(polys)), np.array([b[4] for b in specs], float))
    return Layer(name, "vector", ObjectTable({"名称": [f"楼{i}" for i in range(len(specs))]},
                                             oid=[100 + i for i in range(len(specs))]), [batch])


def test_sight_line_blocked_by_the_first_building():
    layer = boxes([(10, -5, 20, 5, 30.0), (40, -5, 50, 5, 30.0)])
    occ = Occluders.from_layers([layer])
    s = sight_line(occ, (0, 0, 10), (60, 0, 10))
    assert not s.visible
    assert s.layer == "建筑" and s.oid == 100 and s.row == 0
    assert s.blocked_after == pytest.approx(10.0, abs=1e-3)
    assert s.blocked_at == pytest.approx((10.0, 0.0, 10.0), abs=1e-3)
    # over the roofs: the line at z = 35 clears both
    assert sight_line(occ, (0, 0, 35), (60, 0, 35)).visible
    # a point picked on a wall is seen from in front of that wall
    assert sight_line(occ, (0, 0, 10), (10, 0, 10)).visible
    # rising line: crosses x=10 at z = 10 + 10 * 25/60 < 30, blocked
    lines = sight_lines(occ, [(0, 0, 10), (0, 0, 40)], [(60, 0, 35), (60, 30, 40)])
    assert [x.visible for x in lines] == [False, True]
    assert lines[0].as_dict()["oid"] == 100


def test_height_limit_polygon_and_plane():
    layer = boxes([(0, 0, 10, 10, 30.0), (20, 0, 30, 10, 50.0), (100, 0, 110, 10, 80.0)])
    ix = VertexIndex.of(layer)
    area = shapely.box(-5, -5, 40, 20)
    r = height_limit([ix], ControlSurface(polygon=area, height=40.0))
    rows, over = r.layers["建筑"]
    assert rows.tolist() == [1] and over.tolist() == pytest.approx([10.0])  # 80 m is outside
    # relative to a ground at 5 m the limit is 45 m
    r = height_limit([ix], ControlSurface(polygon=area, height=40.0),
                     ground_z=lambda x, y: np.full(np.shape(x), 5.0))
    assert r.layers["建筑"][1].tolist() == pytest.approx([5.0])
    # a plane rising 0.5 m per metre eastwards from z = 20 at x = 0
    plane = ControlSurface.plane_through((0, 0, 20), (10, 0, 25), (0, 10, 20))
    assert plane.gradient == pytest.approx((0.5, 0.0))
    r = height_limit([ix], plane)
    rows, over = r.layers["建筑"]
    # box 0: top 30 at x=0 -> limit 20: 10; box 1: 50 at x=20 -> 30: 20; box 2: 80 vs 70: 10
    assert rows.tolist() == [0, 1, 2] and over.tolist() == pytest.approx([10.0, 20.0, 10.0])
    stack = CommandStack()
    from twinviewer.analysis.height_limit import excess
    e = excess(ix, plane)
    stack.push(excess_columns(layer, e, plane.params()))
    assert layer.table.df["控高超出"].tolist() == pytest.approx([10.0, 20.0, 10.0])
    assert "height_limit" in stack.undo_label
    with pytest.raises(ValueError):
        ControlSurface.plane_through((0, 0, 0), (1, 0, 0), (2, 0, 5))


def test_height_limit_matches_a_per_object_loop():
    rng = np.random.default_rng(3)
    n = 400
    x, y = rng.uniform(0, 1000, n), rng.uniform(0, 1000, n)
    h = rng.uniform(5, 120, n)
    layer = boxes([(a, b, a + 8, b + 8, c) for a, b, c in zip(x, y, h, strict=True)])
    area = shapely.Polygon([(100, 100), (900, 150), (700, 900), (200, 700)])
    r = height_limit([VertexIndex.of(layer)], ControlSurface(polygon=area, height=60.0))
    rows, over = r.layers["建筑"]
    expected = {}
    for i in range(n):
        corners = shapely.box(x[i], y[i], x[i] + 8, y[i] + 8).exterior.coords[:-1]
        inside = [area.covers(shapely.Point(c)) for c in corners]
        if any(inside) and h[i] > 60:
            expected[i] = h[i] - 60
    assert dict(zip(rows.tolist(), over.tolist(), strict=True)) == pytest.approx(expected)


def test_covers_xy_against_shapely():
    from twinviewer.analysis.height_limit import covers_xy

    rng = np.random.default_rng(11)
    area = shapely.Polygon([(0, 0), (100, 10), (80, 90), (40, 40), (5, 70)],
                           holes=[[(50, 20), (60, 20), (60, 30), (50, 30)]])
    x, y = rng.uniform(-10, 110, 20000), rng.uniform(-10, 100, 20000)
    ring = np.asarray(area.exterior.coords)[:-1]  # points on the boundary count as inside
    x = np.concatenate([x, ring[:, 0]])
    y = np.concatenate([y, ring[:, 1]])
    expected = shapely.covers(area, shapely.points(x, y))
    assert np.array_equal(covers_xy(area, x, y), expected)
