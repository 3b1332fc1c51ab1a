"""Sensor alerts: rules, dedup, grouping, pending, flapping, absence, inhibition, silences, escalation.

Modelled on what mature alerting systems do (Prometheus Alertmanager, PagerDuty):

- one alert per **device + rule** (an alarm of a kind, ``offline`` or an absence
  rule); a repeated ``seq`` of a device is ignored, so a re-delivered message counts
  once;
- an alert is **pending** for the rule's pending period before it **fires**; an alarm
  that clears while pending never fires;
- door (门磁) and presence (人体红外) sensors that change state too often are
  flagged **flapping** and notify no more until they calm down;
- **absence** rules fire when a kind of sensor reports no activity for a while
  ("no water used for 12 h", "no presence for 24 h" for people living alone);
- a device's ``offline`` alert is **inhibited** while its gateway is offline (one
  alert for the gateway, not one per device behind it);
- firing alerts are **grouped** by building or compound and rule: the first
  alert of a group notifies, the next ones within the group interval fold in;
- **silences** (a matcher, a time window, a reason) hold notifications back;
- unacknowledged alerts **escalate**: 社区干部 (cadre) when fired, then backup,
  then the street office.

Life-safety alerts (smoke, gas, emergency button, long inactivity) carry
``life_safety``; the caller opens a case for them (see ``twinviewer.live``).

No threads, no sleeping: every call takes the time from an injected clock
(:class:`twinviewer.core.cases.Clock`), :meth:`AlertEngine.tick` runs the
time-driven rules.
"""

from __future__ import annotations

import datetime as _dt
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from twinviewer.core.cases import Clock

PENDING, FIRING, ACKNOWLEDGED, RESOLVED, SILENCED, INHIBITED, CANCELLED = (
    "pending", "firing", "acknowledged", "resolved", "silenced", "inhibited", "cancelled")
#: States as counted by ``twinviewer cases``.
COUNTED = (FIRING, ACKNOWLEDGED, RESOLVED, SILENCED)

OFFLINE = "offline"
ESCALATION = ("cadre", "backup", "street_office")

#: Kinds whose alarms are life-safety (a case opens by itself).
LIFE_SAFETY_KINDS = frozenset({"烟感", "燃气", "紧急按钮"})
GATEWAY_KIND = "网关"


@dataclass(frozen=True)
class Device:
    """A sensor as the alert rules see it (one row of the sensors layer)."""

    device_id: str  # 编号
    kind: str  # 类型: 烟感, 燃气, 门磁, 人体红外, 水表, ...
    group: str = ""  # building (or compound) the device belongs to
    compound: str = ""
    gateway: str = ""  # 编号 of its gateway, "" when it talks to the broker itself
    layer: str = ""
    oid: int | None = None
    contacts: tuple[str, str, str] = ("社区干部", "备岗人员", "街道办")


@dataclass(frozen=True)
class AbsenceRule:
    """No activity from a ``kind`` of sensor for ``seconds`` fires ``absence:<kind>``."""

    kind: str
    seconds: float
    label: str
    life_safety: bool = False


@dataclass
class Rules:
    """The alert rules; the defaults follow the issue's examples."""

    pending_s: Mapping[str, float] = field(default_factory=lambda: {
        "烟感": 0, "燃气": 0, "紧急按钮": 0, "水浸": 30, "门磁": 60, "人体红外": 60,
        OFFLINE: 300})
    default_pending_s: float = 60
    flapping_kinds: frozenset = frozenset({"门磁", "人体红外"})
    flap_window_s: float = 600
    flap_changes: int = 6  # state changes within the window that make an alert flap
    absence: tuple[AbsenceRule, ...] = (
        AbsenceRule("水表", 12 * 3600, "12小时无用水"),
        AbsenceRule("人体红外", 24 * 3600, "24小时无活动", life_safety=True),
    )
    group_interval_s: float = 300
    escalate_after_s: tuple[float, float] = (300, 900)  # to backup, to the street office

    def pending(self, rule: str, kind: str) -> float:
        if rule == OFFLINE:
            return float(self.pending_s.get(OFFLINE, self.default_pending_s))
        return float(self.pending_s.get(kind, self.default_pending_s))


@dataclass(frozen=True)
class Silence:
    """Hold back notifications of matching alerts between ``start`` and ``end``.

    Empty matcher fields match everything; ``rule`` may be an exact rule or a kind.
    """

    start: _dt.datetime
    end: _dt.datetime
    reason: str
    device: str = ""
    group: str = ""
    rule: str = ""
    created_by: str = ""

    def matches(self, alert: Alert, now: _dt.datetime) -> bool:
        return (self.start <= now < self.end
                and (not self.device or self.device == alert.device)
                and (not self.group or self.group == alert.group)
                and (not self.rule or self.rule in (alert.rule, alert.kind)))


@dataclass
class Alert:
    """One alert of a device and a rule; a resolved alert is kept, a new one starts anew."""

    alert_id: str
    device: str
    rule: str  # alarm:<kind> | offline | absence:<kind>
    kind: str
    group: str
    state: str = PENDING
    started: _dt.datetime | None = None
    fired: _dt.datetime | None = None
    resolved: _dt.datetime | None = None
    acked_by: str = ""
    acked: _dt.datetime | None = None
    level: int = -1  # escalation level notified so far (-1: none)
    flapping: bool = False
    life_safety: bool = False
    events: int = 0  # readings folded into it
    last_value: float | None = None
    case_id: str = ""
    note: str = ""

    @property
    def open(self) -> bool:
        return self.state in (PENDING, FIRING, ACKNOWLEDGED, INHIBITED)


@dataclass(frozen=True)
class Notification:
    """Somebody is told about a group of alerts (fired, or escalated to a level)."""

    group: str
    rule: str
    alert_ids: tuple[str, ...]
    level: int
    target: str
    reason: str  # "fired" | "escalated"


@dataclass(frozen=True)
class Reading:
    """One event message of the contract ``{"ts", "seq", "type", "value", "alarm"}``."""

    device: str
    ts: str
    seq: int
    type: str
    value: float | None
    alarm: bool


@dataclass
class Outcome:
    """What one call changed: alerts to store, notifications to send, cases to open."""

    changed: list[Alert] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)
    open_cases: list[Alert] = field(default_factory=list)
    duplicate: bool = False

    def unique(self) -> Outcome:
        """Each changed alert once, in first-change order."""
        self.changed = list({id(a): a for a in self.changed}.values())
        self.open_cases = list({id(a): a for a in self.open_cases}.values())
        return self

    def extend(self, other: Outcome) -> None:
        self.changed.extend(other.changed)
        self.notifications.extend(other.notifications)
        self.open_cases.extend(other.open_cases)


class AlertEngine:
    """Turns readings and status messages into alerts under :class:`Rules`.

    Parameters
    ----------
    devices : iterable of Device
    rules : Rules, optional
    clock : Clock, optional
        Time of every decision (not the devices' own ``ts``, which may be wrong).
    """

    def __init__(self, devices: Iterable[Device], rules: Rules | None = None,
                 clock: Clock | None = None) -> None:
        self.devices = {d.device_id: d for d in devices}
        self.rules = rules or Rules()
        self.clock = clock or Clock()
        self.alerts: dict[str, Alert] = {}
        self._open: dict[tuple[str, str], Alert] = {}
        self._seen: dict[str, set[int]] = {}
        self._online: dict[str, bool] = {}
        self._active: dict[str, _dt.datetime] = {}  # last activity, for absence rules
        self._changes: dict[tuple[str, str], deque] = {}
        self._groups: dict[tuple[str, str], tuple[_dt.datetime, list[str]]] = {}
        self.silences: list[Silence] = []
        self._n = 0
        now = self.clock.now()
        for d in self.devices.values():  # absence counts from the start of listening
            self._active[d.device_id] = now

    # -- input -----------------------------------------------------------------------
    def seen(self, device: str, seq: int) -> bool:
        return seq in self._seen.get(device, ())

    def mark_seen(self, device: str, seqs: Iterable[int]) -> None:
        """Seqs already recorded (by the store, or another listener)."""
        self._seen.setdefault(device, set()).update(int(s) for s in seqs)

    def ingest(self, r: Reading) -> Outcome:
        """One reading; a repeated ``seq`` of the device changes nothing."""
        out = Outcome()
        seen = self._seen.setdefault(r.device, set())
        if r.seq in seen:
            out.duplicate = True
            return out.unique()
        seen.add(r.seq)
        dev = self.devices.get(r.device)
        if dev is None:
            return out.unique()
        now = self.clock.now()
        if r.value is not None and r.value > 0 or r.alarm:
            self._active[r.device] = now
            absent = self._open.get((r.device, f"absence:{dev.kind}"))
            if absent is not None:
                out.extend(self._resolve(absent, now))
        rule = f"alarm:{dev.kind}"
        alert = self._open.get((r.device, rule))
        if r.alarm:
            if alert is None:
                alert = self._new(dev, rule, now, f"s{r.seq}")
                alert.life_safety = dev.kind in LIFE_SAFETY_KINDS
                self._flap(alert, now)
                out.changed.append(alert)
            alert.events += 1
            alert.last_value = r.value
            if alert.state == PENDING and self.rules.pending(rule, dev.kind) <= 0:
                out.extend(self._fire(alert, now))
        elif alert is not None:
            alert.events += 1
            self._flap(alert, now)
            out.extend(self._resolve(alert, now))
        return out.unique()

    def status(self, device: str, online: bool) -> Outcome:
        """A retained ``online``/``offline`` status (the device's last will)."""
        out = Outcome()
        dev = self.devices.get(device)
        if dev is None:
            return out.unique()
        was = self._online.get(device)
        self._online[device] = online
        now = self.clock.now()
        alert = self._open.get((device, OFFLINE))
        if online:
            if alert is not None:
                out.extend(self._resolve(alert, now))
            if dev.kind == GATEWAY_KIND and was is False:
                # devices behind it that are still offline fire now, pending time counted
                for a in list(self._open.values()):
                    if a.rule == OFFLINE and a.state == INHIBITED:
                        a.state = PENDING
                        out.changed.append(a)
                out.extend(self.tick())
        elif alert is None:
            alert = self._new(dev, OFFLINE, now)
            out.changed.append(alert)
            if self._inhibited(dev):
                alert.state = INHIBITED
            elif self.rules.pending(OFFLINE, dev.kind) <= 0:
                out.extend(self._fire(alert, now))
            if dev.kind == GATEWAY_KIND:
                for a in self._open.values():
                    if a.rule == OFFLINE and a.state == PENDING and \
                            self.devices[a.device].gateway == device:
                        a.state = INHIBITED
                        out.changed.append(a)
        return out.unique()

    # -- time-driven rules -------------------------------------------------------------
    def tick(self) -> Outcome:
        """Fire what waited its pending period, check absences, escalate; call it often."""
        out = Outcome()
        now = self.clock.now()
        for a in list(self._open.values()):
            if a.state == PENDING:
                dev = self.devices[a.device]
                if a.rule == OFFLINE and self._inhibited(dev):
                    a.state = INHIBITED
                    out.changed.append(a)
                elif (now - a.started).total_seconds() >= self.rules.pending(a.rule, dev.kind):
                    out.extend(self._fire(a, now))
        kinds = {r.kind: r for r in self.rules.absence}
        for dev in self.devices.values():
            rule = kinds.get(dev.kind)
            if rule is None or (dev.device_id, f"absence:{dev.kind}") in self._open:
                continue
            if self._online.get(dev.device_id) is False:
                continue  # an offline device is not an absent person: its own alert says so
            if (now - self._active[dev.device_id]).total_seconds() >= rule.seconds:
                a = self._new(dev, f"absence:{dev.kind}", now)
                a.life_safety = rule.life_safety
                a.note = rule.label
                out.changed.append(a)
                out.extend(self._fire(a, now))
        for a in list(self._open.values()):
            if a.state != FIRING or self._silenced(a, now) or a.flapping:
                continue
            since = (now - a.fired).total_seconds()
            level = sum(since >= s for s in self.rules.escalate_after_s)
            if level > a.level:
                a.level = level
                out.changed.append(a)
                out.notifications.append(Notification(
                    a.group, a.rule, (a.alert_id,), level, self._target(a, level), "escalated"))
        return out.unique()

    # -- operator actions ------------------------------------------------------------------
    def acknowledge(self, alert_id: str, who: str) -> Alert:
        """Someone takes the alert: no more escalation; it stays until it resolves."""
        a = self.alerts[alert_id]
        if a.state in (FIRING, PENDING, INHIBITED):
            a.state = ACKNOWLEDGED
            a.acked_by = who
            a.acked = self.clock.now()
        return a

    def silence(self, s: Silence) -> None:
        self.silences.append(s)

    def state_of(self, alert: Alert) -> str:
        """The state as shown and counted: silenced wins over firing while a silence holds."""
        if alert.state == FIRING and self._silenced(alert, self.clock.now()):
            return SILENCED
        return alert.state

    def counts(self) -> dict[str, int]:
        """``{firing, acknowledged, resolved, silenced}`` over every alert."""
        out = dict.fromkeys(COUNTED, 0)
        for a in self.alerts.values():
            s = self.state_of(a)
            if s in out:
                out[s] += 1
        return out

    def groups(self) -> dict[tuple[str, str], list[str]]:
        """Open notification groups: ``(group, rule) -> alert ids``."""
        return {k: list(v[1]) for k, v in self._groups.items()}

    # -- internals -------------------------------------------------------------------------
    def _new(self, dev: Device, rule: str, now: _dt.datetime, tag: str = "") -> Alert:
        # the id depends only on what started it (the reading's seq, else the time), so
        # two listeners hearing the same broker name the same alert the same way
        aid = f"{dev.device_id}|{rule}|{tag or f'{now:%Y%m%dT%H%M%S}'}"
        while aid in self.alerts:
            self._n += 1
            aid = f"{dev.device_id}|{rule}|{tag or f'{now:%Y%m%dT%H%M%S}'}.{self._n}"
        a = Alert(aid, dev.device_id, rule, dev.kind, dev.group or dev.compound, started=now)
        self.alerts[a.alert_id] = a
        self._open[(dev.device_id, rule)] = a
        return a

    def _inhibited(self, dev: Device) -> bool:
        return bool(dev.gateway) and self._online.get(dev.gateway) is False

    def _silenced(self, a: Alert, now: _dt.datetime) -> bool:
        return any(s.matches(a, now) for s in self.silences)

    def _target(self, a: Alert, level: int) -> str:
        dev = self.devices.get(a.device)
        contacts = dev.contacts if dev is not None else ESCALATION
        return contacts[min(level, len(contacts) - 1)]

    def _flap(self, a: Alert, now: _dt.datetime) -> None:
        dev = self.devices[a.device]
        if dev.kind not in self.rules.flapping_kinds:
            return
        q = self._changes.setdefault((a.device, a.rule), deque())
        q.append(now)
        while q and (now - q[0]).total_seconds() > self.rules.flap_window_s:
            q.popleft()
        if len(q) >= self.rules.flap_changes:
            a.flapping = True
        elif len(q) <= self.rules.flap_changes // 2:
            a.flapping = False

    def _fire(self, a: Alert, now: _dt.datetime) -> Outcome:
        out = Outcome()
        a.state = FIRING
        a.fired = now
        a.level = 0
        out.changed.append(a)
        if a.life_safety:
            out.open_cases.append(a)
        if self._silenced(a, now) or self._flapping_again(a):
            return out
        key = (a.group, a.rule)
        g = self._groups.get(key)
        if g is not None and (now - g[0]).total_seconds() < self.rules.group_interval_s \
                and any(self.alerts[i].open for i in g[1]):
            g[1].append(a.alert_id)  # folded into the group's notification
            return out
        self._groups[key] = (now, [a.alert_id])
        out.notifications.append(Notification(key[0], key[1], (a.alert_id,), 0,
                                              self._target(a, 0), "fired"))
        return out

    def _flapping_again(self, a: Alert) -> bool:
        if a.flapping:
            return True
        q = self._changes.get((a.device, a.rule))
        return q is not None and len(q) >= self.rules.flap_changes

    def _resolve(self, a: Alert, now: _dt.datetime) -> Outcome:
        out = Outcome()
        self._open.pop((a.device, a.rule), None)
        # one that never fired is cancelled, as Alertmanager drops a pending alert that
        # clears: kept for the record, never counted as resolved
        a.state = CANCELLED if a.state in (PENDING, INHIBITED) else RESOLVED
        a.resolved = now
        out.changed.append(a)
        return out
