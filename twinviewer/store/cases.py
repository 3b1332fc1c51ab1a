"""Cases, case events, alerts, device events, time limits and the calendar in a GeoPackage.

All tables live in the scene's GeoPackage beside its layers and are registered in
``gpkg_contents`` as ``attributes`` tables, so QGIS and GDAL show them as plain
tables (and twinviewer's layer lists skip them: they are named ``twinviewer_*``).

- ``twinviewer_cases``: one row per case (its object, 类别/小类/等级, 责任单位/人).
- ``twinviewer_case_events``: append-only; triggers refuse UPDATE and DELETE, and
  refuse a transition whose ``from_state`` is not the case's current state, so two
  operators moving the same case at once cannot both win.
- ``twinviewer_device_events``: every valid sensor message once, ``UNIQUE(device,
  seq)``: two listeners on the same broker insert the same message once.
- ``twinviewer_alerts``: the current state of each alert (updated as it changes).
- ``twinviewer_time_limits`` (``小类, 时限, 单位, 结案条件``) and
  ``twinviewer_calendar`` (``日期, 类型``) with the office hours in
  ``twinviewer_case_settings``.

Writes are short ``BEGIN IMMEDIATE`` transactions with a busy timeout, so a window
and a headless listener can share one file.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import logging
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import pandas as pd

from twinviewer.core.alerts import Alert, Silence
from twinviewer.core.calendar import WorkingCalendar, calendar_from_rows
from twinviewer.core.cases import (
    CASE_COLUMNS,
    EVENT_COLUMNS,
    Case,
    CaseBook,
    CaseEvent,
    Clock,
    TimeLimit,
)
from twinviewer.i18n import translate
from twinviewer.store.base import StoreError

log = logging.getLogger(__name__)

CASES = "twinviewer_cases"
EVENTS = "twinviewer_case_events"
ALERTS = "twinviewer_alerts"
DEVICE_EVENTS = "twinviewer_device_events"
LIMITS = "twinviewer_time_limits"
CALENDAR = "twinviewer_calendar"
SETTINGS = "twinviewer_case_settings"
SILENCES = "twinviewer_silences"

ALERT_COLUMNS = ("alert_id", "device", "rule", "kind", "grp", "state", "started", "fired",
                 "resolved", "acked_by", "acked", "level", "flapping", "life_safety", "events",
                 "last_value", "case_id", "note")

_DDL = [
    f"""CREATE TABLE IF NOT EXISTS {CASES} (
        case_id TEXT PRIMARY KEY, category TEXT NOT NULL, subcategory TEXT NOT NULL,
        level TEXT NOT NULL DEFAULT '一般', unit TEXT, person TEXT, layer TEXT, oid INTEGER,
        x REAL, y REAL, compound TEXT, source TEXT, description TEXT, created TEXT NOT NULL,
        ref TEXT)""",
    # one case per alert (or sweep row): a second listener's auto case is ignored
    f"CREATE UNIQUE INDEX IF NOT EXISTS {CASES}_ref ON {CASES}(ref) WHERE ref IS NOT NULL",
    f"""CREATE TABLE IF NOT EXISTS {EVENTS} (
        id INTEGER PRIMARY KEY AUTOINCREMENT, case_id TEXT NOT NULL REFERENCES {CASES}(case_id),
        ts TEXT NOT NULL, who TEXT NOT NULL, role TEXT NOT NULL, from_state TEXT NOT NULL,
        to_state TEXT NOT NULL, kind TEXT NOT NULL DEFAULT 'transition', note TEXT,
        attachment TEXT, deadline TEXT)""",
    f"CREATE INDEX IF NOT EXISTS {EVENTS}_case ON {EVENTS}(case_id, id)",
    f"""CREATE TRIGGER IF NOT EXISTS {EVENTS}_no_update BEFORE UPDATE ON {EVENTS}
        BEGIN SELECT RAISE(ABORT, 'case events are append-only'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS {EVENTS}_no_delete BEFORE DELETE ON {EVENTS}
        BEGIN SELECT RAISE(ABORT, 'case events are append-only'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS {EVENTS}_stale BEFORE INSERT ON {EVENTS}
        WHEN NEW.kind = 'transition' AND NEW.from_state IS NOT coalesce((
            SELECT to_state FROM {EVENTS} WHERE case_id = NEW.case_id AND kind = 'transition'
            ORDER BY id DESC LIMIT 1), '')
        BEGIN SELECT RAISE(ABORT, 'the case was moved by someone else meanwhile'); END""",
    f"""CREATE TABLE IF NOT EXISTS {DEVICE_EVENTS} (
        id INTEGER PRIMARY KEY AUTOINCREMENT, device TEXT NOT NULL, seq INTEGER NOT NULL,
        ts TEXT NOT NULL, type TEXT NOT NULL, value REAL, alarm INTEGER NOT NULL,
        received TEXT NOT NULL, UNIQUE (device, seq))""",
    f"""CREATE TRIGGER IF NOT EXISTS {DEVICE_EVENTS}_no_update BEFORE UPDATE ON {DEVICE_EVENTS}
        BEGIN SELECT RAISE(ABORT, 'device events are append-only'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS {DEVICE_EVENTS}_no_delete BEFORE DELETE ON {DEVICE_EVENTS}
        BEGIN SELECT RAISE(ABORT, 'device events are append-only'); END""",
    f"""CREATE TABLE IF NOT EXISTS {ALERTS} (
        alert_id TEXT PRIMARY KEY, device TEXT NOT NULL, rule TEXT NOT NULL, kind TEXT,
        grp TEXT, state TEXT NOT NULL, started TEXT, fired TEXT, resolved TEXT, acked_by TEXT,
        acked TEXT, level INTEGER, flapping INTEGER, life_safety INTEGER, events INTEGER,
        last_value REAL, case_id TEXT, note TEXT)""",
    f"""CREATE TABLE IF NOT EXISTS {LIMITS} (
        小类 TEXT PRIMARY KEY, 时限 REAL NOT NULL CHECK (时限 > 0),
        单位 TEXT NOT NULL CHECK (单位 IN ('工作时', '工作日', '自然日')), 结案条件 TEXT)""",
    f"""CREATE TABLE IF NOT EXISTS {CALENDAR} (
        日期 TEXT PRIMARY KEY, 类型 TEXT NOT NULL CHECK (类型 IN ('休息', '上班')))""",
    f"CREATE TABLE IF NOT EXISTS {SETTINGS} (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    f"""CREATE TABLE IF NOT EXISTS {SILENCES} (
        id INTEGER PRIMARY KEY AUTOINCREMENT, start TEXT NOT NULL, end TEXT NOT NULL,
        reason TEXT NOT NULL, device TEXT, grp TEXT, rule TEXT, created_by TEXT)""",
]
_DESCRIPTIONS = {
    CASES: "twinviewer cases: one row per case on an object",
    EVENTS: "twinviewer case events: append-only transitions",
    ALERTS: "twinviewer sensor alerts",
    DEVICE_EVENTS: "twinviewer sensor messages, each (device, seq) once",
    LIMITS: "twinviewer time limits per 小类",
    CALENDAR: "twinviewer working calendar: holidays and make-up days",
}


def _now() -> str:
    return _dt.datetime.now().strftime("%Y-%m-%dT%H:%M:%S")


def _t(value) -> str | None:
    if value is None:
        return None
    return value.strftime("%Y-%m-%dT%H:%M:%S") if hasattr(value, "strftime") else str(value)


class CaseTables(ABC):
    """What the CLI, the listener and the dock ask of a scene's case store.

    Two stores give it: :class:`CaseStore` (the scene's GeoPackage) and
    :class:`~twinviewer.store.pg_cases.PgCaseStore` (a PostGIS twin, roles enforced by
    the server).  :func:`twinviewer.store.scene_cases.case_store_for` picks one from
    the scene.  Every method raises :class:`StoreError` with one line on failure.
    """

    #: where the cases live, for messages (a path or a password-less URL)
    location: str = ""

    @abstractmethod
    def limits(self) -> list[TimeLimit]: ...

    @abstractmethod
    def set_limits(self, limits: Iterable[TimeLimit], *, replace: bool = False) -> None: ...

    @abstractmethod
    def calendar(self) -> WorkingCalendar: ...

    @abstractmethod
    def save_calendar(self, cal: WorkingCalendar) -> None: ...

    @abstractmethod
    def add_case(self, case: Case, ref: str | None = None) -> bool: ...

    @abstractmethod
    def append_event(self, event: CaseEvent) -> None: ...

    @abstractmethod
    def file_cases(self, cases: Sequence[tuple[Case, Sequence[CaseEvent], str | None]]
                   ) -> int: ...

    @abstractmethod
    def frames(self) -> tuple[pd.DataFrame, pd.DataFrame]: ...

    @abstractmethod
    def record_readings(self, rows: Iterable[tuple]) -> list[bool]: ...

    @abstractmethod
    def seen(self) -> dict[str, set[int]]: ...

    @abstractmethod
    def readings(self) -> pd.DataFrame: ...

    @abstractmethod
    def save_alerts(self, alerts: Iterable[Alert]) -> None: ...

    @abstractmethod
    def alerts(self) -> pd.DataFrame: ...

    @abstractmethod
    def acknowledge(self, alert_id: str, who: str, when: _dt.datetime) -> None: ...

    @abstractmethod
    def add_silence(self, s: Silence) -> None: ...

    @abstractmethod
    def silences(self) -> list[Silence]: ...

    @abstractmethod
    def alert_counts(self, now: _dt.datetime | None = None) -> dict[str, int]: ...

    def close(self) -> None:  # noqa: B027 (a store holding a connection overrides it)
        """Let go of what the store holds open (a GeoPackage store holds nothing)."""

    def book(self, clock: Clock | None = None) -> CaseBook:
        """The cases and events as a :class:`CaseBook` whose changes are written here."""
        cases, events = self.frames()
        b = CaseBook(clock=clock, calendar=self.calendar(), limits=self.limits(),
                     on_event=self.append_event, on_case=self.add_case)
        b.load((Case(**{k: (None if pd.isna(v) else v) for k, v in r.items()})
                for r in cases[list(CASE_COLUMNS)].to_dict("records")),
               (CaseEvent(**{k: ("" if v is None else v) for k, v in r.items()})
                for r in events[list(EVENT_COLUMNS)].to_dict("records")))
        return b


class CaseStore(CaseTables):
    """The case and alert tables of one GeoPackage.

    Parameters
    ----------
    path : str or Path
        The scene's GeoPackage (created as an empty GeoPackage when missing).
    timeout : float, default: 5.0
        Seconds to wait for another writer (a listener, the window).
    """

    def __init__(self, path: str | Path, *, timeout: float = 5.0) -> None:
        self.path = Path(path)
        self.location = str(self.path)
        self.timeout = timeout
        self._ready = False

    def __repr__(self) -> str:
        return f"CaseStore({str(self.path)!r})"

    def _error(self, exc: Exception | str) -> StoreError:
        text = str(exc)
        if isinstance(exc, sqlite3.Error):
            if "locked" in text or "busy" in text:
                text = translate("StoreError", "the store is busy (another program is writing "
                                               "it); try again")
            elif "not a database" in text:
                text = translate("StoreError", "not a GeoPackage (not an SQLite file)")
        return StoreError(text, self.path)

    def _connect(self) -> sqlite3.Connection:
        if self.path.exists() and not self.path.is_file():
            raise StoreError(translate("StoreError", "is not a file"), self.path)
        try:
            conn = sqlite3.connect(str(self.path), timeout=self.timeout, isolation_level=None)
            if not self._ready:
                self._create(conn)
                self._ready = True
        except sqlite3.Error as exc:
            raise self._error(exc) from None
        return conn

    def _create(self, conn: sqlite3.Connection) -> None:
        conn.execute("BEGIN IMMEDIATE")
        try:
            if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'gpkg_contents'"
                            ).fetchone() is None:
                # a new file: the minimal GeoPackage tables, so GDAL opens it
                conn.execute("PRAGMA application_id = 1196444487")
                conn.execute("PRAGMA user_version = 10300")
                conn.execute("CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, "
                             "srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL, "
                             "organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT "
                             "NULL, description TEXT)")
                conn.executemany("INSERT INTO gpkg_spatial_ref_sys VALUES (?,?,?,?,?,?)", [
                    ("Undefined cartesian SRS", -1, "NONE", -1, "undefined", None),
                    ("Undefined geographic SRS", 0, "NONE", 0, "undefined", None)])
                conn.execute("CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY "
                             "KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE, "
                             "description TEXT DEFAULT '', last_change DATETIME NOT NULL "
                             "DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')), min_x DOUBLE, "
                             "min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER)")
                conn.execute("CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, "
                             "column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL, "
                             "srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL, "
                             "CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name))")
            for stmt in _DDL:
                conn.execute(stmt)
            for table, text in _DESCRIPTIONS.items():
                conn.execute("INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, "
                             "identifier, description, last_change) VALUES (?, 'attributes', "
                             "?, ?, ?)", (table, table, text, _now() + "Z"))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; a refused write (trigger, constraint) leaves nothing."""
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            yield conn
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise self._error(exc) from None
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        finally:
            conn.close()

    def _read(self, sql: str, params: Sequence = ()) -> list[tuple]:
        conn = self._connect()
        try:
            return conn.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise self._error(exc) from None
        finally:
            conn.close()

    # -- time limits and calendar --------------------------------------------------------
    def limits(self) -> list[TimeLimit]:
        return [TimeLimit(s, float(a), u, c or "") for s, a, u, c in
                self._read(f"SELECT 小类, 时限, 单位, 结案条件 FROM {LIMITS} ORDER BY 小类")]

    def set_limits(self, limits: Iterable[TimeLimit], *, replace: bool = False) -> None:
        with self.transaction() as conn:
            if replace:
                conn.execute(f"DELETE FROM {LIMITS}")
            conn.executemany(f"INSERT OR REPLACE INTO {LIMITS} VALUES (?, ?, ?, ?)",
                             [(t.subcategory, t.amount, t.unit, t.condition) for t in limits])

    def calendar(self) -> WorkingCalendar:
        settings = dict(self._read(f"SELECT key, value FROM {SETTINGS}"))
        rows = self._read(f"SELECT 日期, 类型 FROM {CALENDAR} ORDER BY 日期")
        weekdays = tuple(json.loads(settings.get("weekdays", "[0, 1, 2, 3, 4]")))
        return calendar_from_rows(rows, start=settings.get("start", "09:00"),
                                  end=settings.get("end", "17:00"), weekdays=weekdays)

    def save_calendar(self, cal: WorkingCalendar) -> None:
        with self.transaction() as conn:
            conn.execute(f"DELETE FROM {CALENDAR}")
            conn.executemany(f"INSERT INTO {CALENDAR} VALUES (?, ?)", cal.days())
            conn.executemany(f"INSERT OR REPLACE INTO {SETTINGS} VALUES (?, ?)", [
                ("start", cal.start), ("end", cal.end),
                ("weekdays", json.dumps(list(cal.weekdays)))])

    # -- cases ---------------------------------------------------------------------------
    def add_case(self, case: Case, ref: str | None = None,
                 conn: sqlite3.Connection | None = None) -> bool:
        """Insert a case row; False when a case with the same ``ref`` exists already."""
        row = [getattr(case, k) for k in CASE_COLUMNS] + [ref]
        sql = f"INSERT OR IGNORE INTO {CASES} VALUES ({', '.join('?' * len(row))})"
        if conn is not None:
            return conn.execute(sql, row).rowcount == 1
        with self.transaction() as c:
            return c.execute(sql, row).rowcount == 1

    def append_event(self, event: CaseEvent, conn: sqlite3.Connection | None = None) -> None:
        """Append one event row (the trigger refuses a stale transition)."""
        sql = (f"INSERT INTO {EVENTS} ({', '.join(EVENT_COLUMNS)}) VALUES "
               f"({', '.join('?' * len(EVENT_COLUMNS))})")
        if conn is not None:
            conn.execute(sql, event.row_values())
            return
        with self.transaction() as c:
            c.execute(sql, event.row_values())
            if event.kind == "assign":
                unit, _, person = event.note.partition(" / ")
                c.execute(f"UPDATE {CASES} SET unit = ?, person = ? WHERE case_id = ?",
                          (unit, person, event.case_id))

    def file_cases(self, cases: Sequence[tuple[Case, Sequence[CaseEvent], str | None]]) -> int:
        """Many new cases with their first events in ONE transaction; returns how many were new.

        A case whose ``ref`` (alert, sweep row) or id is filed already is skipped whole.
        """
        n = 0
        with self.transaction() as conn:
            for case, events, ref in cases:
                if self.add_case(case, ref, conn):
                    for event in events:
                        self.append_event(event, conn)
                    n += 1
        return n

    def frames(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """``(cases, events)`` DataFrames, events in the order they were written."""
        conn = self._connect()
        try:
            cases = pd.read_sql_query(f"SELECT {', '.join(CASE_COLUMNS)} FROM {CASES}", conn)
            events = pd.read_sql_query(f"SELECT {', '.join(EVENT_COLUMNS)} FROM {EVENTS} "
                                       "ORDER BY id", conn)
        except (sqlite3.Error, pd.errors.DatabaseError) as exc:
            raise self._error(exc) from None
        finally:
            conn.close()
        return cases, events.fillna("")

    # -- sensor messages and alerts -----------------------------------------------------------
    def record_readings(self, rows: Iterable[tuple]) -> list[bool]:
        """Insert ``(device, seq, ts, type, value, alarm)`` rows; True where a row was new.

        A row another listener wrote first is ignored (``UNIQUE(device, seq)``).
        """
        out = []
        received = _now()
        with self.transaction() as conn:
            for device, seq, ts, typ, value, alarm in rows:
                cur = conn.execute(f"INSERT OR IGNORE INTO {DEVICE_EVENTS} (device, seq, ts, "
                                   "type, value, alarm, received) VALUES (?, ?, ?, ?, ?, ?, ?)",
                                   (device, int(seq), ts, typ, value, int(bool(alarm)),
                                    received))
                out.append(cur.rowcount == 1)
        return out

    def seen(self) -> dict[str, set[int]]:
        """Seqs already recorded per device."""
        out: dict[str, set[int]] = {}
        for device, seq in self._read(f"SELECT device, seq FROM {DEVICE_EVENTS}"):
            out.setdefault(device, set()).add(seq)
        return out

    def readings(self) -> pd.DataFrame:
        conn = self._connect()
        try:
            return pd.read_sql_query(f"SELECT device, seq, ts, type, value, alarm FROM "
                                     f"{DEVICE_EVENTS} ORDER BY id", conn)
        finally:
            conn.close()

    def save_alerts(self, alerts: Iterable[Alert], conn: sqlite3.Connection | None = None
                    ) -> None:
        rows = [(a.alert_id, a.device, a.rule, a.kind, a.group, a.state, _t(a.started),
                 _t(a.fired), _t(a.resolved), a.acked_by, _t(a.acked), a.level, int(a.flapping),
                 int(a.life_safety), a.events, a.last_value, a.case_id, a.note) for a in alerts]
        if not rows:
            return
        sql = f"INSERT OR REPLACE INTO {ALERTS} VALUES ({', '.join('?' * len(ALERT_COLUMNS))})"
        if conn is not None:
            conn.executemany(sql, rows)
            return
        with self.transaction() as c:
            c.executemany(sql, rows)

    def alerts(self) -> pd.DataFrame:
        conn = self._connect()
        try:
            return pd.read_sql_query(f"SELECT * FROM {ALERTS}", conn)
        finally:
            conn.close()

    def acknowledge(self, alert_id: str, who: str, when: _dt.datetime) -> None:
        with self.transaction() as conn:
            cur = conn.execute(f"UPDATE {ALERTS} SET state = 'acknowledged', acked_by = ?, "
                               "acked = ? WHERE alert_id = ? AND state IN ('firing', 'pending', "
                               "'inhibited')", (who, _t(when), alert_id))
            if cur.rowcount == 0:
                raise StoreError(translate("StoreError", "no open alert {aid}").format(
                    aid=alert_id), self.path)

    def add_silence(self, s: Silence) -> None:
        with self.transaction() as conn:
            conn.execute(f"INSERT INTO {SILENCES} (start, end, reason, device, grp, rule, "
                         "created_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
                         (_t(s.start), _t(s.end), s.reason, s.device, s.group, s.rule,
                          s.created_by))

    def silences(self) -> list[Silence]:
        return [Silence(_dt.datetime.fromisoformat(a), _dt.datetime.fromisoformat(b), r,
                        d or "", g or "", u or "", c or "") for a, b, r, d, g, u, c in
                self._read(f"SELECT start, end, reason, device, grp, rule, created_by FROM "
                           f"{SILENCES} ORDER BY id")]

    def alert_counts(self, now: _dt.datetime | None = None) -> dict[str, int]:
        """``{firing, acknowledged, resolved, silenced}`` from the alerts table.

        A firing alert that a silence matches at ``now`` counts as silenced.
        """
        when = _t(now or _dt.datetime.now())
        out = dict.fromkeys(("firing", "acknowledged", "resolved", "silenced"), 0)
        silenced = (f"EXISTS (SELECT 1 FROM {SILENCES} s WHERE s.start <= :now AND :now < s.end "
                    "AND coalesce(s.device, '') IN ('', a.device) AND coalesce(s.grp, '') IN "
                    "('', a.grp) AND coalesce(s.rule, '') IN ('', a.rule, a.kind))")
        rows = self._read(f"SELECT CASE WHEN a.state = 'firing' AND {silenced} THEN 'silenced' "
                          f"ELSE a.state END AS st, count(*) FROM {ALERTS} a GROUP BY st",
                          {"now": when})
        for state, n in rows:
            if state in out:
                out[state] = n
        return out
