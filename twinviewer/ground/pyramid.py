"""The ground's quadtree: tiles over a DEM and its imagery, made as the view asks.

A 10,000 x 10,000 DEM opens as fast as a small one because nothing is read until the
traversal (:func:`twinviewer.tiles.select.select`) wants a tile: the root tiles span
the whole extent, each splits into four, and a tile of depth ``d`` samples the DEM on
a ``GRID x GRID`` lattice, so coarse tiles are read from the DEM's overviews (the
raster reader picks the level by cell size) and only the tiles near the camera reach
the full resolution.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from twinviewer.tiles.tile import Bounds, Tile

GRID = 65  # height samples a tile side (64 cells)
TEXTURE = 256  # imagery texels a tile side
IMAGERY_ERROR = 6.0  # a texel counts this much: refine when texels exceed ~3 pixels
MAX_DEPTH = 22


@dataclass(frozen=True)
class TileKey:
    """Depth (1 = the root tiles), column from the west, row from the north."""

    depth: int
    x: int
    y: int


class GroundPyramid:
    """The tile tree over a terrain layer (or the flat ground) and imagery layers.

    Parameters
    ----------
    terrain : RasterLayer or None
        The DEM (placed); ``None``: the imagery drapes on the flat ground at z = 0.
    imagery : list of RasterLayer
        Bottom first (scene-file order: later layers are drawn over earlier ones).
    max_error : float, optional
        Triangulation error in metres; default: the terrain layer's ``max_error``.
    """

    def __init__(self, terrain, imagery, *, max_error: float | None = None) -> None:
        self.terrain = terrain
        self.imagery = list(imagery)
        self.max_error = float(max_error if max_error is not None else
                               (terrain.max_error if terrain is not None else 0.5))
        boxes = [terrain.local_extent()] if terrain is not None else \
            [lyr.local_extent() for lyr in self.imagery]
        boxes = [b for b in boxes if b is not None]
        if not boxes:
            raise ValueError("a ground needs a placed DEM or imagery layer")
        arr = np.array(boxes)
        self.extent = (float(arr[:, 0].min()), float(arr[:, 1].min()),
                       float(arr[:, 2].max()), float(arr[:, 3].max()))
        x0, y0, x1, y1 = self.extent
        w, h = max(x1 - x0, 1e-6), max(y1 - y0, 1e-6)
        self.size = min(w, h) if max(w, h) / min(w, h) <= 4 else max(w, h) / 4
        self.nx, self.ny = math.ceil(w / self.size - 1e-9), math.ceil(h / self.size - 1e-9)
        t = terrain.terrain if terrain is not None else None
        self.z_range = (t.z_min, t.z_max) if t is not None else (0.0, 0.0)
        self.slope = _slope(t)
        self.max_depth = self._max_depth()
        self.root = Tile("ground", 0, math.inf, self._bounds_of(self.extent), content=None,
                         children=None, expander=self._root_children)

    # -- levels ---------------------------------------------------------------
    def tile_size(self, depth: int) -> float:
        return self.size / 2 ** (depth - 1)

    def _max_depth(self) -> int:
        finest = []
        if self.terrain is not None:
            finest.append((min(self.terrain.raster.info.resolution), GRID - 1))
        for lyr in self.imagery:
            finest.append((min(lyr.raster.info.resolution), TEXTURE))
        depth = 1
        for res, cells in finest:
            d = 1 + math.ceil(math.log2(max(self.size / cells / max(res, 1e-9), 1.0)))
            depth = max(depth, d)
        return int(min(depth, MAX_DEPTH))

    def estimated_error(self, depth: int) -> float:
        """Metres of error of a tile of ``depth`` before it is read: the terrain's mean
        slope over a cell, or the imagery's texel size weighted by IMAGERY_ERROR."""
        if depth >= self.max_depth:
            return 0.0
        s = self.tile_size(depth)
        terrain = self.slope * s / (GRID - 1) + self.max_error if self.terrain else 0.0
        imagery = IMAGERY_ERROR * s / TEXTURE if self.imagery else 0.0
        return max(terrain, imagery)

    # -- tiles ----------------------------------------------------------------
    def _bounds_of(self, box) -> Bounds:
        z0, z1 = self.z_range
        return Bounds(np.array([box[0], box[1], z0]), np.array([box[2], box[3], z1]))

    def raw_box(self, key: TileKey) -> tuple[float, float, float, float]:
        """The tile's square in the quadtree (may reach beyond the extent)."""
        s = self.tile_size(key.depth)
        x0 = self.extent[0] + key.x * s
        y1 = self.extent[3] - key.y * s
        return (x0, y1 - s, x0 + s, y1)

    def box(self, key: TileKey) -> tuple[float, float, float, float]:
        """``(xmin, ymin, xmax, ymax)`` of a tile in scene-local coordinates, clipped to
        the ground's extent (edge tiles sample only where the ground is)."""
        x0, y0, x1, y1 = self.raw_box(key)
        ex = self.extent
        return (max(x0, ex[0]), max(y0, ex[1]), min(x1, ex[2]), min(y1, ex[3]))

    def _tile(self, key: TileKey, parent: Tile | None) -> Tile:
        leaf = key.depth >= self.max_depth
        return Tile(f"{key.depth}/{key.x}/{key.y}", key.depth, self.estimated_error(key.depth),
                    self._bounds_of(self.box(key)), content=key,
                    children=[] if leaf else None,
                    expander=None if leaf else self._children, parent=parent)

    def _root_children(self, root: Tile) -> list[Tile]:
        return [self._tile(TileKey(1, x, y), root) for y in range(self.ny)
                for x in range(self.nx)]

    def _children(self, tile: Tile) -> list[Tile]:
        k = tile.content
        kids = []
        for dy in (0, 1):
            for dx in (0, 1):
                key = TileKey(k.depth + 1, 2 * k.x + dx, 2 * k.y + dy)
                if self._inside(key):
                    kids.append(self._tile(key, tile))
        return kids

    def _inside(self, key: TileKey) -> bool:
        x0, y0, x1, y1 = self.raw_box(key)
        ex = self.extent
        return x0 < ex[2] - 1e-9 and y1 > ex[1] + 1e-9


def _slope(terrain) -> float:
    """Mean absolute slope (metres per metre) of the placement grid (worked out once
    per terrain: every pyramid made on it shares the figure)."""
    return 0.0 if terrain is None else terrain.slope
