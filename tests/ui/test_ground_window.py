"""The ground in the real window: objects on the hill, the orthophoto draped and hidden,
the cursor's elevation, picking the terrain and walking over it."""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pyogrio
import pytest
import shapely
from PySide6.QtCore import QPoint, Qt

from tests.conftest import pixel
from tests.ground.rasters import X0, Y1, hill, write_dem, write_orthophoto

pytestmark = pytest.mark.gui

HILL = (X0 + 300.0, Y1 - 200.0)  # the hill top, EPSG:4549


def _scene(tmp_path):
    write_dem(tmp_path / "dem.tif")
    write_orthophoto(tmp_path / "ortho.tif")
    house = shapely.box(HILL[0] - 10, HILL[1] - 8, HILL[0] + 10, HILL[1] + 8)
    valley = shapely.box(X0 + 60, Y1 - 460, X0 + 80, Y1 - 440)
    pyogrio.raw.write(tmp_path / "houses.gpkg", geometry=shapely.to_wkb([house, valley]),
                      field_data=[np.array([12.0, 6.0])], fields=["高度"], layer="houses",
                      driver="GPKG", crs="EPSG:4549", geometry_type="Polygon")
    (tmp_path / "scene.toml").write_text(
        'version = 1\nname = "ground"\n'
        '[[layers]]\nname = "地形"\nsource = "dem.tif"\nrole = "terrain"\nmax_error = 0.2\n'
        '[[layers]]\nname = "正射影像"\nsource = "ortho.tif"\n'
        '[[layers]]\nname = "房屋"\nsource = "houses.gpkg"\nheight_field = "高度"\n'
        '[view]\nposition = [60.0, -420.0, 260.0]\nfocal_point = [40.0, 40.0, 20.0]\n'
        'up = [0.0, 0.0, 1.0]\n', encoding="utf-8")
    return tmp_path / "scene.toml"


def _settled(w, qtbot):
    ground = w.viewport.view.ground
    qtbot.waitUntil(lambda: ground.stats()["tiles_drawn"] > 0 and not ground.loader.busy
                    and not ground._pending, timeout=60_000)
    qtbot.wait(200)
    qtbot.waitUntil(lambda: not ground.loader.busy and not ground.tick(), timeout=60_000)


def test_objects_stand_on_the_hill_and_the_orthophoto_drapes(main_window, qtbot, tmp_path,
                                                              artifacts):
    w = main_window([_scene(tmp_path)])
    assert not w.message_bar.messages or all("ground" not in m for m in w.message_bar.messages)
    _settled(w, qtbot)
    houses = w.scene.layer("房屋")
    dem = w.scene.layer("地形")
    ox, oy = w.scene.origin[:2]
    # the house's base is the DEM's lowest height under its footprint, within the error
    corners_x = np.array([HILL[0] - 10, HILL[0] + 10])
    corners_y = np.array([HILL[1] - 8, HILL[1] + 8])
    xx, yy = np.meshgrid(corners_x, corners_y)
    expected = hill(xx, yy).min()
    b = houses.row_bounds([0])
    assert abs(b[2] - expected) < 0.1 + dem.terrain.error
    assert abs(b[5] - b[2] - 12.0) < 1e-6  # its height is kept above the ground
    assert b[2] > houses.row_bounds([1])[2] + 20  # the hill house stands 20 m higher
    w.viewport.plotter.screenshot(str(artifacts / "ground_hill_with_orthophoto.png"))

    # a ground pixel beside the valley house shows the photo's red, not the plain ground
    gx, gy = X0 + 150.0 - ox, Y1 - 330.0 - oy
    ground_pt = (gx, gy, float(dem.terrain.height_at(gx, gy)))
    display = w.viewport.view.world_to_display(ground_pt)
    photo = pixel(w, display, labels=False)
    assert photo[0] > photo[1] + 40  # red dominates (200, 60, 40 lit)

    item = w.layer_panel.item("正射影像")
    tree = w.layer_panel.tree
    tree.setCurrentItem(item)
    tree.setFocus()
    qtbot.keyClick(tree, Qt.Key_Space)  # hide the orthophoto as a user would
    qtbot.waitUntil(lambda: not w.scene.layer("正射影像").visible, timeout=3000)
    bare = pixel(w, display, labels=False)
    assert np.abs(bare - photo).sum() > 60
    assert abs(int(bare[0]) - int(bare[1])) < 25  # the plain grey-green ground
    w.viewport.plotter.screenshot(str(artifacts / "ground_hill_orthophoto_hidden.png"))


def test_cursor_reads_the_ground_and_clicking_it_selects_nothing(main_window, qtbot,
                                                                 tmp_path):
    w = main_window([_scene(tmp_path)])
    _settled(w, qtbot)
    view = w.viewport.view
    ox, oy = w.scene.origin[:2]
    gx, gy = X0 + 150.0 - ox, Y1 - 330.0 - oy
    z = float(view.terrain().height_at(gx, gy))
    view.frame((gx - 80, gy - 80, z, gx + 80, gy + 80, z + 10))  # in view whatever the docks
    _settled(w, qtbot)
    display = view.world_to_display((gx, gy, z))
    hit = view.display_to_ground(*display)
    assert hit is not None and np.hypot(hit[0] - gx, hit[1] - gy) < 1.5
    assert abs(hit[2] - z) < 0.5
    pos = w.viewport.qt_pos(display)
    qtbot.mouseMove(w.viewport.interactor, QPoint(*pos))
    qtbot.waitUntil(lambda: len(re.findall(r"-?\d+\.\d+", w.cursor_label.text())) == 3,
                    timeout=5000)  # X, Y and the ground's elevation
    cx, cy, cz = (float(v) for v in re.findall(r"-?\d+\.\d+", w.cursor_label.text()))
    assert abs(cz - float(view.terrain().height_at(cx - ox, cy - oy))) < 0.3
    assert np.hypot(cx - ox - gx, cy - oy - gy) < 5.0  # under the mouse
    w.scene.selection.select("房屋", [0])
    qtbot.mouseClick(w.viewport.interactor, Qt.LeftButton, pos=QPoint(*pos))
    qtbot.waitUntil(lambda: w.scene.selection.count() == 0, timeout=5000)  # no object


def test_walk_mode_follows_the_terrain(main_window, qtbot, tmp_path):
    from twinviewer.ui.walk import EYE_HEIGHT

    w = main_window([_scene(tmp_path)])
    _settled(w, qtbot)
    walk = w.walk if hasattr(w, "walk") else None
    if walk is None:
        from twinviewer.ui.walk import WalkMode

        walk = WalkMode(w.viewport)
    walk.set_active(True)
    terrain = w.viewport.view.terrain()
    heights = []
    for _ in range(40):
        walk.move(ahead=5.0)
        x, y, z = walk.position
        ground = float(terrain.height_at(x, y))
        if np.isfinite(ground):
            heights.append(z - ground)
    walk.set_active(False)
    assert heights and np.allclose(heights, heights[0], atol=0.05)
    assert min(heights) >= EYE_HEIGHT - 1e-6


def test_a_dem_opened_under_drawn_objects_lifts_them(main_window, qtbot, tmp_path):
    _scene(tmp_path)
    w = main_window([tmp_path / "houses.gpkg"])
    houses = w.scene.layers[0]
    assert houses.row_bounds([0])[2] == 0.0  # flat ground at first
    with qtbot.waitSignal(w.scene_loaded, timeout=60_000):
        w.open_paths([tmp_path / "dem.tif"])  # added to the open scene
    _settled(w, qtbot)
    base = houses.row_bounds([0])[2]
    xx, yy = np.meshgrid([HILL[0] - 10, HILL[0] + 10], [HILL[1] - 8, HILL[1] + 8])
    assert abs(base - hill(xx, yy).min()) < 0.5
    drawn = w.viewport.view.pieces[houses][0].polydata.bounds
    assert drawn[5] > 12.0 + base - 0.01  # the drawing was rebuilt, lifted


def _drawn_z(ground) -> tuple[float, float]:
    """The lowest and highest z of the ground tiles drawn now (their actors' bounds)."""
    boxes = [ta.actor.GetBounds() for k, ta in ground.actors.items()
             if k in ground._drawn and ta.actor.GetVisibility()]
    assert boxes, "no ground tile is drawn"
    return min(b[4] for b in boxes), max(b[5] for b in boxes)


def _toggle(w, qtbot, name: str, visible: bool) -> None:
    tree = w.layer_panel.tree
    tree.setCurrentItem(w.layer_panel.item(name))
    tree.setFocus()
    qtbot.keyClick(tree, Qt.Key_Space)  # as a user would, in the layer panel
    qtbot.waitUntil(lambda: w.scene.layer(name).visible is visible, timeout=3000)


def test_hiding_the_terrain_drapes_the_orthophoto_on_the_flat_ground(main_window, qtbot,
                                                                      tmp_path, artifacts):
    w = main_window([_scene(tmp_path)])
    _settled(w, qtbot)
    view = w.viewport.view
    ground = view.ground
    dem = w.scene.layer("地形")
    ox, oy = w.scene.origin[:2]
    gx, gy = X0 + 150.0 - ox, Y1 - 330.0 - oy  # a field of the photo's red, no house
    on_hill = (gx, gy, float(dem.terrain.height_at(gx, gy)))
    lo, hi = _drawn_z(ground)
    assert lo > 5.0 and hi > 40.0  # on the DEM (10 m to about 60 m)

    _toggle(w, qtbot, "地形", False)
    _settled(w, qtbot)
    assert view.terrain() is None  # the cursor and picking use the flat ground too
    assert _drawn_z(ground) == (0.0, 0.0)  # the photo lies on z = 0
    assert view._ground is None  # the photo is the ground: no plain plane over it
    flat = pixel(w, view.world_to_display((gx, gy, 0.0)), labels=False)
    assert flat[0] > flat[1] + 40  # the photo's red (200, 60, 40 lit), still drawn
    w.viewport.plotter.screenshot(str(artifacts / "ground_terrain_hidden_photo_flat.png"))

    _toggle(w, qtbot, "地形", True)
    _settled(w, qtbot)
    lo, hi = _drawn_z(ground)
    assert lo > 5.0 and hi > 40.0  # back on the terrain
    assert view.terrain() is dem.terrain
    back = pixel(w, view.world_to_display(on_hill), labels=False)
    assert back[0] > back[1] + 40


def test_with_the_terrain_and_the_photo_hidden_the_plain_ground_shows(main_window, qtbot,
                                                                      tmp_path):
    w = main_window([_scene(tmp_path)])
    _settled(w, qtbot)
    view = w.viewport.view
    _toggle(w, qtbot, "正射影像", False)
    assert view._ground is None  # the DEM drawn bare is still the ground
    _toggle(w, qtbot, "地形", False)
    qtbot.waitUntil(lambda: view._ground is not None, timeout=3000)  # the flat plane
    assert not any(ta.actor.GetVisibility() for ta in view.ground.actors.values())
    _toggle(w, qtbot, "正射影像", True)
    _settled(w, qtbot)
    assert view._ground is None and _drawn_z(view.ground) == (0.0, 0.0)


def _open_files(folder) -> set[str]:
    """The files under ``folder`` this process holds open (Linux: /proc/self/fd)."""
    fd_dir = Path("/proc/self/fd")
    out = set()
    for fd in fd_dir.iterdir():
        try:
            target = os.readlink(fd)
        except OSError:  # closed while listing
            continue
        if target.startswith(str(folder)):
            out.add(Path(target).name)
    return out


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc (Linux)")
def test_a_closed_window_closes_its_dem_and_orthophoto(main_window, qtbot, tmp_path):
    w = main_window([_scene(tmp_path)])
    _settled(w, qtbot)
    assert {"dem.tif", "ortho.tif"} <= _open_files(tmp_path)  # read while shown
    w.close()
    qtbot.waitUntil(lambda: not _open_files(tmp_path) & {"dem.tif", "ortho.tif"},
                    timeout=5000)
