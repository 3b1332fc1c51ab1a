"""Sunlight hours (日照分析) at window-sill height on every floor of a building's façades.

The presets follow GB 50180-2018 (城市居住区规划设计标准, 4.0.9): on 大寒日 the
window must see at least 2 h (or 3 h, by climate zone and city size) of sun
between 8:00 and 16:00 true solar time; on 冬至日 at least 1 h between 9:00 and
15:00.  Sample points lie along each façade at 0.9 m above each floor, a few
centimetres in front of the wall; a point sees the sun at an instant when the
sun is up, in front of the façade, and the ray towards it meets no triangle of
any layer (buildings, scans, terrain).  Hours are the trapezoid sum over the
instants, so each instant counts for one step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely

from twinviewer.analysis.ground import GroundZ, ground_heights
from twinviewer.analysis.rays import Occluders
from twinviewer.analysis.sun import solar_term_date, sun_position, true_solar_times
from twinviewer.core.layer import Layer, TriangleBatch
from twinviewer.i18n import translate

SILL = 0.9          # window-sill height above each floor (m), GB 50180 practice
OFFSET = 0.05       # sample points sit this far in front of the wall (m)
FLOOR_HEIGHT = 3.0  # when a building has no floor count


@dataclass(frozen=True)
class Preset:
    """A sunlight standard: the day, the true-solar-time window and the required hours."""

    key: str
    term: str          # solar term of the day: 大寒 or 冬至
    start: float       # true solar time, hours
    end: float
    threshold: float   # required hours
    label: str


PRESETS: dict[str, Preset] = {
    p.key: p for p in (
        Preset("dahan2", "大寒", 8.0, 16.0, 2.0, "GB 50180-2018 大寒日 8:00-16:00 ≥2h"),
        Preset("dahan3", "大寒", 8.0, 16.0, 3.0, "GB 50180-2018 大寒日 8:00-16:00 ≥3h"),
        Preset("dongzhi1", "冬至", 9.0, 15.0, 1.0, "GB 50180-2018 冬至日 9:00-15:00 ≥1h"),
    )
}


@dataclass
class Samples:
    """Sample points on façades: position, outward horizontal normal, building row, floor."""

    points: np.ndarray    # (n, 3)
    normals: np.ndarray   # (n, 3), z = 0
    rows: np.ndarray      # (n,) building row
    floors: np.ndarray    # (n,) floor number, 1 = ground floor

    def __len__(self) -> int:
        return len(self.points)


@dataclass
class SunlightResult:
    """Hours per sample and per (building, floor), with what was asked."""

    samples: Samples
    hours: np.ndarray                # per sample
    floor_hours: np.ndarray          # (buildings in layer, max floors), NaN where none
    threshold: float
    params: dict = field(default_factory=dict)
    times: pd.DatetimeIndex | None = None

    @property
    def worst(self) -> np.ndarray:
        """Per building: the hours of its darkest floor (its best window there)."""
        with np.errstate(all="ignore"):
            out = np.full(len(self.floor_hours), np.nan)
            has = np.isfinite(self.floor_hours).any(axis=1)
            out[has] = np.nanmin(self.floor_hours[has], axis=1)
        return out

    def below(self) -> np.ndarray:
        """Rows of the buildings with a floor below the threshold."""
        w = self.worst
        return np.flatnonzero(np.isfinite(w) & (w < self.threshold - 1e-9))


def _floors(layer: Layer, floors_field: str | None, n: int) -> np.ndarray | None:
    df = layer.table.df
    if floors_field and floors_field in df.columns:
        f = pd.to_numeric(df[floors_field], errors="coerce").to_numpy(float)
        return np.where(np.isfinite(f) & (f >= 1), np.round(f), np.nan)
    return None


def facade_samples(layer: Layer, *, rows: np.ndarray | None = None,
                   floors_field: str | None = None, spacing: float = 3.0,
                   sill: float = SILL, floor_height: float = FLOOR_HEIGHT) -> Samples:
    """Sample points along every façade of the chosen buildings, one per floor and step.

    Walls are the (near) vertical triangles of the layer's triangle batches; the
    two triangles of a wall quad share one horizontal edge, found once per
    building.  Outward is the side of the wall not over the building's own roof.
    Floors come from ``floors_field`` (e.g. ``层数``); without it the wall height
    is divided into ``floor_height`` storeys.
    """
    tris = []
    for b in layer.batches:
        if isinstance(b, TriangleBatch) and len(b.triangles):
            tris.append((b, b.points[b.triangles]))
    if not tris:
        return Samples(np.zeros((0, 3)), np.zeros((0, 3)), np.zeros(0, np.int64),
                       np.zeros(0, np.int64))
    corners = np.concatenate([t for _, t in tris])           # (m, 3, 3)
    trow = np.concatenate([b.rows for b, _ in tris])
    want = np.ones(len(layer), dtype=bool) if rows is None else np.isin(
        np.arange(len(layer)), np.asarray(rows, dtype=np.int64))
    nrm = np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0])
    length = np.linalg.norm(nrm, axis=1)
    ok = length > 1e-9
    unit = np.zeros_like(nrm)
    unit[ok] = nrm[ok] / length[ok, None]
    wall = ok & (np.abs(unit[:, 2]) < 1e-3) & want[trow]
    roof = ok & (unit[:, 2] > 0.5)

    # each wall triangle: its two distinct plan positions are the wall's ends
    w = corners[wall]
    wrow = trow[wall]
    xy = np.round(w[..., :2], 3)
    same01 = np.all(xy[:, 0] == xy[:, 1], axis=1)
    a = xy[:, 0]
    b_ = np.where(same01[:, None], xy[:, 2], xy[:, 1])
    swap = (a[:, 0] > b_[:, 0]) | ((a[:, 0] == b_[:, 0]) & (a[:, 1] > b_[:, 1]))
    lo = np.where(swap[:, None], b_, a)
    hi = np.where(swap[:, None], a, b_)
    key = np.column_stack([wrow, lo, hi])
    uniq, inv = np.unique(key, axis=0, return_inverse=True)
    inv = inv.ravel()
    zlo = np.full(len(uniq), np.inf)
    zhi = np.full(len(uniq), -np.inf)
    np.minimum.at(zlo, inv, w[..., 2].min(axis=1))
    np.maximum.at(zhi, inv, w[..., 2].max(axis=1))
    seg_row = uniq[:, 0].astype(np.int64)
    p0, p1 = uniq[:, 1:3], uniq[:, 3:5]
    seg = p1 - p0
    seg_len = np.linalg.norm(seg, axis=1)
    keep = seg_len > 0.5
    seg_row, p0, seg, seg_len, zlo, zhi = (v[keep] for v in (seg_row, p0, seg, seg_len, zlo, zhi))
    normal = np.column_stack([seg[:, 1], -seg[:, 0]]) / seg_len[:, None]

    # outward: the point just off the wall's middle must not lie over its own roof
    mid = p0 + seg / 2 + normal * 0.1
    roof_poly = shapely.polygons(corners[roof][:, :, :2])
    tree = shapely.STRtree(roof_poly)
    pi, ti = tree.query(shapely.points(mid), predicate="intersects")
    roof_rows = trow[roof]
    inside = np.zeros(len(mid), dtype=bool)
    inside[pi[roof_rows[ti] == seg_row[pi]]] = True
    normal[inside] *= -1

    # floors per wall
    fl = _floors(layer, floors_field, len(layer))
    height = zhi - zlo
    nfl = fl[seg_row] if fl is not None else np.full(len(seg_row), np.nan)
    nfl = np.where(np.isfinite(nfl), nfl, np.maximum(1, np.floor(height / floor_height)))
    nfl = nfl.astype(np.int64)
    fh = height / nfl
    # points along each wall: centred, ``spacing`` apart, at least one
    nalong = np.maximum(1, np.floor(seg_len / spacing).astype(np.int64))
    wall_of = np.repeat(np.arange(len(seg_row)), nalong)
    k = np.arange(len(wall_of)) - np.repeat(np.cumsum(nalong) - nalong, nalong)
    t = (k + 0.5) / nalong[wall_of]
    base_xy = p0[wall_of] + seg[wall_of] * t[:, None] + normal[wall_of] * OFFSET
    # then one per floor
    nf = nfl[wall_of]
    pt_of = np.repeat(np.arange(len(wall_of)), nf)
    floor = np.arange(len(pt_of)) - np.repeat(np.cumsum(nf) - nf, nf)
    w_of = wall_of[pt_of]
    z = zlo[w_of] + floor * fh[w_of] + sill
    points = np.column_stack([base_xy[pt_of], z])
    normals = np.column_stack([normal[w_of], np.zeros(len(w_of))])
    return Samples(points, normals, seg_row[w_of], floor + 1)


def lit_matrix(samples: Samples, sun_dirs: np.ndarray, occluders: Occluders, *,
               progress: Callable[[float], bool | None] | None = None) -> np.ndarray:
    """``(times, samples)`` booleans: whether each sample sees the sun at each instant."""
    nt = len(sun_dirs)
    lit = np.zeros((nt, len(samples)), dtype=bool)
    for i, d in enumerate(sun_dirs):
        if d[2] > 0:
            front = samples.normals @ d > 1e-9
            idx = np.flatnonzero(front)
            if len(idx):
                blocked = occluders.any_hit(samples.points[idx],
                                            np.broadcast_to(d, (len(idx), 3)))
                lit[i, idx[~blocked]] = True
        if progress is not None and progress((i + 1) / nt) is False:
            raise InterruptedError(translate("AnalysisError", "sunlight analysis cancelled"))
    return lit


def hours_from_lit(lit: np.ndarray, step_minutes: float) -> np.ndarray:
    """Trapezoid sum of lit instants: hours per sample."""
    if len(lit) < 2:
        return np.zeros(lit.shape[1])
    pair = lit[1:].astype(np.float64) + lit[:-1]
    return pair.sum(axis=0) * (step_minutes / 60.0) / 2.0


def per_floor(samples: Samples, hours: np.ndarray, n_rows: int) -> np.ndarray:
    """Best window per (building, floor): ``(n_rows, max floor)``, NaN where no sample."""
    nf = int(samples.floors.max()) if len(samples) else 0
    out = np.full((n_rows, max(nf, 1)), -np.inf)
    np.maximum.at(out, (samples.rows, samples.floors - 1), hours)
    out[~np.isfinite(out)] = np.nan
    return out


@dataclass
class SunlightRequest:
    """What to compute: the day, the window, the threshold and how densely."""

    day: dt.date
    start: float = 8.0
    end: float = 16.0
    threshold: float = 2.0
    step_minutes: float = 15.0
    spacing: float = 3.0
    latitude: float = 31.23
    longitude: float = 121.47
    preset: str = ""

    @classmethod
    def from_preset(cls, key: str, year: int, **kw) -> SunlightRequest:
        if key not in PRESETS:
            raise ValueError(translate("AnalysisError", "unknown sunlight preset {key}").format(
                key=repr(key)))
        p = PRESETS[key]
        return cls(day=solar_term_date(year, p.term), start=p.start, end=p.end,
                   threshold=p.threshold, preset=key, **kw)

    def params(self) -> dict:
        return {"analysis": "sunlight", "preset": self.preset, "day": self.day.isoformat(),
                "start": self.start, "end": self.end, "threshold": self.threshold,
                "step_minutes": self.step_minutes, "spacing": self.spacing,
                "latitude": round(self.latitude, 6), "longitude": round(self.longitude, 6)}


def sunlight(layer: Layer, request: SunlightRequest, occluders: Occluders, *,
             rows: np.ndarray | None = None, floors_field: str | None = None,
             progress: Callable[[float], bool | None] | None = None) -> SunlightResult:
    """Sunlight hours per floor of the buildings of ``layer`` (``rows``: some of them).

    ``occluders`` holds everything that casts shadows (usually
    :meth:`Occluders.from_scene`); ``progress(fraction)`` may return ``False`` to cancel.
    """
    samples = facade_samples(layer, rows=rows, floors_field=floors_field,
                             spacing=request.spacing)
    times = true_solar_times(request.day, request.start, request.end,
                             request.step_minutes, request.longitude)
    sun = sun_position(times, request.latitude, request.longitude)
    lit = lit_matrix(samples, sun.directions(), occluders, progress=progress)
    hours = hours_from_lit(lit, request.step_minutes)
    return SunlightResult(samples, hours, per_floor(samples, hours, len(layer)),
                          request.threshold, request.params(), times)


def ground_shadow_length(height: float, elevation_deg: float) -> float:
    """Length of the shadow a vertical edge of ``height`` casts on flat ground."""
    return float(height / np.tan(np.radians(elevation_deg)))


def scene_lonlat(scene) -> tuple[float, float]:
    """Longitude and latitude (CGCS2000) of the middle of a scene (its origin without bounds)."""
    from twinviewer.analysis.measure import coordinates

    b = scene.bounds()
    mid = (0.0, 0.0, 0.0) if b is None else ((b[0] + b[3]) / 2, (b[1] + b[4]) / 2, 0.0)
    if scene.crs is None:
        raise ValueError(translate("AnalysisError", "the scene has no CRS: give the latitude "
                                                    "and longitude"))
    m = coordinates(mid, scene.crs, scene.origin)
    return float(m.values["lon"]), float(m.values["lat"])


__all__ = ["PRESETS", "GroundZ", "Preset", "Samples", "SunlightRequest", "SunlightResult",
           "facade_samples", "ground_heights", "ground_shadow_length", "hours_from_lit",
           "lit_matrix", "per_floor", "scene_lonlat", "sunlight"]


def sunlight_columns(layer: Layer, result: SunlightResult, *, prefix: str = "日照",
                     floors_field: str | None = None):
    """The result as one undoable edit: hours per floor, the darkest floor, pass/fail.

    Columns: ``{prefix}_{k}F`` (hours of the best window on floor ``k``),
    ``{prefix}_最少`` (the darkest floor's) and ``{prefix}_达标`` (that floor meets
    the threshold); buildings not analysed stay empty.
    """
    from twinviewer.analysis.results import column_commands, result_macro, uses_sensitive

    analysed = np.zeros(len(layer), dtype=bool)
    analysed[result.samples.rows] = True
    cols: dict[str, tuple[str, list]] = {}
    for k in range(result.floor_hours.shape[1]):
        cols[f"{prefix}_{k + 1}F"] = ("real", np.round(result.floor_hours[:, k], 3).tolist())
    worst = np.round(result.worst, 3)
    cols[f"{prefix}_最少"] = ("real", worst.tolist())
    ok = [None if not a else bool(w >= result.threshold - 1e-9)
          for a, w in zip(analysed, worst, strict=True)]
    cols[f"{prefix}_达标"] = ("bool", ok)
    cmds = column_commands(layer, cols, sensitive=uses_sensitive(layer, [floors_field]))
    return result_macro(translate("EditLabel", "Sunlight analysis"), result.params, cmds)


def sunlight_style(layer: Layer, result: SunlightResult, prefix: str = "日照") -> dict:
    """Graduated style of the darkest floor's hours, the threshold as a class break."""
    from twinviewer.analysis.results import graduated_style

    t = result.threshold
    span = result.params.get("end", 8.0) - result.params.get("start", 0.0)
    breaks = sorted({round(t / 2, 2), round(t - 0.01, 2), round(t + 1, 2),
                     round(t + 2, 2), float(span)})
    return graduated_style(layer, f"{prefix}_最少", breaks, "RdYlGn")
