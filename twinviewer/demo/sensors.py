"""Sensor traffic simulator: ``python -m twinviewer.demo.sensors SCENE --broker URL``.

Publishes the contract of :mod:`twinviewer.live.contract` for every device of the
scene's ``[live] sensors`` layer: a retained ``online`` status each, then readings
at ``--rate`` messages a second with per-device ``seq``, alarms now and then
(``--alarm-rate``), and a few devices going ``offline``.  One paho client publishes
for all devices, so per-device last wills are replaced by explicit ``offline``
messages.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import logging
import sys
import time
from pathlib import Path

import numpy as np
import paho.mqtt.client as mqtt

from twinviewer.live.client import parse_broker
from twinviewer.live.contract import event_topic, status_topic

log = logging.getLogger(__name__)

#: Normal value ranges per kind (units as the devices send them).
RANGES = {"烟感": (0.0, 0.08), "燃气": (0.0, 5.0), "一氧化碳": (0.0, 10.0), "水表": (0.0, 3.0),
          "水浸": (0.0, 0.0), "电表": (0.1, 2.5), "温湿度": (18.0, 28.0),
          "消防水压": (0.25, 0.45)}


def devices(scene: Path) -> list[tuple[str, str]]:
    """(编号, 类型) of the scene's sensors layer."""
    from twinviewer.io.scene_file import read_scene_file
    from twinviewer.io.vector import read_frame

    spec = read_scene_file(scene)
    name = spec.live.get("sensors", "传感器")
    layer = next(lyr for lyr in spec.layers if lyr.name == name)
    df, _geoms, _crs = read_frame(layer.source, layer.options.get("table"), geometry=False)
    return list(zip(df["编号"].astype(str), df["类型"].astype(str), strict=True))


def simulate(broker: str, devs: list[tuple[str, str]], *, rate: float = 50.0,
             seconds: float = 30.0, alarm_rate: float = 0.01, seed: int = 1,
             start_seq: int | None = None) -> dict:
    """Publish for ``seconds``; returns how many readings, alarms and status messages went out."""
    b = parse_broker(broker)
    rng = np.random.default_rng(seed)
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"twin-sim-{seed}")
    client.max_inflight_messages_set(2000)
    client.connect(b.host, b.port)
    client.loop_start()
    seq0 = int(time.time()) * 1000 if start_seq is None else start_seq
    seq = {d: seq0 for d, _ in devs}
    sent = {"readings": 0, "alarms": 0, "status": 0}
    for d, _ in devs:
        client.publish(status_topic(d), "online", qos=1, retain=True)
        sent["status"] += 1
    t_end = time.monotonic() + seconds
    interval = 1.0 / rate
    next_t = time.monotonic()
    last = None
    while time.monotonic() < t_end:
        d, kind = devs[int(rng.integers(len(devs)))]
        seq[d] += 1
        alarm = bool(rng.random() < alarm_rate)
        lo, hi = RANGES.get(kind, (0.0, 1.0))
        value = float(rng.uniform(hi * 3, hi * 6 + 1)) if alarm else float(rng.uniform(lo, hi))
        if kind in ("门磁", "人体红外", "紧急按钮", "跌倒雷达"):
            value = float(rng.random() < 0.3)
        payload = json.dumps({"ts": _dt.datetime.now().isoformat(timespec="seconds"),
                              "seq": seq[d], "type": kind, "value": round(value, 3),
                              "alarm": alarm})
        last = client.publish(event_topic(d), payload, qos=1)
        sent["readings"] += 1
        sent["alarms"] += alarm
        if rng.random() < 0.0005:
            client.publish(status_topic(d), "offline", qos=1, retain=True)
            sent["status"] += 1
        next_t += interval
        pause = next_t - time.monotonic()
        if pause > 0:
            time.sleep(pause)
    if last is not None:
        last.wait_for_publish(30)
    client.disconnect()
    client.loop_stop()
    return sent


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m twinviewer.demo.sensors",
                                description="Publish simulated sensor traffic to a broker.")
    p.add_argument("scene", type=Path)
    p.add_argument("--broker", default=None, help="mqtt://host:1883 (default: [live] broker)")
    p.add_argument("--rate", type=float, default=50.0, help="readings per second")
    p.add_argument("--for", dest="seconds", type=float, default=30.0)
    p.add_argument("--alarm-rate", type=float, default=0.01)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args(argv)
    from twinviewer.io.scene_file import read_scene_file

    broker = args.broker or read_scene_file(args.scene).live.get("broker")
    if not broker:
        print("no broker: give --broker or [live] broker in the scene file", file=sys.stderr)
        return 2
    sent = simulate(broker, devices(args.scene), rate=args.rate, seconds=args.seconds,
                    alarm_rate=args.alarm_rate, seed=args.seed)
    print(json.dumps(sent))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
