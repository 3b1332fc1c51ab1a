"""A height grid triangulated by error (pydelatin), with skirts so tiles never crack."""

from __future__ import annotations

import numpy as np
from pydelatin import Delatin


def triangulate(z: np.ndarray, max_error: float) -> tuple[np.ndarray, np.ndarray, float]:
    """Triangles approximating the grid ``z`` to within ``max_error`` metres.

    Parameters
    ----------
    z : numpy.ndarray
        ``(rows, cols)`` heights, row 0 at the north, no NaN.
    max_error : float
        Largest vertical distance between the surface and the grid (Delatin's
        greedy insertion stops when every cell is within it).

    Returns
    -------
    vertices : (n, 3) float64 array
        ``(col, row_from_south, z)``: grid units across, metres up.
    triangles : (m, 3) int64 array
        Counter-clockwise seen from above.
    error : float
        The error reached (at most ``max_error``).
    """
    rows, cols = z.shape
    if rows < 2 or cols < 2:
        z = np.broadcast_to(z.reshape(rows, cols)[:1, :1], (2, 2))
        rows, cols = 2, 2
    tin = Delatin(np.ascontiguousarray(z, dtype=np.float32), width=cols, height=rows,
                  max_error=float(max_error))
    verts = np.asarray(tin.vertices, dtype=np.float64)
    tris = np.asarray(tin.triangles, dtype=np.int64)
    if len(tris):
        a, b, c = verts[tris[:, 0], :2], verts[tris[:, 1], :2], verts[tris[:, 2], :2]
        cross = (b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0])
        flip = cross < 0
        tris[flip] = tris[flip][:, [0, 2, 1]]
    return verts, tris, float(tin.error)


def boundary_edges(triangles: np.ndarray) -> np.ndarray:
    """Edges used by one triangle only (the mesh's outline and holes), as ``(k, 2)``
    vertex pairs in the triangles' winding order."""
    if not len(triangles):
        return np.zeros((0, 2), dtype=np.int64)
    edges = np.concatenate([triangles[:, [0, 1]], triangles[:, [1, 2]], triangles[:, [2, 0]]])
    # an undirected edge as one int64 (low * n + high): a 1-D sort, several times faster
    # than np.unique over rows
    n = int(edges.max()) + 1
    key = np.minimum(edges[:, 0], edges[:, 1]) * n + np.maximum(edges[:, 0], edges[:, 1])
    order = np.argsort(key, kind="stable")
    k = key[order]
    alone = np.ones(len(k), dtype=bool)
    same = k[1:] == k[:-1]
    alone[1:] &= ~same
    alone[:-1] &= ~same
    once = np.empty(len(k), dtype=bool)
    once[order] = alone
    return edges[once]


def add_skirts(points: np.ndarray, triangles: np.ndarray, depth: float,
               sides: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hang a vertical curtain ``depth`` metres down from every outline edge.

    Neighbouring tiles at different levels meet at different heights; the curtains
    fill the gap, so the background never shows through (as Cesium's terrain does).
    ``sides`` (a bit mask per point, one bit per outer side of the whole ground) leaves
    out the edges along the ground's outer border: nothing meets them there, and a
    curtain would only show as a wall. Returns the new points, triangles and, per point, the index of the point it
    hangs from (itself for surface points), for copying texture coordinates.
    """
    edges = boundary_edges(triangles)
    if sides is not None and len(edges):
        edges = edges[(sides[edges[:, 0]] & sides[edges[:, 1]]) == 0]
    n = len(points)
    source = np.arange(n)
    if not len(edges) or depth <= 0:
        return points, triangles, source
    used = np.unique(edges)
    low = np.full(n, -1, dtype=np.int64)
    low[used] = n + np.arange(len(used))
    hang = points[used].copy()
    hang[:, 2] -= depth
    a, b = edges[:, 0], edges[:, 1]
    # outward-facing quads: (b, a, a_low) and (b, a_low, b_low)
    quads = np.concatenate([np.column_stack([b, a, low[a]]),
                            np.column_stack([b, low[a], low[b]])])
    return (np.concatenate([points, hang]), np.concatenate([triangles, quads]),
            np.concatenate([source, used]))
