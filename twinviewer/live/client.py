"""The MQTT client: paho-mqtt 2.x (VERSION2 callbacks) on its own thread, messages queued raw.

The network thread does nothing but put ``(topic, payload, received)`` on a
:class:`queue.Queue`; checking, recording and alerting happen where the queue is
drained (the GUI thread, or ``twinviewer listen``), so a slow store never stalls
the socket and no model object is touched from two threads.

The session is persistent (``clean_session=False``, QoS 1): when the connection
drops but the broker lives, the broker keeps what arrives meanwhile and hands it
over on reconnect.  What a broker restart loses shows as gaps in the devices'
``seq`` (reported by the service).  paho reconnects by itself with a back-off.
"""

from __future__ import annotations

import datetime as _dt
import logging
import os
import queue
import threading
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import paho.mqtt.client as mqtt

from twinviewer.i18n import translate
from twinviewer.live.contract import EVENT_TOPIC, STATUS_TOPIC

log = logging.getLogger(__name__)

USER_ENV = "TWINVIEWER_MQTT_USER"
PASSWORD_ENV = "TWINVIEWER_MQTT_PASSWORD"  # never in a scene file


class BrokerError(ValueError):
    """A broker URL that cannot be used, in one line."""

    @property
    def message(self) -> str:
        return str(self)


@dataclass(frozen=True)
class Broker:
    host: str
    port: int = 1883
    tls: bool = False
    username: str | None = None

    @property
    def url(self) -> str:
        return f"{'mqtts' if self.tls else 'mqtt'}://{self.host}:{self.port}"


def parse_broker(url: str) -> Broker:
    """``mqtt://host:1883`` or ``mqtts://host:8883``; a password in the URL is refused."""
    parts = urlsplit(str(url).strip())
    if parts.scheme not in ("mqtt", "mqtts", "tcp", "ssl"):
        raise BrokerError(translate("BrokerError", "broker {url!r} must start with mqtt:// or "
                                                   "mqtts://").format(url=url))
    if parts.password:
        raise BrokerError(translate("BrokerError", "broker URL holds a password: give it in "
                                                   "the environment variable {env} instead")
                          .format(env=PASSWORD_ENV))
    if not parts.hostname:
        raise BrokerError(translate("BrokerError", "broker {url!r} names no host").format(
            url=url))
    tls = parts.scheme in ("mqtts", "ssl")
    try:
        port = parts.port or (8883 if tls else 1883)
    except ValueError:
        raise BrokerError(translate("BrokerError", "broker {url!r} has a bad port").format(
            url=url)) from None
    return Broker(parts.hostname, port, tls, parts.username or os.environ.get(USER_ENV))


@dataclass
class Connection:
    """What the client went through: connects, drops and the time spent disconnected."""

    connects: int = 0
    drops: int = 0
    down_s: float = 0.0
    last_error: str = ""
    _down_since: float | None = field(default=None, repr=False)


class MqttListener:
    """Subscribes to the contract's topics; every message lands on :attr:`inbox`.

    Parameters
    ----------
    broker : Broker or str
    client_id : str, optional
        Stable per listener, so the broker keeps its session across drops.
    """

    def __init__(self, broker: Broker | str, *, client_id: str | None = None,
                 inbox: queue.Queue | None = None) -> None:
        self.broker = parse_broker(broker) if isinstance(broker, str) else broker
        self.inbox: queue.Queue = inbox if inbox is not None else queue.Queue()
        self.state = Connection()
        self.connected = threading.Event()
        self._stopping = False
        cid = client_id or f"twinviewer-{uuid.uuid4().hex[:12]}"
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=cid,
                                  clean_session=False)
        if self.broker.username:
            self.client.username_pw_set(self.broker.username, os.environ.get(PASSWORD_ENV))
        if self.broker.tls:
            self.client.tls_set()
        self.client.reconnect_delay_set(1, 5)
        self.client.max_queued_messages_set(0)
        self.client.on_connect = self._on_connect
        self.client.on_subscribe = self._on_subscribe
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message

    # paho callbacks: on the network thread; keep them tiny and never let them raise
    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            self.state.last_error = str(reason_code)
            log.warning("%s: connection refused: %s", self.broker.url, reason_code)
            return
        self.state.connects += 1
        if self.state._down_since is not None:
            self.state.down_s += time.monotonic() - self.state._down_since
            self.state._down_since = None
            log.warning("%s: reconnected (session kept: %s)", self.broker.url,
                        flags.session_present)
        client.subscribe([(EVENT_TOPIC, 1), (STATUS_TOPIC, 1)])

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties) -> None:
        # "connected" once the broker has the subscriptions: a reading published after
        # start() returns is heard (set at CONNACK, one sent at once could be missed)
        self.connected.set()

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:
        self.connected.clear()
        if self._stopping:
            return
        if self.state._down_since is None:
            self.state._down_since = time.monotonic()
        self.state.drops += 1
        self.state.last_error = str(reason_code)
        log.warning("%s: connection lost (%s); reconnecting", self.broker.url, reason_code)

    def _on_message(self, client, userdata, message) -> None:
        try:
            self.inbox.put((message.topic, bytes(message.payload), _dt.datetime.now()))
        except Exception:  # never let an exception reach paho's loop
            log.exception("could not queue a message on %r", getattr(message, "topic", "?"))

    def start(self, wait_s: float | None = 10.0) -> bool:
        """Connect in the background and start the network thread.

        Returns whether the first connection came up within ``wait_s``; when not, paho
        keeps trying.
        """
        self.client.connect_async(self.broker.host, self.broker.port, keepalive=15)
        self.client.loop_start()
        if wait_s is None:
            return False
        return self.connected.wait(wait_s)

    def stop(self) -> None:
        self._stopping = True
        try:
            self.client.disconnect()
        finally:
            self.client.loop_stop()
