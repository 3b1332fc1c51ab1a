"""Tilesets through the CLI (info, render --stats/--select/--bookmark) and over HTTP."""

import functools
import json
import os
import socket
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from twinviewer.core.errors import LoadError
from twinviewer.tiles.layer import read_tileset
from twinviewer.tiles.select import View
from twinviewer.tiles.stream import Streamer
from twinviewer.tiles.tile import TileState
from twinviewer.tiles.tileset import Placement

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args, env_extra=None):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "twinviewer", *map(str, args)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=240)


@pytest.fixture
def samples(shared_data):
    return shared_data / "3d-tiles-samples"


@pytest.fixture
def server(samples):
    """A loopback http.server over the samples folder, on a free port."""
    handler = functools.partial(_Quiet, directory=str(samples))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


class _Quiet(SimpleHTTPRequestHandler):
    requests: list[str] = []

    def log_message(self, *args):
        _Quiet.requests.append(self.path)


def independent_counts(path: Path):
    """tiles / contents / depth by walking the JSON, external tilesets followed."""
    def walk(node, base, level):
        uri = (node.get("content") or {}).get("uri", "")
        n, c, d = 1, 0, level
        kids = list(node.get("children", []))
        if uri.endswith(".json"):
            ext = json.loads((base.parent / uri).read_text())["root"]
            kids += ext.get("children", [])
            if (ext.get("content") or {}).get("uri"):
                c += 1
        elif uri:
            c += 1
        for k in kids:
            kn, kc, kd = walk(k, base, level + 1)
            n, c, d = n + kn, c + kc, max(d, kd)
        return n, c, d
    return walk(json.loads(path.read_text())["root"], path, 0)


def test_info_json_matches_an_independent_parse(samples):
    for rel in ("1.0/TilesetWithDiscreteLOD", "1.0/TilesetWithRequestVolume/city"):
        path = samples / rel / "tileset.json"
        res = run_cli("info", "--json", path)
        assert res.returncode == 0, res.stderr
        out = json.loads(res.stdout)
        assert (out["tiles"], out["contents"], out["depth"]) == independent_counts(path)
        assert out["crs"] == "EPSG:32618" and len(out["bounds"]) == 6
    res = run_cli("info", "--json", samples / "1.1/SparseImplicitQuadtree/tileset.json")
    out = json.loads(res.stdout)
    assert (out["tiles"], out["contents"], out["depth"]) == (63, 32, 5)
    assert out["crs"] is None


def test_info_on_a_broken_tileset_is_one_line(tmp_path):
    bad = tmp_path / "tileset.json"
    bad.write_text('{"asset": {"version": "1.0"}, "root": {"geometricError": ')
    res = run_cli("info", bad)
    assert res.returncode != 0
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "tileset.json" in lines[0] and "Traceback" not in res.stderr


def test_render_writes_stats_after_the_tiles_are_in(samples, tmp_path, artifacts):
    out, stats = artifacts / "tiles_render_city.png", tmp_path / "stats.json"
    scene = tmp_path / "scene.toml"
    scene.write_text(f"""version = 1
name = "city"

[[layers]]
source = "{(samples / '1.0/TilesetWithRequestVolume/city/tileset.json').as_posix()}"
kind = "tiles"
max_sse = 8
budget_mb = 64

[[bookmarks]]
name = "above"
position = [0.0, -150.0, 600.0]
focal_point = [0.0, 0.0, 0.0]
""")
    res = run_cli("render", scene, "--out", out, "--size", "800x500", "--stats", stats,
                  "--bookmark", "above")
    assert res.returncode == 0, res.stderr
    figures = json.loads(stats.read_text())["city"]
    assert figures["tiles_drawn"] == 4 and figures["deepest_level"] == 1
    assert 0 < figures["resident_bytes"] < 64 * 2 ** 20
    res = run_cli("render", scene, "--out", out, "--bookmark", "nowhere")
    assert res.returncode != 0 and "nowhere" in res.stderr


def test_streaming_over_http_with_a_disk_cache(server, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    url = f"{server}/1.0/TilesetWithRequestVolume/city/tileset.json"
    layer = read_tileset(url)[0]
    from pyproj import CRS
    layer.place(CRS.from_epsg(32618), np.array([447784.0, 4432657.0, 0.0]))
    st = Streamer(layer)
    try:
        assert st.wait(View((0.0, -300.0, 500.0), (0.0, 0.0, 0.0)), 20)
        assert st.stats().tiles_drawn == 4
    finally:
        st.close()
    cached = list((tmp_path / "cache" / "twinviewer" / "tiles").iterdir())
    assert len(cached) == 5  # the tileset.json and the four b3dm
    _Quiet.requests.clear()
    again = read_tileset(url)[0]  # a second session reads the disk cache
    again.place(CRS.from_epsg(32618), np.zeros(3))
    assert _Quiet.requests == [] and again.root is not None


def test_http_failures_are_one_line(server, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(LoadError, match="unreachable") as err:
        read_tileset(f"http://127.0.0.1:{port}/tileset.json")
    assert "\n" not in str(err.value) and str(port) in str(err.value)
    # the discrete LOD's finest tile is missing on the server: HTTP 404, parent drawn
    layer = read_tileset(f"{server}/1.0/TilesetWithDiscreteLOD/tileset.json")[0]
    layer.place(None, np.zeros(3))
    layer.tree.placement = Placement(None)
    root = layer.root
    c, r = root.bounds.center, root.bounds.radius
    st = Streamer(layer)
    try:
        st.wait(View(tuple(c + np.array([0.0, -0.3 * r, 0.3 * r])), tuple(c)), 20)
    finally:
        st.close()
    finest = root.children[0].children[0]
    assert finest.state is TileState.FAILED and "404" in finest.error
    assert "dragon_high.b3dm" in finest.error
    assert root.children[0].state is TileState.LOADED


def test_a_scene_file_names_a_tileset_by_url(server, tmp_path, monkeypatch):
    from twinviewer.io.loader import open_scene

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    scene_file = tmp_path / "web.toml"
    scene_file.write_text(f"""version = 1
name = "web"

[[layers]]
source = "{server}/1.0/TilesetWithRequestVolume/city/tileset.json"
kind = "tiles"
name = "城市"
""", encoding="utf-8")
    scene = open_scene([scene_file])
    assert scene.errors == []
    layer = scene.layer("城市")
    assert layer.kind == "tiles" and layer.uri.startswith("http://127.0.0.1:")
    assert scene.crs.to_epsg() == 32618 and layer.root is not None
