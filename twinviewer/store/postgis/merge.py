"""Other editors' saves merged into a layer in place: new values and moved points.

The live updates of a window (``ui/live_updates.py``) fetch what a notice names and
hand it here; cells and objects with unsaved local edits (``dirty``) are left alone,
so saving them reports a conflict instead of losing either side.  No Qt.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from twinviewer.core.edits import GEOMETRY, OBJECT, is_missing
from twinviewer.core.layer import Layer, PointBatch
from twinviewer.store.postgis.sql import VERSION

Dirty = set[tuple[str, Any, str]]  # CommandStack.dirty: (layer name, oid, field)


def same_value(a: Any, b: Any) -> bool:
    """Whether a cell's value and a fetched one are the same (missing equals missing,
    numbers compare as numbers)."""
    if is_missing(a) and is_missing(b):
        return True
    if is_missing(a) or is_missing(b):
        return False
    if isinstance(a, np.generic):
        a = a.item()
    if isinstance(a, float) or isinstance(b, float):
        try:
            return float(a) == float(b)
        except (TypeError, ValueError):
            return False
    return a == b


def _rows_of(layer: Layer, oids: Iterable[int]) -> dict[int, int]:
    """Row of each oid present in the layer (``ObjectTable.rows_of_oids``, no dict over
    all rows)."""
    oids = [int(o) for o in oids]
    if not oids:
        return {}
    table = layer.table
    rows = table.rows_of_oids(oids)
    present = table.df["oid"].to_numpy()[rows]
    return {int(o): int(r) for o, r in zip(present, rows, strict=True)}


def merge_values(layer: Layer, fetched: Mapping[int, dict], dirty: Dirty,
                 fields: Iterable[str] | None = None
                 ) -> tuple[np.ndarray, tuple[str, ...], int]:
    """Write fetched values (``PostGISStore.fetch(..., versions=True)``) into ``layer``.

    Only ``fields`` when given; cells edited here and not yet saved are kept; the row
    versions of the layer's provider learn what this window has now seen.

    Returns
    -------
    rows, fields, cells
        The rows and fields whose cells changed (empty when none did), and how many
        cells changed.
    """
    wanted = set(fields) if fields else None
    df = layer.table.df
    versions = layer.provider.row_versions if layer.provider is not None else None
    touched_rows: set[int] = set()
    touched_fields: set[str] = set()
    cells = 0
    for oid, row in _rows_of(layer, fetched).items():
        values = dict(fetched[oid])
        version = values.pop(VERSION, None)
        if versions is not None and version is not None:  # this window has seen it
            versions.set(oid, version)
        for field, value in values.items():
            if wanted is not None and field not in wanted:
                continue
            if field not in df.columns or (layer.name, oid, field) in dirty:
                continue
            if same_value(df[field].iat[row], value):
                continue
            layer.table.set_cell(row, field, value)
            df = layer.table.df
            touched_rows.add(row)
            touched_fields.add(field)
            cells += 1
    return (np.array(sorted(touched_rows), dtype=np.int64), tuple(sorted(touched_fields)),
            cells)


def move_points(layer: Layer, found: Mapping[int, tuple[np.ndarray, int]], dirty: Dirty,
                *, flat: bool = False, place=None) -> np.ndarray | None:
    """Put point objects where another editor moved them (``PostGISStore.points``).

    ``flat``: a 2D table, whose objects keep the height the window gave them.
    ``place(old, new)``: the drawn positions of instances read at ``new`` (scene-local)
    that stood at ``old`` (on the terrain: set on the ground there).  Objects
    moved or deleted here and not yet saved stay.  Returns the rows moved, or None
    when an object's instances were added or dropped (the layer must be read again).
    """
    batches = [b for b in layer.batches if isinstance(b, PointBatch)]
    versions = layer.provider.row_versions if layer.provider is not None else None
    moved = []
    for oid, row in _rows_of(layer, found).items():
        if (layer.name, oid, GEOMETRY) in dirty or (layer.name, oid, OBJECT) in dirty:
            continue
        xyz, version = found[oid]
        places = [(b, np.flatnonzero(b.rows == row)) for b in batches]
        if sum(len(idx) for _b, idx in places) != len(xyz):
            return None
        k = 0
        for b, idx in places:
            if not len(idx):
                continue
            if not b.points.flags.writeable:
                b.points = b.points.copy()
            new = xyz[k:k + len(idx)].copy()
            if flat:
                new[:, 2] = b.points[idx, 2]
            if place is not None:
                new = place(b.points[idx], new)
            b.points[idx] = new
            k += len(idx)
        if versions is not None:
            versions.set(oid, version)
        moved.append(row)
    if moved:
        layer.geometry_changed()
    return np.array(sorted(moved), dtype=np.int64)
