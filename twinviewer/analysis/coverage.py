"""Camera coverage (视频监控盲区): the ground each camera sees, occlusion, covered shares, blind roads.

Each camera sees a ground sector (position, heading clockwise from north, range,
field-of-view angle: the view cone the renderer draws).  Occlusion by objects is
planar visibility with shapely: every triangle of the obstacle layers (building
roofs, scan triangles) that rises above ``min_obstacle`` metres casts a ground
shadow from the camera's eye, the convex hull of the triangle and its vertices
pushed away from the eye by ``H / (H - h)`` (or to beyond the range when the
triangle is as high as the eye), ``H`` the eye's height above its ground and ``h``
the corner's above its own.  For flat-topped objects (extruded buildings) that is
the exact hidden ground; for scan triangles it errs on the hidden side.

The terrain hides ground too (:func:`terrain_hidden`): along rays fanned across the
sector, in steps of half a DEM cell, a ground point is hidden when the line from
the eye to it passes below the terrain nearer the camera, i.e. when its elevation
angle seen from the eye is below the largest one of the nearer terrain.  The hidden
runs of each ray become thin polar quads, subtracted from the sector.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely

from twinviewer.analysis.ground import GroundZ, ground_heights
from twinviewer.core.layer import Layer, LineBatch, PointBatch, TriangleBatch
from twinviewer.core.terrain import Terrain
from twinviewer.i18n import translate

ARC_SEGMENTS = 48


@dataclass
class Cameras:
    """Cameras as columns: eye position (scene coordinates), heading, range, angle, row."""

    eye: np.ndarray       # (n, 3): ground position plus mounting height
    heading: np.ndarray   # degrees clockwise from north
    reach: np.ndarray     # metres
    angle: np.ndarray     # full field of view, degrees
    rows: np.ndarray      # camera layer rows
    ground: np.ndarray | None = None  # ground height under each camera (None: z = 0)

    def __len__(self) -> int:
        return len(self.rows)


def cameras_of(layer: Layer, *, heading_field: str | None = None, reach: float | None = None,
               angle: float | None = None, height: float | None = None,
               ground_z: GroundZ | None = None) -> Cameras:
    """Cameras from a point layer, defaulting to its ``view_cone`` style (heading, range, angle).

    ``height`` is the mounting height above the ground (default: the camera model's
    height times the layer's ``point_scale``, where the renderer draws the cone's apex).
    """
    cone = layer.style.get("view_cone") if isinstance(layer.style.get("view_cone"), dict) else {}
    heading_field = heading_field or cone.get("heading")
    reach = float(reach if reach is not None else cone.get("range", 30.0))
    angle = float(angle if angle is not None else cone.get("angle", 60.0))
    if height is None:
        from twinviewer.io.assets import asset_height
        height = asset_height("camera") * float(layer.style.get("point_scale", 1.0))
    df = layer.table.df
    if not heading_field or heading_field not in df.columns:
        raise ValueError(translate("AnalysisError", "layer {layer} has no heading field {field}")
                         .format(layer=layer.name, field=repr(heading_field)))
    pts = [b for b in layer.batches if isinstance(b, PointBatch)]
    if not pts:
        raise ValueError(translate("AnalysisError", "layer {layer} has no points").format(
            layer=layer.name))
    xyz = np.concatenate([b.points for b in pts])
    rows = np.concatenate([b.rows for b in pts])
    head = pd.to_numeric(df[heading_field], errors="coerce").to_numpy(float)[rows]
    keep = np.isfinite(head)
    xyz, rows, head = xyz[keep], rows[keep], head[keep]
    ground = ground_heights(ground_z, xyz[:, 0], xyz[:, 1])
    eye = np.column_stack([xyz[:, :2], np.maximum(xyz[:, 2], ground) + height])
    n = len(rows)
    return Cameras(eye, head, np.full(n, reach), np.full(n, angle), rows, ground)


def sectors(cams: Cameras, segments: int = ARC_SEGMENTS) -> np.ndarray:
    """Ground sector polygon of each camera (shapely, vectorised)."""
    half = np.radians(cams.angle) / 2
    t = np.linspace(-1.0, 1.0, segments + 1)
    az = np.radians(cams.heading)[:, None] + half[:, None] * t[None, :]
    x = cams.eye[:, None, 0] + cams.reach[:, None] * np.sin(az)
    y = cams.eye[:, None, 1] + cams.reach[:, None] * np.cos(az)
    n = len(cams)
    ring = np.empty((n, segments + 3, 2))
    ring[:, 0] = cams.eye[:, :2]
    ring[:, 1:-1, 0], ring[:, 1:-1, 1] = x, y
    ring[:, -1] = cams.eye[:, :2]
    return shapely.polygons(ring)


@dataclass
class Obstacles:
    """Triangles that can hide ground: plan corners, heights of corners above the ground."""

    xy: np.ndarray       # (m, 3, 2)
    height: np.ndarray   # (m, 3) above the ground under each corner
    tree: shapely.STRtree = field(repr=False, default=None)

    @classmethod
    def from_layers(cls, layers, *, min_obstacle: float = 0.5,
                    ground_z: GroundZ | None = None) -> Obstacles:
        xy, hz = [], []
        for layer in layers:
            for b in layer.batches:
                if not isinstance(b, TriangleBatch) or not len(b.triangles):
                    continue
                c = b.points[b.triangles]
                area2 = np.abs((c[:, 1, 0] - c[:, 0, 0]) * (c[:, 2, 1] - c[:, 0, 1])
                               - (c[:, 1, 1] - c[:, 0, 1]) * (c[:, 2, 0] - c[:, 0, 0]))
                h = c[..., 2] - ground_heights(ground_z, c[..., 0], c[..., 1])
                keep = (area2 > 1e-8) & (h.max(axis=1) > min_obstacle)  # walls have no plan area
                xy.append(c[keep][..., :2])
                hz.append(h[keep])
        xy_a = np.concatenate(xy) if xy else np.zeros((0, 3, 2))
        hz_a = np.concatenate(hz) if hz else np.zeros((0, 3))
        out = cls(xy_a, hz_a)
        out.tree = shapely.STRtree(shapely.polygons(np.concatenate([xy_a, xy_a[:, :1]], axis=1))
                                   if len(xy_a) else np.array([], dtype=object))
        return out

    def __len__(self) -> int:
        return len(self.xy)


def shadows(eye: np.ndarray, reach: float, obs: Obstacles, idx: np.ndarray) -> np.ndarray:
    """Ground hidden from ``eye`` behind obstacle triangles ``idx`` (one polygon each)."""
    c = obs.xy[idx]                                   # (k, 3, 2)
    h = obs.height[idx]
    v = c - eye[:2]
    dist = np.linalg.norm(v, axis=2)
    far = (2.0 * reach + 1.0) / np.maximum(dist, 1e-6)   # beyond the sector, with margin
    with np.errstate(divide="ignore"):
        f = np.where(h < eye[2] - 1e-6, eye[2] / np.maximum(eye[2] - h, 1e-9), far)
    f = np.minimum(np.maximum(f, 1.0), np.maximum(far, 1.0))
    pushed = eye[:2] + v * f[..., None]
    pts = np.concatenate([c, pushed], axis=1)         # (k, 6, 2)
    return shapely.convex_hull(shapely.multipoints(pts))


@dataclass
class CoverageResult:
    """What the cameras see: one polygon per camera, their union, and the blind roads."""

    visible: np.ndarray          # shapely polygon per camera
    camera_rows: np.ndarray
    union: shapely.Geometry
    params: dict = field(default_factory=dict)
    compound_shares: pd.DataFrame | None = None
    blind_roads: np.ndarray | None = None      # shapely lines
    blind_road_rows: np.ndarray | None = None


def terrain_hidden(eye: np.ndarray, heading: float, reach: float, angle: float,
                   terrain: Terrain, *, tolerance: float = 0.02) -> shapely.Geometry:
    """Ground of one camera's sector that the terrain hides from ``eye`` (scene coordinates).

    Rays fan across the sector, at most a DEM cell apart at the far edge (16 at
    least); along each, ground points every half cell (at most 2000).  The terrain
    that may hide them is sampled at those points and wherever the ray crosses a
    grid line of the DEM's cell centres, where the ridges of a bilinear surface lie,
    so a crest between two points is not shaved.  A point at distance ``r`` is hidden
    when ``(z - z_eye) / r`` is below the largest such slope nearer the eye by more
    than ``tolerance`` metres at ``r``: the sight line to it dips under nearer ground.
    Each hidden run of a ray is a quad of the ray's angular strip (radial error: half
    a step).  Ground outside the DEM (NaN) neither hides nor is hidden.
    """
    cell = float(min(terrain.dx, terrain.dy))
    step = max(min(cell / 2.0, reach / 50.0), reach / 2000.0)
    n_r = max(int(np.ceil(reach / step)), 2)
    step = reach / n_r
    span = np.radians(angle)
    n_a = int(np.clip(np.ceil(span * reach / cell), 16, 720))
    edges = np.radians(heading) + span * np.linspace(-0.5, 0.5, n_a + 1)
    mid = (edges[:-1] + edges[1:]) / 2
    sx, sy = np.sin(mid), np.cos(mid)
    r = np.broadcast_to((np.arange(n_r) + 0.5) * step, (n_a, n_r))
    # distances at which each ray crosses the grid lines x = x0 + i dx, y = y0 - j dy
    ix = np.arange(np.floor((eye[0] - reach - terrain.x0) / terrain.dx),
                   np.ceil((eye[0] + reach - terrain.x0) / terrain.dx) + 1)
    jy = np.arange(np.floor((terrain.y0 - eye[1] - reach) / terrain.dy),
                   np.ceil((terrain.y0 - eye[1] + reach) / terrain.dy) + 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        tx = (terrain.x0 + ix[None, :] * terrain.dx - eye[0]) / sx[:, None]
        ty = (terrain.y0 - jy[None, :] * terrain.dy - eye[1]) / sy[:, None]
    cross = np.concatenate([tx, ty], axis=1)
    cross = np.where(np.isfinite(cross) & (cross > 0) & (cross < reach), cross, np.inf)
    t = np.concatenate([r, cross], axis=1)
    target = np.zeros(t.shape, dtype=bool)
    target[:, :n_r] = True
    order = np.argsort(t, axis=1, kind="stable")
    t = np.take_along_axis(t, order, axis=1)
    target = np.take_along_axis(target, order, axis=1)
    real = np.isfinite(t)
    tt = np.where(real, t, reach)
    z = terrain.height_at(eye[0] + tt * sx[:, None], eye[1] + tt * sy[:, None])
    known = real & np.isfinite(z)
    with np.errstate(invalid="ignore"):
        slope = np.where(known, (z - eye[2]) / tt, -np.inf)
    before = np.full_like(slope, -np.inf)
    before[:, 1:] = np.maximum.accumulate(slope, axis=1)[:, :-1]
    with np.errstate(invalid="ignore"):
        below = known & ((z - eye[2]) < tt * before - tolerance)
    hidden = np.zeros((n_a, n_r), dtype=bool)
    rows, cols = np.nonzero(target)
    hidden[rows, np.floor(t[rows, cols] / step).astype(np.int64).clip(0, n_r - 1)] = \
        below[rows, cols]
    if not hidden.any():
        return shapely.Polygon()
    pad = np.zeros((n_a, n_r + 2), dtype=np.int8)
    pad[:, 1:-1] = hidden
    d = np.diff(pad, axis=1)
    sj, sk = np.nonzero(d == 1)     # run starts (row-major: rows in order, runs in order)
    _ej, ek = np.nonzero(d == -1)   # one past each run's end
    r0 = sk * step
    r1 = np.where(ek >= n_r, reach * 1.05, ek * step)  # the last run: past the arc
    a0, a1 = edges[sj], edges[sj + 1]
    quad = np.stack([np.column_stack([eye[0] + rr * np.sin(aa), eye[1] + rr * np.cos(aa)])
                     for rr, aa in ((r0, a0), (r1, a0), (r1, a1), (r0, a1), (r0, a0))], axis=1)
    return shapely.union_all(shapely.polygons(quad))


def coverage(cams: Cameras, obs: Obstacles, *, terrain: Terrain | None = None,
             progress: Callable[[float], bool | None] | None = None) -> CoverageResult:
    """Visible ground per camera: its sector minus the shadows of the obstacles in it and
    the ground the ``terrain`` hides (see :func:`terrain_hidden`)."""
    sec = sectors(cams)
    ground = cams.ground if cams.ground is not None else np.zeros(len(cams))
    visible = np.empty(len(cams), dtype=object)
    if len(obs):
        pairs = obs.tree.query(sec, predicate="intersects")
    else:
        pairs = np.zeros((2, 0), dtype=np.int64)
    order = np.argsort(pairs[0], kind="stable")
    cam_of, tri_of = pairs[0][order], pairs[1][order]
    starts = np.searchsorted(cam_of, np.arange(len(cams) + 1))
    for i in range(len(cams)):
        idx = tri_of[starts[i]:starts[i + 1]]
        hidden = []
        if len(idx):  # the eye's height above its own ground, as the obstacles' are
            eye = np.array([*cams.eye[i, :2], cams.eye[i, 2] - ground[i]])
            hidden.append(shapely.union_all(shadows(eye, float(cams.reach[i]), obs, idx)))
        if terrain is not None:
            hidden.append(terrain_hidden(cams.eye[i], float(cams.heading[i]),
                                         float(cams.reach[i]), float(cams.angle[i]), terrain))
        visible[i] = shapely.difference(sec[i], shapely.union_all(hidden)) if hidden else sec[i]
        if progress is not None and progress((i + 1) / len(cams)) is False:
            raise InterruptedError(translate("AnalysisError", "coverage analysis cancelled"))
    union = shapely.union_all(visible) if len(visible) else shapely.Polygon()
    return CoverageResult(visible, cams.rows, union)


def footprints(layer: Layer) -> np.ndarray:
    """Plan outline per row from the upward triangles of a layer (roofs, flat polygons)."""
    out = np.full(len(layer), None, dtype=object)
    polys, rows = [], []
    for b in layer.batches:
        if not isinstance(b, TriangleBatch) or not len(b.triangles):
            continue
        c = b.points[b.triangles]
        n = np.cross(c[:, 1] - c[:, 0], c[:, 2] - c[:, 0])
        up = n[:, 2] > 1e-9
        polys.append(shapely.polygons(np.concatenate([c[up][..., :2], c[up][:, :1, :2]], axis=1)))
        rows.append(b.rows[up])
    if not polys:
        return out
    p, r = np.concatenate(polys), np.concatenate(rows)
    order = np.argsort(r, kind="stable")
    p, r = p[order], r[order]
    starts = np.searchsorted(r, np.arange(len(layer) + 1))
    for i in range(len(layer)):
        part = p[starts[i]:starts[i + 1]]
        if len(part):
            out[i] = shapely.make_valid(shapely.coverage_union_all(part))
    return out


def road_lines(layer: Layer) -> tuple[np.ndarray, np.ndarray]:
    """Road segments as shapely lines and their rows."""
    lines, rows = [], []
    for b in layer.batches:
        if isinstance(b, LineBatch) and len(b.segments):
            lines.append(shapely.linestrings(b.points[b.segments][..., :2]))
            rows.append(b.rows)
    if not lines:
        return np.array([], dtype=object), np.zeros(0, np.int64)
    return np.concatenate(lines), np.concatenate(rows)


def compound_shares(result: CoverageResult, compounds: Layer, roads: Layer | None, *,
                    road_buffer: float = 20.0) -> pd.DataFrame:
    """Per compound: the share of its ground, and of the roads within ``road_buffer`` m, covered."""
    foot = footprints(compounds)
    covered = result.union
    shapely.prepare(covered)
    ground_share = np.full(len(compounds), np.nan)
    road_share = np.full(len(compounds), np.nan)
    has = np.array([g is not None for g in foot])
    g = foot[has]
    area = shapely.area(g)
    ground_share[has] = np.where(area > 0, shapely.area(shapely.intersection(g, covered))
                                 / np.where(area > 0, area, 1), np.nan)
    if roads is not None:
        lines, _rows = road_lines(roads)
        if len(lines):
            net = shapely.union_all(lines)
            near = shapely.intersection(net, shapely.buffer(g, road_buffer))
            total = shapely.length(near)
            seen = shapely.length(shapely.intersection(near, covered))
            road_share[has] = np.where(total > 0, seen / np.where(total > 0, total, 1), np.nan)
    return pd.DataFrame({"oid": compounds.table.df["oid"].to_numpy(),
                         "ground_share": ground_share, "road_share": road_share})


def blind_roads(result: CoverageResult, roads: Layer, *, min_length: float = 1.0
                ) -> tuple[np.ndarray, np.ndarray]:
    """Road pieces no camera sees (lines longer than ``min_length``) and their road rows."""
    lines, rows = road_lines(roads)
    if not len(lines):
        return lines, rows
    rest = shapely.difference(lines, result.union)
    parts, idx = shapely.get_parts(rest, return_index=True)
    keep = (shapely.get_type_id(parts) == 1) & (shapely.length(parts) >= min_length)
    return parts[keep], rows[idx[keep]]
