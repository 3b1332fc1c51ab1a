"""The ``twinviewer`` command as a user runs it: real processes, real files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pyogrio
import pytest
from PIL import Image

from tests.conftest import DEMO_SCENE

VECTOR_FILES = [
    "fiona-testdata/coutwildrnp.shp",
    "fiona-testdata/gre.shp",
    "fiona-testdata/grenada.geojson",
    "fiona-testdata/rmnp.geojson",
    "fiona-testdata/test_tz.geojson",
    "nts-shapefile-tests/chinese_encoding.shp",
    "nts-shapefile-tests/Victoria North.shp",
    "nts-shapefile-tests/AllNulls.shp",
    "nts-shapefile-tests/__emptyShapefile.shp",
    "nts-shapefile-tests/with_M.shp",
    "pyogrio-fixtures/curve.gpkg",
    "pyogrio-fixtures/line_zm.gpkg",
    "pyogrio-fixtures/test_gpkg_nulls.gpkg",
    "pyogrio-fixtures/naturalearth_lowres/naturalearth_lowres.shp",
    "pyogrio-fixtures/sample.osm.pbf",
]


def run(*args, env=None, timeout=300):
    return subprocess.run([sys.executable, "-m", "twinviewer", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def assert_clean_error(proc, name):
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("twinviewer:")]
    assert len(lines) == 1, proc.stderr
    assert name in lines[0]


@pytest.mark.parametrize("rel", VECTOR_FILES)
def test_info_json_counts_vector_files(shared_data, rel):
    path = shared_data / rel
    pyogrio.set_gdal_config_options({"OSM_USE_CUSTOM_INDEXING": "NO"})
    proc = run("info", path, "--json")
    assert proc.returncode == 0, proc.stderr
    info = json.loads(proc.stdout)
    # independent oracle: GDAL's own feature count per layer
    expected = {str(name): pyogrio.read_info(path, layer=str(name),
                                              force_feature_count=True)["features"]
                for name, _ in pyogrio.list_layers(path)} if path.suffix != ".shp" or \
        path.with_suffix(".shx").exists() else None
    if expected is not None:
        assert info["objects"] == sum(expected.values())
        assert sorted(lyr["objects"] for lyr in info["layers"]) == sorted(expected.values())
    assert sum(info["classes"].values()) == info["objects"]
    for lyr in info["layers"]:
        assert {"name", "kind", "crs", "objects", "classes", "bounds"} <= set(lyr)
        assert lyr["kind"] == "vector"
        if lyr["objects"] and lyr["bounds"] is not None:
            assert lyr["bounds"][0] <= lyr["bounds"][3]


def test_info_json_chinese_shapefile_is_decoded(shared_data):
    proc = run("info", shared_data / "nts-shapefile-tests/chinese_encoding.shp", "--json")
    info = json.loads(proc.stdout)
    assert info["objects"] == 78
    assert info["layers"][0]["crs"] is None  # the file has no .prj: said, not invented


def _cityjson_files(shared_data: Path):
    out = []
    for p in sorted(shared_data.rglob("*")):
        if not p.is_file() or p.name in ("case.json", "invariants.json"):
            continue
        if p.suffix not in (".json", ".jsonl"):
            continue
        text = p.read_text(encoding="utf-8", errors="replace")
        if '"CityJSON' in text[:4096] and "invalid" not in p.parts:
            out.append(p)
    return out


def _docs(path: Path) -> list[dict]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".jsonl":
        try:
            return [json.loads(line) for line in text.splitlines() if line.strip()]
        except json.JSONDecodeError:
            return [json.loads(text)]  # one pretty-printed feature under a .jsonl name
    return [json.loads(text)]


def _max_index(boundaries) -> int:
    if isinstance(boundaries, list):
        return max((_max_index(b) for b in boundaries), default=-1)
    return boundaries if isinstance(boundaries, int) else -1


def _damage(docs: list[dict]) -> str | None:
    """Independent check of what makes a file unreadable: a bad type or a dangling index."""
    for doc in docs:
        if doc.get("type") not in ("CityJSON", "CityJSONFeature"):
            return "type"
        nverts = len(doc.get("vertices") or [])
        for obj in (doc.get("CityObjects") or {}).values():
            for geom in obj.get("geometry") or []:
                if geom.get("type") != "GeometryInstance" and \
                        _max_index(geom.get("boundaries")) >= nverts:
                    return "vertex index"
    return None


def test_info_json_counts_every_cityjson_file(shared_data):
    files = _cityjson_files(shared_data)
    assert len(files) > 30
    damaged = 0
    for path in files:
        docs = _docs(path)
        proc = run("info", path, "--json")
        if _damage(docs):
            damaged += 1
            assert_clean_error(proc, path.name)
            continue
        assert proc.returncode == 0, (path, proc.stderr)
        info = json.loads(proc.stdout)
        expected = Counter(obj["type"] for doc in docs
                           for obj in (doc.get("CityObjects") or {}).values())
        assert info["objects"] == sum(expected.values()), path
        assert Counter(info["classes"]) == expected, path
        assert info["layers"][0]["kind"] == "cityjson"
    assert damaged <= 3  # cjval's deliberately broken o.json and cube_20.jsonl


def test_info_text_lists_layers_of_the_demo_scene():
    proc = run("info", DEMO_SCENE)
    assert proc.returncode == 0, proc.stderr
    assert "建筑" in proc.stdout and "objects" in proc.stdout


def test_info_json_of_demo_scene_matches_geopackage():
    proc = run("info", DEMO_SCENE, "--json")
    info = json.loads(proc.stdout)
    gpkg = DEMO_SCENE.parent / "district.gpkg"
    total = sum(pyogrio.read_info(gpkg, layer=str(n))["features"]
                for n, _ in pyogrio.list_layers(gpkg)
                if not str(n).startswith("twinviewer_"))  # the store's own tables (cases)
    assert info["objects"] == total
    assert len(info["classes"]) >= 8
    assert all(lyr["crs"] == "EPSG:32651" for lyr in info["layers"])


def test_render_writes_a_picture_without_display(tmp_path):
    out = tmp_path / "演示 district.png"
    env = {"DISPLAY": ""}
    proc = run("render", DEMO_SCENE, "--out", out, "--size", "640x400", env=env)
    assert proc.returncode == 0, proc.stderr
    img = np.asarray(Image.open(out))
    assert img.shape[:2] == (400, 640)
    assert img[..., :3].std() > 10


@pytest.mark.parametrize("content,name,problem", [
    (None, "missing.gpkg", "not found"),
    (b"\x00\x01garbage" * 50, "garbage.gpkg", ""),
    (b'{"type": "FeatureCollection", "features": [', "broken.geojson", ""),
    (b"", "empty.geojson", "empty"),
    (b"solid x\nfacet normal 0 0 1\n outer loop\n", "truncated.stl", ""),
    (b'{"type": "CityJSON", "version": "2.0", "CityObjects": {"a": {}}, "vertices": []}',
     "notype.city.json", ""),
])
def test_bad_input_one_line_exit_2(tmp_path, content, name, problem):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    proc = run("info", path)
    assert_clean_error(proc, name)
    assert problem in proc.stderr


def test_scene_with_typo_names_the_key(tmp_path):
    scene = tmp_path / "scene.toml"
    scene.write_text('version = 1\ncrs = "EPSG:32651"\n[[layers]]\nsource = "x.gpkg"\n'
                     'opactiy = 0.5\n', encoding="utf-8")
    proc = run("info", scene)
    assert_clean_error(proc, "scene.toml")
    assert "opactiy" in proc.stderr and "opacity" in proc.stderr


def test_scene_with_unknown_crs(tmp_path):
    scene = tmp_path / "scene.toml"
    scene.write_text('version = 1\ncrs = "EPSG:999999"\n', encoding="utf-8")
    proc = run("render", scene, "--out", tmp_path / "x.png")
    assert_clean_error(proc, "scene.toml")
    assert "CRS" in proc.stderr


def test_scene_syntax_error_names_line(tmp_path):
    scene = tmp_path / "场景.toml"
    scene.write_text('version = 1\nname = "unterminated\n', encoding="utf-8")
    proc = run("info", scene)
    assert_clean_error(proc, "场景.toml")
    assert "line 2" in proc.stderr


def test_scene_with_one_bad_layer_still_renders_others(tmp_path, shared_data):
    scene = tmp_path / "scene.toml"
    good = shared_data / "fiona-testdata" / "gre.shp"
    scene.write_text(f'version = 1\n[[layers]]\nsource = "{good.as_posix()}"\n'
                     '[[layers]]\nsource = "nope.geojson"\n', encoding="utf-8")
    out = tmp_path / "out.png"
    proc = run("render", scene, "--out", out, "--size", "320x200")
    assert proc.returncode == 2
    assert "nope.geojson" in proc.stderr and "Traceback" not in proc.stderr
    assert out.exists()


def test_unknown_command_line_option_is_one_line():
    proc = run("render")  # --out is required (the paths default to the demo)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "--out" in proc.stderr


def test_info_without_a_path_describes_the_demo():
    proc = run("info", "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["path"] == str(DEMO_SCENE)
