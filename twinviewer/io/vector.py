"""Vector layers via pyogrio (GDAL): GeoPackage, GeoJSON, Shapefile and friends.

Polygons become extruded prisms, lines become line segments, points become
instances of an asset model.  Everything is done with shapely 2's array
functions: no per-object Python loop, so 100,000 footprints stay fast.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyogrio
import pyogrio.raw
import shapely

from twinviewer.core.errors import LoadError
from twinviewer.core.layer import Layer, LineBatch, PointBatch, TriangleBatch, minmax
from twinviewer.core.table import ObjectTable
from twinviewer.i18n import translate

log = logging.getLogger(__name__)

VECTOR_SUFFIXES = {".gpkg", ".geojson", ".json", ".shp", ".fgb", ".geojsonl", ".geojsons",
                   ".seq", ".topojson", ".gml", ".kml", ".pbf", ".dbf", ".sqlite", ".csv"}

HEIGHT_FIELDS = ("高度", "建筑高度", "height", "HEIGHT", "Height", "h", "measuredHeight")
FLOOR_FIELDS = ("层数", "楼层数", "floors", "FLOORS", "storeys", "levels", "building:levels")
CLASS_FIELDS = ("类别", "类型", "class", "CLASS", "type", "TYPE", "kind", "category", "fclass")
FLOOR_HEIGHT = 3.0
# OSM extracts are not sorted by node id often enough for GDAL's fast index.
pyogrio.set_gdal_config_options({"OSM_USE_CUSTOM_INDEXING": "NO"})
DEFAULT_HEIGHT = 10.0

Progress = Callable[[float, str], None]


def list_tables(path: str | Path) -> list[str]:
    """Names of the layers (tables) inside a vector file."""
    path = Path(path)
    with opened(path) as gdal_path:
        try:
            names = [str(name) for name, _ in pyogrio.list_layers(gdal_path)]
        except Exception as exc:  # GDAL raises many types; all mean "cannot read"
            raise LoadError(_gdal_problem(exc), path) from None
    # the store's own tables (edit log, deleted objects) are not layers to draw
    return [n for n in names if not n.startswith("twinviewer_")]


def read_frame(path: str | Path, table: str | None = None, *, geometry: bool = True):
    """One table as ``(frame, geometries, crs)``: attributes indexed by fid, shapely array.

    The plain reader for code that wants rows, not a drawn layer (the demo's extra
    tables, the cases import, the live service); it needs pyogrio only, not geopandas.
    ``geometries`` is ``None`` when ``geometry`` is false; ``crs`` is GDAL's string or None.
    """
    import pandas as pd

    path = Path(path)
    with opened(path) as gdal_path:
        try:
            meta, fids, wkb, fields = pyogrio.raw.read(gdal_path, layer=table,
                                                       read_geometry=geometry,
                                                       return_fids=True)
        except Exception as exc:  # GDAL raises many types; all mean "cannot read"
            raise LoadError(_gdal_problem(exc), path) from None
    index = pd.Index(np.asarray(fids, dtype=np.int64), name="fid")
    frame = pd.DataFrame({str(k): v for k, v in zip(meta["fields"], fields, strict=True)},
                         index=index)
    geoms = geometries_of(wkb, len(frame), path) if geometry else None
    return frame, geoms, meta.get("crs")


def read_vector(path: str | Path, *, table: str | None = None, name: str | None = None,
                encoding: str | None = None, class_field: str | None = None,
                height_field: str | None = None, floors_field: str | None = None,
                default_height: float | None = None,
                base_height: float | str | None = None, gcj02: bool = False, progress: Progress | None = None) -> list[Layer]:
    """Read one table (or every table) of a vector file into layers.

    Parameters
    ----------
    path : str or Path
        GeoPackage, GeoJSON, Shapefile or another OGR format.
    table : str, optional
        Layer inside the file, default: all of them.
    encoding : str, optional
        Force an attribute encoding (e.g. ``"GBK"``); by default GDAL honours
        ``.cpg`` files and the DBF code page byte.
    class_field, height_field, floors_field : str, optional
        Columns for the object class, extrusion height and floor count (guessed
        from common names when not given).
    default_height : float, optional
        Prism height when a polygon has neither height nor floors (default 10 m).
    base_height : float or "terrain", optional
        Where objects without Z stand: a height in metres, or ``"terrain"`` (the
        default when the scene has a DEM): on the ground sampled from it when placed.
    gcj02 : bool
        The coordinates are GCJ-02 longitude/latitude from a Chinese web map: convert
        them to WGS 84 (see :mod:`twinviewer.io.gcj02`, about 1 m accuracy).  Default
        False: data is never converted unless asked.

    Examples
    --------
    >>> layers = read_vector("district.gpkg", table="buildings")  # doctest: +SKIP
    """
    path = Path(path)
    if not path.exists():
        raise LoadError(translate("LoadError", "file not found"), path)
    if path.is_file() and path.stat().st_size == 0:
        raise LoadError(translate("LoadError", "the file is empty (0 bytes)"), path)
    tables = [table] if table else list_tables(path)
    if table and table not in list_tables(path):
        raise LoadError(translate("LoadError", "has no layer named {table!r}").format(
            table=table), path)
    layers = []
    for i, tbl in enumerate(tables):
        if progress:
            progress(i / max(1, len(tables)), str(tbl))
        layer_name = name or (tbl if len(tables) > 1 else _stem(path))
        layers.append(_read_table(path, tbl, layer_name, encoding=encoding,
                                  class_field=class_field, height_field=height_field,
                                  floors_field=floors_field, default_height=default_height,
                                  base_height=base_height, gcj02=gcj02))
    return layers


def _read_table(path: Path, table: str, name: str, *, encoding, class_field, height_field,
                floors_field, default_height, base_height, gcj02=False) -> Layer:
    with opened(path) as gdal_path, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        meta, _fids, wkb, field_data, note = _read_raw(gdal_path, table, encoding, path)
    notes = [str(w.message) for w in caught] + ([note] if note else [])
    fids = _fids
    fields = [str(f) for f in meta["fields"]]
    columns = {f: _column(v) for f, v in zip(fields, field_data, strict=True)}
    if "oid" in columns:
        columns["oid_source"] = columns.pop("oid")
    n = len(wkb) if wkb is not None else len(fids)
    oids = np.asarray(fids, dtype=np.int64) if fids is not None and len(fids) == n else None
    if oids is not None and len(np.unique(oids)) != n:
        oids = None
    table_obj = ObjectTable(columns, oid=oids)

    geoms = geometries_of(wkb, n, path)
    if gcj02:
        geoms, crs = _from_gcj02(geoms, meta.get("crs"), path)
        meta["crs"] = crs
        notes.append(translate("LoadError", "coordinates converted from GCJ-02 to WGS 84 as "
                                            "asked (gcj02 = true; accuracy about 1 m)"))
    class_field = class_field or first_present(fields, CLASS_FIELDS)
    if class_field and class_field not in fields:
        raise LoadError(translate("LoadError", "class field {field!r} is not a field of layer "
                                               "{table!r}").format(field=class_field, table=table),
                        path)
    heights = heights_of(columns, n, height_field, floors_field, default_height, path)
    if isinstance(base_height, str) and base_height != "terrain":
        raise LoadError(translate("LoadError", "base_height must be a number or \"terrain\", "
                                               "not {value!r}").format(value=base_height), path)
    base = float(base_height) if isinstance(base_height, int | float) else 0.0
    batches, dropped = build_batches(geoms, heights, base)
    if dropped:
        notes.append(translate("LoadError", "{n} objects have invalid or non-finite "
                                            "coordinates and are not drawn").format(n=dropped))
    layer = Layer(name=name, kind="vector", table=table_obj, batches=batches,
                  crs=meta.get("crs"), class_field=class_field, source=str(path),
                  source_table=table)
    layer.warnings.extend(notes)
    layer.source_bounds = geometry_bounds(geoms, layer.source_bounds)
    # objects without Z stand on the terrain when the scene has one (core/ground_layer)
    layer.base_height = base_height
    layer.flat_rows = ~shapely.has_z(geoms) if len(geoms) else np.zeros(0, dtype=bool)
    return layer


# Text formats that Chinese offices often save in GBK although GeoJSON must be UTF-8.
TEXT_SUFFIXES = {".geojson", ".json", ".geojsonl", ".geojsons", ".seq", ".csv", ".topojson"}
FALLBACK_ENCODING = "GB18030"  # a superset of GBK and GB2312
CSV_OPTIONS = {"X_POSSIBLE_NAMES": "x,lon,lng,long,longitude,经度,X坐标,横坐标",
               "Y_POSSIBLE_NAMES": "y,lat,latitude,纬度,Y坐标,纵坐标",
               "Z_POSSIBLE_NAMES": "z,elevation,高程", "KEEP_GEOM_COLUMNS": "NO",
               "AUTODETECT_TYPE": "YES"}


def _read_raw(gdal_path: str, table: str, encoding: str | None, path: Path):
    """pyogrio's raw read; text files that are not UTF-8 are retried as GB18030, with a note.

    Returns ``(meta, fids, wkb, field_data, note)``.
    """
    opts = CSV_OPTIONS if path.suffix.lower() == ".csv" else {}
    try:
        return (*pyogrio.raw.read(gdal_path, layer=table, encoding=encoding,
                                  return_fids=True, **opts), None)
    except UnicodeDecodeError:
        if encoding or path.suffix.lower() not in TEXT_SUFFIXES:
            raise LoadError(translate("LoadError", "text is not valid {encoding}; set the "
                                                   "layer's encoding (e.g. encoding = \"GBK\")")
                            .format(encoding=encoding or "UTF-8"), path) from None
    except Exception as exc:  # GDAL raises many types; all mean "cannot read"
        raise LoadError(_gdal_problem(exc), path) from None
    # GDAL matches CSV column names as bytes, so the fallback reads a UTF-8 copy
    try:
        text = Path(gdal_path).read_bytes().decode(FALLBACK_ENCODING)
    except UnicodeDecodeError:
        raise LoadError(translate("LoadError", "text is neither UTF-8 nor GBK/GB18030; set "
                                               "the layer's encoding"), path) from None
    with tempfile.TemporaryDirectory(prefix="twinviewer-gbk-") as tmp:
        copy = Path(tmp) / Path(gdal_path).name  # same name: same layer name
        copy.write_text(text, encoding="utf-8")
        try:
            result = pyogrio.raw.read(str(copy), layer=table,
                                      return_fids=True, **opts)
        except Exception as exc:
            raise LoadError(_gdal_problem(exc), path) from None
    return (*result, translate("LoadError", "the file is not UTF-8: its text was read as "
                                            "GB18030 (GBK); set encoding in the scene file if "
                                            "the names look wrong"))


class opened:
    """Context giving GDAL a readable path; restores a missing ``.shx`` in a temp copy.

    ``with opened(path) as gdal_path:`` is how the loader and the store's import read
    a vector file.

    GDAL can rebuild a lost Shapefile index, but writes it next to the file;
    the user's folder is never written to, so the rebuild happens in a copy.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._tmp: tempfile.TemporaryDirectory | None = None

    def __enter__(self) -> str:
        p = self.path
        if p.suffix.lower() == ".shp" and not _sibling(p, ".shx"):
            self._tmp = tempfile.TemporaryDirectory(prefix="twinviewer-shp-")
            for sib in p.parent.glob(p.stem + ".*"):
                if sib.stem == p.stem:
                    shutil.copy(sib, Path(self._tmp.name) / sib.name)
            pyogrio.set_gdal_config_options({"SHAPE_RESTORE_SHX": "YES"})
            return str(Path(self._tmp.name) / p.name)
        return str(p)

    def __exit__(self, *exc) -> None:
        if self._tmp is not None:
            pyogrio.set_gdal_config_options({"SHAPE_RESTORE_SHX": None})
            self._tmp.cleanup()


def _sibling(path: Path, suffix: str) -> bool:
    return any((path.with_suffix(s)).exists() for s in (suffix, suffix.upper()))


def _stem(path: Path) -> str:
    name = path.name
    for suf in (".geojson", ".gpkg", ".shp", ".json"):
        if name.lower().endswith(suf):
            return name[: -len(suf)]
    return path.stem


def _gdal_problem(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if "not recognized as" in text or "not a supported" in text:
        return translate("LoadError", "not a readable vector file (unknown or damaged format)")
    return text


def _column(values) -> np.ndarray:
    arr = np.asarray(values)
    if arr.dtype.kind == "M":  # dates stay ISO text: editors and stores agree on it
        out = np.array([None if np.isnat(v) else str(v) for v in arr], dtype=object)
        return out
    return arr


def first_present(fields: list[str], candidates: tuple[str, ...]) -> str | None:
    """The first of ``candidates`` (e.g. :data:`CLASS_FIELDS`) that is one of ``fields``."""
    for c in candidates:
        if c in fields:
            return c
    return None


def _numeric(values, n: int) -> np.ndarray:
    try:
        out = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        out = np.array([_to_float(v) for v in values], dtype=np.float64)
    return out if len(out) == n else np.full(n, np.nan)


def _to_float(v) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return np.nan


def heights_of(columns: dict, n: int, height_field: str | None, floors_field: str | None,
               default_height: float | None, path: Path) -> np.ndarray:
    """Extrusion height per row (metres) from a height or floors column, else a default.

    Parameters
    ----------
    columns : dict
        Field name -> values of the ``n`` rows.
    height_field, floors_field : str or None
        The columns named by the scene file; ``None``: the first of :data:`HEIGHT_FIELDS`
        / :data:`FLOOR_FIELDS` present.
    default_height : float or None
        For rows with no usable value (:data:`DEFAULT_HEIGHT` when ``None``).
    path : Path
        Named in the :class:`LoadError` for a field that is not there.
    """
    fields = list(columns)
    for given, label in (
            (height_field, translate("LoadError", "height field {field!r} is not a field of "
                                                  "the layer")),
            (floors_field, translate("LoadError", "floors field {field!r} is not a field of "
                                                  "the layer"))):
        if given and given not in columns:
            raise LoadError(label.format(field=given), path)
    default = DEFAULT_HEIGHT if default_height is None else float(default_height)
    heights = np.full(n, np.nan)
    hf = height_field or first_present(fields, HEIGHT_FIELDS)
    if hf:
        heights = _numeric(columns[hf], n)
    ff = floors_field or first_present(fields, FLOOR_FIELDS)
    if ff:
        floors = _numeric(columns[ff], n) * FLOOR_HEIGHT
        heights = np.where(np.isfinite(heights) & (heights > 0), heights, floors)
    heights = np.where(np.isfinite(heights) & (heights > 0), heights, default)
    return np.minimum(heights, 1000.0)  # a 10 km tower is a data error; keep the view usable


def geometries_of(wkb, n: int, path: Path) -> np.ndarray:
    """Shapely geometries of ``n`` WKB values (``None`` where missing or invalid);
    damaged WKB raises :class:`LoadError` naming ``path``."""
    if wkb is None:
        return np.full(n, None, dtype=object)
    try:
        return shapely.from_wkb(wkb, on_invalid="ignore")
    except Exception as exc:  # shapely raises GEOSException for damaged WKB
        raise LoadError(translate("LoadError", "damaged geometry ({detail})").format(
            detail=exc), path) from None


def _from_gcj02(geoms: np.ndarray, crs, path: Path):
    """GCJ-02 lon/lat geometries -> WGS 84; refuses projected data (the option is a mistake)."""
    from pyproj import CRS

    from twinviewer.io.gcj02 import gcj02_to_wgs84

    if crs:
        try:
            src = CRS.from_user_input(crs)
        except Exception:
            src = None
        if src is None or not src.is_geographic:
            raise LoadError(translate("LoadError", "gcj02 = true needs longitude/latitude data, "
                                                   "but the layer's CRS is {crs}").format(crs=crs),
                            path)

    def convert(xy: np.ndarray) -> np.ndarray:
        lon, lat = gcj02_to_wgs84(xy[:, 0], xy[:, 1])
        return np.column_stack([lon, lat, xy[:, 2:]])  # Z, when present, is kept

    present = ~shapely.is_missing(geoms)
    out = geoms.copy()
    if np.any(present):
        out[present] = shapely.transform(geoms[present], convert, include_z=None)
    return out, "EPSG:4326"


def geometry_bounds(geoms: np.ndarray, fallback):
    """``(xmin, ymin, zmin, xmax, ymax, zmax)`` of the footprints (the source bounds of a
    layer), its z range widened to ``fallback``'s (the extruded batches); ``fallback``
    when no geometry has finite coordinates."""
    valid = geoms[~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)]
    if not len(valid):
        return fallback
    coords = shapely.get_coordinates(valid, include_z=True)
    coords = coords[np.all(np.isfinite(coords[:, :2]), axis=1)]
    if not len(coords):
        return fallback
    z = coords[:, 2]
    z = z[np.isfinite(z)]
    zlo, zhi = (float(z.min()), float(z.max())) if len(z) else (0.0, 0.0)
    if fallback is not None:  # extruded prisms reach higher than the footprints
        zlo, zhi = min(zlo, fallback[2]), max(zhi, fallback[5])
    lo, hi = minmax(coords[:, :2])
    return (float(lo[0]), float(lo[1]), zlo, float(hi[0]), float(hi[1]), zhi)


def _flatten(geoms: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Split multi-part geometries and collections into simple parts, keeping rows."""
    for _ in range(4):  # collections nest rarely, never deeply in real data
        parts, idx = shapely.get_parts(geoms, return_index=True)
        rows = rows[idx]
        geoms = parts
        if not np.any(shapely.get_type_id(geoms) >= 4):
            break
    return geoms, rows


def build_batches(geoms: np.ndarray, heights: np.ndarray,
                  base: float) -> tuple[list, int]:
    """Geometry batches of one layer: extruded polygons, lines and points.

    Returns the batches (row ``k`` is ``geoms[k]``) and the number of objects dropped
    for non-finite or absurd coordinates.
    """
    n = len(geoms)
    rows = np.arange(n, dtype=np.int64)
    present = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    geoms, rows = geoms[present], rows[present]
    if len(geoms):
        geoms = shapely.force_3d(geoms)  # curves and Z/M become plain xyz
    parts, part_rows = _flatten(geoms, rows)
    # drop parts with NaN/inf or absurd coordinates instead of drawing garbage
    coords, cidx = shapely.get_coordinates(parts, include_z=False, return_index=True)
    bad = ~np.all(np.isfinite(coords) & (np.abs(coords) < 1e9), axis=1)
    bad_parts = np.zeros(len(parts), dtype=bool)
    bad_parts[cidx[bad]] = True
    dropped_rows = np.unique(part_rows[bad_parts])
    parts, part_rows = parts[~bad_parts], part_rows[~bad_parts]

    type_id = shapely.get_type_id(parts)
    batches = []
    poly = type_id == 3
    if np.any(poly):
        batches.append(extrude(parts[poly], part_rows[poly], heights, base))
    line = (type_id == 1) | (type_id == 2)
    if np.any(line):
        batches.append(_lines(parts[line], part_rows[line], base))
    point = type_id == 0
    if np.any(point):
        xyz = shapely.get_coordinates(parts[point], include_z=True)
        z = np.where(np.isfinite(xyz[:, 2]), xyz[:, 2], 0.0) + base
        batches.append(PointBatch(np.column_stack([xyz[:, :2], z]), part_rows[point]))
    return [b for b in batches if len(b.rows)], len(dropped_rows)


def _lines(lines: np.ndarray, rows: np.ndarray, base: float) -> LineBatch:
    xyz, idx = shapely.get_coordinates(lines, include_z=True, return_index=True)
    xyz[:, 2] = np.where(np.isfinite(xyz[:, 2]), xyz[:, 2], 0.0) + base + 0.2
    same = idx[:-1] == idx[1:]
    start = np.nonzero(same)[0]
    segments = np.column_stack([start, start + 1])
    return LineBatch(xyz, segments, rows[idx[start]])


def extrude(polygons: np.ndarray, rows: np.ndarray, heights: np.ndarray,
            base: float = 0.0) -> TriangleBatch:
    """Prisms from footprints: triangulated roofs and quad walls, no bottoms.

    Parameters
    ----------
    polygons : ndarray of shapely Polygons
        Footprints (simple parts) in layer coordinates.
    rows : ndarray of int
        Table row of each polygon.
    heights : ndarray of float
        Height per table row (indexed by ``rows``).
    base : float
        Z of the bottoms, added to the footprint's own lowest Z when it has one.
    """
    xyz, cidx = shapely.get_coordinates(polygons, include_z=True, return_index=True)
    zc = np.where(np.isfinite(xyz[:, 2]), xyz[:, 2], np.inf)
    zmin = np.full(len(polygons), np.inf)
    np.minimum.at(zmin, cidx, zc)
    bottom = np.where(np.isfinite(zmin), zmin, 0.0) + base
    top = bottom + heights[rows]

    flat = shapely.force_2d(polygons)
    invalid = ~shapely.is_valid(flat)
    if np.any(invalid):
        fixed = shapely.make_valid(flat[invalid])
        # make_valid may return collections with lines: keep the areas only
        fixed = shapely.collection_extract(fixed, 3) if hasattr(shapely, "collection_extract") \
            else fixed
        flat = flat.copy()
        flat[invalid] = fixed
    simple, pidx = _flatten(flat, np.arange(len(flat)))
    keep = (shapely.get_type_id(simple) == 3) & ~shapely.is_empty(simple) & \
        (shapely.area(simple) > 0)
    simple, pidx = simple[keep], pidx[keep]

    # roofs: constrained Delaunay respects holes and concave outlines
    tris, tidx = shapely.get_parts(shapely.constrained_delaunay_triangles(simple),
                                   return_index=True)
    tri_xy = shapely.get_coordinates(shapely.get_exterior_ring(tris)).reshape(-1, 4, 2)[:, :3]
    cross = ((tri_xy[:, 1, 0] - tri_xy[:, 0, 0]) * (tri_xy[:, 2, 1] - tri_xy[:, 0, 1])
             - (tri_xy[:, 1, 1] - tri_xy[:, 0, 1]) * (tri_xy[:, 2, 0] - tri_xy[:, 0, 0]))
    flip = cross < 0  # make every roof face upwards
    tri_xy[flip] = tri_xy[flip][:, ::-1]
    owner = pidx[tidx]
    roof_z = np.repeat(top[owner], 3)
    roof_pts = np.column_stack([tri_xy.reshape(-1, 2), roof_z])
    roof_rows = rows[owner]

    # walls: one quad (two triangles) per ring edge
    rings, ridx = shapely.get_rings(simple, return_index=True)
    rxy, rc = shapely.get_coordinates(rings, return_index=True)
    edge = np.nonzero(rc[:-1] == rc[1:])[0]
    wall_owner = pidx[ridx[rc[edge]]]
    a, b = rxy[edge], rxy[edge + 1]
    zb, zt = bottom[wall_owner], top[wall_owner]
    quad = np.stack([np.column_stack([a, zb]), np.column_stack([b, zb]),
                     np.column_stack([b, zt]), np.column_stack([a, zt])], axis=1)
    k = len(roof_pts)
    base_idx = k + 4 * np.arange(len(edge))
    wall_tris = np.concatenate([
        np.column_stack([base_idx, base_idx + 1, base_idx + 2]),
        np.column_stack([base_idx, base_idx + 2, base_idx + 3])])
    wall_rows = np.concatenate([rows[wall_owner], rows[wall_owner]])

    points = np.concatenate([roof_pts, quad.reshape(-1, 3)])
    triangles = np.concatenate([np.arange(k).reshape(-1, 3), wall_tris])
    tri_rows = np.concatenate([roof_rows, wall_rows])
    return TriangleBatch(points, triangles, tri_rows)
