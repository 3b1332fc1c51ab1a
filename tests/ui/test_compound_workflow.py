"""Issue 5's "done when": a planner selects a compound in two clicks and gets its
households, residents and the special-care list, as a chart and an export."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QInputDialog, QToolButton

from tests.conftest import save_window
from twinviewer.core.query import footprint
from twinviewer.io.scene_file import read_scene_file

pytestmark = pytest.mark.gui

COMPOUND = 2  # a compound of the demo with special-care residents


def _ground_pixel_of(w, row):
    """A display pixel where the compound's own ground (not a building on it) is drawn."""
    view = w.viewport.view
    area = footprint(w.scene.layer("小区"), row)
    x0, y0, x1, y1 = area.bounds
    for fx in np.linspace(0.1, 0.9, 9):
        for fy in np.linspace(0.1, 0.9, 9):
            p = (x0 + fx * (x1 - x0), y0 + fy * (y1 - y0))
            if not area.contains(shapely.Point(p)):
                continue
            d = view.world_to_display((*p, 0.3))
            hit = view.pick(*d)
            if hit is not None and hit[0].name == "小区" and hit[1] == row:
                return d
    raise AssertionError("no visible ground of the compound")


def test_compound_in_two_clicks_gives_households_residents_and_who_needs_help(
        main_window, qtbot, tmp_path, artifacts):
    w = main_window(size=(1600, 1000))
    tools = w.analysis
    compounds = w.scene.layer("小区")
    view = w.viewport.view
    view.frame(compounds.row_bounds([COMPOUND]), context=1.6)
    w.viewport.plotter.render()
    target = _ground_pixel_of(w, COMPOUND)
    # click 1: the "Select inside" tool button; click 2: the compound's ground in 3D
    button = next(b for b in w.findChildren(QToolButton)
                  if b.defaultAction() is tools.inside_action)
    qtbot.mouseClick(button, Qt.LeftButton)
    assert tools.inside_action.isChecked()
    qtbot.mouseClick(w.viewport.interactor, Qt.LeftButton,
                     pos=QPoint(*w.viewport.qt_pos(target)))
    qtbot.waitUntil(lambda: len(w.scene.selection.rows("建筑")) > 0, timeout=5000)
    panel = tools.summary
    qtbot.waitUntil(lambda: panel.summary.objects == w.scene.selection.count(), timeout=5000)
    # households and residents of the compound: its buildings' sums equal its own figures
    c = compounds.table.df.iloc[COMPOUND]
    b = w.scene.layer("建筑").table.df.iloc[w.scene.selection.rows("建筑")]
    assert set(b["小区"]) == {c["名称"]}
    assert panel.summary.sums["户数"] == b["户数"].sum() == c["户数"]
    assert panel.summary.sums["人口"] == b["人口"].sum() == c["人口"]
    assert f"{int(c['人口']):,}" in panel.figures.text()
    # who needs help: the scene's first saved filter, residents of this compound only
    saved = panel.filter_box.currentData()
    assert saved is not None and saved.layer == "重点人群"
    people = w.scene.layer("重点人群").table.df
    inside = people.iloc[w.scene.selection.rows("重点人群")]
    expected = inside[(inside["独居"] == 1) | (inside["残疾"] == 1) | (inside["年龄"] >= 80)]
    assert len(expected) > 0
    assert panel.help_table["oid"].tolist() == expected["oid"].tolist()
    assert panel.help_table["地址"].str.startswith(str(c["地址"])).all()
    assert panel.help_model.rowCount() == len(expected)
    # names, ID numbers and phones are masked in the list
    assert not set(panel.help_table["姓名"]) & set(expected["姓名"])
    # a chart of the classes, and the exports
    assert panel.figure.axes and len(panel.figure.axes[0].patches) > 0
    panel.export_xlsx(tmp_path / "小区.xlsx")
    sheets = pd.read_excel(tmp_path / "小区.xlsx", sheet_name=None)
    assert len(sheets["对象"]) == w.scene.selection.count()
    panel.export_report(tmp_path / "小区.pdf")
    assert (tmp_path / "小区.pdf").read_bytes().startswith(b"%PDF")
    tools.inside_action.setChecked(False)
    w.analysis.summary_dock.raise_()
    qtbot.wait(100)
    save_window(w, artifacts / "compound_two_clicks.png")


def test_a_filter_saved_from_the_table_is_listed_and_kept_in_the_scene_file(
        main_window, qtbot, monkeypatch):
    w = main_window()
    w.attribute_table.show_layer("重点人群")
    bar = w.attribute_table.query_bar
    bar.set_text("年龄 >= 90")
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("九十岁以上", True))
    qtbot.mouseClick(bar.save_button, Qt.LeftButton)
    panel = w.analysis.summary
    assert panel.filter_box.currentData().name == "九十岁以上"
    spec = read_scene_file(w.scene.path)
    assert [(f.name, f.layer, f.expression) for f in spec.filters][-1] == (
        "九十岁以上", "重点人群", "年龄 >= 90")
    # a broken expression is not saved
    bar.edit.setText("年龄 >=")
    qtbot.mouseClick(bar.save_button, Qt.LeftButton)
    assert len(read_scene_file(w.scene.path).filters) == len(spec.filters)
    assert bar.error.isVisible()
