"""Offline basemaps: MBTiles (TMS rows) and XYZ folders through morecantile, gaps, GCJ-02."""

from __future__ import annotations

import io
import sqlite3

import morecantile
import numpy as np
import pytest
from PIL import Image

from twinviewer.core.errors import LoadError
from twinviewer.io.basemap import read_basemap, tile_matrix_set
from twinviewer.io.loader import load, spec_for
from twinviewer.io.registry import kind_of

TMS = morecantile.tms.get("WebMercatorQuad")
LON, LAT = 121.43, 31.17  # Xuhui, Shanghai


def _png(colour) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (256, 256), colour).save(buf, "PNG")
    return buf.getvalue()


def _colour(z, x, y):
    """A colour that says which tile it is: the test's oracle."""
    return (40 + 10 * (z % 10), (x * 37) % 256, (y * 53) % 256)


def _tiles(zooms, radius=1):
    for z in zooms:
        t = TMS.tile(LON, LAT, z)
        for x in range(t.x - radius, t.x + radius + 1):
            for y in range(t.y - radius, t.y + radius + 1):
                yield z, x, y


def write_mbtiles(path, zooms=(14, 15, 16), declared=(14, 16)):
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
    con.execute("CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, "
                "tile_row INTEGER, tile_data BLOB)")
    con.executemany("INSERT INTO metadata VALUES (?, ?)", [
        ("name", "test"), ("format", "png"), ("minzoom", str(declared[0])),
        ("maxzoom", str(declared[1])),
        ("bounds", f"{LON - 0.02},{LAT - 0.02},{LON + 0.02},{LAT + 0.02}")])
    for z, x, y in _tiles(zooms):
        con.execute("INSERT INTO tiles VALUES (?, ?, ?, ?)",
                    (z, x, (1 << z) - 1 - y, _png(_colour(z, x, y))))  # TMS row order
    con.commit()
    con.close()
    return path


def write_xyz(folder, zooms=(15,)):
    for z, x, y in _tiles(zooms):
        f = folder / str(z) / str(x) / f"{y}.png"
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_bytes(_png(_colour(z, x, y)))
    return folder


def _tile_centre_3857(z, x, y):
    b = TMS.xy_bounds(morecantile.Tile(x, y, z))
    return (b.left + b.right) / 2, (b.bottom + b.top) / 2, b


def test_mbtiles_rows_are_read_in_tms_order(tmp_path):
    layer = read_basemap(write_mbtiles(tmp_path / "base.mbtiles"))[0]
    assert layer.role == "imagery" and layer.kind == "basemap"
    t = TMS.tile(LON, LAT, 16)
    cx, cy, b = _tile_centre_3857(16, t.x, t.y)
    size = (b.right - b.left) / 8
    rgb = layer.raster.read((cx - size, cy - size, cx + size, cy + size), (64, 64),
                            "EPSG:3857")  # 64 cells over a quarter tile: zoom 16's cells
    assert tuple(rgb[:, 32, 32].round().astype(int)) == _colour(16, t.x, t.y)
    coarse = layer.raster.read((cx - size, cy - size, cx + size, cy + size), (8, 8),
                               "EPSG:3857")  # 8 cells: zoom 14 is fine enough
    assert tuple(coarse[:, 4, 4].round().astype(int)) == _colour(14, t.x // 4, t.y // 4)
    # the tile north of it (y - 1) is where the north is
    north = layer.raster.read((cx - size, b.top + size, cx + size, b.top + 3 * size),
                              (64, 64), "EPSG:3857")
    assert tuple(north[:, 32, 32].round().astype(int)) == _colour(16, t.x, t.y - 1)


def test_xyz_folder_and_kind_by_name(tmp_path):
    folder = write_xyz(tmp_path / "tiles")
    assert kind_of(folder) == "basemap"
    assert kind_of(tmp_path / "a.mbtiles") == "basemap"
    layer = read_basemap(folder)[0]
    t = TMS.tile(LON, LAT, 15)
    cx, cy, b = _tile_centre_3857(15, t.x, t.y)
    rgb = layer.raster.read((cx - 50, cy - 50, cx + 50, cy + 50), (64, 64), "EPSG:3857")
    assert tuple(rgb[:, 32, 32].round().astype(int)) == _colour(15, t.x, t.y)


def test_missing_zoom_levels_are_said_and_coarser_tiles_stand_in(tmp_path):
    path = write_mbtiles(tmp_path / "gaps.mbtiles", zooms=(14, 16), declared=(14, 17))
    layer = read_basemap(path)[0]
    assert any("15, 17" in w for w in layer.warnings)
    # a view wanting zoom 15 gets zoom 14's tile, not a hole
    t = TMS.tile(LON, LAT, 14)
    cx, cy, b = _tile_centre_3857(14, t.x, t.y)
    cell15 = TMS.matrix(15).cellSize
    rgb = layer.raster.read((cx - 64 * cell15, cy - 64 * cell15, cx + 64 * cell15,
                             cy + 64 * cell15), (128, 128), "EPSG:3857")
    assert not np.isnan(rgb).any()


def test_a_scene_drapes_the_basemap_in_a_projected_crs_with_the_gcj_warning(tmp_path):
    write_mbtiles(tmp_path / "base.mbtiles")
    (tmp_path / "scene.toml").write_text(
        'version = 1\ncrs = "EPSG:4549"\n[[layers]]\nsource = "base.mbtiles"\n', "utf-8")
    result = load(spec_for([tmp_path / "scene.toml"]))
    assert not result.errors, result.errors
    layer = result.layers[0]
    assert any("gcj02" in w for w in layer.warnings)  # Shanghai tiles may be GCJ-02
    box = layer.local_extent()
    assert 3000 < box[2] - box[0] < 5000  # 0.04 degrees of longitude at 31 N


def test_gcj02_true_moves_the_tiles_back_by_the_offset(tmp_path):
    from pyproj import Transformer

    from twinviewer.io.gcj02 import wgs84_to_gcj02

    path = write_mbtiles(tmp_path / "amap.mbtiles")
    plain = read_basemap(path)[0]
    shifted = read_basemap(path, gcj02=True)[0]
    assert not any("gcj02" in w for w in shifted.warnings)
    t = TMS.tile(LON, LAT, 16)
    cx, cy, b = _tile_centre_3857(16, t.x, t.y)
    # the true point whose GCJ-02 position is the tile's centre shows that tile's colour
    to_ll = Transformer.from_crs("EPSG:3857", "EPSG:4326", always_xy=True)
    lon, lat = to_ll.transform(cx, cy)
    glon, glat = wgs84_to_gcj02(np.array([lon]), np.array([lat]))
    dlon, dlat = glon[0] - lon, glat[0] - lat
    tx, ty = to_ll.transform(lon - dlon, lat - dlat, direction="INVERSE")
    got = shifted.raster.read((tx - 20, ty - 20, tx + 20, ty + 20), (64, 64), "EPSG:3857")
    assert tuple(got[:, 32, 32].round().astype(int)) == _colour(16, t.x, t.y)
    moved = np.hypot(tx - cx, ty - cy)
    assert 100 < moved < 900  # the Shanghai offset is a few hundred metres
    assert plain.raster.read((tx - 20, ty - 20, tx + 20, ty + 20), (64, 64),
                             "EPSG:3857")[:, 32, 32].round().astype(int).tolist() != \
        list(_colour(16, t.x, t.y))


def test_url_template_fills_the_folder_cache(tmp_path):
    import http.server
    import threading

    served = write_xyz(tmp_path / "server")
    hits = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **kw):
            super().__init__(*a, directory=str(served), **kw)

        def log_message(self, *args):
            hits.append(self.path)

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        cache = tmp_path / "cache"
        cache.mkdir()
        url = f"http://127.0.0.1:{httpd.server_address[1]}/{{z}}/{{x}}/{{y}}.png"
        layer = read_basemap(cache, url=url, maxzoom=15,
                             bounds=[LON - 0.01, LAT - 0.01, LON + 0.01, LAT + 0.01])[0]
        t = TMS.tile(LON, LAT, 15)
        cx, cy, b = _tile_centre_3857(15, t.x, t.y)
        rgb = layer.raster.read((cx - 50, cy - 50, cx + 50, cy + 50), (32, 32), "EPSG:3857")
        assert tuple(rgb[:, 16, 16].round().astype(int)) == _colour(15, t.x, t.y)
        assert (cache / "15" / str(t.x) / f"{t.y}.png").is_file()  # kept on disk
        n = len(hits)
        layer.raster.read((cx - 50, cy - 50, cx + 50, cy + 50), (32, 32), "EPSG:3857")
        assert len(hits) == n  # the second read came from the cache
    finally:
        httpd.shutdown()


def test_bad_basemaps(tmp_path):
    bad = tmp_path / "bad.mbtiles"
    bad.write_bytes(b"not sqlite at all" * 10)
    with pytest.raises(LoadError, match="MBTiles"):
        read_basemap(bad)
    with pytest.raises(LoadError, match="url"):
        read_basemap(tmp_path, url="ftp://x/{z}/{x}/{y}.png")
    cgcs = tile_matrix_set("CGCS2000Quad")
    assert cgcs.crs.to_epsg() == 4490 and cgcs.matrix(0).matrixWidth == 2


def test_cli_info_on_an_mbtiles_file(tmp_path):
    import json
    import subprocess
    import sys

    path = write_mbtiles(tmp_path / "gaps.mbtiles", zooms=(14, 16), declared=(14, 16))
    out = subprocess.run([sys.executable, "-m", "twinviewer", "info", "--json", str(path)],
                         capture_output=True, text=True, check=True).stdout
    info = json.loads(out)["layers"][0]["raster"]
    assert info["zooms"] == [14, 16] and info["missing_zooms"] == [15]
    plain = subprocess.run([sys.executable, "-m", "twinviewer", "info", str(path)],
                           capture_output=True, text=True, check=True).stdout
    assert "WebMercatorQuad" in plain and "14, 16" in plain
