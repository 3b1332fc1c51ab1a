"""Change records: what an edit did, as plain data a store turns into SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from twinviewer.core.fields import (
    FieldType,
)
from twinviewer.core.layer import Layer

GEOMETRY = "<geometry>"
"""Pseudo field name of geometry edits (dirty set, change records, edit log)."""

OBJECT = "<object>"
"""Pseudo field name of added or deleted objects."""



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
