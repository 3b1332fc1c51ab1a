"""The server store: PostgreSQL with PostGIS, for several editors on one twin.

A package of its ideas: :mod:`.credentials` (DSNs and passwords), :mod:`.sql` (table
names, SQL types and values), :mod:`.reading` (layers, rows, row versions, the
provider), :mod:`.writer` (the save's DML), :mod:`.ddl` (field changes and grants),
:mod:`.listener` (NOTIFY) and :mod:`.store` (:class:`PostGISStore`).  Its public
names are importable from ``twinviewer.store.postgis`` as before.

Layout of a published twin (one database, schema ``public``):

- one table per layer: ``oid bigint`` primary key, ``geom geometry(Geometry, SRID)``,
  the attributes with SQL types (``bigint``, ``double precision``, ``text``,
  ``boolean``, ``date``, ``timestamp``) and ``version integer`` (bumped by every
  write of the row);
- ``twinviewer_layers`` (order, CRS, SRID, geometry type), ``twinviewer_fields``
  (field type, enum values, ``sensitive`` and why), ``twinviewer_meta`` (role names);
- ``twinviewer_edit_log``: append-only (no UPDATE/DELETE privilege, and a trigger
  refuses them even for the owner); row-level security hides log rows of
  sensitive fields from roles that may not read them;
- ``twinviewer_saves``: one row per committed save (a client-made id), so a save
  retried after a dropped connection is never written twice;
- ``twinviewer_deleted``: every deleted object whole (attributes as JSON, sensitive
  ones apart, geometry, version), written by a trigger, so an undo after a save
  brings it back with the same oid and geometry (``twinviewer_restore``).

Concurrency: a save is ONE transaction.  Each changed cell is written with a
compare-and-set (``... WHERE oid = X AND field IS NOT DISTINCT FROM <value read>``):
when another editor changed that field of that object since it was read, the
cell is a :class:`~twinviewer.store.base.Conflict`, the transaction is rolled
back and :class:`~twinviewer.store.base.ConflictError` lists every conflict
(theirs / mine / base).  Edits of different objects or different fields never
conflict.  Moving or deleting an object is a compare-and-set on the row's
``version`` as this editor read it: another editor's change or deletion of the
object meanwhile is a conflict too.  Adding, renaming and deleting fields is for
the admin role (the layers' owner).  Every commit sends ``NOTIFY twinviewer``
(payload: layer, oids, fields, added / removed / moved oids, schema, save id) so
open windows can update within a second.

Roles (group roles named after the database, e.g. ``twin_viewer``): ``viewer``
reads everything but sensitive columns (column privileges), ``editor`` may also
update attributes of the layers it is granted and append to the log, ``sensitive``
reads sensitive columns, ``admin`` owns schema and roles.

Credentials never appear in DSNs this module writes or logs
(:func:`safe_dsn`); libpq takes the password from ``PGPASSFILE``/``~/.pgpass``,
``PGPASSWORD``, a service file, or the caller (kept in memory only).
"""

from twinviewer.store.postgis.credentials import (
    PostGISSource,
    database_of,
    forget_passwords,
    has_password,
    is_postgis_url,
    login_refused,
    remember_password,
    safe_dsn,
)
from twinviewer.store.postgis.listener import Listener, Notice
from twinviewer.store.postgis.reading import PostGISProvider, RowVersions
from twinviewer.store.postgis.sql import (
    BATCH_ROWS,
    CHANNEL,
    CONNECT_TIMEOUT_S,
    DELETED_TABLE,
    FIELDS_TABLE,
    GEOM,
    LAYERS_TABLE,
    LOG_TABLE,
    META_TABLE,
    OID,
    RESERVED,
    ROLES,
    SAVES_TABLE,
    SENSITIVE_REASON,
    VERSION,
)
from twinviewer.store.postgis.store import PostGISStore, read_url_layers, store_for

__all__ = [
    "BATCH_ROWS", "CHANNEL", "CONNECT_TIMEOUT_S", "DELETED_TABLE", "FIELDS_TABLE", "GEOM",
    "LAYERS_TABLE", "LOG_TABLE", "META_TABLE", "OID", "RESERVED", "ROLES", "SAVES_TABLE",
    "SENSITIVE_REASON", "VERSION", "Listener", "Notice", "PostGISProvider", "PostGISSource",
    "PostGISStore", "RowVersions", "database_of", "forget_passwords", "has_password", "is_postgis_url",
    "login_refused", "read_url_layers", "remember_password", "safe_dsn", "store_for",
]
