"""Case and alert tables in a GeoPackage: append-only events, stale transitions, unique
device events, time limits and the calendar, read back through GDAL."""

import datetime as dt
import shutil
import sqlite3

import pyogrio
import pytest

from twinviewer.core.alerts import Alert, Silence
from twinviewer.core.calendar import WorkingCalendar
from twinviewer.core.cases import Case, CaseError, Clock, TimeLimit
from twinviewer.store import StoreError
from twinviewer.store.cases import EVENTS, CaseStore


@pytest.fixture
def store(tmp_path):
    path = tmp_path / "district.gpkg"
    shutil.copy("scenes/demo/district.gpkg", path)
    with sqlite3.connect(path) as conn:  # the layers without the demo's own cases
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                    "AND name LIKE 'twinviewer%'").fetchall():
            conn.execute(f'DROP TABLE "{name}"')
        conn.execute("DELETE FROM gpkg_contents WHERE table_name LIKE 'twinviewer%'")
    return CaseStore(path)


def test_cases_round_trip_and_events_are_append_only(store):
    store.set_limits([TimeLimit("占道经营", 4, "工作时", "现场清理")])
    clock = Clock(dt.datetime(2026, 3, 2, 9))
    book = store.book(clock)
    c = book.file(Case("", "市容环境", "占道经营", layer="建筑", oid=3), who="巡查员")
    book.transition(c.case_id, "立案", who="a", role="operator")
    book.transition(c.case_id, "派遣", who="a", role="operator")
    again = store.book(clock)
    assert again.state(c.case_id) == "派遣"
    assert again.derived().loc[c.case_id].deadline.hour == 13
    conn = sqlite3.connect(store.path)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute(f"UPDATE {EVENTS} SET note = 'x'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute(f"DELETE FROM {EVENTS}")
    conn.close()
    # GDAL sees the tables as attribute tables of the same GeoPackage, layers intact
    names = [n for n, _ in pyogrio.list_layers(store.path)]
    assert "twinviewer_cases" in names and "buildings" in names
    df = pyogrio.read_dataframe(store.path, layer="twinviewer_case_events")
    assert list(df.to_state) == ["上报", "立案", "派遣"]


def test_a_stale_transition_is_refused_by_the_store(store):
    clock = Clock(dt.datetime(2026, 3, 2, 9))
    a, b = store.book(clock), None
    c = a.file(Case("", "市容环境", "占道经营"), who="x")
    b = store.book(clock)  # a second operator reads the case in 上报
    a.transition(c.case_id, "立案", who="x", role="operator")
    with pytest.raises(StoreError, match="moved by someone else"):
        b.transition(c.case_id, "注销", who="y", role="operator", note="重复")
    assert store.book(clock).state(c.case_id) == "立案"
    assert b.state(c.case_id) == "上报"  # nothing changed in memory either
    with pytest.raises(CaseError):
        store.book(clock).transition(c.case_id, "结案", who="y", role="checker")


def test_device_events_once_per_device_and_seq(store):
    rows = [("S1", 1, "2026-03-02T09:00:00", "烟感", 0.1, False),
            ("S1", 2, "2026-03-02T09:00:01", "烟感", 0.9, True)]
    assert store.record_readings(rows) == [True, True]
    assert store.record_readings(rows[1:] + [("S2", 1, "t", "烟感", None, False)]) == [
        False, True]
    assert store.seen() == {"S1": {1, 2}, "S2": {1}}


def test_alerts_counts_with_a_silence(store):
    now = dt.datetime(2026, 3, 2, 9)
    store.save_alerts([Alert("S1|alarm:烟感|s1", "S1", "alarm:烟感", "烟感", "1号楼",
                             state="firing", started=now, fired=now),
                       Alert("S2|alarm:烟感|s1", "S2", "alarm:烟感", "烟感", "2号楼",
                             state="firing", started=now, fired=now)])
    assert store.alert_counts(now)["firing"] == 2
    store.add_silence(Silence(now, now + dt.timedelta(hours=1), "演练", group="1号楼"))
    assert store.alert_counts(now) == {"firing": 1, "acknowledged": 0, "resolved": 0,
                                       "silenced": 1}
    store.acknowledge("S2|alarm:烟感|s1", "王", now)
    assert store.alert_counts(now + dt.timedelta(hours=2))["acknowledged"] == 1
    with pytest.raises(StoreError, match="no open alert"):
        store.acknowledge("S2|alarm:烟感|s1", "王", now)


def test_calendar_and_limits_are_kept(store, tmp_path):
    cal = WorkingCalendar(start="08:30", end="17:30", holidays=[dt.date(2026, 10, 1)],
                          workdays=[dt.date(2026, 10, 10)])
    store.save_calendar(cal)
    back = store.calendar()
    assert back.days() == cal.days() and (back.start, back.end) == ("08:30", "17:30")
    store.set_limits([TimeLimit("a", 2, "工作日"), TimeLimit("b", 3, "自然日")])
    store.set_limits([TimeLimit("a", 5, "工作时")])
    assert [(t.subcategory, t.amount, t.unit) for t in store.limits()] == [
        ("a", 5.0, "工作时"), ("b", 3.0, "自然日")]
    fresh = CaseStore(tmp_path / "new.gpkg")  # a new file becomes a GeoPackage GDAL opens
    fresh.set_limits([TimeLimit("a", 1, "工作日")])
    assert "twinviewer_time_limits" in [n for n, _ in pyogrio.list_layers(fresh.path)]
