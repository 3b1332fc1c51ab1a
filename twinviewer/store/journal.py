"""Recovery journal: the unsaved edits of a session as JSON lines, restored after a crash.

The window writes it every few seconds while edits are pending
(:func:`write_journal`, atomic: temporary file + ``os.replace``); after a crash
it offers :func:`restore_journal`, which replays the steps as new commands by
object id on the freshly opened layers, so they can be saved or undone.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from twinviewer.core.edits import (
    AddField,
    AddPoint,
    Command,
    CommandStack,
    DeleteField,
    DeleteObjects,
    EditError,
    Macro,
    MovePoint,
    RenameField,
    SetValues,
)
from twinviewer.core.layer import Layer
from twinviewer.i18n import translate
from twinviewer.store.base import StoreError, _json_default, _now

JOURNAL_VERSION = 1


@dataclass
class Journal:
    """A journal read back: its header and one record per pending step."""

    header: dict
    steps: list[dict] = field(default_factory=list)

    @property
    def labels(self) -> list[str]:
        return [s.get("label", "") for s in self.steps]


def write_journal(stack: CommandStack, path: str | Path, *, store: str | Path | None = None
                  ) -> bool:
    """Write the stack's pending steps to ``path`` atomically; remove it when none are pending.

    Returns whether a journal now exists.
    """
    path = Path(path)
    steps = stack.pending()
    if not steps:
        path.unlink(missing_ok=True)
        return False
    header = {"journal": "twinviewer", "version": JOURNAL_VERSION, "written": _now(),
              "store": None if store is None else str(store), "steps": len(steps)}
    lines = [json.dumps(header, ensure_ascii=False)]
    lines += [json.dumps(s.record(), ensure_ascii=False, default=_json_default,
                         allow_nan=False) for s in steps]
    data = ("\n".join(lines) + "\n").encode("utf-8")
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    try:  # the rename itself survives a power cut only once the folder is synced
        dfd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass
    return True


def read_journal(path: str | Path) -> Journal | None:
    """The journal at ``path``, or ``None`` when there is none."""
    path = Path(path)
    if not path.exists():
        return None
    try:
        lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
        records = [json.loads(ln) for ln in lines]
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise StoreError(translate("StoreError", "the recovery journal is damaged ({detail})")
                         .format(detail=exc), path) from None
    if not records or records[0].get("journal") != "twinviewer":
        raise StoreError(translate("StoreError", "not a twinviewer recovery journal"), path)
    header, steps = records[0], records[1:]
    if header.get("version", 0) > JOURNAL_VERSION:
        raise StoreError(translate("StoreError", "journal version {version} is newer than "
                                                 "this twinviewer").format(
            version=header.get("version")), path)
    if header.get("steps") not in (None, len(steps)):
        raise StoreError(translate("StoreError", "the recovery journal is incomplete"), path)
    return Journal(header, steps)


def restore_journal(journal: Journal, layers: Mapping[str, Layer] | Iterable[Layer],
                    stack: CommandStack) -> list[str]:
    """Replay a journal's steps on ``layers`` as new commands on ``stack``.

    Steps whose layer or objects are missing are skipped; the returned list says
    which and why (empty: everything was restored).
    """
    if not isinstance(layers, Mapping):
        layers = {lyr.name: lyr for lyr in layers}
    problems = []
    for k, rec in enumerate(journal.steps, start=1):
        try:
            cmd = _command(rec, layers)
            cmd.label = rec.get("label") or cmd.label
            stack.push(cmd)
        except (EditError, KeyError, TypeError, ValueError) as exc:
            problems.append(translate("StoreError", "step {k} ({label}): {problem}").format(
                k=k, label=rec.get("label", rec.get("op")),
                problem=getattr(exc, "message", exc)))
    return problems


def _layer(rec: dict, layers: Mapping[str, Layer]) -> Layer:
    name = rec.get("layer")
    if name not in layers:
        raise EditError(translate("EditError", "layer {layer} is not open").format(
            layer=repr(name)))
    return layers[name]


def _rows(layer: Layer, oids: list) -> np.ndarray:
    index = layer.table.df["oid"]
    lookup = {v: i for i, v in enumerate(index.tolist())}
    missing = [o for o in oids if o not in lookup]
    if missing:
        raise EditError(translate("EditError", "layer {layer} has no object {oid}").format(
            layer=repr(layer.name), oid=repr(missing[0])))
    return np.array([lookup[o] for o in oids], dtype=np.int64)


def _command(rec: dict, layers: Mapping[str, Layer]) -> Command:
    op = rec.get("op")
    if op == "macro":
        return Macro(rec.get("label", ""), [_command(r, layers) for r in rec["items"]])
    layer = _layer(rec, layers)
    if op == "set":
        rows = _rows(layer, rec["oids"])
        values: Any = rec["values"][0] if rec.get("scalar") else rec["values"]
        return SetValues(layer, rows, rec["field"], values)
    if op == "add_field":
        add = AddField(layer, rec["name"], rec["type"], rec.get("default"))
        if rec.get("oids") is not None:
            keep = [(o, v) for o, v in zip(rec["oids"], rec["values"], strict=True)
                    if v is not None]
            if keep:
                rows = _rows(layer, [o for o, _ in keep])
                return Macro(add.label, [add, SetValues(layer, rows, rec["name"],
                                                        [v for _, v in keep])])
        return add
    if op == "delete_field":
        return DeleteField(layer, rec["name"])
    if op == "rename_field":
        return RenameField(layer, rec["name"], rec["new_name"])
    if op == "add_point":
        return AddPoint(layer, rec.get("xyz"), rec.get("attributes"), oid=rec.get("oid"))
    if op == "move_point":
        return MovePoint(layer, int(_rows(layer, [rec["oid"]])[0]), rec["xyz"])
    if op == "delete":
        return DeleteObjects(layer, _rows(layer, rec["oids"]))
    if op == "restore":
        return Macro(translate("EditLabel", "Restore objects"), [
            AddPoint(layer, obj.get("xyz"), obj.get("attributes"), oid=obj["oid"])
            for obj in rec["objects"]])
    raise EditError(translate("EditError", "unknown journal step {op}").format(op=repr(op)))
