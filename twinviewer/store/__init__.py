"""Stores of layers and edits: the embedded GeoPackage (and, later, PostGIS)."""

from twinviewer.store.base import (
    ApplyReport,
    LogEntry,
    Refusal,
    SaveReport,
    Store,
    StoreError,
)
from twinviewer.store.gpkg import GeoPackageStore, ImportResult, import_layers
from twinviewer.store.journal import Journal, read_journal, restore_journal, write_journal

__all__ = [
    "ApplyReport",
    "GeoPackageStore",
    "ImportResult",
    "Journal",
    "LogEntry",
    "Refusal",
    "SaveReport",
    "Store",
    "StoreError",
    "import_layers",
    "read_journal",
    "restore_journal",
    "write_journal",
]
