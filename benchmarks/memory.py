"""Where the memory of a loaded district goes: ``python -m benchmarks.memory --objects N``.

Resident memory (VmRSS) after each stage of a load, the bytes of the arrays each
part keeps (model tables and batches, render pieces, VTK arrays, labels, filter
caches), the Python-level allocations tracemalloc sees, and the same stages of an
empty process (imports, offscreen EGL/llvmpipe window, one frame), so the scene's
own share can be told from the renderer's.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

MiB = 2**20


def rss_mb() -> float:
    from benchmarks.common import rss_mb as _rss

    return _rss()


def empty_process() -> dict:
    """RSS after each stage of a process that draws nothing but an empty frame."""
    stages = {"python": rss_mb()}
    import numpy  # noqa: F401
    import pandas  # noqa: F401

    stages["numpy + pandas"] = rss_mb()
    import pyvista  # noqa: F401

    stages["pyvista"] = rss_mb()
    import twinviewer.io.loader  # noqa: F401
    import twinviewer.render  # noqa: F401

    stages["twinviewer.render + io"] = rss_mb()
    from benchmarks.common import draw, plotter

    pl = plotter()
    stages["offscreen plotter"] = rss_mb()
    from twinviewer.render.scene_view import apply_look

    apply_look(pl)
    draw(pl)
    stages["one empty frame"] = rss_mb()
    pl.close()
    return stages


def _nbytes(a) -> int:
    if a is None:
        return 0
    if isinstance(a, np.ndarray):
        # a broadcast view (stride 0) owns nothing
        return 0 if (a.base is not None and 0 in a.strides) else int(a.nbytes)
    return 0


def _vtk_bytes(poly) -> int:
    """Bytes of a PolyData's own arrays (points, cells, point and cell data)."""
    return int(poly.GetActualMemorySize()) * 1024


def breakdown(scene, view) -> dict:
    """Bytes per part of a loaded scene and its view (MiB)."""
    out: dict[str, float] = {}

    def add(key: str, nbytes: float) -> None:
        out[key] = out.get(key, 0.0) + nbytes / MiB

    for layer in scene.layers:
        df = layer.table.df
        add("model: attribute tables (pandas, deep)", float(df.memory_usage(deep=True).sum()))
        for b in layer.batches:
            for name in ("points", "triangles", "segments", "rows", "uv", "colors"):
                add("model: geometry batches (numpy)", _nbytes(getattr(b, name, None)))
            if getattr(b, "texture", None) is not None:
                add("model: textures", _nbytes(b.texture))
        for name, value in vars(layer).items():
            if name.startswith("_") and isinstance(value, np.ndarray):
                add("model: layer caches (centres, bounds)", _nbytes(value))
    for pieces in view.pieces.values():
        for p in pieces:
            add("render: VTK PolyData (points, cells, rows, colours)", _vtk_bytes(p.polydata))
            if p.lod is not None:
                add("render: decimated stand-ins (VTK)", _vtk_bytes(p.lod))
            add("render: piece.rows (numpy)", _nbytes(p.rows))
            if p.color_rows is not p.rows:
                add("render: piece.color_rows (numpy)", _nbytes(p.color_rows))
            add("render: piece.base_colors (numpy)", _nbytes(p.base_colors))
            if p.plain_colors is not None and p.plain_colors is not p.base_colors:
                add("render: piece.plain_colors (numpy)", _nbytes(p.plain_colors))
            if p.locator is not None:
                add("render: cell locators", float(p.locator.GetMemorySize() if hasattr(
                    p.locator, "GetMemorySize") else 0))
    for lb in view.labels.values():
        add("render: label candidates (numpy)", _nbytes(lb.anchors) + _nbytes(lb.priority)
            + sum(len(str(t)) * 4 + 56 for t in lb.texts))
    engine = getattr(view, "_engine", None)
    conns = getattr(engine, "_conns", None) or getattr(engine, "_tables", None)
    if conns:
        add("filter engine: cached SQLite tables (count)", len(conns) * MiB)
    return {k: round(v, 1) for k, v in sorted(out.items())}


def worker(scene_file: Path, trace: bool) -> dict:
    """Stages of one load (RSS and tracemalloc) and the breakdown, in this process."""
    import gc
    import tracemalloc

    from benchmarks.common import draw, plotter
    from twinviewer.io.loader import load, spec_for
    from twinviewer.render import SceneView

    res: dict = {"stages": {}}
    st = res["stages"]
    st["imports"] = rss_mb()
    if trace:
        tracemalloc.start()
    scene = load(spec_for([scene_file])).to_scene()
    gc.collect()
    st["read + to_scene"] = rss_mb()
    t_model = tracemalloc.get_traced_memory()[0] / MiB if trace else None
    pl = plotter()
    st["plotter"] = rss_mb()
    view = SceneView(pl, scene)
    gc.collect()
    st["SceneView"] = rss_mb()
    t_view = tracemalloc.get_traced_memory()[0] / MiB if trace else None
    draw(pl)
    st["first frame (rss_mb)"] = rss_mb()
    view.reset_view(render=False)
    draw(pl)
    st["second frame"] = rss_mb()
    if trace:
        snap = tracemalloc.take_snapshot()
        top = snap.statistics("lineno")[:15]
        res["tracemalloc_top"] = [f"{s.size / MiB:7.1f} MiB  {s.traceback[0].filename.split('site-packages/')[-1].split('twinviewer/')[-1]}:{s.traceback[0].lineno}"
                                  for s in top]
        res["tracemalloc_model_mb"] = t_model
        res["tracemalloc_after_view_mb"] = t_view
        tracemalloc.stop()
    res["breakdown"] = breakdown(scene, view)
    res["objects"] = int(sum(len(layer) for layer in scene.layers))
    view.close()
    pl.close()
    return res


def _spawn(args: list[str]) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as fh:
        out = Path(fh.name)
    try:
        subprocess.run([sys.executable, "-m", "benchmarks.memory", *args, "--out", str(out)],
                       check=True)
        return json.loads(out.read_text(encoding="utf-8"))
    finally:
        out.unlink(missing_ok=True)


def report(empty: dict, res: dict) -> str:
    lines = ["empty process (no scene)", *(f"  {k:<40}{v:8.0f} MiB" for k, v in empty.items()),
             f"district of {res['objects']:,} objects",
             *(f"  {k:<40}{v:8.0f} MiB" for k, v in res["stages"].items()),
             "arrays kept (MiB)", *(f"  {k:<56}{v:8.1f}" for k, v in res["breakdown"].items())]
    if res.get("tracemalloc_top"):
        lines.append(f"tracemalloc: {res['tracemalloc_model_mb']:.0f} MiB after the model, "
                     f"{res['tracemalloc_after_view_mb']:.0f} MiB after SceneView; largest:")
        lines += [f"  {t}" for t in res["tracemalloc_top"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.memory", description=__doc__)
    ap.add_argument("--objects", type=int, default=100_000)
    ap.add_argument("--scene", type=Path, help="an existing scene file instead of a district")
    ap.add_argument("--trace", action="store_true", help="also run tracemalloc (slower)")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--worker", choices=("empty", "scene"), help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if args.worker == "empty":
        args.out.write_text(json.dumps(empty_process()), encoding="utf-8")
        return 0
    if args.worker == "scene":
        args.out.write_text(json.dumps(worker(args.scene, args.trace)), encoding="utf-8")
        return 0
    empty = _spawn(["--worker", "empty"])
    with tempfile.TemporaryDirectory(prefix="twinviewer-mem-") as tmp:
        scene = args.scene
        if scene is None:
            from twinviewer.demo.generator import generate_district

            scene = generate_district(Path(tmp) / "district", objects=args.objects)
        res = _spawn(["--worker", "scene", "--scene", str(scene)]
                     + (["--trace"] if args.trace else []))
    print(report(empty, res))
    if args.json:
        args.json.write_text(json.dumps({"empty": empty, **res}, indent=2, ensure_ascii=False),
                             encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
