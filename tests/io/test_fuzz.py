"""Hostile input: mutated real files and structured garbage give a LoadError, nothing else.

Short in CI (the "ci" hypothesis profile, ~50 cases per test); the documented long
run is ``HYPOTHESIS_PROFILE=long pytest tests/io/test_fuzz.py`` (10,000 cases per
test; figures in docs/robustness.md).  A segfault would end the test process: that
counts as a crash too.
"""

from __future__ import annotations

import json
import shutil
import struct
import tempfile
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from twinviewer.core.errors import LoadError
from twinviewer.io.loader import load, read_source
from twinviewer.io.mesh import read_mesh
from twinviewer.io.scene_file import LayerSpec, read_scene_file

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
SEEDS = [  # small real files of every kind (path relative to ../shared/data)
    "fiona-testdata/grenada.geojson", "fiona-testdata/test_tz.geojson",
    "fiona-testdata/trio.seq", "fiona-testdata/example.topojson",
    "nts-shapefile-tests/Victoria North.shp", "nts-shapefile-tests/afvalbakken.dbf",
    "pyogrio-fixtures/naturalearth_lowres/naturalearth_lowres.shx",
    "cjval/cube.city.json", "cjval/sem_point.city.json", "cjval/cube_20.jsonl",
    "cityjson-corpus/conformance/v2_0/geometry_semantics_multisurface/"
    "geometry_semantics_multisurface.city.json",
    "cjseq/3dbag_b2.city.jsonl", "flatcitybuf/noise_extension.city.jsonl",
    "trimesh-models/box.obj", "trimesh-models/two_objects.obj",
    "trimesh-models/negative_indices.obj", "trimesh-models/BoxTextured.ply",
    "trimesh-models/points_ascii.ply", "trimesh-models/20mm-xyz-cube.stl",
    "trimesh-models/soup.stl", "trimesh-models/cube.glb", "trimesh-models/nested.glb",
]
pytestmark = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data is missing")


def only_load_errors(read, *args) -> None:
    """Call a reader: success or LoadError are fine, any other exception fails the test."""
    try:
        read(*args)
    except LoadError as exc:
        assert exc.message and "\n" not in exc.message


def _read_path(path: Path) -> None:
    only_load_errors(read_source, LayerSpec(source=path))


# ------------------------------------------------------------------ mutated real files

def _mutate(data: bytes, ops: list) -> bytes:
    buf = bytearray(data)
    for op, a, b, chunk in ops:
        n = len(buf)
        i, j = (a % (n + 1)), (b % (n + 1))
        if op == "truncate":
            del buf[i:]
        elif op == "flip" and n:
            buf[i % n] ^= 1 << (b % 8)
        elif op == "set" and n:
            buf[i % n: i % n + len(chunk)] = chunk
        elif op == "delete":
            del buf[min(i, j):max(i, j)]
        elif op == "splice":  # repeat a slice elsewhere (duplicated records, lengths off)
            buf[i:i] = buf[min(i, j):max(i, j)][:4096]
        elif op == "insert":
            buf[i:i] = chunk
    return bytes(buf)


_ops = st.lists(st.tuples(st.sampled_from(["truncate", "flip", "set", "delete", "splice",
                                           "insert"]),
                          st.integers(0, 1 << 20), st.integers(0, 1 << 20),
                          st.binary(min_size=1, max_size=16)), min_size=1, max_size=6)


@given(seed=st.sampled_from(SEEDS), ops=_ops)
@example(seed="trimesh-models/box.obj", ops=[("truncate", 0, 0, b"x")])
def test_mutated_real_files(seed, ops):
    src = SHARED / seed
    with tempfile.TemporaryDirectory(prefix="tv fuzz 模糊 ") as tmp:
        for sib in src.parent.glob(src.stem + ".*"):  # a shapefile's .shp/.shx/.dbf travel
            if sib.stem == src.stem:
                shutil.copy(sib, Path(tmp) / sib.name)
        target = Path(tmp) / src.name
        target.write_bytes(_mutate(src.read_bytes(), ops))
        _read_path(target)


# ------------------------------------------------------------------ structured garbage

_num = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-2**70, 2**70),
                 st.sampled_from([1e308, -1e308, 0, 1e-320]))
_scalar = st.one_of(st.none(), st.booleans(), _num, st.text(max_size=8))
_json = st.recursive(_scalar, lambda kids: st.one_of(
    st.lists(kids, max_size=5), st.dictionaries(st.text(max_size=6), kids, max_size=5)),
    max_leaves=30)
_coord = st.lists(_num, min_size=0, max_size=4)
_ring = st.lists(_coord, max_size=8)
_geometry = st.one_of(
    _json,
    st.fixed_dictionaries({"type": st.sampled_from(["Point", "MultiPoint"]), "coordinates":
                           st.one_of(_coord, _ring)}),
    st.fixed_dictionaries({"type": st.sampled_from(["LineString", "Polygon", "MultiPolygon",
                                                    "GeometryCollection", "Bogus"]),
                           "coordinates": st.one_of(_ring, st.lists(_ring, max_size=4),
                                                    st.lists(st.lists(_ring, max_size=3),
                                                             max_size=3))}),
)
_feature = st.fixed_dictionaries({"type": st.just("Feature"), "geometry": _geometry,
                                  "properties": st.one_of(
                                      st.dictionaries(st.text(max_size=5), _scalar, max_size=4),
                                      _json)})


@given(features=st.lists(_feature, max_size=6), junk=_json,
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]))
def test_geojson_garbage(features, junk, encoding):
    doc = {"type": "FeatureCollection", "features": features, "extra": junk}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "垃圾.geojson"
        path.write_bytes(json.dumps(doc, ensure_ascii=False).encode(encoding, "replace"))
        _read_path(path)


_index = st.integers(-3, 12) | st.integers(-2**40, 2**40)
_boundary = st.recursive(_index, lambda kids: st.lists(kids, max_size=4), max_leaves=20)
_cj_geometry = st.fixed_dictionaries(
    {"type": st.sampled_from(["MultiSurface", "Solid", "MultiSolid", "CompositeSurface",
                              "MultiPoint", "MultiLineString", "GeometryInstance", "x"]),
     "lod": st.one_of(st.sampled_from(["1", "2.2", "0"]), _scalar),
     "boundaries": _boundary},
    optional={"semantics": _json, "template": _index, "transformationMatrix": _json})


@given(vertices=st.one_of(st.lists(st.lists(_num, min_size=3, max_size=3), max_size=10),
                          _json),
       objects=st.dictionaries(st.text(max_size=4), st.fixed_dictionaries(
           {"type": st.sampled_from(["Building", "BuildingPart", "Road", "+X", ""]),
            "geometry": st.one_of(st.lists(_cj_geometry, max_size=3), _json)},
           optional={"attributes": _json, "parents": _json, "children": _json}), max_size=4),
       transform=st.one_of(st.none(), _json, st.fixed_dictionaries(
           {"scale": st.lists(_num, max_size=4), "translate": st.lists(_num, max_size=4)})),
       version=st.sampled_from(["1.0", "1.1", "2.0", "9.9", 2]),
       seq=st.booleans())
def test_cityjson_garbage(vertices, objects, transform, version, seq):
    doc = {"type": "CityJSON", "version": version, "CityObjects": objects, "vertices": vertices}
    if transform is not None:
        doc["transform"] = transform
    with tempfile.TemporaryDirectory() as tmp:
        if seq:
            path = Path(tmp) / "x.city.jsonl"
            feature = {"type": "CityJSONFeature", "id": "a", "CityObjects": objects,
                       "vertices": vertices}
            header = {k: v for k, v in doc.items() if k not in ("CityObjects", "vertices")}
            header.update(CityObjects={}, vertices=[])
            path.write_text(json.dumps(header) + "\n" + json.dumps(feature) + "\n")
        else:
            path = Path(tmp) / "x.city.json"
            path.write_text(json.dumps(doc))
        _read_path(path)


_obj_line = st.one_of(
    st.builds(lambda v: "v " + " ".join(map(str, v)), st.lists(_num, max_size=5)),
    st.builds(lambda v: "vt " + " ".join(map(str, v)), st.lists(_num, max_size=3)),
    st.builds(lambda v: "vn " + " ".join(map(str, v)), st.lists(_num, max_size=3)),
    st.builds(lambda f: "f " + " ".join(f), st.lists(
        st.builds(lambda a, b: f"{a}/{b}" if b is not None else str(a), _index,
                  st.none() | _index), max_size=6)),
    st.sampled_from(["o a", "g", "usemtl none", "mtllib missing.mtl", "s off", "l 1 2 99",
                     "p -1", "#", "f", "v", "\x00\xff"]),
    st.text(max_size=20),
)


@given(lines=st.lists(_obj_line, max_size=25))
def test_obj_garbage(lines):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.obj"
        path.write_text("\n".join(lines), encoding="utf-8", errors="replace")
        only_load_errors(read_mesh, path)


@given(fmt=st.sampled_from(["ascii", "binary_little_endian", "binary_big_endian"]),
       nv=st.integers(0, 10**13), nf=st.integers(-5, 10**12),
       vtype=st.sampled_from(["float", "double", "uchar", "int", "bogus"]),
       body=st.binary(max_size=400), small=st.booleans())
@example(fmt="binary_little_endian", nv=10**12, nf=1, vtype="float", body=b"\0" * 64,
         small=False)
def test_ply_garbage(fmt, nv, nf, vtype, body, small):
    if small:
        nv, nf = nv % 12, nf % 6
    header = (f"ply\nformat {fmt} 1.0\nelement vertex {nv}\nproperty {vtype} x\n"
              f"property {vtype} y\nproperty {vtype} z\nelement face {nf}\n"
              "property list uchar int vertex_indices\nend_header\n").encode()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.ply"
        path.write_bytes(header + body)
        only_load_errors(read_mesh, path)


@given(count=st.integers(0, 2**32 - 1), body=st.binary(max_size=600), ascii_=st.booleans(),
       facets=st.lists(st.lists(_num, min_size=0, max_size=4), max_size=6))
def test_stl_garbage(count, body, ascii_, facets):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.stl"
        if ascii_:
            text = "solid x\n" + "".join(
                "facet normal 0 0 1\nouter loop\n" + "".join(
                    f"vertex {' '.join(map(str, f))}\n" for _ in range(3)) +
                "endloop\nendfacet\n" for f in facets) + "endsolid x\n"
            path.write_text(text)
        else:
            path.write_bytes(b"\0" * 80 + struct.pack("<I", count) + body)
        only_load_errors(read_mesh, path)


_toml_value = st.one_of(
    st.integers(-2**63, 2**63 - 1).map(str), st.floats().map(lambda f: repr(f).replace(
        "inf", "inf").replace("nan", "nan")), st.booleans().map(lambda b: str(b).lower()),
    st.text(max_size=10).map(json.dumps), st.lists(st.integers(-5, 5), max_size=4).map(str),
    st.sampled_from(['"EPSG:4549"', '"+proj=tmerc +lat_0=0 +lon_0=121 +ellps=GRS80"',
                     '"../../../../etc/passwd"', '"不存在.gpkg"', "[1e400, 0, 0]",
                     '{ color = "#zzz" }', "nan", "-inf", "[[1]]"]))
_toml_key = st.sampled_from(["version", "name", "crs", "origin", "source", "kind", "table",
                             "encoding", "gcj02", "opacity", "visible", "lod", "position",
                             "rotation", "scale", "style", "assets", "view", "bogus", "名称"])


@given(top=st.lists(st.tuples(_toml_key, _toml_value), max_size=6),
       layers=st.lists(st.lists(st.tuples(_toml_key, _toml_value), max_size=6), max_size=3),
       raw=st.one_of(st.just(""), st.text(max_size=40)))
def test_scene_file_garbage(top, layers, raw):
    lines = ["version = 1"] if top and top[0][0] != "version" else []
    lines += [f"{k} = {v}" for k, v in top]
    for entry in layers:
        lines.append("[[layers]]")
        lines += [f"{k} = {v}" for k, v in entry]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "场景 scene.toml"
        path.write_text("\n".join(lines) + "\n" + raw, encoding="utf-8")
        try:
            spec = read_scene_file(path)
        except LoadError:
            return
        only_load_errors(load, spec)  # layer errors are collected; only LoadError escapes


# ------------------------------------------------------------------ regression cases

def test_ply_header_claiming_a_trillion_vertices_is_refused_before_reading(tmp_path):
    path = tmp_path / "huge.ply"
    path.write_bytes(b"ply\nformat binary_little_endian 1.0\nelement vertex 1000000000000\n"
                     b"property float x\nproperty float y\nproperty float z\nend_header\n"
                     + b"\0" * 120)
    with pytest.raises(LoadError, match="claims 1,000,000,000,000 vertex"):
        read_mesh(path)


def test_cityjson_with_too_many_vertices_is_refused(monkeypatch, tmp_path):
    from twinviewer.io import cityjson
    from twinviewer.io.cityjson import vertices  # where the limits live
    monkeypatch.setattr(vertices, "MAX_VERTICES", 10)  # stands for 10^9: same code path
    path = tmp_path / "x.city.json"
    path.write_text(json.dumps({"type": "CityJSON", "version": "2.0", "CityObjects": {},
                                "vertices": [[0, 0, 0]] * 11}))
    with pytest.raises(LoadError, match="more than twinviewer reads"):
        cityjson.read_cityjson(path)


def test_zero_byte_files_of_every_kind(tmp_path):
    for name in ["x.geojson", "x.shp", "x.city.json", "x.city.jsonl", "x.obj", "x.ply",
                 "x.stl", "x.glb", "x.csv", "x.gpkg"]:
        (tmp_path / name).write_bytes(b"")
        with pytest.raises(LoadError):
            read_source(LayerSpec(source=tmp_path / name))
    (tmp_path / "x.toml").write_bytes(b"")
    with pytest.raises(LoadError):
        read_scene_file(tmp_path / "x.toml")
