"""Listening: drain queued MQTT messages into the store, the alert engine and cases.

:class:`LiveService` is what both the window (a timer on the GUI thread) and
``twinviewer listen`` (a plain loop) run.  Per drained batch it:

1. checks each message against the contract (bad ones are counted by reason and
   logged with their topic, never raised);
2. records the valid readings in ONE transaction, ``UNIQUE(device, seq)`` keeping
   each once even when two listeners hear the same broker;
3. feeds every reading and status to the :class:`~twinviewer.core.alerts.AlertEngine`
   (dedup by seq, pending, grouping, ...), and writes the alerts that changed;
4. opens a case (上报 + 立案) for each life-safety alert that fired, with an id made
   from the alert's, so a second listener's copy is ignored by the store.

Gaps in a device's ``seq`` are counted as missed messages (what a broker restart
or a device's outage lost), and reported.
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import queue
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from twinviewer.core.alerts import Alert, AlertEngine, Device, Reading, Rules
from twinviewer.core.cases import REGISTERED, REPORTED, Case, CaseEvent, Clock
from twinviewer.core.errors import LoadError
from twinviewer.i18n import translate
from twinviewer.live.contract import Rejection, Status, parse
from twinviewer.store.cases import CaseTables

log = logging.getLogger(__name__)

SENSORS_LAYER = "传感器"
BUILDINGS_LAYER = "建筑"
COMPOUNDS_LAYER = "小区"
SYSTEM = "twinviewer-listen"


@dataclass
class Batch:
    """What one drain did."""

    messages: int = 0
    recorded: int = 0
    alerts: list | None = None
    cases: list | None = None


class LiveService:
    """Turns queued ``(topic, payload, received)`` messages into records, alerts and cases.

    Parameters
    ----------
    store : CaseTables
        The scene's case store (GeoPackage or PostGIS, see
        :func:`twinviewer.store.scene_cases.case_store_for`).
    devices : iterable of Device
        The sensors layer as devices (see :func:`devices_from_scene`).
    clock : Clock, optional
    rules : Rules, optional
    sensors_layer : str
        Layer name cases from alerts sit on.
    """

    def __init__(self, store: CaseTables, devices: Iterable[Device], *, clock: Clock | None = None,
                 rules: Rules | None = None, sensors_layer: str = SENSORS_LAYER,
                 who: str = SYSTEM) -> None:
        self.store = store
        self.clock = clock or Clock()
        self.engine = AlertEngine(devices, rules, self.clock)
        self.known = frozenset(self.engine.devices)
        self.sensors_layer = sensors_layer
        self.who = who
        self.counts: Counter = Counter()
        self._last_seq: dict[str, int] = {}
        self.missed = 0
        self._next_tick = 0.0
        self.listeners: list = []  # callables(changed alerts, new case ids) on the drainer's thread

    # -- the drain -------------------------------------------------------------------
    def drain(self, inbox: queue.Queue, *, max_items: int = 20_000) -> Batch:
        """Take what is queued (at most ``max_items``) and handle it."""
        items = []
        try:
            while len(items) < max_items:
                items.append(inbox.get_nowait())
        except queue.Empty:
            pass
        return self.handle(items)

    def handle(self, items: list[tuple[str, bytes, _dt.datetime]]) -> Batch:
        batch = Batch(messages=len(items), alerts=[], cases=[])
        if not items:
            return batch
        now = self.clock.now()
        parsed = []
        for topic, payload, _received in items:
            self.counts["received"] += 1
            try:
                m = parse(topic, payload, known=self.known, now=now)
            except Exception as exc:  # the contract check never raises; if it does, go on
                m = Rejection(topic, "bad_field", f"{type(exc).__name__}")
            if isinstance(m, Rejection):
                self.counts[f"rejected:{m.reason}"] += 1
                log.warning("%s: message refused (%s%s)", m.topic, m.reason,
                            f": {m.detail}" if m.detail else "")
                continue
            parsed.append(m)
        readings = [m for m in parsed if isinstance(m, Reading)]
        new = self.store.record_readings(
            (r.device, r.seq, r.ts, r.type, r.value, r.alarm) for r in readings) \
            if readings else []
        batch.recorded = sum(new)
        self.counts["recorded"] += batch.recorded
        fresh = dict(zip(((r.device, r.seq) for r in readings), new, strict=True))
        changed: dict[str, Alert] = {}
        open_cases: dict[str, Alert] = {}
        for m in parsed:
            if isinstance(m, Status):
                self.counts["status"] += 1
                out = self.engine.status(m.device, m.online)
            else:
                out = self.engine.ingest(m)
                if out.duplicate:
                    self.counts["duplicate"] += 1
                elif not fresh.get((m.device, m.seq), False):
                    self.counts["recorded_elsewhere"] += 1  # another listener was first
                else:
                    self._gap(m)
            for a in out.changed:
                changed[a.alert_id] = a
            for a in out.open_cases:
                open_cases[a.alert_id] = a
            self.counts["notifications"] += len(out.notifications)
            for n in out.notifications:
                log.info("notify %s (%s): %s %s", n.target, n.reason, n.group, n.rule)
        if time.monotonic() >= self._next_tick:  # the time rules need no more than 1 Hz
            self._tick_into(changed, open_cases)
        batch.cases = self._write(changed, open_cases)
        batch.alerts = list(changed.values())
        for fn in self.listeners:
            fn(batch.alerts, batch.cases)
        return batch

    def tick(self) -> Batch:
        """Time-driven rules (pending, absence, escalation); call about once a second."""
        changed: dict[str, Alert] = {}
        open_cases: dict[str, Alert] = {}
        self._tick_into(changed, open_cases)
        batch = Batch(alerts=list(changed.values()), cases=self._write(changed, open_cases))
        if batch.alerts or batch.cases:
            for fn in self.listeners:
                fn(batch.alerts, batch.cases)
        return batch

    def _tick_into(self, changed, open_cases) -> None:
        self._next_tick = time.monotonic() + 1.0
        out = self.engine.tick()
        for a in out.changed:
            changed[a.alert_id] = a
        for a in out.open_cases:
            open_cases[a.alert_id] = a
        self.counts["notifications"] += len(out.notifications)

    def _gap(self, r: Reading) -> None:
        last = self._last_seq.get(r.device)
        if last is not None and r.seq > last + 1:
            self.missed += r.seq - last - 1
        if last is None or r.seq > last:
            self._last_seq[r.device] = r.seq

    # -- cases from alerts ------------------------------------------------------------------
    def case_for(self, a: Alert, *, who: str, role: str = "operator") -> tuple:
        """The case (and its 上报 + 立案 events) an alert opens; its id follows the alert's."""
        dev = self.engine.devices.get(a.device)
        tag = a.alert_id.rsplit("|", 1)[-1]
        cid = f"GJ-{a.device}-{tag}"
        now = _dt.datetime.now() if self.clock is None else self.clock.now()
        ts = now.strftime("%Y-%m-%dT%H:%M:%S")
        rule = a.note or (translate("cases", "{kind} alarm").format(kind=a.kind)
                          if a.rule.startswith("alarm:") else a.rule)
        case = Case(cid, "物联感知", f"{a.kind}告警" if a.rule.startswith("alarm:") else rule,
                    level="重大" if a.life_safety else "一般", layer=self.sensors_layer,
                    oid=None if dev is None else dev.oid, compound="" if dev is None else
                    dev.compound, source="alert", description=f"{a.device} {rule}",
                    created=ts)
        events = [CaseEvent(cid, ts, who, role, "", REPORTED, note=a.alert_id),
                  CaseEvent(cid, ts, who, role, REPORTED, REGISTERED,
                            note=translate("cases", "opened from alert"))]
        return case, events, f"alert:{a.alert_id}"

    def to_case(self, alert_id: str, *, who: str, role: str = "operator") -> str:
        """转立案: an operator turns any alert into a case; returns the case id."""
        a = self.engine.alerts.get(alert_id)
        if a is None:
            raise KeyError(alert_id)
        if not a.case_id:
            case, events, ref = self.case_for(a, who=who, role=role)
            self.store.file_cases([(case, events, ref)])
            a.case_id = case.case_id
            self.store.save_alerts([a])
        return a.case_id

    def acknowledge(self, alert_id: str, who: str) -> Alert:
        a = self.engine.acknowledge(alert_id, who)
        self.store.save_alerts([a])
        return a

    def _write(self, changed: dict[str, Alert], open_cases: dict[str, Alert]) -> list[str]:
        if not changed and not open_cases:
            return []
        new_cases = []
        rows = []
        for a in open_cases.values():
            if not a.case_id:
                rows.append(self.case_for(a, who=self.who))
                a.case_id = rows[-1][0].case_id
                changed[a.alert_id] = a
        if rows:
            self.store.file_cases(rows)  # a case another listener filed first is skipped
            new_cases = [r[0].case_id for r in rows]
            self.counts["cases"] += len(rows)
        self.store.save_alerts(changed.values())
        return new_cases

    def report(self) -> dict:
        """Counters for the end of ``twinviewer listen`` (and the window's status bar)."""
        rejected = {k.split(":", 1)[1]: v for k, v in self.counts.items()
                    if k.startswith("rejected:")}
        return {"received": self.counts["received"], "recorded": self.counts["recorded"],
                "duplicates": self.counts["duplicate"],
                "recorded_elsewhere": self.counts["recorded_elsewhere"],
                "status": self.counts["status"], "rejected": rejected,
                "missed": self.missed, "notifications": self.counts["notifications"],
                "cases_opened": self.counts["cases"], "alerts": self.engine.counts()}


def scene_store_path(scene: str | Path) -> Path | str:
    """Where a scene's cases live: a PostGIS URL for a team scene, else its GeoPackage
    (see :func:`twinviewer.store.scene_cases.case_location`)."""
    from twinviewer.store.scene_cases import case_location

    return case_location(scene)


def devices_from_scene(scene: str | Path, *, sensors: str = SENSORS_LAYER,
                       buildings: str = BUILDINGS_LAYER, compounds: str = COMPOUNDS_LAYER
                       ) -> list[Device]:
    """The sensors layer of a scene as devices, each grouped by the building (else the
    compound) it stands in or beside (within 10 m)."""
    import shapely

    from twinviewer.io.scene_file import read_scene_file
    from twinviewer.store.scene_cases import read_table

    spec = read_scene_file(scene)
    by_name = {lyr.name: lyr for lyr in spec.layers}
    if sensors not in by_name:
        raise LoadError(translate("LoadError", "the scene has no sensors layer {name!r}")
                        .format(name=sensors), scene)

    def read(name):
        lyr = by_name[name]
        frame, geoms, _crs = read_table(lyr.source, lyr.options.get("table"))
        return frame, geoms

    s, pts = read(sensors)
    if "编号" not in s:
        raise LoadError(translate("LoadError", "sensors layer {name!r} has no 编号 column")
                        .format(name=sensors), scene)
    n = len(s)
    group = np.full(n, "", dtype=object)
    compound = np.full(n, "", dtype=object)
    for name, target, near in ((buildings, group, 10.0), (compounds, compound, 0.0)):
        if name not in by_name:
            continue
        poly, shapes = read(name)
        label = poly["名称"].astype(str).to_numpy() if "名称" in poly else \
            poly.index.astype(str).to_numpy()
        tree = shapely.STRtree(shapes)
        pi, ti = tree.query_nearest(pts, max_distance=near or None, all_matches=False) \
            if near else tree.query(pts, predicate="within")
        target[pi] = label[ti]
    if "小区" in s:
        compound = np.where(compound == "", s["小区"].astype(str).to_numpy(), compound)
    gateway = s["网关"].fillna("").astype(str).to_numpy() if "网关" in s else np.full(n, "")
    kinds = s["类型"].astype(str).to_numpy() if "类型" in s else np.full(n, "")
    return [Device(str(d), str(k), group=str(g) or str(c), compound=str(c), gateway=str(gw),
                   layer=sensors, oid=int(o))
            for d, k, g, c, gw, o in zip(s["编号"], kinds, group, compound, gateway, s.index,
                                         strict=True)]


def listen_command(args) -> int:
    """``twinviewer listen SCENE [--broker URL] [--for SECONDS]``."""
    from twinviewer.cases_cli import case_store
    from twinviewer.io.scene_file import read_scene_file
    from twinviewer.live.client import BrokerError, MqttListener

    spec = read_scene_file(args.scene)
    url = args.broker or spec.live.get("broker")
    if not url:
        raise LoadError(translate("LoadError", "no broker: give --broker or [live] broker in "
                                               "the scene file"), args.scene)
    store = case_store(args.scene)
    devices = devices_from_scene(args.scene, sensors=spec.live.get("sensors", SENSORS_LAYER),
                                 buildings=spec.live.get("buildings", BUILDINGS_LAYER))
    service = LiveService(store, devices, sensors_layer=spec.live.get("sensors",
                                                                      SENSORS_LAYER))
    try:
        listener = MqttListener(url)
    except BrokerError as exc:
        raise LoadError(exc.message, args.scene) from None
    if not listener.start(wait_s=10):
        log.warning("%s: not connected yet; still trying", listener.broker.url)
    end = None if args.seconds is None else time.monotonic() + args.seconds
    next_tick = 0.0
    try:
        while end is None or time.monotonic() < end:
            service.drain(listener.inbox)
            if time.monotonic() >= next_tick:
                service.tick()
                next_tick = time.monotonic() + 1.0
            time.sleep(0.1)
    except KeyboardInterrupt:
        pass
    finally:
        listener.stop()
        service.drain(listener.inbox)  # what arrived before the stop
    report = service.report()
    report["broker"] = listener.broker.url
    report["connects"] = listener.state.connects
    report["drops"] = listener.state.drops
    report["down_s"] = round(listener.state.down_s, 1)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print(translate("cli", "{received} messages, {recorded} recorded, {dup} duplicates, "
                               "{bad} refused, {missed} missed; {cases} cases opened").format(
            received=report["received"], recorded=report["recorded"],
            dup=report["duplicates"], bad=sum(report["rejected"].values()),
            missed=report["missed"], cases=report["cases_opened"]))
        for reason, k in sorted(report["rejected"].items()):
            print(f"    {reason}: {k}")
        if report["drops"]:
            print(translate("cli", "connection dropped {n} times, {s} s down").format(
                n=report["drops"], s=report["down_s"]))
    return 0
