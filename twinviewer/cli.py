"""The ``twinviewer`` command: open (default), info, render, demo, import, log, apply,
video."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections import Counter
from pathlib import Path

from twinviewer import __version__
from twinviewer.core.errors import LoadError

COMMANDS = ("open", "info", "render", "demo", "import", "log", "apply", "video")
log = logging.getLogger("twinviewer")


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors in one line with exit status 2."""

    def error(self, message: str):  # noqa: D401 - argparse API
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="twinviewer",
                     description="3D digital-twin viewer for sub-district planners.")
    parser.add_argument("--version", action="version", version=f"twinviewer {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    p = sub.add_parser("open", help="open the main window (default command)")
    p.add_argument("paths", nargs="*", help="a scene file or data files (default: demo scene)")
    p = sub.add_parser("info", help="layers, CRS, bounds and object counts of a file")
    p.add_argument("path")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p = sub.add_parser("render", help="render a scene or data file to PNG, offscreen")
    p.add_argument("paths", nargs="+")
    p.add_argument("--out", required=True, help="PNG file to write")
    p.add_argument("--size", default="1600x1000", help="image size WxH (default 1600x1000)")
    p = sub.add_parser("video", help="render a walkthrough path of a scene to an MP4 video")
    p.add_argument("path", help="the scene file")
    p.add_argument("--path", dest="walk", default=None,
                   help="name of the walkthrough path (default: the scene's first)")
    p.add_argument("--out", required=True, help="MP4 file to write")
    p.add_argument("--size", default="1920x1080", help="video size WxH (default 1920x1080)")
    p.add_argument("--fps", type=float, default=30.0, help="frames per second (default 30)")
    p.add_argument("--no-captions", action="store_true", help="leave the captions out")
    p = sub.add_parser("demo", help="generate a demo district of any size")
    p.add_argument("--objects", type=int, default=6000, help="about how many objects")
    p.add_argument("--out", required=True, help="folder for scene.toml and district.gpkg")
    p.add_argument("--seed", type=int, default=None)
    p = sub.add_parser("import", help="bring vector or CityJSON files into a GeoPackage store")
    p.add_argument("sources", nargs="+", help="vector (Shapefile, GeoJSON, ...) or CityJSON files")
    p.add_argument("--into", required=True, help="the .gpkg store (created when missing)")
    p.add_argument("--layer", default=None, help="table name (one imported table only)")
    p.add_argument("--table", default=None, help="import only this layer of a multi-layer file")
    p.add_argument("--replace", action="store_true", help="replace a table of the same name")
    p = sub.add_parser("log", help="print the edit log of a GeoPackage store")
    p.add_argument("store")
    p.add_argument("--oid", type=int, default=None, help="only this object")
    p.add_argument("--layer", default=None, help="only this layer (table)")
    p.add_argument("--json", action="store_true", help="print one JSON array")
    p = sub.add_parser("apply", help="apply a spreadsheet of corrections (layer, oid, fields...)")
    p.add_argument("store")
    p.add_argument("csv", help="CSV file, UTF-8 or GBK: columns layer, oid, then fields")
    p.add_argument("--partial", action="store_true",
                   help="apply the good rows even when some are refused")
    p.add_argument("--user", default=None, help="name for the edit log (default: OS user)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help", "--version")):
        argv = ["open", *argv]
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        return _COMMANDS[args.command](args)
    except LoadError as exc:
        return _fail(exc.message)
    except KeyboardInterrupt:
        return 130
    except MemoryError:
        return _fail("not enough memory")
    except Exception as exc:  # the edge: never show a traceback to a user
        log.debug("internal error", exc_info=True)
        return _fail(f"internal error: {type(exc).__name__}: {exc}")


def _fail(message: str) -> int:
    print(f"twinviewer: error: {' '.join(str(message).split())}", file=sys.stderr)
    return 2


def _open(args) -> int:
    from twinviewer.ui.app import run_app
    return run_app([Path(p) for p in args.paths] or None)


def describe(path: str | Path) -> tuple[dict, list[str]]:
    """What ``info`` prints: layers of a scene or data file, read but not placed."""
    from twinviewer.core.crs import crs_label, parse_crs
    from twinviewer.io.loader import read_source, spec_for

    spec = spec_for([path])
    layers_out, errors = [], []
    totals: Counter = Counter()
    for entry in spec.layers:
        try:
            layers = read_source(entry)
        except LoadError as exc:
            errors.append(exc.message)
            continue
        for layer in layers:
            classes = layer.classes()
            totals.update(classes)
            label = None
            if layer.crs:
                try:
                    label = crs_label(parse_crs(layer.crs))
                except LoadError:
                    label = str(layer.crs)
            b = layer.source_bounds
            layers_out.append({
                "name": layer.name, "kind": layer.kind, "crs": label,
                "objects": len(layer), "classes": classes,
                "bounds": None if b is None else [round(v, 6) for v in b],
                "source": str(layer.source), "group": layer.group,
                "warnings": list(layer.warnings),
            })
    info = {
        "path": str(path),
        "crs": spec.crs,
        "objects": sum(lyr["objects"] for lyr in layers_out),
        "classes": dict(totals),
        "layers": layers_out,
        "errors": errors,
    }
    return info, errors


def _info(args) -> int:
    info, errors = describe(args.path)
    if args.json:
        print(json.dumps(info, ensure_ascii=False, indent=2))
    else:
        print(f"{info['path']}: {info['objects']} objects in {len(info['layers'])} layers")
        for lyr in info["layers"]:
            b = lyr["bounds"]
            box = "no geometry" if b is None else \
                "[{:.3f}, {:.3f}, {:.3f}] - [{:.3f}, {:.3f}, {:.3f}]".format(*b)
            print(f"  {lyr['name']}  ({lyr['kind']}, {lyr['crs'] or 'no CRS'}): "
                  f"{lyr['objects']} objects, {box}")
            for cls, n in sorted(lyr["classes"].items(), key=lambda kv: -kv[1]):
                print(f"      {cls}: {n}")
            for w in lyr["warnings"]:
                print(f"      ! {w}")
    for e in errors:
        print(f"twinviewer: error: {e}", file=sys.stderr)
    return 2 if errors else 0


def _parse_size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise LoadError(f"--size {text!r} is not WIDTHxHEIGHT, e.g. 1920x1080") from None
    if not (16 <= w <= 16384 and 16 <= h <= 16384):
        raise LoadError(f"--size {text!r} is out of range (16 to 16384 pixels)")
    return w, h


def _render(args) -> int:
    if not os.environ.get("DISPLAY"):  # go straight to EGL instead of trying X first
        os.environ.setdefault("VTK_DEFAULT_OPENGL_WINDOW", "vtkEGLRenderWindow")
    from twinviewer.io.loader import load, spec_for
    from twinviewer.render import render_image

    size = _parse_size(args.size)
    out = Path(args.out)
    if out.suffix.lower() != ".png":
        raise LoadError("the output must be a .png file", out)
    if not out.parent.exists():
        raise LoadError("the output folder does not exist", out)
    result = load(spec_for(args.paths))
    for e in result.errors:
        print(f"twinviewer: error: {e}", file=sys.stderr)
    if not result.layers:
        return 2
    render_image(result.to_scene(), out, size)
    print(f"wrote {out} ({size[0]}x{size[1]})")
    return 2 if result.errors else 0


def _video(args) -> int:
    if not os.environ.get("DISPLAY"):
        os.environ.setdefault("VTK_DEFAULT_OPENGL_WINDOW", "vtkEGLRenderWindow")
    from twinviewer.io.loader import load, spec_for
    from twinviewer.render.video import render_path_video

    size = _parse_size(args.size)
    if size[0] % 2 or size[1] % 2:
        raise LoadError(f"--size {args.size!r}: width and height must be even for H.264")
    if not 1 <= args.fps <= 240:
        raise LoadError(f"--fps {args.fps:g} is out of range (1 to 240)")
    out = Path(args.out)
    if out.suffix.lower() != ".mp4":
        raise LoadError("the output must be a .mp4 file", out)
    if not out.parent.exists():
        raise LoadError("the output folder does not exist", out)
    spec = spec_for([args.path])
    if spec.path is None:
        raise LoadError("video needs a scene file (.toml) with [[paths]]", args.path)
    if not spec.paths:
        raise LoadError("the scene has no walkthrough path ([[paths]])", spec.path)
    names = [p.name for p in spec.paths]
    if args.walk is not None and args.walk not in names:
        raise LoadError(f"no path named {args.walk!r} (paths: {', '.join(names)})", spec.path)
    result = load(spec)
    for e in result.errors:
        print(f"twinviewer: error: {e}", file=sys.stderr)
    if not result.layers:
        return 2
    scene = result.to_scene()
    walk = scene.paths[names.index(args.walk) if args.walk is not None else 0]
    total = walk.frame_count(args.fps)
    step = max(total // 20, 1)

    def progress(done: int, of: int) -> None:
        if done % step == 0 or done == of:
            print(f"\r{done}/{of} frames", end="", file=sys.stderr, flush=True)

    n = render_path_video(scene, walk, out, size=size, fps=args.fps,
                          captions=not args.no_captions, progress=progress)
    print("", file=sys.stderr)
    print(f"wrote {out} ({size[0]}x{size[1]}, {n} frames, {n / args.fps:.1f} s)")
    return 2 if result.errors else 0


def _demo(args) -> int:
    from twinviewer.demo.generator import generate_district

    kwargs = {} if args.seed is None else {"seed": args.seed}
    scene = generate_district(Path(args.out), objects=args.objects, **kwargs)
    print(f"wrote {scene}")
    return 0


def _store_command(func):
    """Store errors and refused edits end as one line on stderr, exit status 2."""
    def run(args) -> int:
        from twinviewer.core.edits import EditError
        from twinviewer.store import StoreError

        try:
            return func(args)
        except (StoreError, EditError) as exc:
            return _fail(exc.message)
    return run


@_store_command
def _import(args) -> int:
    from twinviewer.store import import_layers

    results = import_layers(args.sources, args.into, name=args.layer, table=args.table,
                            replace=args.replace)
    for r in results:
        print(f"{r.source} -> {args.into}:{r.table}  ({r.objects} objects, "
              f"{r.geometry_type or 'no geometry'}, {r.crs or 'no CRS'})")
        for w in r.warnings:
            print(f"    ! {w}")
    return 0


@_store_command
def _log(args) -> int:
    from twinviewer.store import GeoPackageStore

    entries = GeoPackageStore(args.store).log(oid=args.oid, layer=args.layer)
    if args.json:
        print(json.dumps([e.to_dict() for e in entries], ensure_ascii=False, indent=2))
        return 0
    for e in entries:
        obj = f"{e.layer}#{e.oid}" if e.oid is not None else e.layer
        print(f"{e.ts}  {e.user}  {obj}  {e.field}: {e.old if e.old is not None else '∅'} -> "
              f"{e.new if e.new is not None else '∅'}  [{e.label}]")
    if not entries:
        print("no saved edits" + (" for this object" if args.oid is not None else ""))
    return 0


@_store_command
def _apply(args) -> int:
    from twinviewer.store import GeoPackageStore

    store = GeoPackageStore(args.store, user=args.user)
    report = store.apply_csv(args.csv, partial=args.partial)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        verb = "changed" if report.applied else "would change"
        print(f"{args.csv} ({report.encoding}): {report.changed} rows {verb}, "
              f"{report.unchanged} unchanged, {len({r.line for r in report.refused})} refused")
        for r in report.refused:
            print(f"  refused {r}")
    if report.refused and not report.applied:
        return _fail(f"{args.csv}: {len({r.line for r in report.refused})} rows refused; "
                     "nothing was changed (fix them, or apply the others with --partial)")
    return 0


_COMMANDS = {"open": _open, "info": _info, "render": _render, "demo": _demo,
             "import": _import, "log": _log, "apply": _apply, "video": _video}
