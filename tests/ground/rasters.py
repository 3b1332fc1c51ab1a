"""Rasters the ground tests write with rasterio: a DEM in EPSG:4549 and its orthophoto."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import rasterio
from rasterio.transform import from_origin

X0, Y1 = 500_000.0, 3_460_000.0  # CGCS2000 / 3-degree GK CM 120E, near Shanghai
CELL = 2.0
SIZE = 256  # cells a side: 512 m x 512 m


def hill(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The test landscape: a 40 m hill at (X0 + 300, Y1 - 200) on a plane rising east."""
    r2 = (x - (X0 + 300.0)) ** 2 + (y - (Y1 - 200.0)) ** 2
    return 10.0 + 0.02 * (x - X0) + 40.0 * np.exp(-r2 / (2 * 60.0 ** 2))


def cell_centres(size: int = SIZE, cell: float = CELL) -> tuple[np.ndarray, np.ndarray]:
    c = np.arange(size)
    return np.meshgrid(X0 + (c + 0.5) * cell, Y1 - (c + 0.5) * cell)


def write_dem(path: Path, *, crs="EPSG:4549", nodata: float | None = -9999.0,
              heights: np.ndarray | None = None, overviews=(2, 4, 8), units: str | None = None,
              **profile) -> Path:
    """A float32 DEM of :func:`hill`, tiled, with overviews."""
    if heights is None:
        xx, yy = cell_centres()
        heights = hill(xx, yy).astype(np.float32)
    rows, cols = heights.shape
    opts = dict(driver="GTiff", width=cols, height=rows, count=1, dtype="float32",
                crs=crs, transform=from_origin(X0, Y1, CELL, CELL), nodata=nodata)
    if rows >= 16 and cols >= 16:
        opts.update(tiled=True, blockxsize=16 * (min(rows, cols, 256) // 16),
                    blockysize=16 * (min(rows, cols, 256) // 16))
    opts.update(profile)
    with rasterio.open(path, "w", **opts) as ds:
        ds.write(heights.astype(np.float32), 1)
        if units:
            ds.units = (units,)
        if overviews and min(rows, cols) > 8:
            ds.build_overviews(list(overviews))
    return path


def write_orthophoto(path: Path, *, crs="EPSG:4549", colour=(200, 60, 40)) -> Path:
    """An RGB orthophoto over the DEM: a colour field with a white grid every 64 m."""
    n = SIZE * 2  # 1 m cells
    img = np.empty((3, n, n), dtype=np.uint8)
    for i, v in enumerate(colour):
        img[i] = v
    img[:, ::64, :] = 255
    img[:, :, ::64] = 255
    with rasterio.open(path, "w", driver="GTiff", width=n, height=n, count=3, dtype="uint8",
                       crs=crs, transform=from_origin(X0, Y1, 1.0, 1.0), tiled=True,
                       blockxsize=256, blockysize=256, photometric="RGB") as ds:
        ds.write(img)
        ds.build_overviews([2, 4])
    return path
