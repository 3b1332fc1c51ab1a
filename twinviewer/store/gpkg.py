"""The embedded store: a GeoPackage (an SQLite file QGIS and GDAL open) holding layers and edits.

Tables are written by pyogrio/GDAL on import, with the object id as the table's
integer primary key (``oid``, GDAL's FID column).  Edits are written by Python's
``sqlite3`` directly, each save or spreadsheet batch in ONE transaction
(``BEGIN IMMEDIATE`` ... ``COMMIT``): a crash or a kill leaves either all of it or
none of it, never a damaged file.  Every change is appended to the
``twinviewer_edit_log`` table (who, when, object, field, old, new, command);
deleted objects are kept whole in ``twinviewer_deleted`` so an undo after a
save brings them back with their original geometry.  The log is registered in
``gpkg_contents`` as an ``attributes`` table, so QGIS shows it as a plain table;
the registration also keeps GDAL from listing ``twinviewer_deleted`` as a layer.
Readers that list a store's layers should skip tables named ``twinviewer_*``.

Sensitive fields (resident-level personal data, see :mod:`twinviewer.core.privacy`)
are marked in the GeoPackage schema extension: the field's row in
``gpkg_data_columns`` carries the tag ``twinviewer:sensitive`` in its
``description`` (any description already there is kept, the tag follows it after
``"; "``).  ``constraint_name`` (value lists) and ``mime_type`` (JSON fields) stay
free, so a field can be both an enum and sensitive; QGIS shows the tag as the
column's description.  Each unmasking of sensitive fields is appended to
``twinviewer_access_log`` (who, when, table, fields, purpose).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as _dt
import getpass
import io
import json
import logging
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from twinviewer.core.edits import (
    GEOMETRY,
    OBJECT,
    Change,
    CommandStack,
    EditError,
    FieldChange,
    FieldType,
    ObjectChange,
    PointChange,
    ValueChange,
    validate,
)
from twinviewer.core.layer import Layer
from twinviewer.core.privacy import AccessRecord
from twinviewer.i18n import translate
from twinviewer.store.base import (
    ApplyReport,
    LogEntry,
    Refusal,
    SaveReport,
    StoreError,
    TableProvider,
)
from twinviewer.store.geometry import (
    blob_bounds,
    point_blob,
    points_wkt,
    register_functions,
)

if TYPE_CHECKING:
    from twinviewer.store.gpkg_import import ImportResult

log = logging.getLogger(__name__)

LOG_TABLE = "twinviewer_edit_log"
ACCESS_LOG_TABLE = "twinviewer_access_log"
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

_ACCESS_DDL = f"""
CREATE TABLE IF NOT EXISTS {ACCESS_LOG_TABLE} (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ts TEXT NOT NULL,
    user TEXT NOT NULL,
    layer TEXT NOT NULL,
    fields TEXT NOT NULL,
    purpose TEXT NOT NULL,
    action TEXT NOT NULL DEFAULT 'unmask'
)
"""


@dataclass
class GeoPackageProvider(TableProvider):
    """A GeoPackage table as a layer's data provider (``key``: the file's resolved path)."""

    kind = "gpkg"

    def open_store(self) -> GeoPackageStore:
        return GeoPackageStore(self.key)

    def sensitive_fields(self) -> set[str]:
        """The fields the file's schema marks sensitive; none for a file the store did
        not write."""
        try:
            schema = GeoPackageStore(self.key).schema(self.table)
        except StoreError as exc:  # not a store GDAL wrote: no marks to read
            log.debug("no schema for %s: %s", self.table, exc.message)
            return set()
        return {name for name, ft in schema.items() if ft.sensitive}


def provider_for(path: str | Path, table: str) -> GeoPackageProvider | None:
    """The provider of a layer read from a GeoPackage table, for the loader's provider
    hook (``io/registry.py``); None when the file is gone."""
    p = Path(path)
    return GeoPackageProvider(str(p.resolve()), table) if p.exists() else None


def _q(name: str) -> str:
    """An SQL identifier, quoted."""
    return '"' + str(name).replace('"', '""') + '"'


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="milliseconds") \
        .replace("+00:00", "Z")


def default_user() -> str:
    """``$TWINVIEWER_USER`` when set, else the OS user name."""
    name = os.environ.get("TWINVIEWER_USER")
    if name:
        return name
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry in a container: still record something
        return "unknown"


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


def _json_default(v):
    if isinstance(v, bytes | bytearray | memoryview):
        return {"$hex": bytes(v).hex()}
    if isinstance(v, np.generic):
        return v.item()
    raise TypeError(f"{type(v).__name__} is not JSON")


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


class GeoPackageStore:
    """A GeoPackage file as the store of layers, edits and their history.

    Parameters
    ----------
    path : str or Path
        The ``.gpkg`` file (created by :meth:`import_layers` when missing).
    user : str, optional
        Name written to the edit log (default ``$TWINVIEWER_USER`` or the OS user).
    timeout : float
        Seconds to wait for another program's write lock before giving up (3 s).

    Examples
    --------
    >>> store = GeoPackageStore("district.gpkg")  # doctest: +SKIP
    >>> store.import_layers(["bins.shp"])  # doctest: +SKIP
    >>> store.save(stack)  # every pending edit, one transaction  # doctest: +SKIP
    >>> store.log(oid=12)  # doctest: +SKIP
    """

    def __init__(self, path: str | Path, *, user: str | None = None,
                 timeout: float = BUSY_TIMEOUT_S) -> None:
        self.path = Path(path)
        self.user = user or default_user()
        self.timeout = float(timeout)

    def __repr__(self) -> str:
        return f"GeoPackageStore({str(self.path)!r})"

    # ------------------------------------------------------------------ connections

    def _error(self, problem: str) -> StoreError:
        return StoreError(problem, self.path)

    def _problem(self, exc: sqlite3.Error) -> str:
        text = str(exc)
        low = text.lower()
        if "locked" in low or "busy" in low:
            return translate("StoreError", "the GeoPackage is locked by another program "
                                           "(waited {seconds:g} s); nothing was written and "
                                           "pending edits are kept: try again").format(
                seconds=self.timeout)
        if "disk is full" in low or "database or disk is full" in low:
            return translate("StoreError", "the disk is full; nothing was written and pending "
                                           "edits are kept")
        if "readonly" in low or "read-only" in low:
            return translate("StoreError", "the file is read-only; nothing was written and "
                                           "pending edits are kept")
        if "not a database" in low or "malformed" in low:
            return translate("StoreError", "not a usable GeoPackage ({detail})").format(
                detail=text)
        if "disk i/o" in low:
            return translate("StoreError", "disk I/O error ({detail}); nothing was written and "
                                           "pending edits are kept").format(detail=text)
        return text

    def _check_writable(self) -> None:
        st = self.path.stat()
        if not st.st_mode & 0o222 or not os.access(self.path, os.W_OK):
            raise self._error(translate("StoreError", "the file is read-only; nothing was "
                                                      "written and pending edits are kept"))
        if not os.access(self.path.parent, os.W_OK | os.X_OK):
            raise self._error(translate("StoreError", "the folder is read-only (SQLite writes "
                                                      "its journal beside the file); nothing was "
                                                      "written and pending edits are kept"))

    def _connect(self, write: bool = False) -> sqlite3.Connection:
        if not self.path.exists():
            raise self._error(translate("StoreError", "file not found"))
        if not self.path.is_file():
            raise self._error(translate("StoreError", "is not a file"))
        if write:
            self._check_writable()
        read_only = not write and not (self.path.stat().st_mode & 0o222
                                       and os.access(self.path, os.W_OK))
        conn = None
        try:
            if read_only:
                conn = sqlite3.connect(self.path.resolve().as_uri() + "?mode=ro", uri=True,
                                       timeout=self.timeout, isolation_level=None)
            else:
                conn = sqlite3.connect(str(self.path), timeout=self.timeout,
                                       isolation_level=None)
            register_functions(conn)
            ok = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
                              "name = 'gpkg_contents'").fetchone()
        except sqlite3.Error as exc:
            if conn is not None:
                conn.close()
            raise self._error(self._problem(exc)) from None
        if not ok:
            conn.close()
            raise self._error(translate("StoreError", "not a GeoPackage (it has no "
                                                      "gpkg_contents table)"))
        return conn

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed when the block ends, rolled back (and the
        file left as it was) on any error; SQLite errors become a clear StoreError."""
        conn = self._connect(write=True)
        try:
            self._begin(conn)
            yield conn
            if conn.in_transaction:
                conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback(conn)
            raise self._error(self._problem(exc)) from None
        except BaseException:
            self._rollback(conn)
            raise
        finally:
            conn.close()

    def _begin(self, conn: sqlite3.Connection) -> None:
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise self._error(self._problem(exc)) from None

    @staticmethod
    def _rollback(conn: sqlite3.Connection) -> None:
        try:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
        except sqlite3.Error:  # the journal rolls back on the next open anyway
            log.warning("rollback failed", exc_info=True)

    # ------------------------------------------------------------------ reading

    def tables(self) -> list[str]:
        """Feature and attribute tables, in the order they were added."""
        conn = self._connect()
        try:
            return self._tables(conn)
        finally:
            conn.close()

    @staticmethod
    def _tables(conn: sqlite3.Connection) -> list[str]:
        rows = conn.execute("SELECT table_name FROM gpkg_contents WHERE data_type IN "
                            "('features', 'attributes') ORDER BY rowid").fetchall()
        return [r[0] for r in rows if not r[0].lower().startswith("twinviewer_")]

    def _table(self, conn: sqlite3.Connection, name: str) -> _Table:
        row = conn.execute("SELECT table_name FROM gpkg_contents WHERE lower(table_name) = "
                           "lower(?) OR identifier = ?", (name, name)).fetchone()
        if row is None or row[0].lower().startswith("twinviewer_"):
            raise self._error(translate("StoreError", "has no layer {layer!r} (layers: "
                                                      "{layers})").format(
                layer=name,
                layers=", ".join(self._tables(conn)) or translate("StoreError", "none")))
        name = row[0]
        info = conn.execute(f"PRAGMA table_info({_q(name)})").fetchall()
        columns = {str(c[1]).lower(): str(c[1]) for c in info}
        types = {str(c[1]): str(c[2] or "").split("(")[0].strip().upper() for c in info}
        pks = [str(c[1]) for c in info if c[5]]
        if len(pks) != 1:
            raise self._error(translate("StoreError", "table {table!r} has no single integer "
                                                      "primary key").format(table=name))
        t = _Table(name, pks[0], columns, types, {str(c[1]): str(c[2] or "") for c in info})
        g = conn.execute("SELECT column_name, geometry_type_name, srs_id, z FROM "
                         "gpkg_geometry_columns WHERE lower(table_name) = lower(?)",
                         (name,)).fetchone()
        if g is not None:
            t.geom, t.geom_type, t.srs_id, t.z = g[0], str(g[1]).upper(), int(g[2]), g[3] in (1, 2)
        return t

    def schema(self, table: str) -> dict[str, FieldType]:
        """Field types of a table from its SQL types and declared value lists (enums)."""
        conn = self._connect()
        try:
            return self._schema(conn, self._table(conn, table))
        finally:
            conn.close()

    def _schema(self, conn: sqlite3.Connection, t: _Table) -> dict[str, FieldType]:
        out = {}
        for name, sql in t.types.items():
            if name in (t.pk, t.geom):
                continue
            if sql == "BOOLEAN":
                kind = "bool"
            elif sql in _INT_TYPES:
                kind = "int"
            elif sql in _REAL_TYPES:
                kind = "real"
            elif sql == "DATE":
                kind = "date"
            elif sql == "DATETIME":
                kind = "datetime"
            else:
                kind = "text"
            out[name] = FieldType(kind)
        for column, values in self._enums(conn, t.name).items():
            if column in out:
                out[column] = FieldType("enum", tuple(values))
        for column in self._sensitive(conn, t.name):
            if column in out:
                ft = out[column]
                out[column] = FieldType(ft.kind, ft.values, ft.nullable, sensitive=True)
        return out

    @staticmethod
    def _sensitive(conn: sqlite3.Connection, table: str) -> list[str]:
        """Columns of ``table`` tagged sensitive in ``gpkg_data_columns``."""
        if conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND "
                        "name='gpkg_data_columns'").fetchone() is None:
            return []
        rows = conn.execute("SELECT column_name, description FROM gpkg_data_columns WHERE "
                            "lower(table_name) = lower(?)", (table,)).fetchall()
        return [c for c, d in rows if d and SENSITIVE_TAG in str(d).split("; ")]

    def sensitive_fields(self, table: str) -> list[str]:
        """Fields of ``table`` marked sensitive (see :meth:`mark_sensitive`)."""
        return [name for name, ft in self.schema(table).items() if ft.sensitive]

    @staticmethod
    def _enums(conn: sqlite3.Connection, table: str) -> dict[str, list[str]]:
        have = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                           "AND name IN ('gpkg_data_columns', "
                                           "'gpkg_data_column_constraints')")}
        if len(have) < 2:
            return {}
        rows = conn.execute(
            "SELECT d.column_name, c.value FROM gpkg_data_columns d JOIN "
            "gpkg_data_column_constraints c ON c.constraint_name = d.constraint_name "
            "WHERE lower(d.table_name) = lower(?) AND c.constraint_type = 'enum' "
            "ORDER BY c.rowid", (table,)).fetchall()
        out: dict[str, list[str]] = {}
        for column, value in rows:
            out.setdefault(column, []).append(value)
        return out

    def next_oid(self, table: str) -> int:
        """An object id never used in ``table`` (not even by a deleted object)."""
        conn = self._connect()
        try:
            t = self._table(conn, table)
            top = conn.execute(f"SELECT max({_q(t.pk)}) FROM {_q(t.name)}").fetchone()[0] or 0
            seq = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = ?",
                               (t.name,)).fetchone() if self._has(conn, "sqlite_sequence") \
                else None
            gone = conn.execute(f"SELECT max(oid) FROM {DELETED_TABLE} WHERE layer = ?",
                                (t.name,)).fetchone()[0] if self._has(conn, DELETED_TABLE) \
                else None
            return int(max(top, seq[0] if seq else 0, gone or 0)) + 1
        finally:
            conn.close()

    @staticmethod
    def _has(conn: sqlite3.Connection, table: str) -> bool:
        return conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?",
                            (table,)).fetchone() is not None

    def log(self, oid: int | None = None, layer: str | None = None) -> list[LogEntry]:
        """Saved changes, oldest first; optionally of one object and/or one layer (table)."""
        conn = self._connect()
        try:
            if not self._has(conn, LOG_TABLE):
                return []
            where, args = [], []
            if oid is not None:
                where.append("oid = ?")
                args.append(int(oid))
            if layer is not None:
                where.append("layer = ?")
                args.append(layer)
            sql = (f"SELECT id, ts, user, layer, oid, field, old, new, label FROM {LOG_TABLE}"
                   + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id")
            return [LogEntry(*row) for row in conn.execute(sql, args)]
        except sqlite3.Error as exc:
            raise self._error(self._problem(exc)) from None
        finally:
            conn.close()

    # ------------------------------------------------------------------ enums

    def declare_enum(self, table: str, field_name: str, values: Sequence[str]) -> None:
        """Declare the value list of a text field (GeoPackage schema extension)."""
        with self._transaction() as conn:
            t = self._table(conn, table)
            self._write_enum(conn, t, t.column(field_name, table), [str(v) for v in values])

    def mark_sensitive(self, table: str, fields: Sequence[str], sensitive: bool = True) -> None:
        """Mark (or unmark) fields of ``table`` as sensitive personal data, in one transaction.

        The mark is the tag ``twinviewer:sensitive`` in the field's ``description`` in
        ``gpkg_data_columns`` (the GeoPackage schema extension); it survives renames
        and is read back by :meth:`schema` as ``FieldType.sensitive``.

        Raises
        ------
        StoreError
            Unknown table or field, read-only or locked file.

        Examples
        --------
        >>> GeoPackageStore("district.gpkg").mark_sensitive(  # doctest: +SKIP
        ...     "residents", ["姓名", "身份证号", "电话"])
        """
        with self._transaction() as conn:
            t = self._table(conn, table)
            self._write_sensitive(conn, t, [t.column(f, table) for f in fields], sensitive)

    def _write_sensitive(self, conn: sqlite3.Connection, t: _Table, columns: Sequence[str],
                         sensitive: bool = True) -> None:
        """Add (or remove) the sensitive tag of ``columns`` inside an open transaction."""
        self._schema_tables(conn)
        for column in columns:
            row = conn.execute("SELECT description FROM gpkg_data_columns WHERE "
                               "table_name = ? AND column_name = ?",
                               (t.name, column)).fetchone()
            parts = [p for p in str(row[0] or "").split("; ") if p] if row else []
            parts = [p for p in parts if p != SENSITIVE_TAG]
            if sensitive:
                parts.append(SENSITIVE_TAG)
            text = "; ".join(parts) or None
            if row is None:
                conn.execute("INSERT INTO gpkg_data_columns (table_name, column_name, name, "
                             "description) VALUES (?, ?, ?, ?)", (t.name, column, column, text))
            else:
                conn.execute("UPDATE gpkg_data_columns SET description = ? WHERE "
                             "table_name = ? AND column_name = ?", (text, t.name, column))

    # ------------------------------------------------------------------ access log

    def log_access(self, record: AccessRecord) -> AccessRecord:
        """Append ``record`` (an unmasking) to ``twinviewer_access_log``; returns it with its id.

        Written in its own transaction; on any error nothing is written and a
        :class:`StoreError` says why (the caller then keeps the fields masked).
        An empty ``record.user`` is filled with the store's user.
        """
        if not record.user:
            record.user = self.user
        with self._transaction() as conn:
            conn.execute(_ACCESS_DDL)
            conn.execute("INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, "
                         "identifier, description, last_change) VALUES (?, 'attributes', ?, "
                         "?, ?)", (ACCESS_LOG_TABLE, ACCESS_LOG_TABLE,
                                   "twinviewer access log: who unmasked which sensitive "
                                   "fields, when and why", record.ts))
            cur = conn.execute(f"INSERT INTO {ACCESS_LOG_TABLE} (ts, user, layer, fields, "
                               "purpose, action) VALUES (?, ?, ?, ?, ?, ?)",
                               (record.ts, record.user, record.layer,
                                json.dumps(list(record.fields), ensure_ascii=False),
                                record.purpose, record.action))
            record.id = int(cur.lastrowid)
        return record

    def access_log(self, layer: str | None = None) -> list[AccessRecord]:
        """Rows of ``twinviewer_access_log``, oldest first (optionally of one table)."""
        conn = self._connect()
        try:
            if not self._has(conn, ACCESS_LOG_TABLE):
                return []
            sql = (f"SELECT id, ts, user, layer, fields, purpose, action FROM {ACCESS_LOG_TABLE}"
                   + (" WHERE layer = ?" if layer is not None else "") + " ORDER BY id")
            rows = conn.execute(sql, () if layer is None else (layer,)).fetchall()
        except sqlite3.Error as exc:
            raise self._error(self._problem(exc)) from None
        finally:
            conn.close()
        return [AccessRecord(user=u, layer=lyr, fields=json.loads(f), purpose=p, ts=ts,
                             action=a, id=i) for i, ts, u, lyr, f, p, a in rows]

    def _schema_tables(self, conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE IF NOT EXISTS gpkg_data_columns (table_name TEXT NOT NULL, "
                     "column_name TEXT NOT NULL, name TEXT, title TEXT, description TEXT, "
                     "mime_type TEXT, constraint_name TEXT, CONSTRAINT pk_gdc PRIMARY KEY "
                     "(table_name, column_name), CONSTRAINT gdc_tn UNIQUE (table_name, name))")
        conn.execute("CREATE TABLE IF NOT EXISTS gpkg_data_column_constraints ("
                     "constraint_name TEXT NOT NULL, constraint_type TEXT NOT NULL, value TEXT, "
                     "min NUMERIC, min_is_inclusive BOOLEAN, max NUMERIC, max_is_inclusive "
                     "BOOLEAN, description TEXT, CONSTRAINT gdcc_ntv UNIQUE (constraint_name, "
                     "constraint_type, value))")
        if self._has(conn, "gpkg_extensions"):
            for tbl in ("gpkg_data_columns", "gpkg_data_column_constraints"):
                if conn.execute("SELECT 1 FROM gpkg_extensions WHERE table_name = ? AND "
                                "extension_name = 'gpkg_schema'", (tbl,)).fetchone() is None:
                    conn.execute("INSERT INTO gpkg_extensions VALUES (?, NULL, 'gpkg_schema', "
                                 "?, 'read-write')", (tbl, _SCHEMA_EXT))

    def _write_enum(self, conn, t: _Table, column: str, values: list[str]) -> None:
        self._schema_tables(conn)
        cname = f"{t.name}_{column}_values"
        conn.execute("DELETE FROM gpkg_data_column_constraints WHERE constraint_name = ?",
                     (cname,))
        conn.executemany("INSERT INTO gpkg_data_column_constraints (constraint_name, "
                         "constraint_type, value) VALUES (?, 'enum', ?)",
                         [(cname, v) for v in values])
        # an upsert, not INSERT OR REPLACE: the row's description (a sensitive mark)
        # and mime type stay
        conn.execute("INSERT INTO gpkg_data_columns (table_name, column_name, name, "
                     "constraint_name) VALUES (?, ?, ?, ?) ON CONFLICT (table_name, "
                     "column_name) DO UPDATE SET constraint_name = excluded.constraint_name",
                     (t.name, column, column, cname))

    # ------------------------------------------------------------------ saving edits

    def save(self, stack: CommandStack, *, scene: Any = None,
             tables: Mapping[str, str] | None = None, label: str | None = None) -> SaveReport:
        """Write every pending edit of ``stack`` in ONE transaction, with the edit log.

        Parameters
        ----------
        stack : CommandStack
            Its pending steps (applied or undone since the last save) are written,
            then it is marked saved.  On any error nothing is written and the stack
            keeps its pending edits.
        scene : Scene, optional
            When the layers are placed in a scene, point positions are scene-local:
            the scene's origin and CRS take them back to the table's CRS.
        tables : mapping, optional
            ``{layer name: table}`` where a layer's name is not its table's.
        label : str, optional
            Prefix for the log's command labels (e.g. ``"autosave"``).

        Raises
        ------
        StoreError
            Read-only or locked file, full disk, unknown layer, field or oid.
        """
        steps = stack.pending()
        work = [(step.label if not label else f"{label}: {step.label}", ch)
                for step in steps for ch in step.changes()]
        report = SaveReport()
        if not work:
            stack.mark_saved()
            return report
        with self._transaction() as conn:
            writer = _Writer(self, conn, scene, dict(tables or {}))
            for text, change in work:
                report.changes += writer.write(change, text)
            report.log_rows = writer.flush()
            report.tables = sorted(writer.touched)
        stack.mark_saved()
        return report

    # ------------------------------------------------------------------ spreadsheets

    def apply_csv(self, csv_path: str | Path, partial: bool = False, *,
                  label: str | None = None) -> ApplyReport:
        """Apply a spreadsheet of corrections (``layer, oid, field...``) in one transaction.

        Empty cells leave a value as it is.  Every value is checked against its
        column's type; a row with any refused value is refused whole.  Unless
        ``partial``, one refused row means nothing is changed.

        Returns
        -------
        ApplyReport
            Rows changed / unchanged / refused (line, field, reason), ``applied``.
        """
        csv_path = Path(csv_path)
        text, encoding = read_text(csv_path)
        rows = list(csv.reader(io.StringIO(text, newline="")))
        report = ApplyReport(encoding=encoding)
        header_at = next((i for i, r in enumerate(rows) if any(c.strip() for c in r)), None)
        if header_at is None:
            raise StoreError(translate("StoreError", "the spreadsheet is empty"), csv_path)
        header = [c.strip() for c in rows[header_at]]
        lower = [h.lower() for h in header]
        if lower[:2] != ["layer", "oid"]:
            raise StoreError(translate("StoreError", "the first row must name the columns: "
                                                     "layer, oid, then the fields to set (found "
                                                     "{found})").format(
                found=", ".join(header[:3])), csv_path)
        fields = header[2:]
        if any(not f for f in fields):
            raise StoreError(translate("StoreError", "a column has no name in the first row"),
                             csv_path)
        dupes = {f for f in fields if fields.count(f) > 1}
        if dupes:
            raise StoreError(translate("StoreError", "column {column!r} appears twice").format(
                column=sorted(dupes)[0]), csv_path)
        label = label or f"apply {csv_path.name}"

        with self._transaction() as conn:
            plan = self._plan_csv(conn, rows, header_at, fields, report)
            if report.refused and not partial:
                self._rollback(conn)  # nothing written: the whole batch or none of it
                return report
            writer = _Writer(self, conn, None, {})
            for (_name, column), (t, items) in plan.items():
                oids = [oid for oid, _, _ in items]
                writer.write_values(t, column, oids, [o for _, o, _ in items],
                                    [n for _, _, n in items], label)
                report.cells += len(items)
            writer.flush()
        report.applied = True
        return report

    def _plan_csv(self, conn, rows, header_at, fields, report) -> dict:
        tables: dict[str, _Table | None] = {}
        schemas: dict[str, dict[str, FieldType]] = {}
        current: dict[tuple[str, int], dict[str, Any]] = {}
        parsed = []
        for i, raw in enumerate(rows[header_at + 1:], start=header_at + 2):
            if not any(c.strip() for c in raw):
                continue
            cells = raw + [""] * (len(fields) + 2 - len(raw))
            layer, oid_text = cells[0].strip(), cells[1].strip()
            refusals = []
            if len(raw) > len(fields) + 2 and any(c.strip() for c in raw[len(fields) + 2:]):
                refusals.append(Refusal(i, layer, oid_text or None, None, translate(
                    "StoreError", "more cells than the first row has columns")))
            if layer not in tables:
                try:
                    tables[layer] = self._table(conn, layer) if layer else None
                except StoreError:
                    tables[layer] = None
                if tables[layer] is not None:
                    schemas[layer] = self._schema(conn, tables[layer])
            t = tables[layer]
            if t is None:
                refusals.append(Refusal(i, layer, oid_text or None, None, translate(
                    "StoreError", "no layer {layer!r} in the store").format(layer=layer)
                    if layer else translate("StoreError", "the layer cell is empty")))
            try:
                oid = int(oid_text)
            except ValueError:
                oid = None
                refusals.append(Refusal(i, layer, oid_text or None, None, translate(
                    "StoreError", "oid {oid!r} is not a whole number").format(oid=oid_text)
                    if oid_text else translate("StoreError", "the oid cell is empty")))
            parsed.append((i, layer, t, oid, cells[2:len(fields) + 2], refusals))
        # current values, one query per table
        wanted: dict[str, set[int]] = {}
        for _i, layer, t, oid, _cells, _refusals in parsed:
            if t is not None and oid is not None:
                wanted.setdefault(layer, set()).add(oid)
        for layer, oids in wanted.items():
            t = tables[layer]
            known = [f for f in fields if f.lower() in t.columns
                     and t.columns[f.lower()] not in (t.pk, t.geom)]
            cols = [t.columns[f.lower()] for f in known]
            select = ", ".join([_q(t.pk), *[_q(c) for c in cols]])
            ids = sorted(oids)
            for k in range(0, len(ids), 500):
                chunk = ids[k:k + 500]
                sql = (f"SELECT {select} FROM {_q(t.name)} WHERE {_q(t.pk)} IN "
                       f"({', '.join('?' * len(chunk))})")
                for rec in conn.execute(sql, chunk):
                    current[(layer, rec[0])] = dict(zip(cols, rec[1:], strict=True))

        plan: dict[tuple[str, str], tuple[_Table, list]] = {}
        for i, layer, t, oid, cells, refusals in parsed:
            changes = []
            if t is not None and oid is not None:
                now = current.get((layer, oid))
                if now is None:
                    refusals.append(Refusal(i, layer, oid, None, translate(
                        "StoreError", "no object with oid {oid} in layer {layer!r}").format(
                        oid=oid, layer=layer)))
                for name, cell in zip(fields, cells, strict=True):
                    if not cell.strip():
                        continue
                    column = t.columns.get(name.lower())
                    if column is None or column in (t.pk, t.geom):
                        refusals.append(Refusal(i, layer, oid, name, translate(
                            "StoreError", "layer {layer!r} has no field {field!r}").format(
                            layer=layer, field=name)))
                        continue
                    try:
                        value = validate(schemas[layer][column], cell)
                    except EditError as exc:
                        refusals.append(Refusal(i, layer, oid, name, exc.message))
                        continue
                    if now is not None:
                        old = now.get(column)
                        if not _same(old, value, schemas[layer][column]):
                            changes.append((column, old, value))
            if refusals:
                report.refused.extend(refusals)
                continue
            if not changes:
                report.unchanged += 1
                continue
            report.changed += 1
            for column, old, value in changes:
                current[(layer, oid)][column] = value
                plan.setdefault((t.name, column), (t, []))[1].append((oid, old, value))
        return plan

    # ------------------------------------------------------------------ import

    def import_layers(self, sources: Iterable[str | Path], *, name: str | None = None,
                      table: str | None = None, replace: bool = False,
                      progress: Callable[[float, str], None] | None = None
                      ) -> list[ImportResult]:
        """Bring vector and CityJSON files in as GeoPackage tables (see
        :func:`twinviewer.store.gpkg_import.import_layers`)."""
        from twinviewer.store.gpkg_import import import_layers

        return import_layers(sources, self.path, name=name, table=table, replace=replace,
                             progress=progress)


# ---------------------------------------------------------------------------- writer


class _Writer:
    """Turns change records into SQL inside one open transaction."""

    def __init__(self, store: GeoPackageStore, conn: sqlite3.Connection, scene: Any,
                 tables: dict[str, str]) -> None:
        self.store = store
        self.conn = conn
        self.scene = scene
        self.tables = tables
        self.ts = _now()
        self.rows: list[tuple] = []
        self.touched: set[str] = set()
        self._info: dict[str, _Table] = {}
        self._resolved: dict[int, str] = {}
        self._coords: dict[str, Callable[[np.ndarray], np.ndarray]] = {}
        for stmt in _LOG_DDL.split(";"):
            if stmt.strip():
                conn.execute(stmt)
        conn.execute("INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, "
                     "description, last_change) VALUES (?, 'attributes', ?, ?, ?)",
                     (LOG_TABLE, LOG_TABLE, "twinviewer edit log: who changed what, when",
                      self.ts))

    # ---- which table

    def table_of(self, layer: Layer) -> _Table:
        key = id(layer)
        if key not in self._resolved:
            self._resolved[key] = self._resolve(layer)
        name = self._resolved[key]
        if name not in self._info:
            self._info[name] = self.store._table(self.conn, name)
        return self._info[name]

    def _resolve(self, layer: Layer) -> str:
        store = self.store
        names = store._tables(self.conn)
        lower = {n.lower(): n for n in names}
        if layer.name in self.tables:
            return self.store._table(self.conn, self.tables[layer.name]).name
        source = Path(layer.source) if layer.source else None
        same = source is not None and source.exists() and store.path.exists() and \
            os.path.samefile(source, store.path)
        if source is not None and source.exists() and not same:
            raise store._error(translate("StoreError", "layer {layer!r} comes from {source}, "
                                                       "not from this GeoPackage").format(
                layer=layer.name, source=source))
        wanted = getattr(layer, "source_table", None)
        if wanted and wanted.lower() in lower:
            return lower[wanted.lower()]
        if layer.name.lower() in lower:
            return lower[layer.name.lower()]
        if same and len(names) == 1:
            return names[0]
        raise store._error(translate("StoreError", "layer {layer!r} has no table in this "
                                                   "GeoPackage (tables: {tables})").format(
            layer=layer.name, tables=", ".join(names) or translate("StoreError", "none")))

    def refresh(self, t: _Table) -> _Table:
        self._info[t.name] = self.store._table(self.conn, t.name)
        return self._info[t.name]

    def to_source(self, t: _Table) -> Callable[[np.ndarray], np.ndarray]:
        """Model coordinates (scene-local when a scene is given) -> the table's CRS."""
        if t.name in self._coords:
            return self._coords[t.name]
        scene = self.scene
        if scene is None:
            fn = np.asarray
        else:
            origin = np.asarray(getattr(scene, "origin", np.zeros(3)), dtype=np.float64)
            transformer = None
            target = self._crs(t) if getattr(scene, "crs", None) is not None else None
            if target is not None and not target.equals(scene.crs, ignore_axis_order=True):
                from pyproj import Transformer
                try:
                    transformer = Transformer.from_crs(scene.crs, target, always_xy=True)
                except Exception as exc:  # PROJ knows no way between the two
                    raise self._crs_refused(t, exc) from None

            def fn(xyz, origin=origin, transformer=transformer, t=t):
                pts = np.asarray(xyz, dtype=np.float64).reshape(-1, 3) + origin
                if transformer is not None:
                    x, y = transformer.transform(pts[:, 0], pts[:, 1])
                    pts = np.column_stack([x, y, pts[:, 2]])
                    if not np.all(np.isfinite(pts[:, :2])):
                        raise self._crs_refused(t, "the points fall outside its area")
                return pts
        self._coords[t.name] = fn
        return fn

    def _crs_refused(self, t: _Table, detail: Any) -> StoreError:
        """The save stops rather than write scene coordinates into another CRS."""
        return self.store._error(translate(
            "StoreError", "table {table!r}: the scene's coordinates cannot be converted to "
                          "the table's coordinate system ({detail}); nothing was written and "
                          "pending edits are kept").format(table=t.name, detail=detail))

    def _crs(self, t: _Table):
        """The table's CRS; None when it has none (srs_id 0 or -1: coordinates as they
        are); a CRS PROJ cannot read refuses the save."""
        srs_id = t.srs_id
        row = self.conn.execute("SELECT organization, organization_coordsys_id, definition "
                                "FROM gpkg_spatial_ref_sys WHERE srs_id = ?",
                                (srs_id,)).fetchone()
        if row is None or srs_id in (0, -1):
            return None
        from pyproj import CRS
        try:
            if str(row[0]).upper() == "EPSG":
                return CRS.from_epsg(int(row[1]))
            return CRS.from_wkt(row[2])
        except Exception as exc:  # writing unconverted coordinates would misplace them
            raise self._crs_refused(t, exc) from None

    # ---- changes

    def write(self, change: Change, label: str) -> int:
        t = self.table_of(change.layer)
        self.touched.add(t.name)
        if isinstance(change, ValueChange):
            return self.write_values(t, t.column(change.field, change.layer.name),
                                     change.oids, change.old, change.new, label)
        if isinstance(change, FieldChange):
            return self._field(t, change, label)
        if isinstance(change, ObjectChange):
            if change.action == "insert":
                return self._insert(t, change, label)
            return self._delete(t, change, label)
        if isinstance(change, PointChange):
            return self._move(t, change, label)
        raise TypeError(f"unknown change {change!r}")

    def write_values(self, t: _Table, column: str, oids: Sequence, old: Sequence,
                     new: Sequence, label: str) -> int:
        if not len(oids):
            return 0
        self._check_oids(t, oids)
        sql = f"UPDATE {_q(t.name)} SET {_q(column)} = ? WHERE {_q(t.pk)} = ?"
        cur = self.conn.executemany(sql, zip(map(_sql_value, new), oids, strict=True))
        if cur.rowcount != len(oids):
            self._missing(t, oids)
        self.touched.add(t.name)
        self.rows.extend((t.name, oid, column, _text(o), _text(n), label)
                         for oid, o, n in zip(oids, old, new, strict=True))
        return len(oids)

    def _check_oids(self, t: _Table, oids: Sequence) -> None:
        bad = [o for o in oids if not isinstance(o, int | np.integer) or isinstance(o, bool)]
        if bad:
            raise self.store._error(translate("StoreError", "layer {layer!r}: object id {oid!r} "
                                                            "is not an oid of this GeoPackage")
                                    .format(layer=t.name, oid=bad[0]))

    def _missing(self, t: _Table, oids: Sequence) -> None:
        ids = [int(o) for o in oids]
        found: set[int] = set()
        for k in range(0, len(ids), 500):
            chunk = ids[k:k + 500]
            found.update(r[0] for r in self.conn.execute(
                f"SELECT {_q(t.pk)} FROM {_q(t.name)} WHERE {_q(t.pk)} IN "
                f"({', '.join('?' * len(chunk))})", chunk))
        gone = [o for o in ids if o not in found]
        shown = ", ".join(str(o) for o in gone[:5]) + (" ..." if len(gone) > 5 else "")
        raise self.store._error(translate("StoreError", "layer {layer!r}: unknown oid {oid}; "
                                                        "nothing was written").format(
            layer=t.name, oid=shown))

    def _field(self, t: _Table, ch: FieldChange, label: str) -> int:
        table = _q(t.name)
        if ch.action == "add":
            if ch.field.lower() in t.columns:
                raise self.store._error(translate("StoreError", "layer {layer!r} already has a "
                                                                "field {field!r}").format(
                    layer=t.name, field=ch.field))
            ft = ch.field_type or FieldType("text")
            sql_type = (self._dropped_type(t, ch.field) if ch.restore else None) or \
                _SQL_TYPES[ft.kind]
            self.conn.execute(f"ALTER TABLE {table} ADD COLUMN {_q(ch.field)} {sql_type}")
            if ch.default is not None:
                self.conn.execute(f"UPDATE {table} SET {_q(ch.field)} = ?",
                                  (_sql_value(ch.default),))
            t = self.refresh(t)
            if ft.kind == "enum":
                self.store._write_enum(self.conn, t, ch.field, list(ft.values))
            if ft.sensitive:
                self.store._write_sensitive(self.conn, t, [ch.field])
            new = f"field ({sql_type})" + (f" = {_text(ch.default)}" if ch.default is not None
                                           else "")
            self.rows.append((t.name, None, ch.field, None, new, label))
        elif ch.action == "delete":
            column = t.column(ch.field, t.name)
            sql_type = t.declared[column]
            self.conn.execute(f"ALTER TABLE {table} DROP COLUMN {_q(column)}")
            if self.store._has(self.conn, "gpkg_data_columns"):
                self.conn.execute("DELETE FROM gpkg_data_columns WHERE lower(table_name) = "
                                  "lower(?) AND column_name = ?", (t.name, column))
            self.refresh(t)
            # the declared type (e.g. MEDIUMINT) is logged: an undo restores it exactly
            self.rows.append((t.name, None, column, f"field ({sql_type})", None, label))
        else:
            column = t.column(ch.field, t.name)
            if ch.new_name.lower() in t.columns and ch.new_name.lower() != column.lower():
                raise self.store._error(translate("StoreError", "layer {layer!r} already has a "
                                                                "field {field!r}").format(
                    layer=t.name, field=ch.new_name))
            self.conn.execute(f"ALTER TABLE {table} RENAME COLUMN {_q(column)} TO "
                              f"{_q(ch.new_name)}")
            if self.store._has(self.conn, "gpkg_data_columns"):
                self.conn.execute("UPDATE gpkg_data_columns SET column_name = ?, name = ? "
                                  "WHERE lower(table_name) = lower(?) AND column_name = ?",
                                  (ch.new_name, ch.new_name, t.name, column))
            self.refresh(t)
            self.rows.append((t.name, None, column, column, ch.new_name, label))
        return 1

    def _dropped_type(self, t: _Table, name: str) -> str | None:
        """The SQL type a deleted column had, from the log (this save's rows first)."""
        for r in reversed(self.rows):
            if r[0] == t.name and r[1] is None and r[2] == name and r[4] is None:
                return _type_in(r[3])
        row = self.conn.execute(f"SELECT old FROM {LOG_TABLE} WHERE layer = ? AND oid IS NULL "
                                "AND field = ? AND new IS NULL ORDER BY id DESC LIMIT 1",
                                (t.name, name)).fetchone()
        return _type_in(row[0]) if row else None

    def _insert(self, t: _Table, ch: ObjectChange, label: str) -> int:
        self._check_oids(t, ch.oids)
        ids = [int(o) for o in ch.oids]
        graves: dict[int, tuple] = {}
        if ch.restore:  # the deleted rows as the store had them, newest first wins
            for k in range(0, len(ids), 500):
                chunk = ids[k:k + 500]
                for oid, attrs, geom in self.conn.execute(
                        f"SELECT oid, attributes, geom FROM {DELETED_TABLE} WHERE layer = ? AND "
                        f"oid IN ({', '.join('?' * len(chunk))}) ORDER BY id", [t.name, *chunk]):
                    graves[oid] = (attrs, geom)
        batches: dict[tuple, list] = {}
        extent: list[bytes] = []
        for oid, attrs, pts in zip(ids, ch.attributes, ch.points, strict=True):
            values = dict(attrs)
            blob = None
            if oid in graves:
                values = {k: _json_restore(v) for k, v in json.loads(graves[oid][0]).items()}
                blob = graves[oid][1]
            elif pts is not None and len(pts):
                blob = self._point_blob(t, pts)
            cols, args = [t.pk], [oid]
            if t.geom is not None:
                cols.append(t.geom)
                args.append(blob)
            for key, value in values.items():
                column = t.columns.get(str(key).lower())
                if column is None or column in (t.pk, t.geom):
                    if value is None:
                        continue
                    raise self.store._error(translate("StoreError", "layer {layer!r}: table has "
                                                                    "no field {field!r}").format(
                        layer=t.name, field=key))
                cols.append(column)
                args.append(_sql_value(value))
            batches.setdefault(tuple(cols), []).append(args)
            if blob is not None and len(extent) < 1000:
                extent.append(blob)
            self.rows.append((t.name, oid, OBJECT, None, _text(_loggable(values)), label))
        for cols, rows in batches.items():
            try:
                self.conn.executemany(f"INSERT INTO {_q(t.name)} ({', '.join(map(_q, cols))}) "
                                      f"VALUES ({', '.join('?' * len(cols))})", rows)
            except sqlite3.IntegrityError:
                taken = [o for o in ids if self.conn.execute(
                    f"SELECT 1 FROM {_q(t.name)} WHERE {_q(t.pk)} = ?", (o,)).fetchone()]
                raise self.store._error(translate("StoreError", "layer {layer!r} already has an "
                                                                "object {oid}; nothing was written")
                                        .format(layer=t.name,
                                                oid=taken[0] if taken else ids[0])) from None
        for blob in extent:  # restored objects lie inside the old extent: a sample suffices
            self._extend_extent(t, blob)
        return len(ids)

    def _point_blob(self, t: _Table, pts: np.ndarray) -> bytes:
        if t.geom is None or t.geom_type not in _POINT_TYPES:
            raise self.store._error(translate("StoreError", "layer {layer!r} holds {type} "
                                                            "geometries; a point object cannot be "
                                                            "stored in it").format(
                layer=t.name, type=t.geom_type or translate("StoreError", "no")))
        xyz = self.to_source(t)(pts)
        return point_blob(xyz, t.srs_id, z=t.z, multi=t.geom_type == "MULTIPOINT")

    def _extend_extent(self, t: _Table, blob: bytes) -> None:
        b = blob_bounds(blob)
        if b is None:
            return
        self.conn.execute("UPDATE gpkg_contents SET min_x = min(coalesce(min_x, ?), ?), "
                          "max_x = max(coalesce(max_x, ?), ?), min_y = min(coalesce(min_y, ?), ?),"
                          " max_y = max(coalesce(max_y, ?), ?) WHERE table_name = ?",
                          (b[0], b[0], b[1], b[1], b[2], b[2], b[3], b[3], t.name))

    def _delete(self, t: _Table, ch: ObjectChange, label: str) -> int:
        self._check_oids(t, ch.oids)
        ids = [int(o) for o in ch.oids]
        names = [c for c in t.types if c not in (t.pk, t.geom)]
        select = ", ".join([_q(t.pk), _q(t.geom) if t.geom else "NULL", *map(_q, names)])
        graves = []
        for k in range(0, len(ids), 500):
            chunk = ids[k:k + 500]
            for rec in self.conn.execute(f"SELECT {select} FROM {_q(t.name)} WHERE "
                                         f"{_q(t.pk)} IN ({', '.join('?' * len(chunk))})",
                                         chunk):
                attrs = dict(zip(names, rec[2:], strict=True))
                graves.append((self.ts, t.name, rec[0],
                               json.dumps(attrs, ensure_ascii=False, default=_json_default),
                               rec[1]))
        if len(graves) != len(ids):
            self._missing(t, ids)
        self.conn.executemany(f"INSERT INTO {DELETED_TABLE} (ts, layer, oid, attributes, geom) "
                              "VALUES (?, ?, ?, ?, ?)", graves)
        for k in range(0, len(ids), 500):
            chunk = ids[k:k + 500]
            self.conn.execute(f"DELETE FROM {_q(t.name)} WHERE {_q(t.pk)} IN "
                              f"({', '.join('?' * len(chunk))})", chunk)
        self.rows.extend((t.name, g[2], OBJECT, g[3], None, label) for g in graves)
        return len(ids)

    def _move(self, t: _Table, ch: PointChange, label: str) -> int:
        self._check_oids(t, [ch.oid])
        blob = self._point_blob(t, ch.new)
        cur = self.conn.execute(f"UPDATE {_q(t.name)} SET {_q(t.geom)} = ? WHERE {_q(t.pk)} = ?",
                                (blob, int(ch.oid)))
        if cur.rowcount != 1:
            self._missing(t, [ch.oid])
        self._extend_extent(t, blob)
        conv = self.to_source(t)
        self.rows.append((t.name, int(ch.oid), GEOMETRY, points_wkt(conv(ch.old), t.z),
                          points_wkt(conv(ch.new), t.z), label))
        return 1

    def flush(self) -> int:
        """Write the edit log rows and stamp the tables' last change."""
        self.conn.executemany(f"INSERT INTO {LOG_TABLE} (ts, user, layer, oid, field, old, new, "
                              f"label) VALUES ('{self.ts}', ?, ?, ?, ?, ?, ?, ?)",
                              [(self.store.user, *r) for r in self.rows])
        for name in self.touched:
            self.conn.execute("UPDATE gpkg_contents SET last_change = ? WHERE table_name = ?",
                              (self.ts, name))
        return len(self.rows)


def _type_in(text: str | None) -> str | None:
    """``MEDIUMINT`` from the log text ``field (MEDIUMINT)``; only plain SQL type names."""
    if not text or not text.startswith("field (") or not text.endswith(")"):
        return None
    sql = text[len("field ("):-1]
    return sql if sql.replace(" ", "").replace("(", "").replace(")", "").isalnum() else None


def _loggable(values: dict) -> dict:
    return {k: (v.hex() if isinstance(v, bytes) else v) for k, v in values.items()}


def _same(old: Any, new: Any, ft: FieldType) -> bool:
    if old is None or new is None:
        return old is None and new is None
    if ft.kind == "bool":
        return bool(old) == bool(new) if isinstance(old, int | float) else False
    if ft.kind in ("int", "real"):
        try:
            return float(old) == float(new)
        except (TypeError, ValueError):
            return False
    return str(old) == str(new)


def read_text(path: Path) -> tuple[str, str]:
    """A text file's content and encoding: UTF-8 (with or without BOM), else GB18030/GBK."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise StoreError(translate("StoreError", "file not found"), path) from None
    except OSError as exc:
        raise StoreError(translate("StoreError", "cannot read the file ({detail})").format(
            detail=exc.strerror or exc), path) from None
    if raw.startswith(b"\xef\xbb\xbf"):
        try:
            return raw[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise StoreError(translate("StoreError", "not UTF-8 text after its BOM ({reason} at "
                                                     "byte {byte})").format(
                reason=exc.reason, byte=exc.start + 3), path) from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "utf-16"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        raise StoreError(translate("StoreError", "the text is neither UTF-8 nor GBK/GB18030; "
                                                 "save the spreadsheet as CSV UTF-8"),
                         path) from None
