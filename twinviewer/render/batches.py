"""Geometry batches -> VTK PolyData pieces with a cell -> row array, tiled for culling.

One layer gives a handful of pieces (one per batch kind and texture, split into
spatial tiles when large), never one actor per object.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyvista as pv

from twinviewer.core.layer import Layer, LineBatch, PointBatch, TriangleBatch, minmax
from twinviewer.io.assets import asset_height, assets_of_rows, load_asset
from twinviewer.render import vtk_api as vtk
from twinviewer.render.colors import ASSET_COLORS, DEFAULT_LINE, DEFAULT_MESH, DEFAULT_POLYGON, rgba
from twinviewer.render.style import row_colors, size_factors, styled_colors
from twinviewer.render.vtk_api import numpy_to_vtk

ROW_ARRAY = "row"
COLOR_ARRAY = "rgba"
CELLS_PER_TILE = 40_000   # below this a piece stays whole
MAX_TILES = 64
MESH_LOD_CELLS = 1_000_000  # meshes above this get a decimated stand-in while moving


@dataclass
class Piece:
    """One drawable of a layer: a PolyData, its actor, and per-cell rows and colours.

    ``lod`` is a cheaper stand-in drawn while the camera moves (instances as
    points, big meshes decimated); ``None`` when the piece is cheap already.
    """

    polydata: pv.PolyData
    rows: np.ndarray          # table row of every cell
    base_colors: np.ndarray   # (k, 4) uint8, style colours without selection
    colors: np.ndarray        # (k, 4) uint8, shared with the VTK colour array
    kind: str                 # "triangles", "lines" or "instances"
    color_rows: np.ndarray | None = None  # row of each colour entry (cells or vertices)
    texture: np.ndarray | None = None
    lod: pv.PolyData | None = None
    hide_while_moving: bool = False
    lod_wanted: bool = False  # a stand-in should be built when there is time
    actor: vtk.vtkActor | None = None
    lod_actor: vtk.vtkActor | None = None
    locator: vtk.vtkAbstractCellLocator | None = None
    plain_colors: np.ndarray | None = None  # base colours before a categorized style
    vtk_colors: vtk.vtkDataArray | None = None  # VTK's view of ``colors``: Modified() on change
    vtk_rows: vtk.vtkDataArray | None = None  # VTK's "row" cell array (``rows`` when int32)
    painted: PaintState | None = None  # what ``colors`` show now (SceneView's repaint)
    _row_set: np.ndarray | None = field(default=None, repr=False)

    def row_set(self) -> np.ndarray:
        """The sorted distinct rows of the piece's colour entries (made on first use).

        As intp: every repaint indexes per-row masks with them, and numpy converts
        narrower indices on each use."""
        if self._row_set is None:
            self._row_set = np.unique(self.color_rows).astype(np.intp)
        return self._row_set


@dataclass
class PaintState:
    """What a piece's colours were painted from: repainting the same again is skipped.

    ``selected`` and ``kept`` are the piece's own rows (of :meth:`Piece.row_set`) that
    are highlighted and not dimmed (``None``: no dimming); ``base`` the base colours
    painted over; ``marked`` the overlay's key for the piece (``None``: no marks on it).
    """

    base: np.ndarray
    selected: np.ndarray
    kept: np.ndarray | None
    marked: tuple | None

    def same(self, other: PaintState) -> bool:
        return self.base is other.base and \
            np.array_equal(self.selected, other.selected) and \
            _same_or_none(self.kept, other.kept) and \
            _same_marks(self.marked, other.marked)


def _same_marks(a: tuple | None, b: tuple | None) -> bool:
    """Overlay keys: (marks object, blink phase or None, marked rows)."""
    if a is None or b is None:
        return a is b
    return a[0] is b[0] and a[1] == b[1] and np.array_equal(a[2], b[2])


def _same_or_none(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    return a is None and b is None or a is not None and b is not None and \
        np.array_equal(a, b)


@dataclass
class _Cells:
    """Arrays of one kind of geometry before they become VTK objects."""

    points: np.ndarray       # (n, 3)
    cells: np.ndarray        # (m, 3) triangles or (m, 2) segments
    rows: np.ndarray         # (m,)
    colors: np.ndarray       # (m, 4) uint8
    kind: str
    uv: np.ndarray | None = None
    texture: np.ndarray | None = None
    vertex_rows: np.ndarray | None = None  # set when known: row owning each vertex


def layer_pieces(layer: Layer) -> list[Piece]:
    """Build the pieces of a layer, split into spatial tiles when large."""
    style = layer.style or {}
    pieces = []
    for batch in layer.batches:
        if isinstance(batch, TriangleBatch) and len(batch.triangles):
            cells = _triangles(layer, batch, style)
        elif isinstance(batch, LineBatch) and len(batch.segments):
            cells = _lines(batch, style)
        elif isinstance(batch, PointBatch) and len(batch.points):
            cells = _instances(layer, batch, style)
            cones = _view_cones(layer, batch, style)
            if cones is not None:
                for tile in _tiles(cones):
                    piece = _piece(tile)
                    piece.hide_while_moving = True  # decoration, like the cameras themselves
                    pieces.append(piece)
        else:
            continue
        if cells.kind == "triangles" and _one_object(cells.rows):
            # a scanned mesh is one object: no tiles, and its decimated stand-in for
            # moving is made later, in idle time (see SceneView.build_next_pending)
            piece = _piece(cells)
            piece._row_set = cells.rows[:1].astype(np.intp)  # its one row: no np.unique
            piece.lod_wanted = len(cells.cells) > MESH_LOD_CELLS
            pieces.append(piece)
        else:
            pieces.extend(_piece(tile) for tile in _tiles(cells))
    for piece in pieces:
        # shared, not copied: base colours are replaced, never written in place
        piece.plain_colors = piece.base_colors
    apply_style(layer, pieces)
    return pieces


def apply_style(layer: Layer, pieces: list[Piece]) -> None:
    """Recompute the base colours of ``pieces`` from the layer's (categorized) style.

    Per-row colours indexed by each piece's ``color_rows``; textured pieces keep
    their texture.  Only base colours change: the caller repaints the selection.
    """
    styled = row_colors(layer)
    for piece in pieces:
        if piece.texture is not None or piece.plain_colors is None:
            continue
        if styled is None:  # no categorized style: the plain colours as they are
            piece.base_colors = piece.plain_colors
        else:
            piece.base_colors = styled_colors(piece.plain_colors, piece.color_rows, styled)


def _one_object(rows: np.ndarray) -> bool:
    return len(rows) > 0 and rows[0] == rows[-1] and bool(np.all(rows == rows[0]))


def _triangles(layer: Layer, batch: TriangleBatch, style: dict) -> _Cells:
    n = len(batch.triangles)
    if batch.texture is not None and batch.uv is not None:
        white = np.full((n, 4), 255, dtype=np.uint8)  # white: the texture shows as it is
        return _Cells(batch.points, batch.triangles, batch.rows, white, "triangles",
                      uv=np.asarray(batch.uv, dtype=np.float32), texture=batch.texture)
    default = DEFAULT_MESH if layer.kind == "mesh" else DEFAULT_POLYGON
    if batch.colors is not None and style.get("use_file_colors", True) and "color" not in style:
        colors = np.asarray(batch.colors, dtype=np.uint8).reshape(n, 4)
    else:
        colors = np.broadcast_to(rgba(style.get("color"), default), (n, 4))
    return _Cells(batch.points, batch.triangles, batch.rows, colors, "triangles")


def _lines(batch: LineBatch, style: dict) -> _Cells:
    colors = np.broadcast_to(rgba(style.get("color"), DEFAULT_LINE), (len(batch.segments), 4))
    return _Cells(batch.points, batch.segments, batch.rows, colors, "lines")


def _instances(layer: Layer, batch: PointBatch, style: dict) -> _Cells:
    """Point objects as copies of their asset model, merged into one set of arrays.

    numpy broadcasting: 100,000 instances x 12 triangles is one array operation.
    """
    asset_of_instance = assets_of_rows(layer, batch.rows, style.get("assets"))
    scale = np.full(len(batch.rows), float(style.get("point_scale", 1.0)))
    factors = size_factors(layer, style)
    if factors is not None:
        scale *= factors[batch.rows]
    pts, tris, rows, cols = [], [], [], []
    offset = 0
    for asset in sorted(set(asset_of_instance.tolist())):
        sel = np.nonzero(asset_of_instance == asset)[0]
        verts, faces = load_asset(asset)
        k, nv, nt = len(sel), len(verts), len(faces)
        pts.append((verts[None, :, :] * scale[sel, None, None]
                    + batch.points[sel][:, None, :]).reshape(-1, 3))
        tris.append((faces[None, :, :] + (offset + nv * np.arange(k))[:, None, None])
                    .reshape(-1, 3))
        rows.append(np.repeat(batch.rows[sel], nt))
        color = rgba(style.get("color"), ASSET_COLORS.get(asset, ASSET_COLORS["marker"]))
        cols.append(np.broadcast_to(color, (k * nt, 4)))
        offset += k * nv
    return _Cells(np.concatenate(pts), np.concatenate(tris), np.concatenate(rows),
                  np.concatenate(cols), "instances")


CONE_SEGMENTS = 8
CONE_ALPHA = 55


def _view_cones(layer: Layer, batch: PointBatch, style: dict) -> _Cells | None:
    """What each camera sees, as a translucent wedge from its head to the ground.

    ``style["view_cone"]``: ``heading`` (a field of compass degrees, clockwise from
    north), ``range`` (metres, default 30) and ``angle`` (field of view in degrees,
    default 60).  Picking a wedge selects its camera.
    """
    cone = style.get("view_cone")
    if not isinstance(cone, dict):
        return None
    df = layer.table.df
    field = cone.get("heading")
    heading = (pd.to_numeric(df[field], errors="coerce").to_numpy(dtype=np.float64)
               if field in df.columns else np.zeros(len(df)))[batch.rows]
    keep = np.isfinite(heading)
    if not keep.any():
        return None
    origin, rows, heading = batch.points[keep], batch.rows[keep], np.radians(heading[keep])
    reach = float(cone.get("range", 30.0))
    half = np.radians(float(cone.get("angle", 60.0))) / 2
    k, s = len(rows), CONE_SEGMENTS
    az = heading[:, None] + np.linspace(-half, half, s + 1)[None, :]      # (k, s+1)
    arc = np.empty((k, s + 1, 3))
    arc[..., 0] = origin[:, None, 0] + reach * np.sin(az)
    arc[..., 1] = origin[:, None, 1] + reach * np.cos(az)
    arc[..., 2] = origin[:, None, 2] + 0.2
    height = asset_height("camera") * float(style.get("point_scale", 1.0))
    head = origin + [0.0, 0.0, height]
    # vertices per camera: head, ground foot, s+1 arc points
    points = np.concatenate([head[:, None], (origin + [0, 0, 0.2])[:, None], arc], axis=1)
    nv = s + 3
    i = np.arange(s)
    local = np.concatenate([np.stack([np.zeros(s), i + 2, i + 3], axis=1),   # the slanted face
                            np.stack([np.ones(s), i + 3, i + 2], axis=1)])   # the ground sector
    cells = (local[None].astype(np.int64) + (nv * np.arange(k))[:, None, None]).reshape(-1, 3)
    color = rgba(style.get("color"), ASSET_COLORS["camera"]).copy()
    color[3] = CONE_ALPHA
    return _Cells(points.reshape(-1, 3), cells, np.repeat(rows, 2 * s),
                  np.broadcast_to(color, (len(cells), 4)), "triangles")


def _vertex_rows(c: _Cells) -> np.ndarray | None:
    """Row of each vertex when no vertex is shared by two objects, else ``None``."""
    if c.vertex_rows is not None:
        return c.vertex_rows
    vr = np.full(len(c.points), -1, dtype=np.int64)
    vr[c.cells.ravel()] = np.repeat(c.rows, c.cells.shape[1])
    if np.all(vr[c.cells] == c.rows[:, None]):
        return vr
    return None


def _tiles(c: _Cells) -> list[_Cells]:
    """Split into a grid of spatial tiles by object, so culling helps when zoomed in.

    All cells of one object land in the same tile (by the object's first cell),
    which keeps picking and highlighting a per-tile array look-up.
    """
    m = len(c.cells)
    want = int(np.clip(m // CELLS_PER_TILE, 1, MAX_TILES))
    if want <= 1:
        return [c]
    k = int(np.ceil(np.sqrt(want)))
    first = c.points[c.cells[:, 0], :2]
    first_cell = np.full(int(c.rows.max()) + 1, -1, dtype=np.int64)
    first_cell[c.rows[::-1]] = np.arange(m - 1, -1, -1)  # the last write wins: the first cell
    row_ids = np.nonzero(first_cell >= 0)[0]
    first_cell = first_cell[row_ids]
    lo, hi = minmax(first)
    span = np.where(hi - lo > 0, hi - lo, 1.0)
    gx = np.minimum(((first[first_cell, 0] - lo[0]) / span[0] * k).astype(int), k - 1)
    gy = np.minimum(((first[first_cell, 1] - lo[1]) / span[1] * k).astype(int), k - 1)
    tile_of_row = np.zeros(int(c.rows.max()) + 1, dtype=np.int64)
    tile_of_row[row_ids] = gy * k + gx
    cell_tile = tile_of_row[c.rows]
    order = np.argsort(cell_tile, kind="stable")
    cuts = np.searchsorted(cell_tile[order], np.arange(k * k + 1))
    # Vertices owned by one object (prisms, instances) are split without np.unique:
    # each vertex's rank inside its tile is its new index.
    vrows = _vertex_rows(c)
    if vrows is not None:
        vtile = np.where(vrows >= 0, tile_of_row[np.maximum(vrows, 0)], -1)
        vorder = np.argsort(vtile, kind="stable")
        vcuts = np.searchsorted(vtile[vorder], np.arange(-1, k * k + 1))[1:]
        rank = np.empty(len(vtile), dtype=np.int64)
        rank[vorder] = np.arange(len(vtile)) - vcuts[np.maximum(vtile[vorder], 0)]
    out = []
    for t in range(k * k):
        ids = order[cuts[t]:cuts[t + 1]]
        if not len(ids):
            continue
        cells = c.cells[ids]
        if vrows is not None:
            used = vorder[vcuts[t]:vcuts[t + 1]]
            local = rank[cells]
        else:
            used, local = np.unique(cells, return_inverse=True)
            local = local.reshape(cells.shape)
        tile = _Cells(c.points[used], local, c.rows[ids], c.colors[ids],
                      c.kind, uv=None if c.uv is None else c.uv[used], texture=c.texture,
                      vertex_rows=None if vrows is None else vrows[used])
        out.append(tile)
    return out


def _piece(c: _Cells) -> Piece:
    if c.kind == "lines":
        poly = _polylines(c.points, c.cells)
    else:
        # int32 connectivity where the indices fit: VTK keeps 32-bit cell arrays as they
        # are (half the bytes of int64, and the int64 tile array is not kept alive)
        cells = c.cells.astype(np.int32) if len(c.points) < 2**31 else c.cells
        poly = pv.PolyData.from_regular_faces(c.points.astype(np.float32), cells)
        if c.uv is not None:
            poly.active_texture_coordinates = c.uv
    # int32 rows: the same buffer is VTK's "row" cell array (_attach_arrays)
    rows = np.ascontiguousarray(c.rows, dtype=np.int32 if len(c.rows) == 0 or
                                int(c.rows.max()) < 2**31 else np.int64)
    per_vertex = _vertex_colors(c) if c.kind != "lines" else None
    if per_vertex is not None:
        # colours per vertex: llvmpipe draws them far faster than per-cell colours
        color_rows, colors = per_vertex
        color_rows = color_rows.astype(np.int32, copy=False)  # per vertex: half the bytes
    else:
        colors = np.empty((len(c.cells), 4), dtype=np.uint8)  # C-contiguous: VTK shares it
        colors[:] = c.colors
        color_rows = rows
    piece = Piece(poly, rows, colors.copy(), colors, c.kind, color_rows=color_rows,
                  texture=c.texture)
    _attach_arrays(poly, piece, per_vertex=per_vertex is not None)
    if c.kind == "instances":
        piece.hide_while_moving = True  # thousands of small objects: gone while dragging
    return piece


def _vertex_colors(c: _Cells) -> tuple[np.ndarray, np.ndarray] | None:
    """``(row of each vertex, RGBA of each vertex)`` when every object owns its
    vertices and has one colour; ``None`` when colours must stay per cell."""
    colors = np.asarray(c.colors)
    if colors.strides[0] == 0 and _one_object(c.rows):  # one object, one colour: no checks
        per_vertex = np.empty((len(c.points), 4), dtype=np.uint8)
        per_vertex[:] = colors[0]
        return np.full(len(c.points), c.rows[0], dtype=np.int32), per_vertex
    vrows = _vertex_rows(c)
    if vrows is None or np.any(vrows < 0):
        return None
    per_vertex = np.zeros((len(c.points), 4), dtype=np.uint8)
    per_vertex[c.cells.ravel()] = np.repeat(colors, c.cells.shape[1], axis=0)
    if not np.array_equal(per_vertex[c.cells], np.broadcast_to(colors[:, None, :],
                                                               (*c.cells.shape, 4))):
        return None
    return vrows, per_vertex


def _attach_arrays(poly: pv.PolyData, piece: Piece, per_vertex: bool) -> None:
    # shared, not copied, when int32 (always below 2**31 rows): the numpy array is the storage
    vtk_rows = numpy_to_vtk(piece.rows, deep=piece.rows.dtype != np.int32)
    vtk_rows.SetName(ROW_ARRAY)
    poly.GetCellData().AddArray(vtk_rows)
    vtk_colors = numpy_to_vtk(piece.colors, deep=False)  # the numpy array is the VTK storage
    vtk_colors.SetName(COLOR_ARRAY)
    data = poly.GetPointData() if per_vertex else poly.GetCellData()
    data.SetScalars(vtk_colors)
    piece.vtk_colors = vtk_colors  # keep the wrappers alive with their numpy buffers
    piece.vtk_rows = vtk_rows


def _polylines(points: np.ndarray, segments: np.ndarray) -> pv.PolyData:
    poly = pv.PolyData(points.astype(np.float32))
    cells = vtk.vtkCellArray()
    offsets = np.arange(0, 2 * len(segments) + 1, 2, dtype=np.int64)
    cells.SetData(numpy_to_vtk(offsets, deep=True),
                  numpy_to_vtk(segments.ravel().astype(np.int64), deep=True))
    poly.SetLines(cells)
    return poly


def decimated(poly: pv.PolyData, divisions: int = 160) -> pv.PolyData:
    """A fast, coarse stand-in for a huge mesh (quadric clustering, linear time)."""
    clus = vtk.vtkQuadricClustering()
    clus.SetInputData(poly)
    clus.SetNumberOfDivisions(divisions, divisions, max(8, divisions // 4))
    clus.AutoAdjustNumberOfDivisionsOn()
    clus.CopyCellDataOn()
    clus.Update()
    return pv.wrap(clus.GetOutput())
