"""Attribute table: ObjectTableModel.sort and set_filter on the biggest layer."""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmarks.common import now
from benchmarks.figures import stats


def app():
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication([])


def sort_column(df: pd.DataFrame) -> tuple[str, str]:
    """A numeric attribute column if the table has one (not ``oid``), else a text one."""
    cols = [c for c in df.columns if c != "oid"]
    for name in cols:
        if pd.api.types.is_numeric_dtype(df[name]) and not pd.api.types.is_bool_dtype(df[name]):
            return name, "numeric"
    # the text column with the most distinct values: the hardest sort
    text = [c for c in cols if not pd.api.types.is_numeric_dtype(df[c])]
    if text:
        return max(text, key=lambda c: df[c].nunique()), "text"
    return df.columns[0], "numeric"


def filter_mask(df: pd.DataFrame) -> tuple[np.ndarray, str]:
    """A boolean mask from a pandas comparison that keeps some, not all, rows."""
    for name in df.columns:
        if name == "oid":
            continue
        s = df[name]
        if pd.api.types.is_numeric_dtype(s):
            value = s.median()
            return (s > value).to_numpy(dtype=bool), f"{name} > {value:g}"
        counts = s.value_counts()
        if 1 < len(counts) < len(s):
            value = counts.index[0]
            return (s == value).to_numpy(dtype=bool), f"{name} == {value!r}"
    s = df[df.columns[0]]
    return (s > s.median()).to_numpy(dtype=bool), f"{df.columns[0]} > median"


def wide_layer(layer, rows: int, columns: int = 20, seed: int = 1):
    """The table the issue asks for: ``rows`` x ``columns``, made from the layer's own
    columns (rows drawn with replacement, columns repeated with a suffix, plus a
    numeric reading so a numeric sort is measured too)."""
    from twinviewer.core.layer import Layer
    from twinviewer.core.table import ObjectTable

    rng = np.random.default_rng(seed)
    src = layer.table.df.drop(columns=["oid"])
    picked = src.iloc[rng.integers(0, len(src), rows)].reset_index(drop=True)
    data = {"读数": rng.normal(50.0, 15.0, rows)}
    k = 0
    while len(data) < columns - 1:  # oid is the 20th
        for name in picked.columns:
            if len(data) >= columns - 1:
                break
            data[f"{name}_{k}" if k else name] = picked[name].to_numpy()
        k += 1
    return Layer(f"{layer.name} x{rows}", "vector", ObjectTable(data))


def measure(layer, repeat: int) -> dict:
    from PySide6.QtCore import Qt

    from twinviewer.ui.table_model import ObjectTableModel

    app()
    df = layer.table.df
    model = ObjectTableModel(layer)
    name, kind = sort_column(df)
    col = list(df.columns).index(name)
    runs = max(5, 2 * repeat)
    times = []
    for i in range(runs):
        order = Qt.AscendingOrder if i % 2 == 0 else Qt.DescendingOrder
        t = now()
        model.sort(col, order)
        times.append(now() - t)
    out = {"table_sort_ms": stats(times, 1e3), "sort_column": f"{name} ({kind})",
           "table_rows": len(df), "table_columns": len(df.columns), "table_layer": layer.name}
    t = now()
    mask, expr = filter_mask(df)
    out["filter_mask_ms"] = (now() - t) * 1e3
    out["filter_expr"] = f"{expr}: {int(mask.sum()):,} of {len(mask):,} rows"
    if not hasattr(model, "set_filter"):
        out["table_filter_ms"] = stats([])
        out["filter_note"] = "ObjectTableModel.set_filter does not exist yet"
        return out
    model.sort(col, Qt.AscendingOrder)  # filtering a sorted view, as in the app
    times = []
    for i in range(runs):
        t = now()
        model.set_filter(mask if i % 2 == 0 else ~mask)
        times.append(now() - t)
    model.set_filter(None)
    out["table_filter_ms"] = stats(times, 1e3)
    return out
