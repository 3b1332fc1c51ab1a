"""Alerts and open cases on the 3D view, as colours written into the existing batches.

No actor per alert: every mark is a few entries of the per-cell / per-instance RGBA
arrays the batches already share with VTK (the same arrays selection highlight
writes).  Unacknowledged alerts blink (on/off each :meth:`AlertPaint.paint` call),
acknowledged ones hold a colour, and buildings with open cases carry a badge colour
graded by their open count (1, 2-3, 4 or more).  Selected objects keep the selection
highlight.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BLINK = np.array([235, 20, 35, 255], dtype=np.uint8)
ACKED = np.array([250, 160, 20, 255], dtype=np.uint8)
#: open-count badge colours for 1, 2-3 and 4+ open cases (a purple ramp: apart from the
#: yellow selection highlight, the red/amber alerts and the YlOrRd thematic styles)
BADGES = np.array([[203, 201, 226, 255], [158, 154, 200, 255], [106, 81, 163, 255]],
                  dtype=np.uint8)


def badge_colors(counts: np.ndarray) -> np.ndarray:
    """The badge colour of each open-case count (counts >= 1)."""
    level = np.digitize(np.asarray(counts), [2, 4])
    return BADGES[level]


@dataclass
class Marks:
    """Per-row overlay of one layer: rows with a held colour, rows that blink."""

    held: np.ndarray  # (n,) bool
    held_color: np.ndarray  # (n, 4) uint8
    blink: np.ndarray  # (n,) bool


class AlertPaint:
    """Writes alert and badge colours into a :class:`~twinviewer.render.scene_view.SceneView`.

    Parameters
    ----------
    view : SceneView
    """

    def __init__(self, view) -> None:
        self.view = view
        self.marks: dict[str, Marks] = {}
        self.on = False

    def set_marks(self, layer_name: str, *, blink_rows=(), acked_rows=(), badge_rows=(),
                  badge_counts=()) -> None:
        """Replace the marks of a layer (rows are row indices of the layer)."""
        layer = self._layer(layer_name)
        if layer is None:
            return
        n = len(layer)
        held = np.zeros(n, dtype=bool)
        color = np.zeros((n, 4), dtype=np.uint8)
        rows = np.asarray(badge_rows, dtype=np.int64)
        if len(rows):
            held[rows] = True
            color[rows] = badge_colors(np.asarray(badge_counts))
        rows = np.asarray(acked_rows, dtype=np.int64)
        held[rows] = True
        color[rows] = ACKED
        blink = np.zeros(n, dtype=bool)
        blink[np.asarray(blink_rows, dtype=np.int64)] = True
        old = layer_name in self.marks
        self.marks[layer_name] = Marks(held, color, blink)
        if not (held.any() or blink.any()):
            del self.marks[layer_name]
            if old:
                self.view._paint(layer)  # back to style + selection

    def clear(self) -> None:
        for name in list(self.marks):
            self.set_marks(name)

    def _layer(self, name: str):
        try:
            return self.view.scene.layer(name)
        except KeyError:
            return None

    def paint(self, on: bool | None = None, render: bool = True) -> None:
        """Write the marks; ``on`` is the blink phase (default: flip it)."""
        self.on = (not self.on) if on is None else bool(on)
        for name, m in self.marks.items():
            layer = self._layer(name)
            if layer is None or len(m.held) != len(layer):
                continue
            selected = np.zeros(len(layer), dtype=bool)
            sel = self.view.scene.selection.rows(name)
            selected[sel[sel < len(layer)]] = True  # the selection highlight wins

            def overlay(piece, colors, m=m, selected=selected) -> None:
                rows = piece.color_rows
                free = ~selected[rows]
                held = m.held[rows] & free
                if held.any():
                    colors[held] = m.held_color[rows[held]]
                if self.on:
                    blink = m.blink[rows] & free
                    if blink.any():
                        colors[blink] = BLINK

            self.view._paint(layer, overlay)  # style, selection, then the marks
        if render and self.marks:
            self.view.render()
