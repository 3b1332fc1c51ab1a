"""Where the demo district lies, the feature tables it is built of, and small helpers.

Every part of the generator (streets, lots, overlays, residents) fills :class:`_Table`
objects in local, unrotated metres; :mod:`twinviewer.demo.generator` turns them into
world coordinates and writes them to the GeoPackage.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

DISTRICT_NAME = "虹梓街道"
CRS = "EPSG:32651"
GPKG_NAME = "district.gpkg"
SCENE_NAME = "scene.toml"
# World position of the district centre and the bearing of its street grid
# (counter-clockwise from east, degrees).
CENTRE = (350_260.0, 3_455_140.0)
ROTATION_DEG = 11.0


@dataclass
class _Table:
    """One GeoPackage layer in local (unrotated) metres.

    ``coords``: (n, 2) points, (n, 2, 2) line segments or (n, 4) boxes x0, y0, x1, y1.
    """

    table: str
    geometry_type: str
    coords: np.ndarray
    fields: dict[str, np.ndarray]
    z: np.ndarray | None = None  # point heights (e.g. population markers above the roofs)

    def __len__(self) -> int:
        return len(self.coords)



@dataclass
class _Points:
    """Accumulates point objects of one overlay class by class-specific parts."""

    x: list = field(default_factory=list)
    y: list = field(default_factory=list)
    cols: dict = field(default_factory=dict)

    def add(self, x, y, **cols) -> None:
        x = np.atleast_1d(np.asarray(x, dtype=float))
        self.x.append(x)
        self.y.append(np.broadcast_to(np.asarray(y, dtype=float), x.shape))
        for key, value in cols.items():
            arr = np.asarray(value)
            if arr.ndim == 0:
                arr = np.full(len(x), value, dtype=object if isinstance(value, str) else None)
            self.cols.setdefault(key, []).append(arr)

    def __len__(self) -> int:
        return int(sum(len(x) for x in self.x))

    def xy(self) -> np.ndarray:
        if not self.x:
            return np.zeros((0, 2))
        return np.column_stack([np.concatenate(self.x), np.concatenate(self.y)])

    def col(self, key: str) -> np.ndarray:
        return np.concatenate(self.cols[key])



def _choice(options, rng, n, p=None) -> np.ndarray:
    arr = np.asarray(options, dtype=object)
    return arr[rng.choice(len(arr), size=n, p=p)]


def _group_rank(groups: np.ndarray, flags: np.ndarray) -> np.ndarray:
    """1-based running count of ``flags`` within runs of equal (sorted) ``groups``."""
    if len(groups) == 0:
        return np.zeros(0, dtype=np.int64)
    flags = flags.astype(np.int64)
    cs = np.cumsum(flags)
    first = np.r_[True, groups[1:] != groups[:-1]]
    gid = np.cumsum(first) - 1
    base = (cs - flags)[first]
    return cs - base[gid]



def _codes(prefix: str, n: int) -> np.ndarray:
    return np.array([f"{prefix}-{k:06d}" for k in range(1, n + 1)], dtype=object)



def _bearing(dx, dy) -> np.ndarray:
    """Compass bearing (degrees clockwise from north) of a local direction in world space."""
    ang = np.degrees(np.arctan2(dy, dx)) + ROTATION_DEG
    return np.round((90.0 - ang) % 360.0, 1)
