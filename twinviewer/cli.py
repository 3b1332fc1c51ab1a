"""The ``twinviewer`` command: open (default), info, render, demo."""

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

COMMANDS = ("open", "info", "render", "demo")
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
    p = sub.add_parser("demo", help="generate a demo district of any size")
    p.add_argument("--objects", type=int, default=6000, help="about how many objects")
    p.add_argument("--out", required=True, help="folder for scene.toml and district.gpkg")
    p.add_argument("--seed", type=int, default=None)
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


def _demo(args) -> int:
    from twinviewer.demo.generator import generate_district

    kwargs = {} if args.seed is None else {"seed": args.seed}
    scene = generate_district(Path(args.out), objects=args.objects, **kwargs)
    print(f"wrote {scene}")
    return 0


_COMMANDS = {"open": _open, "info": _info, "render": _render, "demo": _demo}
