"""The CLI's tiles parts: ``info`` on a tileset, and ``render``'s ``--stats``, ``--select``,
``--bookmark`` and ``--tiles-timeout`` (cli.py only registers and dispatches).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from twinviewer.core.errors import LoadError
from twinviewer.i18n import translate


def is_tileset_source(path: str) -> bool:
    """Whether ``info`` should describe ``path`` as a tileset (a tileset.json or URL)."""
    from twinviewer.io.registry import kind_of, scheme_of

    if scheme_of(path) in ("http", "https"):
        return True
    p = Path(path)
    if p.is_dir() and (p / "tileset.json").is_file():
        return True
    return p.is_file() and kind_of(p) == "tiles"


MAX_FEATURE_COUNT_CONTENTS = 5000


def describe_tileset(path: str) -> dict:
    """``tiles`` (every tile, external tilesets' and available implicit ones included),
    ``contents`` (renderable contents), ``depth`` (root 0), ``bounds``, ``crs`` and
    ``features`` (in the contents' batch/property tables, every level of detail
    counted; None for a URL or more than 5000 contents)."""
    from twinviewer.core.crs import crs_label, parse_crs, scene_crs_for
    from twinviewer.tiles.features import count_in_file
    from twinviewer.tiles.fetch import is_url
    from twinviewer.tiles.layer import read_tileset

    layer = read_tileset(path)[0]
    crs = scene_crs_for(parse_crs(layer.crs), layer.source_bounds) if layer.crs else None
    layer.place(crs, np.zeros(3))
    tiles = contents = depth = 0
    uris = []
    for tile in layer.root.walk(expand=True):
        tiles += 1
        contents += len(tile.content.uris) if tile.content is not None else 0
        uris += list(tile.content.uris) if tile.content is not None else []
        depth = max(depth, tile.level)
    errors = list(layer.tree.errors)
    # features in the contents' batch/property tables (every level of detail counted):
    # headers only, for local tilesets of a size where reading them is cheap
    features = None
    if not is_url(str(layer.uri)) and len(uris) <= MAX_FEATURE_COUNT_CONTENTS:
        features = sum(count_in_file(u) or 0 for u in uris)
    return {"path": str(path), "kind": "tiles", "version": layer.version,
            "tiles": tiles, "contents": contents, "depth": depth,
            "bounds": [round(v, 3) for v in layer.bounds()],
            "crs": crs_label(crs) if crs is not None else None,
            "extensions_required": sorted(layer.tree.extensions), "features": features,
            "errors": errors}


def info(args) -> int:
    """``twinviewer info TILESET``."""
    out = describe_tileset(args.path)
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        print(translate("cli", "{path}: 3D Tiles {version}, {tiles} tiles, {contents} "
                               "contents, depth {depth}").format(**out))
        print("  " + translate("cli", "CRS: {crs}").format(
            crs=out["crs"] or translate("cli", "no CRS")))
        print("  " + "[{:.3f}, {:.3f}, {:.3f}] - [{:.3f}, {:.3f}, {:.3f}]".format(
            *out["bounds"]))
    for e in out["errors"]:
        print(e, file=sys.stderr)
    return 2 if out["errors"] else 0


def add_render_options(p) -> None:
    """The tiles-related options of ``render``."""
    p.add_argument("--stats", default=None,
                   help=translate("cli", "write per tiles layer tiles_drawn, deepest_level "
                                         "and resident_bytes to this JSON file"))
    p.add_argument("--select", action="append", default=[],
                   help=translate("cli", "LAYER:OID[,OID...]: render with these objects "
                                         "highlighted"))
    p.add_argument("--bookmark", default=None,
                   help=translate("cli", "render from this bookmark of the scene file"))
    p.add_argument("--tiles-timeout", type=float, default=60.0,
                   help=translate("cli", "seconds to wait for the view's tiles (default 60)"))


def prepare_scene(scene, args) -> None:
    """Apply ``--bookmark`` and ``--select`` to a loaded scene (before rendering)."""
    if getattr(args, "bookmark", None):
        names = [b.name for b in scene.bookmarks]
        if args.bookmark not in names:
            raise LoadError(translate("cli", "no bookmark named {name!r} (bookmarks: "
                                             "{names})").format(name=args.bookmark,
                                                                names=", ".join(names) or "-"))
        scene.view = scene.bookmarks[names.index(args.bookmark)].view
    for item in getattr(args, "select", []) or []:
        name, sep, ids = item.rpartition(":")
        if not sep or not name:
            raise LoadError(translate("cli", "--select {value!r} is not LAYER:OID[,OID...]")
                            .format(value=item))
        try:
            layer = scene.layer(name)
        except KeyError:
            raise LoadError(translate("cli", "--select: no layer named {name!r}").format(
                name=name)) from None
        oids = layer.table.oid
        rows = []
        for text in ids.split(","):
            hit = np.nonzero(oids.astype(str) == text.strip())[0]
            if not len(hit):
                raise LoadError(translate("cli", "--select: layer {name!r} has no object "
                                                 "{oid}").format(name=name, oid=text.strip()))
            rows.append(int(hit[0]))
        scene.selection.select(layer.name, rows, add=True)


def render(scene, out: Path, size: tuple[int, int], args) -> dict:
    """Render as ``render_image`` does, then write ``--stats``; returns the stats."""
    import pyvista as pv

    from twinviewer.render.scene_view import SceneView, make_theme

    prepare_scene(scene, args)
    plotter = pv.Plotter(off_screen=True, window_size=list(size), theme=make_theme())
    try:
        view = SceneView(plotter, scene)
        complete = view.tiles.wait(args.tiles_timeout) if view.tiles.active else True
        view.render()
        plotter.screenshot(str(out))
        stats = view.tiles.stats()
        view.close()
    finally:
        plotter.close()
    if not complete:
        print(translate("cli", "warning: not every tile arrived within {s:g} s").format(
            s=args.tiles_timeout), file=sys.stderr)
    if getattr(args, "stats", None):
        Path(args.stats).write_text(json.dumps(stats, ensure_ascii=False, indent=2),
                                    encoding="utf-8")
    return stats
