"""Edit commands on layers (values, fields, point objects) and the undo stack.

Every change a user makes is a :class:`Command` with ``apply`` and ``revert``
pushed on a :class:`CommandStack` (the Qt side shows it through a ``QUndoStack``).
Commands change the layer's :class:`~twinviewer.core.table.ObjectTable` and
geometry batches in place and describe what they did as plain change records
(:class:`ValueChange`, :class:`FieldChange`, :class:`ObjectChange`,
:class:`PointChange`) that a store turns into SQL.  No Qt, no VTK.

Field types, value validation and the declared :class:`~twinviewer.core.fields.Schema`
live in :mod:`twinviewer.core.fields`, column dtype helpers in
:mod:`twinviewer.core.columns`.  The package is split by idea: :mod:`.changes`,
:mod:`.command` (the protocol and :class:`Macro`), :mod:`.values`,
:mod:`.field_commands`, :mod:`.objects` and :mod:`.stack`.

Rows are positions in the layer at the time the command runs; undo and redo go
strictly in stack order, so those positions stay valid.  Object ids (``oid``) are
what the dirty set, the change records and the journal carry.
"""

from twinviewer.core.columns import (
    append_value,
    fit_values,
    plain_values,
    typed_column,
    widen_column,
)
from twinviewer.core.edits.changes import (
    GEOMETRY,
    OBJECT,
    Change,
    FieldChange,
    ObjectChange,
    PointChange,
    ValueChange,
)
from twinviewer.core.edits.command import Command, Macro
from twinviewer.core.edits.field_commands import AddField, DeleteField, RenameField
from twinviewer.core.edits.objects import AddPoint, DeleteObjects, MovePoint
from twinviewer.core.edits.stack import CommandStack, Step
from twinviewer.core.edits.values import SetValues
from twinviewer.core.fields import (
    FIELD_KINDS,
    EditError,
    FieldType,
    Schema,
    infer_field_type,
    is_missing,
    validate,
)

__all__ = [
    "FIELD_KINDS", "GEOMETRY", "OBJECT", "AddField", "AddPoint", "Change", "Command",
    "CommandStack", "DeleteField", "DeleteObjects", "EditError", "FieldChange", "FieldType",
    "Macro", "MovePoint", "ObjectChange", "PointChange", "RenameField", "Schema", "SetValues",
    "Step", "ValueChange", "append_value", "fit_values", "infer_field_type", "is_missing",
    "plain_values", "typed_column", "validate", "widen_column",
]
