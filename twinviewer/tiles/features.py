"""A scan's own features (b3dm batch tables, glTF property tables) as rows of its layer.

The decode workers give each tile ``Decoded.properties`` (feature id -> property dict)
and per-vertex feature ids. :meth:`FeatureRows.add` (called where the streamer takes a
decoded tile in, on the GUI thread) gives each feature a row of the tiles layer and
writes per-vertex rows into the tile's parts, as 单体化 does with footprint rows, so the
renderer tints and picks through the same array. :meth:`FeatureRows.take` hands the new
rows' properties over once per frame, to be appended to the layer's table.

A feature is keyed by its tile's content and its feature id: the same building in a
coarser and a finer tile is two rows, unless the batch/property table has a stable id
(``id``, ``gml_id``, ``name``...: unique within the tile and not just the feature
index), in which case every level of detail of it is one row.
"""

from __future__ import annotations

import json
import struct
from typing import Any

import numpy as np

ID_FIELDS = ("id", "ID", "Id", "gml_id", "gmlid", "uuid", "UUID", "guid", "GUID",
             "featureId", "feature_id", "name", "Name")
MAX_SPLIT = 4  # numeric vectors up to this length become one column per component


def stable_id_field(properties: dict[int, dict]) -> str | None:
    """The property that identifies a feature across tiles, or None.

    Its values must be strings or integers, unique within the tile, and (for integers)
    not simply each feature's own index (a batch table's ``id`` is often just that).
    """
    for name in ID_FIELDS:
        values = [p.get(name) for p in properties.values()]
        if not values or any(v is None or isinstance(v, bool) or not isinstance(v, (str, int))
                             for v in values):
            continue
        if len(set(values)) != len(values):
            continue
        if all(isinstance(v, int) and v == fid
               for fid, v in zip(properties, values, strict=True)):
            continue
        return name
    return None


def cells(props: dict[str, Any]) -> dict[str, Any]:
    """Table cells of one feature: short numeric vectors split into ``name[i]``
    columns, other lists and objects as JSON text, scalars as they are."""
    out: dict[str, Any] = {}
    for k, v in props.items():
        if isinstance(v, (list, tuple)) and 0 < len(v) <= MAX_SPLIT and all(
                isinstance(x, (int, float)) and not isinstance(x, bool) for x in v):
            for i, x in enumerate(v):
                out[f"{k}[{i}]"] = x
        elif isinstance(v, (list, tuple, dict)):
            out[k] = json.dumps(v, ensure_ascii=False)
        else:
            out[k] = v
    return out


class FeatureRows:
    """The features seen so far of one tiles layer, their rows and bounding boxes."""

    def __init__(self) -> None:
        self._keys: dict[tuple, int] = {}
        self._pending: list[dict] = []
        self.count = 0  # rows given out (taken or pending)
        self.lo = np.zeros((0, 3))
        self.hi = np.zeros((0, 3))

    def __len__(self) -> int:
        return self.count

    def row_of(self, key: tuple) -> int:
        """The row of ``(content, feature id)`` or ``("id", value)``; -1 if unseen."""
        return self._keys.get(key, -1)

    def add(self, tile) -> int:
        """Rows for the features of a decoded tile; its parts get per-vertex ``rows``.

        Parts that already have rows (classified by footprints) are left as they are.
        Returns how many new rows this tile made.
        """
        data = tile.data
        if data is None or not data.properties:
            return 0
        content = "|".join(getattr(tile.content, "uris", ()) or ()) or tile.key
        id_field = stable_id_field(data.properties)
        lut = np.full(max(data.properties) + 1, -1, dtype=np.int64)
        before = self.count
        for fid, props in data.properties.items():
            if fid < 0:
                continue
            key = ("id", props[id_field]) if id_field else (content, int(fid))
            row = self._keys.get(key)
            if row is None:
                row = self._keys[key] = self.count
                self.count += 1
                self._pending.append(cells(props))
            lut[fid] = row
        if self.count > len(self.lo):
            grow = self.count - len(self.lo)
            self.lo = np.vstack([self.lo, np.full((grow, 3), np.inf)])
            self.hi = np.vstack([self.hi, np.full((grow, 3), -np.inf)])
        for part in [*data.meshes, *data.points]:
            if part.features is None or part.rows is not None:
                continue
            f = part.features
            ok = (f >= 0) & (f < len(lut))
            rows = np.full(len(f), -1, dtype=np.int64)
            rows[ok] = lut[f[ok]]
            part.rows = rows
            self._grow_boxes(rows, part.points)
        return self.count - before

    def _grow_boxes(self, rows: np.ndarray, points: np.ndarray) -> None:
        ok = rows >= 0
        if not ok.any():
            return
        r, p = rows[ok], points[ok].astype(np.float64)
        order = np.argsort(r, kind="stable")
        r, p = r[order], p[order]
        starts = np.flatnonzero(np.r_[True, r[1:] != r[:-1]])
        at = r[starts]
        self.lo[at] = np.minimum(self.lo[at], np.minimum.reduceat(p, starts, axis=0))
        self.hi[at] = np.maximum(self.hi[at], np.maximum.reduceat(p, starts, axis=0))

    def take(self) -> list[dict]:
        """The cells of rows made since the last call (in row order)."""
        out, self._pending = self._pending, []
        return out

    def centers(self, n: int) -> np.ndarray:
        """Centre of each of the first ``n`` rows' boxes (NaN before any vertex)."""
        with np.errstate(invalid="ignore"):
            c = (self.lo[:n] + self.hi[:n]) / 2.0
        c[~np.isfinite(c)] = np.nan
        return c

    def bounds(self, rows) -> tuple[float, ...] | None:
        """The box around ``rows`` (local scene coordinates), or None."""
        rows = np.asarray(rows, dtype=np.int64).reshape(-1)
        rows = rows[(rows >= 0) & (rows < len(self.lo))]
        if not len(rows):
            return None
        lo, hi = self.lo[rows].min(axis=0), self.hi[rows].max(axis=0)
        if not (np.all(np.isfinite(lo)) and np.all(np.isfinite(hi))):
            return None
        return (*map(float, lo), *map(float, hi))


def count_in_file(path: str, depth: int = 0) -> int | None:
    """Features with a batch/property table in one local tile content, read from its
    headers and JSON only (no geometry): b3dm/pnts ``BATCH_LENGTH``, i3dm
    ``INSTANCES_LENGTH`` when a batch table is there, the counts of a glTF's
    ``EXT_structural_metadata`` property tables, a cmpt's inner tiles summed.
    None for what it cannot read."""
    try:
        with open(path, "rb") as fh:
            return _count(fh, 0, depth)
    except (OSError, ValueError, struct.error, UnicodeDecodeError):
        return None


def _count(fh, pos: int, depth: int) -> int | None:
    fh.seek(pos)
    head = fh.read(32)
    magic = head[:4]
    if magic in (b"b3dm", b"pnts", b"i3dm"):
        size = 32 if magic == b"i3dm" else 28
        _, _, _, ftj, _ftb, btj, _btb = struct.unpack_from("<4s6I", head, 0)
        if btj == 0:
            return 0
        fh.seek(pos + size)
        ft = json.loads(fh.read(ftj) or b"{}")
        return int(ft.get("INSTANCES_LENGTH" if magic == b"i3dm" else "BATCH_LENGTH", 0))
    if magic == b"cmpt" and depth < 8:
        _, _, length, tiles = struct.unpack_from("<4s3I", head, 0)
        total, at = 0, pos + 16
        for _ in range(tiles):
            fh.seek(at + 8)
            inner = struct.unpack("<I", fh.read(4))[0]
            total += _count(fh, at, depth + 1) or 0
            at += inner
        return total
    if magic == b"glTF":
        chunk = struct.unpack_from("<I", head, 12)[0]
        fh.seek(pos + 20)
        return _gltf_count(json.loads(fh.read(chunk)))
    if head.lstrip()[:1] == b"{":
        fh.seek(pos)
        return _gltf_count(json.loads(fh.read()))
    return None


def _gltf_count(doc: dict) -> int:
    ext = (doc.get("extensions") or {}).get("EXT_structural_metadata") or {}
    return sum(int(t.get("count", 0)) for t in ext.get("propertyTables") or [])
