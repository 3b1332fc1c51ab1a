"""Reading a twin's tables: layers streamed through a cursor, rows and points fetched,
the row versions and the provider a PostGIS layer carries, coordinates to and from
the scene.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from twinviewer.core.layer import Layer
from twinviewer.core.sources import (
    PostGISSource,
)
from twinviewer.i18n import translate
from twinviewer.store.base import (
    StoreError,
    StoreUnavailable,
    TableProvider,
)
from twinviewer.store.postgis.sql import BATCH_ROWS, GEOM, OID, VERSION, _column, _plain, _q, _Table

if TYPE_CHECKING:
    from twinviewer.store.postgis.store import PostGISStore


class RowVersions:
    """The ``version`` of each object as this window read it (oid -> version).

    Held as two sorted numpy arrays (a dict of 100k objects would cost megabytes),
    with the versions this window wrote or saw later on top.
    """

    def __init__(self, oids: np.ndarray, versions: np.ndarray) -> None:
        order = np.argsort(oids, kind="stable")
        self._oids = np.asarray(oids, dtype=np.int64)[order]
        self._versions = np.asarray(versions, dtype=np.int64)[order]
        self._later: dict[int, int | None] = {}

    def get(self, oid: int) -> int | None:
        """The version read (or written since) of ``oid``; None when unknown."""
        oid = int(oid)
        if oid in self._later:
            return self._later[oid]
        i = int(np.searchsorted(self._oids, oid))
        if i < len(self._oids) and self._oids[i] == oid:
            return int(self._versions[i])
        return None

    def set(self, oid: int, version: int | None) -> None:
        """Remember a version written or seen later (None: the object is gone)."""
        self._later[int(oid)] = None if version is None else int(version)


@dataclass
class PostGISProvider(TableProvider):
    """A PostGIS table as a layer's data provider (``key``: the password-less URL)."""

    kind = "postgis"

    def open_store(self) -> PostGISStore:
        from twinviewer.store.postgis.store import PostGISStore  # the store reads with this

        return PostGISStore(self.key)


def _row_versions(layer: Layer) -> RowVersions | None:
    """The row versions a PostGIS layer was read with (None for other layers)."""
    provider = layer.provider
    return provider.row_versions if isinstance(provider, PostGISProvider) else None



class _Reading:
    """The reading half of :class:`~twinviewer.store.postgis.PostGISStore`."""

    def fetch(self, table: str, oids: Iterable[int] | None = None, *,
              versions: bool = False) -> dict[int, dict]:
        """Current readable attributes of some objects (all when ``oids`` is None).

        ``versions``: each object's dict also holds its row ``version``.
        """
        t = self._table(table)
        cols = ", ".join([_q(OID), *map(_q, t.readable), _q(VERSION)])
        sql = f"SELECT {cols} FROM {_q(t.name)}"
        args: tuple = ()
        if oids is not None:
            sql += f" WHERE {_q(OID)} = ANY(%s)"
            args = ([int(o) for o in oids],)
        out = {}
        for row in self._query(sql, args):
            values = {c: _plain(v, t.kinds[c])
                      for c, v in zip(t.readable, row[1:-1], strict=True)}
            if versions:
                values[VERSION] = int(row[-1])
            out[int(row[0])] = values
        return out

    def frame(self, table: str) -> tuple[Any, np.ndarray, str | None]:
        """One table as ``(frame, geometries, crs)`` like :func:`twinviewer.io.vector.read_frame`:
        the readable attributes indexed by oid (named ``fid``), a shapely array in the
        table's CRS, the CRS string."""
        import pandas as pd

        t = self._table(table)
        cols = [_q(OID), *map(_q, t.readable), f"ST_AsBinary({_q(GEOM)})"]
        rows = self._query(f"SELECT {', '.join(cols)} FROM {_q(t.name)} ORDER BY {_q(OID)}")
        index = pd.Index(np.array([r[0] for r in rows], dtype=np.int64), name="fid")
        frame = pd.DataFrame({c: [_plain(r[i + 1], t.kinds[c]) for r in rows]
                              for i, c in enumerate(t.readable)}, index=index)
        wkb = np.array([None if r[-1] is None else bytes(r[-1]) for r in rows], dtype=object)
        return frame, shapely.from_wkb(wkb), t.crs

    def points(self, table: str, oids: Iterable[int], scene: Any = None
               ) -> dict[int, tuple[np.ndarray, int]]:
        """``{oid: (positions (k, 3), version)}`` of point objects.

        Positions are in the table's CRS, or scene-local (the scene's CRS minus its
        origin) when ``scene`` is given, as a window holds them.
        """
        import shapely

        t = self._table(table)
        rows = self._query(f"SELECT {_q(OID)}, ST_AsBinary({_q(GEOM)}), {_q(VERSION)} FROM "
                           f"{_q(t.name)} WHERE {_q(OID)} = ANY(%s)", ([int(o) for o in oids],))
        convert = _coordinates(t, scene, to_scene=True)
        out = {}
        for oid, wkb, version in rows:
            if wkb is None:
                continue
            geom = shapely.from_wkb(bytes(wkb))
            xyz = shapely.get_coordinates(geom, include_z=True)
            xyz[~np.isfinite(xyz[:, 2]), 2] = 0.0
            out[int(oid)] = (convert(xyz), int(version))
        return out

    # ------------------------------------------------------------------ loading

    def read_layer(self, table: str, *, name: str | None = None, class_field: str | None = None,
                   height_field: str | None = None, floors_field: str | None = None,
                   default_height: float | None = None, base_height: float | str | None = None,
                   progress: Callable[[float, str], None] | None = None,
                   batch_rows: int = BATCH_ROWS) -> Layer:
        """One table as a :class:`Layer`, streamed in batches through a server-side cursor.

        Only the columns this role may read are loaded; the others are listed in
        ``layer.hidden_fields`` (field -> why) and in the layer's warnings.
        """

        from twinviewer.core.errors import LoadError
        from twinviewer.core.table import ObjectTable
        from twinviewer.io import vector

        t = self._table(table, refresh=True)
        with self._lock:
            rows, total = self._stream(t, progress, batch_rows)
        n = len(rows)
        cols = list(zip(*rows, strict=True)) if rows else [()] * (3 + len(t.readable))
        oids = np.fromiter(cols[0], dtype=np.int64, count=n)
        wkb = np.array([bytes(b) if b is not None else None for b in cols[1]], dtype=object)
        columns = {c: _column(vals, t.kinds[c]) for c, vals in zip(t.readable, cols[2:-1],
                                                                   strict=True)}
        versions = np.fromiter(cols[-1], dtype=np.int64, count=n)
        fields = list(columns)
        where = Path(self.url)  # only used in messages of the geometry helpers
        try:
            geoms = vector.geometries_of(wkb, n, where)
            class_field = class_field or vector.first_present(fields, vector.CLASS_FIELDS)
            if class_field and class_field not in fields:
                raise LoadError(translate("LoadError", "class field {field!r} is not a field of "
                                                       "layer {table!r}").format(
                    field=class_field, table=t.name))
            heights = vector.heights_of(columns, n, height_field, floors_field, default_height,
                                      where)
        except LoadError as exc:
            raise LoadError(f"{self.url}: {exc.problem}") from None
        if isinstance(base_height, str) and base_height != "terrain":
            raise LoadError(translate("LoadError", "base_height must be a number or \"terrain\", "
                                                   "not {value!r}").format(value=base_height),
                            where)
        base = float(base_height) if isinstance(base_height, int | float) else 0.0
        batches, dropped = vector.build_batches(geoms, heights, base)
        layer = Layer(name=name or t.name, kind="vector", table=ObjectTable(columns, oid=oids),
                      batches=batches, crs=t.crs, class_field=class_field,
                      source=PostGISSource(self.url), source_table=t.name,
                      sensitive=frozenset(c for c in t.sensitive if c in columns))
        # objects without Z stand on the terrain when the scene has one, as from files
        layer.base_height = base_height
        layer.flat_rows = ~shapely.has_z(geoms) if len(geoms) else np.zeros(0, dtype=bool)
        if dropped:
            layer.warnings.append(translate("LoadError", "{n} objects have invalid or "
                                                         "non-finite coordinates and are not "
                                                         "drawn").format(n=dropped))
        # the provider keeps what moves and deletions compare with (row versions), and
        # how a live update reads the layer again
        layer.provider = PostGISProvider(
            self.url, t.name, hidden_fields=dict(t.hidden),
            row_versions=RowVersions(oids, versions),
            read_options={"class_field": class_field, "height_field": height_field,
                          "floors_field": floors_field, "default_height": default_height,
                          "base_height": base_height},
            marked=frozenset(layer.sensitive))
        for col, why in t.hidden.items():
            layer.warnings.append(translate("LoadError", "field {field!r} is hidden: {why}")
                                  .format(field=col, why=why))
        layer.source_bounds = vector.geometry_bounds(geoms, layer.source_bounds)
        return layer

    def _stream(self, t: _Table, progress, batch_rows: int) -> tuple[list[tuple], int]:
        """Every row of a table through a server-side cursor, ``batch_rows`` at a time."""
        import psycopg

        from twinviewer.core.errors import LoadError

        for attempt in (0, 1):  # a connection that died while idle is replaced once
            conn = self._connection()
            try:
                with conn.transaction():
                    total = conn.execute(f"SELECT count(*) FROM {_q(t.name)}").fetchone()[0]
                    select = ", ".join([_q(OID), f"ST_AsBinary({_q(GEOM)})",
                                        *[self._read_expr(t, c) for c in t.readable],
                                        _q(VERSION)])
                    rows: list[tuple] = []
                    with conn.cursor(name=f"twinviewer_load_{uuid.uuid4().hex[:8]}",
                                     binary=True) as cur:
                        cur.itersize = batch_rows
                        cur.execute(f"SELECT {select} FROM {_q(t.name)} ORDER BY {_q(OID)}")
                        while True:
                            chunk = cur.fetchmany(batch_rows)
                            if not chunk:
                                break
                            rows.extend(chunk)
                            if progress:
                                progress(min(1.0, len(rows) / max(1, total)), t.name)
                return rows, total
            except psycopg.Error as exc:
                if conn.broken or conn.closed:
                    self.close()
                problem = self._problem(exc)
                if attempt or not isinstance(problem, StoreUnavailable):
                    raise LoadError(problem.message) from None
        raise AssertionError("unreachable")

    @staticmethod
    def _read_expr(t: _Table, col: str) -> str:
        kind = t.kinds[col]
        if kind == "date":
            return f"{_q(col)}::text"
        if kind == "datetime":
            return f"to_char({_q(col)}, 'YYYY-MM-DD\"T\"HH24:MI:SS')"
        return _q(col)


def _coordinates(t: _Table, scene: Any, *, to_scene: bool = False
                 ) -> Callable[[np.ndarray], np.ndarray]:
    """Scene-local coordinates -> the table's CRS (or back with ``to_scene``).

    Without a scene, coordinates pass unchanged; with one, its origin is added
    (subtracted) and its CRS converted to the table's, as the GeoPackage store does.
    A table CRS that PROJ cannot read or reach raises :class:`StoreError` (a save
    must not write scene coordinates into a table in another CRS).
    """
    if scene is None:
        return lambda xyz: np.asarray(xyz, dtype=np.float64).reshape(-1, 3)
    origin = np.asarray(getattr(scene, "origin", np.zeros(3)), dtype=np.float64)
    transformer = None
    scene_crs = getattr(scene, "crs", None)
    target = None
    if t.crs or t.srid:
        from pyproj import CRS

        try:
            target = CRS.from_user_input(t.crs) if t.crs else CRS.from_epsg(t.srid)
        except Exception as exc:  # unconverted coordinates would be misplaced
            if scene_crs is not None:
                raise _crs_refused(t, exc) from None
    if scene_crs is not None and target is not None and \
            not target.equals(scene_crs, ignore_axis_order=True):
        from pyproj import Transformer

        try:
            transformer = Transformer.from_crs(target, scene_crs, always_xy=True) \
                if to_scene else Transformer.from_crs(scene_crs, target, always_xy=True)
        except Exception as exc:  # PROJ knows no way between the two
            raise _crs_refused(t, exc) from None

    def convert(xyz: np.ndarray) -> np.ndarray:
        pts = np.asarray(xyz, dtype=np.float64).reshape(-1, 3)
        if not to_scene:
            pts = pts + origin
        if transformer is not None and len(pts):
            x, y = transformer.transform(pts[:, 0], pts[:, 1])
            pts = np.column_stack([x, y, pts[:, 2]])
            if not np.all(np.isfinite(pts[:, :2])):
                raise _crs_refused(t, translate("StoreError",
                                                "the points fall outside its area"))
        return pts - origin if to_scene else pts

    return convert


def _crs_refused(t: _Table, detail: Any) -> StoreError:
    return StoreError(translate(
        "StoreError", "table {table!r}: the scene's coordinates cannot be converted to "
                      "the table's coordinate system ({detail}); nothing was written and "
                      "pending edits are kept").format(table=t.name, detail=detail))
