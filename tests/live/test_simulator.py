"""The demo simulator's traffic, heard by the listener on the demo scene's IoT estate."""

from __future__ import annotations

import threading

from tests.conftest import DEMO_SCENE
from tests.live.test_listen import run_until
from twinviewer.demo.sensors import devices, simulate
from twinviewer.live.client import MqttListener
from twinviewer.live.service import LiveService, devices_from_scene
from twinviewer.store.cases import CaseStore


def test_simulated_traffic_is_recorded_with_alarms(mosquitto, tmp_path):
    devs = devices(DEMO_SCENE)
    assert len(devs) > 900 and len({k for _, k in devs}) == 19
    service = LiveService(CaseStore(tmp_path / "s.gpkg"),
                          devices_from_scene(DEMO_SCENE, sensors="物联设备"),
                          sensors_layer="物联设备")
    listener = MqttListener(mosquitto.url)
    assert listener.start(10)
    sent = {}
    t = threading.Thread(target=lambda: sent.update(simulate(
        mosquitto.url, devs, rate=200, seconds=2.0, alarm_rate=0.05, start_seq=0)))
    t.start()
    t.join(60)
    assert run_until([service], [listener], lambda: service.counts["received"] >= (
        sent["readings"] + sent["status"]))
    listener.stop()
    rep = service.report()
    assert rep["recorded"] == sent["readings"] and rep["rejected"] == {}
    assert sent["alarms"] > 0 and service.engine.alerts
