"""4- and 7-parameter Helmert transforms in the scene file (issue 8).

The 7-parameter results are checked against PROJ pipelines written out by hand here
(and against PROJ's own ``+towgs84`` datum shift), the 4-parameter ones against the
similarity formula computed with numpy.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import warnings

import numpy as np
import pyogrio
import pytest
import shapely
from pyproj import CRS, Transformer

from twinviewer.core.errors import LoadError
from twinviewer.core.transform import LayerTransform, TransformSpec
from twinviewer.io.loader import load, read_source, spec_for
from twinviewer.io.scene_file import read_scene_file

# a Beijing 1954 -> CGCS2000-like parameter set (metres, arc-seconds, ppm)
P7 = dict(tx=-15.8, ty=143.6, tz=70.3, rx=0.33, ry=-0.22, rz=1.47, s=-3.2)
PT_GEO = (117.123_456_789, 36.654_321_987)  # near Jinan, 3-degree zone CM 117E
GK117_KRASS = "+proj=tmerc +lat_0=0 +lon_0=117 +k=1 +x_0=500000 +y_0=0 +ellps=krass"
GK117_GRS80 = "+proj=tmerc +lat_0=0 +lon_0=117 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80"


def _helmert(convention: str, p=P7) -> str:
    return (f"+proj=helmert +x={p['tx']} +y={p['ty']} +z={p['tz']} +rx={p['rx']} "
            f"+ry={p['ry']} +rz={p['rz']} +s={p['s']} +convention={convention}")


def _hand_pipeline(first: str, last: str, convention: str) -> Transformer:
    return Transformer.from_pipeline(
        f"+proj=pipeline {first} +step +proj=cart +ellps=krass +step {_helmert(convention)} "
        f"+step +inv +proj=cart +ellps=GRS80 {last}")


def _similarity(x, y, tx, ty, rotation_arcsec, s_ppm):
    r = math.radians(rotation_arcsec / 3600.0)
    k = 1.0 + s_ppm * 1e-6
    return (tx + k * (x * math.cos(r) - y * math.sin(r)),
            ty + k * (x * math.sin(r) + y * math.cos(r)))


@pytest.mark.parametrize("convention", ["position_vector", "coordinate_frame"])
def test_helmert7_projected_matches_a_hand_written_proj_pipeline(convention):
    """Beijing 1954 GK CM 117E (EPSG:2436) -> CGCS2000 GK CM 117E (EPSG:4548)."""
    x0, y0 = Transformer.from_pipeline(GK117_KRASS).transform(*PT_GEO)
    ours = LayerTransform(TransformSpec("helmert7", to="EPSG:4548", source="EPSG:2436",
                                        convention=convention, **P7))
    x, y = ours(np.array([x0]), np.array([y0]))
    ref = _hand_pipeline(f"+step +inv {GK117_KRASS}", f"+step {GK117_GRS80}", convention)
    rx, ry, _ = ref.transform(x0, y0, 0.0)
    assert abs(x[0] - rx) < 1e-3 and abs(y[0] - ry) < 1e-3, (x, y, rx, ry)
    assert 50 < math.hypot(x[0] - x0, y[0] - y0) < 500  # it did move (datum shift)


def test_helmert7_geographic_matches_proj_towgs84():
    """Beijing 1954 lon/lat + 7 parameters -> WGS 84, as PROJ's ``+towgs84`` does it."""
    spec = TransformSpec("helmert7", to="EPSG:4326", source="EPSG:4214",
                         convention="position_vector", **P7)
    lon, lat = LayerTransform(spec)(np.array([PT_GEO[0]]), np.array([PT_GEO[1]]))
    towgs84 = ",".join(str(P7[k]) for k in ("tx", "ty", "tz", "rx", "ry", "rz", "s"))
    bound = CRS.from_proj4(f"+proj=longlat +ellps=krass +towgs84={towgs84} +no_defs")
    elon, elat = Transformer.from_crs(bound, "EPSG:4326", always_xy=True).transform(*PT_GEO)
    metres = math.hypot((lon[0] - elon) * 111_320 * math.cos(math.radians(elat)),
                        (lat[0] - elat) * 110_574)
    assert metres < 1e-3, metres


def test_helmert7_conventions_differ_by_the_sign_of_the_rotations():
    flipped = {**P7, "rx": -P7["rx"], "ry": -P7["ry"], "rz": -P7["rz"]}
    a = LayerTransform(TransformSpec("helmert7", to="EPSG:4548", source="EPSG:2436",
                                     convention="coordinate_frame", **P7))
    b = LayerTransform(TransformSpec("helmert7", to="EPSG:4548", source="EPSG:2436",
                                     convention="position_vector", **flipped))
    x, y = np.array([39_500_000.0 - 39_000_000.0 + 10_000.0]), np.array([4_058_000.0])
    np.testing.assert_allclose(a(x, y), b(x, y), atol=1e-6)


def test_helmert4_is_the_hand_computed_similarity():
    params = dict(tx=40_512_345.678, ty=3_456_789.012, rotation=-1234.5, s=-15.3)
    x = np.array([0.0, 1000.0, -2500.25, 12_345.678])
    y = np.array([0.0, 2000.0, 730.5, -4321.0])
    ours = LayerTransform(TransformSpec("helmert4", to="EPSG:4528", **params))
    got = np.column_stack(ours(x, y))
    want = np.column_stack(_similarity(x, y, **{"tx": params["tx"], "ty": params["ty"],
                                                "rotation_arcsec": params["rotation"],
                                                "s_ppm": params["s"]}))
    assert np.abs(got - want).max() < 1e-6, got - want


def _write_local_points(path, xy):
    """A GeoPackage of points without a CRS (local coordinates)."""
    geoms = np.array([shapely.to_wkb(shapely.Point(x, y)) for x, y in xy], dtype=object)
    names = np.array([f"点{i}" for i in range(len(xy))], dtype=object)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "'crs' was not provided": on purpose
        pyogrio.raw.write(path, geoms, field_data=[names], fields=["名称"],
                          geometry_type="Point", crs=None, driver="GPKG")


LOCAL = [(0.0, 0.0), (1500.0, -800.0)]  # 城建坐标: a city's own plane grid
H4 = dict(tx=40_500_000.0, ty=3_450_000.0, rotation=3600.0, s=20.0)  # 1 degree, 20 ppm


def _scene(tmp_path, transform: str, crs: str = "EPSG:4528", extra: str = "") -> object:
    _write_local_points(tmp_path / "城建.gpkg", LOCAL)
    path = tmp_path / "scene.toml"
    path.write_text(f'version = 1\ncrs = "{crs}"\norigin = [40500000.0, 3450000.0, 0.0]\n'
                    f'{extra}[[layers]]\nname = "测点"\nsource = "城建.gpkg"\n{transform}',
                    encoding="utf-8")
    return path


def test_scene_with_a_4_parameter_layer_loads_at_the_right_place(tmp_path):
    scene = _scene(tmp_path, '[layers.transform]\ntype = "helmert4"\ntx = 40500000.0\n'
                             'ty = 3450000.0\nrotation = 3600.0\ns = 20.0\n')
    result = load(spec_for([scene]))
    assert result.errors == []
    [layer] = result.layers
    placed = layer.batches[0].points[:, :2] + [40_500_000.0, 3_450_000.0]
    want = [_similarity(x, y, H4["tx"], H4["ty"], H4["rotation"], H4["s"]) for x, y in LOCAL]
    assert np.abs(placed - np.array(want)).max() < 1e-3, placed - want
    assert layer.crs == "EPSG:4528"


def test_scene_level_transform_applies_to_layers_without_their_own(tmp_path):
    scene = _scene(tmp_path, "", extra='[transform]\ntype = "helmert4"\ntx = 40500000.0\n'
                                       'ty = 3450000.0\nrotation = 3600.0\ns = 20.0\n')
    spec = read_scene_file(scene)
    assert spec.layers[0].transform == spec.transform and spec.transform.to == "EPSG:4528"
    [layer] = read_source(spec.layers[0])
    x, y = _similarity(*LOCAL[1], H4["tx"], H4["ty"], H4["rotation"], H4["s"])
    assert np.abs(layer.batches[0].points[1, :2] - [x, y]).max() < 1e-6


def test_layer_crs_with_a_custom_proj_string_and_helmert7(tmp_path):
    """Local GK coordinates on Krassowsky (a custom PROJ string) + 7 parameters."""
    x0, y0 = Transformer.from_pipeline(GK117_KRASS).transform(*PT_GEO)
    _write_local_points(tmp_path / "北京54.gpkg", [(x0, y0)])
    scene = tmp_path / "scene.toml"
    params = "\n".join(f"{k} = {v}" for k, v in P7.items())
    scene.write_text(f'version = 1\ncrs = "EPSG:4548"\norigin = [500000.0, 4000000.0, 0.0]\n'
                     f'[[layers]]\nsource = "北京54.gpkg"\ncrs = "{GK117_KRASS}"\n'
                     f'[layers.transform]\ntype = "helmert7"\n{params}\n'
                     'convention = "position_vector"\n', encoding="utf-8")
    result = load(spec_for([scene]))
    assert result.errors == []
    placed = result.layers[0].batches[0].points[0, :2] + [500_000.0, 4_000_000.0]
    rx, ry, _ = _hand_pipeline(f"+step +inv {GK117_KRASS}", f"+step {GK117_GRS80}",
                               "position_vector").transform(x0, y0, 0.0)
    assert abs(placed[0] - rx) < 1e-3 and abs(placed[1] - ry) < 1e-3


@pytest.mark.gui
def test_window_places_the_transformed_layer(main_window, tmp_path):
    scene = _scene(tmp_path, '[layers.transform]\ntype = "helmert4"\ntx = 40500000.0\n'
                             'ty = 3450000.0\nrotation = 3600.0\ns = 20.0\n')
    w = main_window([scene])
    [layer] = [lyr for lyr in w.scene.layers if lyr.name == "测点"]
    placed = layer.batches[0].points[:, :2] + np.asarray(w.scene.origin)[:2]
    want = [_similarity(x, y, H4["tx"], H4["ty"], H4["rotation"], H4["s"]) for x, y in LOCAL]
    assert np.abs(placed - np.array(want)).max() < 1e-3
    assert not w.message_bar.messages, w.message_bar.messages


def test_cli_info_shows_the_transformed_layer(tmp_path):
    scene = _scene(tmp_path, '[layers.transform]\ntype = "helmert4"\ntx = 40500000.0\n'
                             'ty = 3450000.0\nrotation = 3600.0\ns = 20.0\n')
    proc = subprocess.run([sys.executable, "-m", "twinviewer", "info", str(scene), "--json"],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "TWINVIEWER_LANG": "en"})
    assert proc.returncode == 0, proc.stderr
    [layer] = json.loads(proc.stdout)["layers"]
    assert layer["crs"] == "EPSG:4528"
    want = np.array([_similarity(x, y, H4["tx"], H4["ty"], H4["rotation"], H4["s"])
                     for x, y in LOCAL])
    assert np.allclose(layer["bounds"][:2], want.min(axis=0), atol=1e-3)
    assert np.allclose(layer["bounds"][3:5], want.max(axis=0), atol=1e-3)


@pytest.mark.parametrize(("table", "needle"), [
    ('type = "helmert9"\n', "layers[0].transform.type 'helmert9' is not one of helmert7, "
                            "helmert4"),
    ('tx = 1.0\nty = 2.0\n', "layers[0].transform is missing key 'type'"),
    ('type = "helmert4"\ntx = 1.0\n', "layers[0].transform is missing key 'ty'"),
    ('type = "helmert4"\ntx = 1.0\nty = 2.0\nrotaton = 3.0\n',
     "unknown key 'layers[0].transform.rotaton' (did you mean 'rotation'?)"),
    ('type = "helmert4"\ntx = "1"\nty = 2.0\n', "layers[0].transform.tx must be a number"),
    ('type = "helmert4"\ntx = nan\nty = 2.0\n', "layers[0].transform.tx = nan is out of range"),
    ('type = "helmert4"\ntx = 1.0\nty = 2.0\ns = 1e9\n', "layers[0].transform.s = 1000000000.0"),
    ('type = "helmert7"\ntx = 1.0\nty = 2.0\ntz = 3.0\n',
     "layers[0].transform is missing key 'convention'"),
    ('type = "helmert7"\ntx = 1.0\nty = 2.0\ntz = 3.0\nconvention = "bursa"\n',
     "layers[0].transform.convention 'bursa' is not one of position_vector, coordinate_frame"),
    ('type = "helmert7"\ntx = 1.0\nty = 2.0\ntz = 3.0\nconvention = "position_vector"\n'
     'from = "EPSG:999999"\n', "layers[0].transform.from: unknown CRS"),
    ('type = "helmert4"\ntx = 1.0\nty = 2.0\nto = "EPSG:4490"\n',
     "layers[0].transform.to 'EPSG:4490' is not a projected CRS"),
    ('type = "helmert7"\ntx = 1.0\nty = 2.0\ntz = 3.0\nconvention = "position_vector"\n'
     'rotation = 5.0\n', "unknown key 'layers[0].transform.rotation' (helmert7 takes: tx, ty"),
])
def test_transform_keys_are_validated_by_name(tmp_path, table, needle):
    path = _scene(tmp_path, "[layers.transform]\n" + table)
    with pytest.raises(LoadError) as info:
        read_scene_file(path)
    assert needle in info.value.message, info.value.message
    assert "scene.toml" in info.value.message


def test_helmert7_without_a_source_crs_is_a_clear_error(tmp_path):
    scene = _scene(tmp_path, '[layers.transform]\ntype = "helmert7"\ntx = 1.0\nty = 2.0\n'
                             'tz = 3.0\nconvention = "coordinate_frame"\n')
    result = load(spec_for([scene]))
    assert result.layers == []
    [error] = result.errors
    assert "城建.gpkg" in error and "transform.from" in error, error


def test_layer_crs_key_is_validated(tmp_path):
    path = _scene(tmp_path, 'crs = "EPSG:0"\n')
    with pytest.raises(LoadError, match=r"layers\[0\]\.crs: unknown CRS"):
        read_scene_file(path)
