"""Layer styles: a categorized style colours each object by the value of one field.

``layer.style`` may hold ``{"by": "<field>", "categories": {"<value>": "#rrggbb"},
"color": "#rrggbb"}``: objects whose field value is a category take its colour,
the others keep the layer's colour (``color``, or the file's or asset's own).
Colours are computed per table row, then indexed per cell or vertex of a piece,
so a recolour after an edit is a few numpy operations, never a rebuild.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from twinviewer.core.layer import Layer
from twinviewer.render.colors import rgba


def category_keys(column: pd.Series) -> np.ndarray:
    """Column values as the text a style's category keys are compared with.

    Whole floats lose their ``.0`` (``3.0`` -> ``"3"``), booleans become
    ``"true"``/``"false"``, missing values ``""``.
    """
    values = column.to_numpy()
    kind = getattr(column.dtype, "kind", "O")
    if kind == "f":
        out = np.full(len(values), "", dtype=object)
        ok = np.isfinite(values)
        whole = ok & (np.mod(values, 1) == 0) & (np.abs(values) < 2**53)
        out[whole] = values[whole].astype(np.int64).astype(str)
        frac = ok & ~whole
        out[frac] = values[frac].astype(str)
        return out
    if kind == "b":
        return np.where(values, "true", "false").astype(object)
    if kind in "iu":
        return values.astype(str).astype(object)
    return column.astype(object).where(column.notna(), "").astype(str).to_numpy(dtype=object)


def row_colors(layer: Layer, style: dict[str, Any] | None = None
               ) -> tuple[np.ndarray, np.ndarray] | None:
    """Per-row RGBA colours of a categorized style and the mask of rows it colours.

    Returns ``None`` when the style is not categorized (no ``by``) or its field
    is missing.

    Examples
    --------
    >>> layer.style = {"by": "类别", "categories": {"住宅": "#ff0000"}}  # doctest: +SKIP
    >>> colors, known = row_colors(layer)  # doctest: +SKIP
    """
    style = layer.style if style is None else style
    field = (style or {}).get("by")
    if not field or field not in layer.table.df.columns:
        return None
    keys = category_keys(layer.table.df[field])
    n = len(keys)
    colors = np.zeros((n, 4), dtype=np.uint8)
    known = np.zeros(n, dtype=bool)
    for value, color in (style.get("categories") or {}).items():
        hit = keys == str(value)
        colors[hit] = rgba(color)
        known |= hit
    return colors, known


def styled_colors(plain: np.ndarray, color_rows: np.ndarray | None,
                  styled: tuple[np.ndarray, np.ndarray] | None) -> np.ndarray:
    """``plain`` colours (per cell or vertex) with a categorized style laid over them."""
    out = np.array(plain, dtype=np.uint8, copy=True)
    if styled is None or color_rows is None or not len(out):
        return out
    colors, known = styled
    rows = np.asarray(color_rows, dtype=np.int64)
    valid = (rows >= 0) & (rows < len(known))
    take = np.zeros(len(rows), dtype=bool)
    take[valid] = known[rows[valid]]
    out[take] = colors[rows[take]]
    return out
