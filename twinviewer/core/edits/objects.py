"""Point objects added and moved, objects deleted (with their geometry).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from twinviewer.core.columns import (
    append_value,
    plain_values,
)
from twinviewer.core.edits.changes import GEOMETRY, Change, ObjectChange, PointChange
from twinviewer.core.edits.command import Command, _field_index, _no_row, _not_finite
from twinviewer.core.fields import (
    EditError,
    validate,
)
from twinviewer.core.layer import Layer, LineBatch, PointBatch, TriangleBatch
from twinviewer.core.table import OID
from twinviewer.i18n import translate

if TYPE_CHECKING:
    from twinviewer.core.edits.stack import CommandStack


def _point_batches(layer: Layer) -> list[PointBatch]:
    return [b for b in layer.batches if isinstance(b, PointBatch)]


class AddPoint(Command):
    """Add one object drawn as a point (e.g. a new bin), with its attributes.

    ``xyz`` is in the layer's current coordinates (scene-local once the layer is
    placed); several instances may be given as a ``(k, 3)`` array, or ``None`` for
    an object without geometry.  ``oid`` defaults to one more than the largest.
    """

    def __init__(self, layer: Layer, xyz: Any, attributes: dict | None = None, *,
                 oid: Any = None, label: str | None = None) -> None:
        self.layer = layer
        self.xyz = None if xyz is None else np.asarray(xyz, dtype=np.float64).reshape(-1, 3)
        self.attributes = dict(attributes or {})
        self.oid = oid
        self.label = label or translate("EditLabel", "Add point object")
        self._old_df: pd.DataFrame | None = None
        self._batch_state: tuple | None = None

    def _prepare(self) -> dict:
        df = self.layer.table.df
        if self.xyz is not None and not np.all(np.isfinite(self.xyz)):
            raise _not_finite()
        oids = df[OID]
        if self.oid is None:
            if len(oids) and oids.dtype.kind not in "iu":
                raise EditError(translate("EditError",
                                          "layer {layer} has text object ids; give the oid")
                                .format(layer=repr(self.layer.name)))
            self.oid = int(oids.max()) + 1 if len(oids) else 1
        elif (oids == self.oid).any():
            raise EditError(translate("EditError", "layer {layer} already has an object {oid}")
                            .format(layer=repr(self.layer.name), oid=self.oid))
        return self.attributes

    def _apply(self, stack: CommandStack) -> None:
        attrs = self._prepare()
        df = self.layer.table.df
        clean = {}
        for name, value in attrs.items():
            _field_index(self.layer, name)
            try:
                clean[name] = validate(stack.field_type(self.layer, name), value)
            except EditError as exc:
                raise EditError(translate("EditError", "field {field}: {problem}").format(
                    field=name, problem=exc.message)) from None
        self.attributes = clean
        row = len(df)
        columns = {}
        for name in df.columns:
            value = self.oid if name == OID else clean.get(name)
            columns[name] = append_value(df[name], value)
        new_df = pd.DataFrame(columns, columns=df.columns)
        new_df.index = pd.RangeIndex(row + 1)
        self._old_df = df
        self.layer.table.df = new_df
        self._row = dict(zip((str(c) for c in new_df.columns),
                             plain_values(new_df.iloc[row].to_numpy(dtype=object)), strict=True))
        self._batch_state = None
        if self.xyz is not None:
            batches = _point_batches(self.layer)
            created = not batches
            batch = PointBatch(np.empty((0, 3)), np.empty(0, np.int64)) if created \
                else batches[-1]
            if created:
                self.layer.batches.append(batch)
            self._batch_state = (batch, batch.points, batch.rows, created)
            batch.points = np.concatenate([batch.points, self.xyz])
            batch.rows = np.concatenate([batch.rows, np.full(len(self.xyz), row, np.int64)])

    def _revert(self, stack: CommandStack) -> None:
        self.layer.table.df = self._old_df
        if self._batch_state is not None:
            batch, points, rows, created = self._batch_state
            batch.points, batch.rows = points, rows
            if created:
                self.layer.batches.remove(batch)

    def changes(self, forward: bool = True) -> list[Change]:
        attrs = {k: v for k, v in self._row.items() if k != OID}
        if forward:
            return [ObjectChange(self.layer, "insert", [self.oid], [attrs], [self.xyz])]
        return [ObjectChange(self.layer, "delete", [self.oid], [attrs], [self.xyz])]

    def record(self, forward: bool = True) -> dict:
        if forward:
            return {"op": "add_point", "layer": self.layer.name, "oid": self.oid,
                    "xyz": None if self.xyz is None else self.xyz.tolist(),
                    "attributes": self.attributes}
        return {"op": "delete", "layer": self.layer.name, "oids": [self.oid]}


class MovePoint(Command):
    """Move a point object to ``xyz`` (all its instances by the same offset)."""

    def __init__(self, layer: Layer, row: int, xyz: Any, *, label: str | None = None) -> None:
        self.layer = layer
        self.row = int(row)
        self.xyz = np.asarray(xyz, dtype=np.float64).reshape(3)
        self.label = label or translate("EditLabel", "Move point object")
        self._moves: list[tuple[PointBatch, np.ndarray, np.ndarray, np.ndarray]] = []

    def _apply(self, stack: CommandStack) -> None:
        if not 0 <= self.row < len(self.layer.table.df):
            raise _no_row(self.row, self.layer)
        if not np.all(np.isfinite(self.xyz)):
            raise _not_finite()
        self.oid = plain_values(self.layer.table.df[OID].to_numpy()[[self.row]])[0]
        found = [(b, np.nonzero(b.rows == self.row)[0]) for b in _point_batches(self.layer)]
        found = [(b, idx) for b, idx in found if len(idx)]
        if not found:
            raise EditError(translate("EditError", "object {oid} of layer {layer} is not a point")
                            .format(oid=self.oid, layer=repr(self.layer.name)))
        delta = self.xyz - found[0][0].points[found[0][1][0]]
        self._moves = []
        for k, (batch, idx) in enumerate(found):
            if not batch.points.flags.writeable:
                batch.points = batch.points.copy()
            old = batch.points[idx].copy()
            new = old + delta
            if k == 0:
                new[0] = self.xyz  # the picked position exactly, not old + (new - old)
            self._moves.append((batch, idx, old, new))
            batch.points[idx] = new

    def _revert(self, stack: CommandStack) -> None:
        for batch, idx, old, _new in reversed(self._moves):
            batch.points[idx] = old

    def touched(self):
        return np.array([self.row]), (GEOMETRY,)

    def changes(self, forward: bool = True) -> list[Change]:
        old = np.concatenate([m[2] for m in self._moves])
        new = np.concatenate([m[3] for m in self._moves])
        if not forward:
            old, new = new, old
        return [PointChange(self.layer, self.oid, old, new)]

    def record(self, forward: bool = True) -> dict:
        first = self._moves[0][3 if forward else 2][0]
        return {"op": "move_point", "layer": self.layer.name, "oid": self.oid,
                "xyz": first.tolist()}


class DeleteObjects(Command):
    """Delete objects (rows and all their geometry); revert restores them exactly."""

    def __init__(self, layer: Layer, rows: Iterable[int], *, label: str | None = None) -> None:
        self.layer = layer
        self.rows = np.unique(np.atleast_1d(np.asarray(rows, dtype=np.int64)))
        n = len(self.rows)
        self.label = label or (translate("EditLabel", "Delete {n} objects").format(n=n) if n != 1
                               else translate("EditLabel", "Delete object"))
        self._old_df: pd.DataFrame | None = None
        self._old_batches: list[tuple] = []

    def _apply(self, stack: CommandStack) -> None:
        df = self.layer.table.df
        if not len(self.rows):
            raise EditError(translate("EditError", "no objects to delete"))
        if self.rows[0] < 0 or self.rows[-1] >= len(df):
            raise _no_row(int(self.rows[-1]), self.layer)
        gone = np.zeros(len(df), dtype=bool)
        gone[self.rows] = True
        new_row = np.cumsum(~gone) - 1
        self._old_df = df
        self.oids = plain_values(df[OID].to_numpy()[self.rows])
        new_df = df.loc[~gone].reset_index(drop=True)
        self._old_batches = []
        for b in self.layer.batches:
            state = {k: getattr(b, k) for k in _CELL_ARRAYS[type(b)]}
            self._old_batches.append((b, state))
            keep = ~gone[b.rows]
            for key, arr in state.items():
                if arr is not None:
                    setattr(b, key, arr[keep])
            b.rows = new_row[state["rows"][keep]]
        self.layer.table.df = new_df

    def _revert(self, stack: CommandStack) -> None:
        self.layer.table.df = self._old_df
        for b, state in self._old_batches:
            for key, arr in state.items():
                setattr(b, key, arr)

    def _objects(self) -> tuple[list[dict], list[np.ndarray | None]]:
        df = self._old_df
        sub = df.iloc[self.rows]
        cols = [str(c) for c in df.columns if c != OID]
        values = {c: plain_values(sub[c]) for c in cols}
        attrs = [{c: values[c][i] for c in cols} for i in range(len(self.rows))]
        points: list[np.ndarray | None] = [None] * len(self.rows)
        states = [s for b, s in self._old_batches if isinstance(b, PointBatch)]
        if states:
            rows = np.concatenate([s["rows"] for s in states])
            xyz = np.concatenate([s["points"] for s in states])
            pick = np.isin(rows, self.rows)
            rows, xyz = rows[pick], xyz[pick]
            order = np.argsort(rows, kind="stable")
            rows, xyz = rows[order], xyz[order]
            starts = np.searchsorted(rows, self.rows, "left")
            ends = np.searchsorted(rows, self.rows, "right")
            for i, (a, b) in enumerate(zip(starts, ends, strict=True)):
                if b > a:
                    points[i] = xyz[a:b]
        return attrs, points

    def changes(self, forward: bool = True) -> list[Change]:
        attrs, points = self._objects()
        return [ObjectChange(self.layer, "delete" if forward else "insert", list(self.oids),
                             attrs, points, restore=not forward)]

    def record(self, forward: bool = True) -> dict:
        if forward:
            return {"op": "delete", "layer": self.layer.name, "oids": list(self.oids)}
        attrs, points = self._objects()
        return {"op": "restore", "layer": self.layer.name, "objects": [
            {"oid": oid, "attributes": a, "xyz": None if p is None else p.tolist()}
            for oid, a, p in zip(self.oids, attrs, points, strict=True)]}


_CELL_ARRAYS = {
    TriangleBatch: ("triangles", "rows", "colors"),
    LineBatch: ("segments", "rows"),
    PointBatch: ("points", "rows"),
}
