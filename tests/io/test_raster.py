"""Raster layers through rasterio: header, windows at a level, warp, nodata, bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin

from tests.ground.rasters import CELL, X0, Y1, cell_centres, hill, write_dem, write_orthophoto
from twinviewer.core.errors import LoadError
from twinviewer.io.loader import load, open_scene, spec_for
from twinviewer.io.raster import raster_info, read_raster
from twinviewer.io.registry import kind_of, reader_for


def test_info_of_the_shared_rasters_matches_rasterio(shared_data):
    folder = shared_data / "rasterio-testdata"
    for name in ("RGB.byte.tif", "cogeo.tif", "float_raster_with_nodata.tif"):
        info = raster_info(folder / name)
        with rasterio.open(folder / name) as ds:  # the oracle: rasterio itself
            assert (info.width, info.height, info.bands) == (ds.width, ds.height, ds.count)
            assert info.dtype == ds.dtypes[0]
            assert info.overviews == ds.overviews(1)
            assert info.bounds == tuple(ds.bounds)
            assert info.nodata == ds.nodata
    assert raster_info(folder / "cogeo.tif").overviews == [2, 4, 8, 16, 32, 64]
    assert read_raster(folder / "RGB.byte.tif")[0].role == "imagery"
    assert read_raster(folder / "float_raster_with_nodata.tif")[0].role == "terrain"


def test_cli_info_prints_the_header_as_json(shared_data):
    path = shared_data / "rasterio-testdata" / "cogeo.tif"
    out = subprocess.run([sys.executable, "-m", "twinviewer", "info", "--json", str(path)],
                         capture_output=True, text=True, check=True).stdout
    lyr = json.loads(out)["layers"][0]
    assert lyr["kind"] == "raster"
    r = lyr["raster"]
    assert (r["width"], r["height"], r["bands"], r["dtype"]) == (1024, 1024, 3, "uint8")
    assert r["crs"] == "EPSG:3857" and r["overviews"] == [2, 4, 8, 16, 32, 64]
    plain = subprocess.run([sys.executable, "-m", "twinviewer", "info", str(path)],
                           capture_output=True, text=True, check=True).stdout
    assert "1024 x 1024" in plain and "1/64" in plain


def test_kind_by_suffix_and_zip(tmp_path):
    import zipfile

    dem = write_dem(tmp_path / "dem.tif")
    assert kind_of(dem) == "raster"
    for suffix in (".img", ".asc", ".hgt", ".vrt", ".tiff"):
        assert kind_of(tmp_path / f"x{suffix}") == "raster"
    with zipfile.ZipFile(tmp_path / "dem.zip", "w") as zf:
        zf.write(dem, "inner/dem.tif")
    assert kind_of(tmp_path / "dem.zip") == "raster"
    layer = reader_for(tmp_path / "dem.zip").read(tmp_path / "dem.zip", {})[0]
    assert layer.info["width"] == 256


def test_dem_in_4549_reads_windows_at_a_level_and_samples_heights(tmp_path):
    dem = write_dem(tmp_path / "dem.tif")
    scene = open_scene([dem])
    assert scene.crs_label == "EPSG:4549"
    layer = scene.layers[0]
    t = layer.terrain
    assert t is not None and layer.role == "terrain"
    # bilinear sampling of a smooth hill: within a few cm of the formula
    rng = np.random.default_rng(1)
    x = rng.uniform(X0 + 10, X0 + 500, 2000)
    y = rng.uniform(Y1 - 500, Y1 - 10, 2000)
    got = t.height_at(x - scene.origin[0], y - scene.origin[1])
    assert np.nanmax(np.abs(got - hill(x, y))) < 0.25
    # a coarse window comes from an overview, and still matches the formula
    src = layer.raster
    assert src.level_for(8.0) == 1  # 2 m cells x 4
    box = (X0 + 64, Y1 - 448, X0 + 448, Y1 - 64)
    coarse = src.read(box, (33, 33), "EPSG:4549", pixel_is_point=True)[0]
    xs = np.linspace(box[0], box[2], 33)
    ys = np.linspace(box[3], box[1], 33)
    xx, yy = np.meshgrid(xs, ys)
    assert np.nanmax(np.abs(coarse - hill(xx, yy))) < 2.0


def test_warp_into_another_crs(tmp_path):
    """The DEM read in UTM 51N (EPSG:32651) lands where pyproj puts its cells."""
    from pyproj import Transformer

    write_dem(tmp_path / "dem.tif")
    layer = read_raster(tmp_path / "dem.tif")[0]
    to_utm = Transformer.from_crs("EPSG:4549", "EPSG:32651", always_xy=True)
    cx, cy = X0 + 300.0, Y1 - 200.0  # the hill top
    ux, uy = to_utm.transform(cx, cy)
    out = layer.raster.read((ux - 20, uy - 20, ux + 20, uy + 20), (41, 41), "EPSG:32651",
                            pixel_is_point=True)[0]
    assert abs(out[20, 20] - hill(np.array(cx), np.array(cy))) < 0.5
    assert abs(float(np.nanmax(out)) - out[20, 20]) < 0.3  # the peak is at the centre


def test_nodata_is_honoured(tmp_path, shared_data):
    xx, yy = cell_centres()
    z = hill(xx, yy).astype(np.float32)
    z[:, :64] = -9999.0  # the west quarter has no data
    write_dem(tmp_path / "holes.tif", heights=z)
    scene = open_scene([tmp_path / "holes.tif"])
    t = scene.layers[0].terrain
    ox, oy = scene.origin[:2]
    assert np.isnan(t.height_at(X0 + 20 - ox, Y1 - 100 - oy))
    assert np.isfinite(t.height_at(X0 + 300 - ox, Y1 - 100 - oy))
    with rasterio.open(shared_data / "rasterio-testdata" / "float_raster_with_nodata.tif") as ds:
        masked = ds.read(1, masked=True)
    src = read_raster(shared_data / "rasterio-testdata" / "float_raster_with_nodata.tif")[0]
    b = src.raster.info.bounds
    same = src.raster.read(b, masked.shape, None)[0]
    assert np.array_equal(np.isnan(same), np.ma.getmaskarray(masked))


def test_a_dem_in_feet_is_converted_to_metres(tmp_path):
    xx, yy = cell_centres()
    metres = hill(xx, yy)
    write_dem(tmp_path / "feet.tif", heights=(metres / 0.3048).astype(np.float32),
              units="ft")
    result = load(spec_for([tmp_path / "feet.tif"]))
    layer = result.layers[0]
    assert any("metres" in w and "ft" in w for w in layer.warnings)
    ox, oy = result.origin[:2]
    got = layer.terrain.height_at(X0 + 300 - ox, Y1 - 200 - oy)
    assert abs(got - hill(np.array(X0 + 300), np.array(Y1 - 200))) < 0.3


def test_no_crs_is_refused_unless_the_scene_file_gives_one(tmp_path):
    write_dem(tmp_path / "nocrs.tif", crs=None)
    result = load(spec_for([tmp_path / "nocrs.tif"]))
    assert not result.layers
    assert len(result.errors) == 1 and "no CRS" in result.errors[0]
    assert "nocrs.tif" in result.errors[0] and "\n" not in result.errors[0]
    (tmp_path / "scene.toml").write_text(
        'version = 1\n[[layers]]\nsource = "nocrs.tif"\ncrs = "EPSG:4549"\n')
    scene = open_scene([tmp_path / "scene.toml"])
    assert scene.crs_label == "EPSG:4549" and scene.layers[0].terrain is not None


def test_bad_rasters_get_one_line_and_the_others_stay(tmp_path):
    good = write_dem(tmp_path / "good.tif")
    broken = tmp_path / "broken.tif"
    broken.write_bytes(good.read_bytes()[:300])  # a TIFF cut off after its header
    empty = write_dem(tmp_path / "empty.tif",
                      heights=np.full((64, 64), -9999.0, dtype=np.float32))
    one = write_dem(tmp_path / "one.tif", heights=np.array([[42.0]], dtype=np.float32),
                    overviews=())
    (tmp_path / "scene.toml").write_text("version = 1\n" + "".join(
        f'[[layers]]\nsource = "{p.name}"\n' for p in (good, broken, empty, one)))
    result = load(spec_for([tmp_path / "scene.toml"]))
    names = sorted(lyr.name for lyr in result.layers)
    assert names == ["good", "one"]
    assert len(result.errors) == 2
    assert all("\n" not in e for e in result.errors)
    assert any("broken.tif" in e and "raster" in e for e in result.errors)
    assert any("empty.tif" in e and "nodata" in e for e in result.errors)
    one_layer = next(lyr for lyr in result.layers if lyr.name == "one")
    assert any("1 x 1" in w for w in one_layer.warnings)
    assert abs(one_layer.terrain.z_max - 42.0) < 1e-6


def test_single_strip_tiff_is_read_by_windows_with_a_warning(tmp_path):
    n = 4200
    path = tmp_path / "strip.tif"
    with rasterio.open(path, "w", driver="GTiff", width=n, height=n, count=1, dtype="uint8",
                       crs="EPSG:4549", transform=from_origin(X0, Y1, CELL, CELL),
                       blockysize=n, compress="deflate") as ds:
        for r in range(0, n, 600):  # written block by block: memory stays small
            h = min(600, n - r)
            ds.write(np.full((h, n), r // 600 + 1, np.uint8), 1,
                     window=rasterio.windows.Window(0, r, n, h))
    layer = read_raster(path, role="terrain")[0]
    assert layer.info["block"][0] == n
    assert any("one strip" in w for w in layer.warnings)
    part = layer.raster.read((X0, Y1 - 100, X0 + 100, Y1), (10, 10), "EPSG:4549")[0]
    assert np.all(part == 1)


def test_orthophoto_reads_rgb_with_transparency_outside(tmp_path):
    ortho = read_raster(write_orthophoto(tmp_path / "ortho.tif"))[0]
    assert ortho.role == "imagery"
    rgb = ortho.raster.read((X0 - 100, Y1 - 100, X0 + 100, Y1 + 100), (20, 20), "EPSG:4549",
                            bands=(1, 2, 3))
    assert np.isnan(rgb[0, 0, 0])  # north-west of the photo: nothing
    assert abs(rgb[0, 15, 15] - 200) < 1 and abs(rgb[1, 15, 15] - 60) < 1


def test_max_error_and_role_are_checked(tmp_path):
    dem = write_dem(tmp_path / "dem.tif")
    with pytest.raises(LoadError, match="role"):
        read_raster(dem, role="roof")
    with pytest.raises(LoadError, match="max_error"):
        read_raster(dem, max_error=-1)
    assert read_raster(dem, max_error=0.25)[0].max_error == 0.25
