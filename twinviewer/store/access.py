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
from functools import partial
from pathlib import Path

from twinviewer.core.layer import Layer
from twinviewer.core.privacy import AccessRecord, Audit
from twinviewer.i18n import translate
from twinviewer.store.base import StoreError
from twinviewer.store.gpkg import GeoPackageStore, default_user

ACCESS_LOG_SUFFIX = ".access.jsonl"


def store_of(layer: Layer) -> GeoPackageStore | None:
    """The GeoPackage store ``layer`` was read from (``None``: no store)."""
    src = Path(str(layer.source or ""))
    if src.suffix.lower() == ".gpkg" and src.is_file():
        return GeoPackageStore(src)
    return None


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
