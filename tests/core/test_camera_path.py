"""Walkthrough path math: exact at keyframes, continuous, no flips, dwells hold."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from twinviewer.core.camera_path import (
    Bookmark,
    Keyframe,
    WalkPath,
    camera_basis,
    fly_between,
)

coord = st.floats(-500, 500, allow_nan=False, allow_infinity=False)


@st.composite
def bookmarks(draw, i=0):
    """An upright camera (no roll) somewhere above the district, looking down 5..85 deg."""
    pos = np.array([draw(coord), draw(coord), draw(st.floats(2, 400))])
    yaw = draw(st.floats(0, 2 * math.pi))
    pitch = draw(st.floats(math.radians(5), math.radians(85)))
    dist = draw(st.floats(5, 800))
    d = np.array([math.cos(yaw) * math.cos(pitch), math.sin(yaw) * math.cos(pitch),
                  -math.sin(pitch)])
    return Bookmark(f"b{i}", tuple(pos), tuple(pos + d * dist), (0.0, 0.0, 1.0))


@st.composite
def paths(draw):
    n = draw(st.integers(1, 6))
    frames = [Keyframe(draw(bookmarks(i)), dwell=draw(st.sampled_from([0.0, 0.5, 2.0])),
                       caption=f"k{i}") for i in range(n)]
    return WalkPath("p", frames, speed=draw(st.floats(5, 100)))


def basis(view):
    return camera_basis(np.subtract(view.focal_point, view.position), view.up)


@settings(max_examples=60, deadline=None)
@given(paths())
def test_camera_equals_each_keyframe_at_its_time(path):
    times = path.keyframe_times()
    assert times[0] == 0.0 and np.all(np.diff(times) > 0)
    for k, t in zip(path.keyframes, times, strict=True):
        for when in (t, t + k.dwell):  # arrival and end of the dwell
            v = path.pose(when)
            np.testing.assert_allclose(v.position, k.bookmark.position, atol=1e-9)
            np.testing.assert_allclose(v.focal_point, k.bookmark.focal_point, atol=1e-9)
            np.testing.assert_allclose(v.up, k.bookmark.up, atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(paths())
def test_dwell_holds_and_duration_is_the_sum(path):
    seg = path.segment_durations()
    assert len(seg) == len(path.keyframes) - 1 and np.all(seg >= 1.0)
    assert path.duration == pytest.approx(sum(k.dwell for k in path.keyframes) + seg.sum())
    for k, t in zip(path.keyframes, path.keyframe_times(), strict=True):
        if k.dwell > 0:
            for f in np.linspace(0, 1, 5):
                v = path.pose(t + f * k.dwell)
                assert v.position == tuple(map(float, k.bookmark.position))
                assert path.keyframes[path.keyframe_at(t + f * k.dwell)] is k


@settings(max_examples=40, deadline=None)
@given(paths())
def test_continuous_and_never_flips(path):
    if len(path.keyframes) < 2:
        return
    n = 800
    ts = np.linspace(0, path.duration, n)
    views = [path.pose(t) for t in ts]
    pos = np.array([v.position for v in views])
    steps = np.linalg.norm(np.diff(pos, axis=0), axis=1)
    # no jump: a step never covers more than a few times the straight-line speed
    dt = ts[1] - ts[0]
    bound = max(path.speed, 1.0) * dt * 6 + 1e-6
    chords = [np.linalg.norm(np.subtract(b.bookmark.position, a.bookmark.position))
              for a, b in zip(path.keyframes[:-1], path.keyframes[1:], strict=True)]
    bound = max(bound, max(chords) / n * 12)
    assert steps.max() <= bound
    # orientation never jumps: sampled per segment (a long flight and a 1 s turn on the
    # spot share one path, so one global step would be coarse for the turn)
    times = path.keyframe_times()
    for i in range(len(path.keyframes) - 1):
        seg_ts = np.linspace(times[i] + path.keyframes[i].dwell, times[i + 1], 120)
        seg = [basis(path.pose(t)) for t in seg_ts]
        turn = [math.degrees(math.acos(np.clip((np.trace(a.T @ b) - 1) / 2, -1, 1)))
                for a, b in zip(seg[:-1], seg[1:], strict=True)]
        assert max(turn) < 5.0
    bases = [basis(v) for v in views]
    ups = np.array([b[:, 1] for b in bases])
    assert np.all(ups[:, 2] > 0)  # the camera never turns upside down
    # within each segment the up vector moves away from the start's monotonically
    times = path.keyframe_times()
    for i in range(len(path.keyframes) - 1):
        start = times[i] + path.keyframes[i].dwell
        sel = (ts >= start) & (ts <= times[i + 1])
        a = basis(path.keyframes[i].bookmark.view)[:, 1]
        b = basis(path.keyframes[i + 1].bookmark.view)[:, 1]
        limit = math.acos(np.clip(np.dot(a, b), -1, 1)) + 1e-6
        assert np.all(np.arccos(np.clip(ups[sel] @ a, -1, 1)) <= limit)


@settings(max_examples=40, deadline=None)
@given(paths())
def test_never_below_both_ends_of_a_segment(path):
    times = path.keyframe_times()
    for i in range(len(path.keyframes) - 1):
        lo = min(path.keyframes[i].bookmark.position[2], path.keyframes[i + 1].bookmark.position[2])
        for t in np.linspace(times[i], times[i + 1], 40):
            assert path.pose(t).position[2] >= lo - 1e-9


def test_turning_half_round_takes_the_short_way():
    a = Bookmark("a", (0, 0, 10), (100, 0, 0))
    b = Bookmark("b", (0, 0, 10), (-100, 1, 0))  # almost half a turn, slightly left
    mid = fly_between(a.view, b.view, 0.5)
    d = np.subtract(mid.focal_point, mid.position)
    assert d[1] > 0 and mid.up[2] > 0  # turned through +y, kept upright


def test_segment_time_from_speed():
    a = Bookmark("a", (0, 0, 50), (0, 100, 0))
    b = Bookmark("b", (120, 0, 50), (120, 100, 0))
    path = WalkPath("p", [Keyframe(a, dwell=1.5), Keyframe(b, dwell=0.5)], speed=40)
    assert path.segment_durations().tolist() == [3.0]
    assert path.duration == 5.0
    assert path.frame_count(10) == 50
    assert path.keyframe_at(4.4) == 0 and path.keyframe_at(4.5) == 1


def test_fly_between_ends_exactly():
    a = Bookmark("a", (0, 0, 50), (0, 100, 0)).view
    b = Bookmark("b", (300, 40, 80), (250, 300, 0)).view
    assert fly_between(a, b, 0.0) == a and fly_between(a, b, 1.0) == b
