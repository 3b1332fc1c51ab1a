"""Filter bar, dimming, styles, legend, spatial selection and the summary in the window."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication

from tests.conftest import pixel, roof_display, save_window
from twinviewer.core.query import footprint

pytestmark = pytest.mark.gui


def _type(widget, text):
    """Chinese arrives from the input method, not as key codes."""
    widget.setFocus()
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def _visible_roof(w, layer_name, rows):
    """The first of ``rows`` whose roof pixel is in the view and shows that very object."""
    h, wd = w.viewport.image().shape[:2]
    for r in rows:
        d = roof_display(w, layer_name, int(r))
        if 0 <= d[0] < wd and 0 <= d[1] < h:
            hit = w.viewport.view.pick(*d)
            if hit is not None and hit[0].name == layer_name and hit[1] == r:
                return int(r)
    return None


def _pixel_of_row(w, layer_name, row):
    """The object's colour on its roof, not that of a label drawn over it."""
    return pixel(w, roof_display(w, layer_name, row), labels=False)


def test_filter_expression_filters_table_and_dims_3d(main_window, qtbot, artifacts):
    w = main_window()
    table = w.attribute_table
    table.show_layer("建筑")
    layer = w.scene.layer("建筑")
    heights = layer.table.column("高度").astype(float)
    tall = int(np.nanargmax(heights))
    # a low building the filter leaves out, whose roof is in view and drawn (not hidden
    # behind a taller one or the hill): the first of the lowest that picks itself
    low = _visible_roof(w, "建筑", np.argsort(np.where(heights < 30, heights, np.inf))[:60])
    assert low is not None
    bar = table.query_bar
    bright_before = _pixel_of_row(w, "建筑", low)
    _type(bar.edit, "高度 >= 30 and 类别 = '住宅楼'")
    qtbot.keyClick(bar.edit, Qt.Key_Return)
    df = layer.table.df
    expected = np.nonzero(((df["高度"] >= 30) & (df["类别"] == "住宅楼")).to_numpy())[0]
    qtbot.waitUntil(lambda: table.model.rowCount() == len(expected), timeout=3000)
    assert sorted(table.model.table_rows(np.arange(len(expected))).tolist()) == \
        expected.tolist()
    assert tall in expected
    dimmed = _pixel_of_row(w, "建筑", low)
    # faded towards light grey: changed, and less saturated
    assert np.abs(dimmed - bright_before).sum() > 20, (dimmed, bright_before)
    assert np.ptp(dimmed) < np.ptp(bright_before), (dimmed, bright_before)
    save_window(w, artifacts / "filter_dimmed.png")
    bar.select_button.click()
    assert w.scene.selection.rows("建筑").tolist() == expected.tolist()
    bar.edit.clear()
    qtbot.waitUntil(lambda: table.model.rowCount() == len(layer), timeout=3000)
    assert np.abs(_pixel_of_row(w, "建筑", low) - bright_before).sum() < 40 or \
        w.scene.selection.count()


def test_invalid_expression_shows_where(main_window, qtbot):
    w = main_window()
    bar = w.attribute_table.query_bar
    w.attribute_table.show_layer("安全隐患")
    assert not bar.set_text("状态 != 已办结")
    assert bar.error.isVisible() and "7" in bar.error.text()
    assert bar.edit.cursorPosition() == 6
    assert w.attribute_table.model.rowCount() == len(w.scene.layer("安全隐患"))
    assert bar.set_text("状态 != '已办结'")
    df = w.scene.layer("安全隐患").table.df
    assert w.attribute_table.model.rowCount() == int((df["状态"] != "已办结").sum())
    assert not bar.error.isVisible()


def test_field_completion_inserts_field(main_window, qtbot):
    w = main_window()
    w.attribute_table.show_layer("人口")
    bar = w.attribute_table.query_bar
    _type(bar.edit, "独居")
    assert bar.completer.completionCount() >= 1
    assert bar.completer.currentCompletion() == "独居老人"
    bar.insert_field("独居老人")
    assert bar.text() == "独居老人"


def test_graduated_style_colours_and_legend(main_window, qtbot, artifacts):
    w = main_window()
    layer = w.scene.layer("建筑")
    assert layer.style.get("method") == "quantile"  # the demo ships it
    legend = w.analysis.legend.entries()
    assert len(legend["建筑"]) == 5 and set(legend["安全隐患"]) >= {("待处理", "#e0393e")}
    row = int(np.nanargmax(layer.table.column("高度").astype(float)))
    w.analysis.set_style(layer, {"by": "类别", "categories": {
        str(layer.table.df["类别"].iat[row]): "#0000ff"}})
    px = _pixel_of_row(w, "建筑", row)
    assert px[2] > 120 and px[0] < 90, px
    assert w.analysis.legend.entries()["建筑"] == [(str(layer.table.df["类别"].iat[row]),
                                                   "#0000ff")]
    save_window(w, artifacts / "style_categorized.png")


def test_rectangle_and_inside_selection(main_window, qtbot, tmp_path, artifacts):
    w = main_window()
    tools = w.analysis
    area = footprint(w.scene.layer("小区"), 2)
    rows = tools.select_inside("小区", 2)
    assert w.scene.selection.rows("建筑").tolist() == rows["建筑"].tolist()
    assert len(rows["建筑"]) > 0 and len(rows["人口"]) > 0
    # the summary follows the selection
    qtbot.waitUntil(lambda: tools.summary.summary.objects == w.scene.selection.count(),
                    timeout=3000)
    b = w.scene.layer("建筑").table.df.iloc[rows["建筑"]]
    assert tools.summary.summary.sums["人口"] == b["人口"].sum()
    assert len(tools.summary.help_table) > 0
    tools.summary.export_xlsx(tmp_path / "s.xlsx")
    assert len(pd.read_excel(tmp_path / "s.xlsx", sheet_name="对象")) == \
        w.scene.selection.count()
    tools.summary.export_report(tmp_path / "r.png")
    assert (tmp_path / "r.png").stat().st_size > 10_000
    save_window(w, artifacts / "compound_summary.png")
    # rectangle on the ground around the compound's bounds, dragged in the 3D view
    x0, y0, x1, y1 = area.bounds
    view = w.viewport.view
    d0 = view.world_to_display((x0 - 1, y0 - 1, 0))
    d1 = view.world_to_display((x1 + 1, y1 + 1, 0))
    tools.rectangle_action.setChecked(True)
    qtbot.mousePress(w.viewport.interactor, Qt.LeftButton, pos=QPoint(*w.viewport.qt_pos(d0)))
    qtbot.mouseMove(w.viewport.interactor, QPoint(*w.viewport.qt_pos(d1)))
    qtbot.mouseRelease(w.viewport.interactor, Qt.LeftButton, pos=QPoint(*w.viewport.qt_pos(d1)))
    qtbot.waitUntil(lambda: w.scene.selection.count() > 0, timeout=3000)
    tools.rectangle_action.setChecked(False)
    assert set(rows["建筑"].tolist()) <= set(w.scene.selection.rows("建筑").tolist())
    near = tools.select_near(30.0)
    assert len(near) and w.scene.selection.count() >= len(rows["建筑"])


def test_polygon_drawn_at_pixels_selects_the_footprints_it_contains(main_window, qtbot,
                                                                      artifacts):
    import pyogrio
    import shapely
    from PySide6.QtCore import QPoint, Qt

    from tests.conftest import DEMO_SCENE

    w = main_window()
    view = w.viewport.view
    compounds = w.scene.layer("小区")
    b = compounds.row_bounds([0])
    cx, cy = (b[0] + b[3]) / 2, (b[1] + b[4]) / 2
    view.frame((cx - 120, cy - 120, 0, cx + 120, cy + 120, 20))
    corners = [(b[0] - 2, b[1] - 2), (b[3] + 2, b[1] - 2), (b[3] + 2, b[4] + 2),
               (b[0] - 2, b[4] + 2)]
    displays = [view.world_to_display((x, y, 0.0)) for x, y in corners]
    w.analysis.polygon_action.trigger()
    for d in displays:
        qtbot.mouseClick(w.viewport.interactor, Qt.LeftButton,
                         pos=QPoint(*w.viewport.qt_pos(d)))
    qtbot.waitUntil(lambda: len(w.analysis.polygon_points) == 4, timeout=3000)
    # the user's polygon: the ground under the pixels actually clicked
    drawn = shapely.Polygon([p[:2] for p in w.analysis.polygon_points])
    save_window(w, artifacts / "polygon_drawn.png")
    w.analysis.finish_polygon_action.trigger()  # Enter
    # independent oracle: the GeoPackage footprints, moved by the scene origin
    meta, _, wkb, fields = pyogrio.raw.read(DEMO_SCENE.parent / "district.gpkg",
                                          layer="buildings")
    foot = shapely.transform(shapely.from_wkb(wkb), lambda xy: xy - w.scene.origin[:2])
    expected = np.nonzero(shapely.contains(drawn, foot))[0]
    assert len(expected) > 0
    assert w.scene.selection.rows("建筑").tolist() == expected.tolist()
    assert not w.analysis.polygon_points and w.viewport._outline is None
    save_window(w, artifacts / "polygon_selected.png")
    w.analysis.polygon_action.trigger()
    assert not w.viewport.polygon_mode


def test_style_dialog_labels_sizes_and_saves_into_the_scene_file(main_window, qtbot,
                                                                 artifacts):
    from PySide6.QtCore import QTimer

    from twinviewer.io.scene_file import read_scene_file
    from twinviewer.ui.style_dialog import StyleDialog

    w = main_window()
    view = w.viewport.view
    compounds = w.scene.layer("小区")
    assert compounds in view.labels  # the demo ships compound names
    assert view.labels[compounds].count == len(compounds)
    population = w.scene.layer("人口")
    seen = {}

    def fill(expr, size_by=None, close=True):
        dialog = next(d for d in QApplication.topLevelWidgets()
                      if isinstance(d, StyleDialog) and d.isVisible())
        dialog.label.setCurrentText(expr)
        if size_by:
            dialog.size_by.setCurrentIndex(dialog.size_by.findData(size_by))
        seen["dialog"] = dialog
        dialog.accept()
        seen["error"] = dialog.error.text()
        if close and dialog.isVisible():
            dialog.reject()

    # a broken expression: the dialog says where it fails and stays open
    QTimer.singleShot(200, lambda: fill("楼栋 || '（' ||"))
    assert w.analysis.edit_style(population) is False
    assert "ends too early" in seen["error"] or "column" in seen["error"]
    # a good one, with size by residents
    QTimer.singleShot(200, lambda: fill("楼栋 || '：' || 人口 || '人'", size_by="人口"))
    assert w.analysis.edit_style(population) is True
    assert population.style["label"] == "楼栋 || '：' || 人口 || '人'"
    assert population.style["size_by"] == "人口"
    labels = view.labels[population]
    row = 0
    text = f"{population.table.df['楼栋'].iat[row]}：{population.table.df['人口'].iat[row]}人"
    assert text in labels.texts.tolist()
    # written into the scene file; a fresh read gives the same style
    spec = read_scene_file(w.scene.path)
    entry = next(e for e in spec.layers if e.name == "人口")
    assert entry.style["label"] == population.style["label"]
    assert entry.style["size_by"] == "人口"
    save_window(w, artifacts / "labels_and_sizes.png")


def test_opacity_from_the_slider_is_kept_in_the_scene_file(main_window, qtbot):
    from twinviewer.io.scene_file import read_scene_file

    w = main_window()
    panel = w.layer_panel
    layer = panel.current_layer()
    assert layer is not None
    panel.opacity.setValue(40)
    assert layer.opacity == pytest.approx(0.4)
    qtbot.waitUntil(lambda: next(e for e in read_scene_file(w.scene.path).layers
                                 if e.name == layer.name).opacity == pytest.approx(0.4),
                    timeout=5000)
