"""Edit commands on layers (values, fields, point objects) and the undo stack.

Every change a user makes is a :class:`Command` with ``apply`` and ``revert``
pushed on a :class:`CommandStack` (the Qt side wraps it in a ``QUndoStack``).
Commands change the layer's :class:`~twinviewer.core.table.ObjectTable` and
geometry batches in place and describe what they did as plain change records
(:class:`ValueChange`, :class:`FieldChange`, :class:`ObjectChange`,
:class:`PointChange`) that a store turns into SQL.  No Qt, no VTK.

Field types and value validation live in :mod:`twinviewer.core.fields`.

Rows are positions in the layer at the time the command runs; undo and redo go
strictly in stack order, so those positions stay valid.  Object ids (``oid``) are
what the dirty set, the change records and the journal carry.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from psygnal import Signal

from twinviewer.core.columns import (  # noqa: F401 - plain_values: API here too
    append_value,
    fit_values,
    plain_values,
    typed_column,
    widen_column,
)
from twinviewer.core.fields import (  # noqa: F401 - FIELD_KINDS, infer_field_type: API
    _INT64,
    FIELD_KINDS,
    EditError,
    FieldType,
    _show,
    infer_field_type,
    is_missing,
    validate,
)
from twinviewer.core.layer import Layer, LineBatch, PointBatch, TriangleBatch
from twinviewer.core.table import OID
from twinviewer.i18n import translate

GEOMETRY = "<geometry>"
"""Pseudo field name of geometry edits (dirty set, change records, edit log)."""

OBJECT = "<object>"
"""Pseudo field name of added or deleted objects."""

def _check_name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip():
        raise EditError(translate("EditError", "a field name must be non-empty text"))
    if name != name.strip():
        raise EditError(translate("EditError", "field name {name} starts or ends with spaces")
                        .format(name=repr(name)))
    if any(ord(c) < 32 for c in name) or '"' in name:
        raise EditError(translate("EditError",
                                  "field name {name} contains a control character or a quote")
                        .format(name=repr(name)))
    if name.lower() in (OID, "fid", "geom", "geometry") or name in (GEOMETRY, OBJECT):
        raise EditError(translate("EditError", "{name} is reserved and cannot be a field name")
                        .format(name=repr(name)))
    if len(name) > 63:
        raise EditError(translate("EditError", "field name {name} is longer than {n} characters")
                        .format(name=repr(name), n=63))
    return name


def _field_index(layer: Layer, name: str) -> int:
    df = layer.table.df
    if name == OID:
        raise EditError(translate("EditError", "the object id (oid) cannot be edited"))
    if name not in df.columns:
        raise EditError(translate("EditError", "layer {layer} has no field {field}").format(
            layer=repr(layer.name), field=repr(name)))
    return int(df.columns.get_loc(name))


def _taken(layer: Layer, name: str) -> bool:
    return name.lower() in {str(c).lower() for c in layer.table.df.columns}


def _field_taken(layer: Layer, name: str) -> EditError:
    return EditError(translate("EditError", "layer {layer} already has a field {field}").format(
        layer=repr(layer.name), field=repr(name)))


def _no_row(row: int, layer: Layer) -> EditError:
    return EditError(translate("EditError", "row {row} is not an object of layer {layer}")
                     .format(row=row, layer=repr(layer.name)))


def _not_finite() -> EditError:
    return EditError(translate("EditError", "the position is not a finite coordinate"))


# --------------------------------------------------------------------------- change records


@dataclass
class ValueChange:
    """New values of one field for some objects."""

    layer: Layer
    field: str
    oids: list
    old: list
    new: list


@dataclass
class FieldChange:
    """A column added (``add``), renamed (``rename``) or deleted (``delete``).

    ``restore`` marks an add that brings back a deleted column (a store may know
    its original SQL type).
    """

    layer: Layer
    action: str
    field: str
    new_name: str | None = None
    field_type: FieldType | None = None
    default: Any = None
    restore: bool = False


@dataclass
class ObjectChange:
    """Objects added (``insert``) or deleted (``delete``).

    ``attributes`` are whole rows (``{field: value}``); ``points`` the point
    instances of each object in layer coordinates (``None``: no point geometry).
    ``restore`` marks an insert that brings back deleted objects, whose original
    geometry a store may still have.
    """

    layer: Layer
    action: str
    oids: list
    attributes: list[dict]
    points: list[np.ndarray | None]
    restore: bool = False


@dataclass
class PointChange:
    """An object's point instances moved from ``old`` to ``new`` (``(k, 3)`` arrays)."""

    layer: Layer
    oid: Any
    old: np.ndarray
    new: np.ndarray


Change = ValueChange | FieldChange | ObjectChange | PointChange


# --------------------------------------------------------------------------- commands


class Command(abc.ABC):
    """One undoable edit of one layer.

    Subclasses implement ``_apply``/``_revert`` (``_apply`` checks everything before
    it changes anything, and raises :class:`EditError`), ``changes`` and ``record``.
    """

    label: str = ""
    layer: Layer

    def apply(self, stack: CommandStack) -> None:
        self._apply(stack)

    def revert(self, stack: CommandStack) -> None:
        self._revert(stack)

    @abc.abstractmethod
    def _apply(self, stack: CommandStack) -> None:
        """Make the change (check everything first)."""

    @abc.abstractmethod
    def _revert(self, stack: CommandStack) -> None:
        """Undo the change exactly."""

    def touched(self) -> tuple[np.ndarray | None, tuple[str, ...] | None]:
        """``(rows, fields)`` for the ``changed`` event; ``None``: structure changed."""
        return None, None

    @abc.abstractmethod
    def changes(self, forward: bool = True) -> list[Change]:
        """What applying (``forward``) or reverting this command changed."""

    @abc.abstractmethod
    def record(self, forward: bool = True) -> dict:
        """A JSON-able description that re-does (``forward``) or un-does this edit by oid."""

    def parts(self) -> list[Command]:
        return [self]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.label!r})"


class SetValues(Command):
    """Set one field of one or many objects (``values``: one value for all, or one per row).

    Examples
    --------
    >>> stack.push(SetValues(layer, selected_rows, "状态", "已整改"))  # doctest: +SKIP
    """

    def __init__(self, layer: Layer, rows: Iterable[int] | int, field: str, values: Any,
                 *, label: str | None = None, field_type: Any = None) -> None:
        self.layer = layer
        self.rows = np.atleast_1d(np.asarray(rows, dtype=np.int64)).ravel()
        self.field = field
        self.scalar = not isinstance(values, list | tuple | np.ndarray | pd.Series)
        self.values = values if self.scalar else np.asarray(values, dtype=object).ravel()
        self.field_type = None if field_type is None else FieldType.of(field_type)
        n = len(self.rows)
        self.label = label or (
            translate("EditLabel", "Set {field} of {n} objects").format(field=field, n=n)
            if n != 1 else translate("EditLabel", "Set {field}").format(field=field))
        self._new: np.ndarray | None = None
        self._old: np.ndarray | None = None
        self._old_column: pd.Series | None = None
        self._oids: np.ndarray | None = None

    def _prepare(self, stack: CommandStack) -> None:
        df = self.layer.table.df
        _field_index(self.layer, self.field)
        if len(self.rows) and (self.rows.min() < 0 or self.rows.max() >= len(df)):
            raise _no_row(int(self.rows.max()), self.layer)
        if len(np.unique(self.rows)) != len(self.rows):
            raise EditError(translate("EditError", "an object is listed twice in one edit"))
        ft = self.field_type or stack.field_type(self.layer, self.field)
        if self.scalar:
            v = validate(ft, self.values)
            new = np.empty(len(self.rows), dtype=object)
            new.fill(v)
        else:
            if len(self.values) != len(self.rows):
                raise EditError(translate("EditError", "{n} values for {k} objects").format(
                    n=len(self.values), k=len(self.rows)))
            new = np.empty(len(self.rows), dtype=object)
            for i, v in enumerate(self.values):
                try:
                    new[i] = validate(ft, v)
                except EditError as exc:
                    oid = df[OID].iat[int(self.rows[i])]
                    raise EditError(translate("EditError", "{field} of object {oid}: {problem}")
                                    .format(field=self.field, oid=oid,
                                            problem=exc.message)) from None
        self._new = new
        self._oids = df[OID].to_numpy()[self.rows]

    def _apply(self, stack: CommandStack) -> None:
        if self._new is None:
            self._prepare(stack)
        df = self.layer.table.df
        j = _field_index(self.layer, self.field)
        column = df.iloc[:, j]
        self._old = column.to_numpy()[self.rows].copy()
        fitted = fit_values(column.dtype, self._new)
        if fitted is None:  # e.g. an empty value in an int column: widen, keep the original
            self._old_column = column
            wide = widen_column(column, self._new)
            wide.iloc[self.rows] = fit_values(wide.dtype, self._new)
            df[self.field] = wide
        else:
            self._old_column = None
            if len(self.rows):
                df.iloc[self.rows, j] = fitted

    def _revert(self, stack: CommandStack) -> None:
        df = self.layer.table.df
        if self._old_column is not None:
            df[self.field] = self._old_column
        elif len(self.rows):
            df.iloc[self.rows, _field_index(self.layer, self.field)] = self._old

    def touched(self):
        return self.rows, (self.field,)

    def changes(self, forward: bool = True) -> list[Change]:
        old, new = plain_values(self._old), self._new.tolist()
        oids = plain_values(self._oids)
        if not forward:
            old, new = new, old
        return [ValueChange(self.layer, self.field, oids, old, new)]

    def record(self, forward: bool = True) -> dict:
        values = self._new.tolist() if forward else plain_values(self._old)
        if forward and self.scalar and len(values):
            values = values[:1]
        return {"op": "set", "layer": self.layer.name, "field": self.field,
                "oids": plain_values(self._oids), "values": values,
                "scalar": bool(forward and self.scalar)}


class AddField(Command):
    """Add a typed field at the end of the table, every object set to ``default``."""

    def __init__(self, layer: Layer, name: str, field_type: Any, default: Any = None, *,
                 label: str | None = None) -> None:
        self.layer = layer
        self.name = name
        self.field_type = FieldType.of(field_type)
        self.default = default
        self.label = label or translate("EditLabel", "Add field {f}").format(f=name)
        self._previous_type: FieldType | None = None
        self._was_sensitive = False

    def _apply(self, stack: CommandStack) -> None:
        _check_name(self.name)
        if _taken(self.layer, self.name):
            raise _field_taken(self.layer, self.name)
        self.default = validate(self.field_type, self.default)
        df = self.layer.table.df
        column = typed_column(self.field_type, self.default, len(df))
        column.index = df.index
        df.insert(len(df.columns), self.name, column)
        self._previous_type = stack._set_type(self.layer, self.name, self.field_type)
        self._was_sensitive = self.name in self.layer.sensitive
        if self.field_type.sensitive:
            self.layer.sensitive = self.layer.sensitive | {self.name}

    def _revert(self, stack: CommandStack) -> None:
        del self.layer.table.df[self.name]
        stack._set_type(self.layer, self.name, self._previous_type)
        if not self._was_sensitive:
            self.layer.sensitive = self.layer.sensitive - {self.name}

    def changes(self, forward: bool = True) -> list[Change]:
        if forward:
            return [FieldChange(self.layer, "add", self.name, field_type=self.field_type,
                                default=self.default)]
        return [FieldChange(self.layer, "delete", self.name, field_type=self.field_type)]

    def record(self, forward: bool = True) -> dict:
        if forward:
            return {"op": "add_field", "layer": self.layer.name, "name": self.name,
                    "type": self.field_type.to_dict(), "default": self.default}
        return {"op": "delete_field", "layer": self.layer.name, "name": self.name}


class RenameField(Command):
    """Rename a field; its position, values and declared type stay."""

    def __init__(self, layer: Layer, name: str, new_name: str, *,
                 label: str | None = None) -> None:
        self.layer = layer
        self.name = name
        self.new_name = new_name
        self.label = label or translate("EditLabel", "Rename field {f} to {g}").format(
            f=name, g=new_name)

    def _apply(self, stack: CommandStack) -> None:
        _field_index(self.layer, self.name)
        _check_name(self.new_name)
        if self.new_name.lower() != self.name.lower() and _taken(self.layer, self.new_name):
            raise _field_taken(self.layer, self.new_name)
        if self.new_name == self.name:
            raise EditError(translate("EditError", "the field is already called {name}").format(
                name=repr(self.name)))
        # the class field follows its column; remembered here, because a deleted class
        # field's name may meanwhile belong to another column
        self._class_field = self.layer.class_field
        self._rename(stack, self.name, self.new_name)
        if self._class_field == self.name:
            self.layer.class_field = self.new_name

    def _revert(self, stack: CommandStack) -> None:
        self._rename(stack, self.new_name, self.name)
        self.layer.class_field = self._class_field

    def _rename(self, stack: CommandStack, old: str, new: str) -> None:
        df = self.layer.table.df
        df.columns = [new if c == old else c for c in df.columns]
        stack._rename_type(self.layer, old, new)
        if old in self.layer.sensitive:  # the field stays sensitive under its new name
            self.layer.sensitive = (self.layer.sensitive - {old}) | {new}

    def changes(self, forward: bool = True) -> list[Change]:
        old, new = (self.name, self.new_name) if forward else (self.new_name, self.name)
        return [FieldChange(self.layer, "rename", old, new_name=new)]

    def record(self, forward: bool = True) -> dict:
        old, new = (self.name, self.new_name) if forward else (self.new_name, self.name)
        return {"op": "rename_field", "layer": self.layer.name, "name": old, "new_name": new}


class DeleteField(Command):
    """Delete a field; revert puts the very same column back at its position."""

    def __init__(self, layer: Layer, name: str, *, label: str | None = None) -> None:
        self.layer = layer
        self.name = name
        self.label = label or translate("EditLabel", "Delete field {f}").format(f=name)
        self._column: pd.Series | None = None
        self._position = 0
        self._type: FieldType | None = None

    def _apply(self, stack: CommandStack) -> None:
        self._position = _field_index(self.layer, self.name)
        df = self.layer.table.df
        self._type = stack.field_type(self.layer, self.name)
        self._column = df[self.name]
        self._oids = df[OID].to_numpy()
        del df[self.name]
        self._declared = stack._set_type(self.layer, self.name, None)

    def _revert(self, stack: CommandStack) -> None:
        self.layer.table.df.insert(self._position, self.name, self._column)
        stack._set_type(self.layer, self.name, self._declared)

    def changes(self, forward: bool = True) -> list[Change]:
        if forward:
            return [FieldChange(self.layer, "delete", self.name, field_type=self._type)]
        values = plain_values(self._column)
        keep = [i for i, v in enumerate(values) if v is not None]
        oids = plain_values(self._oids)
        return [FieldChange(self.layer, "add", self.name, field_type=self._type, restore=True),
                ValueChange(self.layer, self.name, [oids[i] for i in keep],
                            [None] * len(keep), [values[i] for i in keep])]

    def record(self, forward: bool = True) -> dict:
        if forward:
            return {"op": "delete_field", "layer": self.layer.name, "name": self.name}
        return {"op": "add_field", "layer": self.layer.name, "name": self.name,
                "type": self._type.to_dict(), "default": None, "position": self._position,
                "oids": plain_values(self._oids), "values": plain_values(self._column)}


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


class Macro(Command):
    """Several commands as one undo step (e.g. add a field and fill it)."""

    def __init__(self, label: str, commands: Sequence[Command]) -> None:
        if not commands:
            raise EditError(translate("EditError", "an edit needs at least one step"))
        self.label = label
        self.commands = list(commands)
        self.layer = self.commands[0].layer
        self._done = 0

    def _apply(self, stack: CommandStack) -> None:
        self._done = 0
        try:
            for cmd in self.commands:
                cmd.apply(stack)
                self._done += 1
        except EditError:
            for cmd in reversed(self.commands[: self._done]):
                cmd.revert(stack)
            raise

    def _revert(self, stack: CommandStack) -> None:
        for cmd in reversed(self.commands):
            cmd.revert(stack)

    def parts(self) -> list[Command]:
        return [p for cmd in self.commands for p in cmd.parts()]

    def changes(self, forward: bool = True) -> list[Change]:
        cmds = self.commands if forward else list(reversed(self.commands))
        return [ch for cmd in cmds for ch in cmd.changes(forward)]

    def record(self, forward: bool = True) -> dict:
        cmds = self.commands if forward else list(reversed(self.commands))
        return {"op": "macro", "label": self.label,
                "items": [cmd.record(forward) for cmd in cmds]}


# --------------------------------------------------------------------------- the stack


@dataclass
class Step:
    """One pending step between the saved state and the model: a command applied or reverted."""

    command: Command
    forward: bool

    @property
    def label(self) -> str:
        return self.command.label if self.forward else translate("EditLabel", "{label} (undone)").format(
            label=self.command.label)

    def changes(self) -> list[Change]:
        return self.command.changes(self.forward)

    def record(self) -> dict:
        return {"label": self.label, **self.command.record(self.forward)}


@dataclass
class _Saved:
    index: int = 0
    orphans: list[Command] = field(default_factory=list)  # saved, then dropped from history


class CommandStack:
    """The undo/redo history of edits and what is not yet saved.

    Events
    ------
    changed(layer, rows, fields)
        After every apply/undo/redo: ``rows`` (ndarray) and ``fields`` (tuple) that
        changed; ``None`` for either means rows were added/removed or columns changed,
        so views should refresh the whole layer.  Geometry edits name :data:`GEOMETRY`.
    index_changed(int)
        The number of applied commands changed.
    clean_changed(bool)
        Whether the model equals the saved store (title asterisk).

    Parameters
    ----------
    schemas : dict, optional
        ``{layer name: {field: type}}`` declared field types (enums need theirs here);
        other fields take the type their column's dtype suggests.

    Examples
    --------
    >>> stack = CommandStack({"设施": {"状态": {"type": "enum", "values": ["正常", "损坏"]}}})
    >>> stack.push(SetValues(layer, [0, 1], "状态", "损坏"))  # doctest: +SKIP
    >>> stack.undo_label  # doctest: +SKIP
    'Set 状态 of 2 objects'
    """

    changed = Signal(object, object, object)
    index_changed = Signal(int)
    clean_changed = Signal(bool)

    def __init__(self, schemas: dict[str, dict[str, Any]] | None = None) -> None:
        self.schemas: dict[str, dict[str, FieldType]] = {}
        for layer_name, fields in (schemas or {}).items():
            self.declare_schema(layer_name, fields)
        self._commands: list[Command] = []
        self._index = 0
        self._saved = _Saved()
        self._dirty: set | None = None

    # ---- schema

    def declare_schema(self, layer_name: str, fields: dict[str, Any]) -> None:
        """Declare the types of some fields of a layer (e.g. from the store)."""
        schema = self.schemas.setdefault(layer_name, {})
        for name, spec in fields.items():
            schema[name] = FieldType.of(spec)

    def field_type(self, layer: Layer, name: str) -> FieldType:
        """The declared type of a field, or the one its column suggests."""
        declared = self.schemas.get(layer.name, {}).get(name)
        if declared is not None:
            return declared
        return infer_field_type(layer.table.df[name])

    def _set_type(self, layer: Layer, name: str, ft: FieldType | None) -> FieldType | None:
        schema = self.schemas.setdefault(layer.name, {})
        previous = schema.pop(name, None)
        if ft is not None:
            schema[name] = ft
        return previous

    def _rename_type(self, layer: Layer, old: str, new: str) -> None:
        schema = self.schemas.setdefault(layer.name, {})
        if old in schema:
            schema[new] = schema.pop(old)

    # ---- history

    def push(self, command: Command) -> Command:
        """Apply ``command`` and put it on the stack (the redo tail is dropped).

        Raises :class:`EditError` (and changes nothing) when the edit is refused.
        """
        was_clean = self.is_clean
        command.apply(self)
        if self._index < self._saved.index:  # the saved state leaves the history
            self._saved.orphans = self._commands[self._index:self._saved.index] + \
                self._saved.orphans
            self._saved.index = self._index
        del self._commands[self._index:]
        self._commands.append(command)
        self._index += 1
        self._after(command, was_clean)
        return command

    def undo(self) -> None:
        if not self.can_undo:
            return
        was_clean = self.is_clean
        command = self._commands[self._index - 1]
        command.revert(self)
        self._index -= 1
        self._after(command, was_clean)

    def redo(self) -> None:
        if not self.can_redo:
            return
        was_clean = self.is_clean
        command = self._commands[self._index]
        command.apply(self)
        self._index += 1
        self._after(command, was_clean)

    def _after(self, command: Command, was_clean: bool) -> None:
        self._dirty = None
        for part in command.parts():
            part.layer.geometry_changed()  # points may have moved in place: drop cached bounds
            rows, fields = part.touched()
            self.changed.emit(part.layer, rows, fields)
        self.index_changed.emit(self._index)
        if self.is_clean != was_clean:
            self.clean_changed.emit(self.is_clean)

    @property
    def index(self) -> int:
        return self._index

    def __len__(self) -> int:
        return len(self._commands)

    @property
    def can_undo(self) -> bool:
        return self._index > 0

    @property
    def can_redo(self) -> bool:
        return self._index < len(self._commands)

    @property
    def undo_label(self) -> str:
        return self._commands[self._index - 1].label if self.can_undo else ""

    @property
    def redo_label(self) -> str:
        return self._commands[self._index].label if self.can_redo else ""

    @property
    def labels(self) -> list[str]:
        """Labels of every command on the stack, oldest first (the history view)."""
        return [c.label for c in self._commands]

    def touches(self, layer: Layer) -> bool:
        """Whether a command of the history, or a saved one dropped from it, edits
        ``layer`` (whose rows such commands refer to)."""
        commands = [*self._commands, *self._saved.orphans]
        return any(part.layer is layer for c in commands for part in c.parts())

    @property
    def saved_index(self) -> int | None:
        """The history index equal to the saved store; None when the saved state has
        left the history (an edit after undoing saved commands)."""
        return None if self._saved.orphans else self._saved.index

    # ---- saved state

    @property
    def is_clean(self) -> bool:
        return self._index == self._saved.index and not self._saved.orphans

    def pending(self) -> list[Step]:
        """Steps that take the saved store to the model, in order."""
        steps = [Step(c, False) for c in reversed(self._saved.orphans)]
        if self._index < self._saved.index:
            steps += [Step(c, False) for c in
                      reversed(self._commands[self._index:self._saved.index])]
        else:
            steps += [Step(c, True) for c in self._commands[self._saved.index:self._index]]
        return steps

    def mark_saved(self) -> None:
        """The store now holds the model's state (called by a store after it commits)."""
        was_clean = self.is_clean
        self._saved = _Saved(self._index)
        self._dirty = None
        if not was_clean:
            self.clean_changed.emit(True)

    @property
    def dirty(self) -> set[tuple[str, Any, str]]:
        """``{(layer name, oid, field)}`` of changes not yet saved.

        Field changes are ``(layer, None, field)``; added/deleted objects use
        :data:`OBJECT` and moved points :data:`GEOMETRY` as field.
        """
        if self._dirty is None:
            out: set = set()
            for step in self.pending():
                for ch in step.changes():
                    name = ch.layer.name
                    if isinstance(ch, ValueChange):
                        out.update((name, oid, ch.field) for oid in ch.oids)
                    elif isinstance(ch, FieldChange):
                        out.add((name, None, ch.field))
                        if ch.new_name:
                            out.add((name, None, ch.new_name))
                    elif isinstance(ch, ObjectChange):
                        out.update((name, oid, OBJECT) for oid in ch.oids)
                    else:
                        out.add((name, ch.oid, GEOMETRY))
            self._dirty = out
        return self._dirty

    def dirty_oids(self, layer_name: str) -> set:
        """Object ids of a layer with unsaved changes (per-row markers)."""
        return {oid for name, oid, _ in self.dirty if name == layer_name and oid is not None}
