"""Alert rules with an injected clock: dedup, pending, grouping, flapping, absence, inhibition,
silences, acknowledgement and escalation."""

import datetime as dt

from twinviewer.core.alerts import AlertEngine, Device, Reading, Rules, Silence
from twinviewer.core.cases import Clock

T0 = dt.datetime(2026, 3, 2, 8, 0)


def engine(devices=None, **rules):
    devices = devices or [Device("S1", "烟感", group="1号楼"), Device("S2", "烟感", group="1号楼"),
                          Device("D1", "门磁", group="2号楼"), Device("W1", "水表", group="2号楼"),
                          Device("P1", "人体红外", group="2号楼"),
                          Device("G1", "网关", group="2号楼"),
                          Device("D2", "门磁", group="2号楼", gateway="G1")]
    clock = Clock(T0)
    return AlertEngine(devices, Rules(**rules), clock), clock


def r(dev, seq, alarm=True, value=1.0):
    return Reading(dev, "2026-03-02T08:00:00", seq, "x", value, alarm)


def test_repeated_seq_is_ignored_and_smoke_fires_at_once_as_life_safety():
    e, _ = engine()
    out = e.ingest(r("S1", 1))
    assert [a.state for a in out.changed] == ["firing"] and out.open_cases
    assert out.notifications[0].target == "社区干部"
    again = e.ingest(r("S1", 1))
    assert again.duplicate and not again.changed and not again.notifications
    e.ingest(r("S1", 2))  # same device + rule: folds into the same alert
    assert len(e.alerts) == 1 and next(iter(e.alerts.values())).events == 2
    e.ingest(r("S1", 3, alarm=False, value=0.0))
    assert e.counts() == {"firing": 0, "acknowledged": 0, "resolved": 1, "silenced": 0}


def test_one_building_one_notification_then_escalation_until_acknowledged():
    e, clock = engine()
    n1 = e.ingest(r("S1", 1)).notifications
    n2 = e.ingest(r("S2", 1)).notifications
    assert len(n1) == 1 and n2 == []  # grouped by building
    assert list(e.groups().values())[0] == [a for a in e.alerts]
    clock.advance(minutes=5)
    esc = e.tick().notifications
    assert sorted(n.target for n in esc) == ["备岗人员", "备岗人员"]
    first = next(iter(e.alerts))
    e.acknowledge(first, "王干部")
    clock.advance(minutes=10)
    esc = e.tick().notifications
    assert [(n.alert_ids[0], n.target) for n in esc] == [(list(e.alerts)[1], "街道办")]
    assert e.counts()["acknowledged"] == 1 and e.counts()["firing"] == 1
    assert e.tick().notifications == []  # each level once


def test_pending_period_and_an_alarm_that_clears_while_pending():
    e, clock = engine()
    out = e.ingest(r("D1", 1))
    assert [a.state for a in out.changed] == ["pending"] and not out.notifications
    clock.advance(seconds=30)
    assert e.tick().notifications == []
    e.ingest(r("D1", 2, alarm=False, value=0))
    clock.advance(seconds=60)
    assert e.tick().notifications == []
    assert e.counts() == {"firing": 0, "acknowledged": 0, "resolved": 0, "silenced": 0}
    e.ingest(r("D1", 3))
    clock.advance(seconds=61)
    assert [n.rule for n in e.tick().notifications] == ["alarm:门磁"]


def test_door_sensor_flaps():
    e, clock = engine()
    fired = 0
    for seq in range(1, 13):
        e.ingest(r("D1", seq, alarm=seq % 2 == 1))
        clock.advance(seconds=70)  # just over the pending period: each open fires
        fired += len(e.tick().notifications)
    flapping = [a for a in e.alerts.values() if a.flapping]
    assert flapping and fired < 6


def test_absence_rules_fire_after_their_period_and_clear_with_activity():
    e, clock = engine()
    clock.advance(hours=11)
    e.ingest(r("P1", 1, alarm=False, value=1))  # presence seen
    clock.advance(hours=1, seconds=1)
    out = e.tick()
    assert [a.rule for a in out.changed] == ["absence:水表"] and not out.open_cases
    clock.advance(hours=23)
    out = e.tick()
    assert [a.rule for a in out.open_cases] == ["absence:人体红外"]  # long inactivity
    e.ingest(r("P1", 2, alarm=False, value=1))
    states = {a.rule: a.state for a in e.alerts.values()}
    assert states == {"absence:水表": "firing", "absence:人体红外": "resolved"}


def test_gateway_offline_inhibits_its_devices_offline_alerts():
    e, clock = engine()
    e.status("G1", False)
    e.status("D2", False)
    clock.advance(minutes=6)
    notes = e.tick().notifications
    assert [n.alert_ids[0].split("|")[0] for n in notes] == ["G1"]
    d2 = [a for a in e.alerts.values() if a.device == "D2"][0]
    assert d2.state == "inhibited"
    out = e.status("G1", True)  # gateway back, D2 still offline: now it fires
    assert d2.state == "firing" and [n.alert_ids[0] for n in out.notifications] == [d2.alert_id]


def test_silence_holds_notifications_within_its_window():
    e, clock = engine()
    e.silence(Silence(T0, T0 + dt.timedelta(hours=1), "消防演练", group="1号楼"))
    out = e.ingest(r("S1", 1))
    assert out.notifications == [] and e.counts()["silenced"] == 1
    clock.advance(minutes=30)
    assert e.tick().notifications == []  # no escalation while silenced
    clock.advance(minutes=31)
    assert e.counts()["firing"] == 1
    assert [n.reason for n in e.tick().notifications] == ["escalated"]
