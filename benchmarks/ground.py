"""Ground figures (issue 15): ``python -m benchmarks.ground [--quick] [--json F]``.

A generated DEM COG (default 10,000 x 10,000 cells, 1 m, overviews) and an RGB
orthophoto COG over it (default 40,000 x 40,000, 0.25 m, JPEG tiles, overviews), in
EPSG:4549, written once into a cache folder (deterministic, block by block), then:

- open -> first complete frame (read, place, tiles loaded, drawn), target <= 2 s;
- frame time of the drawn ground against the floor of the same triangles as one mesh
  with one texture, target <= 1.2x;
- RSS after a close-up (full-resolution tiles) against the RSS before opening plus
  the tiles' byte budget;
- 100,000 prisms set on the terrain (base heights sampled), target <= 300 ms;
- the naive baseline: a full-resolution grid mesh of the same DEM (build, frame,
  triangles); for DEMs above 2,048 cells a side it is measured on a 2,048 x 2,048
  crop and scaled by area (said in the output).

``--quick`` uses a 2,000-cell DEM and an 8,000-pixel orthophoto (seconds to build).
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import numpy as np

from benchmarks.common import draw, median, ms, now, orbit, plotter, rss_mb

X0, Y1 = 480_000.0, 3_470_000.0  # EPSG:4549 (CGCS2000 / 3-degree GK CM 120E)
BLOCK = 512
TARGETS = {"first_frame_s": 2.0, "frame_vs_floor": 1.2, "base_heights_100k_ms": 300.0}


def _dem_block(rows: np.ndarray, cols: np.ndarray, cell: float) -> np.ndarray:
    """Heights of the generated landscape: rolling hills and a valley, metres."""
    y = (rows[:, None] + 0.5) * cell
    x = (cols[None, :] + 0.5) * cell
    z = 40.0 + 25.0 * np.sin(x / 900.0) * np.cos(y / 700.0) + 12.0 * np.sin(x / 170.0 + y / 230.0)
    z += 4.0 * np.sin(x / 37.0) * np.sin(y / 41.0) - 30.0 * np.exp(-((x - y) / 800.0) ** 2)
    return z.astype(np.float32)


def make_dem(path: Path, size: int, cell: float) -> None:
    import rasterio
    from rasterio.transform import from_origin
    from rasterio.windows import Window

    with rasterio.open(path, "w", driver="GTiff", width=size, height=size, count=1,
                       dtype="float32", crs="EPSG:4549", nodata=-9999.0,
                       transform=from_origin(X0, Y1, cell, cell), tiled=True,
                       blockxsize=BLOCK, blockysize=BLOCK, compress="deflate", predictor=3,
                       BIGTIFF="IF_SAFER") as ds:
        for r in range(0, size, BLOCK):
            h = min(BLOCK, size - r)
            ds.write(_dem_block(np.arange(r, r + h), np.arange(size), cell), 1,
                     window=Window(0, r, size, h))
        ds.build_overviews([f for f in (2, 4, 8, 16, 32, 64) if size // f >= 64])


def make_ortho(path: Path, size: int, cell: float) -> None:
    import rasterio
    from rasterio.transform import from_origin
    from rasterio.windows import Window

    with rasterio.Env(GDAL_CACHEMAX=256), rasterio.open(
            path, "w", driver="GTiff", width=size, height=size, count=3, dtype="uint8",
            crs="EPSG:4549", transform=from_origin(X0, Y1, cell, cell), tiled=True,
            blockxsize=BLOCK, blockysize=BLOCK, compress="jpeg", jpeg_quality=75,
            photometric="YCBCR", BIGTIFF="YES") as ds:
        cols = np.arange(size)
        fx = ((cols * cell) // 40).astype(np.int64)  # fields 40 m wide
        for r in range(0, size, BLOCK):
            h = min(BLOCK, size - r)
            rows = np.arange(r, r + h)
            fy = ((rows * cell) // 60).astype(np.int64)
            field = (fx[None, :] * 7 + fy[:, None] * 13) % 5
            road = ((cols * cell) % 400 < 8)[None, :] | ((rows * cell) % 400 < 8)[:, None]
            palette = np.array([[96, 128, 64], [140, 150, 80], [120, 100, 70], [70, 110, 60],
                                [160, 150, 120]], dtype=np.uint8)
            rgb = palette[field]
            rgb[road] = (90, 90, 95)
            ds.write(rgb.transpose(2, 0, 1), window=Window(0, r, size, h))
        ds.build_overviews([f for f in (2, 4, 8, 16, 32, 64, 128) if size // f >= 256])


def data(cache: Path, dem_size: int, ortho_size: int) -> tuple[Path, Path]:
    """The DEM and orthophoto, generated once per size into ``cache``."""
    cache.mkdir(parents=True, exist_ok=True)
    extent = 10_000.0 if dem_size >= 10_000 else dem_size * 1.0
    dem = cache / f"dem_{dem_size}.tif"
    ortho = cache / f"ortho_{ortho_size}.tif"
    for path, make, size in ((dem, make_dem, dem_size), (ortho, make_ortho, ortho_size)):
        if not path.exists():
            t = now()
            tmp = path.with_suffix(".part.tif")
            make(tmp, size, extent / size)
            tmp.replace(path)
            print(f"generated {path.name} in {now() - t:.1f} s")
    return dem, ortho


def _scene_file(cache: Path, dem: Path, ortho: Path) -> Path:
    scene = cache / f"scene_{dem.stem}_{ortho.stem}.toml"
    scene.write_text(
        f'version = 1\n[[layers]]\nname = "dem"\nsource = "{dem.name}"\nrole = "terrain"\n'
        f'[[layers]]\nname = "ortho"\nsource = "{ortho.name}"\n', encoding="utf-8")
    return scene


def _merged_floor(view):
    """The drawn ground as one mesh with one texture: what a frame cannot beat."""
    import pyvista as pv

    ground = view.ground
    drawn = [ground.actors[k] for k in ground._drawn if k in ground.actors]  # noqa: SLF001
    mesh = pv.merge([a.poly for a in drawn], merge_points=False) if len(drawn) > 1 \
        else drawn[0].poly.copy()
    mesh.active_texture_coordinates = np.concatenate([a.tile.data.uv for a in drawn])
    tex = pv.Texture(np.full((2048, 2048, 3), 128, dtype=np.uint8))
    return mesh, tex


def measure(scene_file: Path, dem: Path, frames: int) -> dict:
    import pyvista as pv
    import vtk

    from twinviewer.core.layer import Layer
    from twinviewer.core.table import ObjectTable
    from twinviewer.core.terrain import set_on_ground
    from twinviewer.ground.loader import BUDGET_BYTES
    from twinviewer.io.loader import load, spec_for
    from twinviewer.io.vector import extrude
    from twinviewer.render import SceneView

    out: dict = {}
    pl = plotter()
    draw(pl)
    rss_base = rss_mb()
    t0 = now()
    scene = load(spec_for([scene_file])).to_scene()
    t1 = now()
    view = SceneView(pl, scene)
    view.settle_ground()
    view.render()
    pl.render_window.WaitForCompletion()
    t2 = now()
    out.update(open_read_s=t1 - t0, first_frame_s=t2 - t0,
               first_frame_tiles=view.ground.stats()["tiles_drawn"])

    # a close-up at 300 m: full-resolution tiles under the camera
    terrain = scene.layers[0].terrain
    z = float(terrain.height_at(0.0, 0.0))
    cam = pl.renderer.GetActiveCamera()
    cam.SetFocalPoint(0.0, 0.0, z)
    cam.SetPosition(0.0, -260.0, z + 150.0)
    cam.SetViewUp(0, 0, 1)
    t = now()
    view.settle_ground()
    out["close_up_settle_s"] = now() - t
    stats = view.ground.stats()
    out.update(close_up_tiles=stats["tiles_drawn"], drawn_triangles=stats["triangles"],
               tile_bytes_mb=stats["bytes"] / 2**20, deepest=view.ground.last_selection.deepest,
               max_depth=view.ground.pyramid.max_depth)
    view.render()
    frame = ms(orbit(pl, frames, degrees=0.5))
    out["frame_ms"] = frame
    out["rss_mb"] = rss_mb()
    out["rss_base_mb"] = rss_base
    out["tiles_budget_mb"] = BUDGET_BYTES / 2**20

    # the floor: the same drawn triangles as one actor with one texture
    mesh, tex = _merged_floor(view)
    fl = plotter()
    fl.add_mesh(mesh, texture=tex, lighting=True)
    fl.renderer.GetActiveCamera().DeepCopy(cam)
    fl.renderer.ResetCameraClippingRange()
    draw(fl)
    out["floor_frame_ms"] = ms(orbit(fl, frames, degrees=0.5))
    out["floor_triangles"] = int(mesh.n_cells)
    fl.close()

    # 100k prisms set on the terrain
    import shapely

    rng = np.random.default_rng(1)
    ext = terrain.extent
    cx = rng.uniform(ext[0] + 50, ext[2] - 50, 100_000)
    cy = rng.uniform(ext[1] + 50, ext[3] - 50, 100_000)
    boxes = shapely.box(cx - 6, cy - 4, cx + 6, cy + 4)
    prisms = extrude(boxes, np.arange(100_000), np.full(100_000, 15.0), 0.0)
    layer = Layer("district", "vector", ObjectTable({"n": np.arange(100_000)}), [prisms])
    times = []
    flat_z = prisms.points[:, 2].copy()
    for _ in range(3):
        prisms.points[:, 2] = flat_z  # back to the flat base (as read, before the lift)
        t = now()
        set_on_ground(terrain, layer)
        times.append(now() - t)
    out["base_heights_100k_ms"] = median(times) * 1e3
    view.close()
    pl.close()
    del vtk, pv
    return out


def naive(dem: Path, frames: int) -> dict:
    """A full-resolution grid mesh of the DEM (two triangles a cell), or of a 2,048
    crop scaled by area when the DEM is bigger."""
    import pyvista as pv
    import rasterio
    from rasterio.windows import Window

    with rasterio.open(dem) as ds:
        n = min(ds.width, 2048)
        scale = (ds.width * ds.height) / (n * n)
        t = now()
        z = ds.read(1, window=Window(0, 0, n, n))
        cell = ds.res[0]
    xx, yy = np.meshgrid(np.arange(n, dtype=np.float32) * cell,
                         -np.arange(n, dtype=np.float32) * cell)
    points = np.column_stack([xx.ravel(), yy.ravel(), z.ravel()])
    i = (np.arange(n - 1)[:, None] * n + np.arange(n - 1)[None, :]).ravel()
    tris = np.concatenate([np.column_stack([i, i + n, i + 1]),
                           np.column_stack([i + 1, i + n, i + n + 1])])
    mesh = pv.PolyData.from_regular_faces(points, tris)
    build = now() - t
    pl = plotter()
    pl.add_mesh(mesh, color="#d9dcd3")
    pl.camera_position = "iso"
    draw(pl)
    frame = ms(orbit(pl, frames))
    pl.close()
    return {"naive_triangles": int(mesh.n_cells * scale), "naive_build_s": build * scale,
            "naive_frame_ms": frame * (scale if scale > 1 else 1.0),
            "naive_scaled_from_crop": scale > 1, "naive_rss_mb": rss_mb()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.ground", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="a 2,000-cell DEM, 8,000-pixel photo")
    ap.add_argument("--dem", type=int, default=10_000, help="DEM cells a side")
    ap.add_argument("--ortho", type=int, default=40_000, help="orthophoto pixels a side")
    ap.add_argument("--cache", type=Path, default=Path(os.environ.get(
        "TWINVIEWER_BENCH_CACHE", Path.home() / ".cache" / "twinviewer-bench" / "ground")))
    ap.add_argument("--frames", type=int, default=10)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    if args.quick:
        args.dem, args.ortho = 2000, 8000
    dem, ortho = data(args.cache, args.dem, args.ortho)
    figures = {"dem_cells": args.dem, "ortho_pixels": args.ortho,
               **measure(_scene_file(args.cache, dem, ortho), dem, args.frames),
               **naive(dem, max(3, args.frames // 3))}
    figures["frame_vs_floor"] = figures["frame_ms"] / max(figures["floor_frame_ms"], 1e-9)
    figures["rss_target_mb"] = figures["rss_base_mb"] + figures["tiles_budget_mb"]
    for key, value in figures.items():
        text = f"{value:,.3f}" if isinstance(value, float) else str(value)
        print(f"{key:28s} {text:>14s}")
    print(f"targets: first frame <= {TARGETS['first_frame_s']} s, frame <= "
          f"{TARGETS['frame_vs_floor']}x floor, rss <= base + tiles budget, 100k base "
          f"heights <= {TARGETS['base_heights_100k_ms']:.0f} ms")
    figures["targets"] = TARGETS
    figures["met"] = {
        "first_frame_s": figures["first_frame_s"] <= TARGETS["first_frame_s"],
        "frame_vs_floor": figures["frame_vs_floor"] <= TARGETS["frame_vs_floor"],
        "rss": figures["rss_mb"] <= figures["rss_target_mb"],
        "base_heights_100k_ms": figures["base_heights_100k_ms"]
        <= TARGETS["base_heights_100k_ms"]}
    print("met: " + ", ".join(f"{k} {'yes' if v else 'NO'}" for k, v in figures["met"].items()))
    from benchmarks.suites import record

    figures["rss_vs_target"] = figures["rss_mb"] / figures["rss_target_mb"]
    record("ground", figures, full=not args.quick and args.dem >= 10_000
           and args.ortho >= 40_000)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
