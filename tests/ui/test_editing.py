"""Edit in the real window: cells, 3D colours, undo/redo, save, reopen, bulk set, journal."""

from __future__ import annotations

import shutil

import numpy as np
import pyogrio
import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox

from tests.conftest import DEMO_SCENE, pixel, save_window, tallest_roof
from twinviewer.store import GeoPackageStore
from twinviewer.ui.main_window import MainWindow

pytestmark = pytest.mark.gui

BUILDINGS = "建筑"
FURNITURE = "街道设施"
REAL_ASK_UNSAVED = MainWindow.ask_unsaved
RED = "#ff2020"
BLUE = "#2050ff"


@pytest.fixture
def scene(tmp_path):
    """The demo scene copied, so saving never touches the repository."""
    folder = tmp_path / "demo"
    shutil.copytree(DEMO_SCENE.parent, folder)
    return folder / "scene.toml"


@pytest.fixture(autouse=True)
def _no_modal_questions(monkeypatch):
    """Teardown closes windows: never block on a question unless a test asks for it."""
    monkeypatch.setattr(MainWindow, "ask_unsaved", lambda self: "discard")
    monkeypatch.setattr(MainWindow, "ask_restore", lambda self, journal: False)


def _reddish(p):
    return p[0] > p[2] + 60


def _bluish(p):
    return p[2] > p[0] + 60


def _activate(qtbot, window):
    """Shortcuts (Ctrl+Z, Ctrl+S, Delete) go to the active window only."""
    window.activateWindow()
    window.raise_()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)


def _categorize(window):
    layer = window.scene.layer(BUILDINGS)
    layer.style = {"by": "类别", "categories": {"住宅楼": BLUE, "危房": RED},
                   "color": "#d9d4c7"}
    window.viewport.refresh_layer(layer)
    return layer


def _type_in_cell(qtbot, view, index, text):
    """Double-click a cell, replace its text (Chinese through the input method), Enter."""
    view.scrollTo(index)
    rect = view.visualRect(index)
    qtbot.mouseClick(view.viewport(), Qt.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.viewport(), Qt.LeftButton, pos=rect.center())

    def editor():
        found = [e for e in view.viewport().findChildren(QLineEdit) if e.isVisible()]
        return found[0] if found else None

    qtbot.waitUntil(lambda: editor() is not None, timeout=3000)
    editor = editor()
    editor.setFocus()
    editor.selectAll()
    if text.isascii():
        qtbot.keyClicks(editor, text)
    else:
        commit = QInputMethodEvent()
        commit.setCommitString(text)
        QApplication.sendEvent(editor, commit)
    qtbot.keyClick(editor, Qt.Key_Return)


def _cell(table, row, field):
    col = list(table.layer.table.df.columns).index(field)
    vrow = int(table.model.view_rows([row])[0])
    return table.model.index(vrow, col)


def test_edit_cell_recolours_undo_redo_save_reopen(main_window, qtbot, scene, artifacts):
    w = main_window([scene])
    layer = _categorize(w)
    row, display = tallest_roof(w)
    oid = int(layer.table.oid[row])
    assert layer.table.df["类别"].iat[row] == "住宅楼"
    assert _bluish(pixel(w, display))
    table = w.attribute_table
    table.show_layer(BUILDINGS)
    _type_in_cell(qtbot, table.view, _cell(table, row, "类别"), "危房")
    qtbot.waitUntil(lambda: layer.table.df["类别"].iat[row] == "危房", timeout=3000)
    assert w.isWindowModified() and "[*]" in w.windowTitle()
    assert "危房" in table.model.data(_cell(table, row, "类别"))
    assert table.model.headerData(_cell(table, row, "类别").row(), Qt.Vertical).startswith("●")
    assert "类别" in w.undo_action.text()
    w.clear_selection()  # the highlight would hide the category colour
    assert _reddish(pixel(w, display)), pixel(w, display)
    save_window(w, artifacts / "editing_cell_recoloured.png")
    _activate(qtbot, w)

    qtbot.keyClick(table.view, Qt.Key_Z, Qt.ControlModifier)
    qtbot.waitUntil(lambda: layer.table.df["类别"].iat[row] == "住宅楼", timeout=3000)
    assert _bluish(pixel(w, display))
    assert not w.isWindowModified()
    qtbot.keyClick(table.view, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
    qtbot.waitUntil(lambda: layer.table.df["类别"].iat[row] == "危房", timeout=3000)
    assert _reddish(pixel(w, display))

    qtbot.keyClick(table.view, Qt.Key_S, Qt.ControlModifier)
    qtbot.waitUntil(lambda: not w.isWindowModified(), timeout=5000)
    assert not w.message_bar.messages, w.message_bar.messages
    assert not table.model.headerData(_cell(table, row, "类别").row(), Qt.Vertical) \
        .startswith("●")
    gpkg = scene.parent / "district.gpkg"
    meta, fids, _geom, fields = pyogrio.raw.read(gpkg, layer="buildings", return_fids=True)
    col = list(meta["fields"]).index("类别")
    assert fields[col][list(fids).index(oid)] == "危房"
    entries = GeoPackageStore(gpkg).log(oid=oid, layer="buildings")
    assert [(e.field, e.old, e.new) for e in entries] == [("类别", "住宅楼", "危房")]

    w2 = main_window([scene])
    layer2 = w2.scene.layer(BUILDINGS)
    row2 = int(layer2.table.rows_of_oids([oid])[0])
    assert layer2.table.df["类别"].iat[row2] == "危房"
    w2.scene.selection.select(BUILDINGS, [row2])
    assert w2.inspector.history.topLevelItemCount() == 1
    assert "危房" in w2.inspector.history.topLevelItem(0).text(4)
    save_window(w2, artifacts / "editing_reopened_with_history.png")


def test_refused_value_says_why_and_changes_nothing(main_window, qtbot, scene):
    w = main_window([scene])
    layer = w.scene.layer(BUILDINGS)
    table = w.attribute_table
    table.show_layer(BUILDINGS)
    before = float(layer.table.df["高度"].iat[3])
    _type_in_cell(qtbot, table.view, _cell(table, 3, "高度"), "abc")
    qtbot.waitUntil(lambda: bool(w.message_bar.messages), timeout=3000)
    assert "not a number" in w.message_bar.messages[-1]
    assert float(layer.table.df["高度"].iat[3]) == before
    assert w.edits.undo_stack.count() == 0 and not w.isWindowModified()


def test_inspector_edits_the_selected_object(main_window, qtbot, scene):
    w = main_window([scene])
    layer = w.scene.layer(BUILDINGS)
    w.scene.selection.select(BUILDINGS, [5])
    view = w.inspector.table
    fields = [str(c) for c in layer.table.df.columns]
    index = w.inspector.model.index(fields.index("名称"), 1)
    _type_in_cell(qtbot, view, index, "新名称楼")
    qtbot.waitUntil(lambda: layer.table.df["名称"].iat[5] == "新名称楼", timeout=3000)
    assert w.edits.undo_stack.count() == 1
    assert w.attribute_table.model.data(_cell(w.attribute_table, 5, "名称")) == "新名称楼"


def test_bulk_set_100_then_undo_restores_all(main_window, qtbot, scene, artifacts):
    w = main_window([scene])
    layer = w.scene.layer(FURNITURE)
    original = layer.table.df.copy()
    rows = np.arange(10, 110)
    w.scene.selection.select(FURNITURE, rows)

    def fill():
        dialog = QApplication.activeModalWidget()
        dialog.field_box.setCurrentText("状态")
        dialog.value_box.setCurrentText("待维修")
        save_window(w, artifacts / "editing_bulk_set_dialog.png")
        dialog.accept()

    _activate(qtbot, w)
    QTimer.singleShot(200, fill)
    w.set_field_action.trigger()
    assert (layer.table.df["状态"].iloc[rows] == "待维修").all()
    others = np.setdiff1d(np.arange(len(layer)), rows)
    assert layer.table.df["状态"].iloc[others].equals(original["状态"].iloc[others])
    assert w.edits.undo_stack.count() == 1
    assert "100" in w.undo_action.text()
    _activate(qtbot, w)
    qtbot.keyClick(w.attribute_table.view, Qt.Key_Z, Qt.ControlModifier)
    assert w.edits.undo_stack.index() == 0
    assert layer.table.df.equals(original)
    assert not w.isWindowModified()


def test_fields_add_rename_delete_undo(main_window, scene):
    w = main_window([scene])
    w.attribute_table.show_layer(FURNITURE)
    layer = w.scene.layer(FURNITURE)
    original = layer.table.df.copy()
    assert w.add_field("巡查日期", "date", "2024-05-01")
    assert w.attribute_table.model.columnCount() == len(original.columns) + 1
    assert w.rename_field("巡查日期", "检查日期")
    assert w.delete_field("状态", confirm=False)
    assert "状态" not in layer.table.df.columns
    for _ in range(3):
        w.edits.undo_stack.undo()
    assert layer.table.df.equals(original)
    assert w.attribute_table.model.columnCount() == len(original.columns)


def test_unsaved_close_asks(main_window, qtbot, scene, monkeypatch):
    w = main_window([scene])
    w.scene.selection.select(BUILDINGS, [0])
    assert w.set_field_for_selection("名称", "问一下")
    asked = []
    monkeypatch.setattr(w, "ask_unsaved", lambda: asked.append(1) or "cancel")
    assert not w.close()
    assert asked and w.isVisible()
    # the real question: press Cancel on the message box
    monkeypatch.setattr(w, "ask_unsaved", lambda: REAL_ASK_UNSAVED(w))
    QTimer.singleShot(300, lambda: QApplication.activeModalWidget().button(
        QMessageBox.Cancel).click())
    assert not w.close() and w.isVisible()
    monkeypatch.setattr(w, "ask_unsaved", lambda: "save")
    assert w.close()
    meta, fids, _g, fields = pyogrio.raw.read(scene.parent / "district.gpkg",
                                              layer="buildings", return_fids=True)
    oid = int(w.scene.layer(BUILDINGS).table.oid[0])
    assert fields[list(meta["fields"]).index("名称")][list(fids).index(oid)] == "问一下"


def test_journal_restore_offered_after_crash(main_window, qtbot, scene, monkeypatch):
    w = main_window([scene])
    w.scene.selection.select(BUILDINGS, [7])
    w.edits.autosave_timer.setInterval(100)
    assert w.set_field_for_selection("名称", "崩溃前的修改")
    journal = scene.with_name("scene.toml.journal")
    qtbot.waitUntil(journal.exists, timeout=5000)
    kept = journal.read_bytes()
    assert w.close()  # discards: the journal goes with it
    assert not journal.exists()
    journal.write_bytes(kept)  # as a crash would have left it
    offered = []
    monkeypatch.setattr(MainWindow, "ask_restore",
                        lambda self, j: offered.append(len(j.steps)) or True)
    w2 = main_window([scene])
    assert offered == [1]
    layer = w2.scene.layer(BUILDINGS)
    assert layer.table.df["名称"].iat[7] == "崩溃前的修改"
    assert w2.isWindowModified() and w2.edits.undo_stack.count() == 1


def test_add_object_by_click_and_delete(main_window, qtbot, scene, monkeypatch, artifacts):
    w = main_window([scene])
    layer = w.scene.layer(FURNITURE)
    n = len(layer)
    w.attribute_table.show_layer(FURNITURE)
    monkeypatch.setattr(w, "ask_class", lambda lyr, choices: "垃圾桶")
    w.add_object_action.trigger()
    b = w.scene.bounds()
    x, y = (b[0] + b[3]) / 2 + 3.0, (b[1] + b[4]) / 2 + 3.0
    terrain = w.viewport.view.terrain()  # the demo stands on its DEM: aim at the ground
    target = (x, y, float(terrain.height_at(x, y)) if terrain is not None else 0.0)
    w.viewport.view.frame((target[0] - 40, target[1] - 40, target[2],
                           target[0] + 40, target[1] + 40, target[2] + 5))
    pos = w.viewport.qt_pos(w.viewport.view.world_to_display(target))
    qtbot.mouseClick(w.viewport.interactor, Qt.LeftButton, pos=QPoint(*pos))
    qtbot.waitUntil(lambda: len(layer) == n + 1, timeout=5000)
    assert layer.table.df["类别"].iat[-1] == "垃圾桶"
    xyz = layer.batches[-1].points[-1]
    assert np.hypot(xyz[0] - target[0], xyz[1] - target[1]) < 2.0
    assert w.scene.selection.rows(FURNITURE).tolist() == [n]
    save_window(w, artifacts / "editing_added_bin.png")
    w.add_object_action.trigger()
    _activate(qtbot, w)
    w.viewport.interactor.setFocus()
    qtbot.keyClick(w.viewport.interactor, Qt.Key_Delete)
    qtbot.waitUntil(lambda: len(layer) == n, timeout=3000)
    assert w.edits.undo_stack.count() == 2
    w.edits.undo_stack.undo()
    assert len(layer) == n + 1


def test_move_tool_moves_the_selected_object_and_undo_puts_it_back(main_window, qtbot,
                                                                   scene, artifacts):
    w = main_window([scene])
    layer = w.scene.layer(FURNITURE)
    row = 10
    w.scene.selection.select(FURNITURE, [row])
    batch = next(b for b in layer.batches if b.rows is not None and (b.rows == row).any())
    before = batch.points[batch.rows == row][0].copy()
    w.move_object_action.trigger()
    assert w.viewport.placing
    w.viewport.view.frame((*(before - 40), *(before + 40)))  # close up: a pixel is ~10 cm
    # click the ground 30 m east of the object: the pixel comes from the camera
    target = before + np.array([30.0, 0.0, 0.0])
    pos = w.viewport.qt_pos(w.viewport.view.world_to_display(target))
    qtbot.mouseClick(w.viewport.interactor, Qt.LeftButton, pos=QPoint(*pos))
    qtbot.waitUntil(lambda: not np.allclose(batch.points[batch.rows == row][0], before),
                    timeout=5000)
    moved = batch.points[batch.rows == row][0]
    assert np.linalg.norm(moved[:2] - target[:2]) < 1.0  # within a pixel's footprint
    # it keeps its height above the ground: on the demo's terrain it stands on the
    # ground where it was put, as reopening the saved table would set it
    terrain = w.viewport.view.ground.terrain_layer().terrain
    above = before[2] - float(terrain.height_at(before[0], before[1]))
    assert moved[2] == pytest.approx(float(terrain.height_at(moved[0], moved[1])) + above,
                                     abs=1e-6)
    assert "Move" in w.undo_action.text()
    save_window(w, artifacts / "editing_moved_object.png")
    w.undo_action.trigger()  # Edit > Undo (its Ctrl+Z is tested with the table's edits)
    qtbot.waitUntil(lambda: np.allclose(batch.points[batch.rows == row][0], before),
                    timeout=5000)
    w.move_object_action.trigger()
    assert not w.viewport.placing
