"""Tests of the CityJSON / CityJSONSeq reader against the shared real files."""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from twinviewer.core.crs import parse_crs
from twinviewer.core.errors import LoadError
from twinviewer.core.layer import LineBatch, PointBatch, TriangleBatch
from twinviewer.io.cityjson import read_cityjson

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
INVALID_DIR = DATA / "cityjson-corpus" / "invalid"

needs_data = pytest.mark.skipif(not DATA.is_dir(), reason="shared test data missing")

# Files in the data folder that are readable JSON but must be refused, and why.
EXPECTED_INVALID = {
    "cityjson-threejs-loader/tetra.json": "CityModel",  # CityJSON 0.2
    "cjval/cube_20.jsonl": "line 5",  # a line of type "CityJSONFeatur"
    "cjval/o.json": "out of range",  # boundaries use vertex 44 and 55 of 6
}


# --------------------------------------------------------------------------- helpers


def _documents(path: Path) -> list:
    """The JSON documents of a file: one, or one per line (independent of the reader)."""
    text = path.read_text(encoding="utf-8")
    try:
        return [json.loads(text)]
    except json.JSONDecodeError:
        return [json.loads(line) for line in text.splitlines() if line.strip()]


def _is_cityjson(path: Path) -> bool:
    try:
        docs = _documents(path)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return False
    return bool(docs) and isinstance(docs[0], dict) and (
        docs[0].get("type") in ("CityJSON", "CityJSONFeature", "CityModel"))


def _cityjson_files() -> list[Path]:
    if not DATA.is_dir():
        return []
    files = set()
    for pattern in ("*.json", "*.jsonl"):
        files.update(DATA.rglob(pattern))
    out = []
    for f in sorted(files):
        if f.name in ("case.json", "invariants.json") or INVALID_DIR in f.parents:
            continue
        if _is_cityjson(f):
            out.append(f)
    return out


def _invalid_corpus_files() -> list[Path]:
    if not INVALID_DIR.is_dir():
        return []
    return sorted(f for f in INVALID_DIR.rglob("*")
                  if f.is_file() and f.name not in ("case.json", "invariants.json"))


def _rel(path: Path) -> str:
    return path.relative_to(DATA).as_posix()


def _write(tmp_path: Path, doc, name: str = "t.city.json") -> Path:
    p = tmp_path / name
    text = doc if isinstance(doc, str) else json.dumps(doc, ensure_ascii=False)
    p.write_text(text, encoding="utf-8")
    return p


def _doc(objects: dict, vertices: list, **extra) -> dict:
    return {"type": "CityJSON", "version": "2.0", "CityObjects": objects,
            "vertices": vertices, **extra}


def _one(path, **kw):
    layers = read_cityjson(path, **kw)
    assert len(layers) == 1
    return layers[0]


def _batch(layer, kind):
    found = [b for b in layer.batches if isinstance(b, kind)]
    assert len(found) <= 1
    return found[0] if found else None


def _area(batch: TriangleBatch, mask=None) -> float:
    tri = batch.triangles if mask is None else batch.triangles[mask]
    p = batch.points[tri]
    return float(np.linalg.norm(np.cross(p[:, 1] - p[:, 0], p[:, 2] - p[:, 0]), axis=1).sum()
                 / 2)


def _expect_error(path: Path, *fragments: str) -> LoadError:
    with pytest.raises(LoadError) as info:
        read_cityjson(path)
    msg = str(info.value)
    assert str(path) in msg
    assert "\n" not in msg
    for frag in fragments:
        assert frag in msg
    return info.value


# --------------------------------------------------------------------------- real files


@needs_data
@pytest.mark.parametrize("path", _cityjson_files(), ids=_rel)
def test_object_counts_match_independent_parse(path: Path) -> None:
    rel = _rel(path)
    if rel in EXPECTED_INVALID:
        _expect_error(path, EXPECTED_INVALID[rel])
        return
    counts: Counter = Counter()
    ids = []
    for doc in _documents(path):
        for oid, obj in doc.get("CityObjects", {}).items():
            counts[obj["type"]] += 1
            ids.append(oid)
    layer = _one(path)
    assert layer.kind == "cityjson"
    assert layer.class_field == "type"
    assert layer.source == str(path)
    assert len(layer) == sum(counts.values())
    assert Counter(layer.classes()) == counts
    assert list(layer.table.oid) == ids  # file order
    for b in layer.batches:
        assert len(b.rows)
        assert b.rows.min() >= 0 and b.rows.max() < len(layer)
        assert np.isfinite(b.points).all()
        if isinstance(b, TriangleBatch):
            assert b.colors.shape == (len(b.triangles), 4) and b.colors.dtype == np.uint8
            assert b.triangles.max() < len(b.points)


@needs_data
def test_every_cityjson_file_is_covered() -> None:
    rels = {_rel(p) for p in _cityjson_files()}
    assert len(rels) >= 50
    assert set(EXPECTED_INVALID) <= rels


@needs_data
@pytest.mark.parametrize("path", _invalid_corpus_files(), ids=_rel)
def test_invalid_corpus_files_are_refused(path: Path) -> None:
    err = _expect_error(path)
    assert err.path == path


@needs_data
def test_invalid_corpus_cases_without_fixture(tmp_path: Path) -> None:
    # Fixtures named by case.json but absent from the copy: rebuilt from their description.
    out_of_range = _doc({"a": {"type": "Building", "geometry": [
        {"type": "MultiSurface", "lod": "1", "boundaries": [[[0, 1, 7]]]}]}},
        [[0, 0, 0], [1, 0, 0], [0, 1, 0]],
        transform={"scale": [1, 1, 1], "translate": [0, 0, 0]})
    p = _write(tmp_path, out_of_range, "invalid_out_of_range_vertex_index.json")
    _expect_error(p, "'a'", "vertex index 7")

    big_vertex = ('{"type":"CityJSON","version":"2.0","CityObjects":{},'
                  '"vertices":[[18446744073709551616999,0,0]],'
                  '"transform":{"scale":[0.001,0.001,0.001],"translate":[0,0,0]}}')
    _expect_error(_write(tmp_path, big_vertex, "u64.json"), "absurd")
    big_transform = ('{"type":"CityJSON","version":"2.0","CityObjects":{},'
                     '"vertices":[[1,2,3]],'
                     '"transform":{"scale":[1e400,1,1],"translate":[0,0,-1e999]}}')
    _expect_error(_write(tmp_path, big_transform, "f64.json"), "transform")


@needs_data
def test_japanese_attributes_round_trip() -> None:
    path = DATA / "cjval" / "japanese.city.json"
    layer = _one(path)
    assert layer.crs == "EPSG:6677"
    objects = json.loads(path.read_text(encoding="utf-8"))["CityObjects"]
    for i, (oid, obj) in enumerate(objects.items()):
        row = layer.table.row(i)
        assert row["oid"] == oid
        assert row["type"] == obj["type"]
        for key, value in obj.get("attributes", {}).items():
            if isinstance(value, dict | list):
                assert json.loads(row[key]) == value
            else:
                assert row[key] == value, key
    first = layer.table.row(0)
    assert first["延べ面積換算係数"] == "1.00"
    assert first["13+区市町村コード+大字・町コード+町・丁目コード"] == "13103029001"


@needs_data
def test_parents_and_children() -> None:
    path = DATA / "cjio" / "DH_01_subs.city.json"
    layer = _one(path)
    objects = json.loads(path.read_text(encoding="utf-8"))["CityObjects"]
    df = layer.table.df.set_index("oid")
    parts = 0
    for oid, obj in objects.items():
        parents = obj.get("parents") or [None]
        got = df.loc[oid, "parent"]
        assert (got if isinstance(got, str) else None) == parents[0]
        assert df.loc[oid, "children"] == len(obj.get("children", []))
        if obj["type"] == "BuildingPart":
            parts += 1
            assert objects[parents[0]]["type"] == "Building"
            assert oid in objects[parents[0]]["children"]
    assert parts == 8


@needs_data
def test_geometry_templates() -> None:
    path = DATA / "cjio" / "dummy" / "dummy.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    layer = _one(path)
    assert layer.crs == "EPSG:7415"
    row = list(layer.table.oid).index("1243")
    assert layer.table.row(row)["lod"] == "2"
    inst = doc["CityObjects"]["1243"]["geometry"][0]
    matrix = np.array(inst["transformationMatrix"], dtype=float).reshape(4, 4)
    scale = np.array(doc["transform"]["scale"])
    translate = np.array(doc["transform"]["translate"])
    ref = np.array(doc["vertices"][inst["boundaries"][0]]) * scale + translate
    tverts = np.array(doc["geometry-templates"]["vertices-templates"])
    surfaces = doc["geometry-templates"]["templates"][inst["template"]]["boundaries"]
    used = sorted({i for surf in surfaces for ring in surf for i in ring})
    expected = (tverts[used] @ matrix[:3, :3].T) + matrix[:3, 3] + ref
    tri = _batch(layer, TriangleBatch)
    got = tri.points[np.unique(tri.triangles[tri.rows == row])]
    # Every instance point is a transformed template vertex (a zero-area spike may drop one).
    close = np.isclose(got[:, None, :], expected[None, :, :], atol=1e-9).all(axis=2)
    assert close.any(axis=1).all()
    assert len(got) >= len(expected) - 1
    first_quad = (tverts[surfaces[0][0]] @ matrix[:3, :3].T) + matrix[:3, 3] + ref
    for point in first_quad:
        assert np.isclose(got, point, atol=1e-9).all(axis=1).any()
    # The building's two solids are LoD 1.1 and 2.1: the higher one is shown.
    assert layer.table.row(list(layer.table.oid).index("102636712"))["lod"] == "2.1"


@needs_data
@pytest.mark.parametrize("rel", ["cjio/cube.json", "cjio/delft_1b.json",
                                 "cityjson-threejs-loader/mt.json"])
def test_transform_is_applied(rel: str) -> None:
    path = DATA / rel
    doc = json.loads(path.read_text(encoding="utf-8"))
    scale = np.array(doc["transform"]["scale"])
    translate = np.array(doc["transform"]["translate"])
    oid, obj = next((k, o) for k, o in doc["CityObjects"].items() if o.get("geometry"))
    geom = obj["geometry"][0]
    first = geom["boundaries"][0][0][0] if geom["type"] == "Solid" else geom["boundaries"][0][0]
    expected = np.array(doc["vertices"][first[0]]) * scale + translate
    layer = _one(path)
    row = list(layer.table.oid).index(oid)
    tri = _batch(layer, TriangleBatch)
    pts = tri.points[np.unique(tri.triangles[tri.rows == row])]
    assert np.isclose(pts, expected, rtol=0, atol=1e-9).all(axis=1).any()


@needs_data
def test_highest_lod_and_requested_lod() -> None:
    path = DATA / "cjio" / "multi_lod.json"
    best = _one(path)
    assert set(best.table.df["lod"]) == {"2.2"}
    lod12 = _one(path, lod="1.2")
    lod13 = _one(path, lod=1.3)
    assert set(lod12.table.df["lod"]) == {"1.2"}
    assert set(lod13.table.df["lod"]) == {"1.3"}
    n22, n12 = (len(_batch(x, TriangleBatch).triangles) for x in (best, lod12))
    assert n22 > n12
    none = _one(path, lod="3")
    assert none.batches == [] and none.table.df["lod"].isna().all()
    assert none.warnings
    with pytest.raises(LoadError):
        read_cityjson(path, lod="high")


@needs_data
def test_cityjsonseq_matches_cityjson() -> None:
    a = _one(DATA / "cjseq" / "3dbag_b2.city.json")
    b = _one(DATA / "cjseq" / "3dbag_b2.city.jsonl")
    assert a.name == b.name == "3dbag_b2"
    assert len(a) == len(b) == 4
    assert a.classes() == b.classes()
    assert sorted(a.table.oid) == sorted(b.table.oid)
    assert a.crs == b.crs == "EPSG:7415"
    ta, tb = _batch(a, TriangleBatch), _batch(b, TriangleBatch)
    assert len(ta.triangles) == len(tb.triangles)
    assert np.allclose(a.bounds(), b.bounds(), atol=1e-6)
    assert math.isclose(_area(ta), _area(tb), rel_tol=1e-9)


@needs_data
def test_lone_pretty_printed_feature() -> None:
    layer = _one(DATA / "cityjson-corpus/conformance/v2_0/cityjsonfeature_minimal"
                 / "cityjsonfeature_minimal.city.jsonl")
    assert list(layer.table.oid) == ["myid"]
    assert layer.classes() == {"Building": 1}
    assert layer.crs is None and layer.batches == []
    assert layer.name == "cityjsonfeature_minimal"


@needs_data
def test_points_and_lines() -> None:
    layer = _one(DATA / "cjval" / "sem_point.city.json")
    pts = _batch(layer, PointBatch)
    lines = _batch(layer, LineBatch)
    assert len(pts.points) == 3 and set(pts.rows) == {0}
    assert len(lines.segments) == 3 and set(lines.rows) == {1}
    assert np.allclose(pts.points[2], [1.0, 2.222, 0.222])


@needs_data
def test_semantic_colours() -> None:
    path = DATA / "cityjson-website" / "twobuildings.city.json"
    tri = _batch(_one(path), TriangleBatch)
    colours = {tuple(c) for c in tri.colors.tolist()}
    assert len(colours) >= 3
    # Roofs (highest triangles) and grounds (lowest) get different colours.
    z = tri.points[tri.triangles][:, :, 2].mean(axis=1)
    assert tuple(tri.colors[np.argmax(z)]) != tuple(tri.colors[np.argmin(z)])


@needs_data
def test_crs_forms() -> None:
    assert _one(DATA / "cityjson-threejs-loader" / "mt.json").crs == "EPSG:28992"
    assert _one(DATA / "cjio" / "zurich" / "zurich_subset_lod2.json").crs == "EPSG:2056"
    assert _one(DATA / "cjio" / "cube.json").crs is None


@pytest.mark.parametrize(("text", "expected"), [
    ("https://www.opengis.net/def/crs/EPSG/0/7415", "EPSG:7415"),
    ("http://www.opengis.net/def/crs/EPSG/0/6677/", "EPSG:6677"),
    ("urn:ogc:def:crs:EPSG::28992", "EPSG:28992"),
    ("urn:ogc:def:crs:EPSG:6.6:28992", "EPSG:28992"),
    ("epsg:2056", "EPSG:2056"),
    ("http://www.opengis.net/def/crs/OGC/1.3/CRS84", "OGC:CRS84"),
])
def test_crs_normalisation(tmp_path: Path, text: str, expected: str) -> None:
    layer = _one(_write(tmp_path, _doc({}, [], metadata={"referenceSystem": text})))
    assert layer.crs == expected
    parse_crs(layer.crs)


@needs_data
def test_empty_files_are_valid() -> None:
    for rel in ("cjio/minimal.json",
                "cityjson-corpus/conformance/v2_0/cityjson_minimal/cityjson_minimal.city.json"):
        layer = _one(DATA / rel)
        assert len(layer) == 0 and layer.batches == []


@needs_data
def test_max_bytes() -> None:
    path = DATA / "cjio" / "cube.json"
    _one(path, max_bytes=10**6)
    with pytest.raises(LoadError, match="limit"):
        read_cityjson(path, max_bytes=100)


# --------------------------------------------------------------------------- synthetic files


SQUARE = [[0, 0, 0], [10, 0, 0], [10, 10, 0], [0, 10, 0]]
HOLE = [[2, 2, 0], [2, 4, 0], [4, 4, 0], [4, 2, 0]]


def test_surface_with_hole_and_orientation(tmp_path: Path) -> None:
    verts = [[x * 1000 + 100_000_000, y * 1000 + 400_000_000, z * 1000]
             for x, y, z in SQUARE + HOLE]
    doc = _doc({"w": {"type": "Building", "geometry": [
        {"type": "MultiSurface", "lod": 2, "boundaries": [[[0, 1, 2, 3], [4, 5, 6, 7]]]}]}},
        verts, transform={"scale": [0.001] * 3, "translate": [0, 0, 0]},
        metadata={"referenceSystem": "urn:ogc:def:crs:EPSG::28992"})
    layer = _one(_write(tmp_path, doc))
    assert layer.crs == "EPSG:28992"
    assert layer.table.row(0)["lod"] == "2"
    tri = _batch(layer, TriangleBatch)
    assert math.isclose(_area(tri), 100 - 4, rel_tol=1e-9)
    p = tri.points[tri.triangles]
    normals = np.cross(p[:, 1] - p[:, 0], p[:, 2] - p[:, 0])
    assert (normals[:, 2] > 0).all()  # counter-clockwise ring seen from above: normal up
    assert tuple(tri.colors[0]) == (210, 210, 210, 255)


def test_concave_and_vertical_surfaces(tmp_path: Path) -> None:
    l_shape = [[0, 0, 0], [4, 0, 0], [4, 1, 0], [1, 1, 0], [1, 3, 0], [0, 3, 0]]
    wall = [[0, 0, 0], [0, 0, 5], [0, 6, 5], [0, 6, 0]]  # facing -x... or +x
    doc = _doc({"l": {"type": "Building", "geometry": [
        {"type": "MultiSurface", "lod": "1", "boundaries": [[[0, 1, 2, 3, 4, 5, 0]]],
         "semantics": {"surfaces": [{"type": "RoofSurface"}], "values": [0]}}]},
        "w": {"type": "Building", "geometry": [
            {"type": "CompositeSurface", "lod": "1", "boundaries": [[[6, 7, 8, 9]]],
             "semantics": {"surfaces": [{"type": "WallSurface"}], "values": [0]}}]}},
        l_shape + wall)
    layer = _one(_write(tmp_path, doc))
    tri = _batch(layer, TriangleBatch)
    assert math.isclose(_area(tri, tri.rows == 0), 4 + 2, rel_tol=1e-12)
    assert math.isclose(_area(tri, tri.rows == 1), 30, rel_tol=1e-12)
    roof = {tuple(c) for c in tri.colors[tri.rows == 0].tolist()}
    wall_c = {tuple(c) for c in tri.colors[tri.rows == 1].tolist()}
    assert len(roof) == len(wall_c) == 1 and roof != wall_c


def test_degenerate_surfaces_are_skipped(tmp_path: Path) -> None:
    doc = _doc({"d": {"type": "Building", "geometry": [
        {"type": "MultiSurface", "lod": "1",
         "boundaries": [[[0, 1, 2]], [[0, 0, 0]], [[]], [], [[3, 4, 5]], [[3, 4]]]}]}},
        [[0, 0, 0], [1, 0, 0], [2, 0, 0], [0, 0, 0], [1, 0, 0], [0, 1, 0]])
    layer = _one(_write(tmp_path, doc))
    tri = _batch(layer, TriangleBatch)
    assert len(tri.triangles) == 1
    assert any("degenerate" in w for w in layer.warnings)


def test_solid_multisolid_and_materials(tmp_path: Path) -> None:
    cube = [[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0], [0, 0, 1], [1, 0, 1], [1, 1, 1],
            [0, 1, 1]]
    shell = [[[0, 3, 2, 1]], [[4, 5, 6, 7]], [[0, 1, 5, 4]], [[1, 2, 6, 5]], [[2, 3, 7, 6]],
             [[3, 0, 4, 7]]]
    doc = _doc({
        "s": {"type": "Building", "geometry": [
            {"type": "Solid", "lod": "1", "boundaries": [shell],
             "material": {"paint": {"value": 0}}}]},
        "m": {"type": "Building", "geometry": [
            {"type": "MultiSolid", "lod": "1", "boundaries": [[shell], [shell]],
             "material": {"paint": {"values": [[[1, 1, 1, 1, 1, None]], [[None] * 6]]}}}]},
    }, cube, appearance={"materials": [
        {"name": "red", "diffuseColor": [1.0, 0.0, 0.0]},
        {"name": "glass", "diffuseColor": [0.0, 0.0, 1.0], "transparency": 0.5}]})
    layer = _one(_write(tmp_path, doc))
    tri = _batch(layer, TriangleBatch)
    assert (tri.rows == 0).sum() == 12 and (tri.rows == 1).sum() == 24
    p = tri.points[tri.triangles[tri.rows == 0]] - 0.5
    volume = np.einsum("ij,ij->i", p[:, 0], np.cross(p[:, 1], p[:, 2])).sum() / 6
    assert math.isclose(volume, 1.0)  # outward normals
    assert (tri.colors[tri.rows == 0] == [255, 0, 0, 255]).all()
    second = tri.colors[tri.rows == 1]
    assert (second == [0, 0, 255, 128]).all(axis=1).sum() == 10


def test_version_1_0_without_transform(tmp_path: Path) -> None:
    doc = {"type": "CityJSON", "version": "1.0",
           "metadata": {"referenceSystem": "http://www.opengis.net/def/crs/EPSG/0/4979"},
           "CityObjects": {"t": {"type": "TINRelief", "geometry": [
               {"type": "CompositeSurface", "lod": 2, "boundaries": [[[0, 1, 2]]]}]}},
           "vertices": [[4.5, 52.1, 1.25], [4.6, 52.1, 2.5], [4.6, 52.2, 0.0]]}
    layer = _one(_write(tmp_path, doc, "relief.json"))
    assert layer.name == "relief"
    assert layer.crs == "EPSG:4979"
    assert np.allclose(layer.bounds(), (4.5, 52.1, 0.0, 4.6, 52.2, 2.5))


def test_sequence_with_header_and_duplicate_ids(tmp_path: Path) -> None:
    header = {"type": "CityJSON", "version": "2.0", "CityObjects": {}, "vertices": [],
              "transform": {"scale": [0.5, 0.5, 0.5], "translate": [100, 200, 0]},
              "metadata": {"referenceSystem": "https://www.opengis.net/def/crs/EPSG/0/7415"}}

    def feature(oid):
        return {"type": "CityJSONFeature", "id": oid, "vertices": [[0, 0, 0], [2, 0, 0],
                                                                   [0, 2, 0]],
                "CityObjects": {oid: {"type": "Building", "attributes": {"名前": oid},
                                      "geometry": [{"type": "MultiSurface", "lod": "1",
                                                    "boundaries": [[[0, 1, 2]]]}]}}}

    lines = [header, feature("a"), feature("b"), feature("a")]
    path = _write(tmp_path, "\n".join(json.dumps(x) for x in lines) + "\n", "s.city.jsonl")
    layer = _one(path)
    assert list(layer.table.oid) == ["a", "b", "a#2"]
    assert layer.table.row(1)["名前"] == "b"
    assert layer.crs == "EPSG:7415"
    assert layer.warnings
    assert np.allclose(layer.bounds(), (100, 200, 0, 101, 201, 0))
    tri = _batch(layer, TriangleBatch)
    assert list(tri.rows) == [0, 1, 2]


def test_attribute_columns(tmp_path: Path) -> None:
    doc = _doc({
        "a": {"type": "Building", "attributes": {"height": 3.5, "type": "house",
                                                 "nested": {"k": ["一", 2]}}},
        "b": {"type": "+Kiosk", "parents": ["a"], "attributes": {"height": None}},
        "c": {"type": "CityObjectGroup", "children": ["a", "b"]},
    }, [])
    layer = _one(_write(tmp_path, doc))
    df = layer.table.df
    assert list(df.columns[:5]) == ["oid", "type", "parent", "children", "lod"]
    assert list(df["type"]) == ["Building", "+Kiosk", "CityObjectGroup"]
    assert layer.table.row(0)["attributes.type"] == "house"
    assert layer.table.row(0)["nested"] == '{"k": ["一", 2]}'
    assert layer.table.row(1)["parent"] == "a"
    assert layer.table.row(1)["height"] is None
    assert layer.table.row(2)["children"] == 2
    assert layer.table.row(2)["lod"] is None


BAD_DOCS = {
    "invalid json": ('{"type": "CityJSON", ', "invalid JSON"),
    "empty": ("", "empty"),
    "array": ("[1, 2]", "JSON object"),
    "geojson": ({"type": "FeatureCollection", "features": []}, "FeatureCollection"),
    "missing object type": (_doc({"x": {"attributes": {}}}, []), "'x'"),
    "object not dict": (_doc({"x": 3}, []), "'x'"),
    "cityobjects list": (_doc([], []), "CityObjects"),
    "boundaries not list": (_doc({"x": {"type": "Building", "geometry": [
        {"type": "MultiSurface", "lod": "1", "boundaries": 5}]}}, []), "'x'"),
    "ring of text": (_doc({"x": {"type": "Building", "geometry": [
        {"type": "MultiSurface", "lod": "1", "boundaries": [[["a", "b", "c"]]]}]}},
        [[0, 0, 0]]), "integer"),
    "float index": (_doc({"x": {"type": "Building", "geometry": [
        {"type": "MultiSurface", "lod": "1", "boundaries": [[[0, 0.5, 0]]]}]}},
        [[0, 0, 0]]), "integer"),
    "negative index": (_doc({"x": {"type": "Building", "geometry": [
        {"type": "MultiPoint", "lod": "1", "boundaries": [-1]}]}}, [[0, 0, 0]]),
        "out of range"),
    "no boundaries": (_doc({"x": {"type": "Building", "geometry": [
        {"type": "Solid", "lod": "1"}]}}, []), "boundaries"),
    "unknown geometry": (_doc({"x": {"type": "Building", "geometry": [
        {"type": "Polygon", "lod": "1", "boundaries": []}]}}, []), "Polygon"),
    "nan vertex": ('{"type":"CityJSON","CityObjects":{},"vertices":[[0,NaN,0]]}', "finite"),
    "absurd vertex": (_doc({}, [[0, 0, 1e12]]), "absurd"),
    "text vertex": (_doc({}, [["0", "0", "0"]]), "numbers"),
    "short vertex": (_doc({}, [[0, 0]]), "numbers"),
    "bad transform": (_doc({}, [], transform={"scale": [1, 1], "translate": [0, 0, 0]}),
                      "scale"),
    "missing template": (_doc({"x": {"type": "Building", "geometry": [
        {"type": "GeometryInstance", "template": 0, "boundaries": [0],
         "transformationMatrix": [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]}]}},
        [[0, 0, 0]]), "geometry-templates"),
    "feature without id": ({"type": "CityJSONFeature", "CityObjects": {}, "vertices": []},
                           "id"),
}


@pytest.mark.parametrize("name", sorted(BAD_DOCS))
def test_bad_documents(tmp_path: Path, name: str) -> None:
    doc, fragment = BAD_DOCS[name]
    _expect_error(_write(tmp_path, doc), fragment)


def test_bad_line_in_sequence(tmp_path: Path) -> None:
    header = json.dumps({"type": "CityJSON", "version": "2.0", "CityObjects": {},
                         "vertices": []})
    path = _write(tmp_path, header + "\n{\"type\": \"CityJSONFeature\", \n", "x.jsonl")
    _expect_error(path, "line 2")


def test_unreadable_files(tmp_path: Path) -> None:
    _expect_error(tmp_path / "missing.city.json", "cannot")
    binary = tmp_path / "b.city.json"
    binary.write_bytes(b"\xff\xfe\x00garbage\x81")
    _expect_error(binary)


# --------------------------------------------------------------------------- generated garbage


_leaf = (st.none() | st.booleans() | st.integers(-3, 12)
         | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=4))
_json = st.recursive(_leaf, lambda c: st.lists(c, max_size=3)
                     | st.dictionaries(st.text(max_size=3), c, max_size=3), max_leaves=12)


def _mostly(valid):
    """Usually ``valid``, sometimes any JSON value in its place."""
    return st.integers(0, 11).flatmap(lambda k: _json if k == 0 else valid)


_index = _mostly(st.integers(-1, 9))
_ring = _mostly(st.lists(_index, max_size=6))
_surface = _mostly(st.lists(_ring, max_size=3))
_shell = _mostly(st.lists(_surface, max_size=4))
_boundaries = st.one_of(st.lists(_surface, max_size=4), st.lists(_shell, max_size=2),
                        st.lists(st.lists(_shell, max_size=2), max_size=2),
                        st.lists(_index, max_size=5), st.lists(_ring, max_size=3), _json)
_geom_type = _mostly(st.sampled_from(["MultiPoint", "MultiLineString", "MultiSurface",
                                      "CompositeSurface", "Solid", "MultiSolid",
                                      "CompositeSolid", "GeometryInstance"]))
_geometry = st.fixed_dictionaries(
    {"type": _geom_type, "boundaries": _boundaries},
    optional={"lod": _mostly(st.sampled_from(["1", "2.2", 2, "x"])),
              "semantics": _mostly(st.fixed_dictionaries(
                  {"surfaces": _mostly(st.lists(st.fixed_dictionaries(
                      {"type": _mostly(st.sampled_from(["RoofSurface", "WallSurface"]))}),
                      max_size=3)),
                   "values": _json})),
              "material": _json,
              "template": _mostly(st.integers(-1, 2)),
              "transformationMatrix": _mostly(
                  st.lists(st.floats(-3, 3), min_size=16, max_size=16))})
_object = st.fixed_dictionaries(
    {"type": _mostly(st.sampled_from(["Building", "BuildingPart", "+Noise"]))},
    optional={"geometry": _mostly(st.lists(_geometry, max_size=3)),
              "attributes": _mostly(st.dictionaries(st.text(max_size=3), _json, max_size=3)),
              "parents": _mostly(st.lists(st.text(max_size=3), max_size=2)),
              "children": _mostly(st.lists(st.text(max_size=3), max_size=2))})
_vertex = st.lists(st.integers(-1000, 1000) | st.floats(-1e3, 1e3), min_size=3, max_size=3)
_document = st.fixed_dictionaries(
    {"type": _mostly(st.sampled_from(["CityJSON", "CityJSON", "CityJSON", "CityJSONFeature"])),
     "CityObjects": _mostly(st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), _object,
                                            max_size=4)),
     "vertices": _mostly(st.lists(_vertex, max_size=10))},
    optional={"id": _mostly(st.sampled_from(["a", "b", "a"])),
              "version": _mostly(st.sampled_from(["1.0", "1.1", "2.0"])),
              "transform": _mostly(st.fixed_dictionaries(
                  {"scale": _mostly(st.lists(st.floats(), min_size=3, max_size=3)),
                   "translate": _mostly(st.lists(st.floats(), min_size=3, max_size=3))})),
              "metadata": _mostly(st.fixed_dictionaries(
                  {"referenceSystem": _mostly(st.sampled_from(
                      ["https://www.opengis.net/def/crs/EPSG/0/7415", "EPSG:4326"]))})),
              "geometry-templates": _mostly(st.fixed_dictionaries(
                  {"templates": _mostly(st.lists(_geometry, max_size=2)),
                   "vertices-templates": _mostly(st.lists(_vertex, max_size=6))})),
              "appearance": _mostly(st.fixed_dictionaries(
                  {"materials": _mostly(st.lists(st.fixed_dictionaries(
                      {"diffuseColor": _mostly(
                          st.lists(st.floats(0, 1), min_size=3, max_size=3))}),
                      max_size=2))}))})

_fuzz = settings(max_examples=150, deadline=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture,
                                        HealthCheck.too_slow])


def _read_or_refuse(path: Path) -> None:
    try:
        layers = read_cityjson(path)
    except LoadError as exc:
        assert str(path) in str(exc) and "\n" not in str(exc)
        return
    assert len(layers) == 1
    layer = layers[0]
    for b in layer.batches:
        assert len(b.rows) and b.rows.max() < len(layer)
        assert np.isfinite(b.points).all()


@_fuzz
@given(doc=_document)
def test_generated_documents_load_or_refuse(tmp_path: Path, doc) -> None:
    _read_or_refuse(_write(tmp_path, json.dumps(doc)))


@_fuzz
@given(docs=st.lists(_document, min_size=1, max_size=4))
def test_generated_sequences_load_or_refuse(tmp_path: Path, docs) -> None:
    path = _write(tmp_path, "\n".join(json.dumps(d) for d in docs), "g.city.jsonl")
    _read_or_refuse(path)


@_fuzz
@given(data=st.binary(max_size=200))
def test_random_bytes_load_or_refuse(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "r.json"
    path.write_bytes(data)
    _read_or_refuse(path)


_coord = st.floats(-50, 50, allow_nan=False).map(lambda x: round(x, 3))


@_fuzz
@given(rings=st.lists(st.lists(st.tuples(_coord, _coord, _coord), min_size=0, max_size=8),
                      min_size=1, max_size=3))
def test_random_polygons_never_crash(tmp_path: Path, rings) -> None:
    verts, boundary = [], []
    for ring in rings:
        boundary.append(list(range(len(verts), len(verts) + len(ring))))
        verts.extend(list(p) for p in ring)
    doc = _doc({"p": {"type": "Building", "geometry": [
        {"type": "MultiSurface", "lod": "1", "boundaries": [boundary]}]}}, verts)
    layer = _one(_write(tmp_path, doc))
    tri = _batch(layer, TriangleBatch)
    if tri is not None:
        assert set(tri.rows) == {0}
        assert np.isfinite(tri.points).all()
