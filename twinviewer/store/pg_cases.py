"""Cases and alerts in a PostGIS twin, with the roles enforced by the server.

Built only on the public side of :class:`~twinviewer.store.postgis.PostGISStore`
(``connect``, ``roles``).  :func:`install` (an admin, once per twin; the
:class:`PgCaseStore` runs it itself when its login is the admin) creates:

- ``twinviewer_cases`` and the append-only ``twinviewer_case_events`` (triggers
  refuse UPDATE and DELETE);
- ``twinviewer_case_transitions``: the transition table of
  :mod:`twinviewer.core.cases` (from, to, role);
- the tables of :mod:`twinviewer.store.cases` for alerts, the append-only sensor
  messages (``UNIQUE(device, seq)``), silences, time limits, the working calendar
  and its office hours, under the same names as in a GeoPackage;
- three group roles next to the twin's viewer role: ``…case_operator``,
  ``…case_unit`` and ``…case_checker``.  Operators (and the listener, which runs as
  one) write alerts, sensor messages and silences; operators and checkers edit the
  time limits and the calendar.

The viewer role may only SELECT.  A BEFORE INSERT trigger checks every transition
against the current state (a stale one is refused) and against the transition table
with ``pg_has_role(current_user, …)``: only a member of the checker role may close
a case, and ``who`` is always ``current_user``, never what the client claims.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
from collections.abc import Iterable, Iterator, Sequence

import pandas as pd

from twinviewer.core.alerts import Alert, Silence
from twinviewer.core.calendar import WorkingCalendar, calendar_from_rows
from twinviewer.core.cases import (
    ADMIN,
    CASE_COLUMNS,
    CLOSED,
    EVENT_COLUMNS,
    EXTEND_APPROVE,
    EXTEND_REJECT,
    TRANSITIONS,
    Case,
    CaseEvent,
    TimeLimit,
)
from twinviewer.i18n import translate
from twinviewer.store.base import StoreError
from twinviewer.store.cases import (
    ALERT_COLUMNS,
    ALERTS,
    CALENDAR,
    CASES,
    DEVICE_EVENTS,
    EVENTS,
    LIMITS,
    SETTINGS,
    SILENCES,
    CaseTables,
    _now,
    _t,
)
from twinviewer.store.postgis import PostGISStore

RULES = "twinviewer_case_transitions"
CASE_ROLES = ("operator", "unit", "checker")


_MORE_TABLES = (ALERTS, DEVICE_EVENTS, SILENCES, LIMITS, CALENDAR, SETTINGS)
_MORE_DDL = (
    f"""CREATE TABLE IF NOT EXISTS {ALERTS} (
        alert_id text PRIMARY KEY, device text NOT NULL, rule text NOT NULL, kind text,
        grp text, state text NOT NULL, started text, fired text, resolved text, acked_by text,
        acked text, level integer, flapping integer, life_safety integer, events integer,
        last_value double precision, case_id text, note text)""",
    f"""CREATE TABLE IF NOT EXISTS {DEVICE_EVENTS} (
        id bigserial PRIMARY KEY, device text NOT NULL, seq bigint NOT NULL, ts text NOT NULL,
        type text NOT NULL, value double precision, alarm integer NOT NULL,
        received text NOT NULL, UNIQUE (device, seq))""",
    f"""CREATE TABLE IF NOT EXISTS {SILENCES} (
        id bigserial PRIMARY KEY, "start" text NOT NULL, "end" text NOT NULL,
        reason text NOT NULL, device text, grp text, rule text, created_by text)""",
    f"""CREATE TABLE IF NOT EXISTS {LIMITS} (
        小类 text PRIMARY KEY, 时限 double precision NOT NULL CHECK (时限 > 0),
        单位 text NOT NULL CHECK (单位 IN ('工作时', '工作日', '自然日')), 结案条件 text)""",
    f"""CREATE TABLE IF NOT EXISTS {CALENDAR} (
        日期 text PRIMARY KEY, 类型 text NOT NULL CHECK (类型 IN ('休息', '上班')))""",
    f"CREATE TABLE IF NOT EXISTS {SETTINGS} (key text PRIMARY KEY, value text NOT NULL)",
)


def role_names(store: PostGISStore) -> dict[str, str]:
    """``{"operator": …, "unit": …, "checker": …}`` group roles of this twin."""
    viewer = store.roles()["viewer"]
    base = viewer[: -len("viewer")] if viewer.endswith("viewer") else viewer + "_"
    return {r: f"{base}case_{r}" for r in CASE_ROLES}


def install(store: PostGISStore) -> dict[str, str]:
    """Create the case tables, the transition table, roles, grants and triggers (admin)."""
    import psycopg
    from psycopg import sql

    names = role_names(store)
    roles = store.roles()
    rows = [(src, dst, role) for src, targets in TRANSITIONS.items()
            for dst, allowed in targets.items() for role in allowed]
    conn = store.connect()
    try:
        with conn.transaction():
            conn.execute(f"""CREATE TABLE IF NOT EXISTS {CASES} (
                case_id text PRIMARY KEY, category text NOT NULL, subcategory text NOT NULL,
                level text NOT NULL DEFAULT '一般', unit text, person text, layer text,
                oid bigint, x double precision, y double precision, compound text,
                source text, description text, created text NOT NULL, ref text UNIQUE)""")
            conn.execute(f"""CREATE TABLE IF NOT EXISTS {EVENTS} (
                id bigserial PRIMARY KEY, case_id text NOT NULL REFERENCES {CASES},
                ts text NOT NULL, who text NOT NULL, role text NOT NULL,
                from_state text NOT NULL, to_state text NOT NULL,
                kind text NOT NULL DEFAULT 'transition', note text, attachment text,
                deadline text)""")
            conn.execute(f"""CREATE TABLE IF NOT EXISTS {RULES} (
                from_state text, to_state text, role text,
                PRIMARY KEY (from_state, to_state, role))""")
            for stmt in _MORE_DDL:
                conn.execute(stmt)
            conn.execute(f"DELETE FROM {RULES}")
            with conn.cursor() as cur:
                cur.executemany(f"INSERT INTO {RULES} VALUES (%s, %s, %s)", rows)
            for name in names.values():
                if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s",
                                    (name,)).fetchone():
                    conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(name)))
                conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(roles["viewer"]),
                                                              sql.Identifier(name)))
            for table in (CASES, EVENTS, RULES, *_MORE_TABLES):
                conn.execute(sql.SQL("GRANT SELECT ON {} TO {}").format(
                    sql.Identifier(table), sql.Identifier(roles["viewer"])))
            for name in names.values():
                conn.execute(sql.SQL("GRANT INSERT ON {} TO {}").format(
                    sql.Identifier(EVENTS), sql.Identifier(name)))
                conn.execute(sql.SQL("GRANT USAGE ON SEQUENCE {} TO {}").format(
                    sql.Identifier(f"{EVENTS}_id_seq"), sql.Identifier(name)))
            conn.execute(sql.SQL("GRANT INSERT, UPDATE (unit, person) ON {} TO {}").format(
                sql.Identifier(CASES), sql.Identifier(names["operator"])))
            conn.execute(sql.SQL("GRANT UPDATE (unit, person) ON {} TO {}").format(
                sql.Identifier(CASES), sql.Identifier(names["checker"])))
            operator = sql.Identifier(names["operator"])
            for table, rights in ((ALERTS, "INSERT, UPDATE"), (DEVICE_EVENTS, "INSERT"),
                                  (SILENCES, "INSERT")):
                conn.execute(sql.SQL(f"GRANT {rights} ON {{}} TO {{}}").format(
                    sql.Identifier(table), operator))
            for seq in (f"{DEVICE_EVENTS}_id_seq", f"{SILENCES}_id_seq"):
                conn.execute(sql.SQL("GRANT USAGE ON SEQUENCE {} TO {}").format(
                    sql.Identifier(seq), operator))
            for who in ("operator", "checker"):
                for table in (LIMITS, CALENDAR, SETTINGS):
                    conn.execute(sql.SQL("GRANT INSERT, UPDATE, DELETE ON {} TO {}").format(
                        sql.Identifier(table), sql.Identifier(names[who])))
            # the roles of the transition table, by name, as SQL literals
            role_of = " ".join(
                f"WHEN {sql.Literal(r).as_string(conn)} THEN "
                f"{sql.Literal(n).as_string(conn)}" for r, n in names.items())
            admin = sql.Literal(roles["admin"]).as_string(conn)
            conn.execute(f"""CREATE OR REPLACE FUNCTION {EVENTS}_check() RETURNS trigger
                LANGUAGE plpgsql SECURITY DEFINER AS $$
                DECLARE current text;
                BEGIN
                  NEW.who := session_user;
                  IF pg_has_role(session_user, {admin}, 'member') THEN
                    NEW.role := '{ADMIN}';
                  ELSIF NEW.role NOT IN ('operator', 'unit', 'checker') OR NOT pg_has_role(
                        session_user, CASE NEW.role {role_of} END, 'member') THEN
                    RAISE EXCEPTION 'user % does not hold the role %', session_user, NEW.role
                      USING ERRCODE = 'insufficient_privilege', DETAIL = 'not_member',
                            HINT = NEW.role;
                  END IF;
                  IF NEW.kind IN ('{EXTEND_APPROVE}', '{EXTEND_REJECT}')
                      AND NEW.role NOT IN ('checker', '{ADMIN}') THEN
                    RAISE EXCEPTION 'role % may not decide an extension', NEW.role
                      USING ERRCODE = 'insufficient_privilege', DETAIL = 'not_checker',
                            HINT = NEW.role;
                  END IF;
                  IF NEW.kind <> 'transition' THEN RETURN NEW; END IF;
                  SELECT to_state INTO current FROM {EVENTS} WHERE case_id = NEW.case_id
                    AND kind = 'transition' ORDER BY id DESC LIMIT 1;
                  IF coalesce(current, '') <> NEW.from_state THEN
                    RAISE EXCEPTION 'the case was moved by someone else meanwhile';
                  END IF;
                  IF NEW.from_state <> '' AND NEW.role <> '{ADMIN}' AND NOT EXISTS (
                      SELECT 1 FROM {RULES} WHERE from_state = NEW.from_state
                      AND to_state = NEW.to_state AND role = NEW.role) THEN
                    RAISE EXCEPTION 'role % may not move a case from % to %', NEW.role,
                      NEW.from_state, NEW.to_state USING ERRCODE = 'insufficient_privilege',
                      DETAIL = 'not_allowed',
                      HINT = NEW.role || '|' || NEW.from_state || '|' || NEW.to_state;
                  END IF;
                  RETURN NEW;
                END $$""")
            conn.execute(f"""CREATE OR REPLACE FUNCTION {EVENTS}_frozen() RETURNS trigger
                LANGUAGE plpgsql AS $$ BEGIN
                RAISE EXCEPTION 'case events are append-only'; END $$""")
            conn.execute(f"DROP TRIGGER IF EXISTS {EVENTS}_check ON {EVENTS}")
            conn.execute(f"CREATE TRIGGER {EVENTS}_check BEFORE INSERT ON {EVENTS} "
                         f"FOR EACH ROW EXECUTE FUNCTION {EVENTS}_check()")
            conn.execute(f"DROP TRIGGER IF EXISTS {EVENTS}_frozen ON {EVENTS}")
            conn.execute(f"CREATE TRIGGER {EVENTS}_frozen BEFORE UPDATE OR DELETE ON {EVENTS} "
                         f"FOR EACH ROW EXECUTE FUNCTION {EVENTS}_frozen()")
            conn.execute(f"""CREATE OR REPLACE FUNCTION {DEVICE_EVENTS}_frozen() RETURNS
                trigger LANGUAGE plpgsql AS $$ BEGIN
                RAISE EXCEPTION 'device events are append-only'; END $$""")
            conn.execute(f"DROP TRIGGER IF EXISTS {DEVICE_EVENTS}_frozen ON {DEVICE_EVENTS}")
            conn.execute(f"CREATE TRIGGER {DEVICE_EVENTS}_frozen BEFORE UPDATE OR DELETE ON "
                         f"{DEVICE_EVENTS} FOR EACH ROW EXECUTE FUNCTION "
                         f"{DEVICE_EVENTS}_frozen()")
    except psycopg.Error as exc:
        raise StoreError(" ".join(str(exc).split()), None) from None
    finally:
        conn.close()
    return names


def grant_case_role(store: PostGISStore, login: str, role: str) -> None:
    """Give an existing login one of ``operator``, ``unit``, ``checker`` (admin)."""
    import psycopg
    from psycopg import sql

    if role not in CASE_ROLES:
        raise StoreError(translate("StoreError", "unknown case role {role!r} (roles: {roles})")
                         .format(role=role, roles=", ".join(CASE_ROLES)))
    conn = store.connect(autocommit=True)
    try:
        conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(role_names(store)[role]),
                                                      sql.Identifier(login)))
    except psycopg.Error as exc:
        raise StoreError(" ".join(str(exc).split()), None) from None
    finally:
        conn.close()


def role_title(role: str) -> str:
    """A case role as users name it (受理员, 处置单位, 核查员...)."""
    return {"viewer": translate("StoreError", "viewer"),
            "operator": translate("StoreError", "operator"),
            "unit": translate("StoreError", "unit"),
            "checker": translate("StoreError", "checker"),
            ADMIN: translate("StoreError", "admin")}.get(role, role)


class PgCaseStore(CaseTables):
    """The case and alert tables of a PostGIS twin, written as the connected login.

    The same interface as the GeoPackage :class:`~twinviewer.store.cases.CaseStore`;
    the server decides what passes (see :func:`install`), and a refusal becomes one
    translated line (:class:`StoreError`), e.g. "permission denied: only a checker
    may close a case".  The tables are installed on first use when the login is the
    twin's admin.

    Parameters
    ----------
    store : PostGISStore or str
        The twin (or its password-less URL).
    """

    def __init__(self, store: PostGISStore | str) -> None:
        self.store = store if isinstance(store, PostGISStore) else PostGISStore(store)
        self.location = self.store.url
        self.login = ""
        self._conn = None
        self._ready = False

    def __repr__(self) -> str:
        return f"PgCaseStore({self.location!r})"

    # -- connection ------------------------------------------------------------------------
    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:  # a broken socket: nothing to close cleanly
                pass
            self._conn = None

    def _connection(self):
        if self._conn is None or self._conn.closed or self._conn.broken:
            self.close()
            conn = self.store.connect(autocommit=True)  # BEGIN/COMMIT only where asked
            self.login = conn.info.user
            if not self._ready:
                try:
                    self._prepare(conn)
                except BaseException:
                    conn.close()
                    raise
                self._ready = True
            self._conn = conn
        return self._conn

    def _prepare(self, conn) -> None:
        import psycopg

        try:
            there = conn.execute("SELECT to_regclass(%s) IS NOT NULL AND to_regclass(%s) IS NOT "
                                 "NULL", (EVENTS, ALERTS)).fetchone()[0]
            if there:
                return
            admin = self.store.roles().get("admin", "")
            is_admin = bool(admin) and conn.execute(
                "SELECT pg_has_role(session_user, %s, 'member')", (admin,)).fetchone()[0]
        except psycopg.Error as exc:
            raise self._refused(exc) from None
        if not is_admin:
            raise StoreError(translate("StoreError", "this twin has no case tables yet: its "
                                                     "admin ({admin}) opens its cases once "
                                                     "(twinviewer cases SCENE) to create them")
                             .format(admin=admin), None)
        install(self.store)

    @contextlib.contextmanager
    def transaction(self) -> Iterator:
        """One write transaction as the login; a refusal leaves nothing written."""
        import psycopg

        conn = self._connection()
        try:
            with conn.transaction():
                yield conn
        except psycopg.Error as exc:
            if conn.broken:
                self.close()
            raise self._refused(exc) from None

    def _read(self, sql_text: str, params: Sequence | dict = ()) -> list[tuple]:
        with self.transaction() as conn:
            return conn.execute(sql_text, params).fetchall()

    def _refused(self, exc: Exception) -> StoreError:
        import psycopg

        first = " ".join(str(exc).split("\n")[0].split()) or type(exc).__name__
        if not isinstance(exc, psycopg.errors.InsufficientPrivilege):
            return StoreError(f"{self.location}: {first}", None)
        detail = exc.diag.message_detail or ""
        hint = exc.diag.message_hint or ""
        if detail == "not_member":
            text = translate("StoreError", "permission denied: {login} does not hold the case role {role}").format(
                login=self.login, role=role_title(hint))
        elif detail == "not_allowed":
            role, src, dst = (hint.split("|") + ["", "", ""])[:3]
            if dst == CLOSED:
                text = translate("StoreError", "permission denied: only a checker may close a "
                                               "case")
            else:
                text = translate("StoreError", "permission denied: the role {role} may not move a "
                                               "case from {src} to {dst}").format(
                    role=role_title(role), src=src, dst=dst)
        elif detail == "not_checker":
            text = translate("StoreError", "permission denied: only a checker may decide an "
                                           "extension")
        else:  # no privilege on the table: a viewer, or a role without that right
            text = translate("StoreError", "permission denied: {login} holds no case role that "
                                           "may do this (the twin's admin grants case roles)"
                             ).format(login=self.login)
        return StoreError(text, None)

    # -- time limits and calendar --------------------------------------------------------
    def limits(self) -> list[TimeLimit]:
        return [TimeLimit(s, float(a), u, c or "") for s, a, u, c in
                self._read(f"SELECT 小类, 时限, 单位, 结案条件 FROM {LIMITS} ORDER BY 小类")]

    def set_limits(self, limits: Iterable[TimeLimit], *, replace: bool = False) -> None:
        rows = [(t.subcategory, t.amount, t.unit, t.condition) for t in limits]
        with self.transaction() as conn:
            if replace:
                conn.execute(f"DELETE FROM {LIMITS}")
            with conn.cursor() as cur:
                cur.executemany(f"INSERT INTO {LIMITS} VALUES (%s, %s, %s, %s) ON CONFLICT "
                                "(小类) DO UPDATE SET 时限 = EXCLUDED.时限, 单位 = EXCLUDED.单位, "
                                "结案条件 = EXCLUDED.结案条件", rows)

    def calendar(self) -> WorkingCalendar:
        settings = dict(self._read(f"SELECT key, value FROM {SETTINGS}"))
        rows = self._read(f"SELECT 日期, 类型 FROM {CALENDAR} ORDER BY 日期")
        weekdays = tuple(json.loads(settings.get("weekdays", "[0, 1, 2, 3, 4]")))
        return calendar_from_rows(rows, start=settings.get("start", "09:00"),
                                  end=settings.get("end", "17:00"), weekdays=weekdays)

    def save_calendar(self, cal: WorkingCalendar) -> None:
        with self.transaction() as conn, conn.cursor() as cur:
            cur.execute(f"DELETE FROM {CALENDAR}")
            cur.executemany(f"INSERT INTO {CALENDAR} VALUES (%s, %s)", cal.days())
            cur.executemany(f"INSERT INTO {SETTINGS} VALUES (%s, %s) ON CONFLICT (key) DO "
                            "UPDATE SET value = EXCLUDED.value", [
                                ("start", cal.start), ("end", cal.end),
                                ("weekdays", json.dumps(list(cal.weekdays)))])

    # -- cases ---------------------------------------------------------------------------
    def add_case(self, case: Case, ref: str | None = None, conn=None) -> bool:
        """Insert a case row; False when a case with the same id or ``ref`` exists."""
        cols = (*CASE_COLUMNS, "ref")
        row = (*[getattr(case, k) for k in CASE_COLUMNS], ref)
        sql_text = (f"INSERT INTO {CASES} ({', '.join(cols)}) VALUES "
                    f"({', '.join(['%s'] * len(cols))}) ON CONFLICT DO NOTHING")
        if conn is not None:
            return conn.execute(sql_text, row).rowcount == 1
        with self.transaction() as c:
            return c.execute(sql_text, row).rowcount == 1

    def append_event(self, event: CaseEvent, conn=None) -> None:
        """Append one event row; the server checks the login's role and the state."""
        if conn is None:
            with self.transaction() as c:
                self.append_event(event, c)
            return
        conn.execute(f"INSERT INTO {EVENTS} ({', '.join(EVENT_COLUMNS)}) VALUES "
                     f"({', '.join(['%s'] * len(EVENT_COLUMNS))})", event.row_values())
        if event.kind == "assign":
            unit, _, person = event.note.partition(" / ")
            conn.execute(f"UPDATE {CASES} SET unit = %s, person = %s WHERE case_id = %s",
                         (unit, person, event.case_id))

    def file_cases(self, cases: Sequence[tuple[Case, Sequence[CaseEvent], str | None]]) -> int:
        """Many new cases with their first events in ONE transaction; how many were new."""
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
        cases = pd.DataFrame(self._read(f"SELECT {', '.join(CASE_COLUMNS)} FROM {CASES}"),
                             columns=list(CASE_COLUMNS))
        cases["oid"] = pd.to_numeric(cases["oid"], errors="coerce")
        for c in ("x", "y"):
            cases[c] = pd.to_numeric(cases[c], errors="coerce")
        events = pd.DataFrame(self._read(f"SELECT {', '.join(EVENT_COLUMNS)} FROM {EVENTS} "
                                         "ORDER BY id"), columns=list(EVENT_COLUMNS))
        return cases, events.fillna("")

    def events(self) -> list[tuple]:
        """``(case_id, who, role, from_state, to_state)`` of every event, in order."""
        return self._read(f"SELECT case_id, who, role, from_state, to_state FROM {EVENTS} "
                          "ORDER BY id")

    # -- sensor messages and alerts ------------------------------------------------------
    def record_readings(self, rows: Iterable[tuple]) -> list[bool]:
        """Insert ``(device, seq, ts, type, value, alarm)`` rows; True where a row was new."""
        rows = list(rows)
        if not rows:
            return []
        cols = list(zip(*rows, strict=True))
        received = _now()
        with self.transaction() as conn:
            new = set(conn.execute(
                f"INSERT INTO {DEVICE_EVENTS} (device, seq, ts, type, value, alarm, received) "
                "SELECT d, s, t, k, v, a, %s FROM unnest(%s::text[], %s::bigint[], %s::text[], "
                "%s::text[], %s::float8[], %s::int[]) AS u(d, s, t, k, v, a) "
                "ON CONFLICT (device, seq) DO NOTHING RETURNING device, seq",
                (received, [str(d) for d in cols[0]], [int(s) for s in cols[1]],
                 [str(t) for t in cols[2]], [str(k) for k in cols[3]],
                 [None if v is None else float(v) for v in cols[4]],
                 [int(bool(a)) for a in cols[5]])).fetchall())
        out = []
        for device, seq, *_ in rows:  # a pair twice in one batch is new once, as in SQLite
            key = (str(device), int(seq))
            out.append(key in new)
            new.discard(key)
        return out

    def seen(self) -> dict[str, set[int]]:
        out: dict[str, set[int]] = {}
        for device, seq in self._read(f"SELECT device, seq FROM {DEVICE_EVENTS}"):
            out.setdefault(device, set()).add(int(seq))
        return out

    def readings(self) -> pd.DataFrame:
        cols = ["device", "seq", "ts", "type", "value", "alarm"]
        return pd.DataFrame(self._read(f"SELECT {', '.join(cols)} FROM {DEVICE_EVENTS} "
                                       "ORDER BY id"), columns=cols)

    def save_alerts(self, alerts: Iterable[Alert], conn=None) -> None:
        rows = [(a.alert_id, a.device, a.rule, a.kind, a.group, a.state, _t(a.started),
                 _t(a.fired), _t(a.resolved), a.acked_by, _t(a.acked), a.level, int(a.flapping),
                 int(a.life_safety), a.events, a.last_value, a.case_id, a.note) for a in alerts]
        if not rows:
            return
        sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in ALERT_COLUMNS[1:])
        sql_text = (f"INSERT INTO {ALERTS} ({', '.join(ALERT_COLUMNS)}) VALUES "
                    f"({', '.join(['%s'] * len(ALERT_COLUMNS))}) ON CONFLICT (alert_id) DO "
                    f"UPDATE SET {sets}")
        if conn is None:
            with self.transaction() as c, c.cursor() as cur:
                cur.executemany(sql_text, rows)
            return
        with conn.cursor() as cur:
            cur.executemany(sql_text, rows)

    def alerts(self) -> pd.DataFrame:
        return pd.DataFrame(self._read(f"SELECT {', '.join(ALERT_COLUMNS)} FROM {ALERTS}"),
                            columns=list(ALERT_COLUMNS))

    def acknowledge(self, alert_id: str, who: str, when: _dt.datetime) -> None:
        with self.transaction() as conn:
            cur = conn.execute(f"UPDATE {ALERTS} SET state = 'acknowledged', acked_by = %s, "
                               "acked = %s WHERE alert_id = %s AND state IN ('firing', "
                               "'pending', 'inhibited')", (who, _t(when), alert_id))
            if cur.rowcount == 0:
                raise StoreError(translate("StoreError", "no open alert {aid}").format(
                    aid=alert_id), None)

    def add_silence(self, s: Silence) -> None:
        with self.transaction() as conn:
            conn.execute(f'INSERT INTO {SILENCES} ("start", "end", reason, device, grp, rule, '
                         "created_by) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                         (_t(s.start), _t(s.end), s.reason, s.device, s.group, s.rule,
                          s.created_by))

    def silences(self) -> list[Silence]:
        return [Silence(_dt.datetime.fromisoformat(a), _dt.datetime.fromisoformat(b), r,
                        d or "", g or "", u or "", c or "") for a, b, r, d, g, u, c in
                self._read(f'SELECT "start", "end", reason, device, grp, rule, created_by FROM '
                           f"{SILENCES} ORDER BY id")]

    def alert_counts(self, now: _dt.datetime | None = None) -> dict[str, int]:
        """``{firing, acknowledged, resolved, silenced}``; a silenced firing alert counts
        as silenced (the same rule as the GeoPackage store)."""
        when = _t(now or _dt.datetime.now())
        out = dict.fromkeys(("firing", "acknowledged", "resolved", "silenced"), 0)
        silenced = (f'EXISTS (SELECT 1 FROM {SILENCES} s WHERE s."start" <= %(now)s AND '
                    '%(now)s < s."end" AND coalesce(s.device, \'\') IN (\'\', a.device) AND '
                    "coalesce(s.grp, '') IN ('', a.grp) AND coalesce(s.rule, '') IN ('', a.rule, "
                    "a.kind))")
        rows = self._read(f"SELECT CASE WHEN a.state = 'firing' AND {silenced} THEN 'silenced' "
                          f"ELSE a.state END AS st, count(*) FROM {ALERTS} a GROUP BY st",
                          {"now": when})
        for state, n in rows:
            if state in out:
                out[state] = int(n)
        return out
