"""The names of a published twin's tables and columns, and SQL types and values.

How a value travels between a layer's column, the edit log and a SQL literal, and
what the store knows of one table (:class:`_Table`).
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from twinviewer.core.edits import (
    EditError,
    FieldType,
    validate,
)

CHANNEL = "twinviewer"
LOG_TABLE = "twinviewer_edit_log"
LAYERS_TABLE = "twinviewer_layers"
FIELDS_TABLE = "twinviewer_fields"
SAVES_TABLE = "twinviewer_saves"
META_TABLE = "twinviewer_meta"
DELETED_TABLE = "twinviewer_deleted"
OID = "oid"
GEOM = "geom"
VERSION = "version"
RESERVED = (OID, GEOM, VERSION)
BATCH_ROWS = 20_000
CONNECT_TIMEOUT_S = 5
ROLES = ("viewer", "editor", "sensitive", "admin")
SENSITIVE_REASON = "sensitive resident data: readable only by roles granted it"

_PG_TYPES = {"int": "bigint", "real": "double precision", "text": "text", "enum": "text",
             "bool": "boolean", "date": "date", "datetime": "timestamp"}
_KIND_OF = {"bigint": "int", "integer": "int", "smallint": "int", "double precision": "real",
            "real": "real", "numeric": "real", "boolean": "bool", "date": "date",
            "timestamp without time zone": "datetime", "timestamp with time zone": "datetime"}
_POINT_TYPES = {"POINT", "MULTIPOINT", "GEOMETRY"}


def _q(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def _role_prefix(dbname: str) -> str:
    base = re.sub(r"[^a-z0-9_]", "_", dbname.lower()) or "twin"
    return base[:40]


# --------------------------------------------------------------------------- values


def _pg_text(value: Any, kind: str) -> str | None:
    """A value as SQL text input for a column of ``kind`` (None: NULL)."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or (isinstance(value, float) and value != value):
        return None
    if kind == "int" and isinstance(value, float) and value == int(value):
        value = int(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _log_text(value: Any) -> str | None:
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, _dt.datetime):
        return value.isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    return str(value)


def _plain(value: Any, kind: str) -> Any:
    """A value read from the server as the loader and editors hold it."""
    if value is None:
        return None
    if isinstance(value, _dt.datetime):
        return value.isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    return value


def _same(a: Any, b: Any, kind: str) -> bool:
    try:
        a = validate(FieldType("text" if kind == "enum" else kind), _plain(a, kind))
        b = validate(FieldType("text" if kind == "enum" else kind), _plain(b, kind))
    except EditError:
        return False
    return a == b


# --------------------------------------------------------------------------- records


@dataclass
class _Table:
    name: str
    kinds: dict[str, str]  # attribute column -> field kind (all columns, visible or not)
    readable: list[str]  # attribute columns this role may SELECT, in table order
    hidden: dict[str, str] = field(default_factory=dict)  # column -> why it is hidden
    sensitive: set[str] = field(default_factory=set)
    srid: int = 0
    crs: str | None = None
    geom_type: str | None = None  # POINT, MULTIPOINT, POLYGON ... (None: unknown)
    z: bool = False  # the geometry column holds 3D coordinates


# --------------------------------------------------------------------------- the store


def _column(values: Sequence, kind: str) -> np.ndarray:
    """A loaded column as numpy, in the dtypes the GeoPackage reader gives."""
    if kind == "int":
        if any(v is None for v in values):
            return np.array([np.nan if v is None else float(v) for v in values])
        return np.array(values, dtype=np.int64)
    if kind == "real":
        return np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)
    if kind == "bool" and not any(v is None for v in values):
        return np.array(values, dtype=bool)
    return np.array(list(values), dtype=object)




def _log_json(values: dict, hidden: set[str]) -> str:
    """An object's attributes as the edit log shows them (sensitive ones left out)."""
    clean = {}
    for key, value in values.items():
        if key in hidden:
            continue
        if isinstance(value, np.generic):
            value = value.item()
        number = isinstance(value, int | float) and not isinstance(value, bool)
        clean[key] = value if number and value == value else _log_text(value)
    return json.dumps(clean, ensure_ascii=False, default=str)
