"""Alerts and open cases on the 3D view, as colours written into the existing batches.

No actor per alert: every mark is a few entries of the per-cell / per-instance RGBA
arrays the batches already share with VTK (the same arrays selection highlight
writes).  Unacknowledged alerts blink (on/off each :meth:`AlertPaint.paint` call),
acknowledged ones hold a colour, and buildings with open cases carry a badge colour
graded by their open count (1, 2-3, 4 or more).  Selected objects keep the selection
highlight.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
    _overlays: dict = field(default_factory=dict, repr=False, compare=False)

    def same(self, held: np.ndarray, held_color: np.ndarray, blink: np.ndarray) -> bool:
        return np.array_equal(self.held, held) and np.array_equal(self.blink, blink) and \
            np.array_equal(self.held_color[held], held_color[held])

    def overlay(self, on: bool) -> _MarkOverlay:
        """The marks in one blink phase: the same object for the same phase."""
        if on not in self._overlays:
            self._overlays[on] = _MarkOverlay(self, on)
        return self._overlays[on]


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
        old = self.marks.get(layer_name)
        if old is None or not old.same(held, color, blink):  # else kept: nothing to repaint
            self.marks[layer_name] = Marks(held, color, blink)
        if not (held.any() or blink.any()):
            del self.marks[layer_name]
            if old is not None:
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
            self.view._paint(layer, m.overlay(self.on))  # style, selection, marks
        if render and self.marks:
            self.view.render()


class _MarkOverlay:
    """One layer's marks in one blink phase, as :meth:`SceneView._paint` takes them.

    ``rows`` are the rows it colours; :meth:`key` tells what it paints on one piece, so
    that a piece whose marks do not blink keeps its colours through the phases and a
    piece without marks is painted as if unmarked.  Selected entries keep the selection
    highlight.
    """

    def __init__(self, marks: Marks, on: bool) -> None:
        self.marks, self.on = marks, on
        self.rows = marks.held | marks.blink

    def key(self, own: np.ndarray) -> tuple | None:
        """What the marks paint on a piece of rows ``own``; ``None``: nothing."""
        marked = own[self.rows[own]]
        if not len(marked):
            return None
        blinks = bool(self.marks.blink[marked].any())
        return self.marks, self.on if blinks else None, marked

    def __call__(self, piece, colors: np.ndarray, selected: np.ndarray) -> None:
        rows = piece.color_rows
        free = ~selected
        held = self.marks.held.take(rows) & free
        if held.any():
            colors[held] = self.marks.held_color[rows[held]]
        if self.on:
            blink = self.marks.blink.take(rows) & free
            if blink.any():
                colors[blink] = BLINK
