"""The tables of a GeoPackage store, SQL values and what the writer knows of a table.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from twinviewer.i18n import translate
from twinviewer.store.base import (
    StoreError,
    _json_default,
)

LOG_TABLE = "twinviewer_edit_log"
SENSITIVE_TAG = "twinviewer:sensitive"
DELETED_TABLE = "twinviewer_deleted"
OID_COLUMN = "oid"
GEOMETRY_COLUMN = "geom"
BUSY_TIMEOUT_S = 3.0

_SQL_TYPES = {"int": "INTEGER", "real": "REAL", "text": "TEXT", "date": "DATE",
              "datetime": "DATETIME", "bool": "BOOLEAN", "enum": "TEXT"}
_INT_TYPES = {"INTEGER", "INT", "BIGINT", "MEDIUMINT", "SMALLINT", "TINYINT", "INT8", "INT2"}
_REAL_TYPES = {"REAL", "DOUBLE", "FLOAT", "NUMERIC", "DOUBLE PRECISION"}
_POINT_TYPES = {"POINT", "MULTIPOINT", "GEOMETRY"}
_SCHEMA_EXT = "http://www.geopackage.org/spec/#extension_schema"

_LOG_DDL = f"""
CREATE TABLE IF NOT EXISTS {LOG_TABLE} (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ts TEXT NOT NULL,
    user TEXT NOT NULL,
    layer TEXT NOT NULL,
    oid INTEGER,
    field TEXT,
    old TEXT,
    new TEXT,
    label TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS {LOG_TABLE}_object ON {LOG_TABLE} (layer, oid);
CREATE TABLE IF NOT EXISTS {DELETED_TABLE} (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ts TEXT NOT NULL,
    layer TEXT NOT NULL,
    oid INTEGER NOT NULL,
    attributes TEXT NOT NULL,
    geom BLOB
);
CREATE INDEX IF NOT EXISTS {DELETED_TABLE}_object ON {DELETED_TABLE} (layer, oid);
"""


def _q(name: str) -> str:
    """An SQL identifier, quoted."""
    return '"' + str(name).replace('"', '""') + '"'


def _sql_value(v: Any) -> Any:
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, float) and v != v:
        return None
    return v


def _text(v: Any) -> str | None:
    """A value as the edit log shows it."""
    if v is None:
        return None
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, dict | list):
        return json.dumps(v, ensure_ascii=False, default=_json_default)
    if isinstance(v, bytes):
        return v.hex()
    return str(v)


def _json_restore(v):
    if isinstance(v, dict) and set(v) == {"$hex"}:
        return bytes.fromhex(v["$hex"])
    return v


@dataclass
class _Table:
    """What the writer needs to know of one table."""

    name: str
    pk: str
    columns: dict[str, str]  # lower-case name -> name
    types: dict[str, str]  # name -> declared SQL type (upper case, no size)
    declared: dict[str, str] = field(default_factory=dict)  # name -> declared type as written
    geom: str | None = None
    geom_type: str | None = None
    srs_id: int = 0
    z: bool = False

    def column(self, name: str, layer: str) -> str:
        actual = self.columns.get(str(name).lower())
        if actual is None or actual in (self.pk, self.geom):
            raise StoreError(translate("StoreError", "layer {layer!r}: table {table!r} has no "
                                                     "field {field!r}").format(
                layer=layer, table=self.name, field=name))
        return actual


def log_result(conn, *, table: str, rows: int, label: str, user: str) -> None:
    """Append one edit-log row for a whole result written into ``table`` (an analysis
    layer): field ``<analysis>``, the rows written as the new value, the parameters as
    the label; the log table is created first when the store has none yet."""
    from twinviewer.store.base import _now

    for stmt in _LOG_DDL.split(";"):
        if stmt.strip():
            conn.execute(stmt)
    conn.execute(f"INSERT INTO {LOG_TABLE} (ts, user, layer, oid, field, old, new, label)"
                 " VALUES (?, ?, ?, NULL, '<analysis>', NULL, ?, ?)",
                 (_now(), user, table, str(rows), label))
