"""Objects on the terrain when loaded: base_height default, "terrain", numbers, bad values."""

from __future__ import annotations

import numpy as np
import pyogrio
import shapely

from tests.ground.rasters import X0, Y1, hill, write_dem
from twinviewer.io.loader import load, spec_for

HILL = (X0 + 300.0, Y1 - 200.0)


def _data(tmp_path):
    write_dem(tmp_path / "dem.tif")
    house = shapely.box(HILL[0] - 5, HILL[1] - 5, HILL[0] + 5, HILL[1] + 5)
    pyogrio.raw.write(tmp_path / "houses.gpkg", geometry=shapely.to_wkb([house]),
                      field_data=[np.array([9.0])], fields=["高度"], layer="houses",
                      driver="GPKG", crs="EPSG:4549", geometry_type="Polygon")
    marker = shapely.Point(HILL[0], HILL[1], 3.0)  # 3 m above whatever it stands on
    pyogrio.raw.write(tmp_path / "markers.gpkg", geometry=shapely.to_wkb([marker]),
                      field_data=[np.array([1])], fields=["n"], layer="markers",
                      driver="GPKG", crs="EPSG:4549", geometry_type="Point Z")


def _scene(tmp_path, houses="", markers=""):
    (tmp_path / "scene.toml").write_text(
        'version = 1\n[[layers]]\nsource = "dem.tif"\n'
        f'[[layers]]\nname = "houses"\nsource = "houses.gpkg"\nheight_field = "高度"\n{houses}'
        f'[[layers]]\nname = "markers"\nsource = "markers.gpkg"\n{markers}', "utf-8")
    return load(spec_for([tmp_path / "scene.toml"]))


def _layer(result, name):
    return next(lyr for lyr in result.layers if lyr.name == name)


def test_default_sets_footprints_without_z_on_the_terrain(tmp_path):
    _data(tmp_path)
    result = _scene(tmp_path)
    assert not result.errors
    b = _layer(result, "houses").bounds()
    xs = np.array([HILL[0] - 5, HILL[0] + 5])
    ys = np.array([HILL[1] - 5, HILL[1] + 5])
    ground = hill(*np.meshgrid(xs, ys)).min()
    assert abs(b[2] - ground) < 0.1 and abs(b[5] - b[2] - 9.0) < 1e-6
    assert abs(_layer(result, "markers").bounds()[2] - 3.0) < 1e-9  # its own Z: kept


def test_terrain_measures_z_from_the_ground_and_numbers_keep_a_fixed_base(tmp_path):
    _data(tmp_path)
    result = _scene(tmp_path, houses="base_height = 2.5\n", markers='base_height = "terrain"\n')
    assert not result.errors
    assert abs(_layer(result, "houses").bounds()[2] - 2.5) < 1e-9
    top = float(hill(np.array(HILL[0]), np.array(HILL[1])))
    assert abs(_layer(result, "markers").bounds()[2] - (top + 3.0)) < 0.1


def test_a_bad_base_height_is_one_line_and_the_others_load(tmp_path):
    _data(tmp_path)
    result = _scene(tmp_path, houses='base_height = "hill"\n')
    assert len(result.errors) == 1 and "base_height" in result.errors[0]
    assert {lyr.name for lyr in result.layers} == {"dem", "markers"}


def test_without_a_dem_terrain_says_so_and_stays_flat(tmp_path):
    _data(tmp_path)
    (tmp_path / "scene.toml").write_text(
        'version = 1\n[[layers]]\nname = "houses"\nsource = "houses.gpkg"\n'
        'base_height = "terrain"\n', "utf-8")
    result = load(spec_for([tmp_path / "scene.toml"]))
    layer = result.layers[0]
    assert layer.bounds()[2] == 0.0
    assert any("DEM" in w for w in layer.warnings)
