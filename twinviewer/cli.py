"""The ``twinviewer`` command: open (default), info, render, demo, import, log, apply,
video."""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import logging
import os
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from twinviewer import __version__, cases_cli
from twinviewer.core.errors import LoadError
from twinviewer.i18n import QT_TRANSLATE_NOOP, translate

COMMANDS = ("open", "info", "render", "demo", "import", "log", "apply", "video", "publish", "query",
            "tiles", "analyse", "cases", "listen")
log = logging.getLogger("twinviewer")


# argparse's own texts (it looks them up with gettext): listed here so that lupdate puts
# them in the .ts; _language() hands them to translate() while the command runs.
ARGPARSE_TEXTS = (
    QT_TRANSLATE_NOOP("argparse", "usage: "),
    QT_TRANSLATE_NOOP("argparse", "positional arguments"),
    QT_TRANSLATE_NOOP("argparse", "options"),
    QT_TRANSLATE_NOOP("argparse", "show this help message and exit"),
    QT_TRANSLATE_NOOP("argparse", "argument %(argument_name)s: %(message)s"),
    QT_TRANSLATE_NOOP("argparse", "unrecognized arguments: %s"),
    QT_TRANSLATE_NOOP("argparse", "the following arguments are required: %s"),
    QT_TRANSLATE_NOOP("argparse", "one of the arguments %s is required"),
    QT_TRANSLATE_NOOP("argparse", "not allowed with argument %s"),
    QT_TRANSLATE_NOOP("argparse", "ignored explicit argument %r"),
    QT_TRANSLATE_NOOP("argparse", "expected one argument"),
    QT_TRANSLATE_NOOP("argparse", "expected at most one argument"),
    QT_TRANSLATE_NOOP("argparse", "expected at least one argument"),
    QT_TRANSLATE_NOOP("argparse", "ambiguous option: %(option)s could match %(matches)s"),
    QT_TRANSLATE_NOOP("argparse", "unexpected option string: %s"),
    QT_TRANSLATE_NOOP("argparse", "invalid %(type)s value: %(value)r"),
    QT_TRANSLATE_NOOP("argparse", "invalid choice: %(value)r (choose from %(choices)s)"),
)


def cli_language() -> str:
    """The CLI's language: ``$TWINVIEWER_LANG``, else View > Language, else the locale."""
    from twinviewer import i18n

    if os.environ.get(i18n.ENV_KEY, "").strip():
        return i18n.choose_language(None)
    try:
        setting = i18n.saved_setting()
    except Exception:  # an unreadable settings file must not stop the command
        setting = ""
    return i18n.choose_language(setting)


@contextlib.contextmanager
def _language() -> Iterator[str]:
    """Install the translation of :func:`cli_language` for the duration of a command.

    No ``QCoreApplication`` is needed (the translator is installed in
    :mod:`twinviewer.i18n`), so ``open`` can still create its ``QApplication``.
    argparse's gettext texts go through :func:`translate` (context ``"argparse"``).
    """
    from twinviewer import i18n

    language = cli_language()
    installed = language != "en" and i18n.install_translator(language)
    saved = argparse._
    if installed:
        argparse._ = functools.partial(translate, "argparse")
    try:
        yield language if installed else "en"
    finally:
        argparse._ = saved
        if installed:
            i18n.remove_translator()


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors in one line with exit status 2."""

    def error(self, message: str):  # noqa: D401 - argparse API
        self.exit(2, f"{self.prog}: " + translate("cli", "error: {message}").format(
            message=message) + "\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="twinviewer", description=translate(
        "cli", "3D digital-twin viewer for sub-district planners."))
    parser.add_argument("--version", action="version", version=f"twinviewer {__version__}",
                        help=translate("cli", "show the version and exit"))
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    p = sub.add_parser("open", help=translate("cli", "open the main window (default command)"))
    p.add_argument("paths", nargs="*",
                   help=translate("cli", "a scene file or data files (default: demo scene)"))
    p = sub.add_parser("info",
                       help=translate("cli", "layers, CRS, bounds and object counts of a file"))
    p.add_argument("path", nargs="?", default=None,
                   help=translate("cli", "a scene or data file (default: demo scene)"))
    p.add_argument("--json", action="store_true", help=translate("cli", "print one JSON object"))
    p = sub.add_parser("render",
                       help=translate("cli", "render a scene or data file to PNG, offscreen"))
    p.add_argument("paths", nargs="*",
                   help=translate("cli", "a scene file or data files (default: demo scene)"))
    p.add_argument("--out", required=True, help=translate("cli", "PNG file to write"))
    p.add_argument("--size", default="1600x1000",
                   help=translate("cli", "image size WxH (default 1600x1000)"))
    from twinviewer import cli_tiles  # noqa: I001  (tiles options, issue 13)
    cli_tiles.add_render_options(p)
    p = sub.add_parser("video",
                       help=translate(
                           "cli", "render a walkthrough path of a scene to an MP4 video"))
    p.add_argument("path", help=translate("cli", "the scene file"))
    p.add_argument("--path", dest="walk", default=None,
                   help=translate("cli", "name of the walkthrough path (default: the scene's first)"))
    p.add_argument("--out", required=True, help=translate("cli", "MP4 file to write"))
    p.add_argument("--size", default="1920x1080",
                   help=translate("cli", "video size WxH (default 1920x1080)"))
    p.add_argument("--fps", type=float, default=30.0,
                   help=translate("cli", "frames per second (default 30)"))
    p.add_argument("--no-captions", action="store_true",
                   help=translate("cli", "leave the captions out"))
    p = sub.add_parser("demo", help=translate("cli", "generate a demo district of any size"))
    p.add_argument("--objects", type=int, default=6000,
                   help=translate("cli", "about how many objects"))
    p.add_argument("--out", required=True,
                   help=translate("cli", "folder for scene.toml and district.gpkg"))
    p.add_argument("--seed", type=int, default=None)
    p = sub.add_parser("import",
                       help=translate(
                           "cli", "bring vector or CityJSON files into a GeoPackage store"))
    p.add_argument("sources", nargs="+",
                   help=translate("cli", "vector (Shapefile, GeoJSON, ...) or CityJSON files"))
    p.add_argument("--into", required=True,
                   help=translate("cli", "the .gpkg store (created when missing)"))
    p.add_argument("--layer", default=None,
                   help=translate("cli", "table name (one imported table only)"))
    p.add_argument("--table", default=None,
                   help=translate("cli", "import only this layer of a multi-layer file"))
    p.add_argument("--replace", action="store_true",
                   help=translate("cli", "replace a table of the same name"))
    p = sub.add_parser("log", help=translate("cli", "print the edit log of a GeoPackage store"))
    p.add_argument("store")
    p.add_argument("--oid", type=int, default=None, help=translate("cli", "only this object"))
    p.add_argument("--layer", default=None, help=translate("cli", "only this layer (table)"))
    p.add_argument("--json", action="store_true", help=translate("cli", "print one JSON array"))
    p = sub.add_parser("apply",
                       help=translate(
                           "cli", "apply a spreadsheet of corrections (layer, oid, fields...)"))
    p.add_argument("store")
    p.add_argument("csv",
                   help=translate("cli", "CSV file, UTF-8 or GBK: columns layer, oid, then fields"))
    p.add_argument("--partial", action="store_true",
                   help=translate("cli", "apply the good rows even when some are refused"))
    p.add_argument("--user", default=None,
                   help=translate("cli", "name for the edit log (default: OS user)"))
    p.add_argument("--json", action="store_true", help=translate("cli", "print the report as JSON"))
    p = sub.add_parser("publish", help=translate(
        "cli", "copy a scene's GeoPackage layers, schema and edit log into PostGIS"))
    p.add_argument("scene", help=translate("cli", "scene file (.toml) or GeoPackage (.gpkg)"))
    p.add_argument("url", help=translate("cli", "postgresql://USER@HOST:PORT/DB (no password: "
                                                "use ~/.pgpass, PGPASSWORD or a service file)"))
    p.add_argument("--sensitive", action="append", default=[],
                   help=translate("cli", "also treat FIELD or TABLE.FIELD as sensitive"))
    p.add_argument("--replace", action="store_true",
                   help=translate("cli", "replace layers already published"))
    p.add_argument("--write-scene", default=None,
                   help=translate("cli", "write a scene file that opens the twin from PostGIS"))
    p = sub.add_parser("query", help=translate(
        "cli", "count and sum the objects inside an area, as the summary panel does"))
    p.add_argument("path", help=translate("cli", "a scene file or a data file"))
    area = p.add_mutually_exclusive_group(required=True)
    area.add_argument("--within", metavar="LAYER:OID", help=translate(
        "cli", "the area is this object's footprint, e.g. 小区:3 (layer name or table)"))
    area.add_argument("--within-wkt", metavar="WKT", help=translate(
        "cli", "the area is this Polygon or MultiPolygon, in the scene's CRS"))
    p.add_argument("--where", metavar="EXPR", default=None, help=translate(
        "cli", "keep only objects where EXPR holds (SQLite WHERE syntax, as the table's "
        "filter bar); layers lacking a field EXPR names are left out"))
    p.add_argument("--sum", metavar="F1,F2", default=None, help=translate(
        "cli", "numeric fields to sum (default: 户数,人口)"))
    p.add_argument("--json", action="store_true", help=translate(
        "cli", "print one JSON object: objects, classes, layers, sums, oids"))
    p.add_argument("--export", metavar="FILE", default=None, help=translate(
        "cli", "also write what the Summary dock exports for these objects: .csv, .xlsx, "
        ".pdf or .png (report)"))
    p.add_argument("--filter", metavar="NAME", default=None, help=translate(
        "cli", "saved filter of the exported special-care list (default: the scene's first)"))
    p = sub.add_parser("tiles", help=translate("cli", "3D Tiles: convert OSGB into a cache"))
    tiles_sub = p.add_subparsers(dest="tiles_command", parser_class=_Parser, required=True)
    from twinviewer.io.osgb_cli import add_convert_parser
    add_convert_parser(tiles_sub)
    from twinviewer.cli_analyse import add_parser as add_analysis_parser
    add_analysis_parser(sub, _Parser)
    cases_cli.add_parsers(sub)  # cases, listen (issue 14)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help", "--version")):
        argv = ["open", *argv]
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
    with _language():
        args = build_parser().parse_args(argv)
        return _run(args)


def _run(args) -> int:
    try:
        return _COMMANDS[args.command](args)
    except LoadError as exc:
        return _fail(exc.message)
    except KeyboardInterrupt:
        return 130
    except MemoryError:
        return _fail(translate("cli", "not enough memory"))
    except Exception as exc:  # the edge: never show a traceback to a user
        log.debug("internal error", exc_info=True)
        return _fail(translate("cli", "internal error: {detail}").format(
            detail=f"{type(exc).__name__}: {exc}"))


def error_line(message: str) -> str:
    """``twinviewer: error: MESSAGE`` (the prefix stays ``twinviewer:`` in every language)."""
    return "twinviewer: " + translate("cli", "error: {message}").format(
        message=" ".join(str(message).split()))


def _fail(message: str) -> int:
    print(error_line(message), file=sys.stderr)
    return 2


def _demo_scene_path() -> Path:
    """The demo scene; generated on first use outside a source checkout, with progress
    on stderr."""
    from twinviewer.demo import demo_scene

    told = []

    def progress(fraction: float, message: str) -> None:
        if not told:
            told.append(True)
            print(translate("cli", "generating the demo scene (first use)…"), file=sys.stderr)
        line = f"{fraction:4.0%} {message}"
        if sys.stderr.isatty():  # one line, rewritten in place
            print(f"\r{line:<40}", end="\n" if fraction >= 1 else "", file=sys.stderr,
                  flush=True)
        else:
            print(line, file=sys.stderr, flush=True)

    return demo_scene(progress)


def _open(args) -> int:
    from twinviewer.ui.app import run_app
    return run_app([Path(p) for p in args.paths] or [_demo_scene_path()])


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
                **({"raster": layer.describe()} if hasattr(layer, "describe") else {}),
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
    from twinviewer import cli_tiles
    from twinviewer.io.osgb_cli import is_osgb, run_info

    if args.path is not None and is_osgb(args.path):
        return run_info(args)
    if args.path is not None and cli_tiles.is_tileset_source(args.path):
        return cli_tiles.info(args)
    info, errors = describe(args.path if args.path is not None else _demo_scene_path())
    if args.json:
        print(json.dumps(info, ensure_ascii=False, indent=2))
    else:
        print(translate("cli", "{path}: {objects} objects in {layers} layers").format(
            path=info["path"], objects=info["objects"], layers=len(info["layers"])))
        for lyr in info["layers"]:
            b = lyr["bounds"]
            box = translate("cli", "no geometry") if b is None else \
                "[{:.3f}, {:.3f}, {:.3f}] - [{:.3f}, {:.3f}, {:.3f}]".format(*b)
            print("  " + translate("cli", "{name}  ({kind}, {crs}): {objects} objects, {box}")
                  .format(name=lyr["name"], kind=lyr["kind"],
                          crs=lyr["crs"] or translate("cli", "no CRS"), objects=lyr["objects"],
                          box=box))
            for cls, n in sorted(lyr["classes"].items(), key=lambda kv: -kv[1]):
                print(f"      {cls}: {n}")
            if "raster" in lyr:
                from twinviewer.io.raster_info import raster_lines

                for line in raster_lines(lyr["raster"]):
                    print("      " + line)
            for w in lyr["warnings"]:
                print(f"      ! {w}")
    for e in errors:
        print(error_line(e), file=sys.stderr)
    return 2 if errors else 0


def parse_size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise LoadError(translate("cli", "--size {value!r} is not WIDTHxHEIGHT, e.g. 1920x1080")
                        .format(value=text)) from None
    if not (16 <= w <= 16384 and 16 <= h <= 16384):
        raise LoadError(translate("cli", "--size {value!r} is out of range (16 to 16384 pixels)")
                        .format(value=text))
    return w, h


def _render(args) -> int:
    if not os.environ.get("DISPLAY"):  # go straight to EGL instead of trying X first
        os.environ.setdefault("VTK_DEFAULT_OPENGL_WINDOW", "vtkEGLRenderWindow")
    from twinviewer.io.loader import load, spec_for

    size = parse_size(args.size)
    out = Path(args.out)
    if out.suffix.lower() != ".png":
        raise LoadError(translate("cli", "the output must be a {suffix} file").format(
            suffix=".png"), out)
    if not out.parent.exists():
        raise LoadError(translate("cli", "the output folder does not exist"), out)
    result = load(spec_for(args.paths or [_demo_scene_path()]))
    for e in result.errors:
        print(error_line(e), file=sys.stderr)
    if not result.layers:
        return 2
    from twinviewer import cli_tiles

    cli_tiles.render(result.to_scene(), out, size, args)
    print(translate("cli", "wrote {path} ({width}x{height})").format(
        path=out, width=size[0], height=size[1]))
    return 2 if result.errors else 0


def _video(args) -> int:
    if not os.environ.get("DISPLAY"):
        os.environ.setdefault("VTK_DEFAULT_OPENGL_WINDOW", "vtkEGLRenderWindow")
    from twinviewer.io.loader import load, spec_for
    from twinviewer.render.video import render_path_video

    size = parse_size(args.size)
    if size[0] % 2 or size[1] % 2:
        raise LoadError(translate("cli", "--size {value!r}: width and height must be even for "
                                         "H.264").format(value=args.size))
    if not 1 <= args.fps <= 240:
        raise LoadError(translate("cli", "--fps {value:g} is out of range (1 to 240)").format(
            value=args.fps))
    out = Path(args.out)
    if out.suffix.lower() != ".mp4":
        raise LoadError(translate("cli", "the output must be a {suffix} file").format(
            suffix=".mp4"), out)
    if not out.parent.exists():
        raise LoadError(translate("cli", "the output folder does not exist"), out)
    spec = spec_for([args.path])
    if spec.path is None:
        raise LoadError(translate("cli", "video needs a scene file (.toml) with [[paths]]"),
                        args.path)
    if not spec.paths:
        raise LoadError(translate("cli", "the scene has no walkthrough path ([[paths]])"),
                        spec.path)
    names = [p.name for p in spec.paths]
    if args.walk is not None and args.walk not in names:
        raise LoadError(translate("cli", "no path named {name!r} (paths: {names})").format(
            name=args.walk, names=", ".join(names)), spec.path)
    result = load(spec)
    for e in result.errors:
        print(error_line(e), file=sys.stderr)
    if not result.layers:
        return 2
    scene = result.to_scene()
    walk = scene.paths[names.index(args.walk) if args.walk is not None else 0]
    total = walk.frame_count(args.fps)
    step = max(total // 20, 1)

    def progress(done: int, of: int) -> None:
        if done % step == 0 or done == of:
            print("\r" + translate("cli", "{done}/{total} frames").format(done=done, total=of),
                  end="", file=sys.stderr, flush=True)

    n = render_path_video(scene, walk, out, size=size, fps=args.fps,
                          captions=not args.no_captions, progress=progress)
    print("", file=sys.stderr)
    print(translate("cli", "wrote {path} ({width}x{height}, {frames} frames, {seconds:.1f} s)")
          .format(path=out, width=size[0], height=size[1], frames=n, seconds=n / args.fps))
    return 2 if result.errors else 0


def _demo(args) -> int:
    from twinviewer.demo.generator import generate_district

    kwargs = {} if args.seed is None else {"seed": args.seed}
    scene = generate_district(Path(args.out), objects=args.objects, **kwargs)
    print(translate("cli", "wrote {path}").format(path=scene))
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
        print(translate("cli", "{source} -> {store}:{table}  ({objects} objects, {geometry}, "
                               "{crs})").format(
            source=r.source, store=args.into, table=r.table, objects=r.objects,
            geometry=r.geometry_type or translate("cli", "no geometry"),
            crs=r.crs or translate("cli", "no CRS")))
        for w in r.warnings:
            print(f"    ! {w}")
    return 0


@_store_command
def _log(args) -> int:
    from twinviewer.store import GeoPackageStore
    from twinviewer.store.postgis import PostGISStore, is_postgis_url

    store = PostGISStore(args.store) if is_postgis_url(args.store) else \
        GeoPackageStore(args.store)  # a PostGIS twin: the rows the role may read
    entries = store.log(oid=args.oid, layer=args.layer)
    if args.json:
        print(json.dumps([e.to_dict() for e in entries], ensure_ascii=False, indent=2))
        return 0
    for e in entries:
        obj = f"{e.layer}#{e.oid}" if e.oid is not None else e.layer
        print(f"{e.ts}  {e.user}  {obj}  {e.field}: {e.old if e.old is not None else '∅'} -> "
              f"{e.new if e.new is not None else '∅'}  [{e.label}]")
    if not entries:
        print(translate("cli", "no saved edits for this object") if args.oid is not None
              else translate("cli", "no saved edits"))
    return 0


@_store_command
def _apply(args) -> int:
    from twinviewer.store import GeoPackageStore

    store = GeoPackageStore(args.store, user=args.user)
    report = store.apply_csv(args.csv, partial=args.partial)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        text = translate("cli", "{csv} ({encoding}): {changed} rows changed, {unchanged} "
                                "unchanged, {refused} refused") if report.applied else \
            translate("cli", "{csv} ({encoding}): {changed} rows would change, {unchanged} "
                             "unchanged, {refused} refused")
        print(text.format(csv=args.csv, encoding=report.encoding, changed=report.changed,
                          unchanged=report.unchanged,
                          refused=len({r.line for r in report.refused})))
        for r in report.refused:
            print("  " + translate("cli", "refused {row}").format(row=r))
    if report.refused and not report.applied:
        return _fail(translate("cli", "{csv}: {n} rows refused; nothing was changed (fix them, "
                                      "or apply the others with --partial)").format(
            csv=args.csv, n=len({r.line for r in report.refused})))
    return 0


@_store_command
def _publish(args) -> int:
    from twinviewer.store.pg_publish import publish, write_scene

    result = publish(args.scene, args.url, sensitive=args.sensitive, replace=args.replace)
    for table, n in result.layers.items():
        hidden = result.sensitive.get(table)
        print(translate("cli", "{table}: {n} objects -> {url}").format(
            table=table, n=n, url=result.url) + (
            "  " + translate("cli", "(sensitive: {fields})").format(fields=", ".join(hidden))
            if hidden else ""))
    print(translate("cli", "edit log: {n} rows; roles: {roles}").format(
        n=result.log_rows, roles=", ".join(result.roles.values())))
    if args.write_scene:
        print(translate("cli", "wrote {path}").format(
            path=write_scene(args.scene, result.url, args.write_scene)))
    return 0


def _query(args) -> int:
    """``query``: objects inside an area (and matching ``--where``), counted and summed."""
    from twinviewer.core.query import (
        FilterEngine,
        QueryError,
        area_from_wkt,
        area_of_object,
        select_within,
        where_rows,
    )
    from twinviewer.core.summary import SUM_FIELDS, summarize
    from twinviewer.io.loader import load, spec_for

    fields = SUM_FIELDS if args.sum is None else \
        tuple(f.strip() for f in args.sum.split(",") if f.strip())
    if not fields:
        raise LoadError(translate("cli", "--sum names no field (write --sum 户数,人口)"))
    if args.export is not None:
        from twinviewer.core.selection_export import check_export_path

        check_export_path(args.export)
    result = load(spec_for([args.path]))
    for e in result.errors:
        print(error_line(e), file=sys.stderr)
    if not result.layers:
        return 2
    scene = result.to_scene()
    if args.sum is not None:
        numeric = {str(c) for lyr in scene.layers for c in lyr.table.df.columns
                   if lyr.table.df[c].dtype.kind in "iuf"}
        for f in fields:
            if f not in numeric:
                return _fail(translate("cli", "--sum: no layer has a numeric field {field}")
                             .format(field=repr(f)))
    try:
        area = area_of_object(scene, args.within) if args.within is not None else \
            area_from_wkt(args.within_wkt, scene)
    except QueryError as exc:
        return _fail(f"{'--within' if args.within is not None else '--within-wkt'}: {exc}")
    selected = select_within(scene, area, visible_only=False)
    if args.where is not None:
        try:
            selected = where_rows(scene, selected, args.where, FilterEngine())
        except QueryError as exc:
            return _fail(f"--where {args.where!r}: {exc}")
    summary = summarize(scene, selected, fields)
    if args.export is not None:
        from twinviewer.headless_export import export_selection

        written = export_selection(scene, selected, args.export, fields=fields,
                                   filter_name=args.filter)
        print(translate("cli", "wrote {path}").format(path=written),
              file=sys.stderr if args.json else sys.stdout)
    if args.json:
        print(json.dumps(summary.as_json(), ensure_ascii=False, indent=2))
        return 2 if result.errors else 0
    area_name = args.within or translate("cli", "the polygon")
    crs = scene.crs_label or translate("cli", "no CRS")
    if args.where:
        print(translate("cli", "{n} objects within {area} where {expr} ({crs})").format(
            n=summary.objects, area=area_name, expr=args.where, crs=crs))
    else:
        print(translate("cli", "{n} objects within {area} ({crs})").format(
            n=summary.objects, area=area_name, crs=crs))
    for name, n in summary.layers.items():
        print(f"  {name}: {n}")
    if summary.classes:
        print(translate("cli", "classes:"))
        for cls, n in summary.classes.items():
            print(f"  {cls}: {n}")
    for f, v in summary.sums.items():
        print(translate("cli", "{field}: total {total}, mean {mean}").format(
            field=f, total=f"{v:,}", mean=f"{summary.means[f]:,.6g}"))
    return 2 if result.errors else 0


_COMMANDS = {"open": _open, "info": _info, "render": _render, "demo": _demo,
             "import": _import, "log": _log, "apply": _apply, "video": _video,
             "publish": _publish,
             "query": _query, "tiles": lambda args: args.tiles_func(args),
             "analyse": lambda args: _analyse(args),
             "cases": lambda a: cases_cli.run_cases(a), "listen": lambda a: cases_cli.run_listen(a)}


def _analyse(args) -> int:
    from twinviewer.cli_analyse import run
    return run(args)
