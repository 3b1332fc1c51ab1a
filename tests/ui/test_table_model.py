"""The attribute table model is a correct Qt model and sorts with numpy."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

from twinviewer.core import Layer, ObjectTable
from twinviewer.ui.table_model import ObjectTableModel


def _layer(n=500):
    rng = np.random.default_rng(1)
    names = np.array([f"楼{i}" for i in rng.permutation(n)], dtype=object)
    heights = rng.uniform(3, 100, n)
    return Layer("建筑", "vector", ObjectTable({"名称": names, "高度": heights}))


def test_model_passes_qt_model_tester(qtmodeltester):
    model = ObjectTableModel(_layer())
    qtmodeltester.check(model)


def test_sort_maps_view_rows_to_table_rows(qapp):
    layer = _layer()
    model = ObjectTableModel(layer)
    model.sort(2, Qt.DescendingOrder)  # column 0 is oid
    shown = [float(model.data(model.index(i, 2))) for i in range(5)]
    assert shown == sorted(shown, reverse=True)
    top = int(np.argmax(layer.table.column("高度")))
    assert model.table_rows([0]).tolist() == [top]
    assert model.view_rows([top]).tolist() == [0]
    assert model.headerData(1, Qt.Horizontal) == "名称"


def test_filter_and_sort_agree_with_pandas(qapp):
    layer = _layer(2000)
    model = ObjectTableModel(layer)
    df = layer.table.df
    mask = (df["高度"] > 50).to_numpy()
    model.set_filter(mask)
    model.sort(2, Qt.AscendingOrder)
    expected = df[df["高度"] > 50].sort_values("高度", kind="stable").index.to_numpy()
    assert model.rowCount() == mask.sum()
    assert model.table_rows(np.arange(model.rowCount())).tolist() == expected.tolist()
    hidden = int(np.nonzero(~mask)[0][0])
    assert model.view_rows([hidden]).tolist() == [-1]
    model.set_filter(None)
    assert model.rowCount() == len(layer)


def test_search_mask_matches_text_and_numbers():
    layer = _layer(50)
    table = layer.table
    expected = table.df["名称"].str.contains("楼1", regex=False).to_numpy()
    assert table.search_mask("楼1").tolist() == expected.tolist()
    assert table.search_mask("").all()
    assert table.search_mask("7").sum() >= 1  # oid 7 and names containing 7
