"""The command protocol (apply, revert, what changed, a journal record), its checks,
and :class:`Macro` (several commands as one undo step).
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from twinviewer.core.edits.changes import GEOMETRY, OBJECT, Change
from twinviewer.core.fields import (
    EditError,
)
from twinviewer.core.layer import Layer
from twinviewer.core.table import OID
from twinviewer.i18n import translate

if TYPE_CHECKING:
    from twinviewer.core.edits.stack import CommandStack


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
