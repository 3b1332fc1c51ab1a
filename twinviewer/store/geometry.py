"""GeoPackage geometry blobs: the 'GP' header, envelope and WKB, read and written by hand.

Python's ``sqlite3`` has none of the SQL functions GDAL registers, yet a GeoPackage's
R-tree triggers call ``ST_MinX``/``ST_IsEmpty``...: :func:`register_functions` adds them,
so inserts and geometry updates keep the spatial index right.
"""

from __future__ import annotations

import functools
import sqlite3
import struct

import numpy as np

# GeoPackage 1.2+ binary header: magic, version 0, flags, srs_id; envelope code 1 = xy.
_MAGIC = b"GP"
_ENVELOPE_DOUBLES = {0: 0, 1: 4, 2: 6, 3: 6, 4: 8}

WKB_POINT, WKB_MULTIPOINT = 1, 4
_BASE_NAMES = {
    0: "GEOMETRY", 1: "POINT", 2: "LINESTRING", 3: "POLYGON", 4: "MULTIPOINT",
    5: "MULTILINESTRING", 6: "MULTIPOLYGON", 7: "GEOMETRYCOLLECTION", 8: "CIRCULARSTRING",
    9: "COMPOUNDCURVE", 10: "CURVEPOLYGON", 11: "MULTICURVE", 12: "MULTISURFACE",
    15: "POLYHEDRALSURFACE", 16: "TIN", 17: "TRIANGLE",
}


def wkb_type(wkb: bytes) -> tuple[int, bool, bool]:
    """``(base type, has Z, has M)`` of a WKB (ISO, or the old OGC/EWKB flag style)."""
    if len(wkb) < 5:
        raise ValueError("WKB shorter than its header")
    order = "<" if wkb[0] == 1 else ">"
    code = struct.unpack(order + "I", wkb[1:5])[0]
    z = bool(code & 0x80000000)
    m = bool(code & 0x40000000)
    code &= 0x0FFFFFFF
    dims, base = divmod(code, 1000)
    return base, z or dims in (1, 3), m or dims in (2, 3)


def base_name(code: int) -> str:
    return _BASE_NAMES.get(code, "GEOMETRY")


def points_wkb(xyz: np.ndarray, *, z: bool, multi: bool) -> bytes:
    """ISO WKB of one point (``multi=False``, first row) or a MultiPoint of all rows."""
    xyz = np.asarray(xyz, dtype="<f8").reshape(-1, 3)
    cols = xyz if z else xyz[:, :2]
    ptype = WKB_POINT + (1000 if z else 0)
    one = struct.Struct("<BI")
    if not multi:
        return one.pack(1, ptype) + cols[0].tobytes()
    out = [struct.pack("<BII", 1, WKB_MULTIPOINT + (1000 if z else 0), len(cols))]
    for row in cols:
        out.append(one.pack(1, ptype) + row.tobytes())
    return b"".join(out)


def make_blob(wkb: bytes, srs_id: int, envelope: tuple[float, float, float, float] | None,
              *, empty: bool = False) -> bytes:
    """A standard GeoPackage geometry blob: header, optional xy envelope, then the WKB.

    ``envelope`` is ``(minx, maxx, miny, maxy)`` as the specification orders it.
    """
    code = 1 if envelope is not None else 0
    flags = 0x01 | (code << 1) | (0x10 if empty else 0)  # little endian header
    head = _MAGIC + bytes([0, flags]) + struct.pack("<i", int(srs_id))
    if envelope is not None:
        head += struct.pack("<4d", *envelope)
    return head + wkb


def point_blob(xyz: np.ndarray, srs_id: int, *, z: bool, multi: bool) -> bytes:
    """A blob for point instances (``(k, 3)``), with its envelope."""
    xyz = np.asarray(xyz, dtype=np.float64).reshape(-1, 3)
    env = (float(xyz[:, 0].min()), float(xyz[:, 0].max()),
           float(xyz[:, 1].min()), float(xyz[:, 1].max()))
    return make_blob(points_wkb(xyz, z=z, multi=multi or len(xyz) > 1), srs_id, env)


def parse_blob(blob: bytes) -> tuple[int, tuple | None, bytes, bool]:
    """``(srs_id, envelope or None, wkb, empty)`` of a GeoPackage geometry blob."""
    if blob is None or len(blob) < 8 or blob[:2] != _MAGIC:
        raise ValueError("not a GeoPackage geometry blob")
    flags = blob[3]
    order = "<" if flags & 0x01 else ">"
    srs_id = struct.unpack(order + "i", blob[4:8])[0]
    code = (flags >> 1) & 0x07
    n = _ENVELOPE_DOUBLES.get(code)
    if n is None:
        raise ValueError(f"bad envelope code {code}")
    env = struct.unpack(order + f"{n}d", blob[8:8 + 8 * n]) if n else None
    return srs_id, env, bytes(blob[8 + 8 * n:]), bool(flags & 0x10)


def blob_points(blob: bytes) -> np.ndarray:
    """Coordinates ``(k, 3)`` of a Point/MultiPoint blob (z = 0 when 2D)."""
    _srs, _env, wkb, empty = parse_blob(blob)
    if empty:
        return np.empty((0, 3))
    import shapely

    geom = shapely.from_wkb(wkb)
    xyz = shapely.get_coordinates(geom, include_z=True)
    xyz[:, 2] = np.where(np.isfinite(xyz[:, 2]), xyz[:, 2], 0.0)
    return xyz


def blob_bounds(blob: bytes) -> tuple[float, float, float, float] | None:
    """``(minx, maxx, miny, maxy)`` from the envelope, or computed from the WKB."""
    _srs, env, wkb, empty = parse_blob(blob)
    if empty:
        return None
    if env is not None:
        return env[:4]
    base, z, m = wkb_type(wkb)
    if base == WKB_POINT:  # GDAL writes points without an envelope
        order = "<" if wkb[0] == 1 else ">"
        x, y = struct.unpack(order + "2d", wkb[5:21])
        return (x, x, y, y)
    import shapely

    xmin, ymin, xmax, ymax = shapely.bounds(shapely.from_wkb(wkb))
    return (float(xmin), float(xmax), float(ymin), float(ymax))


@functools.lru_cache(maxsize=64)
def _cached_bounds(blob: bytes):
    try:
        return blob_bounds(blob)
    except Exception:  # a damaged blob: the index skips it, as GDAL does
        return None


def _bound(i: int):
    # an R-tree trigger asks for the four bounds of the same blob in a row: parse it once
    def fn(blob):
        if blob is None:
            return None
        b = _cached_bounds(bytes(blob))
        return None if b is None else b[i]
    return fn


def _is_empty(blob):
    if blob is None:
        return None
    try:
        return int(parse_blob(blob)[3])
    except Exception:
        return 1


def register_functions(conn: sqlite3.Connection) -> None:
    """The spatial SQL functions a GeoPackage's R-tree triggers call."""
    conn.create_function("ST_MinX", 1, _bound(0), deterministic=True)
    conn.create_function("ST_MaxX", 1, _bound(1), deterministic=True)
    conn.create_function("ST_MinY", 1, _bound(2), deterministic=True)
    conn.create_function("ST_MaxY", 1, _bound(3), deterministic=True)
    conn.create_function("ST_IsEmpty", 1, _is_empty, deterministic=True)


def points_wkt(xyz: np.ndarray, z: bool) -> str:
    """``POINT Z (x y z)`` (or MULTIPOINT) text for the edit log."""
    xyz = np.asarray(xyz, dtype=np.float64).reshape(-1, 3)
    cols = xyz if z else xyz[:, :2]
    coords = [" ".join(repr(float(v)) for v in row) for row in cols]
    tag = " Z" if z else ""
    if len(coords) == 1:
        return f"POINT{tag} ({coords[0]})"
    return f"MULTIPOINT{tag} (" + ", ".join(f"({c})" for c in coords) + ")"
