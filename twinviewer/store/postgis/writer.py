"""The save's writer: change records as compare-and-set SQL (DML) in one transaction."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from twinviewer.core.edits import (
    GEOMETRY,
    OBJECT,
    FieldChange,
    ObjectChange,
    PointChange,
    ValueChange,
)
from twinviewer.core.ground_layer import to_stored
from twinviewer.core.layer import Layer
from twinviewer.i18n import translate
from twinviewer.store.base import (
    Conflict,
)
from twinviewer.store.geometry import points_wkb, points_wkt
from twinviewer.store.postgis.ddl import _FieldWriter
from twinviewer.store.postgis.reading import _coordinates, _row_versions
from twinviewer.store.postgis.sql import (
    _PG_TYPES,
    _POINT_TYPES,
    CHANNEL,
    GEOM,
    LOG_TABLE,
    OID,
    VERSION,
    _log_json,
    _pg_text,
    _plain,
    _q,
    _same,
    _Table,
)

if TYPE_CHECKING:
    from twinviewer.store.postgis.store import PostGISStore


class _Writer(_FieldWriter):
    """Turns change records into compare-and-set SQL inside one open transaction.

    Value edits are queued and written together (:meth:`apply`); an object or
    field edit first writes the values queued before it, so the edits reach the
    table in the order they were made.
    """

    def __init__(self, store: PostGISStore, conn, tables: dict[str, str], save_id: str,
                 scene: Any = None) -> None:
        self.store = store
        self.conn = conn
        self.tables = tables
        self.save_id = save_id
        self.scene = scene
        self.rows: list[tuple] = []  # (layer, oid, field, old, new, label, sensitive)
        self.touched: set[str] = set()
        self.notify: dict[str, dict[str, set]] = {}
        self.schema: set[str] = set()  # tables whose fields changed
        self.conflicts: list[Conflict] = []
        self.cells: dict[tuple[str, int, str], list] = {}  # key -> [base, mine, layer]
        self.steps: list[tuple] = []  # (key, old text, new text, label) in edit order
        self.versions: dict[tuple[str, int], int | None] = {}  # written in this save
        self.seen: list[tuple[Layer, int, int | None]] = []  # for the layers, after commit
        self.rebased: set[tuple[str, int, str]] = set()
        self._coords: dict[str, Callable[[np.ndarray], np.ndarray]] = {}

    def table_of(self, layer: Layer) -> _Table:
        name = self.tables.get(layer.name) or getattr(layer, "source_table", None) or layer.name
        return self.store._table(name)

    def announce(self, table: str, what: str, items: Iterable) -> None:
        self.touched.add(table)
        entry = self.notify.setdefault(table, {k: set() for k in
                                               ("oids", "fields", "added", "removed", "moved")})
        entry[what].update(items)

    def write(self, change, label: str) -> int:
        t = self.table_of(change.layer)
        if isinstance(change, ValueChange):
            return self.write_values(t, change, label)
        self.apply()  # the values edited before this change reach the table first
        if isinstance(change, FieldChange):
            return self.write_field(t, change, label)
        if isinstance(change, ObjectChange):
            if change.action == "insert":
                return self.insert(t, change, label)
            return self.delete(t, change, label)
        if isinstance(change, PointChange):
            return self.move(t, change, label)
        raise TypeError(f"unknown change {change!r}")

    # ---- values

    def write_values(self, t: _Table, ch: ValueChange, label: str) -> int:
        """Queue the cells of one value change (written together by :meth:`apply`)."""
        col = ch.field
        if col not in t.kinds:
            raise self.store._error(translate("StoreError", "layer {layer!r} has no field "
                                                            "{field!r}").format(
                layer=t.name, field=col))
        kind = t.kinds[col]
        n = 0
        for oid, o, new in zip(ch.oids, ch.old, ch.new, strict=True):
            key = (t.name, int(oid), col)
            if key in self.store._skip:
                continue
            cell = self.cells.get(key)
            if cell is None:  # first edit of the cell in this save: its base is what was read
                base = o if key in self.rebased else self.store._rebase.get(key, o)
                self.rebased.add(key)
                cell = self.cells[key] = [base, new, ch.layer]
                o = base
            else:
                cell[1] = new
            self.steps.append((key, _pg_text(o, kind), _pg_text(new, kind), label))
            n += 1
        return n

    def apply(self) -> None:
        """One compare-and-set UPDATE per (table, field) for every queued cell.

        A cell whose value is no longer the one read is a conflict (unless it already
        holds this editor's value); the caller rolls back when there are any.
        """
        groups: dict[tuple[str, str], list[int]] = {}
        for table, oid, col in self.cells:
            groups.setdefault((table, col), []).append(oid)
        written: set[tuple[str, int, str]] = set()
        for (table, col), oids in groups.items():
            t = self.store._table(table)
            kind, pgtype = t.kinds[col], _PG_TYPES[t.kinds[col]]
            cells = [self.cells[(table, oid, col)] for oid in oids]
            old = [_pg_text(c[0], kind) for c in cells]
            new = [_pg_text(c[1], kind) for c in cells]
            done = {r[0]: r[1] for r in self.conn.execute(
                f"UPDATE {_q(t.name)} AS t SET {_q(col)} = v.new::{pgtype}, "
                f"{_q(VERSION)} = t.{_q(VERSION)} + 1 "
                "FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS v(oid, old, new) "
                f"WHERE t.{_q(OID)} = v.oid AND t.{_q(col)} IS NOT DISTINCT FROM "
                f"v.old::{pgtype} RETURNING t.{_q(OID)}, t.{_q(VERSION)}",
                (oids, old, new)).fetchall()}
            missed = [i for i, oid in enumerate(oids) if oid not in done]
            if missed:
                current = {r[0]: r[1] for r in self.conn.execute(
                    f"SELECT {_q(OID)}, {_q(col)} FROM {_q(t.name)} WHERE {_q(OID)} = ANY(%s)",
                    ([oids[i] for i in missed],))}
                for i in missed:
                    oid, cell = oids[i], cells[i]
                    if oid in current and _same(current[oid], new[i], kind):
                        continue  # someone set the same value: nothing to write or to refuse
                    self.conflicts.append(Conflict(
                        cell[2].name, oid, col, cell[0], _plain(current.get(oid), kind),
                        cell[1], table=t.name, gone=oid not in current, layer_object=cell[2]))
            for k, cell in enumerate(cells):
                if oids[k] in done:
                    self.wrote(t, cell[2], oids[k], done[oids[k]])
            written.update((table, oid, col) for oid in done)
            self.announce(table, "oids", done)
            self.announce(table, "fields", [col])
        for key, o, n, label in self.steps:
            if key in written:
                t = self.store._table(key[0])
                self.rows.append((key[0], key[1], key[2], o, n, label, key[2] in t.sensitive))
        self.cells, self.steps = {}, []

    # ---- objects

    def wrote(self, t: _Table, layer: Layer, oid: int, version: int | None) -> None:
        """The row version this save left (None: deleted)."""
        self.versions[(t.name, int(oid))] = version
        self.seen.append((layer, int(oid), version))

    def expected(self, t: _Table, layer: Layer, oid: int, what: str) -> int | None:
        """The version an object must still have for a move or deletion (None: any)."""
        if (t.name, oid) in self.versions:
            return self.versions[(t.name, oid)]
        if (t.name, oid, what) in self.store._rebase:  # "keep mine": theirs is now seen
            return self.store._rebase[(t.name, oid, what)]
        read = _row_versions(layer)
        return read.get(oid) if read is not None else None

    def conflict(self, t: _Table, layer: Layer, oid: int, what: str, base: Any,
                 mine: Any) -> None:
        """A move, deletion or restore refused: the object changed or went meanwhile."""
        row = self.conn.execute(f"SELECT {_q(VERSION)} FROM {_q(t.name)} WHERE {_q(OID)} = %s",
                                (oid,)).fetchone()
        theirs = None
        if row is not None:
            self.store._theirs[(t.name, oid)] = int(row[0])
            theirs = translate("StoreError", "changed by someone else (version {version})"
                               ).format(version=row[0])
        self.conflicts.append(Conflict(layer.name, oid, what, base, theirs, mine, table=t.name,
                                       gone=row is None, layer_object=layer))

    def to_source(self, t: _Table) -> Callable[[np.ndarray], np.ndarray]:
        if t.name not in self._coords:
            self._coords[t.name] = _coordinates(t, self.scene)
        return self._coords[t.name]

    def stored(self, layer: Layer, pts: np.ndarray) -> np.ndarray:
        """Drawn positions -> the Z the table keeps (no terrain lift written in)."""
        return to_stored(layer, getattr(self.scene, "layers", ()), pts)

    def point_wkb(self, t: _Table, pts: np.ndarray, layer: Layer) -> bytes:
        """WKB of point instances (scene-local) in the table's CRS and dimensions."""
        if t.geom_type is not None and t.geom_type not in _POINT_TYPES:
            raise self.store._error(translate("StoreError", "layer {layer!r} holds {type} "
                                                            "geometries; a point object cannot be "
                                                            "stored in it").format(
                layer=t.name, type=t.geom_type))
        xyz = self.to_source(t)(self.stored(layer, pts))
        return points_wkb(xyz, z=t.z, multi=t.geom_type == "MULTIPOINT" or len(xyz) > 1)

    def geom_sql(self, t: _Table) -> str:
        return f"ST_GeomFromWKB(%s::bytea, {int(t.srid)})" if t.srid else \
            "ST_GeomFromWKB(%s::bytea)"

    def move(self, t: _Table, ch: PointChange, label: str) -> int:
        oid = int(ch.oid)
        if (t.name, oid, GEOMETRY) in self.store._skip:
            return 0
        conv = self.to_source(t)
        old = points_wkt(conv(self.stored(ch.layer, ch.old)), t.z)
        new = points_wkt(conv(self.stored(ch.layer, ch.new)), t.z)
        version = self.expected(t, ch.layer, oid, GEOMETRY)
        row = self.conn.execute(
            f"UPDATE {_q(t.name)} SET {_q(GEOM)} = {self.geom_sql(t)}, {_q(VERSION)} = "
            f"{_q(VERSION)} + 1 WHERE {_q(OID)} = %s AND (%s::integer IS NULL OR "
            f"{_q(VERSION)} = %s::integer) RETURNING {_q(VERSION)}",
            (self.point_wkb(t, ch.new, ch.layer), oid, version, version)).fetchone()
        if row is None:
            self.conflict(t, ch.layer, oid, GEOMETRY, old, new)
            return 0
        self.wrote(t, ch.layer, oid, row[0])
        self.announce(t.name, "moved", [oid])
        self.rows.append((t.name, oid, GEOMETRY, old, new, label, False))
        return 1

    def delete(self, t: _Table, ch: ObjectChange, label: str) -> int:
        """Delete objects still as read; a trigger keeps each whole in the deleted table."""
        items = [(int(o), a) for o, a in zip(ch.oids, ch.attributes, strict=True)
                 if (t.name, int(o), OBJECT) not in self.store._skip]
        if not items:
            return 0
        ids = [o for o, _ in items]
        versions = [self.expected(t, ch.layer, o, OBJECT) for o in ids]
        done = {r[0] for r in self.conn.execute(
            f"DELETE FROM {_q(t.name)} AS t USING unnest(%s::bigint[], %s::integer[]) AS "
            f"v(oid, ver) WHERE t.{_q(OID)} = v.oid AND (v.ver IS NULL OR t.{_q(VERSION)} = "
            f"v.ver) RETURNING t.{_q(OID)}", (ids, versions)).fetchall()}
        mine = translate("StoreError", "deleted")
        for oid, attrs in items:
            if oid not in done:
                self.conflict(t, ch.layer, oid, OBJECT, None, mine)
                continue
            self.wrote(t, ch.layer, oid, None)
            self.rows.append((t.name, oid, OBJECT, _log_json(attrs, t.sensitive), None, label,
                              False))
        self.announce(t.name, "removed", done)
        return len(done)

    def insert(self, t: _Table, ch: ObjectChange, label: str) -> int:
        """Add objects; an undone deletion comes back whole from the deleted table."""
        items = [(int(o), a, p) for o, a, p in zip(ch.oids, ch.attributes, ch.points,
                                                    strict=True)
                 if (t.name, int(o), OBJECT) not in self.store._skip]
        restored: dict[int, int] = {}
        if ch.restore and items:
            restored = {int(r[0]): int(r[1]) for r in self.conn.execute(
                "SELECT oid, version FROM twinviewer_restore(%s, %s::bigint[])",
                (t.name, [o for o, _, _ in items])).fetchall()}
        n = 0
        for oid, attrs, pts in items:
            version = restored.get(oid)
            if version is None:
                version = self.insert_one(t, oid, attrs, pts, ch.layer)
            if version is None:  # the oid is taken: restored (or added) by someone else
                self.conflict(t, ch.layer, oid, OBJECT, None, translate("StoreError", "added"))
                continue
            self.wrote(t, ch.layer, oid, version)
            self.rows.append((t.name, oid, OBJECT, None, _log_json(attrs, t.sensitive), label,
                              False))
            self.announce(t.name, "added", [oid])
            n += 1
        return n

    def insert_one(self, t: _Table, oid: int, attrs: dict, pts: np.ndarray | None,
                   layer: Layer | None = None) -> int | None:
        """INSERT one object; its new version, or None when the oid is taken."""
        cols, exprs, args = [OID], ["%s::bigint"], [oid]
        if pts is not None and len(pts):
            cols.append(GEOM)
            exprs.append(self.geom_sql(t))
            args.append(self.point_wkb(t, pts, layer))
        for key, value in attrs.items():
            if value is None or (isinstance(value, float) and value != value):
                continue  # a column left NULL needs no INSERT privilege
            if key not in t.kinds:
                raise self.store._error(translate("StoreError", "layer {layer!r}: table has "
                                                                "no field {field!r}").format(
                    layer=t.name, field=key))
            cols.append(key)
            exprs.append(f"%s::{_PG_TYPES[t.kinds[key]]}")
            args.append(_pg_text(value, t.kinds[key]))
        row = self.conn.execute(
            f"INSERT INTO {_q(t.name)} ({', '.join(map(_q, cols))}) VALUES "
            f"({', '.join(exprs)}) ON CONFLICT ({_q(OID)}) DO NOTHING RETURNING {_q(VERSION)}",
            args).fetchone()
        return None if row is None else int(row[0])

    # ---- fields

    def flush(self) -> int:
        """Append the log rows and announce the commit (NOTIFY) in the same transaction."""
        if self.rows:
            cols = list(zip(*self.rows, strict=True))
            self.conn.execute(
                f"INSERT INTO {LOG_TABLE} (\"user\", layer, oid, field, old, new, label, "
                "sensitive, save_id) SELECT %s, l, o, f, a, b, c, s, %s FROM unnest("
                "%s::text[], %s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[], "
                "%s::boolean[]) AS x(l, o, f, a, b, c, s)",
                (self.store.user, self.save_id, *[list(c) for c in cols]))
        for table, entry in self.notify.items():
            payload: dict[str, Any] = {"layer": table, "save": self.save_id,
                                       "user": self.store.user,
                                       "fields": sorted(entry["fields"]),
                                       "schema": table in self.schema}
            for key in ("oids", "added", "removed", "moved"):
                payload[key] = sorted(entry[key])
            text = json.dumps(payload, ensure_ascii=False)
            if len(text.encode()) > 7000:  # NOTIFY payloads stop at 8000 bytes
                for key in ("oids", "added", "removed", "moved"):
                    payload[key] = None
                text = json.dumps(payload, ensure_ascii=False)
            self.conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, text))
        return len(self.rows)
