"""The server store: PostgreSQL with PostGIS, for several editors on one twin.

Layout of a published twin (one database, schema ``public``):

- one table per layer: ``oid bigint`` primary key, ``geom geometry(Geometry, SRID)``,
  the attributes with SQL types (``bigint``, ``double precision``, ``text``,
  ``boolean``, ``date``, ``timestamp``) and ``version integer`` (bumped by every
  write of the row);
- ``twinviewer_layers`` (order, CRS, SRID, geometry type), ``twinviewer_fields``
  (field type, enum values, ``sensitive`` and why), ``twinviewer_meta`` (role names);
- ``twinviewer_edit_log``: append-only (no UPDATE/DELETE privilege, and a trigger
  refuses them even for the owner); row-level security hides log rows of
  sensitive fields from roles that may not read them;
- ``twinviewer_saves``: one row per committed save (a client-made id), so a save
  retried after a dropped connection is never written twice;
- ``twinviewer_deleted``: every deleted object whole (attributes as JSON, sensitive
  ones apart, geometry, version), written by a trigger, so an undo after a save
  brings it back with the same oid and geometry (``twinviewer_restore``).

Concurrency: a save is ONE transaction.  Each changed cell is written with a
compare-and-set (``... WHERE oid = X AND field IS NOT DISTINCT FROM <value read>``):
when another editor changed that field of that object since it was read, the
cell is a :class:`~twinviewer.store.base.Conflict`, the transaction is rolled
back and :class:`~twinviewer.store.base.ConflictError` lists every conflict
(theirs / mine / base).  Edits of different objects or different fields never
conflict.  Moving or deleting an object is a compare-and-set on the row's
``version`` as this editor read it: another editor's change or deletion of the
object meanwhile is a conflict too.  Adding, renaming and deleting fields is for
the admin role (the layers' owner).  Every commit sends ``NOTIFY twinviewer``
(payload: layer, oids, fields, added / removed / moved oids, schema, save id) so
open windows can update within a second.

Roles (group roles named after the database, e.g. ``twin_viewer``): ``viewer``
reads everything but sensitive columns (column privileges), ``editor`` may also
update attributes of the layers it is granted and append to the log, ``sensitive``
reads sensitive columns, ``admin`` owns schema and roles.

Credentials never appear in DSNs this module writes or logs
(:func:`safe_dsn`); libpq takes the password from ``PGPASSFILE``/``~/.pgpass``,
``PGPASSWORD``, a service file, or the caller (kept in memory only).
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import re
import select
import threading
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from twinviewer.core.edits import (
    GEOMETRY,
    OBJECT,
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
from twinviewer.core.sources import (  # noqa: F401  (re-exported: the store's public names)
    PostGISSource,
    database_of,
    has_password,
    is_postgis_url,
    safe_dsn,
)
from twinviewer.i18n import translate
from twinviewer.store.base import (
    Conflict,
    ConflictError,
    LogEntry,
    SaveReport,
    StoreError,
    StoreUnavailable,
    TableProvider,
)
from twinviewer.store.geometry import points_wkb, points_wkt
from twinviewer.store.gpkg import default_user

log = logging.getLogger(__name__)

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


# --------------------------------------------------------------------------- DSNs


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
class Notice:
    """A committed save announced by the server (``NOTIFY twinviewer``).

    ``oids``/``fields``: objects whose values changed; ``added``, ``removed`` and
    ``moved``: objects added (or restored), deleted and moved; ``schema``: fields
    were added, renamed or deleted.  ``None`` for a list: too many to list, reload
    the layer.
    """

    layer: str
    oids: list[int] | None  # None: too many to list, reload the layer
    fields: list[str]
    save: str
    user: str
    added: list[int] | None = field(default_factory=list)
    removed: list[int] | None = field(default_factory=list)
    moved: list[int] | None = field(default_factory=list)
    schema: bool = False

    @classmethod
    def parse(cls, payload: str) -> Notice | None:
        try:
            d = json.loads(payload)
            return cls(str(d["layer"]), d.get("oids", []), list(d.get("fields") or []),
                       str(d.get("save", "")), str(d.get("user", "")),
                       d.get("added", []), d.get("removed", []), d.get("moved", []),
                       bool(d.get("schema", False)))
        except (ValueError, KeyError, TypeError):
            return None

    @property
    def structural(self) -> bool:
        """Whether objects were added or deleted, or fields changed (rows to reload)."""
        return self.schema or self.added != [] or self.removed != []


class RowVersions:
    """The ``version`` of each object as this window read it (oid -> version).

    Held as two sorted numpy arrays (a dict of 100k objects would cost megabytes),
    with the versions this window wrote or saw later on top.
    """

    def __init__(self, oids: np.ndarray, versions: np.ndarray) -> None:
        order = np.argsort(oids, kind="stable")
        self._oids = np.asarray(oids, dtype=np.int64)[order]
        self._versions = np.asarray(versions, dtype=np.int64)[order]
        self._later: dict[int, int | None] = {}

    def get(self, oid: int) -> int | None:
        """The version read (or written since) of ``oid``; None when unknown."""
        oid = int(oid)
        if oid in self._later:
            return self._later[oid]
        i = int(np.searchsorted(self._oids, oid))
        if i < len(self._oids) and self._oids[i] == oid:
            return int(self._versions[i])
        return None

    def set(self, oid: int, version: int | None) -> None:
        """Remember a version written or seen later (None: the object is gone)."""
        self._later[int(oid)] = None if version is None else int(version)


@dataclass
class PostGISProvider(TableProvider):
    """A PostGIS table as a layer's data provider (``key``: the password-less URL)."""

    kind = "postgis"

    def open_store(self) -> PostGISStore:
        return PostGISStore(self.key)


def _row_versions(layer: Layer) -> RowVersions | None:
    """The row versions a PostGIS layer was read with (None for other layers)."""
    provider = layer.provider
    return provider.row_versions if isinstance(provider, PostGISProvider) else None


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


class PostGISStore:
    """A PostGIS database as the store of a twin's layers, edits and their history.

    Parameters
    ----------
    dsn : str
        ``postgresql://USER@HOST:PORT/DB`` (or libpq ``key=value``).  Put no password
        in it: libpq reads ``PGPASSFILE``/``~/.pgpass``, ``PGPASSWORD`` or a service
        file; an interactive password goes in ``password`` (kept in memory only).
    user : str, optional
        Name written to the edit log (default ``$TWINVIEWER_USER`` or the OS user);
        the log also records the database role that wrote each row.
    password : str, optional
        Used for the connections only; never written anywhere.

    Examples
    --------
    >>> store = PostGISStore("postgresql://alice@db.example/twin")  # doctest: +SKIP
    >>> store.save(stack)  # one transaction, conflicts refused  # doctest: +SKIP
    """

    def __init__(self, dsn: str, *, user: str | None = None, password: str | None = None,
                 connect_timeout: float = CONNECT_TIMEOUT_S) -> None:
        self.dsn = str(dsn)
        self.url = safe_dsn(self.dsn)
        self.user = user or default_user()
        self._password = password or _passwords.get(self.url)
        self.connect_timeout = connect_timeout
        self._conn = None
        self._lock = threading.RLock()  # one statement stream on the connection at a time
        self._tables: dict[str, _Table] = {}
        self._save_ids: dict[int, tuple[tuple, str]] = {}
        self._rebase: dict[tuple[str, int, str], Any] = {}
        self._skip: set[tuple[str, int, str]] = set()
        self._theirs: dict[tuple[str, int], int] = {}  # row versions met in conflicts
        self.own_saves: set[str] = set()

    def __repr__(self) -> str:
        return f"PostGISStore({self.url!r})"

    # ------------------------------------------------------------------ connections

    def _error(self, problem: str) -> StoreError:
        return StoreError(f"{self.url}: {problem}")

    def _problem(self, exc: Exception) -> StoreError:
        import psycopg

        text = " ".join(str(exc).split()) or type(exc).__name__
        if self._password:
            text = text.replace(self._password, "***")
        low = text.lower()
        if isinstance(exc, psycopg.errors.InsufficientPrivilege):
            return self._error(translate("StoreError", "permission denied ({detail}); nothing "
                                                       "was written").format(detail=text))
        if isinstance(exc, psycopg.errors.UndefinedFile | psycopg.errors.FeatureNotSupported) \
                and "postgis" in low:
            return self._error(translate("StoreError", "the PostGIS extension is not installed "
                                                       "on the server (apt-get install "
                                                       "postgresql-15-postgis-3)"))
        if isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError) and not \
                isinstance(exc, psycopg.errors.QueryCanceled):
            if "password authentication failed" in low or "no password supplied" in low:
                login_refused.add(self.url)
                return self._error(translate("StoreError", "login refused: wrong or missing "
                                                           "password (put it in ~/.pgpass or "
                                                           "PGPASSFILE, PGPASSWORD, or a service "
                                                           "file)"))
            if "does not exist" in low and "database" in low:
                return self._error(translate("StoreError", "no such database on the server"))
            if "role" in low and "does not exist" in low:
                return self._error(translate("StoreError", "no such user (role) on the server"))
            return StoreUnavailable(f"{self.url}: " + translate(
                "StoreError", "cannot reach the server ({detail}); nothing was written and "
                              "pending edits are kept: save again when it is back").format(
                detail=text))
        return self._error(text)

    def connect(self, autocommit: bool = False):
        """A new connection (the caller closes it); errors become :class:`StoreError`."""
        import psycopg

        kwargs: dict[str, Any] = {"connect_timeout": max(1, int(self.connect_timeout)),
                                  "application_name": "twinviewer", "autocommit": autocommit}
        if self._password:
            kwargs["password"] = self._password
        try:
            return psycopg.connect(self.dsn, **kwargs)
        except psycopg.ProgrammingError as exc:  # a malformed DSN
            raise self._error(translate("StoreError", "not a valid connection string ({detail})")
                              .format(detail=" ".join(str(exc).split()))) from None
        except psycopg.Error as exc:
            raise self._problem(exc) from None

    def _connection(self):
        """The store's own connection for saves and small reads (reopened when dropped)."""
        if self._conn is None or self._conn.closed or self._conn.broken:
            self.close()
            self._conn = self.connect()
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:  # a broken socket: nothing to close cleanly
                pass
            self._conn = None

    def _query(self, sql: str, args: Sequence | dict | None = None) -> list[tuple]:
        """Rows of one read; a connection that died while idle is replaced once."""
        try:
            return self._query_once(sql, args)
        except StoreUnavailable:
            self.close()
            return self._query_once(sql, args)

    def _query_once(self, sql: str, args: Sequence | dict | None = None) -> list[tuple]:
        import psycopg

        with self._lock:
            conn = self._connection()
            try:
                with conn.transaction():
                    return conn.execute(sql, args).fetchall()
            except psycopg.Error as exc:
                if conn.broken:
                    self.close()
                raise self._problem(exc) from None

    # ------------------------------------------------------------------ reading

    def tables(self) -> list[str]:
        """The published layers' tables, in publishing order."""
        rows = self._query(f"SELECT to_regclass('{LAYERS_TABLE}') IS NOT NULL")
        if not rows[0][0]:
            raise self._error(translate("StoreError", "is not a published twin (no "
                                                      "twinviewer_layers table; run twinviewer "
                                                      "publish SCENE URL)"))
        return [r[0] for r in self._query(f"SELECT name FROM {LAYERS_TABLE} ORDER BY position")]

    def _table(self, name: str, refresh: bool = False) -> _Table:
        if name in self._tables and not refresh:
            return self._tables[name]
        names = self.tables()
        lower = {n.lower(): n for n in names}
        if name.lower() not in lower:
            raise self._error(translate("StoreError", "has no layer {layer!r} (layers: "
                                                      "{layers})").format(
                layer=name, layers=", ".join(names) or translate("StoreError", "none")))
        name = lower[name.lower()]
        info = self._query(
            f"SELECT srid, crs, geometry_type FROM {LAYERS_TABLE} WHERE name = %s", (name,))[0]
        # the column's declared dimensions (geometry_columns lists only tables the role
        # may SELECT whole, not column by column)
        dims = self._query("SELECT postgis_typmod_dims(atttypmod) FROM pg_attribute WHERE "
                           "attrelid = to_regclass(%s) AND attname = %s AND atttypmod >= 0",
                           (_q(name), GEOM))
        cols = self._query(
            "SELECT a.attname, format_type(a.atttypid, NULL), "
            "has_column_privilege(a.attrelid, a.attnum, 'SELECT') FROM pg_attribute a "
            "WHERE a.attrelid = to_regclass(%s) AND a.attnum > 0 AND NOT a.attisdropped "
            "ORDER BY a.attnum", (_q(name),))
        meta = {r[0]: r[1:] for r in self._query(
            f"SELECT name, kind, sensitive, reason FROM {FIELDS_TABLE} WHERE layer = %s",
            (name,))}
        t = _Table(name, {}, [], srid=int(info[0] or 0), crs=info[1],
                   geom_type=str(info[2]).upper() if info[2] else None,
                   z=bool(dims) and int(dims[0][0] or 2) >= 3)
        for col, sqltype, readable in cols:
            if col in RESERVED:
                continue
            kind = meta[col][0] if col in meta else _KIND_OF.get(sqltype, "text")
            t.kinds[col] = kind
            if col in meta and meta[col][1]:
                t.sensitive.add(col)
            if readable:
                t.readable.append(col)
            else:
                why = meta[col][2] if col in meta and meta[col][2] else None
                if why == SENSITIVE_REASON or (why is None and col in t.sensitive):
                    why = translate("StoreError", "sensitive resident data: readable only by "
                                    "roles granted it")
                elif why is None:
                    why = translate("StoreError", "your database role has no SELECT privilege "
                                    "on this field")
                t.hidden[col] = why
        self._tables[name] = t
        return t

    def schema(self, table: str) -> dict[str, FieldType]:
        """Field types (value lists, sensitivity) of a table's attributes, hidden ones too."""
        t = self._table(table)
        rows = self._query(f"SELECT name, kind, vals, sensitive FROM {FIELDS_TABLE} WHERE "
                           "layer = %s", (t.name,))
        declared = {r[0]: r[1:] for r in rows}
        out = {}
        for col, kind in t.kinds.items():
            values, sensitive = (declared[col][1] or [], bool(declared[col][2])) \
                if col in declared else ([], False)
            spec = {"type": kind, "values": values}
            if sensitive:
                spec["sensitive"] = True
            out[col] = FieldType.of(spec)
        return out

    def hidden_fields(self, table: str) -> dict[str, str]:
        """``{field: why}`` of the fields this role may not read."""
        return dict(self._table(table).hidden)

    def has_z(self, table: str) -> bool:
        """Whether ``table``'s geometry column keeps heights (a 2D table does not)."""
        return bool(self._table(table).z)

    def next_oid(self, table: str) -> int:
        """An object id never handed out before in ``table`` (a server sequence)."""
        t = self._table(table)
        return int(self._query("SELECT nextval(%s)", (f"{t.name}_oid_seq",))[0][0])

    def log(self, oid: int | None = None, layer: str | None = None) -> list[LogEntry]:
        """Saved changes this role may see, oldest first; optionally one object / layer."""
        where, args = [], []
        if oid is not None:
            where.append("oid = %s")
            args.append(int(oid))
        if layer is not None:
            where.append("layer = %s")
            args.append(layer)
        sql = (f"SELECT id, to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), "
               f"\"user\", layer, oid, field, old, new, label FROM {LOG_TABLE}"
               + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id")
        return [LogEntry(*row) for row in self._query(sql, args)]

    def fetch(self, table: str, oids: Iterable[int] | None = None, *,
              versions: bool = False) -> dict[int, dict]:
        """Current readable attributes of some objects (all when ``oids`` is None).

        ``versions``: each object's dict also holds its row ``version``.
        """
        t = self._table(table)
        cols = ", ".join([_q(OID), *map(_q, t.readable), _q(VERSION)])
        sql = f"SELECT {cols} FROM {_q(t.name)}"
        args: tuple = ()
        if oids is not None:
            sql += f" WHERE {_q(OID)} = ANY(%s)"
            args = ([int(o) for o in oids],)
        out = {}
        for row in self._query(sql, args):
            values = {c: _plain(v, t.kinds[c])
                      for c, v in zip(t.readable, row[1:-1], strict=True)}
            if versions:
                values[VERSION] = int(row[-1])
            out[int(row[0])] = values
        return out

    def points(self, table: str, oids: Iterable[int], scene: Any = None
               ) -> dict[int, tuple[np.ndarray, int]]:
        """``{oid: (positions (k, 3), version)}`` of point objects.

        Positions are in the table's CRS, or scene-local (the scene's CRS minus its
        origin) when ``scene`` is given, as a window holds them.
        """
        import shapely

        t = self._table(table)
        rows = self._query(f"SELECT {_q(OID)}, ST_AsBinary({_q(GEOM)}), {_q(VERSION)} FROM "
                           f"{_q(t.name)} WHERE {_q(OID)} = ANY(%s)", ([int(o) for o in oids],))
        convert = _coordinates(t, scene, to_scene=True)
        out = {}
        for oid, wkb, version in rows:
            if wkb is None:
                continue
            geom = shapely.from_wkb(bytes(wkb))
            xyz = shapely.get_coordinates(geom, include_z=True)
            xyz[~np.isfinite(xyz[:, 2]), 2] = 0.0
            out[int(oid)] = (convert(xyz), int(version))
        return out

    # ------------------------------------------------------------------ loading

    def read_layer(self, table: str, *, name: str | None = None, class_field: str | None = None,
                   height_field: str | None = None, floors_field: str | None = None,
                   default_height: float | None = None, base_height: float = 0.0,
                   progress: Callable[[float, str], None] | None = None,
                   batch_rows: int = BATCH_ROWS) -> Layer:
        """One table as a :class:`Layer`, streamed in batches through a server-side cursor.

        Only the columns this role may read are loaded; the others are listed in
        ``layer.hidden_fields`` (field -> why) and in the layer's warnings.
        """

        from twinviewer.core.errors import LoadError
        from twinviewer.core.table import ObjectTable
        from twinviewer.io import vector

        t = self._table(table, refresh=True)
        with self._lock:
            rows, total = self._stream(t, progress, batch_rows)
        n = len(rows)
        cols = list(zip(*rows, strict=True)) if rows else [()] * (3 + len(t.readable))
        oids = np.fromiter(cols[0], dtype=np.int64, count=n)
        wkb = np.array([bytes(b) if b is not None else None for b in cols[1]], dtype=object)
        columns = {c: _column(vals, t.kinds[c]) for c, vals in zip(t.readable, cols[2:-1],
                                                                   strict=True)}
        versions = np.fromiter(cols[-1], dtype=np.int64, count=n)
        fields = list(columns)
        where = Path(self.url)  # only used in messages of the geometry helpers
        try:
            geoms = vector.geometries_of(wkb, n, where)
            class_field = class_field or vector.first_present(fields, vector.CLASS_FIELDS)
            if class_field and class_field not in fields:
                raise LoadError(translate("LoadError", "class field {field!r} is not a field of "
                                                       "layer {table!r}").format(
                    field=class_field, table=t.name))
            heights = vector.heights_of(columns, n, height_field, floors_field, default_height,
                                      where)
        except LoadError as exc:
            raise LoadError(f"{self.url}: {exc.problem}") from None
        batches, dropped = vector.build_batches(geoms, heights, float(base_height))
        layer = Layer(name=name or t.name, kind="vector", table=ObjectTable(columns, oid=oids),
                      batches=batches, crs=t.crs, class_field=class_field,
                      source=PostGISSource(self.url), source_table=t.name,
                      sensitive=frozenset(c for c in t.sensitive if c in columns))
        if dropped:
            layer.warnings.append(translate("LoadError", "{n} objects have invalid or "
                                                         "non-finite coordinates and are not "
                                                         "drawn").format(n=dropped))
        # the provider keeps what moves and deletions compare with (row versions), and
        # how a live update reads the layer again
        layer.provider = PostGISProvider(
            self.url, t.name, hidden_fields=dict(t.hidden),
            row_versions=RowVersions(oids, versions),
            read_options={"class_field": class_field, "height_field": height_field,
                          "floors_field": floors_field, "default_height": default_height,
                          "base_height": base_height},
            marked=frozenset(layer.sensitive))
        for col, why in t.hidden.items():
            layer.warnings.append(translate("LoadError", "field {field!r} is hidden: {why}")
                                  .format(field=col, why=why))
        layer.source_bounds = vector.geometry_bounds(geoms, layer.source_bounds)
        return layer

    def _stream(self, t: _Table, progress, batch_rows: int) -> tuple[list[tuple], int]:
        """Every row of a table through a server-side cursor, ``batch_rows`` at a time."""
        import psycopg

        from twinviewer.core.errors import LoadError

        for attempt in (0, 1):  # a connection that died while idle is replaced once
            conn = self._connection()
            try:
                with conn.transaction():
                    total = conn.execute(f"SELECT count(*) FROM {_q(t.name)}").fetchone()[0]
                    select = ", ".join([_q(OID), f"ST_AsBinary({_q(GEOM)})",
                                        *[self._read_expr(t, c) for c in t.readable],
                                        _q(VERSION)])
                    rows: list[tuple] = []
                    with conn.cursor(name=f"twinviewer_load_{uuid.uuid4().hex[:8]}",
                                     binary=True) as cur:
                        cur.itersize = batch_rows
                        cur.execute(f"SELECT {select} FROM {_q(t.name)} ORDER BY {_q(OID)}")
                        while True:
                            chunk = cur.fetchmany(batch_rows)
                            if not chunk:
                                break
                            rows.extend(chunk)
                            if progress:
                                progress(min(1.0, len(rows) / max(1, total)), t.name)
                return rows, total
            except psycopg.Error as exc:
                if conn.broken or conn.closed:
                    self.close()
                problem = self._problem(exc)
                if attempt or not isinstance(problem, StoreUnavailable):
                    raise LoadError(problem.message) from None
        raise AssertionError("unreachable")

    @staticmethod
    def _read_expr(t: _Table, col: str) -> str:
        kind = t.kinds[col]
        if kind == "date":
            return f"{_q(col)}::text"
        if kind == "datetime":
            return f"to_char({_q(col)}, 'YYYY-MM-DD\"T\"HH24:MI:SS')"
        return _q(col)

    # ------------------------------------------------------------------ saving

    def _save_id(self, stack: CommandStack) -> str:
        signature = (stack.index, len(stack), tuple(id(s.command) for s in stack.pending()))
        known = self._save_ids.get(id(stack))
        if known is None or known[0] != signature:
            known = (signature, str(uuid.uuid4()))
            self._save_ids[id(stack)] = known
        return known[1]

    def save(self, stack: CommandStack, *, scene: Any = None,
             tables: dict[str, str] | None = None, label: str | None = None,
             save_id: str | None = None) -> SaveReport:
        """Write every pending edit of ``stack`` in ONE transaction, with the edit log.

        Values, fields (admin only) and objects: added, moved (point positions are
        scene-local when ``scene`` is given: its origin and CRS take them back to the
        table's CRS, as for a GeoPackage) and deleted (kept whole, so an undo after
        the save restores them with the same oid and geometry).

        A cell another editor changed since it was read is not overwritten, nor is
        an object moved or deleted that someone else changed or deleted since it
        was read (its row ``version``): the whole save is rolled back and
        :class:`ConflictError` lists the conflicts (resolve them with
        :meth:`resolve`, then save again).  A save retried with
        the same pending edits (e.g. after the connection dropped during commit)
        is recognised by its save id and never written twice.

        Raises
        ------
        ConflictError
            Cells changed by someone else; nothing was written.
        StoreUnavailable
            The server cannot be reached; nothing was written, edits are kept.
        StoreError
            Permission denied, unknown layer or field; nothing was written.
        """
        steps = stack.pending()
        work = [(step.label if not label else f"{label}: {step.label}", ch)
                for step in steps for ch in step.changes()]
        report = SaveReport()
        if not work:
            stack.mark_saved()
            return report
        save_id = save_id or self._save_id(stack)
        try:
            writer = self._write(work, report, dict(tables or {}), save_id, scene)
        except StoreUnavailable:
            # a connection that died while idle (server restarted): one more try on a
            # fresh one; the save id makes a repeated commit impossible
            self.close()
            writer = self._write(work, report, dict(tables or {}), save_id, scene)
        if writer is not None:  # the layers now hold what this save left in the rows
            for layer, oid, version in writer.seen:
                versions = _row_versions(layer)
                if versions is not None:
                    versions.set(oid, version)
        self.own_saves.add(save_id)
        self._rebase.clear()
        self._skip.clear()
        self._theirs.clear()
        self._save_ids.pop(id(stack), None)
        stack.mark_saved()
        return report

    def _write(self, work: list, report: SaveReport, tables: dict[str, str],
               save_id: str, scene: Any = None) -> _Writer | None:
        report.changes = report.log_rows = 0
        with self._lock:
            return self._write_locked(work, report, tables, save_id, scene)

    def _write_locked(self, work: list, report: SaveReport, tables: dict[str, str],
                      save_id: str, scene: Any = None) -> _Writer | None:
        import psycopg

        conn = self._connection()
        writer = None
        try:
            with conn.transaction():
                fresh = conn.execute(
                    f"INSERT INTO {SAVES_TABLE} (save_id, \"user\", changes) VALUES (%s, %s, %s) "
                    "ON CONFLICT (save_id) DO NOTHING RETURNING save_id",
                    (save_id, self.user, len(work))).fetchone()
                if fresh is None:  # this very save committed before the connection dropped
                    log.info("save %s was already committed", save_id)
                else:
                    # the deleted-objects trigger files each deleted row under this save
                    conn.execute("SELECT set_config('twinviewer.save_id', %s, true)",
                                 (save_id,))
                    writer = _Writer(self, conn, tables, save_id, scene)
                    for text, change in work:
                        report.changes += writer.write(change, text)
                    writer.apply()
                    if writer.conflicts:
                        raise ConflictError(writer.conflicts, self.url)
                    report.log_rows = writer.flush()
                    report.tables = sorted(writer.touched)
        except psycopg.Error as exc:
            if conn.broken or conn.closed:
                self.close()
            raise self._problem(exc) from None
        finally:
            if writer is not None and writer.schema:  # field changes: read the schema again
                self._tables.clear()
        return writer

    def resolve(self, conflicts: Iterable[Conflict], keep: str | dict = "theirs") -> None:
        """Settle conflicts before saving again: keep ``"theirs"`` or ``"mine"``.

        ``keep`` is one choice for all, or ``{(layer, oid, field): "theirs"|"mine"}``.
        Theirs: the local value becomes the server's and the edit of that cell is
        dropped from the next save.  Mine: the next save overwrites the server's
        value (which this editor has now seen) with this editor's.
        """
        for c in conflicts:
            choice = keep if isinstance(keep, str) else keep.get((c.layer, c.oid, c.field),
                                                                  "theirs")
            key = (c.table, int(c.oid), c.field)
            if c.field in (GEOMETRY, OBJECT):  # a move, deletion or restore
                if choice == "mine" and not c.gone:  # compare with the version now seen
                    self._rebase[key] = self._theirs.get((c.table, int(c.oid)))
                    self._skip.discard(key)
                elif choice in ("mine", "theirs"):  # theirs stands: the edit is not saved
                    self._skip.add(key)
                    self._rebase.pop(key, None)
                else:
                    raise ValueError(f"keep must be 'theirs' or 'mine', not {choice!r}")
                continue
            if choice == "mine":
                self._rebase[key] = c.theirs
                self._skip.discard(key)
            elif choice == "theirs":
                self._skip.add(key)
                self._rebase.pop(key, None)
                layer = c.layer_object
                if layer is not None and c.field in layer.table.df.columns and not c.gone:
                    df = layer.table.df
                    rows = np.flatnonzero(df["oid"].to_numpy() == c.oid)
                    if len(rows):
                        layer.table.set_cell(int(rows[0]), c.field, c.theirs)
            else:
                raise ValueError(f"keep must be 'theirs' or 'mine', not {choice!r}")

    def apply_csv(self, csv_path: str | Path, partial: bool = False) -> Any:
        """Spreadsheet corrections are applied to GeoPackage stores only (for now)."""
        raise self._error(translate("StoreError", "applying a spreadsheet to a PostGIS twin "
                                                  "is not supported yet: apply it to the "
                                                  "GeoPackage and publish again"))

    # ------------------------------------------------------------------ live updates

    def listen(self) -> Listener:
        """A connection that receives other editors' commits (``LISTEN twinviewer``)."""
        return Listener(self)

    # ------------------------------------------------------------------ roles

    def roles(self) -> dict[str, str]:
        """``{"viewer": role name, ...}`` of this twin's group roles."""
        rows = self._query(f"SELECT key, value FROM {META_TABLE} WHERE key LIKE 'role_%%'")
        return {k[len("role_"):]: v for k, v in rows}

    def grant(self, login: str, role: str, *, layers: Sequence[str] | None = None,
              password: str | None = None, sensitive: bool = False) -> None:
        """Give a login role (created when missing) a twin role; admin only.

        ``editor`` may update the attributes of ``layers`` (default: all); ``sensitive``
        adds reading (and, for editors, writing) the sensitive fields.
        """
        from psycopg import sql

        if role not in ROLES:
            raise self._error(translate("StoreError", "unknown role {role!r} (roles: {roles})")
                              .format(role=role, roles=", ".join(ROLES)))
        names = self.roles()
        conn = self._connection()
        import psycopg
        try:
            with conn.transaction():
                exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s",
                                      (login,)).fetchone()
                if not exists:
                    stmt = sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(login))
                    if password is not None:
                        stmt = sql.SQL("{} PASSWORD {}").format(stmt, sql.Literal(password))
                    conn.execute(stmt)
                elif password is not None:
                    conn.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                        sql.Identifier(login), sql.Literal(password)))
                conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(names[role]),
                                                              sql.Identifier(login)))
                if sensitive:
                    conn.execute(sql.SQL("GRANT {} TO {}").format(
                        sql.Identifier(names["sensitive"]), sql.Identifier(login)))
                if role == "editor":
                    for name in layers or self.tables():
                        t = self._table(name, refresh=True)
                        cols = [c for c in t.kinds if sensitive or c not in t.sensitive]
                        # attributes, moves (geom), new objects and deletions
                        conn.execute(sql.SQL("GRANT UPDATE ({}), INSERT ({}), DELETE ON {} "
                                             "TO {}").format(
                            sql.SQL(", ").join(map(sql.Identifier, [*cols, GEOM, VERSION])),
                            sql.SQL(", ").join(map(sql.Identifier, [OID, GEOM, *cols, VERSION])),
                            sql.Identifier(t.name), sql.Identifier(login)))
        except psycopg.Error as exc:
            raise self._problem(exc) from None


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


# --------------------------------------------------------------------------- writer


def _coordinates(t: _Table, scene: Any, *, to_scene: bool = False
                 ) -> Callable[[np.ndarray], np.ndarray]:
    """Scene-local coordinates -> the table's CRS (or back with ``to_scene``).

    Without a scene, coordinates pass unchanged; with one, its origin is added
    (subtracted) and its CRS converted to the table's, as the GeoPackage store does.
    A table CRS that PROJ cannot read or reach raises :class:`StoreError` (a save
    must not write scene coordinates into a table in another CRS).
    """
    if scene is None:
        return lambda xyz: np.asarray(xyz, dtype=np.float64).reshape(-1, 3)
    origin = np.asarray(getattr(scene, "origin", np.zeros(3)), dtype=np.float64)
    transformer = None
    scene_crs = getattr(scene, "crs", None)
    target = None
    if t.crs or t.srid:
        from pyproj import CRS

        try:
            target = CRS.from_user_input(t.crs) if t.crs else CRS.from_epsg(t.srid)
        except Exception as exc:  # unconverted coordinates would be misplaced
            if scene_crs is not None:
                raise _crs_refused(t, exc) from None
    if scene_crs is not None and target is not None and \
            not target.equals(scene_crs, ignore_axis_order=True):
        from pyproj import Transformer

        try:
            transformer = Transformer.from_crs(target, scene_crs, always_xy=True) \
                if to_scene else Transformer.from_crs(scene_crs, target, always_xy=True)
        except Exception as exc:  # PROJ knows no way between the two
            raise _crs_refused(t, exc) from None

    def convert(xyz: np.ndarray) -> np.ndarray:
        pts = np.asarray(xyz, dtype=np.float64).reshape(-1, 3)
        if not to_scene:
            pts = pts + origin
        if transformer is not None and len(pts):
            x, y = transformer.transform(pts[:, 0], pts[:, 1])
            pts = np.column_stack([x, y, pts[:, 2]])
            if not np.all(np.isfinite(pts[:, :2])):
                raise _crs_refused(t, "the points fall outside its area")
        return pts - origin if to_scene else pts

    return convert


def _crs_refused(t: _Table, detail: Any) -> StoreError:
    return StoreError(translate(
        "StoreError", "table {table!r}: the scene's coordinates cannot be converted to "
                      "the table's coordinate system ({detail}); nothing was written and "
                      "pending edits are kept").format(table=t.name, detail=detail))


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


class _Writer:
    """Turns change records into compare-and-set SQL inside one open transaction.

    Value edits are queued and written together (:meth:`apply`); an object or
    field edit first writes the values queued before it, so the edits reach the
    table in the order they were made.
    """

    def __init__(self, store: PostGISStore, conn, tables: dict[str, str], save_id: str,
                 scene: Any = None) -> None:
        self.store = store
        self.conn = conn
        self.tables = tables
        self.save_id = save_id
        self.scene = scene
        self.rows: list[tuple] = []  # (layer, oid, field, old, new, label, sensitive)
        self.touched: set[str] = set()
        self.notify: dict[str, dict[str, set]] = {}
        self.schema: set[str] = set()  # tables whose fields changed
        self.conflicts: list[Conflict] = []
        self.cells: dict[tuple[str, int, str], list] = {}  # key -> [base, mine, layer]
        self.steps: list[tuple] = []  # (key, old text, new text, label) in edit order
        self.versions: dict[tuple[str, int], int | None] = {}  # written in this save
        self.seen: list[tuple[Layer, int, int | None]] = []  # for the layers, after commit
        self.rebased: set[tuple[str, int, str]] = set()
        self._coords: dict[str, Callable[[np.ndarray], np.ndarray]] = {}

    def table_of(self, layer: Layer) -> _Table:
        name = self.tables.get(layer.name) or getattr(layer, "source_table", None) or layer.name
        return self.store._table(name)

    def announce(self, table: str, what: str, items: Iterable) -> None:
        self.touched.add(table)
        entry = self.notify.setdefault(table, {k: set() for k in
                                               ("oids", "fields", "added", "removed", "moved")})
        entry[what].update(items)

    def write(self, change, label: str) -> int:
        t = self.table_of(change.layer)
        if isinstance(change, ValueChange):
            return self.write_values(t, change, label)
        self.apply()  # the values edited before this change reach the table first
        if isinstance(change, FieldChange):
            return self.write_field(t, change, label)
        if isinstance(change, ObjectChange):
            if change.action == "insert":
                return self.insert(t, change, label)
            return self.delete(t, change, label)
        if isinstance(change, PointChange):
            return self.move(t, change, label)
        raise TypeError(f"unknown change {change!r}")

    # ---- values

    def write_values(self, t: _Table, ch: ValueChange, label: str) -> int:
        """Queue the cells of one value change (written together by :meth:`apply`)."""
        col = ch.field
        if col not in t.kinds:
            raise self.store._error(translate("StoreError", "layer {layer!r} has no field "
                                                            "{field!r}").format(
                layer=t.name, field=col))
        kind = t.kinds[col]
        n = 0
        for oid, o, new in zip(ch.oids, ch.old, ch.new, strict=True):
            key = (t.name, int(oid), col)
            if key in self.store._skip:
                continue
            cell = self.cells.get(key)
            if cell is None:  # first edit of the cell in this save: its base is what was read
                base = o if key in self.rebased else self.store._rebase.get(key, o)
                self.rebased.add(key)
                cell = self.cells[key] = [base, new, ch.layer]
                o = base
            else:
                cell[1] = new
            self.steps.append((key, _pg_text(o, kind), _pg_text(new, kind), label))
            n += 1
        return n

    def apply(self) -> None:
        """One compare-and-set UPDATE per (table, field) for every queued cell.

        A cell whose value is no longer the one read is a conflict (unless it already
        holds this editor's value); the caller rolls back when there are any.
        """
        groups: dict[tuple[str, str], list[int]] = {}
        for table, oid, col in self.cells:
            groups.setdefault((table, col), []).append(oid)
        written: set[tuple[str, int, str]] = set()
        for (table, col), oids in groups.items():
            t = self.store._table(table)
            kind, pgtype = t.kinds[col], _PG_TYPES[t.kinds[col]]
            cells = [self.cells[(table, oid, col)] for oid in oids]
            old = [_pg_text(c[0], kind) for c in cells]
            new = [_pg_text(c[1], kind) for c in cells]
            done = {r[0]: r[1] for r in self.conn.execute(
                f"UPDATE {_q(t.name)} AS t SET {_q(col)} = v.new::{pgtype}, "
                f"{_q(VERSION)} = t.{_q(VERSION)} + 1 "
                "FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS v(oid, old, new) "
                f"WHERE t.{_q(OID)} = v.oid AND t.{_q(col)} IS NOT DISTINCT FROM "
                f"v.old::{pgtype} RETURNING t.{_q(OID)}, t.{_q(VERSION)}",
                (oids, old, new)).fetchall()}
            missed = [i for i, oid in enumerate(oids) if oid not in done]
            if missed:
                current = {r[0]: r[1] for r in self.conn.execute(
                    f"SELECT {_q(OID)}, {_q(col)} FROM {_q(t.name)} WHERE {_q(OID)} = ANY(%s)",
                    ([oids[i] for i in missed],))}
                for i in missed:
                    oid, cell = oids[i], cells[i]
                    if oid in current and _same(current[oid], new[i], kind):
                        continue  # someone set the same value: nothing to write or to refuse
                    self.conflicts.append(Conflict(
                        cell[2].name, oid, col, cell[0], _plain(current.get(oid), kind),
                        cell[1], table=t.name, gone=oid not in current, layer_object=cell[2]))
            for k, cell in enumerate(cells):
                if oids[k] in done:
                    self.wrote(t, cell[2], oids[k], done[oids[k]])
            written.update((table, oid, col) for oid in done)
            self.announce(table, "oids", done)
            self.announce(table, "fields", [col])
        for key, o, n, label in self.steps:
            if key in written:
                t = self.store._table(key[0])
                self.rows.append((key[0], key[1], key[2], o, n, label, key[2] in t.sensitive))
        self.cells, self.steps = {}, []

    # ---- objects

    def wrote(self, t: _Table, layer: Layer, oid: int, version: int | None) -> None:
        """The row version this save left (None: deleted)."""
        self.versions[(t.name, int(oid))] = version
        self.seen.append((layer, int(oid), version))

    def expected(self, t: _Table, layer: Layer, oid: int, what: str) -> int | None:
        """The version an object must still have for a move or deletion (None: any)."""
        if (t.name, oid) in self.versions:
            return self.versions[(t.name, oid)]
        if (t.name, oid, what) in self.store._rebase:  # "keep mine": theirs is now seen
            return self.store._rebase[(t.name, oid, what)]
        read = _row_versions(layer)
        return read.get(oid) if read is not None else None

    def conflict(self, t: _Table, layer: Layer, oid: int, what: str, base: Any,
                 mine: Any) -> None:
        """A move, deletion or restore refused: the object changed or went meanwhile."""
        row = self.conn.execute(f"SELECT {_q(VERSION)} FROM {_q(t.name)} WHERE {_q(OID)} = %s",
                                (oid,)).fetchone()
        theirs = None
        if row is not None:
            self.store._theirs[(t.name, oid)] = int(row[0])
            theirs = translate("StoreError", "changed by someone else (version {version})"
                               ).format(version=row[0])
        self.conflicts.append(Conflict(layer.name, oid, what, base, theirs, mine, table=t.name,
                                       gone=row is None, layer_object=layer))

    def to_source(self, t: _Table) -> Callable[[np.ndarray], np.ndarray]:
        if t.name not in self._coords:
            self._coords[t.name] = _coordinates(t, self.scene)
        return self._coords[t.name]

    def point_wkb(self, t: _Table, pts: np.ndarray) -> bytes:
        """WKB of point instances (scene-local) in the table's CRS and dimensions."""
        if t.geom_type is not None and t.geom_type not in _POINT_TYPES:
            raise self.store._error(translate("StoreError", "layer {layer!r} holds {type} "
                                                            "geometries; a point object cannot be "
                                                            "stored in it").format(
                layer=t.name, type=t.geom_type))
        xyz = self.to_source(t)(pts)
        return points_wkb(xyz, z=t.z, multi=t.geom_type == "MULTIPOINT" or len(xyz) > 1)

    def geom_sql(self, t: _Table) -> str:
        return f"ST_GeomFromWKB(%s::bytea, {int(t.srid)})" if t.srid else \
            "ST_GeomFromWKB(%s::bytea)"

    def move(self, t: _Table, ch: PointChange, label: str) -> int:
        oid = int(ch.oid)
        if (t.name, oid, GEOMETRY) in self.store._skip:
            return 0
        conv = self.to_source(t)
        old, new = points_wkt(conv(ch.old), t.z), points_wkt(conv(ch.new), t.z)
        version = self.expected(t, ch.layer, oid, GEOMETRY)
        row = self.conn.execute(
            f"UPDATE {_q(t.name)} SET {_q(GEOM)} = {self.geom_sql(t)}, {_q(VERSION)} = "
            f"{_q(VERSION)} + 1 WHERE {_q(OID)} = %s AND (%s::integer IS NULL OR "
            f"{_q(VERSION)} = %s::integer) RETURNING {_q(VERSION)}",
            (self.point_wkb(t, ch.new), oid, version, version)).fetchone()
        if row is None:
            self.conflict(t, ch.layer, oid, GEOMETRY, old, new)
            return 0
        self.wrote(t, ch.layer, oid, row[0])
        self.announce(t.name, "moved", [oid])
        self.rows.append((t.name, oid, GEOMETRY, old, new, label, False))
        return 1

    def delete(self, t: _Table, ch: ObjectChange, label: str) -> int:
        """Delete objects still as read; a trigger keeps each whole in the deleted table."""
        items = [(int(o), a) for o, a in zip(ch.oids, ch.attributes, strict=True)
                 if (t.name, int(o), OBJECT) not in self.store._skip]
        if not items:
            return 0
        ids = [o for o, _ in items]
        versions = [self.expected(t, ch.layer, o, OBJECT) for o in ids]
        done = {r[0] for r in self.conn.execute(
            f"DELETE FROM {_q(t.name)} AS t USING unnest(%s::bigint[], %s::integer[]) AS "
            f"v(oid, ver) WHERE t.{_q(OID)} = v.oid AND (v.ver IS NULL OR t.{_q(VERSION)} = "
            f"v.ver) RETURNING t.{_q(OID)}", (ids, versions)).fetchall()}
        mine = translate("StoreError", "deleted")
        for oid, attrs in items:
            if oid not in done:
                self.conflict(t, ch.layer, oid, OBJECT, None, mine)
                continue
            self.wrote(t, ch.layer, oid, None)
            self.rows.append((t.name, oid, OBJECT, _log_json(attrs, t.sensitive), None, label,
                              False))
        self.announce(t.name, "removed", done)
        return len(done)

    def insert(self, t: _Table, ch: ObjectChange, label: str) -> int:
        """Add objects; an undone deletion comes back whole from the deleted table."""
        items = [(int(o), a, p) for o, a, p in zip(ch.oids, ch.attributes, ch.points,
                                                    strict=True)
                 if (t.name, int(o), OBJECT) not in self.store._skip]
        restored: dict[int, int] = {}
        if ch.restore and items:
            restored = {int(r[0]): int(r[1]) for r in self.conn.execute(
                "SELECT oid, version FROM twinviewer_restore(%s, %s::bigint[])",
                (t.name, [o for o, _, _ in items])).fetchall()}
        n = 0
        for oid, attrs, pts in items:
            version = restored.get(oid)
            if version is None:
                version = self.insert_one(t, oid, attrs, pts)
            if version is None:  # the oid is taken: restored (or added) by someone else
                self.conflict(t, ch.layer, oid, OBJECT, None, translate("StoreError", "added"))
                continue
            self.wrote(t, ch.layer, oid, version)
            self.rows.append((t.name, oid, OBJECT, None, _log_json(attrs, t.sensitive), label,
                              False))
            self.announce(t.name, "added", [oid])
            n += 1
        return n

    def insert_one(self, t: _Table, oid: int, attrs: dict, pts: np.ndarray | None
                   ) -> int | None:
        """INSERT one object; its new version, or None when the oid is taken."""
        cols, exprs, args = [OID], ["%s::bigint"], [oid]
        if pts is not None and len(pts):
            cols.append(GEOM)
            exprs.append(self.geom_sql(t))
            args.append(self.point_wkb(t, pts))
        for key, value in attrs.items():
            if value is None or (isinstance(value, float) and value != value):
                continue  # a column left NULL needs no INSERT privilege
            if key not in t.kinds:
                raise self.store._error(translate("StoreError", "layer {layer!r}: table has "
                                                                "no field {field!r}").format(
                    layer=t.name, field=key))
            cols.append(key)
            exprs.append(f"%s::{_PG_TYPES[t.kinds[key]]}")
            args.append(_pg_text(value, t.kinds[key]))
        row = self.conn.execute(
            f"INSERT INTO {_q(t.name)} ({', '.join(map(_q, cols))}) VALUES "
            f"({', '.join(exprs)}) ON CONFLICT ({_q(OID)}) DO NOTHING RETURNING {_q(VERSION)}",
            args).fetchone()
        return None if row is None else int(row[0])

    # ---- fields

    def write_field(self, t: _Table, ch: FieldChange, label: str) -> int:
        """Add, rename or delete a column with its schema row and grants (admin only)."""
        import psycopg

        for name in (ch.field, ch.new_name):
            if name is not None and name.lower() in RESERVED:
                raise self.store._error(translate("StoreError", "field name {field!r} is "
                                                                "reserved on PostGIS (oid, geom, "
                                                                "version)").format(field=name))
        try:
            self.field_sql(t, ch, label)
        except psycopg.errors.InsufficientPrivilege as exc:
            raise self.store._error(translate(
                "StoreError", "only an administrator of the twin may add, rename or delete "
                              "fields ({detail}); nothing was written").format(
                detail=" ".join(str(exc).split()))) from None
        self.store._tables.pop(t.name, None)
        self.schema.add(t.name)
        self.announce(t.name, "fields", [ch.new_name or ch.field])
        return 1

    def field_sql(self, t: _Table, ch: FieldChange, label: str) -> None:
        from psycopg import sql

        table = sql.Identifier(t.name)
        taken = {c.lower() for c in t.kinds}
        if ch.action == "add":
            if ch.field.lower() in taken:
                raise self.store._error(translate("StoreError", "layer {layer!r} already has a "
                                                                "field {field!r}").format(
                    layer=t.name, field=ch.field))
            ft = ch.field_type or FieldType("text")
            pgtype = _PG_TYPES[ft.kind]
            self.conn.execute(sql.SQL("ALTER TABLE {} ADD COLUMN {} {}").format(
                table, sql.Identifier(ch.field), sql.SQL(pgtype)))
            if ch.default is not None:
                self.conn.execute(sql.SQL("UPDATE {} SET {} = %s::{}").format(
                    table, sql.Identifier(ch.field), sql.SQL(pgtype)),
                    (_pg_text(ch.default, ft.kind),))
            self.conn.execute(
                f"INSERT INTO {FIELDS_TABLE} (layer, name, kind, vals, sensitive, reason) VALUES "
                "(%s, %s, %s, %s, %s, %s) ON CONFLICT (layer, name) DO UPDATE SET kind = "
                "excluded.kind, vals = excluded.vals, sensitive = excluded.sensitive, reason = "
                "excluded.reason", (t.name, ch.field, ft.kind, list(ft.values) or None,
                                    ft.sensitive, SENSITIVE_REASON if ft.sensitive else None))
            self.grant_column(t, ch.field, ft.sensitive)
            new = f"field ({pgtype})" + (f" = {_log_text(ch.default)}" if ch.default is not None
                                         else "")
            self.rows.append((t.name, None, ch.field, None, new, label, False))
        elif ch.action == "delete":
            if ch.field not in t.kinds:
                raise self.store._error(translate("StoreError", "layer {layer!r} has no field "
                                                                "{field!r}").format(
                    layer=t.name, field=ch.field))
            pgtype = _PG_TYPES.get(t.kinds[ch.field], "text")
            self.conn.execute(sql.SQL("ALTER TABLE {} DROP COLUMN {}").format(
                table, sql.Identifier(ch.field)))
            self.conn.execute(f"DELETE FROM {FIELDS_TABLE} WHERE layer = %s AND name = %s",
                              (t.name, ch.field))
            self.rows.append((t.name, None, ch.field, f"field ({pgtype})", None, label, False))
        else:
            if ch.field not in t.kinds:
                raise self.store._error(translate("StoreError", "layer {layer!r} has no field "
                                                                "{field!r}").format(
                    layer=t.name, field=ch.field))
            if ch.new_name.lower() in taken and ch.new_name.lower() != ch.field.lower():
                raise self.store._error(translate("StoreError", "layer {layer!r} already has a "
                                                                "field {field!r}").format(
                    layer=t.name, field=ch.new_name))
            self.conn.execute(sql.SQL("ALTER TABLE {} RENAME COLUMN {} TO {}").format(
                table, sql.Identifier(ch.field), sql.Identifier(ch.new_name)))
            self.conn.execute(f"UPDATE {FIELDS_TABLE} SET name = %s WHERE layer = %s AND "
                              "name = %s", (ch.new_name, t.name, ch.field))
            self.rows.append((t.name, None, ch.field, ch.field, ch.new_name, label, False))

    def grant_column(self, t: _Table, column: str, sensitive: bool) -> None:
        """Privileges on a new column: who reads it, and the editors of the layer."""
        from psycopg import sql

        roles = dict(self.conn.execute(
            f"SELECT key, value FROM {META_TABLE} WHERE key LIKE 'role_%%'").fetchall())
        col, table = sql.Identifier(column), sql.Identifier(t.name)
        reader = roles.get("role_sensitive" if sensitive else "role_viewer")
        if reader:
            self.conn.execute(sql.SQL("GRANT SELECT ({}) ON {} TO {}").format(
                col, table, sql.Identifier(reader)))
        # editors of this layer are the roles that may update its version column
        editors = self.conn.execute(
            "SELECT DISTINCT r.rolname, CASE WHEN %s::text IS NULL THEN false ELSE "
            "pg_has_role(r.oid, %s::text, 'MEMBER') END FROM pg_attribute a "
            "CROSS JOIN LATERAL aclexplode(a.attacl) x JOIN pg_roles r ON r.oid = x.grantee "
            "WHERE a.attrelid = to_regclass(%s) AND a.attname = %s AND "
            "x.privilege_type = 'UPDATE'",
            (roles.get("role_sensitive"), roles.get("role_sensitive"), _q(t.name),
             VERSION)).fetchall()
        for name, reads_sensitive in editors:
            if sensitive and not reads_sensitive:
                continue
            self.conn.execute(sql.SQL("GRANT UPDATE ({}), INSERT ({}) ON {} TO {}").format(
                col, col, table, sql.Identifier(name)))

    # ---- log and notice

    def flush(self) -> int:
        """Append the log rows and announce the commit (NOTIFY) in the same transaction."""
        if self.rows:
            cols = list(zip(*self.rows, strict=True))
            self.conn.execute(
                f"INSERT INTO {LOG_TABLE} (\"user\", layer, oid, field, old, new, label, "
                "sensitive, save_id) SELECT %s, l, o, f, a, b, c, s, %s FROM unnest("
                "%s::text[], %s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[], "
                "%s::boolean[]) AS x(l, o, f, a, b, c, s)",
                (self.store.user, self.save_id, *[list(c) for c in cols]))
        for table, entry in self.notify.items():
            payload: dict[str, Any] = {"layer": table, "save": self.save_id,
                                       "user": self.store.user,
                                       "fields": sorted(entry["fields"]),
                                       "schema": table in self.schema}
            for key in ("oids", "added", "removed", "moved"):
                payload[key] = sorted(entry[key])
            text = json.dumps(payload, ensure_ascii=False)
            if len(text.encode()) > 7000:  # NOTIFY payloads stop at 8000 bytes
                for key in ("oids", "added", "removed", "moved"):
                    payload[key] = None
                text = json.dumps(payload, ensure_ascii=False)
            self.conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, text))
        return len(self.rows)


# --------------------------------------------------------------------------- listening


class Listener:
    """A dedicated connection that receives :class:`Notice` s of other editors' saves.

    Poll it (:meth:`poll`, non-blocking) from a timer, or watch :meth:`fileno` with
    a socket notifier.  A dropped connection is noticed: :attr:`connected` turns
    False, :meth:`poll` tries to reconnect at most every ``retry_s`` seconds and,
    once back, returns ``None`` in place of a list once (notices may have been
    missed: reload).
    """

    def __init__(self, store: PostGISStore, retry_s: float = 0.5) -> None:
        self.store = store
        self.retry_s = retry_s
        self.conn = None
        self.connected = False
        self._next_try = 0.0
        self._missed = False
        self._connect()

    def _connect(self) -> bool:
        import time

        try:
            self.conn = self.store.connect(autocommit=True)
            self.conn.execute(f"LISTEN {CHANNEL}")
        except (StoreError, OSError) as exc:
            log.info("listener not connected: %s", exc)
            self.conn = None
            self.connected = False
            self._next_try = time.monotonic() + self.retry_s
            return False
        self.connected = True
        return True

    def fileno(self) -> int:
        return self.conn.fileno() if self.conn is not None else -1

    def poll(self, timeout: float = 0.0) -> list[Notice] | None:
        """Notices received so far; ``None`` when the connection came back (reload)."""
        import time

        import psycopg

        if self.conn is None or self.conn.closed or self.conn.broken:
            self.connected = False
            self._missed = True
            wait = self._next_try - time.monotonic()
            if wait > 0 and timeout:
                time.sleep(min(wait, timeout))
            if time.monotonic() < self._next_try or not self._connect():
                return []
        if self._missed:
            self._missed = False
            return None
        out: list[Notice] = []
        try:
            ready, _, _ = select.select([self.conn.fileno()], [], [], timeout)
            if ready:
                pgconn = self.conn.pgconn
                pgconn.consume_input()  # raises when the server closed the connection
                from psycopg import pq

                if pgconn.status != pq.ConnStatus.OK:
                    raise OSError("the server closed the connection")
                while (note := pgconn.notifies()) is not None:
                    parsed = Notice.parse(note.extra.decode("utf-8", "replace"))
                    if parsed is not None:
                        out.append(parsed)
        except (psycopg.Error, OSError, ValueError):
            self.connected = False
            self._missed = True
            self.close()
            self._next_try = time.monotonic() + self.retry_s
        return out

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.close()
            except Exception:
                pass
            self.conn = None


# --------------------------------------------------------------------------- scene files

_LAYER_OPTIONS = {"table", "class_field", "height_field", "floors_field", "default_height",
                  "base_height"}
_STYLE_OPTIONS = {"line_width", "point_scale"}
_stores: dict[str, PostGISStore] = {}
_passwords: dict[str, str] = {}  # password-less URL -> password typed in a dialog (memory only)
login_refused: set[str] = set()  # URLs whose login failed for want of a (right) password


def remember_password(url: str, password: str) -> None:
    """Use ``password`` for ``url`` in this process only (never written anywhere)."""
    _passwords[safe_dsn(url)] = password
    login_refused.discard(safe_dsn(url))


def store_for(url: str) -> PostGISStore:
    """One shared :class:`PostGISStore` per URL in this process (its connection reused)."""
    key = str(url)
    if key not in _stores:
        _stores[key] = PostGISStore(key)
    return _stores[key]


def read_url_layers(url: str, progress: Callable[[float, str], None] | None = None,
                    **opts: Any) -> list[Layer]:
    """The layers of a scene-file entry whose ``source`` is a PostGIS URL: the reader
    that :mod:`twinviewer.io.registry` names for ``postgresql://`` sources.

    ``table`` names one layer (default: every published layer); name, group,
    visibility, style and the scene file's ``sensitive`` list are applied by the loader
    (``io.loader.read_source``), as for files.
    """
    from twinviewer.core.errors import LoadError

    url = str(url)
    store = store_for(url)
    if store._password != _passwords.get(store.url):  # a password given since: new login
        _stores.pop(str(url), None)
        store = store_for(url)
    try:
        tables = [opts.pop("table")] if "table" in opts else store.tables()
        layers = []
        for k, table in enumerate(tables):
            def part(f: float, msg: str, k=k) -> None:
                if progress:
                    progress((k + f) / len(tables), msg)
            layers.append(store.read_layer(table, progress=part, **opts))
    except StoreError as exc:
        raise LoadError(exc.message) from None
    return layers
