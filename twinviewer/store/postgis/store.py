"""The PostGIS store: connections, tables and schema, saving, conflicts; one per URL."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from twinviewer.core.edits import (
    GEOMETRY,
    OBJECT,
    CommandStack,
    FieldType,
)
from twinviewer.core.layer import Layer
from twinviewer.core.sources import (
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
    default_user,
)
from twinviewer.store.postgis.credentials import _passwords, login_refused
from twinviewer.store.postgis.ddl import _Grants
from twinviewer.store.postgis.listener import Listener
from twinviewer.store.postgis.reading import _Reading, _row_versions
from twinviewer.store.postgis.sql import (
    _KIND_OF,
    CONNECT_TIMEOUT_S,
    FIELDS_TABLE,
    GEOM,
    LAYERS_TABLE,
    LOG_TABLE,
    RESERVED,
    SAVES_TABLE,
    SENSITIVE_REASON,
    _q,
    _Table,
)
from twinviewer.store.postgis.writer import _Writer

log = logging.getLogger(__name__)


class PostGISStore(_Reading, _Grants):
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


_LAYER_OPTIONS = {"table", "class_field", "height_field", "floors_field", "default_height",
                  "base_height"}
_STYLE_OPTIONS = {"line_width", "point_scale"}
_stores: dict[str, PostGISStore] = {}


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
