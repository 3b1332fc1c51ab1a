"""Import into the GeoPackage store: vector (any OGR format) and CityJSON files become
tables written by pyogrio/GDAL, with the object id as the integer primary key.
"""

from __future__ import annotations

import json
import os
import sqlite3
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from twinviewer.i18n import translate
from twinviewer.store.base import StoreError, _json_default
from twinviewer.store.geometry import base_name, wkb_type
from twinviewer.store.gpkg import (
    DELETED_TABLE,
    GEOMETRY_COLUMN,
    LOG_TABLE,
    OID_COLUMN,
    GeoPackageStore,
)


@dataclass
class ImportResult:
    """One table written by :meth:`GeoPackageStore.import_layers`."""

    table: str
    source: str
    objects: int
    crs: str | None
    geometry_type: str | None
    warnings: list[str] = field(default_factory=list)




def import_layers(sources: Iterable[str | Path], into: str | Path, *, name: str | None = None,
                  table: str | None = None, replace: bool = False,
                  progress: Callable[[float, str], None] | None = None) -> list[ImportResult]:
    """Write vector and CityJSON files into the GeoPackage ``into`` (created when missing).

    Each source table becomes one GeoPackage table written by pyogrio/GDAL
    (standard geometry blobs, CRS and field types kept, text as UTF-8) whose
    integer primary key ``oid`` is the source's feature id (renumbered 1..n only
    when those ids are not unique).  A source field called ``oid`` is kept as
    ``oid_source``.

    CityJSON: one row per CityObject; its string id goes to the ``cityjson_id``
    column, ``oid`` counts 1..n in file order; the geometry is the chosen LoD's
    surfaces as a MultiPolygon Z of their triangles (objects with only lines or
    points, or none, get no geometry).

    Parameters
    ----------
    sources : paths
        Vector files (any OGR format) and CityJSON files.
    into : path
        The ``.gpkg`` store.
    name : str, optional
        Table name when exactly one table is imported (default: the file name, or the
        source's layer name for multi-layer sources).
    table : str, optional
        Import only this layer of a multi-layer source.
    replace : bool
        Replace a table of the same name instead of refusing.
    """
    return _import(GeoPackageStore(into), [Path(s) for s in sources], name=name, table=table,
                   replace=replace, progress=progress)


_STEM_SUFFIXES = (".city.jsonl", ".city.json", ".osm.pbf", ".geojsonl", ".geojson", ".gpkg",
                  ".shp", ".jsonl", ".json", ".fgb", ".topojson")


def _stem(path: Path) -> str:
    low = path.name.lower()
    for suffix in _STEM_SUFFIXES:
        if low.endswith(suffix) and len(low) > len(suffix):
            return path.name[: -len(suffix)]
    return path.stem


def _import(store: GeoPackageStore, sources: list[Path], *, name, table, replace,
            progress) -> list[ImportResult]:
    from twinviewer.core.errors import LoadError
    from twinviewer.io.registry import kind_of

    into = store.path
    if into.suffix.lower() != ".gpkg":
        raise StoreError(translate("StoreError", "the store must be a .gpkg file"), into)
    if not sources:
        raise StoreError(translate("StoreError", "nothing to import"), into)
    plan: list[tuple[Path, str, str | None, str]] = []  # (source, kind, source table, target)
    for src in sources:
        if not src.exists():
            raise StoreError(translate("StoreError", "file not found"), src)
        try:
            same = into.exists() and os.path.samefile(src, into)
        except OSError:
            same = False
        if same:
            raise StoreError(translate("StoreError", "cannot import a GeoPackage into itself"),
                             src)
        kind = kind_of(src)
        if kind == "cityjson":
            if table:
                raise StoreError(translate("StoreError", "--table applies to multi-layer vector "
                                                         "files, not CityJSON"), src)
            plan.append((src, kind, None, _stem(src)))
        elif kind == "vector":
            names = _vector_tables(src)
            single = len(names) == 1
            if table:
                if table not in names:
                    raise StoreError(translate("StoreError", "has no layer {layer!r} (layers: "
                                                             "{layers})").format(
                        layer=table, layers=", ".join(names)), src)
                names = [table]
            for tbl in names:
                plan.append((src, kind, tbl, _stem(src) if single else tbl))
        else:
            raise StoreError(translate("StoreError", "a {kind} file cannot be imported into a "
                                                     "GeoPackage (vector and CityJSON files can)")
                             .format(kind=kind), src)
    if name:
        if len(plan) != 1:
            raise StoreError(translate("StoreError", "--layer names one table, but {n} would "
                                                     "be imported; import them one at a time or "
                                                     "pick one with --table").format(n=len(plan)),
                             into)
        plan[0] = (*plan[0][:3], name)
    targets = [p[3] for p in plan]
    for t in targets:
        if targets.count(t) > 1 or [x.lower() for x in targets].count(t.lower()) > 1:
            raise StoreError(translate("StoreError", "two sources would both become table "
                                                     "{table!r}; import one with --layer NAME")
                             .format(table=t), into)
        if t.lower() in (LOG_TABLE, DELETED_TABLE) or t.lower().startswith(("gpkg_", "rtree_",
                                                                             "sqlite_")):
            raise StoreError(translate("StoreError", "{table!r} is a reserved table name; use "
                                                     "--layer NAME").format(table=t), into)
    existing = {t.lower() for t in store.tables()} if into.exists() else set()
    clash = [t for t in targets if t.lower() in existing]
    if clash and not replace:
        raise StoreError(translate("StoreError", "already has a layer {layer!r}; use --layer "
                                                 "NAME to import under another name, or "
                                                 "--replace").format(layer=clash[0]), into)

    results = []
    for k, (src, kind, src_table, target) in enumerate(plan):
        if progress:
            progress(k / len(plan), target)
        try:
            if kind == "cityjson":
                results.append(_import_cityjson(src, into, target))
            else:
                results.append(_import_vector(src, src_table, into, target))
        except LoadError as exc:
            raise StoreError(exc.problem, exc.path or src) from None
    if progress:
        progress(1.0, "")
    return results


def _vector_tables(path: Path) -> list[str]:
    from twinviewer.core.errors import LoadError
    from twinviewer.io.vector import list_tables

    try:
        return list_tables(path)
    except LoadError as exc:
        raise StoreError(exc.problem, path) from None


def _free_names(names: list[str]) -> list[str]:
    """Field names safe beside ``oid``/``geom`` and unique without regard to case."""
    out, seen = [], {OID_COLUMN, GEOMETRY_COLUMN}
    for n in names:
        cand = f"{n}_source" if n.lower() in (OID_COLUMN, GEOMETRY_COLUMN) else n
        base, i = cand, 2
        while cand.lower() in seen:
            cand = f"{base}_{i}"
            i += 1
        seen.add(cand.lower())
        out.append(cand)
    return out


def _geometry_type(wkb: np.ndarray | None, declared: str | None) -> tuple[str | None, bool]:
    """The table's geometry type from the geometries present, and whether to promote to multi."""
    if wkb is None:
        return None, False
    kinds, z, m = set(), False, False
    for g in wkb:
        if g is None:
            continue
        base, gz, gm = wkb_type(g)
        kinds.add(base)
        z, m = z or gz, m or gm
    promote = False
    if not kinds:
        name = (declared or "Unknown").split(" ")[0]
    elif len(kinds) == 1:
        name = base_name(kinds.pop())
    elif kinds in ({1, 4}, {2, 5}, {3, 6}):
        name, promote = base_name(max(kinds)), True
    else:
        name = "Unknown"
    pretty = {"GEOMETRY": "Unknown", "POINT": "Point", "LINESTRING": "LineString",
              "POLYGON": "Polygon", "MULTIPOINT": "MultiPoint",
              "MULTILINESTRING": "MultiLineString", "MULTIPOLYGON": "MultiPolygon",
              "GEOMETRYCOLLECTION": "GeometryCollection"}.get(name.upper(), name)
    dims = " ZM" if z and m else " Z" if z else " M" if m else ""
    return pretty + dims, promote


def _writable_column(values: np.ndarray, dtype: str | None, ogr_type: str | None
                     ) -> tuple[np.ndarray, np.ndarray | None]:
    """A field array pyogrio writes with its type kept, and its null mask."""
    arr = np.asarray(values)
    if ogr_type in ("OFTInteger", "OFTInteger64") and arr.dtype.kind == "f":
        mask = np.isnan(arr)
        target = np.dtype(dtype) if dtype and dtype not in ("object",) else np.int64
        if target.kind not in "biu":
            target = np.dtype(np.int64)
        return np.where(mask, 0, arr).astype(target), (mask if mask.any() else None)
    if arr.dtype.kind == "O":
        return _object_column(arr)
    return arr, None


def _object_column(arr: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    from twinviewer.core.edits import is_missing

    mask = np.array([is_missing(v) for v in arr], dtype=bool)
    present = [v for v, gone in zip(arr, mask, strict=True) if not gone]
    if all(isinstance(v, str) for v in present):
        out = arr.copy()
        out[mask] = None
        return out, None
    if present and all(isinstance(v, bool | np.bool_) for v in present):
        return np.array([bool(v) if not g else False for v, g in zip(arr, mask, strict=True)]), \
            (mask if mask.any() else None)
    if present and all(isinstance(v, int | np.integer) and not isinstance(v, bool)
                       for v in present):
        return np.array([int(v) if not g else 0 for v, g in zip(arr, mask, strict=True)],
                        dtype=np.int64), (mask if mask.any() else None)
    if present and all(isinstance(v, int | float | np.number) and not isinstance(v, bool)
                       for v in present):
        return np.array([float(v) if not g else np.nan for v, g in zip(arr, mask, strict=True)]
                        ), None
    out = np.empty(len(arr), dtype=object)
    for i, (v, gone) in enumerate(zip(arr, mask, strict=True)):
        if gone:
            out[i] = None
        elif isinstance(v, str):
            out[i] = v
        elif isinstance(v, bytes):
            out[i] = v.decode("utf-8", "replace")
        elif isinstance(v, np.ndarray | list | tuple | dict):
            out[i] = json.dumps(v.tolist() if isinstance(v, np.ndarray) else v,
                                ensure_ascii=False, default=_json_default)
        else:
            out[i] = str(v)
    return out, None


def _write(into: Path, target: str, wkb, fields: list[str], data: list, masks: list, *,
           crs: str | None, geometry_type: str | None, promote: bool) -> list[str]:
    import pyogrio.raw

    exists = into.exists()
    replace = exists and target.lower() in {t.lower() for t in GeoPackageStore(into).tables()}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            pyogrio.raw.write(
                str(into), geometry=wkb, field_data=data, fields=fields,
                field_mask=masks if any(m is not None for m in masks) else None,
                layer=target, driver="GPKG", crs=crs, geometry_type=geometry_type,
                promote_to_multi=promote, append=exists and not replace,
                layer_options={"FID": OID_COLUMN, "GEOMETRY_NAME": GEOMETRY_COLUMN},
            )
        except Exception as exc:  # GDAL raises several types; each means "not written"
            text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise StoreError(translate("StoreError", "cannot write table {table!r} ({detail})")
                             .format(table=target, detail=text), into) from None
    return [str(w.message) for w in caught if "crs" not in str(w.message).lower()]


def _import_vector(src: Path, src_table: str, into: Path, target: str) -> ImportResult:
    import pyogrio.raw

    from twinviewer.io.vector import opened  # restores a lost .shx in a temporary copy

    with opened(src) as gdal_path, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            meta, fids, wkb, field_data = pyogrio.raw.read(gdal_path, layer=src_table,
                                                           return_fids=True)
        except Exception as exc:
            text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise StoreError(translate("StoreError", "cannot read layer {layer!r} ({detail})")
                             .format(layer=src_table, detail=text), src) from None
    notes = [str(w.message) for w in caught]
    n = len(fids) if fids is not None else (len(wkb) if wkb is not None else 0)
    ids = np.asarray(fids, dtype=np.int64) if fids is not None and len(fids) == n else None
    if ids is None or len(np.unique(ids)) != n or (n and ids.min() < 0):
        notes.append(translate("StoreError", "feature ids are missing or not unique: objects "
                                             "numbered 1..n"))
        ids = np.arange(1, n + 1, dtype=np.int64)
    names = _free_names([str(f) for f in meta["fields"]])
    dtypes = list(meta.get("dtypes", [None] * len(names)))
    ogr_types = list(meta.get("ogr_types") or [None] * len(names))
    data, masks = [ids], [None]
    for values, dtype, ogr in zip(field_data, dtypes, ogr_types, strict=True):
        arr, mask = _writable_column(values, dtype, ogr)
        data.append(arr)
        masks.append(mask)
    gtype, promote = _geometry_type(wkb, meta.get("geometry_type"))
    if wkb is None and n:
        wkb = np.full(n, None, dtype=object)
    notes += _write(into, target, wkb, [OID_COLUMN, *names], data, masks, crs=meta.get("crs"),
                    geometry_type=gtype, promote=promote)
    subtypes = list(meta.get("ogr_subtypes") or [])
    json_fields = [nm for nm, sub in zip(names, subtypes, strict=False) if sub == "OFSTJSON"]
    if json_fields:  # GDAL knows a JSON text column by its data-columns MIME type
        _mark_json(GeoPackageStore(into), target, json_fields)
    return ImportResult(target, str(src), n, meta.get("crs"), gtype, notes)


def _mark_json(store: GeoPackageStore, table: str, fields: list[str]) -> None:
    conn = store._connect(write=True)
    try:
        store._begin(conn)
        store._schema_tables(conn)
        conn.executemany("INSERT OR REPLACE INTO gpkg_data_columns (table_name, column_name, "
                         "name, mime_type) VALUES (?, ?, ?, 'application/json')",
                         [(table, f, f) for f in fields])
        conn.execute("COMMIT")
    except sqlite3.Error as exc:
        store._rollback(conn)
        raise store._error(store._problem(exc)) from None
    finally:
        conn.close()


def _import_cityjson(src: Path, into: Path, target: str) -> ImportResult:
    import shapely

    from twinviewer.core.layer import TriangleBatch
    from twinviewer.io.cityjson import read_cityjson

    layer = read_cityjson(src)[0]
    df = layer.table.df
    n = len(df)
    polys, rows = [], []
    for b in layer.batches:
        if isinstance(b, TriangleBatch) and len(b.triangles):
            tri = b.points[b.triangles]  # (m, 3, 3)
            ring = np.concatenate([tri, tri[:, :1]], axis=1)
            polys.append(shapely.polygons(ring))
            rows.append(b.rows)
    geoms = np.full(n, None, dtype=object)
    if polys:
        allp, allr = np.concatenate(polys), np.concatenate(rows)
        order = np.argsort(allr, kind="stable")
        allp, allr = allp[order], allr[order]
        present = np.unique(allr)
        multi = shapely.multipolygons(allp, indices=np.searchsorted(present, allr))
        geoms[present] = multi
    wkb = shapely.to_wkb(geoms, output_dimension=3, flavor="iso")
    source_fields = [str(c) for c in df.columns if c != OID_COLUMN]
    names = _free_names(["cityjson_id", *source_fields])
    data = [np.arange(1, n + 1, dtype=np.int64)]
    masks: list = [None]
    ids = np.array([str(v) for v in df[OID_COLUMN].tolist()], dtype=object)
    for values in [ids, *[df[c].to_numpy() for c in source_fields]]:
        arr = np.asarray(values)
        if arr.dtype.kind == "O":
            arr, mask = _object_column(arr)
        else:
            mask = None
        data.append(arr)
        masks.append(mask)
    notes = list(layer.warnings)
    notes += _write(into, target, wkb, [OID_COLUMN, *names], data, masks, crs=layer.crs,
                    geometry_type="MultiPolygon Z", promote=False)
    return ImportResult(target, str(src), n, layer.crs, "MultiPolygon Z", notes)
