"""Chinese data: GBK/GB18030 text, UTF-8 with BOM, CGCS2000 and its Gauss-Kruger zones, GCJ-02."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pyogrio.raw
import pytest
import shapely
from pyproj import Transformer

from twinviewer.core.errors import LoadError
from twinviewer.core.layer import PointBatch
from twinviewer.io.gcj02 import gcj02_to_wgs84, wgs84_to_gcj02
from twinviewer.io.loader import load, spec_for
from twinviewer.io.scene_file import read_scene_file
from twinviewer.io.vector import read_vector

FIRST_COUNTIES = ["天长市", "全椒县", "和县"]  # rows 0-2 of chinese_encoding.dbf


@pytest.fixture
def gbk_shapefile(shared_data, tmp_path):
    """A copy of the GBK county shapefile in a folder with spaces and Chinese characters."""
    folder = tmp_path / "街道 数据"
    folder.mkdir()
    src = shared_data / "nts-shapefile-tests" / "chinese_encoding"
    for suffix in (".shp", ".shx", ".dbf"):
        shutil.copy(src.with_suffix(suffix), folder / f"县界{suffix}")
    return folder / "县界.shp"


def test_gbk_shapefile_by_code_page_byte(gbk_shapefile):
    [layer] = read_vector(gbk_shapefile)
    assert layer.name == "县界"
    assert layer.table.column("NAME99").tolist()[:3] == FIRST_COUNTIES
    assert set(layer.table.column("PRO_NAME")) >= {"安徽"}
    assert layer.table.column("xs").tolist()[:3] == ["天长", "全椒", "和县"]


@pytest.mark.parametrize("cpg", ["GBK", "936", "CP936", "GB18030"])
def test_gbk_shapefile_with_cpg_and_no_code_page_byte(gbk_shapefile, cpg):
    dbf = gbk_shapefile.with_suffix(".dbf")
    data = bytearray(dbf.read_bytes())
    data[29] = 0  # no language driver id: only the .cpg says GBK
    dbf.write_bytes(bytes(data))
    gbk_shapefile.with_suffix(".cpg").write_text(cpg)
    [layer] = read_vector(gbk_shapefile)
    assert layer.table.column("NAME99").tolist()[:3] == FIRST_COUNTIES


def test_chinese_field_names_in_a_gbk_shapefile(tmp_path):
    path = tmp_path / "设施.shp"
    pyogrio.raw.write(path, np.array([shapely.to_wkb(shapely.Point(121.4, 31.2))],
                                     dtype=object),
                      field_data=[np.array(["虹梓路100号"], dtype=object),
                                  np.array(["消防栓"], dtype=object)],
                      fields=["地址", "类别"], geometry_type="Point", crs="EPSG:4490",
                      encoding="GBK", driver="ESRI Shapefile")
    assert path.with_suffix(".cpg").read_text().upper() in ("GBK", "CP936", "936")
    [layer] = read_vector(path)
    assert layer.table.fields == ["地址", "类别"]
    assert layer.table.column("地址").tolist() == ["虹梓路100号"]
    assert layer.class_field == "类别"


FEATURES = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"名称": "虹梓街道办事处", "类别": "政府", "层数": 5},
     "geometry": {"type": "Point", "coordinates": [121.40, 31.19]}},
    {"type": "Feature", "properties": {"名称": "𠮷野家·龍华店", "类别": "商铺", "层数": 2},
     "geometry": {"type": "Point", "coordinates": [121.41, 31.20]}},
]}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_geojson_in_any_chinese_encoding(tmp_path, encoding):
    features = json.loads(json.dumps(FEATURES))
    if encoding == "gbk":  # GBK has neither 𠮷 nor the CJK extension B
        features["features"][1]["properties"]["名称"] = "吉野家·龍华店"
    expected = [f["properties"]["名称"] for f in features["features"]]
    path = tmp_path / f"设施 {encoding}.geojson"
    path.write_bytes(json.dumps(features, ensure_ascii=False).encode(encoding))
    [layer] = read_vector(path)
    assert layer.table.column("名称").tolist() == expected
    assert layer.table.column("类别").tolist() == ["政府", "商铺"]
    said = " ".join(layer.warnings)
    if encoding.startswith("gb"):
        assert "not UTF-8" in said and "GB18030" in said  # told, never silent
    else:
        assert "GB18030" not in said


def test_geojson_forced_encoding_that_is_wrong_is_a_clear_error(tmp_path):
    path = tmp_path / "x.geojson"
    path.write_bytes(json.dumps(FEATURES, ensure_ascii=False).encode("gb18030"))
    with pytest.raises(LoadError, match="not valid utf-8"):
        read_vector(path, encoding="utf-8")


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk"])
def test_csv_with_longitude_latitude_columns(tmp_path, encoding):
    text = "名称,类别,经度,纬度\n虹梓街道办事处,政府,121.40,31.19\n龙华消防站,消防,121.45,31.18\n"
    path = tmp_path / f"点位_{encoding}.csv"
    path.write_bytes(text.encode(encoding))
    [layer] = read_vector(path)
    assert layer.table.column("名称").tolist() == ["虹梓街道办事处", "龙华消防站"]
    [batch] = layer.batches
    assert isinstance(batch, PointBatch)
    np.testing.assert_allclose(batch.points[:, :2], [[121.40, 31.19], [121.45, 31.18]])


def _write_point(path, lon, lat, crs="EPSG:4490"):
    pyogrio.raw.write(path, np.array([shapely.to_wkb(shapely.Point(lon, lat))], dtype=object),
                      field_data=[np.array(["测点"], dtype=object)], fields=["名称"],
                      geometry_type="Point", crs=crs, driver="GPKG")


@pytest.mark.parametrize("zone", ["EPSG:4549", "EPSG:4528", "EPSG:4510", "EPSG:4499"])
def test_cgcs2000_point_lands_within_a_millimetre_of_proj(tmp_path, zone):
    """EPSG:4490 -> its 3-degree (CM 120E, with/without zone number) and 6-degree GK zones."""
    lon, lat = 121.436_123_456, 31.188_765_432
    _write_point(tmp_path / "pt.gpkg", lon, lat)
    x, y = Transformer.from_crs("EPSG:4490", zone, always_xy=True).transform(lon, lat)
    origin = [round(x, -3), round(y, -3), 0.0]
    scene = tmp_path / "scene.toml"
    scene.write_text(f'version = 1\ncrs = "{zone}"\norigin = {origin}\n'
                     '[[layers]]\nsource = "pt.gpkg"\n', encoding="utf-8")
    result = load(spec_for([scene]))
    assert result.errors == []
    [layer] = result.layers
    [batch] = layer.batches
    placed = batch.points[0, :2] + np.asarray(origin[:2])
    assert np.all(np.abs(placed - [x, y]) < 1e-3), (placed, (x, y))


def test_gcj02_round_trip_and_known_offset():
    lon, lat = np.array([121.4737, 116.3913, 113.2644]), np.array([31.2304, 39.9075, 23.1291])
    glon, glat = wgs84_to_gcj02(lon, lat)
    shift_m = np.hypot((glon - lon) * 111_320 * np.cos(np.radians(lat)), (glat - lat) * 110_574)
    assert np.all((shift_m > 100) & (shift_m < 1000))  # the documented 100-700 m offset
    wlon, wlat = gcj02_to_wgs84(glon, glat)
    assert np.all(np.abs(wlon - lon) < 1e-8) and np.all(np.abs(wlat - lat) < 1e-8)
    # outside China nothing moves
    assert wgs84_to_gcj02(4.9, 52.37) == (4.9, 52.37)


def test_gcj02_option_in_the_scene_file_converts_and_says_so(tmp_path):
    glon, glat = wgs84_to_gcj02(121.4737, 31.2304)
    (tmp_path / "高德.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"名称": "人民广场"},
         "geometry": {"type": "Point", "coordinates": [float(glon), float(glat)]}}]},
        ensure_ascii=False), encoding="utf-8")
    base = 'version = 1\ncrs = "EPSG:4326"\norigin = [0.0, 0.0, 0.0]\n[[layers]]\n' \
           'source = "高德.geojson"\n'
    plain, converted = tmp_path / "plain.toml", tmp_path / "gcj.toml"
    plain.write_text(base, encoding="utf-8")
    converted.write_text(base + "gcj02 = true\n", encoding="utf-8")
    [p] = load(read_scene_file(plain)).layers
    [c] = load(read_scene_file(converted)).layers
    np.testing.assert_allclose(p.batches[0].points[0, :2], [glon, glat])  # never silent
    np.testing.assert_allclose(c.batches[0].points[0, :2], [121.4737, 31.2304], atol=1e-8)
    assert any("GCJ-02" in w for w in c.warnings)
    assert not any("GCJ-02" in w for w in p.warnings)


def test_gcj02_on_projected_data_is_refused(tmp_path):
    _write_point(tmp_path / "utm.gpkg", 350000.0, 3450000.0, crs="EPSG:32651")
    with pytest.raises(LoadError, match="gcj02"):
        read_vector(tmp_path / "utm.gpkg", gcj02=True)
