"""The embedded store: a GeoPackage (an SQLite file QGIS and GDAL open) holding layers and edits.

A package of its ideas: :mod:`.sql` (tables, SQL values), :mod:`.schema` (field
types, value lists, sensitive marks), :mod:`.csv_apply` (spreadsheets, encoding
sniffing), :mod:`.writer` (the save's SQL) and :mod:`.store`
(:class:`GeoPackageStore`, :class:`GeoPackageProvider`); the access log of
unmaskings is :mod:`twinviewer.store.access`.  Its public names are importable from
``twinviewer.store.gpkg`` as before.

Tables are written by pyogrio/GDAL on import, with the object id as the table's
integer primary key (``oid``, GDAL's FID column).  Edits are written by Python's
``sqlite3`` directly, each save or spreadsheet batch in ONE transaction
(``BEGIN IMMEDIATE`` ... ``COMMIT``): a crash or a kill leaves either all of it or
none of it, never a damaged file.  Every change is appended to the
``twinviewer_edit_log`` table (who, when, object, field, old, new, command);
deleted objects are kept whole in ``twinviewer_deleted`` so an undo after a
save brings them back with their original geometry.  The log is registered in
``gpkg_contents`` as an ``attributes`` table, so QGIS shows it as a plain table;
the registration also keeps GDAL from listing ``twinviewer_deleted`` as a layer.
Readers that list a store's layers should skip tables named ``twinviewer_*``.

Sensitive fields (resident-level personal data, see :mod:`twinviewer.core.privacy`)
are marked in the GeoPackage schema extension: the field's row in
``gpkg_data_columns`` carries the tag ``twinviewer:sensitive`` in its
``description`` (any description already there is kept, the tag follows it after
``"; "``).  ``constraint_name`` (value lists) and ``mime_type`` (JSON fields) stay
free, so a field can be both an enum and sensitive; QGIS shows the tag as the
column's description.  Each unmasking of sensitive fields is appended to
``twinviewer_access_log`` (who, when, table, fields, purpose).
"""

from twinviewer.store.access import ACCESS_LOG_TABLE
from twinviewer.store.base import default_user
from twinviewer.store.gpkg.csv_apply import read_text
from twinviewer.store.gpkg.sql import (
    BUSY_TIMEOUT_S,
    DELETED_TABLE,
    GEOMETRY_COLUMN,
    LOG_TABLE,
    OID_COLUMN,
    SENSITIVE_TAG,
    log_result,
)
from twinviewer.store.gpkg.store import GeoPackageProvider, GeoPackageStore, provider_for

__all__ = [
    "ACCESS_LOG_TABLE", "BUSY_TIMEOUT_S", "DELETED_TABLE", "GEOMETRY_COLUMN", "LOG_TABLE",
    "OID_COLUMN", "SENSITIVE_TAG", "GeoPackageProvider", "GeoPackageStore", "default_user",
    "log_result", "provider_for", "read_text",
]
