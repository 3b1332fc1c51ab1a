"""The real window on a streamed scan: click a scanned building, its footprint row is
selected; select a row, the scan's pixels there turn the highlight colour (单体化).
Without footprints the scan's own features (b3dm batch tables) are the rows."""

import sys
import types

import numpy as np
import pytest
from pyproj import CRS
from PySide6.QtCore import QPoint, Qt

from tests.conftest import pixel, save_window
from twinviewer.render.colors import HIGHLIGHT
from twinviewer.tiles.decode import decode_content
from twinviewer.tiles.layer import read_tileset

pytestmark = pytest.mark.gui


class _BoxIndex:
    """Test stand-in for core/classify.py's FootprintIndex (used only where that module
    is not in this branch): row whose footprint box and height range hold a point."""

    def __init__(self, boxes):
        self.boxes = boxes  # (n, 6): x0 y0 z0 x1 y1 z1 per row

    @classmethod
    def from_layer(cls, layer):
        n = len(layer)
        lo, hi = np.full((n, 3), np.inf), np.full((n, 3), -np.inf)
        for b in layer.batches:
            pts = b.points[b.triangles].reshape(-1, 3)
            rows = np.repeat(b.rows, 3)
            np.minimum.at(lo, rows, pts)
            np.maximum.at(hi, rows, pts)
        return cls(np.hstack([lo, hi]))

    def rows_at(self, points):
        points = np.asarray(points, float).reshape(-1, 3)
        out = np.full(len(points), -1, dtype=np.int64)
        for row, (x0, y0, _z0, x1, y1, _z1) in enumerate(self.boxes):
            inside = (points[:, 0] >= x0) & (points[:, 0] <= x1) & \
                     (points[:, 1] >= y0) & (points[:, 1] <= y1)
            out[inside & (out < 0)] = row
        return out


@pytest.fixture
def classify_module(monkeypatch):
    try:
        import twinviewer.core.classify  # noqa: F401  (the real one, once merged)
    except ImportError:
        mod = types.ModuleType("twinviewer.core.classify")
        mod.FootprintIndex = _BoxIndex
        monkeypatch.setitem(sys.modules, "twinviewer.core.classify", mod)


@pytest.fixture
def scan_scene(shared_data, tmp_path):
    """The sample city as a scan plus footprints of its buildings (from the b3dm batch
    ids, in UTM 18N where the city stands), hidden, as 单体化 wants them."""
    import geopandas as gpd
    from shapely.geometry import box

    city = shared_data / "3d-tiles-samples/1.0/TilesetWithRequestVolume/city/tileset.json"
    layer = read_tileset(city)[0]
    origin = np.array([447784.0, 4432657.0, 0.0])  # float32 vertices: decode near 0
    layer.place(CRS.from_epsg(32618), origin)
    polys, names, heights = [], [], []
    for tile in layer.root.expand():
        data = decode_content(tile.content)
        for part in data.meshes:
            for fid in np.unique(part.features):
                pts = part.points[part.features == fid].astype(float) + origin
                x0, y0 = pts[:, :2].min(axis=0)
                x1, y1 = pts[:, :2].max(axis=0)
                polys.append(box(x0 - 0.3, y0 - 0.3, x1 + 0.3, y1 + 0.3))  # walls inside
                names.append(f"楼{len(names)}")
                heights.append(float(pts[:, 2].max()))
    gpd.GeoDataFrame({"名称": names, "高度": heights}, geometry=polys,
                     crs="EPSG:32618").to_file(tmp_path / "footprints.gpkg", layer="楼")
    scene = tmp_path / "scan.toml"
    scene.write_text(f"""version = 1
name = "scan"

[[layers]]
source = "{city.as_posix()}"
kind = "tiles"
name = "scan"
classify = "楼"

[[layers]]
source = "footprints.gpkg"
name = "楼"
height_field = "高度"
visible = false
""", encoding="utf-8")
    return scene, heights


def test_click_the_scan_selects_the_footprint_and_selection_tints_it(
        main_window, qtbot, classify_module, scan_scene, artifacts):
    path, heights = scan_scene
    w = main_window([path])
    view = w.viewport.view
    tiles = view.tiles
    qtbot.waitUntil(lambda: tiles.active and
                    sum(len(lt.drawn) for lt in tiles.layers.values()) == 4 and
                    tiles.loading == 0, timeout=30_000)
    w.viewport.plotter.render()
    fp = w.scene.layer("楼")
    # the tallest building: its roof centre, seen from the default view
    row = int(np.argmax(heights))
    b = fp.row_bounds([row])
    top = ((b[0] + b[3]) / 2, (b[1] + b[4]) / 2, heights[row] - 0.05)
    display = view.world_to_display(top)
    before = pixel(w, display)
    qtbot.mouseClick(w.viewport.interactor, Qt.LeftButton,
                     pos=QPoint(*w.viewport.qt_pos(display)))
    qtbot.waitUntil(lambda: w.scene.selection.rows("楼").tolist() == [row], timeout=5000)
    assert w.viewport.last_hit is not None
    assert w.attribute_table.layer.name == "楼"
    qtbot.wait(50)
    after = pixel(w, display)
    assert np.abs(after - HIGHLIGHT[:3]).sum() < np.abs(before - HIGHLIGHT[:3]).sum()
    assert after[0] > 150 and after[2] < 120, after  # yellow on the scan
    save_window(w, artifacts / "tiles_scan_picked.png")
    # another row selected from the model: its pixels light up, the first one's go back
    other = int(np.argsort(heights)[-2])
    ob = fp.row_bounds([other])
    od = view.world_to_display(((ob[0] + ob[3]) / 2, (ob[1] + ob[4]) / 2,
                                heights[other] - 0.05))
    w.scene.selection.select("楼", [other])
    qtbot.wait(50)
    assert pixel(w, od)[2] < 120 and pixel(w, display)[2] > 150
    save_window(w, artifacts / "tiles_scan_selected_row.png")
    # the View setting: a smaller budget, typed into its dialog, reaches the streamer
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QInputDialog

    def answer():
        dialog = next(d for d in QApplication.topLevelWidgets()
                      if isinstance(d, QInputDialog) and d.isVisible())
        dialog.setIntValue(32)
        dialog.accept()

    QTimer.singleShot(300, answer)
    w.ask_tile_budget()
    lt = next(iter(tiles.layers.values()))
    assert lt.layer.budget_mb == 32 and lt.streamer.cache.budget == 32 * 2 ** 20


def test_render_select_highlights_scanned_buildings(classify_module, scan_scene, artifacts,
                                                     tmp_path):
    import argparse
    import json

    from PIL import Image

    from twinviewer import cli_tiles
    from twinviewer.io.loader import open_scene

    path, heights = scan_scene
    row = int(np.argmax(heights))

    def shot(name, select):
        scene = open_scene([path])
        args = argparse.Namespace(stats=str(tmp_path / f"{name}.json"), select=select,
                                  bookmark=None, tiles_timeout=30.0)
        out = artifacts / f"{name}.png"
        cli_tiles.render(scene, out, (800, 500), args)
        return np.asarray(Image.open(out))[..., :3].astype(int), scene, args

    plain, _, _ = shot("tiles_render_plain", [])
    lit, scene, args = shot("tiles_render_select", [f"楼:{scene_oid(path, row)}"])
    assert json.loads(open(args.stats).read())["scan"]["tiles_drawn"] == 4

    def yellow(img):
        return int(((img[..., 0] > 180) & (img[..., 1] > 150) & (img[..., 2] < 90)).sum())

    assert yellow(plain) == 0 and yellow(lit) > 20


def scene_oid(path, row):
    from twinviewer.io.loader import open_scene

    return open_scene([path]).layer("楼").table.oid[row]


def _feature_of(layer, row):
    """(content uri, batch id, tile) of a feature row, from the drawn tiles' vertices."""
    for tile in layer.root.walk():
        for part in tile.data.meshes if tile.data is not None else []:
            hit = part.rows == row
            if hit.any():
                return tile.content.uris[0], int(part.features[hit][0]), tile
    raise AssertionError(f"row {row} is on no loaded tile")


def test_a_scan_without_footprints_picks_and_tints_its_own_features(main_window, qtbot,
                                                                     shared_data, artifacts):
    import json
    import struct
    from pathlib import Path

    folder = shared_data / "3d-tiles-samples/1.0/TilesetWithRequestVolume/city"
    w = main_window([folder / "tileset.json"])
    tiles = w.viewport.view.tiles
    qtbot.waitUntil(lambda: sum(len(lt.drawn) for lt in tiles.layers.values()) == 4 and
                    tiles.loading == 0, timeout=30_000)
    w.viewport.plotter.render()
    layer = w.scene.layers[0]
    assert layer.kind == "tiles" and len(layer) == 40  # 4 tiles x 10 buildings
    table = w.attribute_table
    assert table.layer is layer and table.model.rowCount() == 40  # grew as tiles came
    assert "Height" in [table.model.headerData(c, Qt.Horizontal)
                        for c in range(table.model.columnCount())]
    assert w.layer_panel.item(layer.name).text(1) == "40"  # counts follow too
    assert w.objects_label.text().startswith("40")
    # the tallest building's roof, seen from the default view
    tops = np.array([layer.row_bounds([r])[5] for r in range(len(layer))])
    row = int(np.argmax(tops))
    b = layer.row_bounds([row])
    display = w.viewport.view.world_to_display(((b[0] + b[3]) / 2, (b[1] + b[4]) / 2,
                                                b[5] - 0.05))
    before = pixel(w, display)
    qtbot.mouseClick(w.viewport.interactor, Qt.LeftButton,
                     pos=QPoint(*w.viewport.qt_pos(display)))
    qtbot.waitUntil(lambda: w.scene.selection.rows(layer.name).tolist() == [row],
                    timeout=5000)
    # the attribute table follows: its selected row is that feature, with the batch
    # table's values (read here from the b3dm bytes: header, feature table, batch table)
    view_rows = {i.row() for i in table.view.selectionModel().selectedRows()}
    assert [int(table.model.table_rows([r])[0]) for r in view_rows] == [row]
    uri, fid, _tile = _feature_of(layer, row)
    data = (folder / Path(uri).name).read_bytes()
    _, _, _, ftj, ftb, btj, _ = struct.unpack_from("<4s6I", data, 0)
    batch = json.loads(data[28 + ftj + ftb:28 + ftj + ftb + btj])
    got = layer.table.row(row)
    assert {k: got[k] for k in batch} == {k: v[fid] for k, v in batch.items()}
    assert type(got["id"]) is int  # not made a float by its neighbours
    assert "Longitude=" in w.statusBar().currentMessage()
    qtbot.wait(50)
    after = pixel(w, display)
    assert np.abs(after - HIGHLIGHT[:3]).sum() < np.abs(before - HIGHLIGHT[:3]).sum()
    assert after[0] > 150 and after[2] < 120, after  # yellow on the scan
    save_window(w, artifacts / "tiles_features_picked.png")
    # a row chosen in the attribute table: its building lights up, the first goes back
    other = int(np.argsort(tops)[-2])
    ob = layer.row_bounds([other])
    od = w.viewport.view.world_to_display(((ob[0] + ob[3]) / 2, (ob[1] + ob[4]) / 2,
                                           ob[5] - 0.05))
    plain = pixel(w, od)
    table.view.selectRow(int(table.model.view_rows([other])[0]))
    qtbot.waitUntil(lambda: w.scene.selection.rows(layer.name).tolist() == [other],
                    timeout=5000)
    qtbot.wait(50)
    lit = pixel(w, od)
    assert np.abs(lit - HIGHLIGHT[:3]).sum() < np.abs(plain - HIGHLIGHT[:3]).sum()
    assert lit[0] > 150 and lit[2] < 120, lit
    assert pixel(w, display)[2] > 120  # no longer highlighted
    save_window(w, artifacts / "tiles_features_row_selected.png")
