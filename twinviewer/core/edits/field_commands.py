"""Adding, renaming and deleting fields of a layer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from twinviewer.core.columns import (
    plain_values,
    typed_column,
)
from twinviewer.core.edits.changes import Change, FieldChange, ValueChange
from twinviewer.core.edits.command import Command, _check_name, _field_index, _field_taken, _taken
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
        self._previous_type = stack.schemas.set_type(self.layer.name, self.name, self.field_type)
        self._was_sensitive = self.name in self.layer.sensitive
        if self.field_type.sensitive:
            self.layer.sensitive = self.layer.sensitive | {self.name}

    def _revert(self, stack: CommandStack) -> None:
        del self.layer.table.df[self.name]
        stack.schemas.set_type(self.layer.name, self.name, self._previous_type)
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
        stack.schemas.rename(self.layer.name, old, new)
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
        self._declared = stack.schemas.set_type(self.layer.name, self.name, None)

    def _revert(self, stack: CommandStack) -> None:
        self.layer.table.df.insert(self._position, self.name, self._column)
        stack.schemas.set_type(self.layer.name, self.name, self._declared)

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
