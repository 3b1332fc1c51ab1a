"""read_mesh against the trimesh sample models, with oracles that parse the files directly."""

from __future__ import annotations

import json
import re
import shutil
import struct
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from twinviewer.core.errors import LoadError
from twinviewer.core.layer import Layer, PointBatch, TriangleBatch
from twinviewer.io.mesh import read_mesh, rotation_matrix

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "trimesh-models"
needs_data = pytest.mark.skipif(not DATA.is_dir(), reason="shared trimesh-models data missing")

Y_UP = np.array([[1.0, 0, 0], [0, 0, -1.0], [0, 1.0, 0]])


def load(name: str, **kwargs) -> Layer:
    layers = read_mesh(DATA / name, **kwargs)
    assert len(layers) == 1
    return layers[0]


def tri_batches(layer: Layer) -> list[TriangleBatch]:
    return [b for b in layer.batches if isinstance(b, TriangleBatch)]


def triangles_per_row(layer: Layer) -> np.ndarray:
    counts = np.zeros(len(layer), dtype=np.int64)
    for b in tri_batches(layer):
        np.add.at(counts, b.rows, 1)
    return counts


# ------------------------------------------------------------ oracles


def obj_oracle(path: Path) -> dict[tuple, int]:
    """Triangles per (object, group, material) key, counted from the ``f`` lines."""
    obj = group = mtl = None
    out: dict[tuple, int] = {}
    for line in path.read_text(errors="replace").splitlines():
        parts = line.split()
        if not parts:
            continue
        if parts[0] == "o":
            obj = line[2:].strip()
        elif parts[0] == "g":
            group = line[2:].strip()
        elif parts[0] == "usemtl":
            mtl = line[6:].strip()
        elif parts[0] == "f":
            key = (obj, group, mtl)
            out[key] = out.get(key, 0) + len(parts) - 3
    return out


def stl_oracle(path: Path) -> list[int]:
    """Facet count per solid (binary: the header count)."""
    data = path.read_bytes()
    if len(data) >= 84:
        (n,) = struct.unpack("<I", data[80:84])
        if len(data) == 84 + 50 * n:
            return [n]
    counts = []
    for chunk in re.split(rb"^\s*solid", data, flags=re.MULTILINE)[1:]:
        counts.append(len(re.findall(rb"^\s*endfacet", chunk, flags=re.MULTILINE)))
    return [c for c in counts if c]


def ply_oracle(path: Path) -> int:
    header = path.read_bytes().split(b"end_header", 1)[0].decode("ascii")
    return int(re.search(r"element face (\d+)", header).group(1))


def gltf_parts(path: Path) -> tuple[dict, bytes]:
    data = path.read_bytes()
    if path.suffix.lower() == ".gltf":
        doc = json.loads(data)
        return doc, (path.parent / doc["buffers"][0]["uri"]).read_bytes()
    assert data[:4] == b"glTF"
    (json_len,) = struct.unpack("<I", data[12:16])
    doc = json.loads(data[20:20 + json_len])
    rest = data[20 + json_len:]
    (bin_len,) = struct.unpack("<I", rest[:4])
    return doc, rest[8:8 + bin_len]


def trs_matrix(node: dict) -> np.ndarray:
    if "matrix" in node:
        return np.array(node["matrix"], dtype=np.float64).reshape(4, 4).T
    t = np.eye(4)
    t[:3, 3] = node.get("translation", [0, 0, 0])
    x, y, z, w = node.get("rotation", [0, 0, 0, 1])
    r = np.eye(4)
    r[:3, :3] = [[1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
                 [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
                 [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)]]
    s = np.diag([*node.get("scale", [1, 1, 1]), 1.0])
    return t @ r @ s


def gltf_instances(doc: dict) -> list[tuple[dict, dict, np.ndarray]]:
    """(node, primitive, world matrix) for every triangle primitive in the default scene."""
    out = []
    nodes = doc["nodes"]

    def walk(i: int, parent: np.ndarray) -> None:
        node = nodes[i]
        world = parent @ trs_matrix(node)
        if "mesh" in node:
            for prim in doc["meshes"][node["mesh"]]["primitives"]:
                if prim.get("mode", 4) == 4:
                    out.append((node, prim, world))
        for child in node.get("children", []):
            walk(child, world)

    for root in doc["scenes"][doc.get("scene") or 0]["nodes"]:
        walk(root, np.eye(4))
    return out


def accessor_array(doc: dict, binary: bytes, index: int) -> np.ndarray:
    acc = doc["accessors"][index]
    view = doc["bufferViews"][acc["bufferView"]]
    dtype = {5126: "<f4", 5125: "<u4", 5123: "<u2", 5121: "u1"}[acc["componentType"]]
    width = {"SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4}[acc["type"]]
    start = view.get("byteOffset", 0) + acc.get("byteOffset", 0)
    stride = view.get("byteStride", 0) or np.dtype(dtype).itemsize * width
    rows = [np.frombuffer(binary, dtype=dtype, count=width, offset=start + k * stride)
            for k in range(acc["count"])]
    return np.array(rows, dtype=np.float64)


# ------------------------------------------------------------ counts per format


OBJ_FILES = ["box.obj", "capsule.obj", "cube_compressed.obj", "cubevt.obj", "fuze.obj",
             "groups.obj", "negative_indices.obj", "noimg.obj", "rabbit.obj", "two_objects.obj"]


@needs_data
@pytest.mark.parametrize("name", OBJ_FILES)
def test_obj_objects_and_triangles(name):
    oracle = obj_oracle(DATA / name)
    layer = load(name)
    assert len(layer) == len(oracle)
    assert sorted(layer.table.column("triangles").tolist()) == sorted(oracle.values())
    assert triangles_per_row(layer).tolist() == layer.table.column("triangles").tolist()
    assert layer.kind == "mesh" and layer.crs is None and layer.class_field == "type"
    assert layer.source == str(DATA / name)
    assert layer.table.oid.tolist() == list(range(len(layer)))
    assert set(layer.table.fields) == {"name", "type", "triangles", "vertices", "material"}


@needs_data
def test_obj_split_objects_and_groups():
    two = load("two_objects.obj")
    assert two.table.column("name").tolist() == ["cube", "tetra"]
    assert two.table.column("triangles").tolist() == [12, 4]
    assert len(load("groups.obj")) == 15


@needs_data
@pytest.mark.parametrize("name", ["20mm-xyz-cube.stl", "multibody.stl", "soup.stl",
                                  "teapot.stl", "unit_sphere.STL"])
def test_stl_objects_and_triangles(name):
    oracle = stl_oracle(DATA / name)
    layer = load(name)
    assert sorted(layer.table.column("triangles").tolist()) == sorted(oracle)
    assert triangles_per_row(layer).sum() == sum(oracle)


@needs_data
def test_multibody_stl_keeps_solids():
    layer = load("multibody.stl")
    assert sorted(layer.table.column("name").tolist()) == ["bodyA", "bodyB"]


@needs_data
@pytest.mark.parametrize("name", ["bunny.ply", "fuze.ply", "fuze_ascii.ply", "BoxTextured.ply"])
def test_ply_triangles(name):
    layer = load(name)
    assert len(layer) == 1
    assert layer.table.column("triangles").tolist() == [ply_oracle(DATA / name)]


@needs_data
@pytest.mark.parametrize("name", ["BoxTextured.glb", "CesiumMilkTruck.glb", "Duck.glb",
                                  "cube.glb", "nested.glb", "no_indices_3storybuilding.glb",
                                  "TestScene.gltf"])
def test_gltf_objects_and_triangles(name):
    doc, binary = gltf_parts(DATA / name)
    expected = []
    for _, prim, _ in gltf_instances(doc):
        key = prim.get("indices", prim["attributes"]["POSITION"])
        expected.append(doc["accessors"][key]["count"] // 3)
    layer = load(name)
    assert len(layer) == len(expected)
    assert sorted(layer.table.column("triangles").tolist()) == sorted(expected)
    assert triangles_per_row(layer).tolist() == layer.table.column("triangles").tolist()


@needs_data
def test_nested_glb_world_transforms():
    doc, binary = gltf_parts(DATA / "nested.glb")
    layer = load("nested.glb")
    names = layer.table.column("name").tolist()
    [batch] = tri_batches(layer)
    for node, prim, world in gltf_instances(doc):
        local = accessor_array(doc, binary, prim["attributes"]["POSITION"])
        expected = (local @ world[:3, :3].T + world[:3, 3]) @ Y_UP.T
        row = names.index(node["name"])
        got = batch.points[np.unique(batch.triangles[batch.rows == row])]
        assert got.shape == expected.shape
        order_g = np.lexsort(np.round(got, 5).T)
        order_e = np.lexsort(np.round(expected, 5).T)
        np.testing.assert_allclose(got[order_g], expected[order_e], atol=1e-5)
    assert sorted(names) == ["block01", "block02", "block03"]


@needs_data
def test_gltf_is_turned_z_up_unless_told():
    doc, binary = gltf_parts(DATA / "no_indices_3storybuilding.glb")
    up = load("no_indices_3storybuilding.glb")
    raw = load("no_indices_3storybuilding.glb", up_axis="z")
    np.testing.assert_allclose(up.batches[0].points, raw.batches[0].points @ Y_UP.T)
    with pytest.raises(LoadError):
        load("cube.glb", up_axis="x")


# ------------------------------------------------------------ textures and colours


@needs_data
@pytest.mark.parametrize("name", ["capsule.obj", "fuze.obj", "BoxTextured.glb", "Duck.glb"])
def test_texture_present(name):
    layer = load(name)
    textured = [b for b in tri_batches(layer) if b.texture is not None]
    assert len(textured) == 1
    b = textured[0]
    assert b.texture.dtype == np.uint8 and b.texture.ndim == 3 and b.texture.shape[2] in (3, 4)
    assert min(b.texture.shape[:2]) >= 64
    assert b.uv.shape == (len(b.points), 2) and np.all(np.isfinite(b.uv))
    assert b.colors is None


@needs_data
def test_texture_matches_image_file():
    # the MTL of fuze.obj names "fuze uv.jpg": a file name with a space
    with Image.open(DATA / "fuze uv.jpg") as img:
        expected = np.asarray(img.convert("RGB"))
    [b] = tri_batches(load("fuze.obj"))
    np.testing.assert_array_equal(b.texture, expected)
    with Image.open(DATA / "capsule0.jpg") as img:
        assert tri_batches(load("capsule.obj"))[0].texture.shape[:2] == (img.height, img.width)


@needs_data
def test_truck_one_batch_per_texture():
    layer = load("CesiumMilkTruck.glb")
    batches = tri_batches(layer)
    textured = [b for b in batches if b.texture is not None]
    plain = [b for b in batches if b.texture is None]
    assert len(plain) == 1 and plain[0].colors is not None
    assert len(textured) == 1  # body and wheels share one image
    assert sum(len(b.triangles) for b in batches) == layer.table.column("triangles").sum()


@needs_data
def test_colours():
    rabbit = tri_batches(load("rabbit.obj"))[0]  # MTL Kd 1 0 1
    assert rabbit.colors.shape == (len(rabbit.triangles), 4)
    assert np.all(rabbit.colors == [255, 0, 255, 255])
    assert tri_batches(load("bunny.ply"))[0].colors is None
    assert tri_batches(load("noimg.obj"))[0].colors is None  # UVs but no material
    assert load("box.obj").table.column("material").tolist() == ["Material", "SecondMaterial"]


def _write_ply(path: Path, vertex_colors: bool, face_colors: bool) -> None:
    vprops = "property uchar red\nproperty uchar green\nproperty uchar blue\n"
    lines = ["ply", "format ascii 1.0", "element vertex 4",
             "property float x", "property float y", "property float z"]
    if vertex_colors:
        lines.append(vprops.strip())
    lines += ["element face 2", "property list uchar int vertex_indices"]
    if face_colors:
        lines.append(vprops.strip())
    lines.append("end_header")
    verts = [(0, 0, 0, 0, 0, 0), (1, 0, 0, 90, 0, 0), (0, 1, 0, 0, 90, 0), (1, 1, 0, 0, 0, 90)]
    for v in verts:
        lines.append(" ".join(str(x) for x in (v if vertex_colors else v[:3])))
    for f, c in (((0, 1, 2), (255, 0, 0)), ((1, 3, 2), (0, 0, 255))):
        lines.append(" ".join(str(x) for x in ((3, *f, *c) if face_colors else (3, *f))))
    path.write_text("\n".join(lines) + "\n")


def test_vertex_and_face_colours(tmp_path):
    _write_ply(tmp_path / "v.ply", vertex_colors=True, face_colors=False)
    [b] = tri_batches(read_mesh(tmp_path / "v.ply")[0])
    np.testing.assert_array_equal(b.colors, [[30, 30, 0, 255], [30, 30, 30, 255]])
    _write_ply(tmp_path / "f.ply", vertex_colors=False, face_colors=True)
    [b] = tri_batches(read_mesh(tmp_path / "f.ply")[0])
    np.testing.assert_array_equal(b.colors, [[255, 0, 0, 255], [0, 0, 255, 255]])


@needs_data
@pytest.mark.parametrize("name", ["points_ascii.ply", "emptyIO/obj_points.obj"])
def test_point_cloud(name):
    layer = load(name)
    [batch] = layer.batches
    assert isinstance(batch, PointBatch)
    assert np.all(batch.rows == 0) and len(layer) == 1
    assert layer.table.column("type").tolist() == ["points"]
    assert layer.table.column("vertices").tolist() == [len(batch.points)]


@needs_data
def test_point_cloud_is_thinned(monkeypatch):
    import twinviewer.io.mesh as mesh

    monkeypatch.setattr(mesh, "MAX_POINTS", 2)
    layer = load("points_ascii.ply")
    assert len(layer.batches[0].points) == 2 and layer.warnings
    assert layer.table.column("vertices").tolist() == [5]


# ------------------------------------------------------------ placement


def test_rotation_order():
    r = rotation_matrix(90, 0, 90)  # x first, then z
    np.testing.assert_allclose(r @ [1, 0, 0], [0, 1, 0], atol=1e-12)
    np.testing.assert_allclose(r @ [0, 1, 0], [0, 0, 1], atol=1e-12)
    np.testing.assert_allclose(rotation_matrix(0, 90, 0) @ [0, 0, 1], [1, 0, 0], atol=1e-12)


def test_placement(tmp_path):
    path = tmp_path / "tri.obj"
    path.write_text("v 1 0 0\nv 0 1 0\nv 0 0 1\nf 1 2 3\n")
    base = np.array([[1.0, 0, 0], [0, 1, 0], [0, 0, 1]])
    pos = [451234.25, 3401234.5, 4.0]

    [layer] = read_mesh(path, position=pos, rotation=90, scale=2.0)
    expected = np.array([[0.0, 2, 0], [-2, 0, 0], [0, 0, 2]]) + pos
    np.testing.assert_allclose(layer.batches[0].points, expected, rtol=0, atol=1e-9)
    assert layer.batches[0].points.dtype == np.float64

    [layer] = read_mesh(path, position=pos, rotation=[90, 0, 90], scale=[1, 2, 3])
    scaled = base * [1, 2, 3]
    expected = scaled @ rotation_matrix(90, 0, 90).T + pos
    np.testing.assert_allclose(layer.batches[0].points, expected, rtol=0, atol=1e-9)
    # by hand: (1,0,0) -> x-rot keeps -> z-rot to (0,1,0)
    np.testing.assert_allclose(layer.batches[0].points[0] - pos, [0, 1, 0], atol=1e-9)
    # (0,2,0) -> x-rot to (0,0,2) -> z-rot keeps
    np.testing.assert_allclose(layer.batches[0].points[1] - pos, [0, 0, 2], atol=1e-9)

    [layer] = read_mesh(path, name="moved")
    assert layer.name == "moved"
    np.testing.assert_array_equal(layer.batches[0].points, base)
    for bad in ({"position": [1, 2]}, {"rotation": [1, 2]}, {"scale": 0},
                {"scale": [1, float("nan"), 1]}, {"position": "here"}):
        with pytest.raises(LoadError):
            read_mesh(path, **bad)


# ------------------------------------------------------------ bad input


@needs_data
@pytest.mark.parametrize("name", ["empty.obj", "empty.ply", "empty.stl",
                                  "emptyIO/stl_empty_ascii.stl", "emptyIO/ply_empty_bin.ply"])
def test_empty_files(name):
    with pytest.raises(LoadError, match="contains no geometry"):
        load(name)


PLY_HEAD = ("ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\n"
            "property float z\nelement face 1\nproperty list uchar int vertex_indices\n"
            "end_header\n")

BAD_FILES = {
    "nan.obj": "v 0 0 0\nv 1 0 0\nv nan 1 0\nf 1 2 3\n",
    "inf.ply": PLY_HEAD + "0 0 0\ninf 0 0\n0 1 0\n3 0 1 2\n",
    "index.obj": "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 9\n",
    "index.ply": PLY_HEAD + "0 0 0\n1 0 0\n0 1 0\n3 0 1 7\n",
    "short.ply": PLY_HEAD + "0 0 0\n1 0 0\n",
    "text.glb": "this is not a glb",
    "text.gltf": "{\"asset\": {\"version\": \"2.0\"}, \"meshes\": [{\"primitives\": 3}]}",
    "missing_bin.gltf": json.dumps({
        "asset": {"version": "2.0"}, "buffers": [{"uri": "nowhere.bin", "byteLength": 36}],
        "bufferViews": [{"buffer": 0, "byteLength": 36}],
        "accessors": [{"bufferView": 0, "componentType": 5126, "count": 3, "type": "VEC3"}],
        "meshes": [{"primitives": [{"attributes": {"POSITION": 0}}]}],
        "nodes": [{"mesh": 0}], "scenes": [{"nodes": [0]}], "scene": 0}),
    "model.xyz": "1 2 3\n",
    "noext": "v 0 0 0\n",
    "zero.stl": "",
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_files(tmp_path, name):
    path = tmp_path / name
    path.write_text(BAD_FILES[name])
    with pytest.raises(LoadError) as info:
        read_mesh(path)
    assert "\n" not in str(info.value) and str(path) in str(info.value)


def test_binary_garbage_and_limits(tmp_path):
    rng = np.random.default_rng(1)
    for suffix in (".obj", ".ply", ".stl", ".glb"):
        path = tmp_path / f"garbage{suffix}"
        path.write_bytes(b"\x00\xff" + rng.integers(0, 256, 5000, dtype=np.uint8).tobytes())
        with pytest.raises(LoadError):
            read_mesh(path)
    with pytest.raises(LoadError, match="not found"):
        read_mesh(tmp_path / "nothing.obj")
    with pytest.raises(LoadError):
        read_mesh(tmp_path)  # a folder
    big = tmp_path / "tri.obj"
    big.write_text("v 1 0 0\nv 0 1 0\nv 0 0 1\nf 1 2 3\n")
    with pytest.raises(LoadError, match="too large"):
        read_mesh(big, max_bytes=10)
    assert len(read_mesh(big, max_bytes=1000)[0]) == 1


@needs_data
def test_truncated_real_files(tmp_path):
    for name in ("bunny.ply", "Duck.glb", "unit_sphere.STL", "capsule.obj"):
        data = (DATA / name).read_bytes()
        path = tmp_path / ("cut_" + name)
        path.write_bytes(data[: len(data) // 3 + 7])
        with pytest.raises(LoadError):
            read_mesh(path)


FUZZ_SOURCES = ["two_objects.obj", "box.obj", "multibody.stl", "unit_sphere.STL",
                "cube.glb", "nested.glb", "BoxTextured.glb", "fuze_ascii.ply", "fuze.ply",
                "points_ascii.ply", "TestScene.gltf"]


def _check(path: Path) -> None:
    try:
        layers = read_mesh(path)
    except LoadError as exc:
        assert "\n" not in str(exc)
        return
    [layer] = layers
    assert len(layer) >= 1
    for b in layer.batches:
        assert np.all(np.isfinite(b.points))
        assert len(b.rows) == 0 or (b.rows.min() >= 0 and b.rows.max() < len(layer))
        if isinstance(b, TriangleBatch) and len(b.triangles):
            assert b.triangles.min() >= 0 and b.triangles.max() < len(b.points)


@given(data=st.binary(max_size=2000), suffix=st.sampled_from([".obj", ".ply", ".stl", ".glb",
                                                              ".gltf"]))
@settings(max_examples=60, deadline=None)
def test_fuzz_random_bytes(data, suffix):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"fuzz{suffix}"
        path.write_bytes(data)
        _check(path)


@needs_data
@given(name=st.sampled_from(FUZZ_SOURCES), cut=st.floats(0.0, 1.0),
       flips=st.lists(st.tuples(st.floats(0.0, 1.0), st.integers(0, 255)), max_size=4))
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_fuzz_truncated_and_mutated_files(name, cut, flips):
    data = bytearray((DATA / name).read_bytes())
    data = data[: max(1, int(len(data) * cut))] if cut < 1.0 else data
    for where, value in flips:
        data[min(len(data) - 1, int(where * len(data)))] = value
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(bytes(data))
        for extra in ("box.mtl", "TestScene.bin"):
            if (DATA / extra).exists():
                shutil.copy(DATA / extra, Path(tmp) / extra)
        _check(path)
