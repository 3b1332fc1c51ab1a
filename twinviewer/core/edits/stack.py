"""The undo/redo history of edits and what is not yet saved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from psygnal import Signal

from twinviewer.core.edits.changes import (
    GEOMETRY,
    OBJECT,
    Change,
    FieldChange,
    ObjectChange,
    ValueChange,
)
from twinviewer.core.edits.command import Command
from twinviewer.core.fields import (
    FieldType,
    Schema,
    infer_field_type,
)
from twinviewer.core.layer import Layer
from twinviewer.i18n import translate


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
        self.schemas = Schema()
        for layer_name, fields in (schemas or {}).items():
            self.schemas.declare(layer_name, fields)
        self._commands: list[Command] = []
        self._index = 0
        self._saved = _Saved()
        self._dirty: set | None = None

    # ---- schema

    def declare_schema(self, layer_name: str, fields: dict[str, Any]) -> None:
        """Declare the types of some fields of a layer (e.g. from the store)."""
        self.schemas.declare(layer_name, fields)

    def field_type(self, layer: Layer, name: str) -> FieldType:
        """The declared type of a field, or the one its column suggests."""
        declared = self.schemas.declared(layer.name, name)
        if declared is not None:
            return declared
        return infer_field_type(layer.table.df[name])

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
