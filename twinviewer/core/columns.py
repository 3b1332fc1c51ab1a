"""Column dtype helpers: values typed for a pandas column, widened when they do not fit.

The edit commands, the stores' readers and live updates share them, so that a value
lands in a column the same way whichever path writes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from twinviewer.core.fields import FieldType, is_missing


def plain_value(v: Any) -> Any:
    """A cell value as a plain Python value (``None`` for missing)."""
    if v is None:
        return None
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, pd.Timestamp):
        return v.isoformat()
    return v




def plain_values(values: np.ndarray | pd.Series | Sequence) -> list:
    """Column values as plain Python values, ``None`` for missing (for logs and JSON)."""
    if isinstance(values, pd.Series):
        arr = values.to_numpy()
    elif isinstance(values, np.ndarray):
        arr = values
    else:
        arr = np.asarray(values, dtype=object)
    if arr.dtype.kind == "f":
        out = arr.astype(object)
        out[np.isnan(arr)] = None
        return out.tolist()
    if arr.dtype.kind == "M":
        return [None if np.isnat(v) else str(v) for v in arr]
    out = arr.tolist()
    if arr.dtype.kind == "O":
        return [None if is_missing(v) else v for v in out]
    return out


def fit_values(dtype, values: np.ndarray) -> np.ndarray | None:
    """``values`` (object array of canonical values) typed for a column of ``dtype``.

    ``None`` when the column cannot hold them without changing its dtype.
    """
    missing = np.fromiter((v is None for v in values), bool, len(values))
    kind = getattr(dtype, "kind", "O")
    if isinstance(dtype, pd.StringDtype):
        if all(isinstance(v, str) for v in values[~missing]):
            return values
        return None
    if kind in "iu":
        if missing.any() or not all(isinstance(v, int) and not isinstance(v, bool)
                                    for v in values):
            return None
        try:
            out = np.array(values.tolist(), dtype=dtype)
        except (OverflowError, ValueError):
            return None
        return out
    if kind == "f":
        if not all(isinstance(v, int | float) and not isinstance(v, bool)
                   for v in values[~missing]):
            return None
        wide = np.where(missing, np.nan, values).astype(np.float64)
        out = wide.astype(dtype)
        if not np.array_equal(out.astype(np.float64), wide, equal_nan=True):
            return None  # float32 would round the value
        return out
    if kind == "b":
        if missing.any() or not all(isinstance(v, bool) for v in values):
            return None
        return values.astype(bool)
    if kind == "O":
        return values
    return None


def widen_column(series: pd.Series, values: np.ndarray) -> pd.Series:
    """A copy of ``series`` in a dtype that holds both its values and ``values``."""
    kind = getattr(series.dtype, "kind", "O")
    present = [v for v in values if v is not None]
    numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in present)
    small = all(abs(v) <= 2**53 for v in present if isinstance(v, int))
    if kind in "iuf" and numeric and small:
        return series.astype(np.float64)
    return pd.Series(series.to_numpy(dtype=object), index=series.index, dtype=object,
                     name=series.name)


def typed_column(field_type: FieldType, value: Any, n: int) -> pd.Series:
    """A new column of ``n`` equal values in the dtype readers use for the type."""
    kind = field_type.kind
    if kind == "int":
        return pd.Series(np.full(n, np.nan) if value is None else np.full(n, value, np.int64))
    if kind == "real":
        return pd.Series(np.full(n, np.nan if value is None else value, np.float64))
    if kind == "bool" and value is not None:
        return pd.Series(np.full(n, value, bool))
    return pd.Series(np.full(n, value, dtype=object), dtype=object)


def append_value(series: pd.Series, value: Any) -> pd.Series:
    """``series`` with one more value at the end (dtype widened only when needed)."""
    one = np.array([value], dtype=object)
    fitted = fit_values(series.dtype, one)
    if fitted is None:
        series = widen_column(series, one)
        fitted = fit_values(series.dtype, one)
    tail = pd.Series(fitted, dtype=series.dtype, index=[len(series)])
    return pd.concat([series, tail])


def set_cell(df: pd.DataFrame, row: int, column: str, value: Any) -> None:
    """Write one value into ``df`` in place, widening the column's dtype when needed."""
    j = int(df.columns.get_loc(column))
    one = np.array([value], dtype=object)
    fitted = fit_values(df[column].dtype, one)
    if fitted is None:
        wide = widen_column(df[column], one)
        wide.iloc[row] = fit_values(wide.dtype, one)[0]
        df[column] = wide
    else:
        df.iloc[row, j] = fitted[0]


def share_repeated_text(df: pd.DataFrame, min_rows: int = 256) -> None:
    """Make equal text cells of each column one Python object, in place.

    A reader gives every cell its own ``str`` (pyogrio, PostGIS rows): 76,000
    street-furniture rows hold 76,000 copies of a handful of unit and road names,
    ~60-90 bytes each. Sharing one object per distinct value keeps the dtype,
    the values and every code that reads or edits them as they were (strings are
    immutable; an edit writes a new object into its cell) and frees the copies.
    Columns whose values are mostly distinct are left alone.
    """
    if len(df) < min_rows:
        return
    for name in df.columns:
        col = df[name]
        if not isinstance(col, pd.Series) or not (
                col.dtype == object or isinstance(col.dtype, pd.StringDtype)):
            continue
        values = col.to_numpy(dtype=object, copy=True)  # the reader's may be read-only
        try:
            codes, uniques = pd.factorize(values)
        except TypeError:  # unhashable cells (lists from a JSON column)
            continue
        if len(uniques) > len(values) // 2:
            continue
        known = codes >= 0
        values[known] = uniques[codes[known]]
        df[name] = pd.Series(values, index=df.index, dtype=col.dtype, name=name)
