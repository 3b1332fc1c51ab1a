"""Elevation sampling in core (numpy only): bilinear heights, holes, rays, objects set down."""

from __future__ import annotations

import numpy as np
import shapely

from twinviewer.core.layer import Layer, LineBatch, PointBatch
from twinviewer.core.table import ObjectTable
from twinviewer.core.terrain import Terrain, base_heights, set_on_ground
from twinviewer.io.vector import extrude


def plane_terrain(nx=50, ny=40, dx=2.0, dy=3.0) -> Terrain:
    """z = 0.5 x - 0.25 y + 7 on cell centres: bilinear sampling reproduces it exactly."""
    cols, rows = np.meshgrid(np.arange(nx), np.arange(ny))
    x = 10.0 + cols * dx
    y = 200.0 - rows * dy
    return Terrain(0.5 * x - 0.25 * y + 7.0, x0=10.0, y0=200.0, dx=dx, dy=dy)


def test_bilinear_heights_reproduce_a_plane_and_are_vectorised():
    t = plane_terrain()
    rng = np.random.default_rng(0)
    x = rng.uniform(10, 108, (100, 7))
    y = rng.uniform(83, 200, (100, 7))
    h = t.height_at(x, y)
    assert h.shape == (100, 7)
    np.testing.assert_allclose(h, 0.5 * x - 0.25 * y + 7.0, atol=1e-4)
    assert np.isnan(t.height_at(-500.0, 0.0))
    assert float(t.height_at(-500.0, 0.0, outside=3.0)) == 3.0


def test_nodata_cells_give_nan_but_do_not_spread():
    z = np.full((10, 10), 5.0)
    z[4:6, 4:6] = np.nan
    t = Terrain(z, 0.0, 9.0, 1.0, 1.0)
    assert np.isnan(t.height_at(4.2, 4.8))
    assert float(t.height_at(2.5, 2.5)) == 5.0
    assert float(t.height_at(3.4, 5.0)) == 5.0  # next to the hole: its neighbours' value


def test_single_cell_terrain():
    t = Terrain(np.array([[42.0]]), 0.0, 0.0, 1.0, 1.0)
    assert float(t.height_at(0.2, -0.3)) == 42.0


def test_a_ray_meets_the_ground_where_the_plane_is():
    t = plane_terrain()
    hit = t.intersect([50.0, 150.0, 500.0], [0.1, -0.05, -1.0])
    assert hit is not None
    assert abs(hit[2] - (0.5 * hit[0] - 0.25 * hit[1] + 7.0)) < 0.01
    assert t.intersect([50.0, 150.0, 500.0], [0.0, 0.0, 1.0]) is None  # looking up


def test_objects_without_z_stand_on_the_lowest_ground_under_them():
    t = plane_terrain()
    feet = shapely.box(np.array([20.0, 60.0]), np.array([150.0, 150.0]),
                       np.array([30.0, 70.0]), np.array([160.0, 160.0]))
    prism = extrude(feet, np.arange(2), np.array([12.0, 20.0]), 0.0)
    road = LineBatch(np.array([[20.0, 120.0, 0.0], [80.0, 120.0, 0.0]]), [[0, 1]], [2])
    lamp = PointBatch(np.array([[40.0, 100.0, 0.0]]), [3])
    layer = Layer("x", "vector", ObjectTable({"n": [0, 1, 2, 3]}), [prism, road, lamp])
    expected_base = base_heights(t, layer)
    set_on_ground(t, layer, np.array([True, True, True, False]))
    # prism 0: its base is the lowest corner height, its roof 12 m above that
    corner_heights = 0.5 * np.array([20.0, 30.0]) - 0.25 * 160.0 + 7.0
    z0 = prism.points[prism.triangles[prism.rows == 0].ravel(), 2]
    assert abs(z0.min() - corner_heights.min()) < 1e-3
    assert abs(z0.max() - corner_heights.min() - 12.0) < 1e-3
    assert abs(expected_base[0] - corner_heights.min()) < 1e-3
    # the road follows the slope vertex by vertex
    np.testing.assert_allclose(road.points[:, 2], 0.5 * road.points[:, 0] - 30.0 + 7.0,
                               atol=1e-3)
    # the lamp was left where it was (it had a Z of its own)
    assert lamp.points[0, 2] == 0.0


def test_100k_objects_sampled_in_one_call():
    t = plane_terrain(2000, 2000, 1.0, 1.0)
    rng = np.random.default_rng(3)
    x = rng.uniform(20, 1900, 800_000)
    y = rng.uniform(-1700, 190, 800_000)
    h = t.height_at(x, y)  # vectorised: no per-object loop
    assert np.isfinite(h).all()


def _brute_force_bases(t: Terrain, layer: Layer) -> np.ndarray:
    """Per object, the lowest ground under the vertices at its own lowest level, one
    object at a time (the oracle for the vectorised sampling)."""
    out = np.zeros(len(layer))
    for batch in layer.batches:
        for row in np.unique(batch.rows):
            idx = np.unique(batch.triangles[batch.rows == row]) if hasattr(batch, "triangles") \
                else np.flatnonzero(batch.rows == row)
            pts = batch.points[idx]
            if hasattr(batch, "triangles"):
                pts = pts[pts[:, 2] <= pts[:, 2].min() + 1e-6]
            out[row] = np.nanmin(t.height_at(pts[:, 0], pts[:, 1]))
    return out


def test_prisms_standing_at_different_levels_are_set_by_their_own_footprints():
    t = plane_terrain()
    rng = np.random.default_rng(5)
    cx, cy = rng.uniform(25, 95, 40), rng.uniform(95, 190, 40)
    feet = shapely.box(cx - 3, cy - 2, cx + 3, cy + 2)
    prism = extrude(feet, np.arange(40), rng.uniform(3, 30, 40), 0.0)
    # bases at different heights (a layer set on the ground once already)
    lift = rng.uniform(0, 50, 40)
    used = np.unique(prism.triangles.ravel())
    vrows = np.full(len(prism.points), -1)
    vrows[prism.triangles.ravel()] = np.repeat(prism.rows, 3)
    prism.points[used, 2] += lift[vrows[used]]
    layer = Layer("x", "vector", ObjectTable({"n": np.arange(40)}), [prism])
    got = base_heights(t, layer)
    np.testing.assert_allclose(got, _brute_force_bases(t, layer), atol=1e-6)
    mask = np.arange(40) % 3 == 0  # only these are sampled; the others get 0
    masked = base_heights(t, layer, mask)
    np.testing.assert_allclose(masked[mask], got[mask], atol=1e-9)
    assert not masked[~mask].any()
