"""单体化 look-up: FootprintIndex against shapely point-in-polygon as the oracle."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyogrio
import pytest
import shapely
import tomli_w
import tomllib

from twinviewer.core.classify import FootprintIndex, classify_tile
from twinviewer.io.loader import open_scene

DEMO = Path(__file__).parents[2] / "scenes" / "demo"


def oracle(polygons, z_lo, z_hi, pts) -> list[set[int]]:
    """Per point: the rows whose footprint contains it and whose height range holds it."""
    hits: list[set[int]] = [set() for _ in range(len(pts))]
    for row, poly in enumerate(polygons):
        if poly is None:
            continue
        inside = shapely.contains_xy(poly, pts[:, 0], pts[:, 1])
        inside &= (pts[:, 2] >= z_lo[row]) & (pts[:, 2] <= z_hi[row])
        for i in np.flatnonzero(inside):
            hits[i].add(row)
    return hits


def check(got, hits, areas) -> None:
    for i, (row, want) in enumerate(zip(got.tolist(), hits, strict=True)):
        if not want:
            assert row == -1, f"point {i}: got {row}, expected none"
        else:
            assert row in want, f"point {i}: got {row}, expected one of {want}"
            assert areas[row] == min(areas[r] for r in want)


def near_edges(polygons, rng, n: int) -> np.ndarray:
    """Points a few centimetres to decimetres from the outlines (the exact path)."""
    rings = shapely.boundary(np.asarray([p for p in polygons if p is not None]))
    along = rng.uniform(0, 1, n)
    which = rng.integers(0, len(rings), n)
    on = shapely.get_coordinates(shapely.line_interpolate_point(rings[which], along,
                                                                normalized=True))
    return on + rng.normal(0, 0.15, (n, 2))


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    # the demo's buildings alone, extruded from 0 (the demo's terrain would lift them)
    demo_toml = tomllib.loads((DEMO / "scene.toml").read_text(encoding="utf-8"))
    entry = next(e for e in demo_toml["layers"] if e.get("table") == "buildings")
    only = {k: demo_toml[k] for k in ("version", "crs", "origin")}
    only["layers"] = [{**entry, "source": (DEMO / entry["source"]).as_posix()}]
    path = tmp_path_factory.mktemp("demo_buildings") / "scene.toml"
    path.write_text(tomli_w.dumps(only), encoding="utf-8")
    scene = open_scene([path])
    layer = scene.layer("建筑")
    df = pyogrio.read_dataframe(DEMO / "district.gpkg", layer="buildings")
    assert str(df.crs).upper() == "EPSG:32651" == scene.crs.to_string().upper()
    # independent footprints: the file's polygons moved by the scene origin
    polys = shapely.transform(df.geometry.to_numpy(), lambda xy: xy - scene.origin[:2])
    return layer, polys, df["高度"].to_numpy(dtype=float)


def test_demo_buildings_against_shapely(demo):
    layer, polys, heights = demo
    index = FootprintIndex.from_layer(layer, cell=0.5, margin=1.0)
    assert index.rows == len(polys)
    rng = np.random.default_rng(7)
    xmin, ymin, xmax, ymax = shapely.total_bounds(polys)
    xy = np.vstack([np.column_stack([rng.uniform(xmin, xmax, 30_000),
                                     rng.uniform(ymin, ymax, 30_000)]),
                    near_edges(polys, rng, 20_000)])
    z = rng.uniform(-3.0, 110.0, len(xy))
    pts = np.column_stack([xy, z])
    got = index.rows_at(pts)
    # the reader extrudes from 0 to the file's height; margins are 1 m
    hits = oracle(polys, np.full(len(polys), -1.0), heights + 1.0, pts)
    check(got, hits, shapely.area(polys))
    assert np.count_nonzero(got >= 0) > 3_000  # the test does reach buildings
    assert np.count_nonzero(index.grid == -2) > 0  # and the exact path


def test_demo_height_range(demo):
    layer, polys, heights = demo
    index = FootprintIndex.from_layer(layer, margin=0.5)
    inner = shapely.point_on_surface(polys)
    xy = shapely.get_coordinates(inner)
    rows = np.arange(len(polys))
    assert index.rows_at(np.column_stack([xy, heights - 0.2])).tolist() == rows.tolist()
    assert index.rows_at(np.column_stack([xy, heights + 0.4])).tolist() == rows.tolist()
    assert np.all(index.rows_at(np.column_stack([xy, heights + 0.7])) == -1)
    assert np.all(index.rows_at(np.column_stack([xy, np.full(len(xy), -0.7)])) == -1)


def star(rng, centre, radius, k, hole: bool):
    angles = np.sort(rng.uniform(0, 2 * np.pi, k))
    radii = rng.uniform(0.3, 1.0, k) * radius
    shell = np.column_stack([centre[0] + radii * np.cos(angles),
                             centre[1] + radii * np.sin(angles)])
    holes = None
    if hole:
        r = 0.2 * radii.min()
        holes = [[(centre[0] + r * np.cos(a), centre[1] + r * np.sin(a))
                  for a in np.linspace(0, 2 * np.pi, 7)[:-1]]]
    return shapely.make_valid(shapely.Polygon(shell, holes))


try:
    from hypothesis import given
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover - hypothesis is a test extra
    given = None


if given is not None:
    @given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 25),
           cell=st.sampled_from([0.25, 0.5, 1.3, 4.0]))
    def test_random_polygons_against_shapely(seed, n, cell):
        rng = np.random.default_rng(seed)
        polys = [star(rng, rng.uniform(0, 60, 2), rng.uniform(0.5, 25), int(rng.integers(3, 14)),
                      bool(rng.integers(0, 2))) for _ in range(n)]
        polys[int(rng.integers(0, n))] = None if n > 1 else polys[0]  # a row without one
        base = rng.uniform(-5, 5, n)
        top = base + rng.uniform(1, 40, n)
        index = FootprintIndex.from_polygons(polys, base, top, cell=cell, margin=0.0)
        xy = np.column_stack([rng.uniform(-30, 90, 1500), rng.uniform(-30, 90, 1500)])
        some = [p for p in polys if p is not None]
        if some:
            xy = np.vstack([xy, near_edges(some, rng, 1500)])
        pts = np.column_stack([xy, rng.uniform(-6, 46, len(xy))])
        areas = [0.0 if p is None else p.area for p in polys]
        check(index.rows_at(pts), oracle(polys, base, top, pts), areas)


def test_triangles_by_centroid_and_tile_transform():
    rng = np.random.default_rng(3)
    polys = [shapely.box(0, 0, 10, 10), shapely.Polygon([(20, 0), (30, 0), (25, 12)])]
    index = FootprintIndex.from_polygons(polys, [0, 0], [20, 20], cell=0.5)
    local = rng.uniform(-5, 35, (3000, 3))
    local[:, 2] = rng.uniform(0, 10, len(local))
    tris = rng.integers(0, len(local), (4000, 3))
    # the tile's own frame: rotated 90 degrees about z and moved, as a transform
    m = np.array([[0, -1, 0, 100.0], [1, 0, 0, -50.0], [0, 0, 1, 2.0], [0, 0, 0, 1]])
    inv = np.linalg.inv(m)
    tile_pts = local @ inv[:3, :3].T + inv[:3, 3]
    rows = classify_tile(index, tile_pts, tris, transform=m)
    centroid = local[tris].mean(axis=1)
    want = np.full(len(tris), -1)
    for r, p in enumerate(polys):
        want[shapely.contains_xy(p, centroid[:, 0], centroid[:, 1])] = r
    assert rows.triangle_rows.tolist() == want.tolist()
    vwant = np.full(len(local), -1)
    for r, p in enumerate(polys):
        vwant[shapely.contains_xy(p, local[:, 0], local[:, 1])] = r
    assert rows.vertex_rows.tolist() == vwant.tolist()
    assert classify_tile(index, local).triangle_rows is None


def test_nan_outside_and_empty():
    index = FootprintIndex.from_polygons([shapely.box(0, 0, 1, 1)], [0], [1], margin=0)
    pts = np.array([[np.nan, 0.5, 0.5], [0.5, np.nan, 0.5], [1e9, 0.5, 0.5],
                    [-1e9, -1e9, 0], [0.5, 0.5, np.nan], [0.5, 0.5, 0.5]])
    assert index.rows_at(pts).tolist() == [-1, -1, -1, -1, -1, 0]
    empty = FootprintIndex.from_polygons([None, shapely.Polygon()], [0, 0], [1, 1])
    assert empty.rows_at(pts).tolist() == [-1] * 6
    assert empty.bounds is None
    assert index.rows_of_triangles(pts, np.empty((0, 3), int)).shape == (0,)
