"""The instanced asset models: present, low-poly, standing on the ground, sensible sizes."""

from __future__ import annotations

import numpy as np
import pytest

from twinviewer.core.assets import ASSET_NAMES
from twinviewer.io.assets import assets_dir, load_asset

# (min, max) height in metres
HEIGHTS = {"lamp_post": (6, 12), "bin": (0.6, 1.5), "tree": (4, 10), "camera": (3, 6),
           "sensor": (1.5, 3), "billboard": (3, 8), "pole": (6, 14), "hydrant": (0.5, 1.2),
           "bench": (0.4, 1.2), "marker": (2, 4)}


def test_every_name_has_a_file():
    assert set(HEIGHTS) == set(ASSET_NAMES)
    for name in ASSET_NAMES:
        assert (assets_dir() / f"{name}.obj").is_file()


@pytest.mark.parametrize("name", ASSET_NAMES)
def test_asset_shape(name):
    vertices, triangles = load_asset(name)
    assert vertices.dtype == np.float64 and vertices.shape[1] == 3
    assert triangles.dtype == np.int64 and triangles.shape[1] == 3
    assert 4 <= len(triangles) <= 12  # instanced 100,000 times
    assert triangles.min() >= 0 and triangles.max() < len(vertices)
    assert vertices[:, 2].min() == 0.0
    lo, hi = HEIGHTS[name]
    assert lo <= vertices[:, 2].max() <= hi
    # the foot stands at the origin
    foot = vertices[vertices[:, 2] < 0.01]
    assert np.all(np.abs(foot[:, :2].mean(axis=0)) < 0.1)
    # the footprint is street-sized
    assert np.all(np.ptp(vertices[:, :2], axis=0) <= 5.0)
    # outward winding: the signed volume is positive
    tri = vertices[triangles]
    volume = np.einsum("ij,ij->i", tri[:, 0], np.cross(tri[:, 1], tri[:, 2])).sum() / 6
    assert volume > 0
    # no degenerate triangles
    area = np.linalg.norm(np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0]), axis=1)
    assert np.all(area > 1e-6)


def test_unknown_name_falls_back_to_marker():
    marker = load_asset("marker")
    for name in ("spaceship", "", "../marker", "lamp_post/../../etc"):
        assert load_asset(name)[0] is marker[0]


def test_cached_and_read_only():
    v1, t1 = load_asset("tree")
    v2, t2 = load_asset("tree")
    assert v1 is v2 and t1 is t2
    with pytest.raises(ValueError):
        v1[0, 0] = 5.0
