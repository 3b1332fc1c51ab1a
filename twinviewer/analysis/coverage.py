"""Camera coverage (视频监控盲区): the ground each camera sees, occlusion, covered shares, blind roads.

Each camera sees a ground sector (position, heading clockwise from north, range,
field-of-view angle: the view cone the renderer draws).  Occlusion is planar
visibility with shapely: every triangle of the obstacle layers (building roofs,
scan triangles) that rises above ``min_obstacle`` metres casts a ground shadow
from the camera's eye, the convex hull of the triangle and its vertices pushed
away from the eye by ``H / (H - h)`` (or to beyond the range when the triangle is
as high as the eye).  For flat-topped objects (extruded buildings) that is the
exact hidden ground; for scan triangles it errs on the hidden side.  Ground
heights come from ``ground_z``; terrain itself is not an obstacle here (the hills
of a DEM do not block a 35 m street camera in a built district), which
docs/analysis.md states as the limit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely

from twinviewer.analysis.ground import GroundZ, ground_heights
from twinviewer.core.layer import Layer, LineBatch, PointBatch, TriangleBatch
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
    return Cameras(eye, head, np.full(n, reach), np.full(n, angle), rows)


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


def coverage(cams: Cameras, obs: Obstacles, *,
             progress: Callable[[float], bool | None] | None = None) -> CoverageResult:
    """Visible ground per camera: its sector minus the shadows of the obstacles in it."""
    sec = sectors(cams)
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
        if len(idx):
            hidden = shapely.union_all(shadows(cams.eye[i], float(cams.reach[i]), obs, idx))
            visible[i] = shapely.difference(sec[i], hidden)
        else:
            visible[i] = sec[i]
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
