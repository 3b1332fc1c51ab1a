"""The GeoPackage store: connections and transactions, tables, the edit log, saving;
and the data provider of a layer read from one.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from twinviewer.core.edits import (
    CommandStack,
)
from twinviewer.i18n import translate
from twinviewer.store.access import _AccessLog
from twinviewer.store.base import (
    LogEntry,
    SaveReport,
    StoreError,
    TableProvider,
    default_user,
)
from twinviewer.store.geometry import (
    register_functions,
)
from twinviewer.store.gpkg.csv_apply import _CsvApply
from twinviewer.store.gpkg.schema import _Schema
from twinviewer.store.gpkg.sql import BUSY_TIMEOUT_S, DELETED_TABLE, LOG_TABLE, _q, _Table
from twinviewer.store.gpkg.writer import _Writer

if TYPE_CHECKING:
    from twinviewer.store.gpkg_import import ImportResult

log = logging.getLogger(__name__)


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


class GeoPackageStore(_Schema, _AccessLog, _CsvApply):
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
