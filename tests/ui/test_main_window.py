"""Drive the real main window under Xvfb: click, select, toggle, as a planner would."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication

from tests.conftest import pixel, save_window, tallest_roof

pytestmark = pytest.mark.gui

BUILDINGS = "建筑"


def _tallest_roof(window):
    """The tallest building's row, its roof pixel and that pixel in Qt coordinates."""
    row, display = tallest_roof(window, BUILDINGS)
    return row, display, window.viewport.qt_pos(display)


def _save(window, artifacts, name):
    save_window(window, artifacts / name)


def test_demo_opens_with_layers_table_and_status(main_window, artifacts):
    w = main_window()
    names = [lyr.name for lyr in w.scene.layers]
    assert BUILDINGS in names and len(names) >= 8
    assert not w.message_bar.messages, w.message_bar.messages
    assert w.scene.object_count() >= 3000
    assert w.attribute_table.model.rowCount() == len(w.scene.layers[0])
    assert str(f"{w.scene.object_count():,}") in w.objects_label.text()
    img = w.viewport.image()
    assert img.std() > 10  # something is drawn, not a blank frame
    _save(w, artifacts, "main_window_demo.png")


def test_click_building_selects_its_row(main_window, qtbot, artifacts):
    w = main_window()
    row, _display, pos = _tallest_roof(w)
    qtbot.mouseClick(w.viewport.interactor, Qt.LeftButton, pos=QPoint(*pos))
    qtbot.waitUntil(lambda: len(w.scene.selection.rows(BUILDINGS)) == 1, timeout=5000)
    assert w.scene.selection.rows(BUILDINGS).tolist() == [row]
    table = w.attribute_table
    assert table.layer.name == BUILDINGS
    selected = [i.row() for i in table.view.selectionModel().selectedRows()]
    assert table.model.table_rows(selected).tolist() == [row]
    oid = w.scene.layer(BUILDINGS).table.oid[row]
    assert str(oid) in w.inspector.title.text()
    assert "1" in w.selection_label.text()
    _save(w, artifacts, "main_window_picked_building.png")


def test_select_row_highlights_object(main_window, qtbot, artifacts):
    w = main_window()
    row, display, _pos = _tallest_roof(w)
    before = pixel(w, display)
    table = w.attribute_table
    table.show_layer(BUILDINGS)
    vrow = int(table.model.view_rows([row])[0])
    index = table.model.index(vrow, 1)
    table.view.scrollTo(index)
    rect = table.view.visualRect(index)
    qtbot.mouseClick(table.view.viewport(), Qt.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: w.scene.selection.rows(BUILDINGS).tolist() == [row], timeout=5000)
    after = pixel(w, display)
    assert np.abs(after - before).sum() > 60, (before, after)
    # highlight is yellow: red and green high, blue low
    assert after[0] > 150 and after[1] > 120 and after[2] < 110, after
    _save(w, artifacts, "main_window_row_selected.png")
    # zoom to selection frames it: the object now fills the middle of the view
    w.zoom_selection_action.trigger()
    img = w.viewport.image()
    h, wd = img.shape[:2]
    centre = img[h // 2 - 5:h // 2 + 5, wd // 2 - 5:wd // 2 + 5, :3].reshape(-1, 3)
    assert np.mean((centre[:, 0] > 150) & (centre[:, 2] < 110)) > 0.5
    _save(w, artifacts, "main_window_zoom_to_selection.png")


def test_toggle_layer_hides_its_pixels(main_window, qtbot, artifacts):
    w = main_window()
    _row, display, _pos = _tallest_roof(w)
    before_img = w.viewport.image()
    before = pixel(w, display)
    item = w.layer_panel.item(BUILDINGS)
    tree = w.layer_panel.tree
    tree.setCurrentItem(item)
    tree.setFocus()
    qtbot.keyClick(tree, Qt.Key_Space)  # space toggles the check box, as for any user
    qtbot.waitUntil(lambda: not w.scene.layer(BUILDINGS).visible, timeout=3000)
    after_img = w.viewport.image()
    after = pixel(w, display)
    assert np.abs(after - before).sum() > 30
    changed = np.mean(np.any(before_img != after_img, axis=2))
    assert changed > 0.02  # buildings covered a visible share of the view
    _save(w, artifacts, "main_window_buildings_hidden.png")
    qtbot.keyClick(tree, Qt.Key_Space)
    qtbot.waitUntil(lambda: w.scene.layer(BUILDINGS).visible, timeout=3000)
    assert np.abs(pixel(w, display) - before).sum() < 30


def test_click_empty_sky_clears_selection(main_window, qtbot):
    w = main_window()
    row, _d, pos = _tallest_roof(w)
    qtbot.mouseClick(w.viewport.interactor, Qt.LeftButton, pos=QPoint(*pos))
    qtbot.waitUntil(lambda: w.scene.selection.count() == 1, timeout=5000)
    qtbot.mouseClick(w.viewport.interactor, Qt.LeftButton, pos=QPoint(5, 5))  # sky corner
    qtbot.waitUntil(lambda: w.scene.selection.count() == 0, timeout=5000)
    assert w.attribute_table.view.selectionModel().selectedRows() == []


def test_bad_file_shows_message_and_keeps_layers(main_window, qtbot, tmp_path):
    w = main_window()
    n = len(w.scene.layers)
    bad = tmp_path / "坏的 文件.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": [ {"type": ', encoding="utf-8")
    with qtbot.waitSignal(w.scene_loaded, timeout=30_000):
        w.open_paths([bad])
    assert len(w.scene.layers) == n
    assert any("坏的 文件.geojson" in m for m in w.message_bar.messages)
    assert w.message_bar.isVisible()


def test_search_box_filters_rows_and_keeps_selection(main_window, qtbot):
    w = main_window()
    table = w.attribute_table
    table.show_layer(BUILDINGS)
    layer = w.scene.layer(BUILDINGS)
    name = str(layer.table.column("小区")[0])
    table.search.setFocus()
    commit = QInputMethodEvent()  # Chinese arrives from the input method, not as key codes
    commit.setCommitString(name)
    QApplication.sendEvent(table.search, commit)
    expected = layer.table.df["小区"].astype("string").str.contains(name, regex=False)
    qtbot.waitUntil(lambda: table.model.rowCount() < len(layer), timeout=3000)
    shown = set(table.model.table_rows(np.arange(table.model.rowCount())).tolist())
    assert set(np.nonzero(expected.fillna(False).to_numpy())[0].tolist()) <= shown
    assert str(table.model.rowCount()) in table.count_label.text()
    table.search.clear()
    qtbot.waitUntil(lambda: table.model.rowCount() == len(layer), timeout=3000)


def test_a_window_closed_as_its_load_ends_binds_nothing(main_window, qtbot):
    """The load's last signals are queued when the window closes: its view is gone, so the
    scene is not bound, and the cases dock does not start listening to the broker."""
    import threading

    w = main_window()
    scene, listener = w.scene, w.cases.listener
    assert listener is not None  # the demo names a broker
    w.open_paths([scene.path])
    w._worker.wait()  # read: "loaded" and "finished" wait in the event queue
    w.close()
    QApplication.processEvents()
    qtbot.wait(100)
    assert w.scene is scene and w.cases.listener is None
    cid = listener.client._client_id.decode()
    assert not [t for t in threading.enumerate() if cid in t.name]
