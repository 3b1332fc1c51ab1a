"""The listener against a real mosquitto: 1,000 devices x 20 messages with duplicates and
malformed ones mixed in, two listeners at once, bad input, a broker restart."""

from __future__ import annotations

import datetime as dt
import json
import queue
import random
import time

import paho.mqtt.client as mqtt
import pytest

from tests.live.conftest import Mosquitto
from twinviewer.core.alerts import Device
from twinviewer.live.client import MqttListener
from twinviewer.live.service import LiveService
from twinviewer.store.cases import CaseStore

KINDS = ["烟感", "门磁", "水表", "人体红外", "燃气", "水浸"]


def devices(n):
    return [Device(f"D{i:04d}", KINDS[i % len(KINDS)], group=f"{i // 20}号楼") for i in range(n)]


_PUBLISHERS: list = []


@pytest.fixture(autouse=True)
def stop_publishers():
    """Each test's publishers are stopped after it: their network threads would live on."""
    yield
    while _PUBLISHERS:
        c = _PUBLISHERS.pop()
        c.disconnect()
        c.loop_stop()


def publisher(url_port):
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"pub-{random.random()}")
    c.max_inflight_messages_set(1000)
    c.connect("127.0.0.1", url_port)
    c.loop_start()
    _PUBLISHERS.append(c)
    return c


def publish_all(client, messages):
    infos = [client.publish(t, p, qos=1) for t, p in messages]
    for info in infos:
        info.wait_for_publish(30)
    assert all(i.is_published() for i in infos)


def reading(seq, *, alarm=False, value=0.0, ts=None):
    return json.dumps({"ts": ts or dt.datetime.now().isoformat(timespec="seconds"),
                       "seq": seq, "type": "t", "value": value, "alarm": alarm}).encode()


def run_until(services, listeners, done, timeout=90):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        for s, lst in zip(services, listeners, strict=True):
            s.drain(lst.inbox)
        if done():
            return True
        time.sleep(0.05)
    return False


def test_thousand_devices_every_valid_event_once(mosquitto, tmp_path):
    rng = random.Random(7)
    devs = devices(1000)
    store = CaseStore(tmp_path / "s.gpkg")
    service = LiveService(store, devs)
    listener = MqttListener(mosquitto.url, client_id="listener-a")
    assert listener.start(10)
    messages, valid, bad = [], set(), 0
    for d in devs:
        for seq in range(1, 21):
            alarm = d.kind == "烟感" and seq == 10
            payload = reading(seq, alarm=alarm, value=1.0 if alarm else 0.0)
            messages.append((f"twin/{d.device_id}/event", payload))
            valid.add((d.device_id, seq))
            if rng.random() < 0.05:  # a re-delivered duplicate
                messages.append((f"twin/{d.device_id}/event", payload))
            if rng.random() < 0.03:  # malformed: each kind of bad input
                messages.append(rng.choice([
                    (f"twin/{d.device_id}/event", b"{not json"),
                    (f"twin/{d.device_id}/event", json.dumps({"ts": "x", "seq": "1"}).encode()),
                    ("twin/NOPE/event", reading(seq)),
                    (f"twin/{d.device_id}/event", b"{" + b" " * 10_000 + b"}"),
                    (f"twin/{d.device_id}/event", reading(seq + 1000, ts="2099-01-01T00:00:00")),
                ]))
                bad += 1
    pub = publisher(mosquitto.port)
    publish_all(pub, messages)
    assert run_until([service], [listener],
                     lambda: service.counts["received"] >= len(messages)), service.report()
    listener.stop()
    pub.loop_stop()
    rep = service.report()
    got = store.readings()
    assert len(got) == len(valid) == 20_000
    assert set(zip(got.device, got.seq, strict=True)) == valid
    assert rep["received"] == len(messages)
    assert sum(rep["rejected"].values()) == bad
    assert rep["duplicates"] == len(messages) - len(valid) - bad
    smoke = [d for d in devs if d.kind == "烟感"]
    alerts = store.alerts()
    fired = alerts[alerts.rule == "alarm:烟感"]
    assert len(fired) == len(smoke) and set(fired.state) == {"resolved"}
    cases, _ = store.frames()
    assert len(cases) == len(smoke)  # smoke is life-safety: one case each, opened by itself


def test_two_listeners_never_double_record(mosquitto, tmp_path):
    devs = devices(50)
    store = CaseStore(tmp_path / "s.gpkg")
    services = [LiveService(store, devs), LiveService(store, devs)]
    listeners = [MqttListener(mosquitto.url, client_id=f"l{i}") for i in range(2)]
    assert all(lst.start(10) for lst in listeners)
    msgs = [(f"twin/{d.device_id}/event", reading(s, alarm=d.kind == "燃气" and s == 3,
                                                   value=1.0))
            for d in devs for s in range(1, 11)]
    pub = publisher(mosquitto.port)
    publish_all(pub, msgs)
    assert run_until(services, listeners,
                     lambda: all(s.counts["received"] >= len(msgs) for s in services))
    for lst in listeners:
        lst.stop()
    assert len(store.readings()) == len(msgs)
    assert sum(s.counts["recorded"] for s in services) == len(msgs)
    gas = [d for d in devs if d.kind == "燃气"]
    cases, events = store.frames()
    assert len(cases) == len(gas) and len(events) == 2 * len(gas)  # 上报 + 立案, once each
    assert len(store.alerts()) == len(gas)


def test_bad_input_never_loses_the_next_message(mosquitto, tmp_path):
    store = CaseStore(tmp_path / "s.gpkg")
    service = LiveService(store, devices(3))
    listener = MqttListener(mosquitto.url)
    assert listener.start(10)
    pub = publisher(mosquitto.port)
    bad = [b"\xff\xfe", b"[]", json.dumps({"ts": "2026-01-01T00:00:00", "seq": True,
                                           "type": "t", "value": 1, "alarm": False}).encode(),
           json.dumps({"ts": "2026-01-01T00:00:00", "seq": 1, "type": "t", "value": "hot",
                       "alarm": False}).encode(),
           reading(5, ts="2099-01-01T00:00:00"), b"x" * 100_000]
    msgs = []
    for i, b in enumerate(bad):
        msgs += [("twin/D0000/event", b), ("twin/D0000/event", reading(i + 1))]
    msgs += [("twin/D0001/status", b"maybe"), ("twin/D0001/status", b"offline"),
             ("elsewhere/x", b"1")]
    publish_all(pub, msgs)
    assert run_until([service], [listener],
                     lambda: service.counts["received"] >= len(msgs) - 1)
    listener.stop()
    rep = service.report()
    assert sorted(store.readings().seq) == list(range(1, len(bad) + 1))
    assert rep["rejected"] == {"not_json": 1, "bad_field": 3, "future": 1, "too_large": 1,
                               "bad_status": 1}
    assert rep["status"] == 1


def test_broker_restart_reconnects_and_reports_what_was_missed(tmp_path):
    broker = Mosquitto(tmp_path).start()
    try:
        store = CaseStore(tmp_path / "s.gpkg")
        service = LiveService(store, devices(2))
        listener = MqttListener(broker.url)
        assert listener.start(10)
        pub = publisher(broker.port)
        publish_all(pub, [("twin/D0000/event", reading(s)) for s in range(1, 6)])
        assert run_until([service], [listener], lambda: service.counts["recorded"] == 5)
        pub.loop_stop()
        broker.stop()  # the broker dies; seq 6-9 are lost at the device
        time.sleep(1.0)
        assert not listener.connected.is_set()
        broker.start()
        assert listener.connected.wait(20), "listener did not reconnect"
        pub = publisher(broker.port)
        publish_all(pub, [("twin/D0000/event", reading(s)) for s in range(10, 13)])
        assert run_until([service], [listener], lambda: service.counts["recorded"] == 8)
        assert service.report()["missed"] == 4
        assert listener.state.drops >= 1 and listener.state.connects >= 2
        listener.stop()
        pub.loop_stop()
    finally:
        broker.stop()


@pytest.mark.parametrize("url", ["mqtt://u:secret@h:1883", "http://h", "mqtt://"])
def test_broker_urls_without_secrets(url):
    from twinviewer.live.client import BrokerError, parse_broker
    with pytest.raises(BrokerError):
        parse_broker(url)


def test_queue_is_the_only_thing_the_network_thread_touches():
    q = queue.Queue()
    lst = MqttListener("mqtt://127.0.0.1:1", inbox=q)

    class Msg:
        topic, payload = "twin/a/event", b"{}"
    lst._on_message(None, None, Msg())
    assert q.get_nowait()[:2] == ("twin/a/event", b"{}")
