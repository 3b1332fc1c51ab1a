"""What every store offers (GeoPackage and PostGIS), the records it returns, and the
data provider a store's layer carries."""

from __future__ import annotations

import abc
import datetime as _dt
import getpass
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from twinviewer.core.edits import CommandStack, FieldType


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="milliseconds") \
        .replace("+00:00", "Z")


def default_user() -> str:
    """``$TWINVIEWER_USER`` when set, else the OS user name."""
    name = os.environ.get("TWINVIEWER_USER")
    if name:
        return name
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry in a container: still record something
        return "unknown"


def _json_default(v):
    if isinstance(v, bytes | bytearray | memoryview):
        return {"$hex": bytes(v).hex()}
    if isinstance(v, np.generic):
        return v.item()
    raise TypeError(f"{type(v).__name__} is not JSON")


class StoreError(Exception):
    """A store could not be read or written; one line naming the store and the problem.

    Nothing has been written when a store raises it, and pending edits are kept.
    """

    def __init__(self, problem: str, path: str | Path | None = None) -> None:
        self.path = None if path is None else Path(path)
        self.problem = " ".join(str(problem).split())
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return self.problem if self.path is None else f"{self.path}: {self.problem}"


class StoreUnavailable(StoreError):
    """The store's server cannot be reached (down, restarting, network gone).

    Nothing was written (or a commit's outcome is unknown, which a retry of the
    same save settles); pending edits are kept: save again when it is back.
    """


@dataclass
class Conflict:
    """A cell another editor changed since it was read: the save did not overwrite it.

    ``base`` is the value this editor's edit started from, ``theirs`` the value now
    in the store, ``mine`` the value this editor wanted; ``gone``: the object was
    deleted meanwhile.
    """

    layer: str
    oid: Any
    field: str
    base: Any
    theirs: Any
    mine: Any
    table: str | None = None
    gone: bool = False
    layer_object: Any = field(default=None, repr=False, compare=False)

    def __str__(self) -> str:
        theirs = "deleted" if self.gone else repr(self.theirs)
        return (f"{self.layer} oid {self.oid}, field {self.field}: was {self.base!r}, "
                f"theirs {theirs}, mine {self.mine!r}")


class ConflictError(StoreError):
    """A save refused because other editors changed the same cells; nothing was written."""

    def __init__(self, conflicts: list[Conflict], store: str = "") -> None:
        self.conflicts = list(conflicts)
        n = len(self.conflicts)
        first = str(self.conflicts[0]) if n else ""
        text = (f"{n} edit{'s' if n != 1 else ''} conflict with changes saved by someone "
                f"else meanwhile; nothing was written (first: {first})")
        super().__init__(f"{store}: {text}" if store else text)


@dataclass
class LogEntry:
    """One saved change: who, when, which object and field, old and new value."""

    id: int
    ts: str
    user: str
    layer: str
    oid: int | None
    field: str | None
    old: str | None
    new: str | None
    label: str

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class SaveReport:
    """What a save wrote: changed values, log rows, tables touched."""

    changes: int = 0
    log_rows: int = 0
    tables: list[str] = field(default_factory=list)


@dataclass
class Refusal:
    """A spreadsheet row (``line`` as a spreadsheet numbers it) that was refused, and why."""

    line: int
    layer: str
    oid: Any
    field: str | None
    reason: str

    def __str__(self) -> str:
        from twinviewer.i18n import translate

        where = translate("StoreError", "line {line}").format(line=self.line)
        if self.layer:
            where += f" ({self.layer} oid {self.oid})" if self.oid is not None else \
                f" ({self.layer})"
        if self.field:
            where += translate("StoreError", ", field {field}").format(field=self.field)
        return f"{where}: {self.reason}"


@dataclass
class ApplyReport:
    """Outcome of a batch of edits from a spreadsheet."""

    changed: int = 0
    unchanged: int = 0
    refused: list[Refusal] = field(default_factory=list)
    cells: int = 0
    applied: bool = False
    encoding: str = ""

    def to_dict(self) -> dict:
        out = asdict(self)
        out["refused"] = [asdict(r) for r in self.refused]
        return out


@dataclass
class TableProvider(abc.ABC):
    """One store table as a layer's data provider (:class:`twinviewer.core.layer.Provider`).

    The stores subclass it (:class:`~twinviewer.store.gpkg.GeoPackageProvider`,
    :class:`~twinviewer.store.postgis.PostGISProvider`) with the store they open.
    """

    key: str
    table: str
    hidden_fields: dict[str, str] = field(default_factory=dict)
    row_versions: Any = None
    read_options: dict[str, Any] = field(default_factory=dict)
    marked: frozenset[str] = frozenset()
    kind = ""

    @abc.abstractmethod
    def open_store(self) -> Store:
        """The store this layer's rows are read from and saved to."""

    def sensitive_fields(self) -> set[str]:
        return set(self.marked)


class Store(Protocol):
    """The small interface the UI and CLI use; a GeoPackage or a PostGIS database."""

    def tables(self) -> list[str]: ...

    def schema(self, table: str) -> dict[str, FieldType]: ...

    def save(self, stack: CommandStack, **kwargs) -> SaveReport: ...

    def log(self, oid: int | None = None, layer: str | None = None) -> list[LogEntry]: ...

    def apply_csv(self, csv_path: str | Path, partial: bool = False) -> ApplyReport: ...

    def next_oid(self, table: str) -> int: ...
