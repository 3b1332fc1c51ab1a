"""``twinviewer listen SCENE --broker URL --for S`` headless on the demo scene."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pyogrio

from tests.conftest import copy_demo
from tests.live.test_listen import publish_all, publisher, reading
from twinviewer.live.service import devices_from_scene


def test_listen_records_an_alarm_and_opens_a_case(mosquitto, tmp_path):
    scene = copy_demo(tmp_path)
    sensors = pyogrio.read_dataframe(tmp_path / "district.gpkg", layer="iot_sensors")
    devs = devices_from_scene(scene, sensors="物联设备")  # the scene's [live] sensors
    assert len(devs) == len(sensors) and sum(bool(d.group) for d in devs) > 0
    smoke = sensors[sensors["类型"] == "烟感"]["编号"].iloc[0]
    proc = subprocess.Popen([sys.executable, "-m", "twinviewer", "listen", str(scene),
                             "--broker", mosquitto.url, "--for", "6", "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    pub = publisher(mosquitto.port)
    alarm = reading(1, alarm=True, value=0.9)
    while proc.poll() is None:  # the same message again and again: recorded once
        publish_all(pub, [(f"twin/{smoke}/event", alarm), ("twin/NOPE/event", reading(1))])
        time.sleep(0.3)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    report = json.loads(out)
    assert report["recorded"] == 1 and report["duplicates"] >= 1
    assert list(report["rejected"]) == ["unknown_device"]
    assert report["cases_opened"] == 1
    r = subprocess.run([sys.executable, "-m", "twinviewer", "cases", str(scene), "--json"],
                       capture_output=True, text=True, timeout=60)
    figures = json.loads(r.stdout)
    assert figures["alerts"]["firing"] == 1 and figures["by_state"]["立案"] == 1  # + the sweep
