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


# -- the same scenarios as on a GeoPackage (tests/store/test_case_store.py), on the twin --


@pytest.fixture
def store(twin):
    """The twin's case store as its admin (the tables are installed on first use)."""
    return PgCaseStore(twin)


def test_pg_calendar_limits_and_readings_round_trip(store, twin):
    import datetime as dt

    from twinviewer.core.calendar import WorkingCalendar
    from twinviewer.core.cases import TimeLimit

    cal = WorkingCalendar(weekdays=(0, 1, 2, 3, 4, 5), start="08:30", end="17:30",
                          holidays=[dt.date(2026, 10, 1)], workdays=[dt.date(2026, 10, 11)])
    store.save_calendar(cal)
    back = PgCaseStore(twin).calendar()
    assert back.days() == cal.days() and (back.start, back.end) == ("08:30", "17:30")
    assert tuple(back.weekdays) == (0, 1, 2, 3, 4, 5)
    store.set_limits([TimeLimit("a", 2, "工作日"), TimeLimit("b", 3, "自然日")])
    store.set_limits([TimeLimit("a", 5, "工作时")])
    assert [(t.subcategory, t.amount, t.unit) for t in store.limits()] == [
        ("a", 5.0, "工作时"), ("b", 3.0, "自然日")]
    store.set_limits([TimeLimit("c", 1, "工作日")], replace=True)
    assert [t.subcategory for t in store.limits()] == ["c"]
    assert store.record_readings([("S1", 1, "t", "烟感", 0.5, True)] * 2) == [True, False]
    with psycopg.connect(twin) as conn:  # what the server holds, read without twinviewer
        assert conn.execute("SELECT 日期, 类型 FROM twinviewer_calendar ORDER BY 日期"
                            ).fetchall() == [("2026-10-01", "休息"), ("2026-10-11", "上班")]
        with pytest.raises(psycopg.Error, match="append-only"):
            conn.execute("DELETE FROM twinviewer_device_events")
    assert store.readings().seq.tolist() == [1]


def test_pg_viewer_and_unit_may_not_edit_the_calendar(crew):
    from twinviewer.core.calendar import WorkingCalendar

    crew["cai"].save_calendar(WorkingCalendar(start="08:00"))  # a checker may
    for login in ("vic", "uma"):
        with pytest.raises(StoreError, match=f"permission denied: {login} holds no case role"):
            crew[login].save_calendar(WorkingCalendar(start="10:00"))
    assert crew["vic"].calendar().start == "08:00"
