"""``twinviewer tiles convert`` and ``twinviewer info`` on an OSGB folder."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from twinviewer.i18n import translate


def add_convert_parser(subparsers) -> argparse.ArgumentParser:
    """Add ``convert`` to the ``twinviewer tiles`` sub-commands."""
    p = subparsers.add_parser("convert", help=translate(
        "cli", "convert an OSGB (ContextCapture) folder into a 3D Tiles cache, resumable"))
    p.add_argument("folder", help=translate("cli", "folder with metadata.xml and Data/"))
    p.add_argument("--out", required=True, help=translate(
        "cli", "output folder (tileset.json, tiles/, manifest.jsonl)"))
    p.add_argument("--workers", type=int, default=None,
                   help=translate("cli", "files converted at once (default: CPU count)"))
    p.add_argument("--json", action="store_true",
                   help=translate("cli", "print the summary as JSON"))
    p.set_defaults(tiles_func=run_convert)
    return p


def _progress(done: int, known: int, name: str) -> None:
    print(translate("cli", "[{done}/{known}] converted {file}").format(
        done=done, known=known, file=name), file=sys.stderr, flush=True)


def run_convert(args) -> int:
    """Convert with a progress line per file on stderr; warnings each on one line."""
    from twinviewer.io.osgb_convert import convert_osgb

    result = convert_osgb(args.folder, args.out, workers=args.workers, progress=_progress)
    for w in result.warnings:
        print("twinviewer: " + translate("cli", "warning: {message}").format(message=w),
              file=sys.stderr)
    if args.json:
        print(json.dumps({**result.as_dict(), "converted": result.converted},
                         ensure_ascii=False, indent=2))
    else:
        print(translate("cli", "{tileset}: {tiles} tiles, {contents} contents, depth {depth}, "
                               "{converted} files converted now").format(
            tileset=result.tileset, tiles=result.tiles, contents=result.contents,
            depth=result.depth, converted=result.converted))
    return 0


def is_osgb(path: str | Path) -> bool:
    """A folder that is, or looks meant to be, an OSGB export (``Data/`` or
    ``metadata.xml``): ``info`` then names what is wrong with it, not a vector error."""
    path = Path(path)
    return path.is_dir() and ((path / "metadata.xml").is_file() or (path / "Data").is_dir())


def run_info(args) -> int:
    """``twinviewer info`` on an OSGB folder: converted (cached) and summarised."""
    from twinviewer.io.osgb_convert import converted_tileset

    # a first look converts (with progress); later ones read the cache's manifest
    result = converted_tileset(args.path, progress=_progress)
    info = {"path": str(args.path), "kind": "osgb", "tiles": result.tiles,
            "contents": result.contents, "depth": result.depth, "bounds": result.bounds,
            "crs": result.crs, "tileset": str(result.tileset), "warnings": result.warnings}
    if args.json:
        print(json.dumps(info, ensure_ascii=False, indent=2))
    else:
        b = result.bounds
        box = translate("cli", "no geometry") if b is None else \
            "[{:.3f}, {:.3f}, {:.3f}] - [{:.3f}, {:.3f}, {:.3f}]".format(*b)
        print(translate("cli", "{path} (osgb, {crs}): {tiles} tiles, {contents} contents, "
                               "depth {depth}, {box}").format(
            path=args.path, crs=result.crs, tiles=result.tiles, contents=result.contents,
            depth=result.depth, box=box))
        for w in result.warnings:
            print(f"      ! {w}")
    return 0
