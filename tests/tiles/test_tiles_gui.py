"""The real window on a streamed scan: click a scanned building, its footprint row is
selected; select a row, the scan's pixels there turn the highlight colour (单体化)."""

import sys
import types

import numpy as np
import pytest
from pyproj import CRS
from PySide6.QtCore import QPoint, Qt

from tests.conftest import pixel
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
    w.grab().save(str(artifacts / "tiles_scan_picked.png"))
    # another row selected from the model: its pixels light up, the first one's go back
    other = int(np.argsort(heights)[-2])
    ob = fp.row_bounds([other])
    od = view.world_to_display(((ob[0] + ob[3]) / 2, (ob[1] + ob[4]) / 2,
                                heights[other] - 0.05))
    w.scene.selection.select("楼", [other])
    qtbot.wait(50)
    assert pixel(w, od)[2] < 120 and pixel(w, display)[2] > 150
    w.grab().save(str(artifacts / "tiles_scan_selected_row.png"))
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


def test_click_a_scan_without_footprints_shows_its_batch_table_row(main_window, qtbot,
                                                                    shared_data, artifacts):
    city = shared_data / "3d-tiles-samples/1.0/TilesetWithRequestVolume/city/tileset.json"
    w = main_window([city])
    tiles = w.viewport.view.tiles
    qtbot.waitUntil(lambda: sum(len(lt.drawn) for lt in tiles.layers.values()) == 4 and
                    tiles.loading == 0, timeout=30_000)
    w.viewport.plotter.render()
    lt = next(iter(tiles.layers.values()))
    tile, ta = next(iter(lt.drawn.values()))
    part = tile.data.meshes[0]
    fid = int(part.features[0])
    top = part.points[part.features == fid].astype(float)
    target = (*top[:, :2].mean(axis=0), top[:, 2].max() - 0.05)
    display = w.viewport.view.world_to_display(target)
    qtbot.mouseClick(w.viewport.interactor, Qt.LeftButton,
                     pos=QPoint(*w.viewport.qt_pos(display)))
    qtbot.waitUntil(lambda: "Longitude=" in w.statusBar().currentMessage(), timeout=5000)
    assert w.viewport.last_hit is not None
    assert w.scene.selection.count() == 0
    w.grab().save(str(artifacts / "tiles_scan_feature_status.png"))
