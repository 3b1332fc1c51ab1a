"""``twinviewer listen`` on a team scene: the sensors are read from PostGIS, the alarm's
messages, alert and case go to the twin's tables, written as an operator's login."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import psycopg

from tests.live.test_listen import publish_all, publisher, reading
from tests.store.pg_fixtures import *  # noqa: F403 (fixtures: pg_cluster, pg_db, twin, case_crew)
from tests.store.pg_fixtures import DEMO_SCENE
from twinviewer.store.pg_publish import write_scene


def test_listen_on_a_team_scene_files_into_the_twin(mosquitto, case_crew, twin, tmp_path):
    scene = write_scene(DEMO_SCENE, case_crew["olga"], tmp_path / "team_olga.toml")
    with psycopg.connect(twin) as conn:
        smoke = conn.execute("SELECT 编号 FROM iot_sensors WHERE 类型 = '烟感' ORDER BY oid "
                             "LIMIT 1").fetchone()[0]
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
    assert not list(tmp_path.glob("*.gpkg"))
    with psycopg.connect(twin) as conn:  # the oracle: the twin's tables
        assert conn.execute("SELECT device, seq FROM twinviewer_device_events").fetchall() == [
            (smoke, 1)]
        alerts = conn.execute("SELECT device, state, case_id FROM twinviewer_alerts").fetchall()
        events = conn.execute("SELECT who, to_state FROM twinviewer_case_events ORDER BY id"
                              ).fetchall()
    assert [(d, s) for d, s, _ in alerts] == [(smoke, "firing")] and alerts[0][2]
    assert events == [("olga", "上报"), ("olga", "立案")]
    r = subprocess.run([sys.executable, "-m", "twinviewer", "cases", str(scene), "--json"],
                       capture_output=True, text=True, timeout=60)
    figures = json.loads(r.stdout)
    assert figures["alerts"]["firing"] == 1 and figures["by_state"] == {"立案": 1}
