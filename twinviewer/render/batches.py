"""Geometry batches -> VTK PolyData, one per (layer, kind), with a cell -> row array."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyvista as pv
import vtk
from vtk.util.numpy_support import numpy_to_vtk

from twinviewer.core.assets import asset_for_class
from twinviewer.core.layer import Layer, LineBatch, PointBatch, TriangleBatch
from twinviewer.io.assets import load_asset
from twinviewer.render.colors import ASSET_COLORS, DEFAULT_LINE, DEFAULT_MESH, DEFAULT_POLYGON, rgba

ROW_ARRAY = "row"
COLOR_ARRAY = "rgba"


@dataclass
class Piece:
    """One drawable of a layer: a PolyData, its actor, and per-cell rows and colours."""

    polydata: pv.PolyData
    rows: np.ndarray          # table row of every cell
    base_colors: np.ndarray   # (cells, 4) uint8, style colours without selection
    colors: np.ndarray        # (cells, 4) uint8, shared with the VTK colour array
    kind: str                 # "triangles", "lines" or "instances"
    texture: np.ndarray | None = None
    actor: vtk.vtkActor | None = None
    locator: vtk.vtkAbstractCellLocator | None = None


def layer_pieces(layer: Layer) -> list[Piece]:
    """Build the pieces of a layer: no actor per object, ever."""
    pieces = []
    style = layer.style or {}
    for batch in layer.batches:
        if isinstance(batch, TriangleBatch) and len(batch.triangles):
            pieces.append(_triangles(layer, batch, style))
        elif isinstance(batch, LineBatch) and len(batch.segments):
            pieces.append(_lines(batch, style))
        elif isinstance(batch, PointBatch) and len(batch.points):
            pieces.append(_instances(layer, batch, style))
    return pieces


def _with_colors(poly: pv.PolyData, rows: np.ndarray, base: np.ndarray, kind: str,
                 texture=None) -> Piece:
    colors = base.copy()
    vtk_rows = numpy_to_vtk(rows.astype(np.int32), deep=True)
    vtk_rows.SetName(ROW_ARRAY)
    poly.GetCellData().AddArray(vtk_rows)
    vtk_colors = numpy_to_vtk(colors, deep=False)  # the numpy array is the VTK storage
    vtk_colors.SetName(COLOR_ARRAY)
    poly.GetCellData().SetScalars(vtk_colors)
    piece = Piece(poly, rows, base, colors, kind, texture)
    piece._vtk_colors = vtk_colors  # keep the VTK wrapper alive with its numpy buffer
    return piece


def _triangles(layer: Layer, batch: TriangleBatch, style: dict) -> Piece:
    poly = pv.PolyData.from_regular_faces(batch.points.astype(np.float32), batch.triangles)
    n = len(batch.triangles)
    if batch.texture is not None and batch.uv is not None:
        poly.active_texture_coordinates = np.asarray(batch.uv, dtype=np.float32)
        base = np.full((n, 4), 255, dtype=np.uint8)  # white: the texture shows as it is
        return _with_colors(poly, batch.rows, base, "triangles", batch.texture)
    default = DEFAULT_MESH if layer.kind == "mesh" else DEFAULT_POLYGON
    use_file = batch.colors is not None and (style.get("use_file_colors", True)
                                             and "color" not in style)
    if use_file:
        base = np.asarray(batch.colors, dtype=np.uint8).reshape(n, 4).copy()
    else:
        base = np.tile(rgba(style.get("color"), default), (n, 1))
    return _with_colors(poly, batch.rows, base, "triangles")


def _lines(batch: LineBatch, style: dict) -> Piece:
    poly = pv.PolyData(batch.points.astype(np.float32))
    cells = vtk.vtkCellArray()
    offsets = np.arange(0, 2 * len(batch.segments) + 1, 2, dtype=np.int64)
    cells.SetData(numpy_to_vtk(offsets, deep=True),
                  numpy_to_vtk(batch.segments.ravel().astype(np.int64), deep=True))
    poly.SetLines(cells)
    base = np.tile(rgba(style.get("color"), DEFAULT_LINE), (len(batch.segments), 1))
    return _with_colors(poly, batch.rows, base, "lines")


def _instances(layer: Layer, batch: PointBatch, style: dict) -> Piece:
    """Point objects as copies of their asset model, merged into one PolyData.

    Done with numpy broadcasting: 100,000 instances x 12 triangles is one array op.
    """
    classes = layer.class_of_rows()[batch.rows] if len(layer) else np.array([], dtype=object)
    overrides = style.get("assets")
    names = np.array([asset_for_class(c, overrides) for c in np.unique(classes)], dtype=object)
    uniq, inverse = np.unique(classes, return_inverse=True)
    asset_of_instance = names[inverse] if len(uniq) else np.array([], dtype=object)
    scale = float(style.get("point_scale", 1.0))
    all_pts, all_tris, all_rows, all_cols = [], [], [], []
    offset = 0
    for asset in sorted(set(asset_of_instance.tolist())):
        sel = np.nonzero(asset_of_instance == asset)[0]
        verts, tris = load_asset(asset)
        pos = batch.points[sel]
        pts = (verts[None, :, :] * scale + pos[:, None, :]).reshape(-1, 3)
        k, nv, nt = len(sel), len(verts), len(tris)
        t = (tris[None, :, :] + (offset + nv * np.arange(k))[:, None, None]).reshape(-1, 3)
        all_pts.append(pts)
        all_tris.append(t)
        all_rows.append(np.repeat(batch.rows[sel], nt))
        color = rgba(style.get("color"), ASSET_COLORS.get(asset, ASSET_COLORS["marker"]))
        all_cols.append(np.tile(color, (k * nt, 1)))
        offset += k * nv
    poly = pv.PolyData.from_regular_faces(np.concatenate(all_pts).astype(np.float32),
                                          np.concatenate(all_tris))
    return _with_colors(poly, np.concatenate(all_rows), np.concatenate(all_cols), "instances")
