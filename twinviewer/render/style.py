"""Layer styles: categorized (a colour per value) or graduated (classes of a number).

``layer.style`` may hold ``{"by": "<field>", "categories": {"<value>": "#rrggbb"},
"color": "#rrggbb"}``: objects whose field value is a category take its colour,
the others keep the layer's colour (``color``, or the file's or asset's own).
A graduated style is ``{"by": "<field>", "method": "quantile", "classes": 5,
"ramp": "YlOrRd"}`` (``method``: ``equal`` interval, ``quantile`` or ``jenks``
natural breaks; or explicit ``breaks``): objects get the ramp colour of their class.
Colours are computed per table row, then indexed per cell or vertex of a piece,
so a recolour after an edit is a few numpy operations, never a rebuild.

Point layers may also be sized by a number: ``size_by = "<field>"`` with
``size_range = [0.5, 2.0]`` scales each object's model linearly from the smallest
to the largest value (objects without a value keep size 1).
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
    if is_graduated(style):
        return _graduated_colors(layer.table.df[field], style)
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


# -- graduated styles -------------------------------------------------------
METHODS = ("equal", "quantile", "jenks")
RAMPS = {
    "YlOrRd": ["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"],
    "Blues": ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"],
    "Greens": ["#edf8e9", "#bae4b3", "#74c476", "#31a354", "#006d2c"],
    "Purples": ["#f2f0f7", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f"],
    "Viridis": ["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"],
    "RdYlGn": ["#d7191c", "#fdae61", "#ffffbf", "#a6d96a", "#1a9641"],
}
STATE_COLORS = {  # for categorized styles of states: readable at a glance
    "在线": "#2fa84f", "离线": "#8a8f98", "告警": "#e0393e",
    "已办结": "#8a8f98", "处理中": "#f2a93b", "待处理": "#e0393e",
}


def is_graduated(style: dict[str, Any] | None) -> bool:
    """Whether ``style`` classes a numeric field (``method`` or ``breaks`` given)."""
    return bool(style) and bool(style.get("by")) and (
        "method" in style or "breaks" in style)


def ramp_colors(ramp: str, n: int) -> np.ndarray:
    """``n`` RGBA colours evenly along a named ramp (``(n, 4)`` uint8).

    Examples
    --------
    >>> ramp_colors("Blues", 3).shape
    (3, 4)
    """
    stops = np.array([rgba(c) for c in RAMPS.get(ramp, RAMPS["YlOrRd"])], dtype=float)
    if n <= 1:
        return stops[-1:].astype(np.uint8)
    at = np.linspace(0, len(stops) - 1, n)
    lo = np.floor(at).astype(int)
    hi = np.minimum(lo + 1, len(stops) - 1)
    frac = (at - lo)[:, None]
    return np.round(stops[lo] * (1 - frac) + stops[hi] * frac).astype(np.uint8)


def class_breaks(values: np.ndarray, method: str = "quantile", classes: int = 5
                 ) -> np.ndarray:
    """Upper bounds of ``classes`` classes of ``values`` (finite ones), ascending.

    ``equal``: equal intervals between min and max; ``quantile``: equal counts;
    ``jenks``: Fisher-Jenks natural breaks (exact on up to 2,000 values, else on
    an even sample of the sorted values).  Duplicate bounds are dropped.
    """
    v = np.asarray(values, dtype=np.float64)
    v = np.sort(v[np.isfinite(v)])
    if not len(v):
        return np.empty(0)
    k = max(1, int(classes))
    if method == "equal":
        b = np.linspace(v[0], v[-1], k + 1)[1:]
    elif method == "jenks":
        b = jenks_breaks(v, k)
    elif method == "quantile":
        b = np.quantile(v, np.linspace(0, 1, k + 1)[1:])
    else:
        raise ValueError(f"unknown classification method {method!r} (use {', '.join(METHODS)})")
    b[-1] = v[-1]
    return np.unique(b)


def jenks_breaks(sorted_values: np.ndarray, k: int) -> np.ndarray:
    """Fisher-Jenks optimal breaks (dynamic programming, vectorised over one axis)."""
    v = np.asarray(sorted_values, dtype=np.float64)
    if len(v) > 2000:
        v = v[np.linspace(0, len(v) - 1, 2000).round().astype(int)]
    n = len(v)
    k = min(k, len(np.unique(v)))
    if k <= 1:
        return np.array([v[-1]])
    s1 = np.concatenate([[0.0], np.cumsum(v)])
    s2 = np.concatenate([[0.0], np.cumsum(v * v)])

    def ssd(i, j):  # sum of squared deviations of v[i:j]
        cnt = j - i
        d = s1[j] - s1[i]
        return s2[j] - s2[i] - d * d / np.maximum(cnt, 1)

    cost = np.full((k + 1, n + 1), np.inf)
    back = np.zeros((k + 1, n + 1), dtype=np.int64)
    cost[1, 1:] = ssd(np.zeros(n, dtype=np.int64), np.arange(1, n + 1))
    for c in range(2, k + 1):
        for j in range(c, n + 1):
            i = np.arange(c - 1, j)
            tot = cost[c - 1, i] + ssd(i, np.full(len(i), j))
            best = int(np.argmin(tot))
            cost[c, j] = tot[best]
            back[c, j] = i[best]
    ends, j = [], n
    for c in range(k, 0, -1):
        ends.append(v[j - 1])
        j = back[c, j]
    return np.array(ends[::-1])


def graduated_classes(column: pd.Series, style: dict[str, Any]
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Class upper bounds and their colours for a graduated style on ``column``."""
    values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=np.float64)
    if style.get("breaks"):
        breaks = np.asarray(sorted(float(b) for b in style["breaks"]))
    else:
        breaks = class_breaks(values, style.get("method", "quantile"),
                              int(style.get("classes", 5)))
    return breaks, ramp_colors(style.get("ramp", "YlOrRd"), len(breaks))


def _graduated_colors(column: pd.Series, style: dict[str, Any]
                      ) -> tuple[np.ndarray, np.ndarray]:
    values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=np.float64)
    breaks, colors = graduated_classes(column, style)
    n = len(values)
    out = np.zeros((n, 4), dtype=np.uint8)
    known = np.isfinite(values)
    if not len(breaks):
        return out, np.zeros(n, dtype=bool)
    cls = np.minimum(np.searchsorted(breaks, values, side="left"), len(breaks) - 1)
    out[known] = colors[cls[known]]
    return out, known


SIZE_RANGE = (0.5, 2.0)


def size_factors(layer: Layer, style: dict[str, Any] | None = None) -> np.ndarray | None:
    """Scale factor of every row for ``size_by`` (``None`` when the style has none).

    Examples
    --------
    >>> layer.style = {"size_by": "人口", "size_range": [0.5, 3.0]}  # doctest: +SKIP
    >>> size_factors(layer).min(), size_factors(layer).max()  # doctest: +SKIP
    (0.5, 3.0)
    """
    style = layer.style if style is None else style
    field = (style or {}).get("size_by")
    if not field or field not in layer.table.df.columns:
        return None
    lo, hi = (float(v) for v in style.get("size_range", SIZE_RANGE))
    values = pd.to_numeric(layer.table.df[field], errors="coerce").to_numpy(dtype=np.float64)
    out = np.ones(len(values))
    ok = np.isfinite(values)
    if not ok.any():
        return out
    vmin, vmax = values[ok].min(), values[ok].max()
    t = (values[ok] - vmin) / (vmax - vmin) if vmax > vmin else np.full(ok.sum(), 0.5)
    out[ok] = lo + t * (hi - lo)
    return out


def legend_entries(layer: Layer) -> list[tuple[str, str]]:
    """``(label, "#rrggbb")`` per class of the layer's style, for the legend.

    A single-colour layer gives one entry (its name); a layer drawn in its own
    colours gives none.
    """
    style = layer.style or {}
    field = style.get("by")
    df = layer.table.df
    if field and field in df.columns and is_graduated(style):
        breaks, colors = graduated_classes(df[field], style)
        values = pd.to_numeric(df[field], errors="coerce")
        low = values.min()
        out = []
        for b, c in zip(breaks, colors, strict=True):
            out.append((f"{_fmt(low)} – {_fmt(b)}", _hex(c)))
            low = b
        return out
    if field and field in df.columns and style.get("categories"):
        return [(str(k), _hex(rgba(v))) for k, v in style["categories"].items()]
    if style.get("color"):
        return [(layer.name, _hex(rgba(style["color"])))]
    return []


def categorized_style(layer: Layer, field: str) -> dict[str, Any]:
    """A categorized style with a colour for every value of ``field`` (states get
    their usual colours, other values the colours of a qualitative palette)."""
    palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
               "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]
    values = sorted(set(category_keys(layer.table.df[field]).tolist()) - {""})
    cats = {v: STATE_COLORS.get(v, palette[i % len(palette)]) for i, v in enumerate(values)}
    return {**{k: v for k, v in (layer.style or {}).items()
               if k not in ("method", "breaks", "classes", "ramp")},
            "by": field, "categories": cats}


def _fmt(v) -> str:
    v = float(v)
    return f"{v:.0f}" if abs(v) >= 100 or v.is_integer() else f"{v:.3g}"


def _hex(c) -> str:
    return "#" + "".join(f"{int(x):02x}" for x in np.asarray(c)[:3])
