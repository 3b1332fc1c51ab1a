"""Bookmarks and walkthrough paths: camera poses over time (pure numpy, no Qt, no VTK).

Positions follow a centripetal Catmull-Rom spline through the keyframes (no cusps,
no loops, passes exactly through every keyframe); orientation is a quaternion
slerp along the shorter arc between consecutive keyframes (no flips); the focal
distance is interpolated geometrically.  The timeline is, for every keyframe, its
dwell (the camera holds still) followed by the segment to the next keyframe.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from twinviewer.core.scene import View

DEFAULT_SPEED = 25.0  # metres per second along the path
MIN_SEGMENT_S = 1.0  # even a pure turn takes this long
TURN_RATE_DEG = 45.0  # degrees per second at most while turning
_EPS = 1e-9


@dataclass
class Bookmark:
    """A named camera: position, focal point and up vector in scene coordinates."""

    name: str
    position: tuple[float, float, float]
    focal_point: tuple[float, float, float]
    up: tuple[float, float, float] = (0.0, 0.0, 1.0)

    @property
    def view(self) -> View:
        return View(tuple(map(float, self.position)), tuple(map(float, self.focal_point)),
                    tuple(map(float, self.up)))

    @classmethod
    def from_view(cls, name: str, view: View) -> Bookmark:
        return cls(name, tuple(map(float, view.position)), tuple(map(float, view.focal_point)),
                   tuple(map(float, view.up)))


@dataclass
class Keyframe:
    """One stop of a path: a bookmark, how long to hold it, what to say and show.

    ``layers`` lists the layer names visible at this keyframe (``None``: leave the
    layers as they are).
    """

    bookmark: Bookmark
    dwell: float = 0.0
    caption: str = ""
    layers: list[str] | None = None


@dataclass
class WalkPath:
    """An ordered list of keyframes played at ``speed`` metres per second.

    Examples
    --------
    >>> a = Bookmark("a", (0, 0, 10), (0, 50, 0))
    >>> b = Bookmark("b", (100, 0, 10), (100, 50, 0))
    >>> path = WalkPath("tour", [Keyframe(a, dwell=1.0), Keyframe(b, dwell=2.0)], speed=50)
    >>> path.duration
    5.0
    >>> path.pose(1.0).position == a.view.position
    True
    """

    name: str
    keyframes: list[Keyframe] = field(default_factory=list)
    speed: float = DEFAULT_SPEED

    # -- timeline -----------------------------------------------------------
    def segment_durations(self) -> np.ndarray:
        """Seconds from keyframe ``i`` (after its dwell) to keyframe ``i + 1``.

        The longest of: straight distance / speed, turn angle / 45 deg/s, 1 s.
        """
        frames = self._frames()
        out = []
        for a, b in zip(frames[:-1], frames[1:], strict=True):
            dist = float(np.linalg.norm(b.position - a.position))
            turn = math.degrees(_quat_angle(a.quat, b.quat))
            out.append(max(dist / max(self.speed, _EPS), turn / TURN_RATE_DEG, MIN_SEGMENT_S))
        return np.array(out, dtype=float)

    def keyframe_times(self) -> np.ndarray:
        """The time each keyframe is reached (its dwell starts then)."""
        seg = self.segment_durations()
        dwell = np.array([max(k.dwell, 0.0) for k in self.keyframes], dtype=float)
        times = np.zeros(len(self.keyframes))
        if len(times) > 1:
            times[1:] = np.cumsum(dwell[:-1] + seg)
        return times

    @property
    def duration(self) -> float:
        if not self.keyframes:
            return 0.0
        dwell = sum(max(k.dwell, 0.0) for k in self.keyframes)
        return float(dwell + self.segment_durations().sum())

    def frame_count(self, fps: float) -> int:
        """Frames of a video of this path at ``fps`` (the duration times fps, rounded)."""
        return max(int(round(self.duration * fps)), 1)

    def keyframe_at(self, t: float) -> int:
        """Index of the last keyframe reached at time ``t``."""
        times = self.keyframe_times()
        return int(np.searchsorted(times, t + 1e-9, side="right") - 1) if len(times) else -1

    # -- poses --------------------------------------------------------------
    def pose(self, t: float) -> View:
        """The camera at time ``t`` (clamped to the path's duration)."""
        frames = self._frames()
        if not frames:
            raise ValueError(f"path {self.name!r} has no keyframes")
        times = self.keyframe_times()
        i = max(self.keyframe_at(t), 0)
        if i >= len(frames) - 1:
            return self.keyframes[-1].bookmark.view
        start = times[i] + max(self.keyframes[i].dwell, 0.0)
        if t <= start:
            return self.keyframes[i].bookmark.view
        length = times[i + 1] - start
        u = min(max((t - start) / length, 0.0), 1.0)
        stop_a = i == 0 or self.keyframes[i].dwell > 0
        stop_b = i + 1 == len(frames) - 1 or self.keyframes[i + 1].dwell > 0
        return self._between(frames, i, _ease(u, stop_a, stop_b))

    def _between(self, frames: list[_Frame], i: int, u: float) -> View:
        if u <= 0.0:
            return self.keyframes[i].bookmark.view
        if u >= 1.0:
            return self.keyframes[i + 1].bookmark.view
        a, b = frames[i], frames[i + 1]
        p0 = frames[i - 1].position if i > 0 else 2 * a.position - b.position
        p3 = frames[i + 2].position if i + 2 < len(frames) else 2 * b.position - a.position
        pos = catmull_rom(p0, a.position, b.position, p3, u)
        pos[2] = max(pos[2], min(a.position[2], b.position[2]))  # never below both ends
        q = slerp(a.quat, b.quat, u)
        rot = quat_to_matrix(q)
        forward, up = -rot[:, 2], rot[:, 1]
        dist = a.distance ** (1 - u) * b.distance ** u
        return View(tuple(map(float, pos)), tuple(map(float, pos + forward * dist)),
                    tuple(map(float, up)))

    def _frames(self) -> list[_Frame]:
        frames = [_Frame.of(k.bookmark) for k in self.keyframes]
        for prev, cur in zip(frames[:-1], frames[1:], strict=True):
            if np.dot(prev.quat, cur.quat) < 0:  # take the shorter arc
                cur.quat = -cur.quat
        return frames


def fly_between(a: View, b: View, u: float) -> View:
    """An eased step ``u`` in [0, 1] of a flight from ``a`` to ``b`` (bookmark fly-to)."""
    path = WalkPath("", [Keyframe(Bookmark("a", a.position, a.focal_point, a.up)),
                         Keyframe(Bookmark("b", b.position, b.focal_point, b.up))])
    return path._between(path._frames(), 0, _ease(min(max(u, 0.0), 1.0), True, True))


@dataclass
class _Frame:
    position: np.ndarray
    quat: np.ndarray
    distance: float

    @classmethod
    def of(cls, bookmark: Bookmark) -> _Frame:
        pos = np.asarray(bookmark.position, dtype=float)
        focal = np.asarray(bookmark.focal_point, dtype=float)
        return cls(pos, camera_quat(focal - pos, np.asarray(bookmark.up, dtype=float)),
                   max(float(np.linalg.norm(focal - pos)), 1e-6))


def _ease(u: float, stop_start: bool, stop_end: bool) -> float:
    """Slow in where the camera stops, full speed where it runs on."""
    if stop_start and stop_end:
        return u * u * (3 - 2 * u)
    if stop_start:
        return u * u * (2 - u)
    if stop_end:
        v = 1 - u
        return 1 - v * v * (2 - v)
    return u


def catmull_rom(p0, p1, p2, p3, u: float, alpha: float = 0.5) -> np.ndarray:
    """Centripetal (``alpha = 0.5``) Catmull-Rom point between ``p1`` (u=0) and ``p2`` (u=1)."""
    p0, p1, p2, p3 = (np.asarray(p, dtype=float) for p in (p0, p1, p2, p3))

    def knot(a, b):
        return max(float(np.linalg.norm(b - a)) ** alpha, _EPS)

    t0 = 0.0
    t1 = t0 + knot(p0, p1)
    t2 = t1 + knot(p1, p2)
    t3 = t2 + knot(p2, p3)
    t = t1 + (t2 - t1) * u
    a1 = (t1 - t) / (t1 - t0) * p0 + (t - t0) / (t1 - t0) * p1
    a2 = (t2 - t) / (t2 - t1) * p1 + (t - t1) / (t2 - t1) * p2
    a3 = (t3 - t) / (t3 - t2) * p2 + (t - t2) / (t3 - t2) * p3
    b1 = (t2 - t) / (t2 - t0) * a1 + (t - t0) / (t2 - t0) * a2
    b2 = (t3 - t) / (t3 - t1) * a2 + (t - t1) / (t3 - t1) * a3
    return (t2 - t) / (t2 - t1) * b1 + (t - t1) / (t2 - t1) * b2


def camera_basis(direction, up) -> np.ndarray:
    """Columns right, up, back (camera looks along -back) of a camera, orthonormal."""
    f = np.asarray(direction, dtype=float)
    f = f / max(np.linalg.norm(f), _EPS)
    u = np.asarray(up, dtype=float)
    u = u - np.dot(u, f) * f
    if np.linalg.norm(u) < 1e-9:  # up along the view direction: any perpendicular
        u = np.cross(f, [1.0, 0.0, 0.0] if abs(f[0]) < 0.9 else [0.0, 1.0, 0.0])
    u = u / np.linalg.norm(u)
    r = np.cross(f, u)
    return np.column_stack([r, u, -f])


def camera_quat(direction, up) -> np.ndarray:
    """Unit quaternion (w, x, y, z) of a camera looking along ``direction``."""
    return matrix_to_quat(camera_basis(direction, up))


def matrix_to_quat(m: np.ndarray) -> np.ndarray:
    tr = m[0, 0] + m[1, 1] + m[2, 2]
    if tr > 0:
        s = math.sqrt(tr + 1.0) * 2
        q = [0.25 * s, (m[2, 1] - m[1, 2]) / s, (m[0, 2] - m[2, 0]) / s, (m[1, 0] - m[0, 1]) / s]
    elif m[0, 0] > m[1, 1] and m[0, 0] > m[2, 2]:
        s = math.sqrt(1.0 + m[0, 0] - m[1, 1] - m[2, 2]) * 2
        q = [(m[2, 1] - m[1, 2]) / s, 0.25 * s, (m[0, 1] + m[1, 0]) / s, (m[0, 2] + m[2, 0]) / s]
    elif m[1, 1] > m[2, 2]:
        s = math.sqrt(1.0 + m[1, 1] - m[0, 0] - m[2, 2]) * 2
        q = [(m[0, 2] - m[2, 0]) / s, (m[0, 1] + m[1, 0]) / s, 0.25 * s, (m[1, 2] + m[2, 1]) / s]
    else:
        s = math.sqrt(1.0 + m[2, 2] - m[0, 0] - m[1, 1]) * 2
        q = [(m[1, 0] - m[0, 1]) / s, (m[0, 2] + m[2, 0]) / s, (m[1, 2] + m[2, 1]) / s, 0.25 * s]
    q = np.array(q)
    return q / np.linalg.norm(q)


def quat_to_matrix(q: np.ndarray) -> np.ndarray:
    w, x, y, z = q / np.linalg.norm(q)
    return np.array([
        [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
        [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
        [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
    ])


def slerp(q0: np.ndarray, q1: np.ndarray, u: float) -> np.ndarray:
    """Spherical interpolation along the shorter arc (``q`` and ``-q`` are one rotation)."""
    d = float(np.dot(q0, q1))
    if d < 0:
        q1, d = -q1, -d
    if d > 0.9995:
        q = q0 + u * (q1 - q0)
        return q / np.linalg.norm(q)
    theta = math.acos(min(d, 1.0))
    s = math.sin(theta)
    return (math.sin((1 - u) * theta) * q0 + math.sin(u * theta) * q1) / s


def _quat_angle(q0: np.ndarray, q1: np.ndarray) -> float:
    """The rotation angle (radians) between two orientations."""
    return 2 * math.acos(min(abs(float(np.dot(q0, q1))), 1.0))


def apply_layers(scene, keyframe: Keyframe) -> None:
    """Show exactly the keyframe's layers (when it names any); unknown names are ignored."""
    if keyframe.layers is None:
        return
    wanted = set(keyframe.layers)
    for layer in scene.layers:
        layer.set_visible(layer.name in wanted)
