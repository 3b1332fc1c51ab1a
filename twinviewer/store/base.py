"""What every store offers (GeoPackage now, PostGIS later) and the records it returns."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from twinviewer.core.edits import CommandStack, FieldType


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
        where = f"line {self.line}"
        if self.layer:
            where += f" ({self.layer} oid {self.oid})" if self.oid is not None else \
                f" ({self.layer})"
        if self.field:
            where += f", field {self.field}"
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


class Store(Protocol):
    """The small interface the UI and CLI use; a GeoPackage or a PostGIS database."""

    def tables(self) -> list[str]: ...

    def schema(self, table: str) -> dict[str, FieldType]: ...

    def save(self, stack: CommandStack, **kwargs) -> SaveReport: ...

    def log(self, oid: int | None = None, layer: str | None = None) -> list[LogEntry]: ...

    def apply_csv(self, csv_path: str | Path, partial: bool = False) -> ApplyReport: ...
