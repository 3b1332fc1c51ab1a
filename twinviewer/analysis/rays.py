"""Occluders: every triangle of the scene in one ray-casting structure, and who owns each.

Buildings, scans, terrain and any other triangle batch cast shadows and block
sight lines alike.  Rays go through trimesh's Embree intersector (``embreex``);
without it trimesh's own (rtree-based) intersector answers the same questions,
only slower.  :func:`brute_force_first_hit` is the independent, per-ray
Möller-Trumbore check used by the tests and the benchmarks.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import trimesh

from twinviewer.core.layer import Layer, TriangleBatch

log = logging.getLogger(__name__)


@dataclass
class Hit:
    """First hits of some rays: ``distance`` (``inf``: none) and the triangle hit (-1: none)."""

    distance: np.ndarray
    triangle: np.ndarray
    point: np.ndarray


class Occluders:
    """Triangles of several layers in one mesh, with the (layer, row) of each triangle.

    Parameters
    ----------
    points : (n, 3) float array
        Vertices in scene coordinates.
    triangles : (m, 3) int array
        Vertex indices.
    owners : (m,) int array
        Index into ``layers`` of each triangle.
    rows : (m,) int array
        Table row (in its layer) of each triangle.
    layers : list of Layer
        The layers the triangles came from.
    """

    def __init__(self, points: np.ndarray, triangles: np.ndarray, owners: np.ndarray,
                 rows: np.ndarray, layers: list[Layer]) -> None:
        self.points = np.asarray(points, dtype=np.float64).reshape(-1, 3)
        self.triangles = np.asarray(triangles, dtype=np.int64).reshape(-1, 3)
        self.owners = np.asarray(owners, dtype=np.int64)
        self.rows = np.asarray(rows, dtype=np.int64)
        self.layers = layers
        self._intersector = None

    @classmethod
    def from_layers(cls, layers: Iterable[Layer], *, exclude_rows: dict | None = None
                    ) -> Occluders:
        """Collect the triangle batches of ``layers`` (any kind: buildings, scans, terrain)."""
        pts, tris, owners, rows, used = [], [], [], [], []
        offset = 0
        for layer in layers:
            batches = [b for b in layer.batches if isinstance(b, TriangleBatch) and len(b.triangles)]
            if not batches:
                continue
            k = len(used)
            used.append(layer)
            for b in batches:
                pts.append(b.points)
                tris.append(b.triangles + offset)
                owners.append(np.full(len(b.triangles), k, dtype=np.int64))
                rows.append(b.rows)
                offset += len(b.points)
        if not used:
            return cls(np.zeros((0, 3)), np.zeros((0, 3), np.int64), np.zeros(0, np.int64),
                       np.zeros(0, np.int64), [])
        return cls(np.concatenate(pts), np.concatenate(tris), np.concatenate(owners),
                   np.concatenate(rows), used)

    @classmethod
    def from_scene(cls, scene, *, visible_only: bool = True) -> Occluders:
        """Every (visible) triangle layer of a scene, except analysis results (drapes)."""
        return cls.from_layers(lyr for lyr in scene.layers
                               if (lyr.visible or not visible_only) and lyr.kind != "analysis")

    def __len__(self) -> int:
        return len(self.triangles)

    @property
    def intersector(self):
        """trimesh's Embree intersector (built once, on first use)."""
        if self._intersector is None:
            mesh = trimesh.Trimesh(self.points, self.triangles, process=False, validate=False)
            if trimesh.ray.has_embree:
                from trimesh.ray.ray_pyembree import RayMeshIntersector
                # no rescaling: scene coordinates are already local metres
                self._intersector = RayMeshIntersector(mesh, scale_to_box=False)
            else:  # pragma: no cover - embreex is a dependency
                log.warning("embreex is not installed: ray casting falls back to rtree")
                self._intersector = trimesh.ray.ray_triangle.RayMeshIntersector(mesh)
        return self._intersector

    def any_hit(self, origins: np.ndarray, directions: np.ndarray, *,
                chunk: int = 1_000_000) -> np.ndarray:
        """Whether each ray (from ``origins`` along ``directions``) hits any triangle."""
        origins = np.asarray(origins, dtype=np.float64).reshape(-1, 3)
        directions = np.asarray(directions, dtype=np.float64).reshape(-1, 3)
        out = np.zeros(len(origins), dtype=bool)
        if not len(self) or not len(origins):
            return out
        for s in range(0, len(origins), chunk):
            out[s:s + chunk] = self.intersector.intersects_any(origins[s:s + chunk],
                                                               directions[s:s + chunk])
        return out

    def first_hit(self, origins: np.ndarray, directions: np.ndarray) -> Hit:
        """The first triangle each ray hits and how far along the (unit) direction."""
        origins = np.asarray(origins, dtype=np.float64).reshape(-1, 3)
        d = np.asarray(directions, dtype=np.float64).reshape(-1, 3)
        d = d / np.linalg.norm(d, axis=1, keepdims=True)
        n = len(origins)
        dist = np.full(n, np.inf)
        tri = np.full(n, -1, dtype=np.int64)
        point = np.full((n, 3), np.nan)
        if not len(self) or not n:
            return Hit(dist, tri, point)
        index_tri, index_ray, loc = self.intersector.intersects_id(
            origins, d, multiple_hits=False, return_locations=True)
        if len(index_ray):
            tri[index_ray] = index_tri
            point[index_ray] = loc
            dist[index_ray] = np.einsum("ij,ij->i", loc - origins[index_ray], d[index_ray])
        return Hit(dist, tri, point)

    def owner(self, triangle: int) -> tuple[Layer, int] | None:
        """``(layer, row)`` of a triangle index (``None`` for -1)."""
        if triangle < 0:
            return None
        return self.layers[int(self.owners[triangle])], int(self.rows[triangle])


def brute_force_first_hit(points: np.ndarray, triangles: np.ndarray, origin: np.ndarray,
                          direction: np.ndarray, *, eps: float = 1e-9) -> tuple[float, int]:
    """Distance to and index of the first triangle one ray hits, testing every triangle.

    Möller-Trumbore, vectorised over the triangles; ``(inf, -1)`` when nothing is hit.
    The independent answer the Embree path is checked against.
    """
    d = np.asarray(direction, float)
    d = d / np.linalg.norm(d)
    o = np.asarray(origin, float)
    v0 = points[triangles[:, 0]]
    e1 = points[triangles[:, 1]] - v0
    e2 = points[triangles[:, 2]] - v0
    p = np.cross(d, e2)
    det = np.einsum("ij,ij->i", e1, p)
    ok = np.abs(det) > eps
    inv = np.where(ok, 1.0 / np.where(ok, det, 1.0), 0.0)
    s = o - v0
    u = np.einsum("ij,ij->i", s, p) * inv
    q = np.cross(s, e1)
    v = (q @ d) * inv
    t = np.einsum("ij,ij->i", e2, q) * inv
    hit = ok & (u >= 0) & (v >= 0) & (u + v <= 1) & (t > eps)
    if not hit.any():
        return float("inf"), -1
    t = np.where(hit, t, np.inf)
    k = int(np.argmin(t))
    return float(t[k]), k
