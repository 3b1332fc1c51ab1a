"""The benchmark driver: ``python -m benchmarks --objects 10000,100000 --json out.json``.

Each object count runs in a fresh subprocess (so ``rss_mb`` is per N); the 5M-triangle
scan, which does not depend on N, runs once in its own subprocess and its two figures
are copied into every N.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from benchmarks.common import draw, machine_info, ms, now, orbit, rss_mb, save_camera

KEYS = ("load_s", "frame_ms", "frame_moving_ms", "floor_frame_ms", "pick_ms", "pick_cold_ms",
        "highlight_1_ms", "highlight_5000_ms", "highlight_redraw_ms", "layer_toggle_ms",
        "recolour_all_ms", "table_sort_ms", "table_filter_ms", "rss_mb", "scan5m_load_s",
        "trimesh_raw_load_s", "naive_10k_build_s", "naive_10k_frame_ms", "naive_pick_ms")


def _load(scene_file: Path):
    """Open the scene up to its first complete frame; (stage seconds, scene, view)."""
    from benchmarks.common import plotter
    from twinviewer.io.loader import load, spec_for
    from twinviewer.render import SceneView

    t0 = now()
    scene = load(spec_for([scene_file])).to_scene()
    t1 = now()
    pl = plotter()
    view = SceneView(pl, scene)
    t2 = now()
    view.render()  # renders offscreen for real
    pl.render_window.WaitForCompletion()
    t3 = now()
    return {"read_s": t1 - t0, "build_s": t2 - t1, "first_frame_s": t3 - t2,
            "load_s": t3 - t0}, scene, view


def _close(view) -> None:
    pl = view.plotter
    view.close()
    pl.close()


def _no_redraw(view):
    """Make ``view.render`` a no-op (instance attribute); ``del view.render`` restores it."""
    view.render = lambda: None


def _pick(view, pixels) -> tuple[list[float], int]:
    times, hits = [], 0
    for x, y in pixels:
        t = now()
        hits += view.pick(int(x), int(y)) is not None
        times.append(now() - t)
    return times, hits


def worker(scene_file: Path, repeat: int, frames: int, picks: int, seed: int) -> dict:
    """All figures for one district (the scan ones excepted), in a fresh process."""
    from benchmarks import baseline, tables

    rng = np.random.default_rng(seed)
    r: dict = {}
    d: dict = {}  # details: printed, not part of the per-N JSON object
    import pyvista  # noqa: F401  imports outside the timed load

    import twinviewer.io.loader  # noqa: F401
    import twinviewer.render  # noqa: F401

    # load: median of `repeat` fresh plotters; the first pick on each fresh view is cold
    runs, cold, pixels = [], [], None
    view = scene = None
    for i in range(repeat):
        times, scene, view = _load(scene_file)
        runs.append(times)
        if i == 0:
            r["rss_mb"] = rss_mb()
            d["machine"] = machine_info(view.plotter)
            pixels = baseline.pick_pixels(view, rng, picks)[:picks]
        t = now()
        view.pick(int(pixels[0][0]), int(pixels[0][1]))
        cold.append(now() - t)
        if i < repeat - 1:
            _close(view)
            gc.collect()
    for key in runs[0]:
        d[key] = float(np.median([x[key] for x in runs]))
    r["load_s"] = d["load_s"]
    r["pick_cold_ms"] = ms(cold)
    d["objects"] = int(sum(len(layer) for layer in scene.layers))
    d["cells"] = int(sum(p.polydata.n_cells for ps in view.pieces.values() for p in ps))
    d["pieces"] = int(sum(len(ps) for ps in view.pieces.values()))
    pl = view.plotter

    # frames, whole district in view
    view.reset_view(render=False)
    cam = save_camera(pl)
    draw(pl)
    r["frame_ms"] = ms(orbit(pl, frames))
    # the same frames without labels: what the label placement costs per still frame
    d["labels"] = int(sum(lb.count for lb in view.labels.values()))
    view.label_overlay.actor.VisibilityOff()
    view.reset_view(render=False)
    draw(pl)
    d["frame_no_labels_ms"] = ms(orbit(pl, frames))
    view.label_overlay.actor.VisibilityOn()
    view.reset_view(render=False)
    view.set_interacting(True)
    draw(pl)
    r["frame_moving_ms"] = ms(orbit(pl, frames))
    view.set_interacting(False)
    view.reset_view(render=False)
    draw(pl)

    # picks (locators built; the cold pick above built them on its own view)
    t = now()
    view.build_locators()
    d["locator_build_s"] = now() - t
    times, hits = _pick(view, pixels)
    r["pick_ms"] = ms(times)
    d["pick_max_ms"] = max(times) * 1e3
    d["pick_hits"] = f"{hits}/{len(pixels)}"

    # highlight, toggle, recolour on the biggest layer; redraws excluded (render no-op)
    biggest = max(scene.layers, key=len)
    sel = scene.selection
    d["biggest_layer"] = f"{biggest.name} ({len(biggest):,} rows)"
    for k, key in ((1, "highlight_1_ms"), (5000, "highlight_5000_ms")):
        times, redraw = [], []
        for _ in range(max(10, 3 * repeat)):
            rows = rng.choice(len(biggest), size=min(k, len(biggest)), replace=False)
            _no_redraw(view)
            t = now()
            sel.select(biggest.name, rows)
            times.append(now() - t)
            del view.render
            redraw.append(draw(pl))
            _no_redraw(view)
            sel.clear()
            del view.render
            draw(pl)
        r[key] = ms(times)
        if k == 5000:
            r["highlight_redraw_ms"] = ms(redraw)
    toggles, redraw = [], []
    for _ in range(max(10, 3 * repeat)):
        for visible in (False, True):
            _no_redraw(view)
            t = now()
            biggest.set_visible(visible)
            toggles.append(now() - t)
            del view.render
            redraw.append(draw(pl))
    r["layer_toggle_ms"] = ms(toggles)
    d["layer_toggle_redraw_ms"] = ms(redraw)
    _no_redraw(view)
    sel.select(biggest.name, np.arange(len(biggest)))  # every entry gets the highlight
    times = []
    for _ in range(max(10, 3 * repeat)):
        t = now()
        view._paint(biggest)  # no public recolour path: SceneView._paint, see docs
        times.append(now() - t)
    sel.clear()
    del view.render
    r["recolour_all_ms"] = ms(times)
    d["recolour_entries"] = int(sum(len(p.colors) for p in view.pieces[biggest]))

    # table
    # the table: N rows x 20 columns, made from the biggest layer's columns
    tab = tables.measure(tables.wide_layer(biggest, d["objects"], 20), repeat)
    r["table_sort_ms"] = tab.pop("table_sort_ms")
    r["table_filter_ms"] = tab.pop("table_filter_ms")
    d.update(tab)

    # the floor and the naive baselines, same camera
    fl = baseline.floor(view, cam, frames, pixels, max(5, min(10, picks)))
    r["floor_frame_ms"] = fl.pop("floor_frame_ms")
    r["naive_pick_ms"] = fl.pop("naive_pick_ms")
    d.update(fl)
    nv = baseline.naive(view, cam, frames, rng)
    r["naive_10k_build_s"] = nv.pop("naive_10k_build_s")
    r["naive_10k_frame_ms"] = nv.pop("naive_10k_frame_ms")
    d.update(nv)
    _close(view)
    return {"figures": r, "details": d}


# ----------------------------------------------------------------- report
def _fmt(v, unit="") -> str:
    if isinstance(v, str):
        return v
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return "n/a"
    if abs(v) >= 100:
        return f"{v:,.0f}{unit}"
    return f"{v:.3g}{unit}"


def _ratio(a, b) -> str:
    try:
        return f"{a / b:,.1f}x" if a and b else "n/a"
    except TypeError:
        return "n/a"


def report(results: dict[str, dict], details: dict[str, dict]) -> str:
    ns = list(results)
    rows: list[tuple[str, list[str]]] = []

    def add(label, fn, unit=""):
        vals = []
        for n in ns:
            try:
                vals.append(_fmt(fn(results[n], details.get(n, {})), unit))
            except (KeyError, TypeError, ZeroDivisionError):
                vals.append("n/a")
        rows.append((label, vals))

    add("objects (actual)", lambda r, d: d["objects"])
    add("cells (triangles + segments)", lambda r, d: d["cells"])
    add("load_s", lambda r, d: r["load_s"], " s")
    add("  read + to_scene", lambda r, d: d["read_s"], " s")
    add("  SceneView build", lambda r, d: d["build_s"], " s")
    add("  first frame", lambda r, d: d["first_frame_s"], " s")
    add("frame_ms", lambda r, d: r["frame_ms"], " ms")
    add("  labels to place", lambda r, d: d["labels"])
    add("  frame without labels", lambda r, d: d["frame_no_labels_ms"], " ms")
    add("frame_moving_ms", lambda r, d: r["frame_moving_ms"], " ms")
    add("floor_frame_ms", lambda r, d: r["floor_frame_ms"], " ms")
    add("  frame / floor", lambda r, d: _ratio(r["frame_ms"], r["floor_frame_ms"]))
    add("pick_ms", lambda r, d: r["pick_ms"], " ms")
    add("  hits", lambda r, d: d["pick_hits"])
    add("pick_cold_ms", lambda r, d: r["pick_cold_ms"], " ms")
    add("highlight_1_ms", lambda r, d: r["highlight_1_ms"], " ms")
    add("highlight_5000_ms", lambda r, d: r["highlight_5000_ms"], " ms")
    add("highlight_redraw_ms", lambda r, d: r["highlight_redraw_ms"], " ms")
    add("layer_toggle_ms", lambda r, d: r["layer_toggle_ms"], " ms")
    add("  redraw after toggle", lambda r, d: d["layer_toggle_redraw_ms"], " ms")
    add("recolour_all_ms", lambda r, d: r["recolour_all_ms"], " ms")
    add("table rows x columns", lambda r, d: f"{d['table_rows']:,} x {d['table_columns']}")
    add("table_sort_ms", lambda r, d: r["table_sort_ms"], " ms")
    add("table_filter_ms", lambda r, d: r["table_filter_ms"], " ms")
    add("rss_mb", lambda r, d: r["rss_mb"], " MiB")
    add("scan5m_load_s", lambda r, d: r["scan5m_load_s"], " s")
    add("trimesh_raw_load_s", lambda r, d: r["trimesh_raw_load_s"], " s")
    add("  scan / trimesh", lambda r, d: _ratio(r["scan5m_load_s"], r["trimesh_raw_load_s"]))
    add("naive_10k_build_s", lambda r, d: r["naive_10k_build_s"], " s")
    add("  naive 10k / SceneView build + 1st frame",
        lambda r, d: _ratio(r["naive_10k_build_s"], d["build_s"] + d["first_frame_s"]))
    add("naive_10k_frame_ms", lambda r, d: r["naive_10k_frame_ms"], " ms")
    add("  naive 10k frame / frame", lambda r, d: _ratio(r["naive_10k_frame_ms"], r["frame_ms"]))
    add("naive_pick_ms", lambda r, d: r["naive_pick_ms"], " ms")
    add("  naive pick / pick", lambda r, d: _ratio(r["naive_pick_ms"], r["pick_ms"]))
    width = max(len(label) for label, _ in rows) + 2
    cw = max(14, *(len(n) + 2 for n in ns))
    lines = ["N".ljust(width) + "".join(n.rjust(cw) for n in ns), "-" * (width + cw * len(ns))]
    lines += [label.ljust(width) + "".join(v.rjust(cw) for v in vals) for label, vals in rows]
    for n in ns:
        d = details.get(n, {})
        notes = [f"biggest layer {d.get('biggest_layer')}", f"sort {d.get('sort_column')}",
                 f"filter {d.get('filter_expr')}"]
        if d.get("filter_note"):
            notes.append(d["filter_note"])
        lines.append(f"N={n}: " + "; ".join(notes))
    lines.append("Times are medians (other processes may share the 2 cores). Redraws are "
                 "excluded from highlight/toggle/recolour (view.render made a no-op).")
    return "\n".join(lines)


# ----------------------------------------------------------------- driver
def _spawn(args: list[str]) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as fh:
        out = Path(fh.name)
    try:
        cmd = [sys.executable, "-m", "benchmarks", *args, "--worker-out", str(out)]
        subprocess.run(cmd, check=True)
        return json.loads(out.read_text(encoding="utf-8"))
    finally:
        out.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    ap.add_argument("--objects", default="10000,100000",
                    help="comma-separated object counts (default 10000,100000)")
    ap.add_argument("--repeat", type=int, default=3, help="fresh-plotter loads (median)")
    ap.add_argument("--quick", action="store_true",
                    help="1 load, 8 frames, 30 picks (smoke run; figures are noisier)")
    ap.add_argument("--json", type=Path, help="write {N: {figures}, 'machine': {...}} here")
    ap.add_argument("--details", type=Path, help="also write stage times and notes here")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)  # the worker's scene file
    ap.add_argument("--worker-out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    repeat, frames, picks = max(1, args.repeat), 20, 100
    if args.quick:
        repeat, frames, picks = 1, 8, 30

    if args.worker:  # one measurement in this (fresh) process
        if args.worker == "scan":
            from benchmarks import scan

            res = scan.measure(repeat)
        else:
            res = worker(args.workdir, repeat, frames, picks, args.seed)
        args.worker_out.write_text(json.dumps(res, default=float), encoding="utf-8")
        return 0

    from twinviewer.demo.generator import generate_district

    counts = [int(x.replace("_", "")) for x in args.objects.split(",") if x.strip()]
    common = ["--repeat", str(repeat), "--seed", str(args.seed)] + (
        ["--quick"] if args.quick else [])
    results: dict[str, dict] = {}
    details: dict[str, dict] = {}
    print("scan: 5M-triangle PLY ...", file=sys.stderr, flush=True)
    scan = _spawn(["--worker", "scan", *common])
    with tempfile.TemporaryDirectory(prefix="twinviewer-bench-") as tmp:
        for n in counts:
            print(f"generating {n:,} objects ...", file=sys.stderr, flush=True)
            # generated here, so the worker's rss_mb holds no generator memory
            t = now()
            scene_file = generate_district(Path(tmp) / f"district_{n}", objects=n)
            generate_s = now() - t
            print(f"benchmarking {n:,} objects ...", file=sys.stderr, flush=True)
            res = _spawn(["--worker", str(n), "--workdir", str(scene_file), *common])
            res["details"]["generate_s"] = generate_s
            fig = res["figures"]
            fig["scan5m_load_s"] = scan["scan5m_load_s"]
            fig["trimesh_raw_load_s"] = scan["trimesh_raw_load_s"]
            results[str(n)] = {k: fig[k] for k in KEYS}
            details[str(n)] = {**res["details"], **scan}
    print(report(results, details))
    machine = next(iter(details.values()), {}).get("machine") or machine_info()
    machine.update({"repeat": repeat, "frames": frames, "picks": picks, "quick": args.quick})
    if args.json:
        doc = {**results, "machine": machine}
        args.json.write_text(json.dumps(doc, indent=2, ensure_ascii=False), encoding="utf-8")
        print(f"wrote {args.json}", file=sys.stderr)
    if args.details:
        args.details.write_text(json.dumps(details, indent=2, ensure_ascii=False, default=str),
                                encoding="utf-8")
    return 0
