"""Terrain tiles: error-bounded triangles, skirts against cracks, levels from overviews,
the shared traversal, the worker pool's states and the imagery stack."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.tri import LinearTriInterpolator, Triangulation

from tests.ground.rasters import write_dem, write_orthophoto
from twinviewer.ground import GroundLoader, GroundPyramid, build_tile, composite, triangulate
from twinviewer.ground.mesh import add_skirts, boundary_edges
from twinviewer.ground.pyramid import GRID, TileKey
from twinviewer.io.loader import open_scene
from twinviewer.tiles.select import View, select
from twinviewer.tiles.tile import TileState


@pytest.fixture
def ground_scene(tmp_path):
    write_dem(tmp_path / "dem.tif")
    write_orthophoto(tmp_path / "ortho.tif")
    return open_scene([tmp_path / "dem.tif", tmp_path / "ortho.tif"])


def test_triangulation_stays_within_the_max_error():
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:65, 0:65]
    z = (20 * np.sin(xx / 9.0) * np.cos(yy / 7.0) + rng.normal(0, 0.05, xx.shape)).astype(
        np.float32)
    for max_error in (2.0, 0.5, 0.1):
        verts, tris, err = triangulate(z, max_error)
        assert err <= max_error + 1e-6
        # the oracle: matplotlib's linear interpolation on the same triangles
        interp = LinearTriInterpolator(Triangulation(verts[:, 0], verts[:, 1], tris),
                                       verts[:, 2])
        got = interp(xx.ravel().astype(float), (64 - yy).ravel().astype(float))
        assert np.nanmax(np.abs(got - z.ravel())) <= max_error + 1e-3
        assert len(tris) < 2 * 64 * 64  # fewer than the full grid
    flat = triangulate(np.zeros((65, 65), np.float32), 0.5)
    assert len(flat[1]) == 2  # a flat tile is two triangles


def test_skirts_close_every_outline_edge():
    verts, tris, _ = triangulate(np.random.default_rng(1).random((65, 65)).astype(np.float32)
                                 * 5, 0.5)
    outline = boundary_edges(tris)
    pts, all_tris, src = add_skirts(verts, tris, depth=10.0)
    # every surface outline edge is now shared with a skirt triangle
    left = boundary_edges(all_tris)
    assert not set(map(tuple, np.sort(outline, axis=1))) & set(map(tuple, np.sort(left,
                                                                                  axis=1)))
    # what is left open hangs 10 m below the surface
    low = pts[np.unique(left), 2]
    assert np.allclose(low, verts[src[np.unique(left)], 2] - 10.0)


def test_nothing_is_read_until_the_view_asks_and_coarse_tiles_come_from_overviews(
        ground_scene, monkeypatch):
    dem = ground_scene.layers[0]
    reads = []
    original = type(dem.raster).read

    def counting(self, bounds, shape, *args, **kwargs):
        reads.append((bounds, shape))
        return original(self, bounds, shape, *args, **kwargs)

    monkeypatch.setattr(type(dem.raster), "read", counting)
    pyramid = GroundPyramid(dem, [ground_scene.layers[1]])
    assert reads == []  # opening reads nothing
    assert pyramid.max_depth == 3  # 512 m / 64 cells / 2 m cells -> depth 3 at 2 m
    build_tile(pyramid, TileKey(1, 0, 0))
    (bounds, shape), *_ = reads
    cell = (bounds[2] - bounds[0]) / (shape[1] - 1)
    assert dem.raster.level_for(cell) >= 0  # the root reads an overview


def test_adjacent_tiles_of_different_levels_leave_no_gap_the_skirts_do_not_cover(
        ground_scene):
    pyramid = GroundPyramid(ground_scene.layers[0], [])
    a = build_tile(pyramid, TileKey(2, 0, 0))  # north-west quarter
    b = build_tile(pyramid, TileKey(3, 2, 0))  # east of it, one level finer
    x_edge = pyramid.box(TileKey(2, 0, 0))[2]
    ys = np.linspace(pyramid.box(TileKey(3, 2, 0))[1] + 0.1,
                     pyramid.box(TileKey(3, 2, 0))[3] - 0.1, 50)

    def edge_profile(content, x):
        tris = content.triangles[:content.surface_triangles]
        t = Triangulation(content.points[:, 0], content.points[:, 1], tris)
        return LinearTriInterpolator(t, content.points[:, 2])(np.full_like(ys, x), ys)

    gap = np.nanmax(np.abs(edge_profile(a, x_edge - 1e-6) - edge_profile(b, x_edge + 1e-6)))
    skirt = min(a.points[:, 2].min(), b.points[:, 2].min())
    surface_min = min(a.points[:a.triangles[:a.surface_triangles].max() + 1, 2].min(),
                      b.points[:b.triangles[:b.surface_triangles].max() + 1, 2].min())
    assert gap < surface_min - skirt  # the curtain hangs deeper than any gap


def test_the_shared_traversal_refines_near_the_camera_and_the_pool_loads_tiles(ground_scene):
    pyramid = GroundPyramid(ground_scene.layers[0], [ground_scene.layers[1]])
    loader = GroundLoader(pyramid, workers=2)
    near = View((0.0, -300.0, 120.0), (0.0, 0.0, 20.0), width=800, height=600)
    seen_states = set()
    try:
        for frame in range(200):
            sel = select(pyramid.root, near, 16.0, frame)
            loader.request(sel.fetch)
            seen_states |= {t.state for t in pyramid.root.walk()}
            loader.collect(wait=0.5)
            if not sel.fetch and not loader.busy:
                sel = select(pyramid.root, near, 16.0, frame + 1)
                if not sel.fetch:
                    break
    finally:
        loader.close()
    assert TileState.LOADING in seen_states
    assert sel.draw and all(t.state is TileState.LOADED for t in sel.draw)
    assert sel.deepest == pyramid.max_depth  # full resolution under the camera
    far = View((0.0, -30000.0, 20000.0), (0.0, 0.0, 0.0), width=800, height=600)
    assert select(pyramid.root, far, 16.0, 999).deepest == 1  # one coarse tile from afar
    # geometric errors come from the triangulation, not a guess
    loaded = [t for t in pyramid.root.walk() if t.state is TileState.LOADED]
    assert all(t.geometric_error == t.data.error for t in loaded)


def test_a_damaged_file_fails_tiles_not_the_view(tmp_path):
    dem = write_dem(tmp_path / "dem.tif")
    scene = open_scene([dem])
    pyramid = GroundPyramid(scene.layers[0], [])
    dem.write_bytes(dem.read_bytes()[:2000])  # damaged after opening
    scene.layers[0].raster.close()
    scene.layers[0].raster._local.__dict__.clear()
    loader = GroundLoader(pyramid, workers=1)
    try:
        tile = pyramid.root.expand()[0]
        loader.request([tile])
        while loader.busy:
            loader.collect(wait=1.0)
    finally:
        loader.close()
    assert tile.state is TileState.FAILED and tile.error


def test_imagery_textures_stack_in_layer_order_with_opacity(ground_scene, tmp_path):
    second = write_orthophoto(tmp_path / "blue.tif", colour=(20, 40, 220))
    scene = open_scene([tmp_path / "dem.tif", tmp_path / "ortho.tif", second])
    dem, red, blue = scene.layers
    content = build_tile(GroundPyramid(dem, [red, blue]), TileKey(1, 0, 0))
    assert set(content.textures) == {"ortho", "blue"}
    rgba_red, rgba_blue = content.textures["ortho"], content.textures["blue"]
    base = (100, 100, 100)
    top = composite(base, [(rgba_red, 1.0), (rgba_blue, 1.0)])
    assert tuple(top[5, 5]) == (20, 40, 220)  # the later layer covers the earlier
    half = composite(base, [(rgba_red, 1.0), (rgba_blue, 0.5)])
    assert abs(int(half[5, 5, 0]) - (200 + 20) // 2) <= 1
    hidden = composite(base, [(rgba_red, 1.0), (rgba_blue, 0.0)])
    assert tuple(hidden[5, 5]) == (200, 60, 40)
    assert content.points.shape[1] == 3 and content.uv.shape == (len(content.points), 2)
    assert GRID == 65


def test_a_basemap_drapes_on_the_flat_ground_without_a_dem(tmp_path):
    from tests.io.test_basemap import write_mbtiles

    write_mbtiles(tmp_path / "base.mbtiles")
    (tmp_path / "scene.toml").write_text(
        'version = 1\ncrs = "EPSG:4549"\n[[layers]]\nsource = "base.mbtiles"\n', "utf-8")
    scene = open_scene([tmp_path / "scene.toml"])
    pyramid = GroundPyramid(None, [scene.layers[0]])
    content = build_tile(pyramid, TileKey(1, 0, 0))
    assert np.all(content.points[:, 2] == 0.0)  # the flat ground
    assert len(content.triangles) == 2
    rgba = content.textures[scene.layers[0].name]
    assert rgba[..., 3].mean() > 200  # the tiles cover it
