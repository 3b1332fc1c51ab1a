"""Ground shadows over a day: a box against its shadow worked with shapely, the frames,
the clock and the Chinese caption."""

import datetime as dt

import numpy as np
import pytest
import shapely
from shapely import affinity

from twinviewer.analysis.shadows import (
    Casters,
    ShadowRequest,
    caption,
    parse_clock,
    shadow_frames,
    term_of,
)
from twinviewer.core.layer import Layer
from twinviewer.core.table import ObjectTable
from twinviewer.io.vector import extrude


def box_layer(poly, height):
    batch = extrude(np.array([poly], dtype=object), np.array([0]), np.array([float(height)]))
    return Layer("建筑", "vector", ObjectTable({"n": [0]}), [batch])


def swept(poly, v):
    """The ground shadow of a prism by hand: its footprint dragged along ``v`` (the
    Minkowski sum with the segment: both ends and every edge's swept quad)."""
    c = np.asarray(poly.exterior.coords)
    quads = [shapely.Polygon([a, b, b + v, a + v]).buffer(0) for a, b in zip(c[:-1], c[1:],
                                                                               strict=True)]
    return shapely.union_all([poly, affinity.translate(poly, *v), *quads])


@pytest.mark.parametrize("az, el", [(135.0, 20.0), (180.0, 35.0), (240.0, 12.0)])
def test_shadow_of_a_box_and_an_l_shape(az, el):
    sun = np.array([np.sin(np.radians(az)) * np.cos(np.radians(el)),
                    np.cos(np.radians(az)) * np.cos(np.radians(el)), np.sin(np.radians(el))])
    length = 30.0 / np.tan(np.radians(el))
    v = -length * np.array([np.sin(np.radians(az)), np.cos(np.radians(az))])
    for poly in (shapely.box(0, 0, 20, 12),
                 shapely.Polygon([(0, 0), (30, 0), (30, 10), (10, 10), (10, 30), (0, 30)])):
        got = Casters([box_layer(poly, 30.0)]).shadow(sun)
        want = swept(poly, v)
        assert got.area == pytest.approx(want.area, rel=1e-4)
        assert got.symmetric_difference(want).area < 1e-4 * want.area


def test_low_objects_cast_none_and_the_sun_below_the_horizon_shades_all():
    lawn = Casters([box_layer(shapely.box(0, 0, 10, 10), 0.3)])
    assert len(lawn) == 0
    req = ShadowRequest(dt.date(2026, 1, 20), 6.0, 9.0, 60.0)
    clip = shapely.box(-100, -100, 100, 100)
    frames = shadow_frames(Casters([box_layer(shapely.box(0, 0, 10, 10), 20.0)]), req, clip=clip)
    assert len(frames) == 4  # 6, 7, 8, 9 h true solar time
    assert [round(f.solar_hour, 3) for f in frames] == [6.0, 7.0, 8.0, 9.0]
    assert frames[0].elevation < 1.0 and frames[0].shadow.equals(clip)  # before sunrise
    assert frames[-1].elevation > 10.0 and frames[-1].shadow.area < clip.area / 4


def test_frames_of_the_preset_window_and_their_caption():
    req = ShadowRequest(dt.date(2026, 1, 20), parse_clock("08:00"), parse_clock("16:00"), 15.0)
    frames = shadow_frames(Casters([box_layer(shapely.box(0, 0, 10, 10), 20.0)]), req,
                           clip=shapely.box(-500, -500, 500, 500))
    assert len(frames) == 33
    # the shadow swings from north-west (morning) to north-east (afternoon)
    c0, c1 = frames[0].shadow.centroid, frames[-1].shadow.centroid
    assert c0.x < 5 < c1.x and c0.y > 5 and c1.y > 5
    assert term_of(dt.date(2026, 1, 20)) == "大寒" and term_of(dt.date(2026, 1, 21)) is None
    text = caption(req.day, frames[0], "大寒")
    assert text.startswith("2026年1月20日（大寒）") and "真太阳时 08:00" in text
    with pytest.raises(ValueError, match="25:00"):
        parse_clock("25:00")
    with pytest.raises(ValueError, match="8h"):
        parse_clock("8h")
