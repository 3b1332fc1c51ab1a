"""Setting values of fields: :class:`SetValues`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from twinviewer.core.columns import (
    fit_values,
    plain_values,
    widen_column,
)
from twinviewer.core.edits.changes import Change, ValueChange
from twinviewer.core.edits.command import Command, _field_index, _no_row
from twinviewer.core.fields import (
    EditError,
    FieldType,
    validate,
)
from twinviewer.core.layer import Layer
from twinviewer.core.table import OID
from twinviewer.i18n import translate

if TYPE_CHECKING:
    from twinviewer.core.edits.stack import CommandStack


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
