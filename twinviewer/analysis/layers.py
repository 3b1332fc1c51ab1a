"""Result layers (covered ground, blind roads) as scene layers, and their tables in the store.

A result layer is an ordinary :class:`Layer` in scene coordinates: polygons as a
thin prism just above the ground (so they draw over roads and lawns), lines as
a line batch.  :func:`save_result_layer` writes the same geometry with pyogrio
into the GeoPackage store as a table of its own (``oid`` primary key, ``geom``
column, the scene CRS) and one row in the store's edit log that names the
analysis and its parameters.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import shapely

from twinviewer.analysis.ground import GroundZ, ground_heights
from twinviewer.analysis.results import params_text
from twinviewer.core.layer import Layer, LineBatch
from twinviewer.core.table import ObjectTable

DRAPE = 0.35  # metres above the ground: over the 0.3 m compound lawns of the demo


def polygon_layer(name: str, polygons: np.ndarray, columns: dict, *, group: str = "分析结果",
                  color: str = "#37b24d", ground_z: GroundZ | None = None,
                  oid=None) -> Layer:
    """Polygons (scene coordinates, one row each) as a flat layer draped over the ground."""
    from twinviewer.io.vector import extrude

    polys = np.asarray(polygons, dtype=object)
    parts, idx = shapely.get_parts(polys, return_index=True)
    keep = (shapely.get_type_id(parts) == 3) & (shapely.area(parts) > 0)
    parts, idx = parts[keep], idx[keep]
    batches = []
    if len(parts):
        batch = extrude(parts, idx, np.full(len(polys), 0.05))
        if ground_z is not None:
            batch.points[:, 2] += ground_heights(ground_z, batch.points[:, 0], batch.points[:, 1])
        batch.points[:, 2] += DRAPE
        batches.append(batch)
    layer = Layer(name, "analysis", ObjectTable(columns, oid=oid), batches, group=group,
                  style={"color": color}, opacity=0.55)
    layer.geometries = polys  # kept for saving and export (plan geometry, scene coordinates)
    return layer


def line_layer(name: str, lines: np.ndarray, columns: dict, *, group: str = "分析结果",
               color: str = "#e03131", ground_z: GroundZ | None = None) -> Layer:
    """Lines (scene coordinates, one row each) as a line layer on the ground."""
    lines = np.asarray(lines, dtype=object)
    xy, idx = shapely.get_coordinates(lines, return_index=True)
    z = ground_heights(ground_z, xy[:, 0], xy[:, 1]) + DRAPE + 0.05
    pts = np.column_stack([xy, z])
    seg = np.flatnonzero(idx[:-1] == idx[1:]) if len(idx) else np.zeros(0, np.int64)
    batch = LineBatch(pts, np.column_stack([seg, seg + 1]), idx[seg])
    layer = Layer(name, "analysis", ObjectTable(columns), [batch], group=group,
                  style={"color": color, "line_width": 5.0})
    layer.geometries = lines
    return layer


def save_result_layer(store_path: str | Path, table: str, layer: Layer, *, scene,
                      params: dict, user: str | None = None) -> int:
    """Write a result layer into the GeoPackage ``store_path`` and log its parameters.

    Geometry goes back to the scene CRS (the origin added), so QGIS reads it where
    it belongs.  An existing table of that name is replaced: a result is the answer
    to its parameters, and the log keeps every earlier run.  Returns the rows written.
    """
    import pyogrio.raw

    from twinviewer.store.base import StoreError
    from twinviewer.store.gpkg import (
        GEOMETRY_COLUMN,
        OID_COLUMN,
        GeoPackageStore,
        default_user,
        log_result,
    )

    geoms = np.asarray(layer.geometries, dtype=object)
    origin = np.asarray(scene.origin, float)
    world = shapely.transform(geoms, lambda c: c + origin[:2])
    df = layer.table.df
    fields = [c for c in df.columns if c != "oid"]
    data = [df[c].to_numpy() for c in fields]
    data = [d.astype(str) if d.dtype == object else d for d in data]
    path = Path(store_path)
    exists = path.exists()
    replace = exists and table.lower() in {t.lower() for t in GeoPackageStore(path).tables()}
    try:
        pyogrio.raw.write(str(path), geometry=shapely.to_wkb(world), field_data=data,
                          fields=fields, layer=table, driver="GPKG",
                          crs=scene.crs.to_string() if scene.crs is not None else None,
                          geometry_type="Unknown", append=exists and not replace,
                          layer_options={"FID": OID_COLUMN, "GEOMETRY_NAME": GEOMETRY_COLUMN,
                                         "OVERWRITE": "YES"} if replace else
                          {"FID": OID_COLUMN, "GEOMETRY_NAME": GEOMETRY_COLUMN})
    except Exception as exc:  # GDAL raises several types; each means "not written"
        raise StoreError(f"{table}: {str(exc).strip().splitlines()[0]}", path) from None
    conn = sqlite3.connect(path)
    try:
        with conn:
            log_result(conn, table=table, rows=len(df), label=params_text(params),
                       user=user or default_user())
    finally:
        conn.close()
    return len(df)
