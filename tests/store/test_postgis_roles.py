"""Roles the database enforces: viewer, editor, sensitive fields, append-only log."""

from __future__ import annotations

import psycopg
import pytest

from tests.store.pg_fixtures import *  # noqa: F403 (fixtures: pg_cluster, pg_db, twin)
from twinviewer.core.edits import CommandStack, SetValues
from twinviewer.store import StoreError
from twinviewer.store.postgis import PostGISStore

SENSITIVE = ("姓名", "身份证号", "电话")


def as_user(url: str, user: str) -> str:
    return url.replace("postgres@", f"{user}@", 1)


@pytest.fixture
def people(twin, pg_cluster):
    """Logins with passwords (in the session's pgpass file) for each role."""
    admin = PostGISStore(twin)
    logins = {"vic": ("viewer", None, False), "eve": ("editor", ["hazards"], False),
              "sam": ("editor", ["residents"], True), "ada": ("admin", None, True)}
    with open(pg_cluster.passfile, "a") as fh:
        for login, (role, layers, sensitive) in logins.items():
            admin.grant(login, role, layers=layers, password=f"pw-{login}", sensitive=sensitive)
            fh.write(f"127.0.0.1:{pg_cluster.port}:*:{login}:pw-{login}\n")
    return {login: as_user(twin, login) for login in logins}


def test_viewer_reads_but_never_writes_or_sees_sensitive(people):
    with psycopg.connect(people["vic"]) as conn:
        assert conn.execute("SELECT count(*) FROM residents").fetchone()[0] == 308
        for col in SENSITIVE:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(f'SELECT "{col}" FROM residents')
            conn.rollback()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT * FROM residents")
        conn.rollback()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE hazards SET \"状态\" = 'x'")
        conn.rollback()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("INSERT INTO twinviewer_edit_log (\"user\", layer) VALUES ('v', 'x')")
        conn.rollback()


def test_viewer_app_loads_what_it_may_see_and_says_why(people):
    store = PostGISStore(people["vic"])
    layer = store.read_layer("residents")
    assert len(layer) == 308
    assert not set(SENSITIVE) & set(layer.table.df.columns)
    assert set(layer.hidden_fields) == set(SENSITIVE)
    assert all("sensitive" in why for why in layer.hidden_fields.values())
    assert any("身份证号" in w and "hidden" in w for w in layer.warnings)
    full = PostGISStore(people["ada"]).read_layer("residents")
    assert set(SENSITIVE) <= set(full.table.df.columns) and not full.hidden_fields
    assert full.sensitive == frozenset(SENSITIVE)
    stack = CommandStack()
    stack.push(SetValues(layer, [0], "类别", "x"))
    with pytest.raises(StoreError, match="permission denied"):
        store.save(stack)
    assert not stack.is_clean


def test_editor_edits_assigned_layers_only_and_log_is_append_only(people):
    store = PostGISStore(people["eve"], user="eve")
    layer = store.read_layer("hazards")
    stack = CommandStack()
    stack.push(SetValues(layer, [0], "状态", "已整改"))
    store.save(stack)
    roads = store.read_layer("roads")
    stack.push(SetValues(roads, [0], "名称", "x"))
    with pytest.raises(StoreError, match="permission denied"):
        store.save(stack)
    with psycopg.connect(people["eve"]) as conn:
        for stmt in ("UPDATE twinviewer_edit_log SET new = 'forged'",
                     "DELETE FROM twinviewer_edit_log", "TRUNCATE twinviewer_edit_log",
                     "UPDATE roads SET \"名称\" = 'x'", "DELETE FROM roads",
                     "INSERT INTO twinviewer_edit_log (\"user\", layer, db_user) VALUES "
                     "('eve', 'hazards', 'someone_else')"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(stmt)
            conn.rollback()
    # not even the owner rewrites the log: a trigger refuses it
    with psycopg.connect(people["eve"].replace("eve@", "postgres@")) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
            conn.execute("DELETE FROM twinviewer_edit_log")
        conn.rollback()
    [entry] = PostGISStore(people["ada"]).log(layer="hazards")
    assert (entry.user, entry.new) == ("eve", "已整改")


def test_sensitive_log_rows_hidden_from_viewers(people):
    sam = PostGISStore(people["sam"], user="sam")
    layer = sam.read_layer("residents")
    stack = CommandStack()
    stack.push(SetValues(layer, [0], "电话", "13800000000"))
    stack.push(SetValues(layer, [0], "类别", "独居老人"))
    sam.save(stack)
    assert {e.field for e in sam.log(layer="residents")} == {"电话", "类别"}
    assert {e.field for e in PostGISStore(people["vic"]).log(layer="residents")} == {"类别"}
    with psycopg.connect(people["vic"]) as conn:
        rows = conn.execute("SELECT new FROM twinviewer_edit_log").fetchall()
    assert ("13800000000",) not in rows


def test_password_only_from_libpq_sources(people, pg_cluster, monkeypatch, tmp_path):
    empty = tmp_path / "pgpass"
    empty.write_text("")
    empty.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(empty))
    with pytest.raises(StoreError, match="password"):
        PostGISStore(people["vic"]).tables()
    monkeypatch.setenv("PGPASSWORD", "pw-vic")
    assert "residents" in PostGISStore(people["vic"]).tables()
    monkeypatch.delenv("PGPASSWORD")
    store = PostGISStore(people["vic"], password="pw-vic")  # asked in a dialog: memory only
    assert "residents" in store.tables() and "pw-vic" not in repr(store) + store.url
