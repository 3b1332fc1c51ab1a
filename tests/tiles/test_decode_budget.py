"""pnts, i3dm and cmpt containers, undrawable extensions, and the memory budget."""

import json
import struct
import time

import numpy as np
import pytest

from benchmarks.tiles import Village
from twinviewer.tiles.decode import decode_bytes
from twinviewer.tiles.layer import read_tileset
from twinviewer.tiles.select import View
from twinviewer.tiles.stream import Streamer


def _pad(b: bytes, fill: bytes = b" ") -> bytes:
    return b + fill * (-len(b) % 8)


def container(magic: bytes, ft: dict, ft_bin: bytes, body: bytes = b"", extra=()) -> bytes:
    """A 3D Tiles container: header, feature table (JSON + binary), no batch table."""
    js = json.dumps(ft).encode()
    head = 4 + 4 * (6 + len(extra))
    js = _pad(head * b"\0" + js)[head:]
    ft_bin = _pad(ft_bin, b"\0")
    total = head + len(js) + len(ft_bin) + len(body)
    return struct.pack("<4s" + "I" * (6 + len(extra)), magic, 1, total, len(js), len(ft_bin),
                       0, 0, *extra) + js + ft_bin + body


def city_glb(shared_data) -> bytes:
    data = (shared_data / "3d-tiles-samples/1.0/TilesetWithRequestVolume/city/ll.b3dm"
            ).read_bytes()
    _, _, length, ftj, ftb, btj, btb = struct.unpack_from("<4s6I", data)
    return data[28 + ftj + ftb + btj + btb:length]


def test_pnts_positions_colours_and_rtc():
    pos = np.array([[0, 0, 0], [1, 0, 0], [0, 2, 0]], dtype=np.float32)
    rgb = np.array([[255, 0, 0], [0, 255, 0], [0, 0, 255]], dtype=np.uint8)
    tile = container(b"pnts", {"POINTS_LENGTH": 3, "POSITION": {"byteOffset": 0},
                               "RGB": {"byteOffset": 36}, "RTC_CENTER": [10, 20, 30]},
                     pos.tobytes() + rgb.tobytes())
    out = decode_bytes(tile, "p.pnts", np.eye(4))
    assert np.allclose(out.points[0].points, pos + [10, 20, 30])
    assert out.points[0].colors[:, :3].tolist() == rgb.tolist()


def test_i3dm_instances_of_an_embedded_glb(shared_data):
    glb = city_glb(shared_data)
    model = decode_bytes(glb, "m.glb", np.eye(4))
    positions = np.array([[0, 0, 0], [100, 0, 0], [0, 100, 5]], dtype=np.float32)
    tile = container(b"i3dm", {"INSTANCES_LENGTH": 3, "POSITION": {"byteOffset": 0}},
                     positions.tobytes(), _pad(glb, b"\0"), extra=(1,))
    out = decode_bytes(tile, "i.i3dm", np.eye(4))
    assert out.triangles == 3 * model.triangles
    pts = out.meshes[0].points
    n = len(model.meshes[0].points)
    assert np.allclose(pts[n:2 * n] - pts[:n], [100, 0, 0], atol=1e-2)
    assert set(out.meshes[0].features.tolist()) == {0, 1, 2}  # instance id per vertex


def test_cmpt_holds_several_tiles(shared_data):
    pos = np.zeros((2, 3), np.float32)
    pnts = container(b"pnts", {"POINTS_LENGTH": 2, "POSITION": {"byteOffset": 0}},
                     pos.tobytes())
    b3dm = (shared_data / "3d-tiles-samples/1.0/TilesetWithRequestVolume/city/ur.b3dm"
            ).read_bytes()
    inner = pnts + b3dm
    cmpt = struct.pack("<4sIII", b"cmpt", 1, 16 + len(inner), 2) + inner
    out = decode_bytes(cmpt, "c.cmpt", np.eye(4))
    assert len(out.points) == 1 and out.triangles > 0 and len(out.properties) == 10


def test_an_undrawable_extension_is_named_and_the_rest_draws(shared_data, tmp_path):
    src = shared_data / "3d-tiles-samples/glTF/EXT_mesh_features/FeatureIdAttribute"
    doc = json.loads((src / "FeatureIdAttribute.gltf").read_text())
    doc["extensionsUsed"] = [*doc.get("extensionsUsed", []), "KHR_draco_mesh_compression"]
    out = decode_bytes(json.dumps(doc).encode(), str(tmp_path / "x.gltf"), np.eye(4))
    assert out.triangles == 8
    assert len(out.warnings) == 1 and "KHR_draco_mesh_compression" in out.warnings[0]
    assert "x.gltf" in out.warnings[0]


@pytest.fixture
def village(tmp_path):
    v = Village(tmp_path / "village", levels=4, quads=8, texels=8)
    v.write_tileset()
    return v


def test_past_the_budget_the_sse_goes_up_and_memory_does_not(village):
    low = View((0.0, -200.0, 60.0), (0.0, 0.0, 0.0), width=800, height=500)
    # a generous budget: full detail at max_sse, factor 1 (this also writes the tiles)
    rich = read_tileset(village.tileset, budget_mb=64)[0]
    rich.place(None, np.array([820.0, 820.0, 0.0]))
    st2 = Streamer(rich, get=village.get)
    try:
        assert st2.wait(low, 60)
        assert st2.sse_factor == 1.0
    finally:
        st2.close()
    full_bytes, full_level = st2.cache.resident, st2.stats().deepest_level
    # the same view within 0.1 MB
    layer = read_tileset(village.tileset, budget_mb=0.1)[0]
    layer.place(None, np.array([820.0, 820.0, 0.0]))
    st = Streamer(layer, get=village.get)
    try:
        end = time.monotonic() + 20
        while time.monotonic() < end and not (st.sse_factor > 1.0 and st.evicted):
            st.update(low)  # frame after frame at street level
            time.sleep(0.01)
        assert st.sse_factor > 1.0  # refines less than max_sse asks for
        assert st.evicted  # least recently used tiles were dropped on the way
        st.fetcher.close()  # nothing more arrives: the last update's eviction is final
        st.update(low)
        kept = set()
        for t in st.selection.draw:  # drawn tiles and their ancestors are never evicted
            while t is not None:
                kept.add(t)
                t = t.parent
        assert st.cache.resident <= max(st.cache.budget, sum(t.nbytes for t in kept))
        assert st.cache.resident < full_bytes
        assert st.stats().deepest_level <= full_level
    finally:
        st.close()


def test_a_texture_lands_the_right_way_up(tmp_path, artifacts):
    """A quad whose image is red at the top (glTF v = 0) and blue at the bottom, with the
    top row on the north edge: seen from above with north up, red is on top."""
    import trimesh
    from PIL import Image
    from trimesh.visual import TextureVisuals
    from trimesh.visual.material import SimpleMaterial

    from twinviewer.core.scene import View as SceneCamera
    from twinviewer.io.loader import open_scene
    from twinviewer.render import render_image

    img = np.zeros((16, 16, 3), np.uint8)
    img[:8] = (220, 30, 30)
    img[8:] = (30, 30, 220)
    # Z-up corners (x, y) -> glTF Y-up (x, 0, -y). trimesh takes uv with v = 1 at the
    # image's top and writes glTF's v = 0 there: the top row on the north edge
    xy = np.array([[0, 0], [10, 0], [10, 10], [0, 10]], float)
    verts = np.column_stack([xy[:, 0], np.zeros(4), -xy[:, 1]])
    uv = xy / 10.0
    mesh = trimesh.Trimesh(verts, [[0, 1, 2], [0, 2, 3]], process=False,
                           visual=TextureVisuals(uv=uv, material=SimpleMaterial(
                               image=Image.fromarray(img))))
    (tmp_path / "quad.glb").write_bytes(mesh.export(file_type="glb"))
    (tmp_path / "tileset.json").write_text(json.dumps({
        "asset": {"version": "1.1"}, "geometricError": 10,
        "root": {"boundingVolume": {"box": [5, 5, 0, 5, 0, 0, 0, 5, 0, 0, 0, 1]},
                 "geometricError": 0, "content": {"uri": "quad.glb"}}}))
    scene = open_scene([tmp_path / "tileset.json"])
    c = np.array(scene.layers[0].bounds()).reshape(2, 3).mean(axis=0)
    scene.view = SceneCamera(tuple(c + [0, 0, 30]), tuple(c), (0.0, 1.0, 0.0))
    shot = render_image(scene, artifacts / "tiles_texture_north_up.png", (300, 300))
    top, bottom = shot[90, 150, :3].astype(int), shot[210, 150, :3].astype(int)
    assert top[0] > 150 and top[2] < 100, top  # red in the north
    assert bottom[2] > 150 and bottom[0] < 100, bottom  # blue in the south


def test_a_cache_full_of_earlier_views_tiles_does_not_coarsen_the_picture(village):
    a = View((-500.0, -700.0, 60.0), (-500.0, -500.0, 0.0), width=800, height=500)
    b = View((500.0, 300.0, 60.0), (500.0, 500.0, 0.0), width=800, height=500)
    needed = []
    for v in (a, b):  # what each view needs at full detail, alone
        layer = read_tileset(village.tileset, budget_mb=64)[0]
        layer.place(None, np.array([820.0, 820.0, 0.0]))
        st = Streamer(layer, get=village.get)
        try:
            assert st.wait(v, 60)
            needed.append(st.cache.resident)
        finally:
            st.close()
    # room for either view, not for both: flying from a to b fills the cache
    budget = 1.2 * max(needed)
    assert budget < sum(needed)
    layer = read_tileset(village.tileset, budget_mb=budget / 2 ** 20)[0]
    layer.place(None, np.array([820.0, 820.0, 0.0]))
    st = Streamer(layer, get=village.get)
    try:
        assert st.wait(a, 60) and st.wait(b, 60)
        assert st.evicted  # a's tiles made room for b's
        assert st.cache.resident > 0.9 * st.cache.budget  # the cache is full ...
        assert st.sse_factor == 1.0  # ... and b is still drawn at full detail
    finally:
        st.close()
