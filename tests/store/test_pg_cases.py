"""Cases in PostGIS: the server enforces the roles (viewer reads, only a checker closes),
append-only events and stale transitions."""

from __future__ import annotations

import psycopg
import pytest

from tests.store.pg_fixtures import *  # noqa: F403 (fixtures: pg_cluster, pg_db, twin, case_crew)
from twinviewer.core.cases import Case, CaseEvent
from twinviewer.store import StoreError
from twinviewer.store.pg_cases import EVENTS, PgCaseStore
from twinviewer.store.postgis import PostGISStore


@pytest.fixture
def crew(case_crew):
    return {k: PgCaseStore(PostGISStore(url)) for k, url in case_crew.items()}


def ev(cid, src, dst, role, who="someone else"):
    return CaseEvent(cid, "2026-03-02T09:00:00", who, role, src, dst)


def test_the_server_enforces_who_may_move_and_close(crew, twin):
    olga, uma, cai, vic = crew["olga"], crew["uma"], crew["cai"], crew["vic"]
    olga.add_case(Case("C1", "市容环境", "占道经营", created="2026-03-02T09:00:00"))
    olga.append_event(ev("C1", "", "上报", "operator"))
    olga.append_event(ev("C1", "上报", "立案", "operator"))
    with pytest.raises(StoreError, match="permission denied: vic holds no case role"):
        vic.append_event(ev("C1", "立案", "派遣", "operator"))  # a viewer cannot transition
    with pytest.raises(StoreError, match="permission denied: uma does not hold the case role operator"):
        uma.append_event(ev("C1", "立案", "派遣", "operator"))  # claiming a role one lacks
    olga.append_event(ev("C1", "立案", "派遣", "operator"))
    uma.append_event(ev("C1", "派遣", "处置", "unit"))
    uma.append_event(ev("C1", "处置", "反馈", "unit"))
    with pytest.raises(StoreError, match="the role operator may not move a case from 反馈 to 核查"):
        olga.append_event(ev("C1", "反馈", "核查", "operator"))
    cai.append_event(ev("C1", "反馈", "核查", "checker"))
    with pytest.raises(StoreError, match="uma does not hold the case role checker"):
        uma.append_event(ev("C1", "核查", "结案", "checker"))
    with pytest.raises(StoreError, match="^permission denied: only a checker may close a case$"):
        uma.append_event(ev("C1", "核查", "结案", "unit"))  # only a checker closes
    with pytest.raises(StoreError, match="moved by someone else"):
        cai.append_event(ev("C1", "反馈", "核查", "checker"))  # stale
    cai.append_event(ev("C1", "核查", "结案", "checker"))
    rows = vic.events()
    assert [r[4] for r in rows] == ["上报", "立案", "派遣", "处置", "反馈", "核查", "结案"]
    assert {r[1] for r in rows} == {"olga", "uma", "cai"}  # who is the login, not the claim
    with psycopg.connect(twin) as conn:  # even the owner cannot rewrite history
        with pytest.raises(psycopg.Error, match="append-only"):
            conn.execute(f"UPDATE {EVENTS} SET note = 'x'")
        conn.rollback()
        with pytest.raises(psycopg.Error, match="append-only"):
            conn.execute(f"DELETE FROM {EVENTS}")
