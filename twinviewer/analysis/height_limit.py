"""Height limit (控高): which objects rise above a control surface, and by how much.

The surface is a height over a polygon (above the ground, or an absolute
elevation) or an inclined plane.  The check is vectorised over every vertex of
the layers' triangle batches: a :class:`VertexIndex` (vertices sorted by object,
built once per layer set) turns it into a few numpy passes, so 100,000 objects
take milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely

from twinviewer.analysis.ground import GroundZ, ground_heights
from twinviewer.core.layer import Layer, TriangleBatch
from twinviewer.i18n import translate

GRID = 64  # cells per side of the polygon's bounds in the containment pre-pass


def covers_xy(polygon: shapely.Geometry, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Whether ``polygon`` covers each point (boundary included), vectorised.

    A coarse grid over the polygon's bounds is classified once (cells wholly inside,
    wholly outside, or on the boundary); only points in boundary cells get the
    exact shapely test, so the cost is a few array look-ups per point.
    """
    x0, y0, x1, y1 = polygon.bounds
    wx = max(x1 - x0, 1e-9) / GRID
    wy = max(y1 - y0, 1e-9) / GRID
    gx, gy = np.meshgrid(np.arange(GRID), np.arange(GRID), indexing="ij")
    cells = shapely.box(x0 + gx * wx, y0 + gy * wy, x0 + (gx + 1) * wx, y0 + (gy + 1) * wy)
    shapely.prepare(polygon)
    full = shapely.contains_properly(polygon, cells)
    touch = shapely.intersects(polygon, cells)
    i = np.clip(((x - x0) / wx).astype(np.int64), 0, GRID - 1)
    j = np.clip(((y - y0) / wy).astype(np.int64), 0, GRID - 1)
    out = full[i, j]
    edge = np.flatnonzero(touch[i, j] & ~out)
    if len(edge):
        out[edge] = shapely.contains_xy(polygon, x[edge], y[edge]) | \
            shapely.intersects_xy(polygon.boundary, x[edge], y[edge])
    return out


@dataclass
class ControlSurface:
    """Limit elevation ``z(x, y)``: ``height`` over ``polygon``, or a plane through ``point``.

    Polygon: ``limit = height`` above the ground (``relative``) or absolute; points
    outside the polygon are unlimited.  Plane: ``limit = point.z + gx (x - x0) + gy (y - y0)``.
    """

    polygon: shapely.Geometry | None = None
    height: float = 0.0
    relative: bool = True
    point: tuple[float, float, float] | None = None
    gradient: tuple[float, float] = (0.0, 0.0)

    @classmethod
    def plane_through(cls, p0, p1, p2) -> ControlSurface:
        """The plane through three points."""
        p0, p1, p2 = (np.asarray(p, float) for p in (p0, p1, p2))
        n = np.cross(p1 - p0, p2 - p0)
        if abs(n[2]) < 1e-12:
            raise ValueError(translate("AnalysisError", "a vertical plane limits no height"))
        return cls(point=tuple(p0), gradient=(-n[0] / n[2], -n[1] / n[2]))

    def limit(self, x: np.ndarray, y: np.ndarray, ground_z: GroundZ | None = None) -> np.ndarray:
        """Limit elevation at each (x, y); ``inf`` where unlimited."""
        x = np.asarray(x, float)
        y = np.asarray(y, float)
        if self.polygon is not None:
            out = np.full(x.shape, np.inf)
            x0, y0, x1, y1 = self.polygon.bounds
            box = (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)
            idx = np.flatnonzero(box)
            if len(idx):
                sel = idx[covers_xy(self.polygon, x[idx], y[idx])]
                base = ground_heights(ground_z, x[sel], y[sel]) if self.relative else 0.0
                out[sel] = base + self.height
            return out
        if self.point is None:
            raise ValueError(translate("AnalysisError", "the control surface has no polygon "
                                                        "and no plane"))
        x0, y0, z0 = self.point
        return z0 + self.gradient[0] * (x - x0) + self.gradient[1] * (y - y0)

    def params(self) -> dict:
        if self.polygon is not None:
            return {"analysis": "height_limit", "polygon": self.polygon.wkt,
                    "height": self.height, "relative": self.relative}
        return {"analysis": "height_limit", "plane_point": list(self.point or ()),
                "gradient": list(self.gradient)}


@dataclass
class VertexIndex:
    """Vertices of one layer sorted by object row: ``x, y, z`` and row ``starts``."""

    layer: Layer
    x: np.ndarray
    y: np.ndarray
    z: np.ndarray
    rows: np.ndarray          # rows having vertices, ascending
    starts: np.ndarray        # first vertex of each of ``rows``

    @classmethod
    def of(cls, layer: Layer) -> VertexIndex:
        """Index a layer: each object's distinct plan positions with their highest z.

        A limit depends on (x, y) only, so of the vertices of one object above one
        plan position only the highest matters: an extruded box keeps 4 of its 22.
        """
        pts, vrows = [], []
        for b in layer.batches:
            if isinstance(b, TriangleBatch) and len(b.triangles):
                vr = np.full(len(b.points), -1, dtype=np.int64)
                vr[b.triangles.ravel()] = np.repeat(b.rows, 3)
                keep = vr >= 0
                pts.append(b.points[keep])
                vrows.append(vr[keep])
        if not pts:
            e = np.zeros(0)
            return cls(layer, e, e, e, np.zeros(0, np.int64), np.zeros(0, np.int64))
        p, r = np.concatenate(pts), np.concatenate(vrows)
        order = np.lexsort((p[:, 1], p[:, 0], r))
        p, r = p[order], r[order]
        new = np.ones(len(r), dtype=bool)
        new[1:] = (r[1:] != r[:-1]) | (p[1:, 0] != p[:-1, 0]) | (p[1:, 1] != p[:-1, 1])
        first = np.flatnonzero(new)
        z = np.maximum.reduceat(p[:, 2], first)
        p, r = p[first], r[first]
        rows, starts = np.unique(r, return_index=True)
        return cls(layer, np.ascontiguousarray(p[:, 0]), np.ascontiguousarray(p[:, 1]),
                   np.ascontiguousarray(z), rows, starts)


@dataclass
class HeightLimitResult:
    """Objects above the limit per layer: rows and how far their highest point exceeds it."""

    layers: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    params: dict = field(default_factory=dict)

    @property
    def count(self) -> int:
        return sum(len(r) for r, _ in self.layers.values())


def excess(index: VertexIndex, surface: ControlSurface, ground_z: GroundZ | None = None
           ) -> np.ndarray:
    """Per object of ``index.layer``: the highest amount above the limit (NaN: never above)."""
    out = np.full(len(index.layer), np.nan)
    if not len(index.x):
        return out
    if surface.polygon is not None and (ground_z is None or not surface.relative):
        # a constant limit inside the polygon: test containment only where z exceeds it
        over = np.full(len(index.z), -np.inf)
        cand = np.flatnonzero(index.z > surface.height)
        lim = surface.limit(index.x[cand], index.y[cand], None)
        over[cand] = index.z[cand] - lim
    else:
        over = index.z - surface.limit(index.x, index.y, ground_z)
    per = np.maximum.reduceat(over, index.starts)
    out[index.rows] = per
    out[~(out > 0)] = np.nan
    return out


def height_limit(indexes: list[VertexIndex], surface: ControlSurface,
                 ground_z: GroundZ | None = None) -> HeightLimitResult:
    """Every object rising above ``surface``, with its excess, in each indexed layer."""
    result = HeightLimitResult(params=surface.params())
    for ix in indexes:
        e = excess(ix, surface, ground_z)
        rows = np.flatnonzero(np.isfinite(e))
        result.layers[ix.layer.name] = (rows, e[rows])
    return result


def excess_columns(layer: Layer, values: np.ndarray, params: dict, *, field_name: str = "控高超出"):
    """The excess as one undoable edit on ``layer`` (empty where within the limit)."""
    from twinviewer.analysis.results import column_commands, result_macro

    cmds = column_commands(layer, {field_name: ("real", np.round(values, 3).tolist())})
    return result_macro(translate("EditLabel", "Height limit check"), params, cmds)
