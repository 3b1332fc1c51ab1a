"""Sensitive fields in the window: masked in table, inspector, summary and its exports until
View > Show sensitive fields… is checked with a purpose; each unmasking is logged once."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog

from tests.conftest import save_window
from twinviewer.core import privacy
from twinviewer.store import GeoPackageStore

pytestmark = pytest.mark.gui
pypdf = pytest.importorskip("pypdf")

SENSITIVE = ["姓名", "身份证号", "电话"]


def _select_compound_with_residents(w):
    compounds = w.scene.layer("小区")
    for row in range(len(compounds)):
        rows = w.analysis.select_inside("小区", row)
        if len(rows.get("重点人群", [])) >= 3:
            return rows
    raise AssertionError("no compound with special-care residents")


def _column(model, name):
    return [str(model.headerData(c, Qt.Horizontal)) for c in range(model.columnCount())
            ].index(name)


def _shown(model, column):
    return [model.data(model.index(r, column)) for r in range(model.rowCount())]


def _label_texts(w, layer) -> list[str]:
    return w.viewport.view.labels[layer].texts.tolist()


def test_masked_until_unmasked_with_a_purpose(main_window, qtbot, tmp_path, monkeypatch,
                                              artifacts):
    w = main_window()
    tools = w.privacy
    layer = w.scene.layer("重点人群")
    store = GeoPackageStore(layer.source)
    assert Path(layer.source).parent != Path(__file__).parents[2] / "scenes" / "demo"
    assert layer.sensitive == set(SENSITIVE)
    assert tools.show_action in w.view_menu.actions()
    assert not tools.show_action.isChecked() and tools.indicator.isHidden()
    df = layer.table.df
    real = {f: df[f].astype(str).tolist() for f in SENSITIVE}

    # 3D labels of a sensitive field show masked text
    layer.style["label"] = "姓名"
    w.analysis.set_style(layer, layer.style, save=False)
    labelled = _label_texts(w, layer)
    assert labelled and all(t.endswith("*") for t in labelled)
    assert not set(labelled) & set(real["姓名"])

    # attribute table: masked cells, not editable, not searchable
    w.attribute_table.show_layer("重点人群")
    model = w.attribute_table.model
    assert model.layer is layer
    for f in SENSITIVE:
        col = _column(model, f)
        shown = _shown(model, col)
        assert all("*" in s for s in shown) and not set(shown) & set(real[f])
        assert not model.flags(model.index(0, col)) & Qt.ItemIsEditable
    age = _column(model, "年龄")
    assert model.flags(model.index(0, age)) & Qt.ItemIsEditable
    # typing in the search box filters after a short pause: a masked value finds nothing
    w.attribute_table.search.setText(real["身份证号"][0])
    qtbot.waitUntil(lambda: model.rowCount() == 0, timeout=5000)
    w.attribute_table.search.setText("")
    qtbot.waitUntil(lambda: model.rowCount() == len(layer), timeout=5000)
    bar = w.attribute_table.query_bar
    probe = f"年龄 > 0 and 姓名 = '{real['姓名'][0]}'"
    assert not bar.set_text(probe)  # a filter on a masked field is refused, with where
    assert "姓名" in bar.error.text() and "Column 12" in bar.error.text()
    assert bar.mask is None and model.rowCount() == len(layer)
    assert bar.set_text("独居 = 1 and 年龄 >= 80") and 0 < model.rowCount() < len(layer)
    bar.set_text("")

    # summary: figures, the who-needs-help list and the exports, all masked
    rows = _select_compound_with_residents(w)
    panel = w.analysis.summary
    box = panel.filter_box
    box.setCurrentIndex([box.itemData(i).layer for i in range(box.count())].index("重点人群"))
    panel.refresh()
    inspector_fields = w.inspector.model
    w.scene.selection.select("重点人群", rows["重点人群"][:1])
    w.inspector.refresh()
    values = {inspector_fields.data(inspector_fields.index(i, 0)):
              inspector_fields.data(inspector_fields.index(i, 1))
              for i in range(inspector_fields.rowCount())}
    first = int(rows["重点人群"][0])
    for f in SENSITIVE:
        assert values[f] != real[f][first] and "*" in values[f]
    assert values["年龄"] == str(df["年龄"].iat[first])
    w.analysis.select_inside("小区", 0)  # back to a compound for the exports
    rows = _select_compound_with_residents(w)
    panel.refresh()
    table = panel.table()
    mine = table[table["图层"] == "重点人群"]
    assert len(mine) == len(rows["重点人群"])
    for f in SENSITIVE:
        assert not set(mine[f].astype(str)) & set(real[f])
    panel.export_csv(tmp_path / "s.csv")
    back = pd.read_csv(tmp_path / "s.csv", encoding="utf-8-sig")
    assert list(back.columns) == list(table.columns) and len(back) == len(table)
    res = back[back["图层"] == "重点人群"]
    for f in SENSITIVE:
        assert res[f].astype(str).tolist() == mine[f].astype(str).tolist()
    panel.export_xlsx(tmp_path / "s.xlsx")
    x = pd.read_excel(tmp_path / "s.xlsx", sheet_name="对象")
    for f in SENSITIVE:
        assert x.loc[x["图层"] == "重点人群", f].astype(str).tolist() == \
            mine[f].astype(str).tolist()
    panel.export_report(tmp_path / "r.pdf")
    reader = pypdf.PdfReader(tmp_path / "r.pdf")
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    listed = set(panel.help_table["oid"].head(15)) if len(panel.help_table) else \
        set(mine["oid"].head(15))
    for f in ("身份证号", "电话"):
        for v in df.loc[df["oid"].isin(listed), f]:
            assert str(v) not in text

    # a refused purpose changes nothing and logs nothing
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("", False))
    tools.show_action.trigger()
    assert not tools.show_action.isChecked() and store.access_log() == []
    assert "*" in _shown(model, _column(model, "姓名"))[0]

    # the explicit action with a purpose: real values everywhere, one log row
    asked = []

    def answer(*args, **kwargs):
        asked.append(args)
        return "核对独居高龄老人上门服务名单", True

    monkeypatch.setattr(QInputDialog, "getText", answer)
    tools.show_action.trigger()
    assert len(asked) == 1 and "姓名" in asked[0][2]
    assert tools.show_action.isChecked() and tools.indicator.isVisible()
    log = store.access_log()
    assert len(log) == 1 and log[0].purpose == "核对独居高龄老人上门服务名单"
    assert log[0].layer == "residents" and sorted(log[0].fields) == sorted(SENSITIVE)
    w.attribute_table.show_layer("重点人群")
    model = w.attribute_table.model
    assert w.attribute_table.query_bar.set_text(probe) and model.rowCount() >= 1
    w.attribute_table.query_bar.set_text("")
    order = model.table_rows(np.arange(model.rowCount()))
    assert _shown(model, _column(model, "身份证号")) == [real["身份证号"][r] for r in order]
    table = panel.table()
    mine = table[table["图层"] == "重点人群"]
    assert mine["身份证号"].tolist() == [real["身份证号"][r] for r in rows["重点人群"]]
    panel.export_csv(tmp_path / "real.csv")
    back = pd.read_csv(tmp_path / "real.csv", encoding="utf-8-sig", dtype=str)
    assert back.loc[back["图层"] == "重点人群", "姓名"].tolist() == mine["姓名"].tolist()
    labelled = _label_texts(w, layer)
    assert labelled and set(labelled) <= set(real["姓名"])  # labels drawn anew, unmasked
    save_window(w, artifacts / "sensitive_unmasked.png")

    # unchecking masks again, without another log row
    tools.show_action.trigger()
    assert not tools.show_action.isChecked() and tools.indicator.isHidden()
    assert privacy.STATE.masked_fields(layer) == layer.sensitive
    assert "*" in _shown(model, _column(model, "姓名"))[0]
    assert len(store.access_log()) == 1
    assert all(t.endswith("*") for t in _label_texts(w, layer))
