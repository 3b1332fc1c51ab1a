"""Measurements in the scene: distances, lengths, areas, object heights, coordinates, snapping.

Points are local scene coordinates (projected metres minus the scene origin).
Areas and lengths are computed with shapely on the same coordinates a GIS would
use; latitude/longitude come from pyproj in CGCS2000 (EPSG:4490).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely
from pyproj import CRS, Transformer

from twinviewer.analysis.ground import GroundZ, ground_heights
from twinviewer.core.layer import Layer
from twinviewer.i18n import translate

CGCS2000 = CRS.from_epsg(4490)


@dataclass
class Measurement:
    """One measurement as kept in the Measurements panel: a kind, its figures, its points."""

    kind: str  # "distance", "length", "area", "height", "coordinate"
    values: dict[str, float | str]
    points: list[tuple[float, float, float]] = field(default_factory=list)

    def text(self) -> str:
        """One line a person can paste (figures rounded to what a survey would show)."""
        parts = []
        for k, v in self.values.items():
            parts.append(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}")
        return f"{self.kind}: " + ", ".join(parts)


def _pts(points) -> np.ndarray:
    arr = np.asarray(points, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr.reshape(1, -1)
    if arr.shape[1] == 2:
        arr = np.column_stack([arr, np.zeros(len(arr))])
    return arr


def distance(a, b) -> Measurement:
    """3D, horizontal and vertical distance between two points.

    Examples
    --------
    >>> distance((0, 0, 0), (3, 4, 12)).values["3d"]
    13.0
    """
    a, b = _pts(a)[0], _pts(b)[0]
    d = b - a
    return Measurement("distance", {"3d": float(np.linalg.norm(d)),
                                    "horizontal": float(np.hypot(d[0], d[1])),
                                    "vertical": float(d[2])},
                       [tuple(map(float, a)), tuple(map(float, b))])


def polyline_length(points) -> Measurement:
    """Length of a polyline through ``points``: along the 3D path and on the map."""
    p = _pts(points)
    if len(p) < 2:
        raise ValueError(translate("AnalysisError", "a line needs at least two points"))
    seg = np.diff(p, axis=0)
    return Measurement("length", {
        "3d": float(np.linalg.norm(seg, axis=1).sum()),
        "horizontal": float(shapely.length(shapely.linestrings(p[:, :2])))},
        [tuple(map(float, q)) for q in p])


def _newell_area(p: np.ndarray) -> float:
    """Area of a planar 3D polygon (Newell's vector area)."""
    q = np.roll(p, -1, axis=0)
    return float(np.linalg.norm(np.cross(p, q).sum(axis=0)) / 2.0)


def draped_area(polygon: shapely.Polygon, ground_z: GroundZ | None, *, cell: float = 2.0
                ) -> float:
    """Area of the ground surface inside ``polygon`` (scene x, y), draped on ``ground_z``.

    The polygon is cut into ``cell``-metre squares (shapely, vectorised), each piece
    is triangulated with a constrained Delaunay triangulation and its corners are
    lifted onto the ground, so slopes count; on flat ground it equals the map area.
    """
    x0, y0, x1, y1 = polygon.bounds
    xs = np.arange(x0, x1 + cell, cell)
    ys = np.arange(y0, y1 + cell, cell)
    gx, gy = np.meshgrid(xs[:-1], ys[:-1])
    boxes = shapely.box(gx.ravel(), gy.ravel(), gx.ravel() + cell, gy.ravel() + cell)
    pieces = shapely.intersection(boxes, polygon)
    pieces = pieces[~shapely.is_empty(pieces)]
    tris = shapely.get_parts(shapely.get_parts(shapely.constrained_delaunay_triangles(pieces)))
    tris = tris[shapely.get_type_id(tris) == 3]
    if not len(tris):
        return 0.0
    ring = shapely.get_coordinates(shapely.get_exterior_ring(tris)).reshape(len(tris), 4, 2)[:, :3]
    z = ground_heights(ground_z, ring[..., 0], ring[..., 1])
    v = np.concatenate([ring, z[..., None]], axis=2)
    return float(np.linalg.norm(np.cross(v[:, 1] - v[:, 0], v[:, 2] - v[:, 0]), axis=1).sum() / 2)


def area(points, *, ground_z: GroundZ | None = None, drape: bool = False) -> Measurement:
    """Area of the polygon through ``points``: on the map and on the surface.

    ``surface`` is the picked polygon's own 3D area (a roof slope, a façade) or,
    with ``drape=True``, the area of the ground inside it (see :func:`draped_area`).
    """
    p = _pts(points)
    if len(p) < 3:
        raise ValueError(translate("AnalysisError", "an area needs at least three points"))
    poly = shapely.make_valid(shapely.Polygon(p[:, :2]))
    surface = draped_area(poly, ground_z) if drape else _newell_area(p)
    return Measurement("area", {"horizontal": float(shapely.area(poly)),
                                "surface": surface,
                                "perimeter": float(shapely.length(poly))},
                       [tuple(map(float, q)) for q in p])


def object_height(layer: Layer, row: int, *, ground_z: GroundZ | None = None) -> Measurement:
    """Height of an object's top above the ground under it (lowest ground at its corners)."""
    b = layer.row_bounds(np.array([row]))
    if b is None:
        raise ValueError(translate("AnalysisError", "the object has no geometry"))
    xs = np.array([b[0], b[3], b[0], b[3], (b[0] + b[3]) / 2])
    ys = np.array([b[1], b[1], b[4], b[4], (b[1] + b[4]) / 2])
    ground = float(np.min(ground_heights(ground_z, xs, ys)))
    oid = layer.table.df["oid"].iat[row]
    return Measurement("height", {"height": float(b[5] - ground), "top": float(b[5]),
                                  "ground": ground, "layer": layer.name, "oid": str(oid)},
                       [((b[0] + b[3]) / 2, (b[1] + b[4]) / 2, float(b[5]))])


def coordinates(point, scene_crs: CRS | None, origin) -> Measurement:
    """A point in the scene CRS (origin added back) and in CGCS2000 longitude/latitude."""
    p = _pts(point)[0]
    world = p + np.asarray(origin, dtype=np.float64)
    values: dict[str, float | str] = {"x": float(world[0]), "y": float(world[1]),
                                      "z": float(world[2])}
    if scene_crs is not None:
        values["crs"] = scene_crs.to_string()
        t = Transformer.from_crs(scene_crs, CGCS2000, always_xy=True)
        lon, lat = t.transform(world[0], world[1])
        values["lon"] = float(lon)
        values["lat"] = float(lat)
    return Measurement("coordinate", values, [tuple(map(float, p))])


def snap_to_vertex(point, vertices: np.ndarray, tolerance: float) -> np.ndarray | None:
    """The vertex nearest ``point`` within ``tolerance`` metres, or ``None``."""
    if not len(vertices):
        return None
    p = _pts(point)[0]
    d2 = ((np.asarray(vertices, float) - p) ** 2).sum(axis=1)
    k = int(np.argmin(d2))
    return np.asarray(vertices[k], float) if d2[k] <= tolerance * tolerance else None


def snap_to_ground(point, ground_z: GroundZ | None = None) -> np.ndarray:
    """The point moved vertically onto the ground."""
    p = _pts(point)[0].copy()
    p[2] = float(ground_heights(ground_z, p[0], p[1]))
    return p
