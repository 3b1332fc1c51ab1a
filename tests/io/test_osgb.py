"""OSGB (ContextCapture) to 3D Tiles: structure, georeferencing, bad input, resuming.

The pyramid is written by the tests (osgt text, converted with osgconv); the tileset is
checked by parsing its JSON and its glb files (pygltflib) here, and the vertices
against the written ones placed with pyproj independently.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pygltflib
import pytest
from pyproj import CRS, Transformer

from tests.io.osgb_pyramid import write_pyramid
from twinviewer.core.errors import LoadError
from twinviewer.io.osgb_convert import convert_osgb
from twinviewer.io.registry import kind_of

pytestmark = pytest.mark.skipif(shutil.which("osgconv") is None,
                                reason="osgconv (openscenegraph) not installed")

ORIGIN_4549 = (500000.0, 3400000.0, 15.0)


def walk(tile: dict, parent: np.ndarray, level: int = 0):
    """(tile, absolute 4x4 matrix, level) of every tile, the transforms composed."""
    m = parent @ np.asarray(tile.get("transform", np.eye(4).ravel()), float).reshape(4, 4).T
    yield tile, m, level
    for kid in tile.get("children", []):
        yield from walk(kid, m, level + 1)


def glb_positions(path: Path) -> tuple[np.ndarray, bool, bool]:
    """Every POSITION of a glb in the tile frame (glTF y-up turned z-up), and whether
    it has texture coordinates and an image."""
    g = pygltflib.GLTF2().load(str(path))
    blob = g.binary_blob()
    out, uv = [], False
    for mesh_index, mesh in enumerate(g.meshes):
        node_m = np.eye(4)
        for node in g.nodes:
            if node.mesh == mesh_index and node.matrix:
                node_m = np.asarray(node.matrix, float).reshape(4, 4).T
        for prim in mesh.primitives:
            acc = g.accessors[prim.attributes.POSITION]
            view = g.bufferViews[acc.bufferView]
            start = (view.byteOffset or 0) + (acc.byteOffset or 0)
            stride = view.byteStride or 12
            raw = np.frombuffer(blob, dtype=np.uint8, count=stride * acc.count, offset=start)
            pts = np.ndarray((acc.count, 3), np.float32, raw, 0, (stride, 4)).astype(float)
            pts = pts @ node_m[:3, :3].T + node_m[:3, 3]
            out.append(np.column_stack([pts[:, 0], -pts[:, 2], pts[:, 1]]))  # y-up -> z-up
            uv |= prim.attributes.TEXCOORD_0 is not None
    return np.concatenate(out), uv, bool(g.images)


def check_tileset(out: Path, pyr, to_ecef) -> dict:
    doc = json.loads((out / "tileset.json").read_text(encoding="utf-8"))
    assert doc["asset"]["version"] in ("1.0", "1.1")
    tiles = list(walk(doc["root"], np.eye(4)))
    seen = {}
    for tile, m, level in tiles:
        for kid in tile.get("children", []):
            assert kid["geometricError"] <= tile["geometricError"]
        if "children" not in tile:
            assert tile["geometricError"] == 0.0
        if "content" not in tile:
            continue
        key = tile["extras"]["osgb"]
        local, has_uv, has_image = glb_positions(out / tile["content"]["uri"])
        assert has_uv and has_image, key
        ecef = local @ m[:3, :3].T + m[:3, 3]
        want = to_ecef(pyr.vertices[key] + np.asarray(pyr_origin(out)))
        assert len(ecef) >= len(want)
        np.testing.assert_allclose(ecef.min(axis=0), want.min(axis=0), atol=2e-3)
        np.testing.assert_allclose(ecef.max(axis=0), want.max(axis=0), atol=2e-3)
        # the box of the tile holds its content
        box = np.asarray(tile["boundingVolume"]["box"])
        centre = box[:3]
        half = np.abs(box[3:].reshape(3, 3)).sum(axis=0)
        tile_frame = (ecef - m[:3, 3]) @ m[:3, :3]
        assert np.all(tile_frame >= centre - half - 1e-3)
        assert np.all(tile_frame <= centre + half + 1e-3)
        seen[key] = level
    return {"doc": doc, "levels": seen, "tiles": len(tiles),
            "depth": max(lv for _, _, lv in tiles)}


_ORIGINS: dict[str, tuple] = {}


def pyr_origin(out: Path):
    return _ORIGINS[str(out)]


def test_epsg4549_pyramid(tmp_path):
    pyr = write_pyramid(tmp_path / "cc", "EPSG:4549", ORIGIN_4549)
    out = tmp_path / "tiles"
    _ORIGINS[str(out)] = ORIGIN_4549
    result = convert_osgb(pyr.folder, out, workers=2)
    t = Transformer.from_crs(CRS("EPSG:4549").to_3d(), "EPSG:4978", always_xy=True)
    got = check_tileset(out, pyr, lambda p: np.column_stack(t.transform(*p.T)))
    assert set(got["levels"]) == set(pyr.vertices)  # every node of every file is a tile
    assert got["levels"]["Tile_+000_+000/Tile_+000_+000.osgb#0"] == 1
    assert got["levels"]["Tile_+000_+000/Tile_+000_+000_L2_1.osgb#0"] == 3
    assert (result.tiles, result.contents, result.depth) == (got["tiles"], 10, got["depth"])
    assert result.depth == 3 and result.crs == "EPSG:4549" and not result.warnings
    allv = np.concatenate(list(pyr.vertices.values())) + ORIGIN_4549
    np.testing.assert_allclose(result.bounds, [*allv.min(axis=0), *allv.max(axis=0)],
                               atol=1e-4)


def test_enu_pyramid(tmp_path):
    pyr = write_pyramid(tmp_path / "cc", "ENU:30.52,120.31", (0, 0, 0), tiles=1)
    out = tmp_path / "tiles"
    _ORIGINS[str(out)] = (0, 0, 0)
    result = convert_osgb(pyr.folder, out)
    topo = Transformer.from_pipeline(
        "+proj=topocentric +ellps=WGS84 +lat_0=30.52 +lon_0=120.31 +h_0=0")
    got = check_tileset(out, pyr, lambda p: np.column_stack(
        topo.transform(*p.T, direction="INVERSE")))
    assert len(got["levels"]) == 5 and result.crs == "ENU:30.52,120.31"


def test_missing_child_keeps_parent(tmp_path):
    pyr = write_pyramid(tmp_path / "cc", "EPSG:4549", ORIGIN_4549, tiles=1, missing_child=True)
    result = convert_osgb(pyr.folder, tmp_path / "tiles")
    assert len(result.warnings) == 1
    assert "Tile_+000_+000_L2_1.osgb" in result.warnings[0]
    assert "\n" not in result.warnings[0]
    doc = json.loads((tmp_path / "tiles" / "tileset.json").read_text())
    by_key = {t["extras"]["osgb"]: t for t, _, _ in walk(doc["root"], np.eye(4))
              if "extras" in t}
    parent = by_key["Tile_+000_+000/Tile_+000_+000_L1.osgb#1"]
    assert "children" not in parent  # a leaf: the traversal keeps drawing it
    assert parent["extras"]["osgb_missing_children"] == ["Tile_+000_+000/Tile_+000_+000_L2_1.osgb"]
    assert "children" in by_key["Tile_+000_+000/Tile_+000_+000_L1.osgb#0"]
    assert result.contents == 4


def test_broken_child_is_one_warning(tmp_path):
    pyr = write_pyramid(tmp_path / "cc", "EPSG:4549", ORIGIN_4549, tiles=1, broken_child=True)
    result = convert_osgb(pyr.folder, tmp_path / "tiles")
    assert len(result.warnings) == 1 and "\n" not in result.warnings[0]
    assert "Tile_+000_+000_L2_1.osgb" in result.warnings[0]
    assert result.contents == 4


def test_resumes_and_skips_what_is_done(tmp_path):
    pyr = write_pyramid(tmp_path / "cc", "EPSG:4549", ORIGIN_4549, tiles=1)
    out = tmp_path / "tiles"
    first = convert_osgb(pyr.folder, out)
    assert first.converted == 4
    again = convert_osgb(pyr.folder, out)
    assert again.converted == 0 and again.tiles == first.tiles
    # an interrupted run: one glb gone, a half-written manifest line
    doc = json.loads((out / "tileset.json").read_text())
    leaf = next(t for t, _, _ in walk(doc["root"], np.eye(4))
                if t.get("extras", {}).get("osgb", "").endswith("_L2_0.osgb#0"))
    (out / leaf["content"]["uri"]).unlink()
    with open(out / "manifest.jsonl", "a") as fh:
        fh.write('{"file": "Tile_+000_+000/Tile_+00')
    resumed = convert_osgb(pyr.folder, out)
    assert resumed.converted == 1 and resumed.contents == first.contents
    assert (out / leaf["content"]["uri"]).is_file()


def test_bad_folders(tmp_path):
    (tmp_path / "empty" / "Data").mkdir(parents=True)
    with pytest.raises(LoadError) as err:
        convert_osgb(tmp_path / "empty", tmp_path / "o1")
    assert "metadata.xml" in err.value.message and "empty" in err.value.message
    pyr = write_pyramid(tmp_path / "cc", "EPSG:999999", tiles=1)
    with pytest.raises(LoadError) as err:
        convert_osgb(pyr.folder, tmp_path / "o2")
    assert "metadata.xml" in err.value.message and "EPSG:999999" in err.value.message
    # a folder whose only tile is not OSGB at all
    bad = tmp_path / "bad"
    (bad / "Data" / "Tile_+000_+000").mkdir(parents=True)
    shutil.copy(pyr.folder / "metadata.xml", bad / "metadata.xml")
    (bad / "Data" / "Tile_+000_+000" / "Tile_+000_+000.osgb").write_bytes(b"not osgb")
    (bad / "metadata.xml").write_text((bad / "metadata.xml").read_text().replace(
        "EPSG:999999", "EPSG:4549"))
    with pytest.raises(LoadError) as err:
        convert_osgb(bad, tmp_path / "o3")
    assert "Tile_+000_+000.osgb" in err.value.message and "\n" not in err.value.message


def run_cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "twinviewer", *args], capture_output=True,
                          text=True, env=env, check=False)


def test_cli_convert_and_info(tmp_path, monkeypatch):
    import os
    pyr = write_pyramid(tmp_path / "cc", "EPSG:4549", ORIGIN_4549, tiles=1,
                        missing_child=True)
    assert kind_of(pyr.folder) == "osgb"
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache"),
               PYTHONPATH=str(Path(__file__).parents[2]))
    done = run_cli("tiles", "convert", str(pyr.folder), "--out", str(tmp_path / "t"), env=env)
    assert done.returncode == 0, done.stderr
    assert "[3/3]" in done.stderr and "L2_1.osgb" in done.stderr
    info = run_cli("info", str(pyr.folder), "--json", env=env)
    assert info.returncode == 0, info.stderr
    got = json.loads(info.stdout)
    assert {"tiles", "contents", "depth", "bounds", "crs"} <= set(got)
    assert (got["tiles"], got["contents"], got["depth"], got["crs"]) == (5, 4, 3, "EPSG:4549")
    assert (tmp_path / "cache" / "twinviewer" / "osgb").is_dir()
    bad = run_cli("tiles", "convert", str(tmp_path), "--out", str(tmp_path / "x"), env=env)
    assert bad.returncode == 2
    lines = bad.stderr.strip().splitlines()
    assert len(lines) == 1 and "metadata.xml" in lines[0] and str(tmp_path) in lines[0]
    (pyr.folder / "metadata.xml").unlink()
    bad = run_cli("info", str(pyr.folder), env=env)
    lines = bad.stderr.strip().splitlines()
    assert bad.returncode == 2 and len(lines) == 1 and "metadata.xml" in lines[0]


def test_child_copied_in_later_is_converted(tmp_path):
    full = write_pyramid(tmp_path / "full", "EPSG:4549", ORIGIN_4549, tiles=1)
    part = write_pyramid(tmp_path / "part", "EPSG:4549", ORIGIN_4549, tiles=1,
                         missing_child=True)
    out = tmp_path / "tiles"
    first = convert_osgb(part.folder, out)
    assert first.contents == 4 and first.warnings
    rel = "Data/Tile_+000_+000/Tile_+000_+000_L2_1.osgb"
    shutil.copy(full.folder / rel, part.folder / rel)
    second = convert_osgb(part.folder, out)
    assert second.converted == 1 and second.contents == 5 and not second.warnings


def test_osgb_layer_kind_reads_through_the_tiles_reader(tmp_path):
    from twinviewer.io.registry import reader_for

    pyr = write_pyramid(tmp_path / "cc", "ENU:30.5,120.2", tiles=1)
    reader = reader_for(pyr.folder)
    assert reader.kind == "osgb"
    cache = tmp_path / "cache"
    layers = reader.read(pyr.folder, {"cache": str(cache)})  # a converted scan: a tiles layer
    assert len(layers) == 1 and layers[0].kind == "tiles"
    assert layers[0].source == str(pyr.folder)
    assert (cache / "tileset.json").is_file()


def test_scene_file_with_an_osgb_layer(tmp_path):
    from twinviewer.io.loader import load
    from twinviewer.io.scene_file import read_scene_file

    write_pyramid(tmp_path / "scan", "EPSG:4549", ORIGIN_4549, tiles=1)
    demo = Path(__file__).parents[2] / "scenes" / "demo" / "district.gpkg"
    (tmp_path / "scene.toml").write_text(f"""version = 1
crs = "EPSG:4549"

[[layers]]
name = "倾斜摄影"
kind = "osgb"
source = "scan"
cache = "{(tmp_path / 'cache').as_posix()}"

[[layers]]
name = "建筑"
source = "{demo.as_posix()}"
table = "buildings"
""", encoding="utf-8")
    steps = []
    result = load(read_scene_file(tmp_path / "scene.toml"), progress=lambda f, m: steps.append(m))
    assert "建筑" in [layer.name for layer in result.layers]  # the other layer stays
    assert steps.count("倾斜摄影") > 3  # the conversion's progress reached the loader
    assert (tmp_path / "cache" / "tileset.json").is_file()
    assert result.errors == []
    assert "倾斜摄影" in [layer.name for layer in result.layers]
