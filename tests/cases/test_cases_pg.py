"""``twinviewer cases`` on a team scene (layers in PostGIS): cases filed and moved go to the
twin's case tables, each login acts with the roles the server gave it, and a refusal is one
line (translated), never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import psycopg
import pytest

from tests.cases.test_cases_cli import HEADER, sheet_rows
from tests.store.pg_fixtures import *  # noqa: F403 (fixtures: pg_cluster, pg_db, twin, case_crew)
from tests.store.pg_fixtures import DEMO_SCENE
from twinviewer.core.cases import TimeLimit
from twinviewer.store.pg_cases import PgCaseStore
from twinviewer.store.pg_publish import write_scene
from twinviewer.store.scene_cases import case_store_for


def run(*args, lang="en", timeout=120):
    return subprocess.run([sys.executable, "-m", "twinviewer", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "TWINVIEWER_LANG": lang})


@pytest.fixture
def scenes(case_crew, twin, tmp_path):
    """One team scene per login (each person's scene file names their login)."""
    out = {"postgres": write_scene(DEMO_SCENE, twin, tmp_path / "team.toml")}
    for login, url in case_crew.items():
        out[login] = write_scene(DEMO_SCENE, url, tmp_path / f"team_{login}.toml")
    return out


def refused(r) -> str:
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    return lines[0]


def test_cases_on_a_team_scene_live_in_the_twin_with_server_roles(scenes, twin, tmp_path):
    assert isinstance(case_store_for(scenes["olga"]), PgCaseStore)
    PgCaseStore(twin).set_limits([TimeLimit("消防通道堵塞", 2, "工作日")])
    rows, expected = sheet_rows()
    sheet = tmp_path / "排查.csv"
    sheet.write_bytes(("\n".join([HEADER, *rows]) + "\n").encode("gbk"))
    # the sweep is matched to the buildings read from PostGIS and filed by the operator
    r = run("cases", "import", scenes["olga"], sheet, "--partial", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["filed"] == 4
    with psycopg.connect(twin) as conn:  # the oracle: the twin's own tables
        filed = conn.execute("SELECT case_id, oid FROM twinviewer_cases WHERE ref LIKE "
                             "'sweep:排查.csv:%' ORDER BY oid").fetchall()
        who = {w for (w,) in conn.execute("SELECT who FROM twinviewer_case_events")}
    assert sorted(o for _, o in filed) == sorted(int(o) for o in expected)
    assert who == {"olga"}
    assert not list(tmp_path.glob("*.gpkg"))  # nothing went to a GeoPackage beside it
    out = json.loads(run("cases", scenes["vic"], "--json").stdout)  # a viewer reads them
    assert out["cases"] == 4 and out["by_state"] == {"上报": 4}
    # the life of one case, each step by the login holding the role
    cid = filed[0][0]
    for login, state, role in (("olga", "立案", "operator"), ("olga", "派遣", "operator"),
                               ("uma", "处置", "unit"), ("uma", "反馈", "unit"),
                               ("cai", "核查", "checker")):
        r = run("cases", scenes[login], "transition", cid, state, "--role", role)
        assert r.returncode == 0, r.stderr
    # claiming a role one lacks: refused by the server, one translated line
    line = refused(run("cases", scenes["uma"], "transition", cid, "结案", "--role", "checker"))
    assert line.endswith("permission denied: uma does not hold the case role checker"), line
    line = refused(run("cases", scenes["uma"], "transition", cid, "结案", "--role", "checker",
                       lang="zh_CN"))
    assert "权限不足" in line and "核查员" in line, line
    # a viewer may not move a case at all, whatever it claims
    line = refused(run("cases", scenes["vic"], "transition", filed[1][0], "立案"))
    assert "permission denied: vic holds no case role" in line, line
    line = refused(run("cases", scenes["vic"], "transition", filed[1][0], "立案", lang="zh_CN"))
    assert "权限不足" in line, line
    assert run("cases", scenes["cai"], "transition", cid, "结案", "--role",
               "checker").returncode == 0
    out = json.loads(run("cases", scenes["postgres"], "--json").stdout)
    assert out["by_state"] == {"上报": 3, "结案": 1} and out["open"] == 3
    with psycopg.connect(twin) as conn:
        steps = conn.execute("SELECT who, to_state FROM twinviewer_case_events WHERE case_id "
                             "= %s ORDER BY id", (cid,)).fetchall()
    assert steps == [("olga", "上报"), ("olga", "立案"), ("olga", "派遣"), ("uma", "处置"),
                     ("uma", "反馈"), ("cai", "核查"), ("cai", "结案")]


def test_the_server_refuses_a_close_the_client_did_not_check(scenes, twin):
    """Only a checker may close: said by the server, even to a client that skips the rules
    (an old version, a script), and shown as one line."""
    from twinviewer.core.cases import Case, CaseEvent
    from twinviewer.store import StoreError

    uma, olga = case_store_for(scenes["uma"]), case_store_for(scenes["olga"])
    olga.file_cases([(Case("C9", "市容环境", "占道经营", created="2026-03-02T09:00:00"),
                      [CaseEvent("C9", "2026-03-02T09:00:00", "x", "operator", "", "上报")],
                      None)])
    with pytest.raises(StoreError, match="^permission denied: only a checker may close a "
                                         "case$"):
        uma.append_event(CaseEvent("C9", "2026-03-02T09:00:00", "x", "unit", "上报", "结案"))
    assert [r[4] for r in uma.events()] == ["上报"]
