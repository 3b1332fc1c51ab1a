"""Sunlight hours: a wall and a point north of it, against shadow geometry worked by hand."""

import datetime as dt

import numpy as np
import pytest
import shapely

from twinviewer.analysis.rays import Occluders, brute_force_first_hit
from twinviewer.analysis.sun import sun_position, true_solar_times
from twinviewer.analysis.sunlight import (
    PRESETS,
    Samples,
    SunlightRequest,
    facade_samples,
    ground_shadow_length,
    hours_from_lit,
    lit_matrix,
    sunlight,
    sunlight_columns,
    sunlight_style,
)
from twinviewer.core.edits import CommandStack
from twinviewer.core.layer import Layer
from twinviewer.core.table import ObjectTable
from twinviewer.io.vector import extrude

LAT, LON = 31.23, 121.47
DAY = dt.date(2026, 1, 20)  # 大寒 2026


def prisms(boxes, heights, floors=None, name="建筑") -> Layer:
    polys = np.array([shapely.box(*b) for b in boxes], dtype=object)
    rows = np.arange(len(polys))
    batch = extrude(polys, rows, np.asarray(heights, float))
    cols = {"名称": [f"楼{i}" for i in rows]}
    if floors is not None:
        cols["层数"] = list(floors)
    return Layer(name, "vector", ObjectTable(cols), [batch])


def one_point(p, n) -> Samples:
    return Samples(np.array([p], float), np.array([n], float), np.array([0]), np.array([1]))


def hand_lit(d: np.ndarray, distance: float, z: float, height: float) -> np.ndarray:
    """A point ``distance`` north of an east-west wall's north face, facing south.

    It sees the sun when the sun is up and south of east-west (in front of the
    façade) and the ray towards it passes over the wall top: climbing d_z per
    unit length, it reaches the wall plane after distance / -d_y.
    """
    south = d[:, 1] < 0
    with np.errstate(divide="ignore", invalid="ignore"):
        climb = np.where(south, z + distance / -d[:, 1] * d[:, 2], -np.inf)
    return (d[:, 2] > 0) & south & (climb >= height)


@pytest.mark.parametrize(("distance", "z", "height"),
                         [(30.0, 0.9, 20.0), (40.0, 3.9, 30.0), (25.0, 12.9, 30.0)])
def test_wall_hours_by_hand(distance, z, height):
    wall = prisms([(-500, -1, 500, 0)], [height])
    occ = Occluders.from_layers([wall])
    s = one_point((0.0, distance, z), (0.0, -1.0, 0.0))
    times = true_solar_times(DAY, 8.0, 16.0, 1.0, LON)
    d = sun_position(times, LAT, LON).directions()
    expected = hand_lit(d, distance, z, height)
    lit = lit_matrix(s, d, occ)[:, 0]
    # equal instant by instant except where the ray grazes the wall top (float32 Embree)
    assert np.count_nonzero(lit != expected) <= 2
    hours = hours_from_lit(lit[:, None], 1.0)[0]
    by_hand = (expected[1:].sum() + expected[:-1].sum()) / 2 / 60.0  # minutes of sun
    assert hours == pytest.approx(by_hand, abs=2 / 60)
    assert 0.0 < by_hand < 8.0  # the case is neither all sun nor all shade


def test_ground_shadow_length_at_noon():
    # 冬至 noon: elevation = 90 - latitude - 23.44 (declination), within refraction
    day = dt.date(2025, 12, 21)
    noon = true_solar_times(day, 12.0, 13.0, 60.0, LON)[:1]
    sun = sun_position(noon, LAT, LON)
    assert sun.elevation[0] == pytest.approx(90 - LAT - 23.44, abs=0.1)
    height = 20.0
    length = ground_shadow_length(height, sun.elevation[0])
    assert length == pytest.approx(height / np.tan(np.radians(sun.elevation[0])))
    wall = prisms([(-500, -1, 500, 0)], [height])
    occ = Occluders.from_layers([wall])
    up = (0.0, 0.0, 1.0)
    d = sun.directions()
    inside = lit_matrix(one_point((0.0, length - 0.3, 0.0), up), d, occ)[0, 0]
    outside = lit_matrix(one_point((0.0, length + 0.3, 0.0), up), d, occ)[0, 0]
    assert not inside and outside


def test_facade_samples_of_a_box():
    layer = prisms([(0, 0, 20, 10)], [18.0], floors=[6])
    s = facade_samples(layer, floors_field="层数", spacing=5.0)
    # 20 m walls: 4 points, 10 m walls: 2 points; 12 per floor, 6 floors
    assert len(s) == 12 * 6
    assert sorted(set(np.round(s.points[:, 2], 3))) == pytest.approx(
        [0.9 + 3 * k for k in range(6)])
    foot = shapely.box(0, 0, 20, 10)
    ahead = shapely.points(s.points[:, :2] + s.normals[:, :2] * 0.5)
    assert not np.any(shapely.contains(foot, ahead))  # every normal points out
    assert np.allclose(shapely.distance(foot.exterior, shapely.points(s.points[:, :2])), 0.05)
    assert set(s.floors.tolist()) == {1, 2, 3, 4, 5, 6}


def test_building_behind_a_tower_and_the_columns():
    # a long 25 m slab 30 m south of a six-floor walk-up: lower floors lose the sun first
    layer = prisms([(-150, -12, 150, 0), (-20, 30, 20, 42)], [25.0, 18.0], floors=[8, 6])
    occ = Occluders.from_layers([layer])
    req = SunlightRequest.from_preset("dahan2", 2026, latitude=LAT, longitude=LON)
    assert req.day == DAY and (req.start, req.end, req.threshold) == (8.0, 16.0, 2.0)
    result = sunlight(layer, req, occ, rows=np.array([1]), floors_field="层数")
    fh = result.floor_hours[1]
    assert np.all(np.isnan(result.floor_hours[0]))
    assert np.all(np.diff(fh) >= -1e-9) and fh[0] < fh[-1]
    # the brute-force ray cast gives the same lit instants for every sample
    sun = sun_position(result.times, LAT, LON).directions()
    lit = lit_matrix(result.samples, sun, occ)
    pts, tris = occ.points, occ.triangles
    for i in range(0, len(result.samples), 7):
        for k in range(0, len(sun), 4):
            front = result.samples.normals[i] @ sun[k] > 1e-9 and sun[k, 2] > 0
            hit = brute_force_first_hit(pts, tris, result.samples.points[i], sun[k])[1] >= 0
            assert lit[k, i] == (front and not hit)

    stack = CommandStack()
    before = list(layer.table.df.columns)
    stack.push(sunlight_columns(layer, result, floors_field="层数"))
    df = layer.table.df
    assert df["日照_1F"].iloc[1] == pytest.approx(fh[0], abs=1e-3)
    assert df["日照_最少"].iloc[1] == pytest.approx(fh.min(), abs=1e-3)
    assert bool(df["日照_达标"].iloc[1]) == (fh.min() >= 2.0)
    assert "dahan2" in stack.undo_label and "2026-01-20" in stack.undo_label
    style = sunlight_style(layer, result)
    assert style["by"] == "日照_最少" and 2.0 > style["breaks"][1]
    stack.undo()
    assert list(layer.table.df.columns) == before


def test_presets():
    assert {(p.term, p.start, p.end, p.threshold) for p in PRESETS.values()} == {
        ("大寒", 8.0, 16.0, 2.0), ("大寒", 8.0, 16.0, 3.0), ("冬至", 9.0, 15.0, 1.0)}
    with pytest.raises(ValueError):
        SunlightRequest.from_preset("nope", 2026)


def test_cancel():
    layer = prisms([(0, 0, 20, 10)], [18.0], floors=[6])
    occ = Occluders.from_layers([layer])
    req = SunlightRequest(DAY, latitude=LAT, longitude=LON)
    with pytest.raises(InterruptedError):
        sunlight(layer, req, occ, progress=lambda f: f < 0.5)
