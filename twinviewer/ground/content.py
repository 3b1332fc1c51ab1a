"""One ground tile as arrays: triangles by error with skirts, and imagery textures.

Runs in a worker thread (rasterio and pydelatin release the GIL while they read and
triangulate); the result is plain numpy, turned into VTK on the GUI thread.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from twinviewer.core.terrain import fill_nan
from twinviewer.ground.mesh import add_skirts, triangulate
from twinviewer.ground.pyramid import GRID, IMAGERY_ERROR, TEXTURE, GroundPyramid, TileKey
from twinviewer.tiles.tile import Bounds


@dataclass
class TileContent:
    """A tile ready to draw.

    ``points`` are scene-local (float64), ``uv`` in [0, 1] over the tile's box,
    ``textures`` one RGBA uint8 ``(TEXTURE, TEXTURE, 4)`` image per imagery layer name
    (row 0 at the north; absent: the layer has nothing here). ``error`` is the metres
    of height error of drawing this tile instead of its children.
    """

    points: np.ndarray
    triangles: np.ndarray
    uv: np.ndarray
    textures: dict[str, np.ndarray] = field(default_factory=dict)
    error: float = 0.0
    bounds: Bounds | None = None
    surface_triangles: int = 0
    normals: np.ndarray | None = None  # per point; a skirt point has its surface point's

    @property
    def nbytes(self) -> int:
        return int(self.points.nbytes + self.triangles.nbytes + self.uv.nbytes
                   + sum(t.nbytes for t in self.textures.values()))


def build_tile(pyramid: GroundPyramid, key: TileKey) -> TileContent:
    """Read, triangulate and texture one tile of ``pyramid``."""
    x0, y0, x1, y1 = pyramid.box(key)
    leaf = key.depth >= pyramid.max_depth
    z, sampling_error = _heights(pyramid, (x0, y0, x1, y1), fine=not leaf)
    holes = ~np.isfinite(z)
    filled = fill_nan(z, 0.0) if holes.any() else z
    verts, tris, tin_error = triangulate(filled, pyramid.max_error if pyramid.terrain else 1.0)
    n = GRID - 1
    col, row_s = verts[:, 0], verts[:, 1]
    if holes.any() and len(tris):  # nodata: no ground where the centre has none
        centre = verts[tris, :2].mean(axis=1)
        rows_n = np.clip(np.rint(n - centre[:, 1]), 0, n).astype(np.int64)
        tris = tris[~holes[rows_n, np.clip(np.rint(centre[:, 0]), 0, n).astype(np.int64)]]
    points = np.column_stack([x0 + col / n * (x1 - x0), y0 + row_s / n * (y1 - y0),
                              verts[:, 2]])
    uv = np.column_stack([col / n, row_s / n])
    surface = len(tris)
    error = 0.0 if leaf else tin_error + sampling_error
    if pyramid.imagery and not leaf:  # the texture's own level of detail
        error = max(error, IMAGERY_ERROR * (x1 - x0) / TEXTURE)
    surface_points = len(points)
    if pyramid.terrain is not None and len(tris):
        depth = max(3.0 * max(error, pyramid.max_error), (x1 - x0) / n)
        ex = pyramid.extent
        eps = 1e-6 * max(x1 - x0, 1.0)
        on = [np.abs(points[:, 0] - ex[0]) < eps, np.abs(points[:, 0] - ex[2]) < eps,
              np.abs(points[:, 1] - ex[1]) < eps, np.abs(points[:, 1] - ex[3]) < eps]
        sides = sum(side.astype(np.int64) << k for k, side in enumerate(on))
        points, tris, src = add_skirts(points, tris, depth, sides)
    else:
        src = np.arange(len(points))
    uv = uv[src]
    normals = _normals(points[:surface_points], tris[:surface])
    if len(points) > len(normals):  # skirts: shaded like the edge they hang from
        normals = normals[src]
    zs = points[:, 2] if len(points) else np.zeros(1)
    bounds = Bounds(np.array([x0, y0, float(zs.min())]), np.array([x1, y1, float(zs.max())]))
    textures = {}
    for layer in pyramid.imagery:
        image = _imagery(layer, (x0, y0, x1, y1))
        if image is not None:
            textures[layer.name] = image
    return TileContent(points, tris, uv.astype(np.float32), textures, float(error), bounds,
                       surface, normals.astype(np.float32))


def _normals(points: np.ndarray, tris: np.ndarray) -> np.ndarray:
    """Area-weighted vertex normals of the surface (up where no triangle is)."""
    normals = np.zeros((len(points), 3))
    if len(tris):
        p = points[tris]
        face = np.cross(p[:, 1] - p[:, 0], p[:, 2] - p[:, 0])
        for k in range(3):
            np.add.at(normals, tris[:, k], face)
    normals[np.linalg.norm(normals, axis=1) < 1e-12] = (0.0, 0.0, 1.0)
    return normals / np.linalg.norm(normals, axis=1, keepdims=True)


def _heights(pyramid: GroundPyramid, box, fine: bool) -> tuple[np.ndarray, float]:
    """The tile's ``GRID x GRID`` heights (metres) and how far the next level's samples
    stray from them (the error of not refining)."""
    if pyramid.terrain is None:
        return np.zeros((GRID, GRID), dtype=np.float32), 0.0
    layer = pyramid.terrain
    ox, oy = layer.origin[:2]
    world = (box[0] + ox, box[1] + oy, box[2] + ox, box[3] + oy)
    n = 2 * (GRID - 1) + 1 if fine else GRID
    z = layer.raster.read(world, (n, n), layer.scene_crs, pixel_is_point=True)[0]
    z = z * layer.z_factor
    if not fine:
        return z, 0.0
    coarse = z[::2, ::2]
    with np.errstate(invalid="ignore"):
        mid_r = np.abs(z[1::2, ::2] - (coarse[:-1] + coarse[1:]) / 2)
        mid_c = np.abs(z[::2, 1::2] - (coarse[:, :-1] + coarse[:, 1:]) / 2)
        worst = max(np.nanmax(mid_r, initial=0.0), np.nanmax(mid_c, initial=0.0))
    return np.ascontiguousarray(coarse), float(worst)


def _imagery(layer, box) -> np.ndarray | None:
    """The layer's RGBA texture over ``box`` (None: nothing of it there)."""
    ext = layer.local_extent()
    if ext is None or ext[0] >= box[2] or ext[2] <= box[0] or ext[1] >= box[3] \
            or ext[3] <= box[1]:
        return None
    ox, oy = layer.origin[:2]
    world = (box[0] + ox, box[1] + oy, box[2] + ox, box[3] + oy)
    bands = (1, 2, 3) if layer.raster.info.bands >= 3 else (1,)
    data = layer.raster.read(world, (TEXTURE, TEXTURE), layer.scene_crs, bands=bands)
    alpha = np.isfinite(data).all(axis=0)
    if not alpha.any():
        return None
    if layer.raster.info.dtype != "uint8":  # 16-bit or float imagery: stretch to 8 bits
        hi = np.nanpercentile(data, 99.5) or 1.0
        data = data * (255.0 / hi)
    rgb = np.clip(np.nan_to_num(data, nan=0.0), 0, 255).astype(np.uint8)
    if len(bands) == 1:
        rgb = np.repeat(rgb, 3, axis=0)
    return np.dstack([rgb[0], rgb[1], rgb[2], alpha.astype(np.uint8) * 255])


def composite(base_rgb, layers: list[tuple[np.ndarray | None, float]]) -> np.ndarray:
    """Imagery stacked in order over a base colour: each ``(rgba, opacity)`` drawn
    over what is below with its alpha times ``opacity``. Returns RGB uint8."""
    out = np.empty((TEXTURE, TEXTURE, 3), dtype=np.float32)
    out[:] = np.asarray(base_rgb, dtype=np.float32)
    for rgba, opacity in layers:
        if rgba is None or opacity <= 0:
            continue
        a = rgba[..., 3:4].astype(np.float32) * (opacity / 255.0)
        out += (rgba[..., :3].astype(np.float32) - out) * a
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)
