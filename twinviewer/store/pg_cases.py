"""Cases in a PostGIS twin, with the roles enforced by the server.

Built only on the public side of :class:`~twinviewer.store.postgis.PostGISStore`
(``connect``, ``roles``).  :func:`install` (an admin, once per twin) creates:

- ``twinviewer_cases`` and the append-only ``twinviewer_case_events`` (triggers
  refuse UPDATE and DELETE);
- ``twinviewer_case_transitions``: the transition table of
  :mod:`twinviewer.core.cases` (from, to, role);
- three group roles next to the twin's viewer role: ``…case_operator``,
  ``…case_unit`` and ``…case_checker``.

The viewer role may only SELECT.  A BEFORE INSERT trigger checks every transition
against the current state (a stale one is refused) and against the transition table
with ``pg_has_role(current_user, …)``: only a member of the checker role may close
a case, and ``who`` is always ``current_user``, never what the client claims.
"""

from __future__ import annotations

from collections.abc import Iterable

from twinviewer.core.cases import ADMIN, CASE_COLUMNS, EVENT_COLUMNS, TRANSITIONS, CaseEvent
from twinviewer.i18n import translate
from twinviewer.store.base import StoreError
from twinviewer.store.postgis import PostGISStore

CASES = "twinviewer_cases"
EVENTS = "twinviewer_case_events"
RULES = "twinviewer_case_transitions"
CASE_ROLES = ("operator", "unit", "checker")


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
            conn.execute(f"DELETE FROM {RULES}")
            with conn.cursor() as cur:
                cur.executemany(f"INSERT INTO {RULES} VALUES (%s, %s, %s)", rows)
            for name in names.values():
                if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s",
                                    (name,)).fetchone():
                    conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(name)))
                conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(roles["viewer"]),
                                                              sql.Identifier(name)))
            for table in (CASES, EVENTS, RULES):
                conn.execute(sql.SQL("GRANT SELECT ON {} TO {}").format(
                    sql.Identifier(table), sql.Identifier(roles["viewer"])))
            for name in names.values():
                conn.execute(sql.SQL("GRANT INSERT ON {} TO {}").format(
                    sql.Identifier(EVENTS), sql.Identifier(name)))
                conn.execute(sql.SQL("GRANT USAGE ON SEQUENCE {} TO {}").format(
                    sql.Identifier(f"{EVENTS}_id_seq"), sql.Identifier(name)))
            conn.execute(sql.SQL("GRANT INSERT, UPDATE (unit, person) ON {} TO {}").format(
                sql.Identifier(CASES), sql.Identifier(names["operator"])))
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
                      USING ERRCODE = 'insufficient_privilege';
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
                      NEW.from_state, NEW.to_state USING ERRCODE = 'insufficient_privilege';
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


class PgCaseWriter:
    """Writes cases and events as the connected login; the server decides what passes."""

    def __init__(self, store: PostGISStore) -> None:
        self.store = store

    def _run(self, sql_text: str, rows: Iterable[tuple]) -> None:
        import psycopg

        conn = self.store.connect()
        try:
            with conn.transaction(), conn.cursor() as cur:
                cur.executemany(sql_text, list(rows))
        except psycopg.errors.InsufficientPrivilege as exc:
            raise StoreError(translate("StoreError", "the server refused: {detail}").format(
                detail=" ".join(str(exc).split("\n")[0].split())), None) from None
        except psycopg.Error as exc:
            raise StoreError(" ".join(str(exc).split("\n")[0].split()), None) from None
        finally:
            conn.close()

    def add_case(self, case, ref: str | None = None) -> None:
        cols = (*CASE_COLUMNS, "ref")
        self._run(f"INSERT INTO {CASES} ({', '.join(cols)}) VALUES "
                  f"({', '.join(['%s'] * len(cols))}) ON CONFLICT DO NOTHING",
                  [(*[getattr(case, k) for k in CASE_COLUMNS], ref)])

    def append_event(self, event: CaseEvent) -> None:
        self._run(f"INSERT INTO {EVENTS} ({', '.join(EVENT_COLUMNS)}) VALUES "
                  f"({', '.join(['%s'] * len(EVENT_COLUMNS))})", [event.row_values()])

    def events(self) -> list[tuple]:
        conn = self.store.connect()
        try:
            return conn.execute(f"SELECT case_id, who, role, from_state, to_state FROM {EVENTS} "
                                "ORDER BY id").fetchall()
        finally:
            conn.close()
