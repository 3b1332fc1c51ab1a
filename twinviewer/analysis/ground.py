"""Ground height as a pluggable callable ``ground_z(x, y) -> z`` (scene coordinates).

Analysis asks the ground for heights through this one signature, so a terrain
model (``core/terrain.py``, a DEM sampler) plugs in without changes here; the
default is flat ground at z = 0.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

GroundZ = Callable[[np.ndarray, np.ndarray], np.ndarray]


def flat_ground(x, y) -> np.ndarray:
    """Flat ground at z = 0 (the default until a terrain is wired in)."""
    return np.zeros(np.broadcast(np.asarray(x, float), np.asarray(y, float)).shape)


def ground_heights(ground_z: GroundZ | None, x, y) -> np.ndarray:
    """``ground_z(x, y)`` as a float array of the broadcast shape (flat when ``None``)."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    fn = ground_z or flat_ground
    z = np.asarray(fn(x, y), dtype=np.float64)
    return np.broadcast_to(z, np.broadcast(x, y).shape).copy()
