"""单体化: which footprint (and so which table row) a point of a scanned surface belongs to.

A scan is one continuous surface; the buildings in it become objects through a
footprint layer. :class:`FootprintIndex` turns the footprints (shapely polygons in
local scene coordinates) into a lookup that answers millions of points at once:

- an id grid, rasterised once by an exact scanline fill in numpy (cell centres inside
  exactly one footprint carry its row), so no GDAL is needed in ``core``;
- cells an outline passes through, and cells where footprints overlap, are marked
  "exact": their points are tested with shapely against just the footprints there;
- per-row height ranges ``[base - margin, top + margin]``: a point above a roof or
  below the ground is no part of the building, so a tree over a roof is not it.

The decode worker of a tiles layer calls :func:`classify_tile` on every decoded tile;
the renderer then colours the scan by row as it colours batches, so highlight, dimming
and thematic styles work at every level of detail.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import shapely

from twinviewer.core.layer import Layer, TriangleBatch

log = logging.getLogger(__name__)

NONE = -1  # no footprint holds the point
_EXACT = -2  # grid marker: resolve the points of this cell with shapely
MAX_CELLS = 25_000_000  # ~100 MB of int32 (plus the fill's int64 sums while built)


@dataclass(frozen=True)
class TileRows:
    """Row ids of one decoded tile (``-1``: unclassified ground, trees, roads...).

    ``vertex_rows``: one per vertex (for per-vertex colouring); ``triangle_rows``: one
    per triangle, by its centroid (for per-cell colouring, like ``TriangleBatch.rows``),
    or None when the tile has no triangles (a point cloud).
    """

    vertex_rows: np.ndarray
    triangle_rows: np.ndarray | None


class FootprintIndex:
    """Footprints of a layer's objects as a point -> row lookup.

    Build it with :meth:`from_layer` (a polygon layer placed in a scene) or
    :meth:`from_polygons`; it is immutable afterwards and safe to share between
    worker threads (numpy reads and shapely's STRtree queries only).

    Parameters
    ----------
    polygons : ndarray of shapely geometry or None
        One (multi)polygon per table row, local scene coordinates; None: no footprint.
    z_lo, z_hi : ndarray of float
        Per row: the height range a point must lie in (margins already applied).
    cell : float, default: 0.5
        Grid cell size in metres (made coarser when the area would need more than
        :data:`MAX_CELLS` cells).
    """

    def __init__(self, polygons, z_lo, z_hi, cell: float = 0.5) -> None:
        polys = np.asarray(polygons, dtype=object).reshape(-1)
        n = len(polys)
        self.z_lo = np.asarray(z_lo, dtype=np.float64).reshape(-1)
        self.z_hi = np.asarray(z_hi, dtype=np.float64).reshape(-1)
        if len(self.z_lo) != n or len(self.z_hi) != n:
            raise ValueError("z_lo, z_hi and polygons need one entry per row")
        present = np.array([p is not None for p in polys], dtype=bool)
        if np.any(present):
            present[present] = ~shapely.is_empty(polys[present])
        fixed = polys.copy()
        if np.any(present):
            fixed[present] = shapely.make_valid(shapely.force_2d(polys[present]))
        self.polygons = fixed
        self.rows = n
        parts, part_rows = _polygon_parts(fixed[present], np.nonzero(present)[0])
        self._parts = parts
        self._part_rows = part_rows
        # ties between overlapping footprints go to the smaller whole footprint
        self._part_area = shapely.area(fixed[part_rows]) if len(parts) else np.empty(0)
        self._tree = shapely.STRtree(parts)
        self._build_grid(parts, part_rows, float(cell))

    # -- construction ---------------------------------------------------------
    @classmethod
    def from_polygons(cls, polygons, base, top, *, cell: float = 0.5,
                      margin: float = 1.0) -> FootprintIndex:
        """An index of footprints with a base and top height per row.

        Parameters
        ----------
        polygons : sequence of shapely geometry or None
            Footprint per row in local scene coordinates (x, y).
        base, top : array-like of float
            Lowest and highest z of each object; points within ``margin`` of that
            range still count (a scan's ground and roof are noisy).
        cell : float, default: 0.5
        margin : float, default: 1.0

        Examples
        --------
        >>> idx = FootprintIndex.from_polygons([shapely.box(0, 0, 10, 10)], [0], [12])
        >>> idx.rows_at([[5.0, 5.0, 3.0], [20.0, 5.0, 3.0]]).tolist()
        [0, -1]
        """
        base = np.asarray(base, dtype=np.float64)
        top = np.asarray(top, dtype=np.float64)
        return cls(polygons, base - margin, top + margin, cell=cell)

    @classmethod
    def from_layer(cls, layer: Layer, cell: float = 0.5, margin: float = 1.0
                   ) -> FootprintIndex:
        """The index of a polygon layer's objects, as the scene placed them.

        A footprint is the union of an object's (near-)horizontal triangles seen from
        above: an extruded polygon's roof, a CityJSON ground or roof surface. Its
        height range is its vertices' z range, widened by ``margin``. Rows without
        triangles (points, lines) get no footprint.

        Parameters
        ----------
        layer : Layer
            In local scene coordinates (after ``Scene.add_layer``).
        cell : float, default: 0.5
            Grid cell in metres.
        margin : float, default: 1.0
            Metres below the base and above the top that still belong to the object.
        """
        n = len(layer)
        zmin = np.full(n, np.inf)
        zmax = np.full(n, -np.inf)
        tris, tri_rows = [], []
        for b in layer.batches:
            if not isinstance(b, TriangleBatch) or not len(b.rows):
                continue
            p = b.points[b.triangles]  # (m, 3, 3)
            z = p[:, :, 2]
            np.minimum.at(zmin, b.rows, z.min(axis=1))
            np.maximum.at(zmax, b.rows, z.max(axis=1))
            normal = np.cross(p[:, 1] - p[:, 0], p[:, 2] - p[:, 0])
            area2 = np.linalg.norm(normal, axis=1)
            flat = (np.abs(normal[:, 2]) > 0.5 * area2) & (np.abs(normal[:, 2]) > 1e-9)
            if np.any(flat):
                xy = p[flat][:, :, :2]
                tris.append(shapely.polygons(np.concatenate([xy, xy[:, :1]], axis=1)))
                tri_rows.append(b.rows[flat])
        polygons = np.full(n, None, dtype=object)
        if tris:
            polygons = _union_by_row(np.concatenate(tris), np.concatenate(tri_rows), n)
        has = np.isfinite(zmin)
        polygons[~has] = None
        zmin[~has] = np.nan
        zmax[~has] = np.nan
        return cls(polygons, zmin - margin, zmax + margin, cell=cell)

    def _build_grid(self, parts: np.ndarray, part_rows: np.ndarray, cell: float) -> None:
        if not len(parts):
            self.cell, self.x0, self.y0 = cell, 0.0, 0.0
            self.grid = np.full((1, 1), NONE, dtype=np.int32)
            return
        xmin, ymin, xmax, ymax = shapely.total_bounds(parts)
        span = max(xmax - xmin, 1e-6) * max(ymax - ymin, 1e-6)
        if span / cell ** 2 > MAX_CELLS:
            coarser = float(np.sqrt(span / MAX_CELLS)) * 1.01
            log.info("footprints span %.0f m2: grid cell %.2f m instead of %.2f m",
                     span, coarser, cell)
            cell = coarser
        self.cell = cell
        self.x0 = float(np.floor(xmin / cell) * cell - 2 * cell)
        self.y0 = float(np.floor(ymin / cell) * cell - 2 * cell)
        nx = int(np.ceil((xmax - self.x0) / cell)) + 3
        ny = int(np.ceil((ymax - self.y0) / cell)) + 3
        edges = _edges(parts)  # (e, 4) xa ya xb yb and the part of each
        seg, seg_part = edges
        cells, rows = _scanline_fill(seg, seg_part, part_rows, self.x0, self.y0, cell, nx)
        grid = np.full((ny, nx), NONE, dtype=np.int32)
        flat = grid.ravel()
        flat[cells] = rows
        # centres under two footprints (overlaps) are left to shapely and height ranges
        flat[np.bincount(cells, minlength=flat.size) > 1] = _EXACT
        grid[_outline_cells(seg, self.x0, self.y0, cell, nx, ny)] = _EXACT
        self.grid = grid

    # -- look-ups ---------------------------------------------------------------
    def rows_at(self, points) -> np.ndarray:
        """Row of the footprint holding each point (``-1``: none), vectorised.

        Parameters
        ----------
        points : array-like, shape (n, 3)
            float64, local scene coordinates. A point counts when its (x, y) lies in
            a footprint (on the outline counts too) and its z in that row's height
            range; where several footprints qualify the smallest wins (a tower on a
            podium). NaN points get ``-1``.

        Returns
        -------
        ndarray of int64, shape (n,)
        """
        pts = np.asarray(points, dtype=np.float64).reshape(-1, 3)
        out = np.full(len(pts), NONE, dtype=np.int64)
        if not len(pts) or not len(self._parts):
            return out
        fx = (pts[:, 0] - self.x0) / self.cell
        fy = (pts[:, 1] - self.y0) / self.cell
        ny, nx = self.grid.shape
        inside = (fx >= 0) & (fx < nx) & (fy >= 0) & (fy < ny)  # False for NaN
        idx = np.nonzero(inside)[0]
        g = self.grid[fy[idx].astype(np.int64), fx[idx].astype(np.int64)]
        hit = g >= 0
        hi, hr = idx[hit], g[hit].astype(np.int64)
        z = pts[hi, 2]
        ok = (z >= self.z_lo[hr]) & (z <= self.z_hi[hr])
        out[hi[ok]] = hr[ok]
        exact = idx[g == _EXACT]
        if len(exact):
            out[exact] = self._exact_rows(pts[exact])
        return out

    def _exact_rows(self, pts: np.ndarray) -> np.ndarray:
        """Shapely's answer for points near outlines or where footprints overlap."""
        out = np.full(len(pts), NONE, dtype=np.int64)
        which, part = self._tree.query(shapely.points(pts[:, :2]), predicate="intersects")
        if not len(which):
            return out
        rows = self._part_rows[part]
        z = pts[which, 2]
        ok = (z >= self.z_lo[rows]) & (z <= self.z_hi[rows])
        which, rows, area = which[ok], rows[ok], self._part_area[part[ok]]
        order = np.lexsort((rows, area, which))  # per point: smallest footprint first
        which, rows = which[order], rows[order]
        first = np.ones(len(which), dtype=bool)
        first[1:] = which[1:] != which[:-1]
        out[which[first]] = rows[first]
        return out

    def rows_of_triangles(self, points, triangles) -> np.ndarray:
        """Row of each triangle, by its centroid (``-1``: none).

        Parameters
        ----------
        points : array-like, shape (n, 3)
            float64 vertices in local scene coordinates.
        triangles : array-like of int, shape (m, 3)
            Vertex indices.
        """
        pts = np.asarray(points, dtype=np.float64).reshape(-1, 3)
        tri = np.asarray(triangles, dtype=np.int64).reshape(-1, 3)
        if not len(tri):
            return np.empty(0, dtype=np.int64)
        centroid = (pts[tri[:, 0]] + pts[tri[:, 1]] + pts[tri[:, 2]]) / 3.0
        return self.rows_at(centroid)

    @property
    def bounds(self) -> tuple[float, float, float, float] | None:
        """``(xmin, ymin, xmax, ymax)`` of the footprints, or None without any."""
        if not len(self._parts):
            return None
        return tuple(float(v) for v in shapely.total_bounds(self._parts))


def classify_tile(index: FootprintIndex, points, triangles=None, transform=None,
                  *, vertices: bool = True) -> TileRows:
    """Row ids for a decoded tile's arrays, for colouring the scan by row.

    Called in the decode worker (no Qt, no VTK; the index is read-only, so workers
    share one).

    Parameters
    ----------
    index : FootprintIndex
    points : array-like, shape (n, 3)
        The tile's vertices.
    triangles : array-like of int, shape (m, 3), optional
        Vertex indices; None for a point cloud.
    transform : array-like, shape (4, 4), optional
        Column-vector matrix taking ``points`` to local scene coordinates (the tile's
        composed transform with the scene origin already subtracted), applied in
        float64; None: ``points`` are already scene-local.
    vertices : bool, default: True
        Whether to classify the vertices too (skip when colouring per triangle only;
        ``vertex_rows`` is then all ``-1``).

    Returns
    -------
    TileRows
    """
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 3)
    if transform is not None:
        m = np.asarray(transform, dtype=np.float64).reshape(4, 4)
        pts = pts @ m[:3, :3].T + m[:3, 3]
    vrows = index.rows_at(pts) if vertices else np.full(len(pts), NONE, dtype=np.int64)
    trows = None if triangles is None else index.rows_of_triangles(pts, triangles)
    return TileRows(vrows, trows)


# -- helpers -------------------------------------------------------------------
def _polygon_parts(geoms: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Polygon parts of each row's (multi)polygon or collection, with their rows."""
    if not len(geoms):
        return np.empty(0, dtype=object), np.empty(0, dtype=np.int64)
    for _ in range(4):  # collections from make_valid nest shallowly
        geoms, idx = shapely.get_parts(geoms, return_index=True)
        rows = rows[idx]
        if not np.any(shapely.get_type_id(geoms) >= 4):
            break
    keep = (shapely.get_type_id(geoms) == 3) & (shapely.area(geoms) > 0)
    return geoms[keep], np.asarray(rows[keep], dtype=np.int64)


def _union_by_row(tris: np.ndarray, rows: np.ndarray, n: int) -> np.ndarray:
    """One footprint per row: the union of its triangles seen from above."""
    out = np.full(n, None, dtype=object)
    order = np.argsort(rows, kind="stable")
    tris, rows = tris[order], rows[order]
    starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    ends = np.r_[starts[1:], len(rows)]
    for s, e in zip(starts, ends, strict=True):  # once per object, at build time
        out[rows[s]] = shapely.union_all(tris[s:e])
    return out


def _edges(parts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every ring edge of the parts as ``(xa, ya, xb, yb)`` and its part index."""
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    xy, ring = shapely.get_coordinates(rings, return_index=True)
    k = np.flatnonzero(ring[:-1] == ring[1:])
    seg = np.column_stack([xy[k], xy[k + 1]])
    return seg, ring_part[ring[k]]


def _spans(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For items with ``counts[i]`` repeats: the item of each repeat and its ordinal."""
    item = np.repeat(np.arange(len(counts)), counts)
    start = np.cumsum(counts) - counts
    return item, np.arange(int(counts.sum())) - np.repeat(start, counts)


def _scanline_fill(seg, seg_part, values, x0, y0, cell, nx):
    """The cells whose centre a part covers (flat indices) and that part's value, one
    entry per (cell, covering part); even-odd rule per part, so holes stay empty.

    A centre ``(xc, yc)`` is covered when, on the scanline ``y = yc``, it lies between
    an odd and the next even crossing of the part's edges, half-open so parts sharing
    an edge never both cover a centre on it.
    """
    ya, yb = seg[:, 1], seg[:, 3]
    lo, hi = np.minimum(ya, yb), np.maximum(ya, yb)
    first = np.ceil((lo - y0) / cell - 0.5).astype(np.int64)
    last = np.ceil((hi - y0) / cell - 0.5).astype(np.int64)  # exclusive
    e, k = _spans(np.maximum(last - first, 0))
    line = first[e] + k
    yc = y0 + (line + 0.5) * cell
    xa, xb = seg[e, 0], seg[e, 2]
    t = (yc - seg[e, 1]) / (seg[e, 3] - seg[e, 1])
    x = xa + t * (xb - xa)
    part = seg_part[e]
    order = np.lexsort((x, line, part))  # crossings come in pairs within (part, line)
    x, line, part = x[order], line[order], part[order]
    xs, xe, span_line = x[0::2], x[1::2], line[0::2]
    c0 = np.clip(np.ceil((xs - x0) / cell - 0.5).astype(np.int64), 0, nx)
    c1 = np.clip(np.ceil((xe - x0) / cell - 0.5).astype(np.int64), 0, nx)
    v = np.asarray(values, dtype=np.int64)[part[0::2]]
    keep = c1 > c0
    span_line, c0, c1, v = span_line[keep], c0[keep], c1[keep], v[keep]
    e, k = _spans(c1 - c0)  # every covered cell of every span: about the footprint area
    return span_line[e] * nx + c0[e] + k, v[e]


def _outline_cells(seg, x0, y0, cell, nx, ny) -> np.ndarray:
    """Boolean grid of every cell an edge passes through (a superset: samples every
    cell along each edge, grown by one cell around)."""
    d = seg[:, 2:] - seg[:, :2]
    length = np.hypot(d[:, 0], d[:, 1])
    e, k = _spans(np.ceil(length / cell).astype(np.int64) + 1)
    t = k / np.maximum(np.ceil(length / cell), 1.0)[e]
    x = seg[e, 0] + t * d[e, 0]
    y = seg[e, 1] + t * d[e, 1]
    ix = np.clip(((x - x0) / cell).astype(np.int64), 0, nx - 1)
    iy = np.clip(((y - y0) / cell).astype(np.int64), 0, ny - 1)
    hit = np.zeros((ny, nx), dtype=bool)
    hit[iy, ix] = True
    # each point of an edge lies within half a cell of a sample: grow by one cell
    grown = hit.copy()
    grown[1:, :] |= hit[:-1, :]
    grown[:-1, :] |= hit[1:, :]
    rows = grown.copy()
    rows[:, 1:] |= grown[:, :-1]
    rows[:, :-1] |= grown[:, 1:]
    return rows
