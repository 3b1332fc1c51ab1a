"""What holds the memory of a loaded district: ``python -m benchmarks.memory_report``.

Two fresh processes, as the city benchmark runs them:

- the **empty process**: the imports the city worker makes before its first load,
  the offscreen EGL/llvmpipe plotter, one empty frame (what ``empty_rss_mb`` is);
- the **scene process**: the same, then the district is read, viewed and drawn.

At each stage it records VmRSS and the resident pages of the process's mappings
grouped by what they are (``/proc/self/smaps``: the malloc heap and other anonymous
memory, VTK's, Mesa's and LLVM's libraries, GDAL, Python packages, fonts), and after
the first frame the bytes every holder keeps: each layer's table
(``DataFrame.memory_usage(deep=True)``, its largest columns), its numpy geometry
batches and caches, the VTK arrays of its pieces (``GetActualMemorySize``), the
render side's numpy arrays, labels, filter caches, the ground tiles. ``--trace``
adds tracemalloc's largest Python allocations (slow). Prints one table, MiB.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import numpy as np

from benchmarks.common import rss_mb

MiB = 2**20

# (group, pattern on the mapping's path); the first match wins
_GROUPS = [
    ("LLVM (llvmpipe's JIT)", r"libLLVM"),
    ("Mesa / EGL / GL", r"(dri|gallium|libEGL|libGL|libglapi|libgbm|mesa|libdrm)"),
    ("VTK libraries", r"(vtkmodules|libvtk)"),
    ("GDAL / PROJ / GEOS", r"(gdal|libproj|proj\.db|geos|rasterio|pyogrio|pyproj|shapely)"),
    ("Qt / PySide6", r"(PySide6|shiboken|libQt)"),
    ("fonts", r"\.(ttf|ttc|otf)$"),
    ("numpy / pandas / other extensions", r"\.so"),
    ("python / other files", r"/"),
]


def smaps() -> dict[str, float]:
    """Resident MiB per kind of mapping: anonymous (heap, arenas, mmap) and file groups."""
    out: dict[str, float] = defaultdict(float)
    path, anon = "", 0
    try:
        fh = open("/proc/self/smaps", encoding="utf-8", errors="replace")
    except OSError:  # pragma: no cover - not Linux
        return {}
    with fh:
        for line in fh:
            head = line.split(None, 5)
            if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
                path = head[5].strip() if len(head) > 5 else ""
            elif head[0] == "Rss:":
                rss = int(head[1])
            elif head[0] == "Anonymous:":
                anon = int(head[1])
                if anon:
                    key = "anonymous: [heap]" if path == "[heap]" else "anonymous: mmap / arenas"
                    out[key] += anon / 1024
                rest = rss - anon
                if rest > 0:
                    out[_group(path)] += rest / 1024
    return dict(out)


def _group(path: str) -> str:
    for name, pattern in _GROUPS:
        if re.search(pattern, path):
            return name
    return "other (stack, vdso)"


EMPTY_FRAME = "one empty frame (empty_rss_mb)"  # the stage the city suite reports


def _stage(stages: dict, name: str) -> None:
    gc.collect()
    stages[name] = {"rss": rss_mb(), "maps": smaps()}


def _imports() -> None:
    """What the city worker imports before its first load (benchmarks.city.worker)."""
    import pandas  # noqa: F401
    import pyvista  # noqa: F401

    import benchmarks.baseline  # noqa: F401
    import benchmarks.tables  # noqa: F401
    import twinviewer.io.loader  # noqa: F401
    import twinviewer.render  # noqa: F401


def empty_worker() -> dict:
    from benchmarks.common import draw, plotter

    st: dict = {}
    _stage(st, "python")
    import numpy  # noqa: F401
    import pandas  # noqa: F401

    _stage(st, "numpy + pandas")
    import pyvista  # noqa: F401

    _stage(st, "pyvista")
    _imports()
    _stage(st, "twinviewer.render + io (city worker's imports)")
    pl = plotter()
    _stage(st, "offscreen plotter")
    from twinviewer.render.scene_view import apply_look

    apply_look(pl)
    draw(pl)
    _stage(st, EMPTY_FRAME)
    pl.close()
    return {"stages": st}


def _nbytes(a) -> int:
    """Bytes an array owns (0 for a broadcast view: stride 0)."""
    if not isinstance(a, np.ndarray):
        return 0
    return 0 if 0 in a.strides else int(a.nbytes)


def table_bytes(df) -> int:
    """Bytes a frame really holds: like ``memory_usage(deep=True)``, but a Python
    object shared by many cells (one ``str`` per distinct value) counted once."""
    total, seen = int(df.index.memory_usage()), set()
    for name in df.columns:
        col = df[name]
        if col.dtype.kind in "biufcmM":
            total += int(col.memory_usage(index=False, deep=False))
            continue
        values = col.to_numpy(dtype=object)
        total += 8 * len(values)
        for v in values:
            if id(v) not in seen:
                seen.add(id(v))
                total += sys.getsizeof(v)
    return total


def holders(scene, view) -> dict[str, float]:
    """MiB per holder of a loaded scene and its view (first frame drawn)."""
    out: dict[str, float] = defaultdict(float)
    for layer in scene.layers:
        name = layer.name
        if layer.table is not None and len(layer.table.df.columns):
            usage = layer.table.df.memory_usage(deep=True, index=True)
            out[f"table {name} ({len(layer.table.df):,} rows; deep, a shared str once)"] += (
                table_bytes(layer.table.df) / MiB)
            out[f"  table {name}, all columns"] += (
                usage.sum() / MiB)
            big = usage.drop("Index", errors="ignore").sort_values(ascending=False)[:2]
            for col, b in big.items():
                if b >= MiB:
                    out[f"  column {name}.{col} ({layer.table.df[col].dtype})"] += b / MiB
        for b in layer.batches:
            for attr in ("points", "triangles", "segments", "rows", "uv", "colors", "texture"):
                out[f"geometry batches {name} (numpy)"] += _nbytes(getattr(b, attr, None)) / MiB
        for attr, value in vars(layer).items():
            if isinstance(value, np.ndarray) and attr != "batches":
                out[f"layer arrays/caches {name} ({attr})"] += _nbytes(value) / MiB
    for layer, pieces in view.pieces.items():
        for p in pieces:
            out[f"VTK PolyData {layer.name}"] += p.polydata.GetActualMemorySize() / 1024
            if p.lod is not None:
                out[f"VTK stand-ins {layer.name}"] += p.lod.GetActualMemorySize() / 1024
            seen: set[int] = set()
            for attr in ("rows", "color_rows", "base_colors", "plain_colors"):
                a = getattr(p, attr)
                if isinstance(a, np.ndarray) and id(a) not in seen:
                    seen.add(id(a))
                    out[f"render numpy {layer.name} (rows, colours)"] += _nbytes(a) / MiB
            if p.locator is not None:
                out["cell locators"] += p.locator.GetActualMemorySize() / 1024 \
                    if hasattr(p.locator, "GetActualMemorySize") else 0
    for layer, lb in view.labels.items():
        texts = sum(sys.getsizeof(t) for t in lb.texts) + _nbytes(lb.texts)
        images = sum(_nbytes(img) for img, _ in lb._images.values())
        out[f"labels {layer.name} ({lb.count:,} candidates, {len(lb._images)} images)"] += (
            _nbytes(lb.anchors) + _nbytes(lb.priority) + texts + images) / MiB
    cache = getattr(view._engine, "_cache", {})
    for _, (_, _, _, conn) in list(cache.items()):
        pages = conn.execute("pragma page_count").fetchone()[0]
        size = conn.execute("pragma page_size").fetchone()[0]
        out["filter engine (in-memory SQLite tables)"] += pages * size / MiB
    g = view.ground
    if g.loader is not None:
        out[f"ground tiles loaded ({len(g.loader.loaded)})"] += g.loader.bytes / MiB
    for ta in g.actors.values():
        out[f"ground tile actors ({len(g.actors)})"] += (ta.poly.GetActualMemorySize() * 1024
                                                        + _nbytes(ta.rgb)) / MiB
    return {k: round(v, 2) for k, v in out.items() if v >= 0.05}


def scene_worker(scene_file: Path, trace: bool) -> dict:
    import tracemalloc

    from benchmarks.common import draw, plotter

    st: dict = {}
    _imports()
    from twinviewer.io.loader import load, spec_for
    from twinviewer.render import SceneView

    _stage(st, "imports")
    if trace:
        tracemalloc.start(1)
    result = load(spec_for([scene_file]))
    _stage(st, "read (io.loader.load)")
    scene = result.to_scene()
    del result
    _stage(st, "to_scene")
    pl = plotter()
    _stage(st, "offscreen plotter")
    view = SceneView(pl, scene)
    _stage(st, "SceneView")
    view.render()
    pl.render_window.WaitForCompletion()
    _stage(st, "first frame (rss_mb)")
    draw(pl)
    _stage(st, "second frame")
    res: dict = {"stages": st, "holders": holders(scene, view),
                 "objects": int(sum(len(layer) for layer in scene.layers))}
    if trace:
        snap = tracemalloc.take_snapshot()
        res["tracemalloc_mb"] = sum(s.size for s in snap.statistics("filename")) / MiB
        res["tracemalloc_top"] = [
            (f"{s.traceback[0].filename.rsplit('site-packages/', 1)[-1]}:"
             f"{s.traceback[0].lineno}", s.size / MiB) for s in snap.statistics("lineno")[:15]]
        tracemalloc.stop()
    view.close()
    pl.close()
    return res


def _spawn(args: list[str]) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as fh:
        out = Path(fh.name)
    try:
        subprocess.run([sys.executable, "-m", "benchmarks.memory_report", *args,
                        "--out", str(out)], check=True)
        return json.loads(out.read_text(encoding="utf-8"))
    finally:
        out.unlink(missing_ok=True)


def _stage_lines(stages: dict) -> list[str]:
    lines, prev = [], None
    for name, s in stages.items():
        delta = "" if prev is None else f"{s['rss'] - prev['rss']:+8.0f}"
        grew = ""
        if prev is not None:
            d = {k: v - prev["maps"].get(k, 0.0) for k, v in s["maps"].items()}
            top = sorted(((v, k) for k, v in d.items() if abs(v) >= 2), reverse=True)[:3]
            grew = "; ".join(f"{k} {v:+.0f}" for v, k in top)
        lines.append(f"  {name:<50}{s['rss']:8.0f}{delta:>9}  {grew}")
        prev = s
    return lines


def report(empty: dict, res: dict) -> str:
    col = f"  {'stage':<50}{'VmRSS':>8}{'delta':>9}  largest growth by mapping"
    lines = ["EMPTY PROCESS (MiB)", col, *_stage_lines(empty["stages"]),
             f"SCENE PROCESS, {res['objects']:,} objects (MiB)", col,
             *_stage_lines(res["stages"])]
    first = res["stages"]["first frame (rss_mb)"]["maps"]
    lines.append("resident memory by mapping after the first frame (MiB)")
    lines += [f"  {k:<56}{v:8.1f}" for k, v in sorted(first.items(), key=lambda kv: -kv[1])
              if v >= 1]
    lines.append("holders after the first frame, largest first (MiB)")
    items = sorted(res["holders"].items(), key=lambda kv: (-kv[1], kv[0]))
    lines += [f"  {k:<72}{v:8.1f}" for k, v in items if not k.startswith("  ")]
    lines.append("pandas memory_usage(deep=True), largest columns (MiB): every cell's str "
                 "counted, shared or not")
    lines += [f"  {k.strip():<72}{v:8.1f}" for k, v in items if k.startswith("  ")]
    if res.get("tracemalloc_top"):
        lines.append(f"tracemalloc: {res['tracemalloc_mb']:.0f} MiB of Python allocations "
                     "live after the second frame; largest:")
        lines += [f"  {where:<72}{mb:8.1f}" for where, mb in res["tracemalloc_top"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.memory_report",
                                 description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--objects", type=int, default=100_000, help="district size (100000)")
    ap.add_argument("--scene", type=Path, help="an existing scene file instead of a district")
    ap.add_argument("--trace", action="store_true", help="also run tracemalloc (slower)")
    ap.add_argument("--json", type=Path, help="also save the measurements here")
    ap.add_argument("--worker", choices=("empty", "scene"), help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if args.worker:
        res = empty_worker() if args.worker == "empty" else scene_worker(args.scene, args.trace)
        args.out.write_text(json.dumps(res), encoding="utf-8")
        return 0
    if args.scene is not None and not args.scene.is_file():
        print(f"memory_report: no scene file {args.scene}", file=sys.stderr)
        return 2
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
