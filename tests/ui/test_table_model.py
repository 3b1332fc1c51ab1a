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


def test_appended_rows_and_columns_are_inserted(qtmodeltester):
    """A streamed scan's features append rows (and new columns) to its table: the model
    inserts them instead of resetting, so the view keeps its selection and scroll."""
    import pandas as pd

    layer = _layer(10)
    model = ObjectTableModel(layer)
    qtmodeltester.check(model)
    inserted, reset = [], []
    model.rowsInserted.connect(lambda _p, a, b: inserted.append(("rows", a, b)))
    model.columnsInserted.connect(lambda _p, a, b: inserted.append(("columns", a, b)))
    model.modelReset.connect(lambda: reset.append(1))
    more = pd.DataFrame({"oid": np.arange(10, 13), "名称": ["甲", "乙", "丙"],
                         "高度": [1.0, 2.0, 3.0], "层数": [1, 2, 3]})
    layer.table.df = pd.concat([layer.table.df, more], ignore_index=True)
    assert model.rows_appended()
    assert inserted == [("columns", 3, 3), ("rows", 10, 12)] and not reset
    assert model.rowCount() == 13 and model.columnCount() == 4
    assert model.data(model.index(11, 1)) == "乙" and model.data(model.index(12, 3)) == "3"
    qtmodeltester.check(model)
    # sorted: appended rows would land out of order, so the caller reloads instead
    model.sort(2, Qt.DescendingOrder)
    layer.table.df = pd.concat([layer.table.df, more.assign(oid=[13, 14, 15])],
                               ignore_index=True)
    assert not model.rows_appended()
    model.reload()
    assert model.rowCount() == 16
    shown = [float(model.data(model.index(i, 2))) for i in range(16)]
    assert shown == sorted(shown, reverse=True)
