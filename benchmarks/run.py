"""The benchmark driver: ``python -m benchmarks --objects 10000,100000 --json out.json``."""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

from benchmarks import baseline, tables
from benchmarks.common import (
    display_points,
    machine_info,
    median,
    now,
    orbit_frames,
    render,
    wait,
)

PROXY_LIMIT = 10_000  # QSortFilterProxyModel is only measured up to this many rows


def _plotter():
    import pyvista as pv

    from twinviewer.render import make_theme

    return pv.Plotter(off_screen=True, window_size=[1600, 1000], theme=make_theme())


def load_once(scene_file: Path, keep: bool = False):
    """read -> to_scene -> SceneView -> first render; seconds per stage."""
    from twinviewer.io.loader import load, spec_for
    from twinviewer.render import SceneView

    t0 = now()
    result = load(spec_for([scene_file]))
    t1 = now()
    scene = result.to_scene()
    t2 = now()
    plotter = _plotter()
    view = SceneView(plotter, scene)
    t3 = now()
    render(plotter)
    wait(plotter)
    t4 = now()
    times = {"read_s": t1 - t0, "to_scene_s": t2 - t1, "build_s": t3 - t2,
             "first_render_s": t4 - t3, "total_s": t4 - t0}
    if keep:
        return times, scene, view
    view.close()
    plotter.close()
    return times, None, None


def bench(objects: int, repeat: int, frames: int, picks: int, subset: int, seed: int,
          workdir: Path) -> dict:
    from twinviewer.demo.generator import generate_district

    rng = np.random.default_rng(seed)
    out: dict = {"target_objects": objects}
    folder = workdir / f"district_{objects}"
    t = now()
    scene_file = generate_district(folder, objects=objects)
    out["generate_s"] = now() - t
    size = sum(p.stat().st_size for p in folder.iterdir())
    out["files_mb"] = size / 2**20

    # 1-2. load
    runs = []
    for i in range(repeat):
        keep = i == repeat - 1
        times, scene, view = load_once(scene_file, keep=keep)
        runs.append(times)
        gc.collect()
    out["load"] = {k: median([r[k] for r in runs]) for k in runs[0]}
    out["load"]["runs"] = runs
    plotter = view.plotter
    out["objects"] = int(sum(len(layer) for layer in scene.layers))
    out["layers"] = {layer.name: len(layer) for layer in scene.layers}
    out["cells"] = int(sum(p.polydata.n_cells for ps in view.pieces.values() for p in ps))
    out["machine"] = machine_info(plotter) if "machine" not in out else out["machine"]

    # 3. frames after a camera change
    cam_state = vtk_camera_copy(plotter)
    frame = orbit_frames(plotter, frames)
    out["frame_ms"] = median(frame) * 1e3
    out["frame_ms_max"] = max(frame) * 1e3
    plotter.renderer.GetActiveCamera().DeepCopy(cam_state)
    render(plotter)
    wait(plotter)

    # 4. picks
    t = now()
    view.build_locators()
    out["locator_build_s"] = now() - t
    centres = []
    for layer in scene.layers:
        c = layer.object_centers()
        c = c[np.all(np.isfinite(c), axis=1)]
        if len(c):
            centres.append(c[rng.permutation(len(c))[:picks]])
    centres = np.concatenate(centres)
    pix = display_points(plotter, centres[rng.permutation(len(centres))[:picks]])
    pick_times, hits = [], 0
    for x, y in pix:
        t = now()
        hits += view.pick(int(x), int(y)) is not None
        pick_times.append(now() - t)
    out["pick_ms"] = median(pick_times) * 1e3
    out["pick_ms_max"] = max(pick_times) * 1e3 if pick_times else float("nan")
    out["pick_hits"] = f"{hits}/{len(pix)}"

    # 5. select 1,000 rows of the biggest layer, repaint + render
    biggest = max(scene.layers, key=len)
    sel_times = []
    for _ in range(repeat):
        rows = rng.choice(len(biggest), size=min(1000, len(biggest)), replace=False)
        t = now()
        scene.selection.select(biggest.name, rows)  # SceneView repaints (numpy + Modified)
        render(plotter)  # SceneView.render() is a no-op off screen before show(): render here
        wait(plotter)
        sel_times.append(now() - t)
        scene.selection.clear()
        render(plotter)
        wait(plotter)
    out["select_ms"] = median(sel_times) * 1e3
    out["select_layer"] = biggest.name

    # 6. sort
    out["sort"] = tables.measure(biggest, repeat, proxy=len(biggest) <= PROXY_LIMIT)

    # naive baseline: one actor per object, on a subset
    n_big = min(out["objects"], subset)
    n_small = max(1, n_big // 4)
    small = baseline.measure(view, n_small, frames, picks, rng)
    big = baseline.measure(view, n_big, frames, picks, rng)
    est = baseline.extrapolate(small, big, out["objects"])
    out["baseline"] = {"measured": [small, big], "estimate": est}
    batched_build = out["load"]["build_s"] + out["load"]["first_render_s"]
    out["ratios"] = {
        "build": est["build_s"] / batched_build,
        "frame": est["frame_ms"] / out["frame_ms"],
        "pick": est["pick_ms"] / out["pick_ms"] if out["pick_ms"] else float("nan"),
        # same-size comparison, no extrapolation: subset actors vs the whole batched scene
        "frame_subset_vs_batched_all": big["frame_ms"] / out["frame_ms"],
    }
    view.close()
    plotter.close()
    return out


def vtk_camera_copy(plotter):
    import vtk

    cam = vtk.vtkCamera()
    cam.DeepCopy(plotter.renderer.GetActiveCamera())
    return cam


def _fmt(v, unit="", digits=3):
    if isinstance(v, str):
        return v
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return "n/a"
    if abs(v) >= 100:
        return f"{v:,.0f}{unit}"
    return f"{v:.{digits}g}{unit}"


def report(results: list[dict]) -> str:
    cols = [str(r["objects"]) for r in results]
    rows: list[tuple[str, list[str]]] = []

    def add(label, getter, unit=""):
        vals = []
        for r in results:
            try:
                vals.append(_fmt(getter(r), unit))
            except (KeyError, TypeError):
                vals.append("n/a")
        rows.append((label, vals))

    add("cells (triangles + segments)", lambda r: r["cells"])
    add("load total (median)", lambda r: r["load"]["total_s"], " s")
    add("  read + reproject (io.loader.load)", lambda r: r["load"]["read_s"], " s")
    add("  to_scene", lambda r: r["load"]["to_scene_s"], " s")
    add("  VTK build (SceneView)", lambda r: r["load"]["build_s"], " s")
    add("  first render", lambda r: r["load"]["first_render_s"], " s")
    add("frame after camera change (median)", lambda r: r["frame_ms"], " ms")
    add("locator build (one time)", lambda r: r["locator_build_s"], " s")
    add("pick (median)", lambda r: r["pick_ms"], " ms")
    add("pick (max)", lambda r: r["pick_ms_max"], " ms")
    add("pick hits", lambda r: r["pick_hits"])
    add("select 1,000 rows + repaint + render", lambda r: r["select_ms"], " ms")
    add("sort rows", lambda r: r["sort"]["rows"])
    add("sort text column: model.sort", lambda r: r["sort"]["text_ms"], " ms")
    add("  QSortFilterProxyModel", lambda r: r["sort"].get("text_proxy_ms", "not run"), " ms")
    add("  numeric column", lambda r: r["sort"]["numeric_column"])
    add("sort numeric column: model.sort", lambda r: r["sort"]["numeric_ms"], " ms")
    add("  QSortFilterProxyModel", lambda r: r["sort"].get("numeric_proxy_ms", "not run"),
        " ms")
    add("NAIVE per-object actors measured", lambda r: "{} + {}".format(
        *(m["actors"] for m in r["baseline"]["measured"])))
    add("  build+1st render, measured (big subset)",
        lambda r: r["baseline"]["measured"][1]["build_s"], " s")
    add("  frame, measured (big subset)",
        lambda r: r["baseline"]["measured"][1]["frame_ms"], " ms")
    add("  pick, measured (big subset)",
        lambda r: r["baseline"]["measured"][1]["pick_ms"], " ms")
    add("  build+1st render, EXTRAPOLATED to all", lambda r: r["baseline"]["estimate"]["build_s"],
        " s")
    add("  frame, EXTRAPOLATED to all", lambda r: r["baseline"]["estimate"]["frame_ms"], " ms")
    add("  pick, EXTRAPOLATED to all", lambda r: r["baseline"]["estimate"]["pick_ms"], " ms")
    add("ratio naive/batched: VTK build+render", lambda r: r["ratios"]["build"], "x")
    add("ratio naive/batched: frame", lambda r: r["ratios"]["frame"], "x")
    add("ratio naive/batched: pick", lambda r: r["ratios"]["pick"], "x")
    add("frame: naive subset / batched ALL", lambda r: r["ratios"]["frame_subset_vs_batched_all"],
        "x")
    width = max(len(label) for label, _ in rows) + 2
    cw = max(12, *(len(c) + 2 for c in cols))
    lines = ["objects".ljust(width) + "".join(c.rjust(cw) for c in cols)]
    lines.append("-" * (width + cw * len(cols)))
    for label, vals in rows:
        lines.append(label.ljust(width) + "".join(v.rjust(cw) for v in vals))
    lines.append("")
    lines.append("Naive baseline = one pyvista add_mesh actor per object, built for a random "
                 "subset of objects;")
    lines.append("its whole-district figures are EXTRAPOLATED linearly from the two subset "
                 "sizes measured above.")
    if any(not r["sort"]["proxy_measured"] for r in results):
        lines.append(f"QSortFilterProxyModel only run for layers of <= {PROXY_LIMIT:,} rows "
                     "(too slow beyond).")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    ap.add_argument("--objects", default="10000,100000",
                    help="comma-separated object counts (default 10000,100000)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per timed step (median)")
    ap.add_argument("--quick", action="store_true",
                    help="fewer frames/picks, smaller baseline subset, 1 repeat")
    ap.add_argument("--json", type=Path, help="write all figures and machine info here")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    counts = [int(x.replace("_", "")) for x in args.objects.split(",") if x.strip()]
    repeat, frames, picks, subset = max(1, args.repeat), 20, 100, 2000
    if args.quick:
        repeat, frames, picks, subset = 1, 8, 30, 400
    results = []
    with tempfile.TemporaryDirectory(prefix="twinviewer-bench-") as tmp:
        for n in counts:
            print(f"benchmarking {n:,} objects ...", file=sys.stderr, flush=True)
            results.append(bench(n, repeat, frames, picks, subset, args.seed, Path(tmp)))
            gc.collect()
    text = report(results)
    print(text)
    if args.json:
        machine = results[0].get("machine", machine_info()) if results else machine_info()
        doc = {"machine": machine, "repeat": repeat, "frames": frames, "picks": picks,
               "baseline_subset": subset, "quick": args.quick, "results": results}
        args.json.write_text(json.dumps(doc, indent=2, ensure_ascii=False, default=float),
                             encoding="utf-8")
        print(f"wrote {args.json}", file=sys.stderr)
    return 0
