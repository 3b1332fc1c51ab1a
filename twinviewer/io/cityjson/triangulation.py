"""Triangulation of planar surfaces with holes in 3D (Newell normal + ear cut).
"""

from __future__ import annotations

import mapbox_earcut
import numpy as np


def triangulate_surfaces(pool: np.ndarray, flat: np.ndarray, ring_lens: np.ndarray,
                 surf_rings: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Triangles (pool indices), their surface index, and the count of skipped surfaces.

    A public helper of the reader that others may use for planar polygons with holes
    in 3D.  ``pool`` holds the vertices ``(n, 3)``; ``flat`` the pool index of every
    ring vertex, ring after ring; ``ring_lens`` each ring's vertex count;
    ``surf_rings`` each surface's ring count (its outer ring first, then holes).

    Each surface (outer ring plus holes) is projected onto the plane of its
    Newell normal and ear-cut; triangles are wound like the outer ring.
    """
    nsurf = len(surf_rings)
    nring = len(ring_lens)
    empty = (np.empty((0, 3), dtype=np.int64), np.empty(0, dtype=np.int64))
    ring_of = np.repeat(np.arange(nring), ring_lens)
    surf_of_ring = np.repeat(np.arange(nsurf), surf_rings)
    ring_start = np.cumsum(ring_lens) - ring_lens

    # Drop repeated consecutive points (and the closing point, if written).
    pts = pool[flat]
    prev = np.arange(len(flat)) - 1
    prev[ring_start[ring_lens > 0]] = (ring_start + ring_lens - 1)[ring_lens > 0]
    keep = ~np.all(pts == pts[prev], axis=1) if len(flat) else np.zeros(0, dtype=bool)
    ring_lens = np.bincount(ring_of[keep], minlength=nring)
    flat, pts, ring_of = flat[keep], pts[keep], ring_of[keep]

    # A surface needs an outer ring of 3+ points; holes of fewer are dropped.
    first_ring = np.cumsum(surf_rings) - surf_rings
    has_outer = surf_rings > 0
    surf_ok = np.zeros(nsurf, dtype=bool)
    surf_ok[has_outer] = ring_lens[first_ring[has_outer]] >= 3
    ring_ok = (ring_lens >= 3) & surf_ok[surf_of_ring]
    elem_ok = ring_ok[ring_of]
    flat, pts, ring_of = flat[elem_ok], pts[elem_ok], ring_of[elem_ok]
    ring_lens = np.where(ring_ok, ring_lens, 0)
    if not len(flat):
        return (*empty, int(nsurf))

    surf_of = surf_of_ring[ring_of]
    ring_start = np.cumsum(ring_lens) - ring_lens
    is_outer = np.zeros(nring, dtype=bool)
    is_outer[first_ring[has_outer]] = True
    outer_elem = is_outer[ring_of]

    # Centre each surface on its first point (keeps precision with large coordinates).
    surf_first = np.full(nsurf, -1, dtype=np.int64)
    surf_first[surf_ok] = ring_start[first_ring[surf_ok]]
    local = pts - pts[surf_first[surf_of]]

    # Newell normal of each outer ring (twice its vector area).
    nxt = np.arange(len(flat)) + 1
    ends = ring_start + ring_lens - 1
    valid_rings = ring_lens > 0
    nxt[ends[valid_rings]] = ring_start[valid_rings]
    cross = np.cross(local, local[nxt])
    normal = np.zeros((nsurf, 3))
    for axis in range(3):
        normal[:, axis] = np.bincount(surf_of[outer_elem], weights=cross[outer_elem, axis],
                                      minlength=nsurf)
    elem_count = np.bincount(surf_of, minlength=nsurf)
    elem_start = np.cumsum(elem_count) - elem_count
    size = np.zeros(nsurf)
    filled = elem_count > 0
    size[filled] = np.maximum.reduceat(np.abs(local).max(axis=1), elem_start[filled])
    length = np.linalg.norm(normal, axis=1)
    surf_ok &= (size > 0) & (length > 1e-10 * size**2)
    skipped = int(nsurf - surf_ok.sum())

    # An orthonormal basis (u, v) of each plane with u x v = n.
    with np.errstate(invalid="ignore", divide="ignore"):
        nhat = normal / length[:, None]
    nhat[~surf_ok] = (0.0, 0.0, 1.0)
    helper = np.zeros((nsurf, 3))
    helper[np.arange(nsurf), np.argmin(np.abs(nhat), axis=1)] = 1.0
    u = np.cross(helper, nhat)
    u /= np.linalg.norm(u, axis=1)[:, None]
    v = np.cross(nhat, u)
    q = np.column_stack([np.einsum("ij,ij->i", local, u[surf_of]),
                         np.einsum("ij,ij->i", local, v[surf_of])])

    # Convex single-ring surfaces (most walls and roofs) are fanned; the rest ear-cut.
    ring_count = np.bincount(surf_of_ring[ring_lens > 0], minlength=nsurf)
    single = surf_ok & (ring_count == 1)
    edge = q[nxt] - q
    prv = np.empty_like(nxt)
    prv[nxt] = np.arange(len(nxt))
    turn = edge[prv, 0] * edge[:, 1] - edge[prv, 1] * edge[:, 0]
    min_turn = np.zeros(nsurf)
    min_turn[filled] = np.minimum.reduceat(turn, elem_start[filled])
    fan = single & (min_turn >= -1e-12 * size**2)
    tri_parts = []
    surf_parts = []
    fan_ids = np.nonzero(fan)[0]
    if len(fan_ids):
        ntri = elem_count[fan_ids] - 2
        fan_surf = np.repeat(fan_ids, ntri)
        apex = elem_start[fan_surf]
        step = np.arange(len(fan_surf)) - np.repeat(np.cumsum(ntri) - ntri, ntri) + 1
        tri_parts.append(np.column_stack([apex, apex + step, apex + step + 1]))
        surf_parts.append(fan_surf)
    cut_ids = np.nonzero(surf_ok & ~fan)[0]
    if len(cut_ids):
        # Ring ends relative to the surface's first point, for earcut.
        rel_end = (np.cumsum(ring_lens) - elem_start[surf_of_ring]).astype(np.uint32)
        counts = []
        for a, n, r0, nr in zip(elem_start[cut_ids].tolist(), elem_count[cut_ids].tolist(),
                                first_ring[cut_ids].tolist(), surf_rings[cut_ids].tolist(),
                                strict=True):
            ends = rel_end[r0:r0 + nr][ring_lens[r0:r0 + nr] > 0]
            cut = mapbox_earcut.triangulate_float64(q[a:a + n], ends)
            if not len(cut):
                skipped += 1
            tri_parts.append(cut.astype(np.int64).reshape(-1, 3) + a)
            counts.append(len(cut) // 3)
        surf_parts.append(np.repeat(cut_ids, counts))
    if not tri_parts:
        return (*empty, skipped)
    tri = np.concatenate(tri_parts)
    tri_surf = np.concatenate(surf_parts)

    # Wind every triangle like its outer ring; drop flat slivers.
    p0, p1, p2 = q[tri[:, 0]], q[tri[:, 1]], q[tri[:, 2]]
    area = (p1[:, 0] - p0[:, 0]) * (p2[:, 1] - p0[:, 1]) \
        - (p1[:, 1] - p0[:, 1]) * (p2[:, 0] - p0[:, 0])
    flip = area < 0
    tri[flip] = tri[flip][:, [0, 2, 1]]
    solid = np.abs(area) > 1e-12 * size[tri_surf] ** 2
    return flat[tri[solid]], tri_surf[solid], skipped
