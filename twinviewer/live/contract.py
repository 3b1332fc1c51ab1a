"""The MQTT contract: ``twin/<device id>/event`` JSON readings and retained ``status``.

- ``twin/<id>/event``: ``{"ts": ISO-8601, "seq": int, "type": str, "value": number|null,
  "alarm": bool}``; ``<id>`` is the sensors layer's ``编号``.
- ``twin/<id>/status``: ``online`` or ``offline``, retained; devices set ``offline`` as
  their MQTT last will, so the broker publishes it when they vanish.

Vendor platforms (OneNET, CTWing HTTP pushes) are bridged into this contract by a
small relay outside twinviewer; see docs/cases.md.

:func:`parse` never raises: a bad message becomes a :class:`Rejection` with a reason
code, so a listener counts it, logs the topic and goes on with the next one.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
from dataclasses import dataclass

from twinviewer.core.alerts import Reading

PREFIX = "twin"
EVENT_TOPIC = "twin/+/event"
STATUS_TOPIC = "twin/+/status"
MAX_PAYLOAD = 4096  # bytes; a reading is ~100
MAX_FUTURE_S = 300  # a device clock this far ahead of ours is wrong
MAX_SEQ = 2**62

#: Reasons a message is refused (the counters of a listener's report).
REASONS = ("bad_topic", "too_large", "not_json", "bad_field", "unknown_device", "future",
           "bad_status")


@dataclass(frozen=True)
class Status:
    device: str
    online: bool


@dataclass(frozen=True)
class Rejection:
    topic: str
    reason: str  # one of REASONS
    detail: str = ""


def event_topic(device: str) -> str:
    return f"{PREFIX}/{device}/event"


def status_topic(device: str) -> str:
    return f"{PREFIX}/{device}/status"


def parse(topic: str, payload: bytes, *, known=None, now: _dt.datetime | None = None
          ) -> Reading | Status | Rejection:
    """Check one message against the contract.

    Parameters
    ----------
    topic : str
    payload : bytes
    known : container of str, optional
        Device ids of the sensors layer; others are refused as ``unknown_device``.
    now : datetime, optional
        Our clock, for refusing readings from the far future.
    """
    parts = topic.split("/")
    if len(parts) != 3 or parts[0] != PREFIX or not parts[1] or parts[2] not in (
            "event", "status"):
        return Rejection(topic, "bad_topic")
    device, kind = parts[1], parts[2]
    if len(payload) > MAX_PAYLOAD:
        return Rejection(topic, "too_large", f"{len(payload)} bytes")
    if known is not None and device not in known:
        return Rejection(topic, "unknown_device", device)
    if kind == "status":
        text = payload.decode("utf-8", "replace").strip().lower()
        if text not in ("online", "offline"):
            return Rejection(topic, "bad_status", text[:40])
        return Status(device, text == "online")
    try:
        msg = json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        return Rejection(topic, "not_json")
    if not isinstance(msg, dict):
        return Rejection(topic, "bad_field", "not an object")
    ts, seq, typ = msg.get("ts"), msg.get("seq"), msg.get("type")
    value, alarm = msg.get("value"), msg.get("alarm")
    if not isinstance(seq, int) or isinstance(seq, bool) or not 0 <= seq < MAX_SEQ:
        return Rejection(topic, "bad_field", "seq")
    if not isinstance(typ, str) or not typ or len(typ) > 40:
        return Rejection(topic, "bad_field", "type")
    if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))
                              or not math.isfinite(value)):
        return Rejection(topic, "bad_field", "value")
    if not isinstance(alarm, bool):
        return Rejection(topic, "bad_field", "alarm")
    if not isinstance(ts, str):
        return Rejection(topic, "bad_field", "ts")
    try:
        when = _dt.datetime.fromisoformat(ts.replace("Z", "+00:00"))
    except ValueError:
        return Rejection(topic, "bad_field", "ts")
    if when.tzinfo is not None:  # the scene's wall clock is local time
        when = when.astimezone().replace(tzinfo=None)
    if now is not None and (when - now).total_seconds() > MAX_FUTURE_S:
        return Rejection(topic, "future", ts)
    return Reading(device, when.strftime("%Y-%m-%dT%H:%M:%S"), seq, typ,
                   None if value is None else float(value), alarm)
