"""Ground shadows of the scene's objects as the sun moves over a day (日照阴影动画).

For each instant of a true-solar-time window (the sunlight presets' clock, see
:func:`~twinviewer.analysis.sun.true_solar_times`) the sun's direction comes from
SPA; every triangle of the obstacle layers (buildings, scans) is projected along
it onto the ground: a corner ``h`` metres above its ground moves ``h / tan(el)``
away from the sun.  The union of the projected triangles is the shadow cast on the
ground (exact for flat ground; on a DEM each corner falls to the height of the
ground under it, a small error on gentle slopes).  Shadows on walls and roofs are
not drawn.  The renderer (:mod:`twinviewer.render.shadow_video`) drapes the
polygons over the ground frame by frame.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from twinviewer.analysis.ground import GroundZ, ground_heights
from twinviewer.analysis.sun import (
    SOLAR_TERMS,
    solar_term_date,
    sun_position,
    true_solar_hour,
    true_solar_times,
)
from twinviewer.core.layer import Layer, TriangleBatch
from twinviewer.i18n import translate

MIN_ELEVATION = 1.0  # degrees: below this the low sun leaves the whole ground in shade


def parse_clock(text: str) -> float:
    """``"08:00"`` (or ``"8"``, ``"8.5"``) as hours; a ValueError naming the text otherwise."""
    try:
        if ":" in text:
            h, m = text.split(":", 1)
            hours = int(h) + int(m) / 60.0
            ok = 0 <= int(m) < 60
        else:
            hours, ok = float(text), True
    except ValueError:
        ok = False
    if not ok or not 0.0 <= hours <= 24.0:
        raise ValueError(translate("AnalysisError", "{text} is not a time of day (HH:MM)").format(
            text=repr(text)))
    return hours


@dataclass
class ShadowRequest:
    """The day, the true-solar-time window, the step and where the scene is."""

    day: dt.date
    start: float = 8.0
    end: float = 16.0
    step_minutes: float = 15.0
    latitude: float = 31.23
    longitude: float = 121.47

    def times(self) -> pd.DatetimeIndex:
        return true_solar_times(self.day, self.start, self.end, self.step_minutes,
                                self.longitude)

    def params(self) -> dict:
        return {"analysis": "shadows", "day": self.day.isoformat(), "start": self.start,
                "end": self.end, "step_minutes": self.step_minutes,
                "latitude": round(self.latitude, 6), "longitude": round(self.longitude, 6)}


@dataclass
class ShadowFrame:
    """The shadows of one instant: when (UTC and true solar hour), the sun, the polygons."""

    time: pd.Timestamp
    solar_hour: float
    azimuth: float
    elevation: float
    shadow: shapely.Geometry   # scene coordinates (plan)


class Casters:
    """The triangles that cast shadows and the heights of their corners above the ground."""

    def __init__(self, layers: Iterable[Layer], *, ground_z: GroundZ | None = None,
                 min_height: float = 0.5) -> None:
        xy, hz = [], []
        for layer in layers:
            for b in layer.batches:
                if not isinstance(b, TriangleBatch) or not len(b.triangles):
                    continue
                c = b.points[b.triangles]
                h = np.maximum(c[..., 2] - ground_heights(ground_z, c[..., 0], c[..., 1]), 0.0)
                keep = h.max(axis=1) > min_height  # lawns and road surfaces cast none
                xy.append(c[keep][..., :2])
                hz.append(h[keep])
        self.xy = np.concatenate(xy) if xy else np.zeros((0, 3, 2))
        self.height = np.concatenate(hz) if hz else np.zeros((0, 3))

    def __len__(self) -> int:
        return len(self.xy)

    def shadow(self, sun: np.ndarray) -> shapely.Geometry:
        """Ground shadow for the unit vector ``sun`` towards the sun (z > 0)."""
        if not len(self) or sun[2] <= 0:
            return shapely.Polygon()
        shift = -np.asarray(sun[:2], float) / float(sun[2])       # metres per metre of height
        moved = self.xy + self.height[..., None] * shift           # (m, 3, 2)
        ring = np.concatenate([moved, moved[:, :1]], axis=1)
        a = moved
        area2 = np.abs((a[:, 1, 0] - a[:, 0, 0]) * (a[:, 2, 1] - a[:, 0, 1])
                       - (a[:, 1, 1] - a[:, 0, 1]) * (a[:, 2, 0] - a[:, 0, 0]))
        polys = shapely.polygons(ring[area2 > 1e-6])
        return shapely.union_all(polys, grid_size=0.01)


def scene_casters(scene, *, ground_z: GroundZ | None = None) -> Casters:
    """Every visible triangle layer of a scene except analysis results."""
    return Casters([lyr for lyr in scene.layers if lyr.visible and lyr.kind != "analysis"],
                   ground_z=ground_z)


def shadow_frames(casters: Casters, request: ShadowRequest, *, clip: shapely.Geometry,
                  progress: Callable[[float], bool | None] | None = None) -> list[ShadowFrame]:
    """One frame per instant of ``request``: its ground shadows within ``clip``.

    While the sun is below :data:`MIN_ELEVATION` the whole of ``clip`` is in shade.
    """
    times = request.times()
    sun = sun_position(times, request.latitude, request.longitude)
    dirs = sun.directions()
    hours = true_solar_hour(times, request.longitude)
    out = []
    for i, t in enumerate(times):
        if sun.elevation[i] < MIN_ELEVATION:
            shade = clip
        else:
            shade = shapely.intersection(casters.shadow(dirs[i]), clip)
        out.append(ShadowFrame(t, float(hours[i]), float(sun.azimuth[i]),
                               float(sun.elevation[i]), shade))
        if progress is not None and progress((i + 1) / len(times)) is False:
            raise InterruptedError(translate("AnalysisError", "shadow animation cancelled"))
    return out


def term_of(day: dt.date) -> str | None:
    """``"大寒"`` or ``"冬至"`` when ``day`` is that solar term's date (China time)."""
    for term in SOLAR_TERMS:
        year = day.year
        try:
            if solar_term_date(year, term) == day:
                return term
        except ValueError:
            continue
    return None


def caption(day: dt.date, frame: ShadowFrame, term: str | None = None) -> str:
    """The Chinese caption of a frame: date (solar term), true solar time, the sun.

    The captions are Chinese whatever the interface language, as the sunlight
    columns and the standards they quote are (``日照_最少``, 大寒日).
    """
    minutes = int(round(frame.solar_hour * 60.0)) % (24 * 60)
    clock = f"{minutes // 60:02d}:{minutes % 60:02d}"
    name = f"（{term}）" if term else ""
    return (f"{day.year}年{day.month}月{day.day}日{name}  真太阳时 {clock}  "
            f"太阳高度角 {frame.elevation:.1f}°  方位角 {frame.azimuth:.1f}°")


def scene_shadows(scene, request: ShadowRequest, *,
                  progress: Callable[[float], bool | None] | None = None
                  ) -> tuple[list[ShadowFrame], GroundZ | None]:
    """The frames of a scene (its visible DEM as the ground) and the ground used.

    Shadows are kept within the visible scene's plan box, widened by a fifth each way,
    and on the DEM when there is one (off it there is no ground to fall on).
    """
    from twinviewer.analysis.ground import scene_terrain, terrain_ground

    terrain = scene_terrain(scene)
    ground_z = terrain_ground(terrain)
    b = scene.bounds(visible_only=True) or scene.bounds()
    if b is None:
        raise ValueError(translate("AnalysisError", "the scene is empty"))
    dx, dy = (b[3] - b[0]) * 0.2 + 10.0, (b[4] - b[1]) * 0.2 + 10.0
    clip = shapely.box(b[0] - dx, b[1] - dy, b[3] + dx, b[4] + dy)
    if terrain is not None:
        clip = shapely.intersection(clip, shapely.box(*terrain.extent))
    frames = shadow_frames(scene_casters(scene, ground_z=ground_z), request, clip=clip,
                           progress=progress)
    return frames, ground_z
