"""Camera coverage behind a hill: a synthetic ridge DEM (written with rasterio) against
the hidden ground worked out by hand for a straight ridge."""

import numpy as np
import pytest
import rasterio
import shapely
from pyproj import CRS
from rasterio.transform import from_origin

from twinviewer.analysis.coverage import Cameras, Obstacles, coverage
from twinviewer.io.raster import read_raster

X0, Y1 = 500_000.0, 3_460_000.0
CELL = 1.0
SIZE = 200            # 200 m x 200 m
GROUND = 10.0
CAMERA = (100.0, 50.0)  # metres east and south... of the DEM's south-west corner (see local)
CREST = 90.5          # the ridge's crest, metres north of the DEM's south edge (a cell centre)
HALF = 4.0            # half-width of the ridge's foot
RIDGE = 8.0           # crest height above the plain


def ridge_heights(ridge: float) -> np.ndarray:
    """Heights at the cell centres: a plain with a straight east-west ridge of triangular
    section (crest and feet on cell centres, so bilinear sampling is the profile itself)."""
    rows = np.arange(SIZE)
    north = SIZE - (rows + 0.5) * CELL          # metres north of the south edge, per row
    prof = np.clip(1.0 - np.abs(north - CREST) / HALF, 0.0, None) * ridge
    return np.repeat((GROUND + prof)[:, None], SIZE, axis=1).astype(np.float32)


def terrain_of(tmp_path, ridge: float):
    path = tmp_path / f"ridge_{ridge:g}.tif"
    with rasterio.open(path, "w", driver="GTiff", width=SIZE, height=SIZE, count=1,
                       dtype="float32", crs="EPSG:4549", nodata=-9999.0,
                       transform=from_origin(X0, Y1, CELL, CELL)) as ds:
        ds.write(ridge_heights(ridge), 1)
    layer = read_raster(path, role="terrain")[0]
    origin = np.array([X0, Y1 - SIZE * CELL, 0.0])  # local (0, 0): the south-west corner
    layer.place(CRS.from_epsg(4549), origin)
    return layer.terrain


def camera(height: float, reach=80.0, angle=60.0) -> Cameras:
    eye = np.array([[CAMERA[0], CAMERA[1], GROUND + height]])
    return Cameras(eye, np.array([0.0]), np.array([reach]), np.array([angle]), np.array([0]),
                   ground=np.array([GROUND]))


def fine_sector(reach, angle, n=4000):
    az = np.radians(angle) / 2 * np.linspace(-1, 1, n)
    return shapely.Polygon([CAMERA, *zip(CAMERA[0] + reach * np.sin(az),
                                         CAMERA[1] + reach * np.cos(az), strict=True)])


def band(y0: float, y1: float) -> shapely.Polygon:
    return shapely.box(-1e4, y0, 1e4, y1)


def test_flat_dem_covers_the_whole_sector(tmp_path):
    terrain = terrain_of(tmp_path, ridge=0.0)
    r = coverage(camera(4.0), Obstacles.from_layers([]), terrain=terrain)
    assert r.union.area == pytest.approx(80.0 ** 2 * np.radians(60.0) / 2, rel=1e-4)


def test_a_ridge_above_the_eye_hides_everything_behind_its_crest(tmp_path):
    terrain = terrain_of(tmp_path, ridge=RIDGE)
    assert float(terrain.height_at(CAMERA[0], CREST)) == pytest.approx(GROUND + RIDGE, abs=1e-3)
    r = coverage(camera(4.0), Obstacles.from_layers([]), terrain=terrain)  # eye 14 m < crest 18 m
    # by hand: the near slope faces the camera and is seen; past the crest the line to
    # any point dips under the crest, so the seen ground is the sector up to the crest line
    expected = fine_sector(80, 60).intersection(band(-1e4, CREST))
    assert r.union.area == pytest.approx(expected.area, rel=0.02)
    assert r.union.symmetric_difference(expected).area < 0.03 * expected.area
    assert r.union.area < 0.4 * fine_sector(80, 60).area  # most of the sector is hidden


def test_a_mast_above_the_ridge_sees_again_where_the_sight_line_meets_the_plain(tmp_path):
    terrain = terrain_of(tmp_path, ridge=RIDGE)
    eye = 20.0  # eye 30 m, crest 18 m: the sight line over the crest falls 12 m in 40.5 m
    r = coverage(camera(eye), Obstacles.from_layers([]), terrain=terrain)
    d = CREST - CAMERA[1]
    # scaling about the eye: it meets the plain (20 m below the eye) at d * 20 / 12 north,
    # along every ray alike; the far slope (8 m in 4 m) is steeper than the line: hidden
    back = CAMERA[1] + d * eye / (eye - RIDGE)
    assert back < CAMERA[1] + 80.0 * np.cos(np.radians(30.0))
    sector = fine_sector(80, 60)
    expected = sector.difference(band(CREST, back))
    assert r.union.area == pytest.approx(expected.area, rel=0.02)
    assert r.union.symmetric_difference(expected).area < 0.03 * expected.area
    # and the hidden strip is where it should be: a point just past the crest is not
    # covered, one past the shadow's far edge is
    assert not r.union.contains(shapely.Point(CAMERA[0], CREST + 3.0))
    assert r.union.contains(shapely.Point(CAMERA[0], back + 3.0))
