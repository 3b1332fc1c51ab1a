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


def scene_terrain(scene):
    """The scene's visible DEM as a :class:`~twinviewer.core.terrain.Terrain` (None: flat)."""
    from twinviewer.core.ground_layer import RasterLayer

    for layer in scene.layers:
        if isinstance(layer, RasterLayer) and layer.is_terrain and layer.terrain is not None \
                and layer.visible:
            return layer.terrain
    return None


def terrain_ground(terrain) -> GroundZ | None:
    """``ground_z`` of a terrain: its heights, 0 off the DEM (where the loader sets objects)."""
    if terrain is None:
        return None

    def ground_z(x, y):
        return np.nan_to_num(terrain.height_at(x, y), nan=0.0)

    return ground_z
