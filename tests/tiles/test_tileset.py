"""3D Tiles samples read, placed, streamed and decoded; counts checked against the JSON."""

import json
import re
import shutil
import struct

import numpy as np
import pytest

from twinviewer.core.errors import LoadError
from twinviewer.io.loader import open_scene
from twinviewer.io.registry import kind_of, reader_for
from twinviewer.tiles.decode import decode_content
from twinviewer.tiles.select import View
from twinviewer.tiles.stream import Streamer
from twinviewer.tiles.tile import TileState


@pytest.fixture
def samples(shared_data):
    return shared_data / "3d-tiles-samples"


def json_counts(path):
    """Tiles and renderable contents of an explicit tileset, by walking its JSON."""
    def walk(node):
        uri = (node.get("content") or {}).get("uri", "")
        n, c = 1, int(bool(uri) and not uri.endswith(".json"))
        for k in node.get("children", []):
            kn, kc = walk(k)
            n, c = n + kn, c + kc
        return n, c
    return walk(json.loads(path.read_text())["root"])


def view_of(layer, back=1.5, up=2.5):
    b = layer.root.bounds
    c, r = b.center, b.radius
    return View(tuple(c + np.array([0.0, -back * r, up * r])), tuple(c))


def stream(layer, view=None, timeout=20.0):
    st = Streamer(layer)
    try:
        assert st.wait(view or view_of(layer), timeout)
        return st
    finally:
        st.close()


def test_registry_knows_tilesets(samples):
    ts = samples / "1.0/TilesetWithRequestVolume/city/tileset.json"
    assert kind_of(ts) == "tiles"
    assert reader_for(ts).kind == "tiles"
    assert reader_for("https://example.org/scan/tileset.json").kind == "tiles"


def test_explicit_counts_match_the_json(samples):
    for rel in ("1.0/TilesetWithDiscreteLOD/tileset.json",
                "1.0/TilesetWithRequestVolume/city/tileset.json"):
        path = samples / rel
        layer = open_scene([path]).layers[0]
        tiles = list(layer.root.walk(expand=True))
        assert (len(tiles), sum(t.has_content for t in tiles)) == json_counts(path)


def test_georeferenced_city_lands_in_utm_around_the_origin(samples):
    scene = open_scene([samples / "1.0/TilesetWithRequestVolume/city/tileset.json"])
    layer = scene.layers[0]
    assert scene.crs.to_epsg() == 32618  # -75.6 E: UTM 18N
    lo, hi = np.array(layer.bounds()[:3]), np.array(layer.bounds()[3:])
    assert np.all(np.abs(lo[:2]) < 400) and np.all(np.abs(hi[:2]) < 400)
    assert lo[2] == pytest.approx(0.0, abs=0.5) and hi[2] == pytest.approx(20.0, abs=0.5)
    st = stream(layer)
    assert st.stats().tiles_drawn == 4
    for tile in layer.root.children:
        pts = np.vstack([m.points for m in tile.data.meshes])
        assert np.all(pts.min(axis=0) >= tile.bounds.lo - 1.0)
        assert np.all(pts.max(axis=0) <= tile.bounds.hi + 1.0)
        assert len(tile.data.properties) == 10  # the batch table's buildings
        assert {"Longitude", "Latitude", "Height"} <= set(tile.data.properties[0])


def test_discrete_lod_missing_finest_tile_fails_and_parent_stays(samples):
    layer = open_scene([samples / "1.0/TilesetWithDiscreteLOD/tileset.json"]).layers[0]
    st = stream(layer, view_of(layer, 0.3, 0.3))
    finest = layer.root.children[0].children[0]
    assert finest.state is TileState.FAILED
    assert "dragon_high.b3dm" in finest.error and "\n" not in finest.error
    assert st.selection.draw == [layer.root.children[0]]  # the medium dragon is drawn
    assert any("dragon_high.b3dm" in w for w in layer.warnings)


def test_sparse_implicit_quadtree(samples):
    folder = samples / "1.1/SparseImplicitQuadtree"
    layer = open_scene([folder / "tileset.json"]).layers[0]
    # the README: only the 32 level-5 tiles with content and their ancestors exist
    coords = [tuple(map(int, re.findall(r"\d+", p.name))) for p in folder.glob("content/*.glb")]
    ancestors = {(lv - k, x >> k, y >> k) for lv, x, y in coords for k in range(lv + 1)}
    tiles = list(layer.root.walk(expand=True))
    assert len(tiles) == len(ancestors) == 63
    assert sum(t.has_content for t in tiles) == len(coords) == 32
    assert max(t.level for t in tiles) == 5
    st = stream(open_scene([folder / "tileset.json"]).layers[0])
    assert st.stats().tiles_drawn == 32 and st.stats().deepest_level == 5


def test_feature_ids_and_property_tables(samples):
    layer = open_scene([samples / "glTF/EXT_structural_metadata/FeatureIdAttributeAndPropertyTable"
                                  "/tileset.json"]).layers[0]
    data = decode_content(layer.root.content)
    feats = np.concatenate([m.features for m in data.meshes])
    assert set(feats.tolist()) == {0, 1, 2, 3}
    assert data.properties[1]["example_VEC3_FLOAT32"] == pytest.approx([1.0, 1.1, 1.2])
    assert len(data.properties) == 4
    # Y-up glTF -> Z-up tiles: the unit square in glTF's x-y plane stands in x-z here
    pts = np.vstack([m.points for m in data.meshes])
    assert np.ptp(pts[:, 2]) == pytest.approx(1.0, abs=1e-5) and np.ptp(pts[:, 1]) < 1e-5


def test_bad_inputs_name_the_file(samples, tmp_path):
    city = tmp_path / "city"
    shutil.copytree(samples / "1.0/TilesetWithRequestVolume/city", city)
    # truncated b3dm
    ll = (city / "ll.b3dm").read_bytes()
    (city / "ll.b3dm").write_bytes(ll[:len(ll) // 2])
    # a glb inside lr.b3dm whose accessor points past its buffer view
    lr = bytearray((city / "lr.b3dm").read_bytes())
    pos = lr.find(b'"count":')
    lr[pos + 8:pos + 11] = b"999"
    (city / "lr.b3dm").write_bytes(bytes(lr))
    (city / "ur.b3dm").unlink()
    layer = open_scene([city / "tileset.json"]).layers[0]
    stream(layer)
    states = {t.content.uris[0].rsplit("/", 1)[-1]: t for t in layer.root.children}
    assert states["ul.b3dm"].state is TileState.LOADED
    for name in ("ll.b3dm", "lr.b3dm", "ur.b3dm"):
        tile = states[name]
        assert tile.state is TileState.FAILED and name in tile.error, name
        assert "\n" not in tile.error
    assert "truncated" in states["ll.b3dm"].error
    assert "accessor" in states["lr.b3dm"].error
    assert "not found" in states["ur.b3dm"].error
    bad = tmp_path / "broken" / "tileset.json"
    bad.parent.mkdir()
    bad.write_text('{"asset": {"version": "1.0"}, "root": {')
    scene = open_scene([bad, city / "tileset.json"])
    assert len(scene.layers) == 1  # the good one stays
    assert len(scene.errors) == 1 and "\n" not in scene.errors[0]
    assert re.search(r"broken/tileset.json.*not a valid tileset.json", scene.errors[0])
    with pytest.raises(LoadError, match="not found"):
        open_scene([tmp_path / "nothing" / "tileset.json"])


def test_external_tilesets_and_cycles(tmp_path):
    box = {"box": [0, 0, 0, 10, 0, 0, 0, 10, 0, 0, 0, 10]}
    def write(name, root):
        (tmp_path / name).write_text(json.dumps({"asset": {"version": "1.1"},
                                                 "geometricError": 100, "root": root}))
    write("tileset.json", {"boundingVolume": box, "geometricError": 100, "children": [
        {"boundingVolume": box, "geometricError": 50, "content": {"uri": "a.json"}},
        {"boundingVolume": box, "geometricError": 50, "content": {"uri": "loop.json"}}]})
    write("a.json", {"boundingVolume": box, "geometricError": 50, "refine": "ADD",
                     "children": [{"boundingVolume": box, "geometricError": 0,
                                   "content": {"uri": "x.glb"}}]})
    write("loop.json", {"boundingVolume": box, "geometricError": 50,
                        "content": {"uri": "tileset.json"}})
    layer = open_scene([tmp_path / "tileset.json"]).layers[0]
    tiles = list(layer.root.walk(expand=True))
    # root, the two naming tiles (each merged with its tileset's root), a's child
    assert len(tiles) == 4
    assert sum(t.has_content for t in tiles) == 1
    a = layer.root.children[0]
    assert a.refine == "ADD" and a.children[0].level == 2
    assert any("cycle" in e and "loop.json" in e for e in layer.tree.errors)


def test_b3dm_rtc_center_is_applied(samples, tmp_path):
    src = (samples / "1.0/TilesetWithRequestVolume/city/ll.b3dm").read_bytes()
    magic, version, length, ftj, ftb, btj, btb = struct.unpack_from("<4s6I", src)
    ft = json.loads(src[28:28 + ftj])
    ft["RTC_CENTER"] = [100.0, 200.0, 300.0]
    js = json.dumps(ft).encode()
    js += b" " * (-(28 + len(js)) % 8)
    body = src[28 + ftj:]
    out = struct.pack("<4s6I", magic, version, 28 + len(js) + len(body), len(js), ftb, btj,
                      btb) + js + body
    from twinviewer.tiles.decode import decode_bytes
    old_rtc = np.asarray(json.loads(src[28:28 + ftj]).get("RTC_CENTER", [0, 0, 0]), float)

    def shifted(t):
        m = np.eye(4)
        m[:3, 3] = -np.asarray(t, float)
        return m
    # each decoded in a frame that takes its own RTC centre off: the same small points
    plain = decode_bytes(src, "ll.b3dm", shifted(old_rtc))
    moved = decode_bytes(out, "ll.b3dm", shifted([100.0, 200.0, 300.0]))
    assert np.abs(plain.meshes[0].points).max() < 1000
    assert np.allclose(moved.meshes[0].points, plain.meshes[0].points, atol=1e-3)


def test_streaming_fetches_external_tilesets_in_workers(samples, tmp_path):
    """The window's path: external tileset files arrive through the workers (the
    expander says Pending meanwhile), then their tiles stream like any other."""
    city = samples / "1.0/TilesetWithRequestVolume/city"
    box = {"region": json.loads((city / "tileset.json").read_text())["root"][
        "boundingVolume"]["region"]}
    shutil.copytree(city, tmp_path / "city")
    (tmp_path / "tileset.json").write_text(json.dumps({
        "asset": {"version": "1.0"}, "geometricError": 500,
        "root": {"boundingVolume": box, "geometricError": 500, "refine": "ADD",
                 "content": {"uri": "city/tileset.json"}}}))
    layer = open_scene([tmp_path / "tileset.json"]).layers[0]
    assert layer.root.children is None  # not read at open: only when wanted
    st = stream(layer)
    assert st.stats().tiles_drawn == 4
    assert [t.state for t in layer.root.children] == [TileState.LOADED] * 4
