"""Camera coverage against shapely geometry built independently."""

import numpy as np
import pytest
import shapely
from shapely import affinity

from twinviewer.analysis.coverage import (
    Cameras,
    Obstacles,
    blind_roads,
    cameras_of,
    compound_shares,
    coverage,
)
from twinviewer.core.layer import Layer, LineBatch, PointBatch
from twinviewer.core.table import ObjectTable
from twinviewer.io.vector import extrude

EYE = np.array([0.0, 0.0, 4.0])


def one_camera(heading=0.0, reach=35.0, angle=60.0) -> Cameras:
    return Cameras(EYE[None].copy(), np.array([heading]), np.array([reach]), np.array([angle]),
                   np.array([0]))


def boxes(specs) -> Layer:
    polys = np.array([shapely.box(*b[:4]) for b in specs], dtype=object)
    batch = extrude(polys, np.arange(len(polys)), np.array([b[4] for b in specs], float))
    return Layer("建筑", "vector", ObjectTable({"n": list(range(len(specs)))}), [batch])


def sector_area(reach, angle):
    return reach * reach * np.radians(angle) / 2


def fine_sector(heading, reach, angle, n=2000):
    az = np.radians(heading) + np.radians(angle) / 2 * np.linspace(-1, 1, n)
    return shapely.Polygon([(0, 0), *zip(reach * np.sin(az), reach * np.cos(az), strict=True)])


def test_empty_scene_is_the_sector():
    r = coverage(one_camera(), Obstacles.from_layers([]))
    assert r.union.area == pytest.approx(sector_area(35.0, 60.0), rel=1e-4)
    r = coverage(one_camera(heading=135.0, angle=90.0), Obstacles.from_layers([]))
    assert r.union.area == pytest.approx(sector_area(35.0, 90.0), rel=2e-4)
    assert r.union.symmetric_difference(fine_sector(135, 35, 90)).area < 0.3


def edge_shadow(box: shapely.Polygon, eye_xy, far: float) -> shapely.Geometry:
    """Shadow of a tall box: each edge swept radially away from the eye to ``far``."""
    c = np.asarray(box.exterior.coords)
    quads = []
    for a, b in zip(c[:-1], c[1:], strict=True):
        pa = eye_xy + (a - eye_xy) * far / np.linalg.norm(a - eye_xy)
        pb = eye_xy + (b - eye_xy) * far / np.linalg.norm(b - eye_xy)
        quads.append(shapely.Polygon([a, b, pb, pa]).buffer(0))
    return shapely.union_all([box, *quads])


def test_tall_box_in_front():
    box = shapely.box(-4, 12, 6, 18)
    r = coverage(one_camera(), Obstacles.from_layers([boxes([(-4, 12, 6, 18, 20.0)])]))
    expected = fine_sector(0, 35, 60).difference(edge_shadow(box, EYE[:2], 200.0))
    assert r.union.area == pytest.approx(expected.area, rel=1e-3)
    assert r.union.symmetric_difference(expected).area < 0.5
    assert r.union.area < sector_area(35, 60) - box.area  # the shadow reaches past the box


def test_low_box_hides_a_finite_shadow():
    # a 2 m wall seen from a 4 m eye: hidden ground ends at H / (H - h) = 2x the distance
    box = shapely.box(-3, 10, 3, 11)
    r = coverage(one_camera(), Obstacles.from_layers([boxes([(-3, 10, 3, 11, 2.0)])]))
    top = affinity.scale(box, 2.0, 2.0, origin=(0, 0))
    hidden = shapely.convex_hull(shapely.union_all([box, top]))
    expected = fine_sector(0, 35, 60).difference(hidden)
    assert r.union.symmetric_difference(expected).area < 0.3
    assert r.union.contains(shapely.Point(0, 25))       # ground beyond the shadow is seen
    assert not r.union.contains(shapely.Point(0, 15))   # ground right behind it is not


def test_demo_like_layers():
    cam = Layer("视频监控", "vector", ObjectTable({"朝向": [0.0, 90.0]}),
                [PointBatch([[0, 0, 0], [100, 0, 0]], [0, 1])],
                style={"view_cone": {"heading": "朝向", "range": 30.0, "angle": 60.0}})
    cams = cameras_of(cam, height=5.0)
    assert len(cams) == 2 and np.allclose(cams.eye[:, 2], 5.0) and np.allclose(cams.reach, 30)
    compounds = boxes([(-20, 5, 20, 40, 0.3)])
    roads = Layer("道路", "vector", ObjectTable({"名称": ["甲路"]}),
                  [LineBatch([[-50, 0, 0], [200, 0, 0]], [[0, 1]], [0])])
    r = coverage(cams, Obstacles.from_layers([compounds]))  # 0.3 m lawns hide nothing
    assert r.union.area == pytest.approx(2 * sector_area(30, 60), rel=1e-3)
    shares = compound_shares(r, compounds, roads)
    foot = shapely.box(-20, 5, 20, 40)
    assert shares["ground_share"].iloc[0] == pytest.approx(
        fine_sector(0, 30, 60).intersection(foot).area / foot.area, rel=1e-3)
    lines, rows = blind_roads(r, roads)
    # the camera at x=100 looks east along the road: it sees 100..130
    assert shapely.length(lines).sum() == pytest.approx(250 - 30, rel=1e-3)
    assert set(rows.tolist()) == {0}
    with pytest.raises(ValueError):
        cameras_of(Layer("x", "vector", ObjectTable({"a": [1]}), []))
