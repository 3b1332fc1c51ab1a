"""Where unmaskings of sensitive fields are recorded (the audit of :mod:`twinviewer.core.privacy`).

A layer read from a GeoPackage store writes to that store's
``twinviewer_access_log`` table.  A layer with no store (a Shapefile, GeoJSON, a
mesh) writes one JSON line per unmasking to a log file beside the scene file
(``scene.toml.access.jsonl``), or beside the layer's source when it was opened
without a scene file.  Either way the line or row is written, and synced, before
the values are shown.
"""

from __future__ import annotations

import json
import os
import sqlite3
from functools import partial
from pathlib import Path

from twinviewer.core.layer import Layer
from twinviewer.core.privacy import AccessRecord, Audit
from twinviewer.i18n import translate
from twinviewer.store.base import StoreError, default_user

ACCESS_LOG_SUFFIX = ".access.jsonl"
ACCESS_LOG_TABLE = "twinviewer_access_log"

_ACCESS_DDL = f"""
CREATE TABLE IF NOT EXISTS {ACCESS_LOG_TABLE} (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ts TEXT NOT NULL,
    user TEXT NOT NULL,
    layer TEXT NOT NULL,
    fields TEXT NOT NULL,
    purpose TEXT NOT NULL,
    action TEXT NOT NULL DEFAULT 'unmask'
)
"""


class _AccessLog:
    """The access log of :class:`~twinviewer.store.gpkg.GeoPackageStore` (a mixin: the
    store's connections and transactions)."""

    def log_access(self, record: AccessRecord) -> AccessRecord:
        """Append ``record`` (an unmasking) to ``twinviewer_access_log``; returns it with its id.

        Written in its own transaction; on any error nothing is written and a
        :class:`StoreError` says why (the caller then keeps the fields masked).
        An empty ``record.user`` is filled with the store's user.
        """
        if not record.user:
            record.user = self.user
        with self._transaction() as conn:
            conn.execute(_ACCESS_DDL)
            conn.execute("INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, "
                         "identifier, description, last_change) VALUES (?, 'attributes', ?, "
                         "?, ?)", (ACCESS_LOG_TABLE, ACCESS_LOG_TABLE,
                                   "twinviewer access log: who unmasked which sensitive "
                                   "fields, when and why", record.ts))
            cur = conn.execute(f"INSERT INTO {ACCESS_LOG_TABLE} (ts, user, layer, fields, "
                               "purpose, action) VALUES (?, ?, ?, ?, ?, ?)",
                               (record.ts, record.user, record.layer,
                                json.dumps(list(record.fields), ensure_ascii=False),
                                record.purpose, record.action))
            record.id = int(cur.lastrowid)
        return record

    def access_log(self, layer: str | None = None) -> list[AccessRecord]:
        """Rows of ``twinviewer_access_log``, oldest first (optionally of one table)."""
        conn = self._connect()
        try:
            if not self._has(conn, ACCESS_LOG_TABLE):
                return []
            sql = (f"SELECT id, ts, user, layer, fields, purpose, action FROM {ACCESS_LOG_TABLE}"
                   + (" WHERE layer = ?" if layer is not None else "") + " ORDER BY id")
            rows = conn.execute(sql, () if layer is None else (layer,)).fetchall()
        except sqlite3.Error as exc:
            raise self._error(self._problem(exc)) from None
        finally:
            conn.close()
        return [AccessRecord(user=u, layer=lyr, fields=json.loads(f), purpose=p, ts=ts,
                             action=a, id=i) for i, ts, u, lyr, f, p, a in rows]


def store_of(layer: Layer):
    """The GeoPackage store ``layer`` was read from (``None``: no store), through its
    provider (or, for a layer made by hand, the provider its source file would have)."""
    from twinviewer.io.registry import provider_for

    provider = layer.provider
    if provider is None:
        src = Path(str(layer.source or ""))
        provider = provider_for(src, layer.source_table or layer.name) if src.is_file() else None
    return provider.open_store() if provider is not None and provider.kind == "gpkg" else None


def access_log_path(layer: Layer, scene_path: str | Path | None = None) -> Path:
    """The log file of a layer with no store: beside the scene file, else beside its source."""
    base = Path(scene_path) if scene_path else Path(str(layer.source or "twinviewer"))
    return base.with_name(base.name + ACCESS_LOG_SUFFIX)


def write_access_record(layer: Layer, record: AccessRecord, *,
                        scene_path: str | Path | None = None,
                        user: str | None = None) -> AccessRecord:
    """Persist ``record`` where ``layer``'s unmaskings go; returns it (with its id).

    Raises
    ------
    StoreError
        The store or the log file cannot be written (the caller keeps the fields masked).
    """
    if not record.user:
        record.user = user or default_user()
    store = store_of(layer)
    if store is not None:
        return store.log_access(record)
    path = access_log_path(layer, scene_path)
    try:
        before = path.read_text(encoding="utf-8").count("\n") if path.exists() else 0
        record.id = before + 1
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(record.to_dict(), ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        raise StoreError(translate("StoreError", "cannot write the access log ({detail}); the "
                                                 "sensitive fields stay masked").format(
            detail=exc.strerror or exc), path) from None
    return record


def read_access_file(path: str | Path) -> list[AccessRecord]:
    """The records of an access log file, oldest first (none when it does not exist)."""
    path = Path(path)
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            out.append(AccessRecord(user=d["user"], layer=d["layer"], fields=list(d["fields"]),
                                    purpose=d["purpose"], ts=d["ts"],
                                    action=d.get("action", "unmask"), id=d.get("id")))
    return out


def auditor(scene_path: str | Path | None = None, user: str | None = None) -> Audit:
    """The ``audit`` callable :meth:`PrivacyState.unmask` needs, for layers of one scene."""
    return partial(_audit, scene_path=scene_path, user=user)


def _audit(layer: Layer, record: AccessRecord, *, scene_path, user) -> AccessRecord:
    return write_access_record(layer, record, scene_path=scene_path, user=user)
