"""Vector reader against real files and hand-made cases, with independent oracles."""

from __future__ import annotations

import json
import struct

import numpy as np
import pyogrio
import pytest
import shapely
from pyproj import Transformer

from twinviewer.core.errors import LoadError
from twinviewer.core.layer import LineBatch, PointBatch, TriangleBatch
from twinviewer.io.loader import open_scene
from twinviewer.io.vector import read_vector


def _dbf_column(path, field, encoding):
    """Our own minimal DBF parse: the oracle for decoded attribute text."""
    data = path.read_bytes()
    nrec, hlen, rlen = struct.unpack("<IHH", data[4:12])
    fields, pos, offset = {}, 32, 1
    while data[pos] != 0x0D:
        name = data[pos:pos + 11].split(b"\0")[0].decode("ascii")
        size = data[pos + 16]
        fields[name] = (offset, size)
        offset += size
        pos += 32
    start, size = fields[field]
    return [data[hlen + i * rlen + start: hlen + i * rlen + start + size]
            .decode(encoding).strip() for i in range(nrec)]


def test_gbk_shapefile_without_cpg_is_decoded(shared_data):
    path = shared_data / "nts-shapefile-tests" / "chinese_encoding.shp"
    assert not path.with_suffix(".cpg").exists()
    [layer] = read_vector(path)
    expected = _dbf_column(path.with_suffix(".dbf"), "PRO_NAME", "gbk")
    assert layer.table.column("PRO_NAME").tolist() == expected
    assert "安徽" in expected
    assert len(layer) == 78


def test_cpg_code_page_is_honoured(shared_data):
    path = shared_data / "pyogrio-fixtures" / "naturalearth_lowres" / "naturalearth_lowres.shp"
    [layer] = read_vector(path)
    encoding = path.with_suffix(".cpg").read_text().strip()  # says ISO-8859-1
    expected = _dbf_column(path.with_suffix(".dbf"), "name", encoding)
    assert layer.table.column("name").tolist() == expected
    assert "Côte d'Ivoire" in expected


def test_missing_shx_is_rebuilt_without_touching_the_folder(shared_data, tmp_path):
    src = shared_data / "pyshp-tests"
    before = sorted(p.name for p in src.iterdir())
    [layer] = read_vector(src / "latin1.shp")
    assert len(layer) == 1
    assert sorted(p.name for p in src.iterdir()) == before


def test_extrusion_heights_and_roof_area(tmp_path):
    square = shapely.Polygon([(0, 0), (20, 0), (20, 10), (0, 10)])
    concave = shapely.Polygon([(30, 0), (50, 0), (50, 20), (40, 5), (30, 20)])
    holed = shapely.Polygon([(60, 0), (80, 0), (80, 20), (60, 20)],
                            [[(65, 5), (75, 5), (75, 15), (65, 15)]])
    geoms = [square, concave, holed]
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": shapely.geometry.mapping(g),
         "properties": {"高度": h, "名称": n}}
        for g, h, n in zip(geoms, [12.0, 30.0, 6.0], ["一号楼", "二号楼", "三号楼"], strict=True)]}
    path = tmp_path / "楼.geojson"
    path.write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    [layer] = read_vector(path)
    assert layer.table.column("名称").tolist() == ["一号楼", "二号楼", "三号楼"]
    [batch] = layer.batches
    assert isinstance(batch, TriangleBatch)
    tri = batch.points[batch.triangles]
    for row, (g, h) in enumerate(zip(geoms, [12.0, 30.0, 6.0], strict=True)):
        mine = tri[batch.rows == row]
        assert mine[..., 2].max() == pytest.approx(h)
        roof = mine[np.all(np.isclose(mine[..., 2], h), axis=1)]
        a, b, c = roof[:, 0, :2], roof[:, 1, :2], roof[:, 2, :2]
        signed = ((b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1])
                  - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0])) / 2
        assert np.all(signed > 0)  # roofs face up
        assert signed.sum() == pytest.approx(g.area)
        walls = mine[~np.all(np.isclose(mine[..., 2], h), axis=1)]
        assert len(walls) == 2 * (len(g.exterior.coords) - 1 +
                                  sum(len(r.coords) - 1 for r in g.interiors))


def test_self_intersecting_polygon_is_repaired_not_fatal(tmp_path):
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [10, 10], [10, 0], [0, 10], [0, 0]]]}
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": bowtie, "properties": {"层数": 2}}]}
    path = tmp_path / "bowtie.geojson"
    path.write_text(json.dumps(fc))
    [layer] = read_vector(path)
    [batch] = layer.batches
    top = batch.points[batch.triangles]
    assert top[..., 2].max() == pytest.approx(6.0)  # 2 floors x 3 m
    roof = top[np.all(np.isclose(top[..., 2], 6.0), axis=1)]
    u, v = roof[:, 1] - roof[:, 0], roof[:, 2] - roof[:, 0]
    area = np.abs(u[:, 0] * v[:, 1] - u[:, 1] * v[:, 0]) / 2
    assert area.sum() == pytest.approx(shapely.make_valid(shapely.from_geojson(
        json.dumps(bowtie))).area)


def test_points_lines_and_absurd_coordinates(tmp_path):
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [1, 2, 3]},
         "properties": {"类别": "路灯"}},
        {"type": "Feature", "geometry": {"type": "MultiPoint", "coordinates": [[5, 5], [6, 6]]},
         "properties": {"类别": "垃圾桶"}},
        {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[0, 0], [1, 0],
                                                                                  [1, 1]]},
         "properties": {"类别": "道路"}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [1e300, 2]},
         "properties": {"类别": "路灯"}},
        {"type": "Feature", "geometry": None, "properties": {"类别": "无几何"}},
    ]}
    path = tmp_path / "mixed.geojson"
    path.write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    [layer] = read_vector(path)
    assert len(layer) == 5
    assert layer.class_field == "类别"
    assert layer.classes() == {"路灯": 2, "垃圾桶": 1, "道路": 1, "无几何": 1}
    points = next(b for b in layer.batches if isinstance(b, PointBatch))
    assert points.rows.tolist() == [0, 1, 1]
    assert points.points[0].tolist() == [1, 2, 3]
    lines = next(b for b in layer.batches if isinstance(b, LineBatch))
    assert lines.rows.tolist() == [2, 2]
    assert any("not drawn" in w for w in layer.warnings)


def test_reprojection_matches_proj_and_recentres(tmp_path):
    lon, lat = 121.4737, 31.2304  # People's Square, Shanghai
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
         "properties": {}}]}
    data = tmp_path / "p.geojson"
    data.write_text(json.dumps(fc))
    scene_file = tmp_path / "scene.toml"
    scene_file.write_text('version = 1\ncrs = "EPSG:32651"\norigin = [350000.0, 3455000.0, 0.0]\n'
                          '[[layers]]\nsource = "p.geojson"\n', encoding="utf-8")
    scene = open_scene([scene_file])
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:32651", always_xy=True).transform(lon, lat)
    got = scene.layers[0].batches[0].points[0]
    assert got[0] == pytest.approx(x - 350000.0, abs=1e-6)
    assert got[1] == pytest.approx(y - 3455000.0, abs=1e-6)


def test_gpkg_tables_and_nulls(shared_data):
    path = shared_data / "pyogrio-fixtures" / "test_gpkg_nulls.gpkg"
    [layer] = read_vector(path)
    meta, _fids, _g, values = pyogrio.raw.read(path)
    assert layer.table.fields == list(meta["fields"])
    assert len(layer) == len(values[0])


@pytest.mark.parametrize("content", [b"", b"\x89PNG\r\n\x1a\n" + bytes(range(256)),
                                     b'{"type": "FeatureCollection", "features": [{]}'])
def test_malformed_files_raise_load_error(tmp_path, content):
    path = tmp_path / "坏 数据.geojson"
    path.write_bytes(content)
    with pytest.raises(LoadError) as info:
        read_vector(path)
    assert "坏 数据.geojson" in info.value.message
    assert "\n" not in info.value.message


def test_unknown_table_and_field_are_named(shared_data):
    path = shared_data / "fiona-testdata" / "gre.shp"
    with pytest.raises(LoadError, match="nope"):
        read_vector(path, table="nope")
    with pytest.raises(LoadError, match="高度"):
        read_vector(path, height_field="高度")
