"""OSGB pyramid to a 3D Tiles cache: once, in a worker pool, resumable, with progress.

Every PagedLOD node of every ``.osgb`` becomes one tile: its embedded geometry is its
content (a glb, textures kept) and the files it names are its children. Vertices are
placed exactly, vertex by vertex: model coordinates + SRSOrigin, then the SRS to ECEF
with pyproj (or the ENU frame's rotation), then minus the tile's centre, which the
tile's ``transform`` carries in float64. The glb is y-up as the 3D Tiles spec has it.

``manifest.jsonl`` in the output folder has one line per converted file; a rerun
skips those and converts only what is new or was interrupted. A missing or unreadable
child file is a warning naming it: the tile that names it stays a leaf (marked in its
``extras``), so the traversal keeps drawing it.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from twinviewer.core.errors import LoadError
from twinviewer.i18n import translate
from twinviewer.io.osgb import (
    Georef,
    node_osgt,
    read_metadata,
    run_osgconv,
    scan_osgt,
    top_tiles,
)

log = logging.getLogger(__name__)

MANIFEST = "manifest.jsonl"
SUMMARY = "summary.json"
Y_UP = np.array([[1.0, 0, 0], [0, 0, 1.0], [0, -1.0, 0]])  # z-up tile frame -> glTF y-up

Progress = Callable[[int, int, str], None]  # (files done, files known, file)


@dataclass
class Conversion:
    """What a conversion produced: the tileset and the figures ``info`` prints."""

    tileset: Path
    tiles: int
    contents: int
    depth: int
    bounds: list[float] | None
    crs: str
    converted: int = 0  # files converted in this run (the rest came from the manifest)
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"tileset": str(self.tileset), "tiles": self.tiles, "contents": self.contents,
                "depth": self.depth, "bounds": self.bounds, "crs": self.crs,
                "warnings": self.warnings}


def convert_osgb(folder: str | Path, out: str | Path, *, workers: int | None = None,
                 progress: Progress | None = None) -> Conversion:
    """Convert a ContextCapture folder into ``out/tileset.json`` + ``out/tiles/*.glb``.

    Parameters
    ----------
    folder : path
        The folder holding ``metadata.xml`` and ``Data/``.
    out : path
        The cache folder (created; a previous run's manifest there is resumed).
    workers : int, optional
        Files converted at once (default: the CPU count, at most 8).
    progress : callable, optional
        ``progress(done, known, file)`` after each file.

    Raises
    ------
    LoadError
        No ``metadata.xml``, an unknown SRS, no tiles in ``Data/``, or no file readable.
    """
    folder, out = Path(folder), Path(out)
    georef = read_metadata(folder)
    data = folder / "Data"
    if not data.is_dir():
        raise LoadError(translate("LoadError", "not an OSGB folder: no Data/ folder"), folder)
    tops = [p.relative_to(data).as_posix() for p in top_tiles(folder)]
    if not tops:
        raise LoadError(translate("LoadError", "no Data/Tile_*/Tile_*.osgb tiles"), data)
    out.mkdir(parents=True, exist_ok=True)
    (out / "tiles").mkdir(exist_ok=True)
    records = _read_manifest(out, folder, georef)
    warnings: list[str] = []
    converted = _convert_files(data, out, georef, tops, records, workers, progress)
    tileset, stats = _write_tileset(out, georef, tops, records, warnings)
    for w in warnings:
        log.warning("%s", w)
    result = Conversion(tileset, stats["tiles"], stats["contents"], stats["depth"],
                        stats["bounds"], georef.crs_label, converted, warnings)
    (out / SUMMARY).write_text(json.dumps(result.as_dict(), ensure_ascii=False, indent=1),
                               encoding="utf-8")
    return result


# -- the manifest ----------------------------------------------------------------------
def _read_manifest(out: Path, folder: Path, georef: Georef) -> dict[str, dict]:
    """Records of files converted before, for the same source and SRS; else a new one."""
    path = out / MANIFEST
    head = {"source": str(folder.resolve()), "srs": georef.srs, "origin": list(georef.origin)}
    records: dict[str, dict] = {}
    if path.is_file():
        lines = path.read_text(encoding="utf-8").splitlines()
        try:
            first = json.loads(lines[0]) if lines else None
        except json.JSONDecodeError:
            first = None
        if first == head:
            for line in lines[1:]:
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError:  # a line cut by an interrupted run
                    continue
                # failed files are tried again: the user may have fixed or copied them
                if rec.get("error") is None and all(
                        (out / n["content"]).is_file() for n in rec["nodes"] if n["content"]):
                    for node in rec["nodes"]:  # a child copied in since is followed now
                        node["missing"] = [c for c in node["children"]
                                           if not (folder / "Data" / c).is_file()]
                    records[rec["file"]] = rec
            return records
    path.write_text(json.dumps(head) + "\n", encoding="utf-8")
    return records


def _convert_files(data: Path, out: Path, georef: Georef, tops: list[str],
                   records: dict[str, dict], workers: int | None,
                   progress: Progress | None) -> int:
    """Convert every file reachable from ``tops`` not yet in ``records`` (appended to
    the manifest as each finishes). Returns how many were converted."""
    workers = workers or min(8, os.cpu_count() or 1)
    known = set(tops)
    todo = list(tops)
    converted = 0
    with ThreadPoolExecutor(max_workers=workers) as pool, \
            open(out / MANIFEST, "a", encoding="utf-8") as manifest:
        running: dict = {}
        while todo or running:
            while todo and len(running) < 2 * workers:
                rel = todo.pop(0)
                if rel in records:  # converted by an earlier run: just follow it, quietly
                    for child in _children_of(records[rel]):
                        if child not in known:
                            known.add(child)
                            todo.append(child)
                    continue
                running[pool.submit(convert_file, data, rel, georef, out)] = rel
            if not running:
                continue
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for fut in finished:
                rel = running.pop(fut)
                rec = fut.result()
                records[rel] = rec
                converted += 1
                manifest.write(json.dumps(rec, ensure_ascii=False) + "\n")
                manifest.flush()
                for child in _children_of(rec):
                    if child not in known:
                        known.add(child)
                        todo.append(child)
                if progress:
                    progress(len(records), len(known), rel)
    return converted


def _children_of(rec: dict) -> list[str]:
    """The child files a converted file names, less those known to be missing."""
    return [c for n in rec["nodes"] for c in n["children"] if c not in n.get("missing", ())]


# -- one file ----------------------------------------------------------------------------
def convert_file(data: Path, rel: str, georef: Georef, out: Path) -> dict:
    """Convert one ``.osgb`` (path ``rel`` under ``Data/``) into glb contents.

    Never raises for bad content: a missing or unreadable file gives a record with
    ``error`` set (one line naming the file), which the tileset turns into a warning.
    """
    src = data / rel
    rec: dict = {"file": rel, "nodes": [], "error": None}
    if not src.is_file():
        rec["error"] = translate("LoadError", "{file}: missing tile file").format(file=src)
        return rec
    work = Path(tempfile.mkdtemp(prefix="twinviewer-osgb-"))
    try:
        # images are written out beside the osgt, so the obj's materials find them
        run_osgconv(src.resolve(), Path("scene.osgt"), options="WriteImageHint=WriteOut",
                    cwd=work)
        scene = scan_osgt((work / "scene.osgt").read_text(encoding="utf-8", errors="replace"))
        base = Path(rel).parent
        stem = _safe(rel)
        if not scene.lods:  # a plain leaf: the whole file is one tile
            rec["nodes"].append(_node(work, Path("scene.osgt"), georef, out, stem,
                                      error=0.0, radius=None, children=[]))
        for k, lod in enumerate(scene.lods):
            children = [(base / f).as_posix() for f in lod.child_files]
            text = node_osgt(scene, lod)
            node_file = Path(f"node_{k}.osgt")
            (work / node_file).write_text(text, encoding="utf-8")
            has_geometry = bool(lod.children_text.strip())
            rec["nodes"].append(_node(work, node_file if has_geometry else None, georef, out,
                                      f"{stem}_{k}", error=lod.geometric_error(),
                                      radius=lod.radius, children=children,
                                      sphere=lod.center))
    except LoadError as exc:
        rec["nodes"] = []
        rec["error"] = exc.message
    except (ValueError, OSError) as exc:  # an osgt we cannot follow, a full disk
        rec["nodes"] = []
        rec["error"] = translate("LoadError", "{file}: cannot convert ({detail})").format(
            file=src, detail=exc)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if rec["error"] is None:
        for k, node in enumerate(rec["nodes"]):
            node["source"] = f"{rel}#{k}"
            node["missing"] = [c for c in node["children"] if not (data / c).is_file()]
    return rec


def _safe(rel: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "+-_" else "_" for ch in rel.rsplit(".", 1)[0])


def _node(work: Path, osgt: Path | None, georef: Georef, out: Path, name: str, *,
          error: float, radius: float | None, children: list[str],
          sphere=None) -> dict:
    """One tile: its glb (``None`` without geometry), ECEF centre and box, error."""
    import trimesh

    node = {"key": name, "content": None, "center": None, "lo": None, "hi": None, "local": None,
            "error": float(error), "children": children, "triangles": 0}
    if osgt is not None:
        obj = osgt.with_suffix(".obj")
        run_osgconv(osgt, obj, cwd=work)
        loaded = trimesh.load(work / obj, process=False, force="scene")
        meshes = [g for g in loaded.geometry.values()
                  if isinstance(g, trimesh.Trimesh) and len(g.faces)]
        if meshes:
            local = np.concatenate([m.vertices for m in meshes])
            ecef = [georef.to_ecef(m.vertices) for m in meshes]
            allp = np.concatenate(ecef)
            lo, hi = allp.min(axis=0), allp.max(axis=0)
            center = (lo + hi) / 2.0
            out_scene = trimesh.Scene()
            for m, p in zip(meshes, ecef, strict=True):
                m.vertices = (p - center) @ Y_UP.T
                out_scene.add_geometry(m)
            uri = f"tiles/{name}.glb"
            tmp = out / f"{uri}.part"
            tmp.write_bytes(out_scene.export(file_type="glb"))
            tmp.replace(out / uri)  # whole or absent: a resumed run never sees half a glb
            node.update(content=uri, center=center.tolist(), lo=(lo - center).tolist(),
                        hi=(hi - center).tolist(), triangles=int(sum(len(m.faces)
                                                                     for m in meshes)),
                        local=[*local.min(axis=0).tolist(), *local.max(axis=0).tolist()])
    if node["center"] is None and sphere is not None and radius:
        c = georef.to_ecef(np.asarray([sphere]))[0]
        node.update(center=c.tolist(), lo=[-radius] * 3, hi=[radius] * 3)
    return node


# -- the tileset -------------------------------------------------------------------------
def _write_tileset(out: Path, georef: Georef, tops: list[str], records: dict[str, dict],
                   warnings: list[str]) -> tuple[Path, dict]:
    stats = {"tiles": 1, "contents": 0, "depth": 0}
    local_lo, local_hi = np.full(3, np.inf), np.full(3, -np.inf)
    warned: set[str] = set()

    def warn(text: str) -> None:
        if text not in warned:
            warned.add(text)
            warnings.append(text)

    def nodes_of(rel: str, path: tuple[str, ...]) -> list[dict] | None:
        rec = records.get(rel)
        if rec is None or rec["error"] or rel in path:
            if rec is not None and rec["error"]:
                warn(rec["error"])
            return None
        return rec["nodes"]

    def build(node: dict, path: tuple[str, ...], level: int) -> dict | None:
        nonlocal local_lo, local_hi
        kids, missing = [], list(node.get("missing", []))
        for m in missing:
            warn(translate("LoadError", "{file}: missing tile file, its parent stays "
                                        "drawn").format(file=m))
        for child in node["children"]:
            if child in missing:
                continue
            sub = nodes_of(child, path)
            if sub is None:
                missing.append(child)
                continue
            kids += [t for t in (build(n, (*path, child), level + 1) for n in sub) if t]
        if node["center"] is None and not kids:
            return None
        stats["tiles"] += 1
        stats["depth"] = max(stats["depth"], level)
        lo, hi = _box_of(node, kids)
        tile: dict = {"_lo": lo, "_hi": hi, "geometricError": float(node["error"]),
                      "refine": "REPLACE", "_kids": kids}
        if node["content"]:
            stats["contents"] += 1
            tile["content"] = {"uri": node["content"]}
            tile["_origin"] = np.asarray(node["center"])
            local_lo = np.minimum(local_lo, node["local"][:3])
            local_hi = np.maximum(local_hi, node["local"][3:])
        if kids:
            top = max(k["geometricError"] for k in kids)
            if tile["geometricError"] <= top:  # parents must err more than children
                tile["geometricError"] = max(2.0 * top, float(np.linalg.norm(hi - lo)) / 8.0)
        else:
            tile["geometricError"] = 0.0  # a leaf, or kept whole for a missing child
        tile["extras"] = {"osgb": node["source"]}
        if missing:
            tile["extras"]["osgb_missing_children"] = missing
        return tile

    tops_built = []
    for rel in tops:
        for n in nodes_of(rel, ()) or []:
            t = build(n, (rel,), 1)
            if t:
                tops_built.append(t)
    if not tops_built:
        first = next((r["error"] for r in records.values() if r["error"]), None)
        raise LoadError(first or translate("LoadError", "no tile could be converted"),
                        out if first is None else None)
    lo = np.min([t["_lo"] for t in tops_built], axis=0)
    hi = np.max([t["_hi"] for t in tops_built], axis=0)
    root = {"_lo": lo, "_hi": hi, "_kids": tops_built, "refine": "REPLACE",
            "geometricError": max(2.0 * max(t["geometricError"] for t in tops_built),
                                  float(np.linalg.norm(hi - lo)) / 4.0)}
    root_json = _finish(root, np.zeros(3))
    doc = {"asset": {"version": "1.1", "generator": "twinviewer tiles convert (OSGB)"},
           "geometricError": root_json["geometricError"], "root": root_json,
           "extras": {"twinviewer": {"source": "osgb", "srs": georef.srs,
                                     "srs_origin": list(georef.origin),
                                     "crs": georef.crs_label}}}
    path = out / "tileset.json"
    tmp = out / "tileset.json.part"
    tmp.write_text(json.dumps(doc, indent=1), encoding="utf-8")
    tmp.replace(path)
    o = np.asarray(georef.origin)
    bounds = None
    if np.all(np.isfinite(local_lo)):
        bounds = [round(float(v), 6) for v in (*(local_lo + o), *(local_hi + o))]
    stats["bounds"] = bounds
    return path, stats


def _box_of(node: dict, kids: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    """The ECEF box (absolute) around a node's content and its children."""
    los, his = [k["_lo"] for k in kids], [k["_hi"] for k in kids]
    if node["center"] is not None:
        c = np.asarray(node["center"])
        los.append(c + node["lo"])
        his.append(c + node["hi"])
    return np.min(los, axis=0), np.max(his, axis=0)


def _finish(tile: dict, parent_origin: np.ndarray) -> dict:
    """JSON of a tile: its frame is its content's centre (else its box's), given as a
    translation from the parent's frame, and its box in that frame."""
    lo, hi = tile.pop("_lo"), tile.pop("_hi")
    origin = tile.pop("_origin", (lo + hi) / 2.0)
    kids = tile.pop("_kids")
    centre, half = (lo + hi) / 2.0 - origin, np.maximum((hi - lo) / 2.0, 1e-3)
    out = {"boundingVolume": {"box": [*centre.tolist(), half[0], 0.0, 0.0, 0.0, half[1], 0.0,
                                      0.0, 0.0, half[2]]}}
    move = origin - parent_origin
    out["transform"] = [1.0, 0, 0, 0, 0, 1.0, 0, 0, 0, 0, 1.0, 0, *move.tolist(), 1.0]
    out.update(tile)
    if kids:
        out["children"] = [_finish(k, origin) for k in kids]
    return out


# -- as a layer --------------------------------------------------------------------------
def cache_folder(folder: str | Path, cache: str | Path | None = None) -> Path:
    """Where the 3D Tiles cache of an OSGB folder lives: ``cache`` when given, else
    ``$XDG_CACHE_HOME/twinviewer/osgb/<hash of the folder's path>``."""
    if cache is not None:
        return Path(cache)
    from twinviewer.io.osgb import cache_key

    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "twinviewer" / "osgb" / cache_key(Path(folder))


def converted_tileset(folder: str | Path, *, cache: str | Path | None = None,
                      progress: Progress | None = None) -> Conversion:
    """The OSGB folder's 3D Tiles cache, converting what is not converted yet (a folder
    converted before costs one pass over its manifest)."""
    return convert_osgb(folder, cache_folder(folder, cache), progress=progress)


def read_osgb(path: str | Path, progress=None, *, cache: str | None = None,
              **options) -> list:
    """The reader registry's ``osgb`` kind: convert (cached), then read the tileset.

    The layers come from the 3D Tiles reader, ``twinviewer.tiles.layer:read_tileset``
    (called with the converted ``tileset.json`` and the remaining scene-file
    ``options``), so a converted scan streams exactly as any tileset does.
    """
    import importlib

    step = None
    if progress is not None:  # the loader's (fraction, label) from files done / known
        def step(done: int, known: int, name: str) -> None:
            progress(done / max(known, 1), name)
    conversion = converted_tileset(path, cache=cache, progress=step)
    try:
        reader = importlib.import_module("twinviewer.tiles.layer").read_tileset
    except (ImportError, AttributeError):
        raise LoadError(translate("LoadError", "converted to {tileset}, but this build "
                                               "has no 3D Tiles reader").format(
            tileset=conversion.tileset), path) from None
    layers = reader(conversion.tileset, **options)
    for layer in layers:
        layer.source = str(path)
        layer.warnings.extend(conversion.warnings)
    return layers
