"""A scan's own features (b3dm batch tables, EXT_structural_metadata property tables)
become rows of its tiles layer as tiles stream in; checked against the files parsed here
independently (struct + json over the bytes, per the 3D Tiles and glTF specs)."""

import base64
import json
import struct

import numpy as np
import pytest

from twinviewer.io.loader import open_scene
from twinviewer.tiles.decode import decode_content
from twinviewer.tiles.select import View
from twinviewer.tiles.stream import Streamer


@pytest.fixture
def samples(shared_data):
    return shared_data / "3d-tiles-samples"


def view_of(layer, back=1.5, up=2.5):
    b = layer.root.bounds
    c, r = b.center, b.radius
    return View(tuple(c + np.array([0.0, -back * r, up * r])), tuple(c))


def streamed(path):
    layer = open_scene([path]).layers[0]
    added = []
    layer.rows_added.connect(added.append)
    st = Streamer(layer)
    try:
        assert st.wait(view_of(layer), 20)
    finally:
        st.close()
    return layer, added


def b3dm_batch_table(path):
    """The batch table JSON of a b3dm (the oracle: header, feature table, batch table)."""
    data = path.read_bytes()
    magic, _version, _length, ftj, ftb, btj, _btb = struct.unpack_from("<4s6I", data, 0)
    assert magic == b"b3dm"
    start = 28 + ftj + ftb
    feature_table = json.loads(data[28:28 + ftj])
    return feature_table["BATCH_LENGTH"], json.loads(data[start:start + btj])


def props_of(layer, row):
    out = layer.table.row(row)
    out.pop("oid")
    return out


def test_city_batch_tables_become_rows(samples):
    folder = samples / "1.0/TilesetWithRequestVolume/city"
    layer, added = streamed(folder / "tileset.json")
    tiles = [t for t in layer.root.walk() if t.data is not None]
    assert len(tiles) == 4
    expected = 0
    for tile in tiles:
        uri = tile.content.uris[0]
        count, table = b3dm_batch_table(folder / uri.rsplit("/", 1)[-1])
        expected += count
        for fid in range(count):
            row = layer.features.row_of((uri, fid))
            assert row >= 0
            assert props_of(layer, row) == {k: v[fid] for k, v in table.items()}
        # every vertex carries its feature's row: the renderer tints and picks by it
        for part in tile.data.meshes:
            want = [layer.features.row_of((uri, int(f))) for f in part.features]
            assert part.rows.tolist() == want
            box = layer.row_bounds([part.rows[0]])
            pts = part.points[part.rows == part.rows[0]]
            assert box[:3] == pytest.approx(pts.min(axis=0), abs=1e-4)
    # the batch table's "id" is just the batch index (0..9 in every tile): not a stable
    # id, so the four tiles' buildings stay 40 rows
    assert len(layer) == expected == 40
    assert added and added[0] == 0 and len(added) <= 4  # once per frame, not per row
    assert np.isfinite(layer.object_centers()).all() and layer.object_centers().shape == (40, 3)


def test_property_table_features_become_rows(samples):
    folder = samples / "glTF/EXT_structural_metadata/FeatureIdAttributeAndPropertyTable"
    layer, _ = streamed(folder / "tileset.json")
    # the oracle: the property table's VEC3 FLOAT32 values out of the buffer it names
    doc = json.loads((folder / "FeatureIdAttributeAndPropertyTable.gltf").read_text())
    table = doc["extensions"]["EXT_structural_metadata"]["propertyTables"][0]
    view = doc["bufferViews"][table["properties"]["example_VEC3_FLOAT32"]["values"]]
    buf = base64.b64decode(doc["buffers"][view["buffer"]]["uri"].split(",", 1)[1])
    values = np.frombuffer(buf, "<f4", table["count"] * 3,
                           view.get("byteOffset", 0)).reshape(-1, 3)
    assert len(layer) == table["count"] == 4
    uri = layer.root.content.uris[0]
    for fid, vec in enumerate(values):
        row = layer.features.row_of((uri, fid))
        got = props_of(layer, row)
        assert [got[f"example_VEC3_FLOAT32[{i}]"] for i in range(3)] == \
            pytest.approx(vec.tolist())


def _with_ids(src, dst, ids):
    """A copy of a b3dm whose batch table gains a ``gml_id`` column."""
    data = bytearray(src.read_bytes())
    magic, version, length, ftj, ftb, btj, btb = struct.unpack_from("<4s6I", data, 0)
    start = 28 + ftj + ftb
    table = json.loads(data[start:start + btj])
    table["gml_id"] = ids
    js = json.dumps(table).encode()
    js += b" " * ((-(start + len(js))) % 8)
    out = data[:start] + js + data[start + btj:]
    struct.pack_into("<4s6I", out, 0, magic, version, len(out), ftj, ftb, len(js), btb)
    dst.write_bytes(bytes(out))


def _two_lods(samples, tmp_path, ids):
    city = samples / "1.0/TilesetWithRequestVolume/city"
    for name in ("coarse", "fine"):
        if ids is None:
            (tmp_path / f"{name}.b3dm").write_bytes((city / "ll.b3dm").read_bytes())
        else:
            _with_ids(city / "ll.b3dm", tmp_path / f"{name}.b3dm", ids)
    doc = json.loads((city / "tileset.json").read_text())
    child = doc["root"]["children"][0]
    child["content"]["uri"] = "fine.b3dm"
    doc["root"] = {"boundingVolume": child["boundingVolume"], "geometricError": 70,
                   "refine": "REPLACE", "content": {"uri": "coarse.b3dm"},
                   "children": [child]}
    (tmp_path / "tileset.json").write_text(json.dumps(doc))
    layer = open_scene([tmp_path / "tileset.json"]).layers[0]
    tiles = list(layer.root.walk(expand=True))
    assert len(tiles) == 2
    for tile in tiles:
        tile.data = decode_content(tile.content)
        layer.add_features(tile)
    layer.commit_features()
    return layer


def test_a_stable_id_makes_one_row_across_levels_of_detail(samples, tmp_path):
    ids = [f"bldg-{i:02d}" for i in range(10)]
    (tmp_path / "ids").mkdir()
    layer = _two_lods(samples, tmp_path / "ids", ids)
    assert len(layer) == 10
    assert layer.table.column("gml_id").tolist() == ids
    coarse, fine = layer.root, layer.root.children[0]
    for a, b in zip(coarse.data.meshes, fine.data.meshes, strict=True):
        assert a.rows.tolist() == b.rows.tolist()
    # without such an id each level's copy of a building is its own row
    (tmp_path / "plain").mkdir()
    assert len(_two_lods(samples, tmp_path / "plain", None)) == 20
    # an id that repeats within a tile identifies nothing
    (tmp_path / "dup").mkdir()
    assert len(_two_lods(samples, tmp_path / "dup", ["x"] * 10)) == 20


def test_info_counts_the_features_from_headers(samples, tmp_path):
    from twinviewer.cli_tiles import describe_tileset
    from twinviewer.tiles.features import count_in_file

    for rel, rows in (("1.0/TilesetWithRequestVolume/city", 40),
                      ("glTF/EXT_structural_metadata/FeatureIdAttributeAndPropertyTable", 4),
                      ("glTF/EXT_mesh_features/FeatureIdAttribute", 0)):  # ids, no table
        path = samples / rel / "tileset.json"
        assert describe_tileset(str(path))["features"] == rows
        assert len(streamed(path)[0]) == rows
    # a cmpt of two b3dm: their batch lengths summed; not a tile: None
    b3dm = (samples / "1.0/TilesetWithRequestVolume/city/ll.b3dm").read_bytes()
    cmpt = tmp_path / "two.cmpt"
    cmpt.write_bytes(struct.pack("<4s3I", b"cmpt", 1, 16 + 2 * len(b3dm), 2) + b3dm * 2)
    assert count_in_file(str(cmpt)) == 2 * b3dm_batch_table(
        samples / "1.0/TilesetWithRequestVolume/city/ll.b3dm")[0]
    (tmp_path / "junk.bin").write_bytes(b"nonsense")
    assert count_in_file(str(tmp_path / "junk.bin")) is None
    # the dragons have no batch tables; the missing finest tile counts nothing
    assert describe_tileset(str(samples / "1.0/TilesetWithDiscreteLOD"))["features"] == 0
