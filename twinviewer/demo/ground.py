"""The demo district's ground: a gentle DEM and an orthophoto drawn from its own map.

Both are GeoTIFFs written with rasterio in the district's CRS, next to its GeoPackage:
``dem.tif`` (float32, 5 m cells, overviews) rises a few metres over the district, as
Shanghai's made ground does, so the twin visibly stands on terrain while the buildings
stay where the camera bookmarks and the picking tests expect them; ``ortho.tif``
(RGB, 1 m cells, JPEG-compressed tiles with overviews) paints grass, paved compounds,
roofs and asphalt from the district's own polygons and roads, with a little noise so
it reads as a photo rather than a map.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyogrio
import rasterio
import shapely
from rasterio.features import rasterize
from rasterio.transform import from_origin

from twinviewer.io.vector import read_frame

DEM_NAME = "dem.tif"
ORTHO_NAME = "ortho.tif"
DEM_CELL = 5.0
ORTHO_CELL = 1.0
MARGIN = 150.0  # metres of ground beyond the district's outermost object
MAX_CELLS = (1024, 2048)  # DEM, photo: cells a side at most (the 100k district is big)

# scene-file entries of the ground layers
GROUND_LAYERS = (
    {"name": "地形", "source": DEM_NAME, "kind": "raster", "role": "terrain", "group": "地形",
     "visible": True, "max_error": 0.25},
    {"name": "正射影像", "source": ORTHO_NAME, "kind": "raster", "role": "imagery",
     "group": "地形", "visible": True},
)


def heights(x: np.ndarray, y: np.ndarray, centre: tuple[float, float]) -> np.ndarray:
    """The demo's terrain: 4 m at the centre, rising 1.5 m to the north-east, with a
    3 m swell north-east of the centre. Slopes stay under 1 %."""
    dx, dy = x - centre[0], y - centre[1]
    swell = 3.0 * np.exp(-((dx - 350.0) ** 2 + (dy - 250.0) ** 2) / (2 * 380.0 ** 2))
    return 4.0 + 0.0004 * dx + 0.0003 * dy + swell


def write_ground(out: Path, gpkg: Path, crs: str, centre: tuple[float, float],
                 seed: int = 7) -> list[dict]:
    """Write ``dem.tif`` and ``ortho.tif`` under the district in ``gpkg``; returns the
    scene-file entries for them."""
    bounds = _district_bounds(gpkg)
    x0 = np.floor((bounds[0] - MARGIN) / 10.0) * 10.0
    y0 = np.floor((bounds[1] - MARGIN) / 10.0) * 10.0
    x1 = np.ceil((bounds[2] + MARGIN) / 10.0) * 10.0
    y1 = np.ceil((bounds[3] + MARGIN) / 10.0) * 10.0
    _write_dem(out / DEM_NAME, (x0, y0, x1, y1), crs, centre)
    _write_ortho(out / ORTHO_NAME, (x0, y0, x1, y1), crs, gpkg, seed)
    return [dict(entry) for entry in GROUND_LAYERS]


def put_on_ground(document: dict, out: Path, gpkg: Path, crs: str,
                  centre: tuple[float, float]) -> dict:
    """The demo's scene document with the ground under it: the DEM and orthophoto
    written and listed last (the attribute table still opens on the compounds; the
    ground is drawn under everything wherever it is listed); the layers with Z measured from the ground (population
    markers and residents on their floors) say ``base_height = "terrain"``."""
    document["layers"].extend(write_ground(out, gpkg, crs, centre))
    for entry in document["layers"]:
        if entry.get("table") in ("population", "residents"):
            entry["base_height"] = "terrain"
    return document


def _district_bounds(gpkg: Path) -> tuple[float, float, float, float]:
    boxes = np.array([pyogrio.read_info(gpkg, layer=t)["total_bounds"]
                      for t in ("compounds", "roads", "buildings", "street_furniture")])
    return (*boxes[:, :2].min(axis=0), *boxes[:, 2:].max(axis=0))


def _cell(box, cell: float, most: int) -> float:
    return max(cell, max(box[2] - box[0], box[3] - box[1]) / most)


def _write_dem(path: Path, box, crs: str, centre) -> None:
    cell = _cell(box, DEM_CELL, MAX_CELLS[0])
    cols = int(round((box[2] - box[0]) / cell))
    rows = int(round((box[3] - box[1]) / cell))
    c = np.arange(cols)
    r = np.arange(rows)
    xx, yy = np.meshgrid(box[0] + (c + 0.5) * cell, box[3] - (r + 0.5) * cell)
    z = heights(xx, yy, centre).astype(np.float32)
    path.unlink(missing_ok=True)
    with rasterio.open(path, "w", driver="GTiff", width=cols, height=rows, count=1,
                       dtype="float32", crs=crs, nodata=-9999.0,
                       transform=from_origin(box[0], box[3], cell, cell), tiled=True,
                       blockxsize=256, blockysize=256, compress="deflate", predictor=3) as ds:
        ds.write(z, 1)
        ds.units = ("metre",)
        ds.build_overviews([2, 4, 8])


def _write_ortho(path: Path, box, crs: str, gpkg: Path, seed: int) -> None:
    cell = _cell(box, ORTHO_CELL, MAX_CELLS[1])
    cols = int(round((box[2] - box[0]) / cell))
    rows = int(round((box[3] - box[1]) / cell))
    transform = from_origin(box[0], box[3], cell, cell)
    rng = np.random.default_rng(seed)
    # classes: 0 grass, 1 compound paving, 2 roof, 3 asphalt
    classes = np.zeros((rows, cols), dtype=np.uint8)
    compounds = _geoms(gpkg, "compounds")
    buildings = _geoms(gpkg, "buildings")
    table, roads, _crs = read_frame(gpkg, "roads")
    width = table["宽度"].to_numpy(dtype=float) if "宽度" in table else np.full(len(table), 12.0)
    streets = shapely.buffer(roads, width * 0.4, cap_style="flat")
    shapes = [(g, 1) for g in compounds] + [(g, 2) for g in buildings]
    shapes += [(g, 3) for g in streets if g is not None and not g.is_empty]
    if shapes:
        classes = rasterize(shapes, out_shape=(rows, cols), transform=transform, fill=0,
                            dtype="uint8")
    palette = np.array([[118, 140, 84], [196, 192, 176], [150, 146, 140], [78, 80, 84]],
                       dtype=np.int16)
    # mottled grass and weathered roofs: a few crossing waves (sums of outer products,
    # so no full-size coordinate grids) plus grain
    rv = np.arange(rows, dtype=np.float32)
    cv = np.arange(cols, dtype=np.float32)
    mottle = np.zeros((rows, cols), np.float32)
    for k in range(4):
        a, b, ph = rng.uniform(0.02, 0.09), rng.uniform(0.02, 0.09), rng.uniform(0, 6.3)
        by = (b if k % 2 else -b) * rv + ph  # sin(ax + by) = sin ax cos by + cos ax sin by
        mottle += np.outer(np.cos(by), np.sin(a * cv)) + np.outer(np.sin(by), np.cos(a * cv))
    shade = (mottle * 4.5).astype(np.int16)
    shade += rng.integers(-6, 7, (rows, cols), dtype=np.int16)
    rgb = np.empty((3, rows, cols), dtype=np.uint8)
    for i in range(3):
        band = palette[:, i][classes]
        band += shade
        np.clip(band, 0, 255, out=band)
        rgb[i] = band
    path.unlink(missing_ok=True)
    with rasterio.open(path, "w", driver="GTiff", width=cols, height=rows, count=3,
                       dtype="uint8", crs=crs, transform=transform, tiled=True,
                       blockxsize=256, blockysize=256, compress="jpeg", jpeg_quality=80,
                       photometric="YCBCR") as ds:
        ds.write(rgb)
        ds.build_overviews([2, 4, 8, 16])


def _geoms(gpkg: Path, table: str) -> np.ndarray:
    _meta, _fids, wkb, _fields = pyogrio.raw.read(gpkg, layer=table, read_geometry=True)
    geoms = shapely.from_wkb(wkb)
    return geoms[~shapely.is_empty(geoms)]
