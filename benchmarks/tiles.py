"""Streaming a village-scale scan: ``python -m benchmarks.tiles [--short] [--json out.json]``.

A generated, textured 3D Tiles quadtree over 1640 m x 1640 m (2.7 km²): ground with
buildings, sampled on a grid per tile, one texture per tile. The full set has 7 levels
(0-6) and 4096 finest tiles of 5,000 triangles (20.5 M at the finest level); ``--short``
has 5 levels and small tiles, for a machine others are working on. The tileset.json is
written at once, each tile's GLB when it is first asked for (into the temp dir), so
generating costs only what a flight touches.

Figures, each against its target and baseline in the same run:

- ``open_s``: opening the scene to its first complete frame (target <= 2 s);
- ``fly_frame_ms`` vs ``floor_frame_ms``: a frame while flying (streaming step + draw)
  against the same drawn triangles as one mesh (target ratio <= 1.2);
- ``rss_peak_mb`` vs ``rss_base_mb + budget``: memory over the whole flight
  (target <= (base + budget) x 1.15);
- ``jump_full_detail_s``: full detail after a jump across the village (target <= 3 s);
- ``pick_ms``: a 单体化 pick on the scan (target <= 2 ms); ``highlight_100_extra_ms``:
  selecting 100 scanned buildings and drawing the frame, minus a plain frame of the same
  view, medians of ``HIGHLIGHT_REPEATS`` interleaved pairs (target <= 20 ms);
- ``whole_finest_load_s``: the baseline of reading the finest level whole.
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
from pathlib import Path

import numpy as np

from benchmarks.common import draw, machine_info, median, now, plotter, rss_mb

SIZE = 1640.0
PLOT = 30.0


def height(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Ground plus buildings: a plot every 30 m, most with a house of 4-15 m."""
    ground = 3.0 * np.sin(x / 170.0) * np.cos(y / 230.0) + 0.002 * x
    px, py = np.floor(x / PLOT), np.floor(y / PLOT)
    seed = np.sin(px * 12.9898 + py * 78.233) * 43758.5453
    r = seed - np.floor(seed)
    fx, fy = x - px * PLOT, y - py * PLOT
    inside = (r > 0.3) & (np.abs(fx - 15.0) < 9.0) & (np.abs(fy - 15.0) < 7.0)
    return ground + np.where(inside, 4.0 + 11.0 * r, 0.0)


def footprints() -> tuple[list, list[float]]:
    """The houses' footprints (shapely boxes) and heights, for 单体化."""
    from shapely.geometry import box

    n = int(SIZE // PLOT)
    polys, heights = [], []
    for i in range(n):
        for j in range(n):
            seed = math.sin(i * 12.9898 + j * 78.233) * 43758.5453
            r = seed - math.floor(seed)
            if r > 0.3:
                x0, y0 = i * PLOT + 6.0, j * PLOT + 8.0
                polys.append(box(x0, y0, x0 + 18.0, y0 + 14.0))
                heights.append(4.0 + 11.0 * r)
    return polys, heights


class Village:
    """The generated tileset: ``levels`` levels, ``quads`` x ``quads`` cells per tile."""

    def __init__(self, folder: Path, levels: int, quads: int, texels: int) -> None:
        self.folder, self.levels, self.quads, self.texels = folder, levels, quads, texels
        self.generated = 0
        self.generate_s = 0.0

    @property
    def tileset(self) -> Path:
        return self.folder / "tileset.json"

    def write_tileset(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if self.tileset.exists():
            return

        def node(level, i, j):
            s = SIZE / (1 << level)
            cx, cy = (i + 0.5) * s, (j + 0.5) * s
            out = {"boundingVolume": {"box": [cx, cy, 10.0, s / 2, 0, 0, 0, s / 2, 0,
                                              0, 0, 12.0]},
                   "geometricError": 0.0 if level == self.levels - 1 else
                   2.0 * s / self.quads,
                   "content": {"uri": f"t/{level}/{i}_{j}.glb"}}
            if level < self.levels - 1:
                out["children"] = [node(level + 1, 2 * i + a, 2 * j + b)
                                   for a in (0, 1) for b in (0, 1)]
            return out

        root = node(0, 0, 0)
        root["refine"] = "REPLACE"
        doc = {"asset": {"version": "1.1"}, "geometricError": 4 * SIZE / self.quads,
               "root": root}
        self.tileset.write_text(json.dumps(doc), encoding="utf-8")

    def get(self, uri: str) -> bytes:
        """Bytes of a tile, generated and written when first asked for."""
        path = Path(uri)
        if not path.exists() and path.suffix == ".glb":
            level = int(path.parent.name)
            i, j = (int(v) for v in path.stem.split("_"))
            t = now()
            self.write_tile(path, level, i, j)
            self.generate_s += now() - t
            self.generated += 1
        return path.read_bytes()

    def write_tile(self, path: Path, level: int, i: int, j: int) -> None:
        import trimesh
        from PIL import Image
        from trimesh.visual import TextureVisuals
        from trimesh.visual.material import SimpleMaterial

        s, q = SIZE / (1 << level), self.quads
        xs = np.linspace(i * s, (i + 1) * s, q + 1)
        ys = np.linspace(j * s, (j + 1) * s, q + 1)
        gx, gy = np.meshgrid(xs, ys, indexing="ij")
        gz = height(gx, gy)
        # glTF is Y-up: (x, z, -y) becomes (x, y, z) again in the tile frame
        verts = np.column_stack([gx.ravel(), gz.ravel(), -gy.ravel()]).astype(np.float32)
        a = (np.arange(q)[:, None] * (q + 1) + np.arange(q)[None, :]).ravel()
        faces = np.concatenate([np.column_stack([a, a + q + 1, a + q + 2]),
                                np.column_stack([a, a + q + 2, a + 1])])
        # trimesh's uv have v = 1 at the image's top row (it flips them to glTF's v = 0
        # on export): the top row is the tile's north edge
        uv = np.column_stack([(gx.ravel() - i * s) / s, (gy.ravel() - j * s) / s])
        tx = np.linspace(i * s, (i + 1) * s, self.texels)
        ty = np.linspace((j + 1) * s, j * s, self.texels)  # image row 0 = north edge
        hx, hy = np.meshgrid(tx, ty)
        roof = (height(hx, hy) - (3.0 * np.sin(hx / 170.0) * np.cos(hy / 230.0) +
                                  0.002 * hx)) > 1.0
        noise = (np.sin(hx * 0.9) * np.cos(hy * 1.1) * 18).astype(np.int16)
        img = np.empty((self.texels, self.texels, 3), np.int16)
        img[..., 0] = np.where(roof, 170, 95) + noise
        img[..., 1] = np.where(roof, 80, 130) + noise
        img[..., 2] = np.where(roof, 60, 70) + noise
        image = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))
        mesh = trimesh.Trimesh(verts, faces, process=False,
                               visual=TextureVisuals(uv=uv, material=SimpleMaterial(
                                   image=image)))
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        tmp.write_bytes(mesh.export(file_type="glb"))
        tmp.replace(path)


def _scene_file(village: Village, budget_mb: float) -> Path:
    import geopandas as gpd

    polys, heights = footprints()
    gpkg = village.folder / "footprints.gpkg"
    if not gpkg.exists():
        gpd.GeoDataFrame({"高度": heights}, geometry=polys).to_file(gpkg, layer="房屋")
    scene = village.folder / "village.toml"
    scene.write_text(f"""version = 1
name = "village"
origin = [820.0, 820.0, 0.0]

[[layers]]
source = "tileset.json"
kind = "tiles"
name = "scan"
budget_mb = {budget_mb}
classify = "房屋"

[[layers]]
source = "footprints.gpkg"
name = "房屋"
height_field = "高度"
visible = false
""", encoding="utf-8")
    return scene


def _flight(frames: int) -> list[tuple[tuple, tuple]]:
    """Camera positions along a curve at 120 m, looking ahead and down."""
    out = []
    for k in range(frames):
        t = k / max(frames - 1, 1)
        x = 200 + 1200 * t
        y = 820 + 500 * math.sin(t * math.pi * 1.5)
        fx = x + 250
        fy = y + 150 * math.cos(t * math.pi * 1.5)
        out.append(((x - 820.0, y - 820.0, 120.0), (fx - 820.0, fy - 820.0, 0.0)))
    return out


def _set_camera(pl, pos, focal) -> None:
    cam = pl.renderer.GetActiveCamera()
    cam.SetPosition(*pos)
    cam.SetFocalPoint(*focal)
    cam.SetViewUp(0, 0, 1)
    pl.renderer.ResetCameraClippingRange()


def _floor_ms(view) -> float:
    """The drawn tiles' triangles as one mesh (no textures): median frame, ms."""
    import vtk

    append = vtk.vtkAppendPolyData()
    shown = []
    for lt in view.tiles.layers.values():
        for _tile, ta in lt.drawn.values():
            for actor in ta.actors:
                if actor.GetVisibility():
                    append.AddInputData(actor.GetMapper().GetInput())
                    shown.append(actor)
    if not shown:
        return float("nan")
    append.Update()
    mapper = vtk.vtkPolyDataMapper()
    mapper.SetInputData(append.GetOutput())
    mapper.SetScalarModeToUsePointData()
    mapper.SetColorModeToDirectScalars()
    merged = vtk.vtkActor()
    merged.SetMapper(mapper)
    for a in shown:
        a.VisibilityOff()
    pl = view.plotter
    pl.renderer.AddActor(merged)
    draw(pl)
    times = []
    for _ in range(5):
        pl.renderer.GetActiveCamera().Azimuth(0.2)
        times.append(draw(pl))
        pl.renderer.GetActiveCamera().Azimuth(-0.2)
    pl.renderer.RemoveActor(merged)
    for a in shown:
        a.VisibilityOn()
    return median(times) * 1e3


def run(short: bool, out_json: str | None, frames: int | None = None) -> dict:
    from twinviewer.io.loader import load, spec_for
    from twinviewer.render import SceneView
    from twinviewer.tiles.select import View
    from twinviewer.tiles.stream import Streamer

    levels, quads, texels = (5, 24, 32) if short else (7, 50, 64)
    budget = 96.0 if short else 512.0
    frames = frames or (30 if short else 120)
    folder = Path(tempfile.gettempdir()) / "twinviewer-bench" / f"village_{levels}_{quads}"
    village = Village(folder, levels, quads, texels)
    village.write_tileset()
    scene_file = _scene_file(village, budget)
    finest_tris = (4 ** (levels - 1)) * 2 * quads * quads
    flight = _flight(frames)
    jump = ((1400.0 - 820.0, 1350.0 - 820.0, 90.0), (1500.0 - 820.0, 1450.0 - 820.0, 0.0))
    overview = None

    # prep: generate what the views below need (stands in for the scan on disk)
    t = now()
    result = load(spec_for([scene_file]))
    layer = next(lyr for lyr in result.layers if lyr.kind == "tiles")
    pl = plotter()
    scene = result.to_scene()
    view = SceneView(pl, scene)
    cam = pl.renderer.GetActiveCamera()
    overview = (tuple(cam.GetPosition()), tuple(cam.GetFocalPoint()))
    view.close()
    pl.close()
    w, h = 1600, 1000
    st = Streamer(layer, get=village.get)
    # every view measured below, so the timed runs read tiles from disk and none is missing
    pick_view = ((0.0, -500.0, 600.0), (0.0, 0.0, 0.0))
    for pos, focal in [overview, *flight, jump, pick_view]:
        st.wait(View(pos, focal, width=w, height=h), 300)
    st.close()
    prep_s = now() - t

    import gc

    gc.collect()
    rss_before = rss_mb()
    # 1. open -> first complete frame
    t0 = now()
    result = load(spec_for([scene_file]))
    scene = result.to_scene()
    pl = plotter()
    view = SceneView(pl, scene)
    rss_base = rss_mb()
    view.tiles.wait(60)
    draw(pl)
    open_s = now() - t0
    open_stats = view.tiles.stats()["scan"]

    # 2./3. fly: a streaming step and a frame per camera position; memory throughout
    fly, floors, peak = [], [], rss_mb()
    for k, (pos, focal) in enumerate(flight):
        _set_camera(pl, pos, focal)
        t = now()
        view.tiles.step()
        pl.renderer.ResetCameraClippingRange()
        draw(pl)
        fly.append(now() - t)
        peak = max(peak, rss_mb())
        if k % max(1, frames // 6) == frames // 12:
            view.tiles.wait(30)
            floors.append((_floor_ms(view), _frame_ms(pl)))
    fly_stats = view.tiles.stats()["scan"]

    # 4. jump across the village: time to full detail
    _set_camera(pl, *jump)
    t = now()
    complete = view.tiles.wait(30)
    draw(pl)
    jump_s = now() - t
    jump_stats = view.tiles.stats()["scan"]

    # 5./6. 单体化 pick and highlighting 100 buildings
    highlight_ms = frame_ms = None
    lt = next(iter(view.tiles.layers.values()))
    classified = lt.streamer.classify is not None
    _set_camera(pl, *pick_view)
    view.tiles.wait(30)
    draw(pl)
    xs = np.linspace(400, 1200, 8).astype(int)
    ys = np.linspace(300, 700, 6).astype(int)
    times, hits = [], 0
    for x in xs:  # a click on the scan: the VTK pick, then the footprint look-up
        for y in ys:
            t = now()
            hit = view.pick(int(x), int(y))
            times.append(now() - t)
            hits += hit is not None and hit[1] >= 0
    pick_ms = median(times) * 1e3
    frame_ms = _frame_ms(pl)
    highlight_extra = None
    if classified:  # interleaved: a plain frame of the view, then a selection and its frame
        n = len(scene.layer("房屋"))
        step = max(1, n // 100)
        plain, lit = [], []
        for i in range(HIGHLIGHT_REPEATS):
            scene.selection.clear()
            draw(pl)
            plain.append(draw(pl))
            rows = np.arange(i % step, n, step)[:100]
            t = now()
            scene.selection.select("房屋", rows)
            draw(pl)
            lit.append(now() - t)
        highlight_ms = median(lit) * 1e3
        highlight_extra = highlight_ms - median(plain) * 1e3
        highlight_spread = (min(lit) * 1e3, max(lit) * 1e3)

    # baseline: the finest level read whole (short mode only: 20 M triangles whole is
    # what streaming exists to avoid)
    whole_s = None
    if short:
        from twinviewer.tiles.decode import decode_content

        t = now()
        tris = 0
        for tile in layer.root.walk(expand=True):
            if tile.level == levels - 1:
                tris += decode_content(tile.content, village.get).triangles
        whole_s = now() - t
    view.close()
    pl.close()

    floor_ms = median([f for f, _ in floors])
    streamed_ms = median([s for _, s in floors])
    out = {
        "levels": levels, "finest_triangles": finest_tris, "area_km2": SIZE * SIZE / 1e6,
        "budget_mb": budget, "frames": frames, "prep_s": prep_s,
        "tiles_generated": village.generated, "generate_s": village.generate_s,
        "open_s": open_s, "open_target_s": 2.0, "open_tiles_drawn": open_stats["tiles_drawn"],
        "fly_frame_ms": median(fly) * 1e3, "fly_step_frame_max_ms": max(fly) * 1e3,
        "streamed_frame_ms": streamed_ms, "floor_frame_ms": floor_ms,
        "frame_vs_floor": streamed_ms / floor_ms if floor_ms else None,
        "frame_vs_floor_target": 1.2,
        "rss_before_mb": rss_before, "rss_base_mb": rss_base, "rss_peak_mb": peak,
        "rss_target_mb": (rss_base + budget) * 1.15,
        "fly_resident_mb": fly_stats["resident_bytes"] / 2 ** 20,
        "fly_deepest_level": fly_stats["deepest_level"],
        "jump_full_detail_s": jump_s, "jump_target_s": 3.0, "jump_complete": complete,
        "jump_deepest_level": jump_stats["deepest_level"],
        "pick_ms": pick_ms, "pick_target_ms": 2.0, "pick_classified": classified,
        "pick_hits": int(hits),
        "highlight_100_ms": highlight_ms, "frame_ms": frame_ms,
        "highlight_100_extra_ms": highlight_extra,
        "highlight_100_min_ms": highlight_spread[0] if classified else None,
        "highlight_100_max_ms": highlight_spread[1] if classified else None,
        "highlight_target_ms": None if frame_ms is None else frame_ms + 20.0,
        "whole_finest_load_s": whole_s,
        "machine": machine_info(),
    }
    _print(out)
    from benchmarks.suites import record

    out["rss_vs_target"] = out["rss_peak_mb"] / out["rss_target_mb"]
    record("tiles", out, full=not short, machine=out["machine"])
    if out_json:
        Path(out_json).write_text(json.dumps(out, indent=2, ensure_ascii=False),
                                  encoding="utf-8")
    return out


HIGHLIGHT_REPEATS = 9
"""Selections of 100 scanned buildings timed, each after a plain frame of the same view."""


def _frame_ms(pl) -> float:
    times = []
    for _ in range(5):
        pl.renderer.GetActiveCamera().Azimuth(0.2)
        times.append(draw(pl))
        pl.renderer.GetActiveCamera().Azimuth(-0.2)
    return median(times) * 1e3


def _print(out: dict) -> None:
    def f(v, fmt="{:.3f}"):
        return "n/a" if v is None else fmt.format(v)
    print(f"village: {out['area_km2']:.2f} km², {out['levels']} levels, "
          f"{out['finest_triangles'] / 1e6:.2f} M triangles at the finest level, "
          f"budget {out['budget_mb']:.0f} MB; prep {out['prep_s']:.1f} s "
          f"({out['tiles_generated']} tiles generated)")
    print(f"  open -> first complete frame   {f(out['open_s'])} s   (target <= 2 s)")
    print(f"  frame while flying (step+draw) {f(out['fly_frame_ms'], '{:.1f}')} ms")
    print(f"  streamed frame / floor         {f(out['streamed_frame_ms'], '{:.1f}')} / "
          f"{f(out['floor_frame_ms'], '{:.1f}')} ms = {f(out['frame_vs_floor'], '{:.2f}')}x "
          f"(target <= 1.2x)")
    print(f"  RSS peak over the flight       {out['rss_peak_mb']:.0f} MB   (target <= "
          f"{out['rss_target_mb']:.0f} MB = (base {out['rss_base_mb']:.0f} + budget) x 1.15)")
    print(f"  full detail after a jump       {f(out['jump_full_detail_s'])} s   "
          f"(target <= 3 s, complete: {out['jump_complete']})")
    what = "单体化 pick" if out["pick_classified"] else "scan pick (no classify)"
    print(f"  {what:<30} {f(out['pick_ms'])} ms   (target <= 2 ms, "
          f"{out['pick_hits']} footprint hits)")
    print(f"  highlight 100 buildings        {f(out['highlight_100_ms'], '{:.1f}')} ms "
          f"(min {f(out['highlight_100_min_ms'], '{:.1f}')}, max "
          f"{f(out['highlight_100_max_ms'], '{:.1f}')}, n {HIGHLIGHT_REPEATS}): a frame + "
          f"{f(out['highlight_100_extra_ms'], '{:.1f}')} ms   (target <= frame + 20 ms)")
    print(f"  baseline: finest level whole   {f(out['whole_finest_load_s'])} s")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--short", action="store_true", help="small village (shared machines)")
    ap.add_argument("--frames", type=int, default=None)
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)
    run(args.short, args.json, args.frames)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
