"""Colours: style strings to RGBA, default colours per asset and layer kind."""

from __future__ import annotations

import numpy as np

HIGHLIGHT = np.array([255, 214, 0, 255], dtype=np.uint8)  # selection: signal yellow
DEFAULT_POLYGON = "#d9d4c7"
DEFAULT_LINE = "#6e6e6e"
DEFAULT_MESH = "#c8c8c8"

ASSET_COLORS = {
    "lamp_post": "#4a5560",
    "bin": "#2e7d4f",
    "tree": "#3f8f3a",
    "camera": "#2f6fd6",
    "sensor": "#1aa08a",
    "billboard": "#c58b2a",
    "pole": "#7a6a58",
    "hydrant": "#d23a2a",
    "bench": "#8a5a35",
    "marker": "#8e44ad",
}


def rgba(color: str | tuple | list | None, default: str = DEFAULT_POLYGON) -> np.ndarray:
    """``"#rrggbb"``/``"#rrggbbaa"`` or a 3/4 tuple (0-255) as uint8 RGBA."""
    if color is None:
        color = default
    if isinstance(color, str):
        t = color.lstrip("#")
        vals = [int(t[i:i + 2], 16) for i in range(0, len(t), 2)]
    else:
        vals = [int(v) for v in color]
    if len(vals) == 3:
        vals.append(255)
    return np.array(vals[:4], dtype=np.uint8)
