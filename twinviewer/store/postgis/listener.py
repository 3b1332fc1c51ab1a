"""Listening for other editors' saves: the NOTIFY payload and the listening connection."""

from __future__ import annotations

import json
import logging
import select
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from twinviewer.store.base import (
    StoreError,
)
from twinviewer.store.postgis.sql import CHANNEL

if TYPE_CHECKING:
    from twinviewer.store.postgis.store import PostGISStore

log = logging.getLogger(__name__)


@dataclass
class Notice:
    """A committed save announced by the server (``NOTIFY twinviewer``).

    ``oids``/``fields``: objects whose values changed; ``added``, ``removed`` and
    ``moved``: objects added (or restored), deleted and moved; ``schema``: fields
    were added, renamed or deleted.  ``None`` for a list: too many to list, reload
    the layer.
    """

    layer: str
    oids: list[int] | None  # None: too many to list, reload the layer
    fields: list[str]
    save: str
    user: str
    added: list[int] | None = field(default_factory=list)
    removed: list[int] | None = field(default_factory=list)
    moved: list[int] | None = field(default_factory=list)
    schema: bool = False

    @classmethod
    def parse(cls, payload: str) -> Notice | None:
        try:
            d = json.loads(payload)
            return cls(str(d["layer"]), d.get("oids", []), list(d.get("fields") or []),
                       str(d.get("save", "")), str(d.get("user", "")),
                       d.get("added", []), d.get("removed", []), d.get("moved", []),
                       bool(d.get("schema", False)))
        except (ValueError, KeyError, TypeError):
            return None

    @property
    def structural(self) -> bool:
        """Whether objects were added or deleted, or fields changed (rows to reload)."""
        return self.schema or self.added != [] or self.removed != []



class Listener:
    """A dedicated connection that receives :class:`Notice` s of other editors' saves.

    Poll it (:meth:`poll`, non-blocking) from a timer, or watch :meth:`fileno` with
    a socket notifier.  A dropped connection is noticed: :attr:`connected` turns
    False, :meth:`poll` tries to reconnect at most every ``retry_s`` seconds and,
    once back, returns ``None`` in place of a list once (notices may have been
    missed: reload).
    """

    def __init__(self, store: PostGISStore, retry_s: float = 0.5) -> None:
        self.store = store
        self.retry_s = retry_s
        self.conn = None
        self.connected = False
        self._next_try = 0.0
        self._missed = False
        self._connect()

    def _connect(self) -> bool:
        import time

        try:
            self.conn = self.store.connect(autocommit=True)
            self.conn.execute(f"LISTEN {CHANNEL}")
        except (StoreError, OSError) as exc:
            log.info("listener not connected: %s", exc)
            self.conn = None
            self.connected = False
            self._next_try = time.monotonic() + self.retry_s
            return False
        self.connected = True
        return True

    def fileno(self) -> int:
        return self.conn.fileno() if self.conn is not None else -1

    def poll(self, timeout: float = 0.0) -> list[Notice] | None:
        """Notices received so far; ``None`` when the connection came back (reload)."""
        import time

        import psycopg

        if self.conn is None or self.conn.closed or self.conn.broken:
            self.connected = False
            self._missed = True
            wait = self._next_try - time.monotonic()
            if wait > 0 and timeout:
                time.sleep(min(wait, timeout))
            if time.monotonic() < self._next_try or not self._connect():
                return []
        if self._missed:
            self._missed = False
            return None
        out: list[Notice] = []
        try:
            ready, _, _ = select.select([self.conn.fileno()], [], [], timeout)
            if ready:
                pgconn = self.conn.pgconn
                pgconn.consume_input()  # raises when the server closed the connection
                from psycopg import pq

                if pgconn.status != pq.ConnStatus.OK:
                    raise OSError("the server closed the connection")
                while (note := pgconn.notifies()) is not None:
                    parsed = Notice.parse(note.extra.decode("utf-8", "replace"))
                    if parsed is not None:
                        out.append(parsed)
        except (psycopg.Error, OSError, ValueError):
            self.connected = False
            self._missed = True
            self.close()
            self._next_try = time.monotonic() + self.retry_s
        return out

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.close()
            except Exception:
                pass
            self.conn = None
