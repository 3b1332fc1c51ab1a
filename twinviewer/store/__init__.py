"""Stores of layers and edits: the embedded GeoPackage and the PostGIS team store."""

from twinviewer.store.base import (
    ApplyReport,
    Conflict,
    ConflictError,
    LogEntry,
    Refusal,
    SaveReport,
    Store,
    StoreError,
    StoreUnavailable,
)
from twinviewer.store.gpkg import GeoPackageStore
from twinviewer.store.gpkg_import import ImportResult, import_layers
from twinviewer.store.journal import Journal, read_journal, restore_journal, write_journal

__all__ = [
    "ApplyReport",
    "Conflict",
    "ConflictError",
    "GeoPackageStore",
    "ImportResult",
    "Journal",
    "LogEntry",
    "Refusal",
    "SaveReport",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "import_layers",
    "read_journal",
    "restore_journal",
    "write_journal",
]
