"""Presenter mode and bookmarks in the real window: keys, keyframes, layers, scene file."""

from __future__ import annotations

import numpy as np
import pytest
import tomllib
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDockWidget

from tests.conftest import DEMO_SCENE, save_window

pytestmark = pytest.mark.gui


@pytest.fixture
def demo_copy(tmp_path):
    """The demo scene file in a temporary folder (bookmark edits must not touch the repo)."""
    folder = tmp_path / "demo"
    folder.mkdir()
    (folder / "district.gpkg").symlink_to(DEMO_SCENE.parent / "district.gpkg")
    scene = folder / "scene.toml"
    scene.write_bytes(DEMO_SCENE.read_bytes())
    return scene


def camera(window):
    cam = window.viewport.plotter.renderer.GetActiveCamera()
    return np.array(cam.GetPosition())


def visible_layers(window):
    return {lyr.name for lyr in window.scene.layers if lyr.visible}


def key(qtbot, window, k):
    qtbot.keyClick(window.viewport.interactor, k)


def test_present_with_keys_next_previous_and_leave(main_window, qtbot, demo_copy, artifacts):
    window = main_window([demo_copy])
    tour = window.scene.paths[0]
    keys = tour.keyframes
    presenter = window.presenting.presenter
    docks = [d for d in window.findChildren(QDockWidget) if d.isVisible()]
    assert docks
    before = visible_layers(window)

    window.activateWindow()  # shortcuts go to the active window only
    window.raise_()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    window.viewport.interactor.setFocus()
    key(qtbot, window, Qt.Key_F5)
    qtbot.waitUntil(lambda: presenter.active)
    assert window.isFullScreen() or window.windowState() & Qt.WindowFullScreen
    assert not any(d.isVisible() for d in docks) and not window.menuBar().isVisible()
    assert presenter.index == 0
    assert presenter.caption.isVisible() and presenter.caption.text() == keys[0].caption
    assert visible_layers(window) == set(keys[0].layers)

    for k, expected in ((Qt.Key_PageDown, 1), (Qt.Key_Space, 2), (Qt.Key_Right, 3),
                        (Qt.Key_PageUp, 2), (Qt.Key_Left, 1)):
        key(qtbot, window, k)
        assert presenter.index == expected
        assert presenter.caption.text() == keys[expected].caption
        assert visible_layers(window) == set(keys[expected].layers)
        assert presenter.strip.value() == expected
    target = np.array(keys[1].bookmark.position)
    qtbot.waitUntil(lambda: np.allclose(camera(window), target, atol=1e-6), timeout=5000)
    qtbot.wait(100)
    save_window(window, artifacts / "presenter_mode.png")

    key(qtbot, window, Qt.Key_Escape)
    assert not presenter.active
    qtbot.waitUntil(lambda: all(d.isVisible() for d in docks))
    assert not presenter.caption.isVisible()
    assert window.menuBar().isVisible()
    assert visible_layers(window) == before


def test_bookmark_saved_renamed_moved_and_flown_to(main_window, qtbot, demo_copy):
    window = main_window([demo_copy])
    panel = window.presenting.bookmarks
    n = len(window.scene.bookmarks)
    assert panel.list.count() == n
    window.viewport.view.frame(window.scene.layer("建筑").bounds())
    here = camera(window)
    mark = panel.add("我的视角")
    assert panel.list.count() == n + 1 and not panel.list.item(n).icon().isNull()
    doc = tomllib.loads(demo_copy.read_text(encoding="utf-8"))
    assert doc["bookmarks"][-1]["name"] == "我的视角"
    np.testing.assert_allclose(doc["bookmarks"][-1]["position"], here)
    assert doc["paths"][0]["name"] == window.scene.paths[0].name  # paths kept
    assert doc["layers"] and doc["name"]  # the rest of the file kept

    panel.move(n, 0)
    panel.rename(0, "入口视角")
    doc = tomllib.loads(demo_copy.read_text(encoding="utf-8"))
    assert doc["bookmarks"][0]["name"] == "入口视角" and mark.name == "入口视角"

    # double-click another bookmark: the camera flies there in about a second
    window.viewport.view.frame(window.scene.bounds())
    window.presenting.bookmarks_dock.show()
    window.presenting.bookmarks_dock.raise_()
    qtbot.waitUntil(lambda: panel.list.isVisible())
    item = panel.list.item(1)
    rect = panel.list.visualItemRect(item)
    hits = []
    panel.list.itemDoubleClicked.connect(hits.append)
    # Qt's test double-click is no press + release; click first, as a hand does
    qtbot.mouseClick(panel.list.viewport(), Qt.LeftButton, pos=rect.center())
    qtbot.mouseDClick(panel.list.viewport(), Qt.LeftButton, pos=rect.center())
    assert hits
    assert panel.flight.is_flying()
    target = np.array(window.scene.bookmarks[1].position)
    qtbot.waitUntil(lambda: not panel.flight.is_flying(), timeout=5000)
    np.testing.assert_allclose(camera(window), target, atol=1e-6)
