"""CityJSON reader: CityJSON 1.0/1.1/2.0 files and CityJSONSeq streams as one layer.

One row per CityObject (every object counts, with or without geometry) and the
geometry of the chosen LoD batched per primitive kind: surfaces are triangulated
into one :class:`TriangleBatch` (coloured by semantic surface or material), line
strings become one :class:`LineBatch`, points one :class:`PointBatch`.

Anything wrong with the file is reported as a :class:`LoadError` naming the file,
and where possible the CityObject or line, in one sentence.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import mapbox_earcut
import numpy as np

from twinviewer.core.errors import LoadError
from twinviewer.core.layer import Layer, LineBatch, PointBatch, TriangleBatch
from twinviewer.core.table import ObjectTable
from twinviewer.i18n import translate

__all__ = ["DEFAULT_MAX_BYTES", "MAX_ABS_COORD", "normalise_crs", "read_cityjson"]

DEFAULT_MAX_BYTES = 2 * 1024**3
"""Files larger than this are refused before reading (2 GiB)."""

MAX_ABS_COORD = 1e9
MAX_VERTICES = 100_000_000  # ~2.4 GB as float64: beyond any district model
"""Coordinates beyond this (metres or degrees) are taken as a broken file."""

_SUFFIXES = (".city.jsonl", ".city.json", ".jsonl", ".json")

# Nesting depth of surfaces inside ``boundaries`` (0: a list of surfaces).
_SURFACE_DEPTH = {
    "MultiSurface": 0,
    "CompositeSurface": 0,
    "Solid": 1,
    "MultiSolid": 2,
    "CompositeSolid": 2,
}
_GEOMETRY_TYPES = (*_SURFACE_DEPTH, "MultiPoint", "MultiLineString", "GeometryInstance")

DEFAULT_COLOR = (210, 210, 210, 255)
SEMANTIC_COLORS: dict[str, tuple[int, int, int, int]] = {
    "RoofSurface": (168, 74, 54, 255),
    "WallSurface": (232, 224, 206, 255),
    "GroundSurface": (80, 80, 80, 255),
    "ClosureSurface": (220, 220, 220, 255),
    "OuterCeilingSurface": (200, 196, 188, 255),
    "OuterFloorSurface": (150, 150, 150, 255),
    "Window": (140, 180, 210, 255),
    "Door": (126, 92, 64, 255),
    "WaterSurface": (90, 150, 210, 255),
    "WaterGroundSurface": (70, 90, 110, 255),
    "WaterClosureSurface": (150, 190, 220, 255),
    "TrafficArea": (110, 110, 115, 255),
    "AuxiliaryTrafficArea": (150, 170, 120, 255),
    "TransportationMarking": (245, 245, 245, 255),
}

_RESERVED_COLUMNS = ("oid", "type", "parent", "children", "lod")
_INT_LIMIT = 2**53


_UNSET = object()


class _Bad(Exception):
    """A problem in the file; the message says what, callers prefix where."""


def read_cityjson(
    path: str | Path,
    *,
    name: str | None = None,
    lod: str | float | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> list[Layer]:
    """Read a CityJSON file (``.city.json``/``.json``) or CityJSONSeq (``.jsonl``).

    Parameters
    ----------
    path : str or Path
        The file.
    name : str, optional
        Layer name; default the file name without its CityJSON suffix.
    lod : str or float, optional
        LoD to show (``"2.2"``, ``1.2``...).  Default: the highest LoD of each
        object.  Objects without the requested LoD get no geometry.
    max_bytes : int
        Larger files are refused with a :class:`LoadError`.

    Returns
    -------
    list of Layer
        Exactly one layer of ``kind="cityjson"``.

    Raises
    ------
    LoadError
        For any file that cannot be read (never another exception type).
    """
    p = Path(path)
    try:
        return [_read(p, name, lod, max_bytes)]
    except LoadError:
        raise
    except _Bad as exc:
        raise LoadError(str(exc), p) from None
    except MemoryError:
        raise LoadError(translate("LoadError", "not enough memory to read this file"),
                        p) from None
    except (KeyError, TypeError, ValueError, IndexError, AttributeError, OverflowError,
            RecursionError, ArithmeticError) as exc:
        raise LoadError(_describe(exc), p) from None


# --------------------------------------------------------------------------- reading


def _read(path: Path, name: str | None, lod: Any, max_bytes: int) -> Layer:
    lod_wanted = None
    if lod is not None:
        lod_wanted = _lod_number(lod)
        if lod_wanted is None:
            raise _Bad(translate("LoadError", "invalid LoD {lod!r} requested").format(lod=lod))
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise _Bad(translate("LoadError", "cannot open the file ({detail})").format(
            detail=exc.strerror or exc)) from None
    if not path.is_file():
        raise _Bad(translate("LoadError", "is not a file"))
    if size > max_bytes:
        raise _Bad(translate("LoadError", "file is {size:,} bytes, more than the limit of "
                                          "{limit:,} bytes").format(size=size, limit=max_bytes))
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise _Bad(translate("LoadError", "cannot read the file ({detail})").format(
            detail=exc.strerror or exc)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _Bad(translate("LoadError", "not a CityJSON file: the text is not UTF-8")) \
            from None
    del raw

    header, features = _split_documents(_parse_json(text))
    del text
    warnings: list[str] = []
    version = (header or {}).get("version")
    if header is not None and not (isinstance(version, str)
                                   and version.split(".")[0] in ("1", "2")):
        warnings.append(translate("LoadError", "unknown CityJSON version {version!r}; read as "
                                               "2.0").format(version=version))

    main = header if header is not None else features[0][1]
    transform = _transform(main.get("transform")) if header is not None else None
    crs = _crs_of(main, warnings)
    builder = _Builder(lod_wanted, main, warnings)
    if header is not None:
        verts = _vertex_array(header.get("vertices"), transform, "vertices")
        builder.add_document(header, verts, "")
    for line, feature in features:
        where = "" if line is None else _at_line(line)
        try:
            verts = _vertex_array(feature.get("vertices"), transform, "vertices")
        except _Bad as exc:
            raise _Bad(f"{where}{exc}") from None
        builder.add_document(feature, verts, where)
    layer_name = name if name is not None else _default_name(path)
    return builder.layer(layer_name, crs, str(path))


def _default_name(path: Path) -> str:
    fname = path.name
    low = fname.lower()
    for suffix in _SUFFIXES:
        if low.endswith(suffix) and len(fname) > len(suffix):
            return fname[: -len(suffix)]
    return path.stem or fname


def _parse_json(text: str) -> list[tuple[int | None, Any]]:
    """One document ``[(None, doc)]`` or the lines of a JSON sequence ``[(lineno, doc)...]``."""
    if not text.strip():
        raise _Bad(translate("LoadError", "not a CityJSON file: the file is empty"))
    try:
        return [(None, json.loads(text))]
    except RecursionError:
        raise _Bad(translate("LoadError", "invalid JSON: nested too deeply")) from None
    except ValueError as exc:
        whole = exc
    # Not one document: a CityJSONSeq (one JSON text per line)?
    docs: list[tuple[int | None, Any]] = []
    # Split on "\n" only: str.splitlines() would also cut at U+2028 inside JSON strings.
    for lineno, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            docs.append((lineno, json.loads(line)))
        except RecursionError:
            raise _Bad(_at_line(lineno) + translate("LoadError", "invalid JSON: nested too "
                                                                 "deeply")) from None
        except ValueError as exc:
            if not docs:  # the first line is no JSON text either: report the whole file
                raise _Bad(translate("LoadError", "invalid JSON ({detail})").format(
                    detail=_json_error(whole))) from None
            raise _Bad(_at_line(lineno) + translate("LoadError", "invalid JSON ({detail})")
                       .format(detail=_json_error(exc))) from None
    return docs


def _at_line(line: int) -> str:
    """``"line 3: "`` in the user's language, before a message about that line."""
    return translate("LoadError", "line {line}: ").format(line=line)


def _json_error(exc: ValueError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return translate("LoadError", "{problem} at line {line} column {column}").format(
            problem=exc.msg, line=exc.lineno, column=exc.colno)
    return str(exc)


def _split_documents(docs):
    """``(header or None, [(lineno, feature)...])``, checking each document's type."""
    header = None
    features = []
    for k, (line, doc) in enumerate(docs):
        where = "" if line is None else _at_line(line)
        if not isinstance(doc, dict):
            raise _Bad(where + translate("LoadError", "not a CityJSON file: expected a JSON "
                                                      "object, found {kind}").format(
                kind=_kind(doc)))
        dtype = doc.get("type")
        if dtype == "CityJSON" and k == 0:
            header = doc
        elif dtype == "CityJSONFeature":
            _check_feature(doc, where)
            features.append((line, doc))
        elif dtype == "CityJSON":
            raise _Bad(where + translate("LoadError", "a second CityJSON header inside a "
                                                      "CityJSONSeq"))
        elif dtype == "CityModel":
            raise _Bad(where + translate("LoadError", "CityJSON 0.x files ('type': 'CityModel') "
                                                      "are not supported; upgrade the file to "
                                                      "CityJSON 1.0 or later (e.g. with cjio)"))
        elif dtype is None:
            raise _Bad(where + translate("LoadError", "not a CityJSON file: no 'type' member "
                                                      "(expected 'CityJSON' or "
                                                      "'CityJSONFeature')"))
        else:
            raise _Bad(where + translate("LoadError", "not a CityJSON file: 'type' is {type} "
                                                      "(expected 'CityJSON' or "
                                                      "'CityJSONFeature')").format(
                type=_short(dtype)))
    return header, features


def _check_feature(doc: dict, where: str) -> None:
    objects = doc.get("CityObjects")
    if not isinstance(objects, dict):
        raise _Bad(where + translate("LoadError", "CityJSONFeature has no 'CityObjects' object"))
    root = doc.get("id")
    if not isinstance(root, str):
        raise _Bad(where + translate("LoadError", "CityJSONFeature has no 'id' (the id of its "
                                                  "main CityObject)"))
    if root not in objects:
        raise _Bad(where + translate("LoadError", "CityJSONFeature id {id!r} is not one of its "
                                                  "CityObjects").format(id=root))


def _transform(value) -> tuple[np.ndarray, np.ndarray] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise _Bad(translate("LoadError", "'transform' must be an object with 'scale' and "
                                          "'translate'"))
    out = []
    for key in ("scale", "translate"):
        v = value.get(key)
        if (not isinstance(v, list) or len(v) != 3
                or not all(_is_number(x) for x in v)):
            raise _Bad(translate("LoadError", "'{what}' must be three numbers").format(
                what=f"transform.{key}"))
        arr = np.array([float(x) for x in v])
        if not np.isfinite(arr).all():
            raise _Bad(translate("LoadError", "'{what}' {value} is not finite").format(
                what=f"transform.{key}", value=v))
        out.append(arr)
    return out[0], out[1]


def _vertex_array(raw, transform, what: str) -> np.ndarray:
    """Vertices as float64 ``(n, 3)`` real coordinates, checked for sanity."""
    if raw is None:
        return np.empty((0, 3))
    if not isinstance(raw, list):
        raise _Bad(translate("LoadError", "'{what}' must be a list of [x, y, z]").format(
            what=what))
    if not raw:
        return np.empty((0, 3))
    if len(raw) > MAX_VERTICES:  # refuse before numpy allocates gigabytes
        raise _Bad(translate("LoadError", "'{what}' holds {n:,} vertices, more than twinviewer "
                                          "reads ({limit:,})").format(
            what=what, n=len(raw), limit=MAX_VERTICES))
    try:
        arr = np.asarray(raw)
    except (ValueError, TypeError, OverflowError):
        raise _Bad(translate("LoadError", "'{what}' must be a list of [x, y, z] numbers")
                   .format(what=what)) from None
    if arr.ndim != 2 or arr.shape[1] != 3:
        raise _Bad(translate("LoadError", "'{what}' must be a list of [x, y, z] numbers")
                   .format(what=what))
    if arr.dtype == object:
        if not all(_is_number(x) for x in arr.ravel()):
            raise _Bad(translate("LoadError", "'{what}' must be a list of [x, y, z] numbers")
                       .format(what=what))
        try:
            arr = arr.astype(np.float64)
        except OverflowError:
            raise _Bad(translate("LoadError", "'{what}' hold a number too large for a "
                                              "coordinate").format(what=what)) from None
    elif arr.dtype.kind not in "iuf":
        raise _Bad(translate("LoadError", "'{what}' must be a list of [x, y, z] numbers")
                   .format(what=what))
    arr = arr.astype(np.float64)
    if transform is not None:
        with np.errstate(over="ignore", invalid="ignore"):
            arr = arr * transform[0] + transform[1]
    _check_coordinates(arr, what)
    return arr


def _check_coordinates(arr: np.ndarray, what: str) -> None:
    if not len(arr):
        return
    finite = np.isfinite(arr)
    if not finite.all():
        i = int(np.nonzero(~finite.all(axis=1))[0][0])
        raise _Bad(translate("LoadError", "'{what}' {i} is not a finite coordinate").format(
            what=what, i=i))
    big = np.abs(arr).max(axis=1) > MAX_ABS_COORD
    if big.any():
        i = int(np.nonzero(big)[0][0])
        raise _Bad(translate("LoadError", "'{what}' {i} has an absurd coordinate {xyz} "
                                          "(beyond {limit:g})").format(
            what=what, i=i, xyz=arr[i].tolist(), limit=MAX_ABS_COORD))


def _crs_of(doc: dict, warnings: list[str]) -> str | None:
    meta = doc.get("metadata")
    if meta is None:
        return None
    if not isinstance(meta, dict):
        raise _Bad(translate("LoadError", "'metadata' must be an object"))
    ref = meta.get("referenceSystem")
    if ref is None:
        old = meta.get("crs")  # CityJSON 0.x style {"epsg": 7415}
        if isinstance(old, dict) and isinstance(old.get("epsg"), int):
            return f"EPSG:{old['epsg']}"
        return None
    if not isinstance(ref, str):
        warnings.append(translate("LoadError", "ignored metadata.referenceSystem {value} (not "
                                               "a string)").format(value=_short(ref)))
        return None
    return normalise_crs(ref)


def normalise_crs(text: str) -> str | None:
    """``EPSG:NNNN`` from an OGC URL/URN (first code of a compound), else the text."""
    text = text.strip()
    codes = re.findall(r"EPSG(?:/[^/]*/|:[^:]*:|:)\s*(\d+)", text, flags=re.IGNORECASE)
    if codes:
        return f"EPSG:{int(codes[0])}"
    if re.search(r"CRS84\b", text, flags=re.IGNORECASE):
        return "OGC:CRS84"
    return text or None


# --------------------------------------------------------------------------- objects


class _Prims:
    """Primitives of one geometry, indices into its own vertex array.

    Surfaces are stored flat: ``flat`` holds the vertex indices of all rings,
    ``ring_lens`` the length of each ring, ``surf_rings`` the ring count of each
    surface and ``colors`` one RGBA per surface.
    """

    __slots__ = ("colors", "flat", "line_flat", "line_lens", "points", "ring_lens",
                 "surf_rings")

    def __init__(self) -> None:
        self.flat: list = []
        self.ring_lens: list[int] = []
        self.surf_rings: list[int] = []
        self.colors: list[tuple[int, int, int, int]] = []
        self.line_flat: list = []
        self.line_lens: list[int] = []
        self.points: list = []

    def arrays(self, nverts: int) -> tuple:
        """Index arrays, checked against ``nverts``."""
        flat = _index_array(self.flat, nverts)
        line_flat = _index_array(self.line_flat, nverts)
        points = _index_array(self.points, nverts)
        return (flat, np.asarray(self.ring_lens, dtype=np.int64),
                np.asarray(self.surf_rings, dtype=np.int64),
                np.asarray(self.colors, dtype=np.uint8).reshape(-1, 4),
                line_flat, np.asarray(self.line_lens, dtype=np.int64), points)


def _index_array(values: list, nverts: int) -> np.ndarray:
    if not values:
        return np.empty(0, dtype=np.int64)
    try:
        arr = np.asarray(values)
    except (ValueError, TypeError, OverflowError):
        raise _Bad(translate("LoadError", "boundaries must hold integer vertex indices")) \
            from None
    if arr.ndim != 1 or arr.dtype.kind not in "iu":
        raise _Bad(translate("LoadError", "boundaries must hold integer vertex indices"))
    lo, hi = int(arr.min()), int(arr.max())
    if lo < 0 or hi >= nverts:
        bad = lo if lo < 0 else hi
        raise _Bad(translate("LoadError", "vertex index {i} out of range (the file has {n} "
                                          "vertices)").format(i=bad, n=nverts))
    return arr.astype(np.int64, copy=False)


class _Builder:
    """Collects rows and primitives of all documents, then builds the layer."""

    def __init__(self, lod_wanted: float | None, main: dict, warnings: list[str]) -> None:
        self.lod_wanted = lod_wanted
        self.warnings = warnings
        self.ids: list[str] = []
        self.seen: dict[str, int] = {}
        self.types: list[str] = []
        self.parents: list[str | None] = []
        self.nchildren: list[int] = []
        self.lods: list[str | None] = []
        self.attrs: list[dict] = []
        self.attr_keys: dict[str, None] = {}
        # Vertex pool: one chunk per document plus transformed template instances.
        self.pool: list[np.ndarray] = []
        self.pool_size = 0
        self.surf_chunks: list[tuple] = []  # (flat, ring_lens, surf_rings, colors, rows)
        self.line_chunks: list[tuple] = []  # (flat, lens, row)
        self.point_chunks: list[tuple] = []  # (indices, row)
        self.duplicates = 0
        self.missing_lod = 0
        self._templates_raw = main.get("geometry-templates")
        self._templates: list | None = None
        self._template_verts: np.ndarray | None = None
        self._template_cache: dict[int, tuple] = {}
        self._main_appearance = main.get("appearance")
        self.materials: list = []
        self.theme: str | None = None
        self._appearance_used: Any = _UNSET

    # ---- documents and objects

    def add_document(self, doc: dict, verts: np.ndarray, where: str) -> None:
        objects = doc.get("CityObjects")
        if objects is None:
            objects = {}
        if not isinstance(objects, dict):
            raise _Bad(where + translate("LoadError", "'CityObjects' must be an object"))
        appearance = doc.get("appearance")
        if not isinstance(appearance, dict) or "materials" not in appearance:
            appearance = self._main_appearance
        if appearance is not self._appearance_used:
            self._appearance_used = appearance
            self.materials, self.theme = _materials(appearance)
        base = self.pool_size
        self.pool.append(verts)
        self.pool_size += len(verts)
        for oid, obj in objects.items():
            try:
                self._add_object(oid, obj, verts, base)
            except _Bad as exc:
                raise _Bad(where + translate("LoadError", "CityObject {id}: {problem}").format(
                    id=_short(oid), problem=exc)) from None
            except (KeyError, TypeError, ValueError, IndexError, AttributeError,
                    OverflowError, RecursionError, ArithmeticError) as exc:
                raise _Bad(where + translate("LoadError", "CityObject {id}: {problem}").format(
                    id=_short(oid), problem=_describe(exc))) from None

    def _add_object(self, oid: str, obj, verts: np.ndarray, base: int) -> None:
        if not isinstance(obj, dict):
            raise _Bad(translate("LoadError", "must be a JSON object, found {kind}").format(
                kind=_kind(obj)))
        otype = obj.get("type")
        if not isinstance(otype, str) or not otype:
            raise _Bad(translate("LoadError", "has no 'type'") if otype is None
                       else translate("LoadError", "'type' must be a text"))
        parents = _list_member(obj, "parents")
        children = _list_member(obj, "children")
        parent = parents[0] if parents else None
        if parent is not None and not isinstance(parent, str):
            raise _Bad(translate("LoadError", "'parents' must list CityObject ids"))
        attrs = obj.get("attributes")
        if attrs is None:
            attrs = {}
        if not isinstance(attrs, dict):
            raise _Bad(translate("LoadError", "'attributes' must be an object"))
        geoms = _list_member(obj, "geometry")

        chosen, label = self._choose_lod(geoms)
        row = len(self.ids)
        for g in chosen:
            self._add_geometry(g, row, verts, base)

        if oid in self.seen:
            self.duplicates += 1
            k = 2
            while f"{oid}#{k}" in self.seen:
                k += 1
            oid = f"{oid}#{k}"
        self.seen[oid] = row
        self.ids.append(oid)
        self.types.append(otype)
        self.parents.append(parent)
        self.nchildren.append(len(children))
        self.lods.append(label)
        self.attrs.append(attrs)
        for key in attrs:
            self.attr_keys.setdefault(key, None)

    def _choose_lod(self, geoms: list) -> tuple[list[dict], str | None]:
        ranked = []
        for g in geoms:
            if not isinstance(g, dict):
                raise _Bad(translate("LoadError", "a geometry must be a JSON object, found "
                                                  "{kind}").format(kind=_kind(g)))
            gtype = g.get("type")
            if gtype not in _GEOMETRY_TYPES:
                raise _Bad(translate("LoadError", "unknown geometry type {type}").format(
                    type=_short(gtype)))
            raw = g.get("lod")
            if gtype == "GeometryInstance" and raw is None:
                raw = self._template(g)[1].get("lod")
            ranked.append((_lod_number(raw), raw, g))
        if not ranked:
            return [], None
        if self.lod_wanted is None:
            best = max((r[0] for r in ranked if r[0] is not None), default=None)
        else:
            best = self.lod_wanted
        chosen = [r for r in ranked if r[0] == best]
        if not chosen:
            self.missing_lod += 1
            return [], None
        return [r[2] for r in chosen], _lod_label(chosen[0][1])

    def _add_geometry(self, g: dict, row: int, verts: np.ndarray, base: int) -> None:
        if g["type"] == "GeometryInstance":
            self._add_instance(g, row, verts)
            return
        prims = self._prims(g)
        self._add_prims(prims.arrays(len(verts)), row, base)

    def _add_prims(self, arrays: tuple, row: int, base: int) -> None:
        flat, ring_lens, surf_rings, colors, line_flat, line_lens, points = arrays
        if len(surf_rings):
            rows = np.full(len(surf_rings), row, dtype=np.int64)
            self.surf_chunks.append((flat + base, ring_lens, surf_rings, colors, rows))
        if len(line_lens):
            self.line_chunks.append((line_flat + base, line_lens, row))
        if len(points):
            self.point_chunks.append((points + base, row))

    # ---- templates

    def _template(self, g: dict) -> tuple[int, dict]:
        if self._templates is None:
            gt = self._templates_raw
            if not isinstance(gt, dict):
                raise _Bad(translate("LoadError", "uses a GeometryInstance but the file has no "
                                                  "'geometry-templates'"))
            templates = gt.get("templates")
            if not isinstance(templates, list):
                raise _Bad(translate("LoadError", "'geometry-templates.templates' must be a "
                                                  "list"))
            self._template_verts = _vertex_array(gt.get("vertices-templates"), None,
                                                 "vertices-templates")
            self._templates = templates
        index = g.get("template")
        if not isinstance(index, int) or isinstance(index, bool):
            raise _Bad(translate("LoadError", "GeometryInstance 'template' must be an integer"))
        if not 0 <= index < len(self._templates):
            raise _Bad(translate("LoadError", "GeometryInstance template {index} does not exist "
                                              "(the file has {n})").format(
                index=index, n=len(self._templates)))
        tmpl = self._templates[index]
        if not isinstance(tmpl, dict):
            raise _Bad(translate("LoadError", "geometry template {index} must be a JSON object")
                       .format(index=index))
        return index, tmpl

    def _add_instance(self, g: dict, row: int, verts: np.ndarray) -> None:
        index, tmpl = self._template(g)
        if index not in self._template_cache:
            if tmpl.get("type") not in _GEOMETRY_TYPES or tmpl["type"] == "GeometryInstance":
                raise _Bad(translate("LoadError", "geometry template {index} has an invalid "
                                                  "type {type}").format(
                    index=index, type=_short(tmpl.get("type"))))
            arrays = self._prims(tmpl).arrays(len(self._template_verts))
            flat, line_flat, points = arrays[0], arrays[4], arrays[6]
            used = np.unique(np.concatenate([flat, line_flat, points]))
            local = tuple(np.searchsorted(used, a) if k in (0, 4, 6) else a
                          for k, a in enumerate(arrays))
            self._template_cache[index] = (self._template_verts[used], local)
        tverts, local = self._template_cache[index]
        ref = g.get("boundaries")
        if (not isinstance(ref, list) or len(ref) != 1 or not isinstance(ref[0], int)
                or isinstance(ref[0], bool)):
            raise _Bad(translate("LoadError", "GeometryInstance 'boundaries' must be one vertex "
                                              "index"))
        if not 0 <= ref[0] < len(verts):
            raise _Bad(translate("LoadError", "vertex index {i} out of range (the file has {n} "
                                              "vertices)").format(i=ref[0], n=len(verts)))
        matrix = g.get("transformationMatrix")
        if (not isinstance(matrix, list) or len(matrix) != 16
                or not all(_is_number(x) for x in matrix)):
            raise _Bad(translate("LoadError", "GeometryInstance 'transformationMatrix' must be "
                                              "16 numbers"))
        m = np.array([float(x) for x in matrix]).reshape(4, 4)
        if not np.isfinite(m).all():
            raise _Bad(translate("LoadError", "GeometryInstance 'transformationMatrix' is not "
                                              "finite"))
        with np.errstate(over="ignore", invalid="ignore"):
            pts = tverts @ m[:3, :3].T + m[:3, 3] + verts[ref[0]]
        _check_coordinates(pts, "instance vertex")
        base = self.pool_size
        self.pool.append(pts)
        self.pool_size += len(pts)
        self._add_prims(local, row, base)

    # ---- one geometry

    def _prims(self, g: dict) -> _Prims:
        gtype = g.get("type")
        if "boundaries" not in g:
            raise _Bad(translate("LoadError", "{type} geometry has no 'boundaries'").format(
                type=gtype))
        boundaries = g["boundaries"]
        prims = _Prims()
        if gtype == "MultiPoint":
            prims.points = _require_list(boundaries, "MultiPoint boundaries")
        elif gtype == "MultiLineString":
            for line in _require_list(boundaries, "MultiLineString boundaries"):
                line = _require_list(line, "a line string")
                if len(line) >= 2:
                    prims.line_flat.extend(line)
                    prims.line_lens.append(len(line))
        else:
            semantics = g.get("semantics")
            surfaces, values = None, None
            if isinstance(semantics, dict):
                surfaces = semantics.get("surfaces")
                values = semantics.get("values")
                if not isinstance(surfaces, list):
                    surfaces = None
            material = self._material_values(g.get("material"))
            for path, surface in _walk(boundaries, _SURFACE_DEPTH[gtype], ()):
                surface = _require_list(surface, "a surface")
                nrings = 0
                for ring in surface:
                    ring = _require_list(ring, "a ring")
                    prims.flat.extend(ring)
                    prims.ring_lens.append(len(ring))
                    nrings += 1
                prims.surf_rings.append(nrings)
                if surfaces is None and material is None:
                    prims.colors.append(DEFAULT_COLOR)
                else:
                    prims.colors.append(self._surface_color(path, surfaces, values, material))
        return prims

    def _material_values(self, material) -> Any:
        """The ``values``/``value`` of the material theme used for colours, or None."""
        if not self.materials or not isinstance(material, dict) or not material:
            return None
        theme = material.get(self.theme) if self.theme in material else None
        if theme is None:
            theme = next(iter(material.values()))
        if not isinstance(theme, dict):
            return None
        if "value" in theme:
            return theme["value"]
        return theme.get("values")

    def _surface_color(self, path, surfaces, values, material) -> tuple[int, int, int, int]:
        if surfaces is not None:
            k = _lookup(values, path)
            if k is not None and k < len(surfaces) and isinstance(surfaces[k], dict):
                color = SEMANTIC_COLORS.get(surfaces[k].get("type"))
                if color is not None:
                    return color
        if material is not None:
            k = material if isinstance(material, int) else _lookup(material, path)
            if k is not None and not isinstance(k, bool) and 0 <= k < len(self.materials):
                color = self.materials[k]
                if color is not None:
                    return color
        return DEFAULT_COLOR

    # ---- the layer

    def layer(self, name: str, crs: str | None, source: str) -> Layer:
        pool = np.concatenate(self.pool) if self.pool else np.empty((0, 3))
        batches: list = []
        tri = self._triangles(pool)
        if tri is not None:
            batches.append(tri)
        if self.line_chunks:
            segs, rows = [], []
            for flat, lens, row in self.line_chunks:
                starts = np.cumsum(lens) - lens
                pos = np.arange(len(flat))
                is_last = np.zeros(len(flat), dtype=bool)
                is_last[starts + lens - 1] = True
                first = pos[~is_last]
                segs.append(np.column_stack([flat[first], flat[first + 1]]))
                rows.append(np.full(len(first), row, dtype=np.int64))
            seg = np.concatenate(segs)
            used, inv = np.unique(seg, return_inverse=True)
            batches.append(LineBatch(pool[used], inv.reshape(-1, 2), np.concatenate(rows)))
        if self.point_chunks:
            idx = np.concatenate([c[0] for c in self.point_chunks])
            rows = np.concatenate([np.full(len(c[0]), c[1], dtype=np.int64)
                                   for c in self.point_chunks])
            batches.append(PointBatch(pool[idx], rows))

        if self.duplicates:
            self.warnings.append(translate("LoadError", "{n} repeated CityObject ids were "
                                                        "renamed with a '#N' suffix").format(
                n=self.duplicates))
        if self.missing_lod:
            self.warnings.append(translate("LoadError", "{n} objects with geometry have no LoD "
                                                        "{lod}").format(
                n=self.missing_lod, lod=_lod_label(self.lod_wanted)))
        return Layer(name=name, kind="cityjson", table=self._table(), batches=batches,
                     crs=crs, class_field="type", source=source,
                     warnings=list(self.warnings))

    def _table(self) -> ObjectTable:
        columns: dict[str, list] = {
            "type": self.types,
            "parent": self.parents,
            "children": self.nchildren,
            "lod": self.lods,
        }
        for key in self.attr_keys:
            col = f"attributes.{key}" if key in _RESERVED_COLUMNS else key
            columns[col] = [_cell(a.get(key)) for a in self.attrs]
        return ObjectTable(columns, oid=np.array(self.ids, dtype=object))

    def _triangles(self, pool: np.ndarray) -> TriangleBatch | None:
        if not self.surf_chunks:
            return None
        flat = np.concatenate([c[0] for c in self.surf_chunks])
        ring_lens = np.concatenate([c[1] for c in self.surf_chunks])
        surf_rings = np.concatenate([c[2] for c in self.surf_chunks])
        colors = np.concatenate([c[3] for c in self.surf_chunks])
        rows = np.concatenate([c[4] for c in self.surf_chunks])
        tris, tri_surf, skipped = _triangulate(pool, flat, ring_lens, surf_rings)
        if skipped:
            self.warnings.append(translate("LoadError", "{n} degenerate surfaces skipped")
                                 .format(n=skipped))
        if not len(tris):
            return None
        used, inv = np.unique(tris, return_inverse=True)
        return TriangleBatch(points=pool[used], triangles=inv.reshape(-1, 3),
                             rows=rows[tri_surf], colors=colors[tri_surf])


# --------------------------------------------------------------------------- triangulation


def _triangulate(pool: np.ndarray, flat: np.ndarray, ring_lens: np.ndarray,
                 surf_rings: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Triangles (pool indices), their surface index, and the count of skipped surfaces.

    Each surface (outer ring plus holes) is projected onto the plane of its
    Newell normal and ear-cut; triangles are wound like the outer ring.
    """
    nsurf = len(surf_rings)
    nring = len(ring_lens)
    empty = (np.empty((0, 3), dtype=np.int64), np.empty(0, dtype=np.int64))
    ring_of = np.repeat(np.arange(nring), ring_lens)
    surf_of_ring = np.repeat(np.arange(nsurf), surf_rings)
    ring_start = np.cumsum(ring_lens) - ring_lens

    # Drop repeated consecutive points (and the closing point, if written).
    pts = pool[flat]
    prev = np.arange(len(flat)) - 1
    prev[ring_start[ring_lens > 0]] = (ring_start + ring_lens - 1)[ring_lens > 0]
    keep = ~np.all(pts == pts[prev], axis=1) if len(flat) else np.zeros(0, dtype=bool)
    ring_lens = np.bincount(ring_of[keep], minlength=nring)
    flat, pts, ring_of = flat[keep], pts[keep], ring_of[keep]

    # A surface needs an outer ring of 3+ points; holes of fewer are dropped.
    first_ring = np.cumsum(surf_rings) - surf_rings
    has_outer = surf_rings > 0
    surf_ok = np.zeros(nsurf, dtype=bool)
    surf_ok[has_outer] = ring_lens[first_ring[has_outer]] >= 3
    ring_ok = (ring_lens >= 3) & surf_ok[surf_of_ring]
    elem_ok = ring_ok[ring_of]
    flat, pts, ring_of = flat[elem_ok], pts[elem_ok], ring_of[elem_ok]
    ring_lens = np.where(ring_ok, ring_lens, 0)
    if not len(flat):
        return (*empty, int(nsurf))

    surf_of = surf_of_ring[ring_of]
    ring_start = np.cumsum(ring_lens) - ring_lens
    is_outer = np.zeros(nring, dtype=bool)
    is_outer[first_ring[has_outer]] = True
    outer_elem = is_outer[ring_of]

    # Centre each surface on its first point (keeps precision with large coordinates).
    surf_first = np.full(nsurf, -1, dtype=np.int64)
    surf_first[surf_ok] = ring_start[first_ring[surf_ok]]
    local = pts - pts[surf_first[surf_of]]

    # Newell normal of each outer ring (twice its vector area).
    nxt = np.arange(len(flat)) + 1
    ends = ring_start + ring_lens - 1
    valid_rings = ring_lens > 0
    nxt[ends[valid_rings]] = ring_start[valid_rings]
    cross = np.cross(local, local[nxt])
    normal = np.zeros((nsurf, 3))
    for axis in range(3):
        normal[:, axis] = np.bincount(surf_of[outer_elem], weights=cross[outer_elem, axis],
                                      minlength=nsurf)
    elem_count = np.bincount(surf_of, minlength=nsurf)
    elem_start = np.cumsum(elem_count) - elem_count
    size = np.zeros(nsurf)
    filled = elem_count > 0
    size[filled] = np.maximum.reduceat(np.abs(local).max(axis=1), elem_start[filled])
    length = np.linalg.norm(normal, axis=1)
    surf_ok &= (size > 0) & (length > 1e-10 * size**2)
    skipped = int(nsurf - surf_ok.sum())

    # An orthonormal basis (u, v) of each plane with u x v = n.
    with np.errstate(invalid="ignore", divide="ignore"):
        nhat = normal / length[:, None]
    nhat[~surf_ok] = (0.0, 0.0, 1.0)
    helper = np.zeros((nsurf, 3))
    helper[np.arange(nsurf), np.argmin(np.abs(nhat), axis=1)] = 1.0
    u = np.cross(helper, nhat)
    u /= np.linalg.norm(u, axis=1)[:, None]
    v = np.cross(nhat, u)
    q = np.column_stack([np.einsum("ij,ij->i", local, u[surf_of]),
                         np.einsum("ij,ij->i", local, v[surf_of])])

    # Convex single-ring surfaces (most walls and roofs) are fanned; the rest ear-cut.
    ring_count = np.bincount(surf_of_ring[ring_lens > 0], minlength=nsurf)
    single = surf_ok & (ring_count == 1)
    edge = q[nxt] - q
    prv = np.empty_like(nxt)
    prv[nxt] = np.arange(len(nxt))
    turn = edge[prv, 0] * edge[:, 1] - edge[prv, 1] * edge[:, 0]
    min_turn = np.zeros(nsurf)
    min_turn[filled] = np.minimum.reduceat(turn, elem_start[filled])
    fan = single & (min_turn >= -1e-12 * size**2)
    tri_parts = []
    surf_parts = []
    fan_ids = np.nonzero(fan)[0]
    if len(fan_ids):
        ntri = elem_count[fan_ids] - 2
        fan_surf = np.repeat(fan_ids, ntri)
        apex = elem_start[fan_surf]
        step = np.arange(len(fan_surf)) - np.repeat(np.cumsum(ntri) - ntri, ntri) + 1
        tri_parts.append(np.column_stack([apex, apex + step, apex + step + 1]))
        surf_parts.append(fan_surf)
    cut_ids = np.nonzero(surf_ok & ~fan)[0]
    if len(cut_ids):
        # Ring ends relative to the surface's first point, for earcut.
        rel_end = (np.cumsum(ring_lens) - elem_start[surf_of_ring]).astype(np.uint32)
        counts = []
        for a, n, r0, nr in zip(elem_start[cut_ids].tolist(), elem_count[cut_ids].tolist(),
                                first_ring[cut_ids].tolist(), surf_rings[cut_ids].tolist(),
                                strict=True):
            ends = rel_end[r0:r0 + nr][ring_lens[r0:r0 + nr] > 0]
            cut = mapbox_earcut.triangulate_float64(q[a:a + n], ends)
            if not len(cut):
                skipped += 1
            tri_parts.append(cut.astype(np.int64).reshape(-1, 3) + a)
            counts.append(len(cut) // 3)
        surf_parts.append(np.repeat(cut_ids, counts))
    if not tri_parts:
        return (*empty, skipped)
    tri = np.concatenate(tri_parts)
    tri_surf = np.concatenate(surf_parts)

    # Wind every triangle like its outer ring; drop flat slivers.
    p0, p1, p2 = q[tri[:, 0]], q[tri[:, 1]], q[tri[:, 2]]
    area = (p1[:, 0] - p0[:, 0]) * (p2[:, 1] - p0[:, 1]) \
        - (p1[:, 1] - p0[:, 1]) * (p2[:, 0] - p0[:, 0])
    flip = area < 0
    tri[flip] = tri[flip][:, [0, 2, 1]]
    solid = np.abs(area) > 1e-12 * size[tri_surf] ** 2
    return flat[tri[solid]], tri_surf[solid], skipped


# --------------------------------------------------------------------------- helpers


def _walk(node, depth: int, path: tuple) -> Iterator[tuple[tuple, Any]]:
    """``(path, surface)`` for every surface of a boundaries array."""
    node = _require_list(node, "boundaries")
    if depth == 0:
        for i, surface in enumerate(node):
            yield (*path, i), surface
    else:
        for i, child in enumerate(node):
            yield from _walk(child, depth - 1, (*path, i))


def _lookup(values, path: tuple) -> int | None:
    """``values[p0][p1]...`` when that is a non-negative integer, else None."""
    v = values
    for i in path:
        if not isinstance(v, list) or i >= len(v):
            return None
        v = v[i]
    if isinstance(v, int) and not isinstance(v, bool) and v >= 0:
        return v
    return None


def _materials(appearance) -> tuple[list, str | None]:
    """RGBA (or None) per material and the default material theme."""
    if not isinstance(appearance, dict):
        return [], None
    materials = appearance.get("materials")
    theme = appearance.get("default-theme-material")
    if not isinstance(materials, list):
        return [], None
    colors = []
    for m in materials:
        color = None
        if isinstance(m, dict):
            rgb = m.get("diffuseColor")
            if (isinstance(rgb, list) and len(rgb) == 3 and all(_is_number(c) for c in rgb)
                    and all(math.isfinite(c) for c in rgb)):
                t = m.get("transparency", 0.0)
                t = float(t) if _is_number(t) and math.isfinite(t) else 0.0
                alpha = 1.0 - min(1.0, max(0.0, t))
                color = tuple(int(round(min(1.0, max(0.0, c)) * 255))
                              for c in (*rgb, alpha))
        colors.append(color)
    return colors, theme if isinstance(theme, str) else None


def _lod_number(value) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            x = float(value.strip())
        except ValueError:
            return None
        return x if math.isfinite(x) else None
    return None


def _lod_label(value) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return f"{value:g}"
    return str(value)


def _cell(value):
    """An attribute value as a table cell: scalars as they are, the rest as JSON text."""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > _INT_LIMIT:
        return str(value)
    return value


def _list_member(obj: dict, key: str) -> list:
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise _Bad(translate("LoadError", "'{what}' must be a list, found {kind}").format(
            what=key, kind=_kind(value)))
    return value


def _require_list(value, what: str) -> list:
    if not isinstance(value, list):
        raise _Bad(translate("LoadError", "{what} must be a list, found {kind}").format(
            what=what, kind=_kind(value)))
    return value


def _is_number(x) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def _kind(value) -> str:
    if value is None:
        return "null"
    kinds = {dict: translate("LoadError", "an object"), list: translate("LoadError", "a list"),
             str: translate("LoadError", "a text"), bool: translate("LoadError", "true/false"),
             int: translate("LoadError", "a number"), float: translate("LoadError", "a number")}
    return kinds.get(type(value), type(value).__name__)


def _short(value, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _describe(exc: BaseException) -> str:
    if isinstance(exc, KeyError):
        return translate("LoadError", "missing member {name}").format(
            name=_short(exc.args[0] if exc.args else "?"))
    if isinstance(exc, IndexError):
        return translate("LoadError", "an index is out of range ({detail})").format(detail=exc)
    if isinstance(exc, RecursionError):
        return translate("LoadError", "nested too deeply")
    if isinstance(exc, UnicodeError):
        return translate("LoadError", "text is not valid UTF-8")
    return translate("LoadError", "malformed CityJSON ({detail})").format(
        detail=f"{type(exc).__name__}: {exc}")
