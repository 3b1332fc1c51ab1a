"""The save's writer: change records as SQL inside one open SQLite transaction.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from twinviewer.core.edits import (
    GEOMETRY,
    OBJECT,
    Change,
    FieldChange,
    FieldType,
    ObjectChange,
    PointChange,
    ValueChange,
)
from twinviewer.core.ground_layer import to_stored
from twinviewer.core.layer import Layer
from twinviewer.i18n import translate
from twinviewer.store.base import (
    StoreError,
    _json_default,
    _now,
)
from twinviewer.store.geometry import (
    blob_bounds,
    point_blob,
    points_wkt,
)
from twinviewer.store.gpkg.sql import (
    _LOG_DDL,
    _POINT_TYPES,
    _SQL_TYPES,
    DELETED_TABLE,
    LOG_TABLE,
    _json_restore,
    _q,
    _sql_value,
    _Table,
    _text,
)

if TYPE_CHECKING:
    from twinviewer.store.gpkg.store import GeoPackageStore


class _Writer:
    """Turns change records into SQL inside one open transaction."""

    def __init__(self, store: GeoPackageStore, conn: sqlite3.Connection, scene: Any,
                 tables: dict[str, str]) -> None:
        self.store = store
        self.conn = conn
        self.scene = scene
        self.tables = tables
        self.ts = _now()
        self.rows: list[tuple] = []
        self.touched: set[str] = set()
        self._info: dict[str, _Table] = {}
        self._resolved: dict[int, str] = {}
        self._coords: dict[str, Callable[[np.ndarray], np.ndarray]] = {}
        for stmt in _LOG_DDL.split(";"):
            if stmt.strip():
                conn.execute(stmt)
        conn.execute("INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, "
                     "description, last_change) VALUES (?, 'attributes', ?, ?, ?)",
                     (LOG_TABLE, LOG_TABLE, "twinviewer edit log: who changed what, when",
                      self.ts))

    # ---- which table

    def table_of(self, layer: Layer) -> _Table:
        key = id(layer)
        if key not in self._resolved:
            self._resolved[key] = self._resolve(layer)
        name = self._resolved[key]
        if name not in self._info:
            self._info[name] = self.store._table(self.conn, name)
        return self._info[name]

    def _resolve(self, layer: Layer) -> str:
        store = self.store
        names = store._tables(self.conn)
        lower = {n.lower(): n for n in names}
        if layer.name in self.tables:
            return self.store._table(self.conn, self.tables[layer.name]).name
        source = Path(layer.source) if layer.source else None
        same = source is not None and source.exists() and store.path.exists() and \
            os.path.samefile(source, store.path)
        if source is not None and source.exists() and not same:
            raise store._error(translate("StoreError", "layer {layer!r} comes from {source}, "
                                                       "not from this GeoPackage").format(
                layer=layer.name, source=source))
        wanted = getattr(layer, "source_table", None)
        if wanted and wanted.lower() in lower:
            return lower[wanted.lower()]
        if layer.name.lower() in lower:
            return lower[layer.name.lower()]
        if same and len(names) == 1:
            return names[0]
        raise store._error(translate("StoreError", "layer {layer!r} has no table in this "
                                                   "GeoPackage (tables: {tables})").format(
            layer=layer.name, tables=", ".join(names) or translate("StoreError", "none")))

    def refresh(self, t: _Table) -> _Table:
        self._info[t.name] = self.store._table(self.conn, t.name)
        return self._info[t.name]

    def to_source(self, t: _Table) -> Callable[[np.ndarray], np.ndarray]:
        """Model coordinates (scene-local when a scene is given) -> the table's CRS."""
        if t.name in self._coords:
            return self._coords[t.name]
        scene = self.scene
        if scene is None:
            fn = np.asarray
        else:
            origin = np.asarray(getattr(scene, "origin", np.zeros(3)), dtype=np.float64)
            transformer = None
            target = self._crs(t) if getattr(scene, "crs", None) is not None else None
            if target is not None and not target.equals(scene.crs, ignore_axis_order=True):
                from pyproj import Transformer
                try:
                    transformer = Transformer.from_crs(scene.crs, target, always_xy=True)
                except Exception as exc:  # PROJ knows no way between the two
                    raise self._crs_refused(t, exc) from None

            def fn(xyz, origin=origin, transformer=transformer, t=t):
                pts = np.asarray(xyz, dtype=np.float64).reshape(-1, 3) + origin
                if transformer is not None:
                    x, y = transformer.transform(pts[:, 0], pts[:, 1])
                    pts = np.column_stack([x, y, pts[:, 2]])
                    if not np.all(np.isfinite(pts[:, :2])):
                        raise self._crs_refused(t, translate(
                            "StoreError", "the points fall outside its area"))
                return pts
        self._coords[t.name] = fn
        return fn

    def _crs_refused(self, t: _Table, detail: Any) -> StoreError:
        """The save stops rather than write scene coordinates into another CRS."""
        return self.store._error(translate(
            "StoreError", "table {table!r}: the scene's coordinates cannot be converted to "
                          "the table's coordinate system ({detail}); nothing was written and "
                          "pending edits are kept").format(table=t.name, detail=detail))

    def _crs(self, t: _Table):
        """The table's CRS; None when it has none (srs_id 0 or -1: coordinates as they
        are); a CRS PROJ cannot read refuses the save."""
        srs_id = t.srs_id
        row = self.conn.execute("SELECT organization, organization_coordsys_id, definition "
                                "FROM gpkg_spatial_ref_sys WHERE srs_id = ?",
                                (srs_id,)).fetchone()
        if row is None or srs_id in (0, -1):
            return None
        from pyproj import CRS
        try:
            if str(row[0]).upper() == "EPSG":
                return CRS.from_epsg(int(row[1]))
            return CRS.from_wkt(row[2])
        except Exception as exc:  # writing unconverted coordinates would misplace them
            raise self._crs_refused(t, exc) from None

    # ---- changes

    def write(self, change: Change, label: str) -> int:
        t = self.table_of(change.layer)
        self.touched.add(t.name)
        if isinstance(change, ValueChange):
            return self.write_values(t, t.column(change.field, change.layer.name),
                                     change.oids, change.old, change.new, label)
        if isinstance(change, FieldChange):
            return self._field(t, change, label)
        if isinstance(change, ObjectChange):
            if change.action == "insert":
                return self._insert(t, change, label)
            return self._delete(t, change, label)
        if isinstance(change, PointChange):
            return self._move(t, change, label)
        raise TypeError(f"unknown change {change!r}")

    def write_values(self, t: _Table, column: str, oids: Sequence, old: Sequence,
                     new: Sequence, label: str) -> int:
        if not len(oids):
            return 0
        self._check_oids(t, oids)
        sql = f"UPDATE {_q(t.name)} SET {_q(column)} = ? WHERE {_q(t.pk)} = ?"
        cur = self.conn.executemany(sql, zip(map(_sql_value, new), oids, strict=True))
        if cur.rowcount != len(oids):
            self._missing(t, oids)
        self.touched.add(t.name)
        self.rows.extend((t.name, oid, column, _text(o), _text(n), label)
                         for oid, o, n in zip(oids, old, new, strict=True))
        return len(oids)

    def _check_oids(self, t: _Table, oids: Sequence) -> None:
        bad = [o for o in oids if not isinstance(o, int | np.integer) or isinstance(o, bool)]
        if bad:
            raise self.store._error(translate("StoreError", "layer {layer!r}: object id {oid!r} "
                                                            "is not an oid of this GeoPackage")
                                    .format(layer=t.name, oid=bad[0]))

    def _missing(self, t: _Table, oids: Sequence) -> None:
        ids = [int(o) for o in oids]
        found: set[int] = set()
        for k in range(0, len(ids), 500):
            chunk = ids[k:k + 500]
            found.update(r[0] for r in self.conn.execute(
                f"SELECT {_q(t.pk)} FROM {_q(t.name)} WHERE {_q(t.pk)} IN "
                f"({', '.join('?' * len(chunk))})", chunk))
        gone = [o for o in ids if o not in found]
        shown = ", ".join(str(o) for o in gone[:5]) + (" ..." if len(gone) > 5 else "")
        raise self.store._error(translate("StoreError", "layer {layer!r}: unknown oid {oid}; "
                                                        "nothing was written").format(
            layer=t.name, oid=shown))

    def _field(self, t: _Table, ch: FieldChange, label: str) -> int:
        table = _q(t.name)
        if ch.action == "add":
            if ch.field.lower() in t.columns:
                raise self.store._error(translate("StoreError", "layer {layer!r} already has a "
                                                                "field {field!r}").format(
                    layer=t.name, field=ch.field))
            ft = ch.field_type or FieldType("text")
            sql_type = (self._dropped_type(t, ch.field) if ch.restore else None) or \
                _SQL_TYPES[ft.kind]
            self.conn.execute(f"ALTER TABLE {table} ADD COLUMN {_q(ch.field)} {sql_type}")
            if ch.default is not None:
                self.conn.execute(f"UPDATE {table} SET {_q(ch.field)} = ?",
                                  (_sql_value(ch.default),))
            t = self.refresh(t)
            if ft.kind == "enum":
                self.store._write_enum(self.conn, t, ch.field, list(ft.values))
            if ft.sensitive:
                self.store._write_sensitive(self.conn, t, [ch.field])
            new = f"field ({sql_type})" + (f" = {_text(ch.default)}" if ch.default is not None
                                           else "")
            self.rows.append((t.name, None, ch.field, None, new, label))
        elif ch.action == "delete":
            column = t.column(ch.field, t.name)
            sql_type = t.declared[column]
            self.conn.execute(f"ALTER TABLE {table} DROP COLUMN {_q(column)}")
            if self.store._has(self.conn, "gpkg_data_columns"):
                self.conn.execute("DELETE FROM gpkg_data_columns WHERE lower(table_name) = "
                                  "lower(?) AND column_name = ?", (t.name, column))
            self.refresh(t)
            # the declared type (e.g. MEDIUMINT) is logged: an undo restores it exactly
            self.rows.append((t.name, None, column, f"field ({sql_type})", None, label))
        else:
            column = t.column(ch.field, t.name)
            if ch.new_name.lower() in t.columns and ch.new_name.lower() != column.lower():
                raise self.store._error(translate("StoreError", "layer {layer!r} already has a "
                                                                "field {field!r}").format(
                    layer=t.name, field=ch.new_name))
            self.conn.execute(f"ALTER TABLE {table} RENAME COLUMN {_q(column)} TO "
                              f"{_q(ch.new_name)}")
            if self.store._has(self.conn, "gpkg_data_columns"):
                self.conn.execute("UPDATE gpkg_data_columns SET column_name = ?, name = ? "
                                  "WHERE lower(table_name) = lower(?) AND column_name = ?",
                                  (ch.new_name, ch.new_name, t.name, column))
            self.refresh(t)
            self.rows.append((t.name, None, column, column, ch.new_name, label))
        return 1

    def _dropped_type(self, t: _Table, name: str) -> str | None:
        """The SQL type a deleted column had, from the log (this save's rows first)."""
        for r in reversed(self.rows):
            if r[0] == t.name and r[1] is None and r[2] == name and r[4] is None:
                return _type_in(r[3])
        row = self.conn.execute(f"SELECT old FROM {LOG_TABLE} WHERE layer = ? AND oid IS NULL "
                                "AND field = ? AND new IS NULL ORDER BY id DESC LIMIT 1",
                                (t.name, name)).fetchone()
        return _type_in(row[0]) if row else None

    def _insert(self, t: _Table, ch: ObjectChange, label: str) -> int:
        self._check_oids(t, ch.oids)
        ids = [int(o) for o in ch.oids]
        graves: dict[int, tuple] = {}
        if ch.restore:  # the deleted rows as the store had them, newest first wins
            for k in range(0, len(ids), 500):
                chunk = ids[k:k + 500]
                for oid, attrs, geom in self.conn.execute(
                        f"SELECT oid, attributes, geom FROM {DELETED_TABLE} WHERE layer = ? AND "
                        f"oid IN ({', '.join('?' * len(chunk))}) ORDER BY id", [t.name, *chunk]):
                    graves[oid] = (attrs, geom)
        batches: dict[tuple, list] = {}
        extent: list[bytes] = []
        for oid, attrs, pts in zip(ids, ch.attributes, ch.points, strict=True):
            values = dict(attrs)
            blob = None
            if oid in graves:
                values = {k: _json_restore(v) for k, v in json.loads(graves[oid][0]).items()}
                blob = graves[oid][1]
            elif pts is not None and len(pts):
                blob = self._point_blob(t, pts, ch.layer)
            cols, args = [t.pk], [oid]
            if t.geom is not None:
                cols.append(t.geom)
                args.append(blob)
            for key, value in values.items():
                column = t.columns.get(str(key).lower())
                if column is None or column in (t.pk, t.geom):
                    if value is None:
                        continue
                    raise self.store._error(translate("StoreError", "layer {layer!r}: table has "
                                                                    "no field {field!r}").format(
                        layer=t.name, field=key))
                cols.append(column)
                args.append(_sql_value(value))
            batches.setdefault(tuple(cols), []).append(args)
            if blob is not None and len(extent) < 1000:
                extent.append(blob)
            self.rows.append((t.name, oid, OBJECT, None, _text(_loggable(values)), label))
        for cols, rows in batches.items():
            try:
                self.conn.executemany(f"INSERT INTO {_q(t.name)} ({', '.join(map(_q, cols))}) "
                                      f"VALUES ({', '.join('?' * len(cols))})", rows)
            except sqlite3.IntegrityError:
                taken = [o for o in ids if self.conn.execute(
                    f"SELECT 1 FROM {_q(t.name)} WHERE {_q(t.pk)} = ?", (o,)).fetchone()]
                raise self.store._error(translate("StoreError", "layer {layer!r} already has an "
                                                                "object {oid}; nothing was written")
                                        .format(layer=t.name,
                                                oid=taken[0] if taken else ids[0])) from None
        for blob in extent:  # restored objects lie inside the old extent: a sample suffices
            self._extend_extent(t, blob)
        return len(ids)

    def _stored(self, layer: Layer, pts: np.ndarray) -> np.ndarray:
        """Drawn positions -> the Z the source keeps (no terrain lift written in)."""
        return to_stored(layer, getattr(self.scene, "layers", ()), pts)

    def _point_blob(self, t: _Table, pts: np.ndarray, layer: Layer) -> bytes:
        if t.geom is None or t.geom_type not in _POINT_TYPES:
            raise self.store._error(translate("StoreError", "layer {layer!r} holds {type} "
                                                            "geometries; a point object cannot be "
                                                            "stored in it").format(
                layer=t.name, type=t.geom_type or translate("StoreError", "no")))
        xyz = self.to_source(t)(self._stored(layer, pts))
        return point_blob(xyz, t.srs_id, z=t.z, multi=t.geom_type == "MULTIPOINT")

    def _extend_extent(self, t: _Table, blob: bytes) -> None:
        b = blob_bounds(blob)
        if b is None:
            return
        self.conn.execute("UPDATE gpkg_contents SET min_x = min(coalesce(min_x, ?), ?), "
                          "max_x = max(coalesce(max_x, ?), ?), min_y = min(coalesce(min_y, ?), ?),"
                          " max_y = max(coalesce(max_y, ?), ?) WHERE table_name = ?",
                          (b[0], b[0], b[1], b[1], b[2], b[2], b[3], b[3], t.name))

    def _delete(self, t: _Table, ch: ObjectChange, label: str) -> int:
        self._check_oids(t, ch.oids)
        ids = [int(o) for o in ch.oids]
        names = [c for c in t.types if c not in (t.pk, t.geom)]
        select = ", ".join([_q(t.pk), _q(t.geom) if t.geom else "NULL", *map(_q, names)])
        graves = []
        for k in range(0, len(ids), 500):
            chunk = ids[k:k + 500]
            for rec in self.conn.execute(f"SELECT {select} FROM {_q(t.name)} WHERE "
                                         f"{_q(t.pk)} IN ({', '.join('?' * len(chunk))})",
                                         chunk):
                attrs = dict(zip(names, rec[2:], strict=True))
                graves.append((self.ts, t.name, rec[0],
                               json.dumps(attrs, ensure_ascii=False, default=_json_default),
                               rec[1]))
        if len(graves) != len(ids):
            self._missing(t, ids)
        self.conn.executemany(f"INSERT INTO {DELETED_TABLE} (ts, layer, oid, attributes, geom) "
                              "VALUES (?, ?, ?, ?, ?)", graves)
        for k in range(0, len(ids), 500):
            chunk = ids[k:k + 500]
            self.conn.execute(f"DELETE FROM {_q(t.name)} WHERE {_q(t.pk)} IN "
                              f"({', '.join('?' * len(chunk))})", chunk)
        self.rows.extend((t.name, g[2], OBJECT, g[3], None, label) for g in graves)
        return len(ids)

    def _move(self, t: _Table, ch: PointChange, label: str) -> int:
        self._check_oids(t, [ch.oid])
        blob = self._point_blob(t, ch.new, ch.layer)
        cur = self.conn.execute(f"UPDATE {_q(t.name)} SET {_q(t.geom)} = ? WHERE {_q(t.pk)} = ?",
                                (blob, int(ch.oid)))
        if cur.rowcount != 1:
            self._missing(t, [ch.oid])
        self._extend_extent(t, blob)
        conv = self.to_source(t)
        self.rows.append((t.name, int(ch.oid), GEOMETRY,
                          points_wkt(conv(self._stored(ch.layer, ch.old)), t.z),
                          points_wkt(conv(self._stored(ch.layer, ch.new)), t.z), label))
        return 1

    def flush(self) -> int:
        """Write the edit log rows and stamp the tables' last change."""
        self.conn.executemany(f"INSERT INTO {LOG_TABLE} (ts, user, layer, oid, field, old, new, "
                              f"label) VALUES ('{self.ts}', ?, ?, ?, ?, ?, ?, ?)",
                              [(self.store.user, *r) for r in self.rows])
        for name in self.touched:
            self.conn.execute("UPDATE gpkg_contents SET last_change = ? WHERE table_name = ?",
                              (self.ts, name))
        return len(self.rows)



def _type_in(text: str | None) -> str | None:
    """``MEDIUMINT`` from the log text ``field (MEDIUMINT)``; only plain SQL type names."""
    if not text or not text.startswith("field (") or not text.endswith(")"):
        return None
    sql = text[len("field ("):-1]
    return sql if sql.replace(" ", "").replace("(", "").replace(")", "").isalnum() else None


def _loggable(values: dict) -> dict:
    return {k: (v.hex() if isinstance(v, bytes) else v) for k, v in values.items()}
