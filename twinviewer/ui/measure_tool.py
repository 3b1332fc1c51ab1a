"""Measurements panel: click points in 3D for distances, lengths, areas, heights,
coordinates and sight lines; results are listed and can be copied."""

from __future__ import annotations

import logging

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from twinviewer.analysis import measure
from twinviewer.analysis.measure import Measurement
from twinviewer.core.layer import TriangleBatch

log = logging.getLogger(__name__)

SNAP_METRES = 1.0  # a click this close to a vertex of the picked object snaps to it


class MeasurePanel(QWidget):
    """Measure tool and its results list (the Measurements panel).

    While a mode other than "off" is chosen, clicks in the viewport place points
    (snapped to the picked object's vertices, or to the ground where nothing is
    drawn) instead of selecting objects.
    """

    measured = Signal(object)  # a Measurement (or a SightLine)

    MODES = ("off", "distance", "length", "area", "height", "coordinate", "sightline")

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.points: list[np.ndarray] = []
        self.results: list[Measurement] = []
        self._actor = None
        self.mode = QComboBox(self)
        self.mode.setObjectName("measureMode")
        labels = {"off": self.tr("Off"), "distance": self.tr("Distance"),
                  "length": self.tr("Line length"), "area": self.tr("Area"),
                  "height": self.tr("Object height"), "coordinate": self.tr("Coordinates"),
                  "sightline": self.tr("Line of sight")}
        for key in self.MODES:
            self.mode.addItem(labels[key], key)
        self.mode.currentIndexChanged.connect(self._mode_changed)
        self.finish_button = QPushButton(self.tr("Finish"), self)
        self.finish_button.clicked.connect(self.finish)
        self.copy_button = QPushButton(self.tr("Copy"), self)
        self.copy_button.setObjectName("measureCopy")
        self.copy_button.setShortcut(QKeySequence.Copy)
        self.copy_button.clicked.connect(self.copy)
        self.clear_button = QPushButton(self.tr("Clear"), self)
        self.clear_button.clicked.connect(self.clear)
        self.list = QListWidget(self)
        self.list.setObjectName("measurements")
        self.list.setSelectionMode(QListWidget.ExtendedSelection)
        top = QHBoxLayout()
        top.addWidget(self.mode, 1)
        top.addWidget(self.finish_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.clear_button)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.list, 1)
        lay.addLayout(buttons)

    # -- modes and points -----------------------------------------------------
    @property
    def current(self) -> str:
        return self.mode.currentData()

    def set_mode(self, key: str) -> None:
        self.mode.setCurrentIndex(self.MODES.index(key))

    def _mode_changed(self) -> None:
        self.points = []
        self._draw()
        self.window.viewport.point_tool = None if self.current == "off" else self.click

    def click(self, x: int, y: int) -> None:
        """A click at VTK display pixel ``(x, y)`` while measuring."""
        try:
            self._click(x, y)
        except ValueError as exc:
            self.window.message_bar.push(str(exc), "warning")
        except Exception:  # the VTK observer edge: never let it abort the process
            log.exception("measuring failed")

    def _click(self, x: int, y: int) -> None:
        view = self.window.viewport.view
        hit = view.pick(x, y)
        if self.current == "height":
            if hit is not None:
                layer, row, _pos = hit
                self._add(measure.object_height(layer, row))
            return
        if hit is not None:
            layer, row, pos = hit
            point = np.asarray(pos, float)
            snapped = measure.snap_to_vertex(point, _vertices(layer, row), SNAP_METRES)
            if snapped is not None:
                point = snapped
        else:
            ground = view.display_to_ground(x, y)
            if ground is None:
                return
            point = measure.snap_to_ground(ground)
        self.points.append(point)
        self._draw()
        mode = self.current
        if mode == "coordinate":
            self._add(measure.coordinates(point, self.window.scene.crs, self.window.scene.origin))
        elif mode in ("distance", "sightline") and len(self.points) == 2:
            if mode == "distance":
                self._add(measure.distance(*self.points))
            else:
                self._sight_line(*self.points)

    def finish(self) -> None:
        """End a polyline or polygon (length, area)."""
        if self.current == "length" and len(self.points) >= 2:
            self._add(measure.polyline_length(self.points))
        elif self.current == "area" and len(self.points) >= 3:
            self._add(measure.area(self.points))
        self.points = []
        self._draw()

    def _sight_line(self, a, b) -> None:
        from twinviewer.analysis.rays import Occluders
        from twinviewer.analysis.sightline import sight_line

        s = sight_line(Occluders.from_scene(self.window.scene), a, b)
        if s.visible:
            values = {"visible": self.tr("yes"), "3d": s.distance}
        else:
            values = {"visible": self.tr("no"), "obstacle": f"{s.layer}#{s.oid}",
                      "after": s.blocked_after}
            self.window.scene.selection.select(s.layer, [s.row])
        self._add(Measurement("sightline", values, [tuple(a), tuple(b)]), keep=True)

    def _add(self, m: Measurement, keep: bool = False) -> None:
        self.results.append(m)
        self.list.addItem(m.text())
        self.list.scrollToBottom()
        if not keep:
            self.points = [] if self.current not in ("length", "area") else self.points
        if self.current in ("distance", "sightline", "coordinate"):
            self.points = []
        self.measured.emit(m)

    # -- results ----------------------------------------------------------------
    def copy(self) -> None:
        """Copy the selected results (all when none is selected) as lines of text."""
        items = self.list.selectedItems() or [self.list.item(i) for i in range(self.list.count())]
        QGuiApplication.clipboard().setText("\n".join(i.text() for i in items))

    def clear(self) -> None:
        self.results.clear()
        self.list.clear()
        self.points = []
        self._draw()

    def _draw(self) -> None:
        """The points being measured as an orange polyline over everything."""
        vp = self.window.viewport
        if vp.view is None:
            return
        import pyvista as pv

        if self._actor is not None:
            vp.plotter.renderer.RemoveActor(self._actor)
            self._actor = None
        if len(self.points) >= 1:
            pts = np.array(self.points)
            mesh = pv.lines_from_points(pts) if len(pts) >= 2 else pv.PolyData(pts)
            self._actor = vp.plotter.add_mesh(mesh, color="#ff6a00", line_width=4,
                                              point_size=10, render_points_as_spheres=True,
                                              pickable=False, reset_camera=False, render=False)
        vp.view.render()


def _vertices(layer, row: int) -> np.ndarray:
    """Vertices of one object's triangles (snapping targets)."""
    out = [b.points[np.unique(b.triangles[b.rows == row])] for b in layer.batches
           if isinstance(b, TriangleBatch) and len(b.triangles)]
    out = [o for o in out if len(o)]
    return np.concatenate(out) if out else np.zeros((0, 3))


