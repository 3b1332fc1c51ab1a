"""Table sorting: ObjectTableModel.sort (numpy order) vs QSortFilterProxyModel."""

from __future__ import annotations

import pandas as pd

from benchmarks.common import median, now


def app():
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication([])


def pick_columns(layer) -> tuple[str | None, str | None]:
    """A text column and a numeric column of the layer (not ``oid``)."""
    df = layer.table.df
    text = numeric = None
    for name in df.columns[1:]:
        if numeric is None and pd.api.types.is_numeric_dtype(df[name]):
            numeric = name
        elif text is None and pd.api.types.is_string_dtype(df[name]):
            text = name
    if numeric is None:
        numeric = df.columns[0]  # no numeric attribute: fall back to the oid column
    return text, numeric


def measure(layer, repeat: int, proxy: bool) -> dict:
    from PySide6.QtCore import QSortFilterProxyModel, Qt

    from twinviewer.ui.table_model import ObjectTableModel

    app()
    model = ObjectTableModel(layer)
    cols = list(layer.table.df.columns)
    text, numeric = pick_columns(layer)
    out: dict = {"layer": layer.name, "rows": len(layer)}
    for label, name in (("text", text), ("numeric", numeric)):
        if name is None:
            continue
        col = cols.index(name)
        times = []
        for i in range(repeat):
            order = Qt.AscendingOrder if i % 2 == 0 else Qt.DescendingOrder
            t = now()
            model.sort(col, order)
            times.append(now() - t)
        out[f"{label}_column"] = name
        out[f"{label}_ms"] = median(times) * 1e3
        if proxy:
            times = []
            for i in range(max(1, min(repeat, 2))):
                px = QSortFilterProxyModel()
                px.setSourceModel(model)
                order = Qt.AscendingOrder if i % 2 == 0 else Qt.DescendingOrder
                t = now()
                px.sort(col, order)
                times.append(now() - t)
                px.setSourceModel(None)
            out[f"{label}_proxy_ms"] = median(times) * 1e3
    out["proxy_measured"] = proxy
    return out
