"""Analysis tools of the main window: legend and summary docks, layer styles, spatial
selection (rectangle, inside an area, within N metres) and filter dimming in 3D."""

from __future__ import annotations

import logging

import numpy as np
import shapely
from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QInputDialog

from twinviewer.core.errors import LoadError
from twinviewer.core.query import footprint, select_near, select_within
from twinviewer.core.summary import SavedFilter
from twinviewer.io.scene_writer import save_filters, save_layer_styles
from twinviewer.ui.legend import Legend
from twinviewer.ui.style_dialog import StyleDialog
from twinviewer.ui.summary_panel import SummaryPanel

log = logging.getLogger(__name__)

# style keys that change the drawn shapes (not only colours): the layer is rebuilt
GEOMETRY_STYLE_KEYS = ("size_by", "size_range", "view_cone", "point_scale", "assets")


class AnalysisTools(QObject):
    """Adds the issue-5 tools to ``window`` (a :class:`MainWindow`) and keeps them bound
    to its scene."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = w = window
        self.legend = Legend(w)
        self.summary = SummaryPanel(w, image_source=lambda: w.viewport.image())
        self.legend_dock = self._dock("legendDock", self.tr("Legend"), self.legend,
                                      Qt.RightDockWidgetArea)
        self.summary_dock = self._dock("summaryDock", self.tr("Summary"), self.summary,
                                       Qt.RightDockWidgetArea)
        bar = w.addToolBar(self.tr("Selection"))
        bar.setObjectName("selectionToolBar")
        self.rectangle_action = QAction(self.tr("Rectangle select"), w)
        self.rectangle_action.setCheckable(True)
        self.rectangle_action.setToolTip(self.tr(
            "Drag a rectangle in the 3D view: select the objects whose centre lies in it "
            "on the ground"))
        self.rectangle_action.toggled.connect(w.viewport.set_rectangle_mode)
        self.polygon_action = QAction(self.tr("Polygon select"), w)
        self.polygon_action.setCheckable(True)
        self.polygon_action.setToolTip(self.tr(
            "Click the corners of an area on the ground, then press Enter:"
            " select the objects that lie wholly inside it"))
        self.polygon_action.toggled.connect(self._on_polygon_tool)
        self.polygon_points: list = []
        self.finish_polygon_action = QAction(self.tr("Finish polygon"), w)
        self.finish_polygon_action.setShortcuts([QKeySequence(Qt.Key_Return),
                                                 QKeySequence(Qt.Key_Enter)])
        self.finish_polygon_action.setEnabled(False)
        self.finish_polygon_action.triggered.connect(lambda: self.finish_polygon())
        w.addAction(self.finish_polygon_action)
        w.viewport.polygon_point.connect(self._add_polygon_point)
        self.inside_action = QAction(self.tr("Select inside"), w)
        self.inside_action.setCheckable(True)
        self.inside_action.setToolTip(self.tr(
            "Click an area (a compound): select it and everything inside it"))
        self.near_action = QAction(self.tr("Within distance…"), w)
        self.near_action.setToolTip(self.tr("Select everything within N metres of the "
                                            "selected objects"))
        self.near_action.triggered.connect(lambda: self.select_near())
        self.style_action = QAction(self.tr("Layer &style…"), w)
        self.style_action.triggered.connect(lambda: self.edit_style())
        for a in (self.rectangle_action, self.polygon_action, self.inside_action,
                  self.near_action,
                  self.style_action):
            bar.addAction(a)
        w.viewport.rectangle_drawn.connect(self.select_rectangle)
        w.viewport.picked.connect(self._on_picked)  # after the window's own pick handler
        w.attribute_table.filter_applied.connect(self._on_filter)
        w.attribute_table.query_bar.save_requested.connect(lambda e: self.save_filter(e))
        # opacity is kept in the scene file like the style, once the slider rests
        self._opacity_layers: set = set()
        self._opacity_timer = QTimer(self)
        self._opacity_timer.setSingleShot(True)
        self._opacity_timer.setInterval(600)
        self._opacity_timer.timeout.connect(self._save_opacity)
        w.layer_panel.opacity_edited.connect(self._opacity_edited)
        self.bind(w.scene)

    def _dock(self, name, title, widget, area) -> QDockWidget:
        dock = QDockWidget(title, self.window)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.window.addDockWidget(area, dock)
        return dock

    def bind(self, scene) -> None:
        """The window opened another scene."""
        self.legend.set_scene(scene)
        self.summary.set_scene(scene)

    # -- selection tools ----------------------------------------------------
    def _select(self, rows: dict[str, np.ndarray]) -> None:
        sel = self.window.scene.selection
        sel.clear()
        for name, r in rows.items():
            sel.select(name, r, add=True)

    def _on_polygon_tool(self, on: bool) -> None:
        self.window.viewport.polygon_mode = on
        self.finish_polygon_action.setEnabled(on)
        self.polygon_points = []
        self.window.viewport.show_outline([])
        if on:
            self.window.statusBar().showMessage(self.tr(
                "Click the corners of the area, then press Enter"))

    def _add_polygon_point(self, point) -> None:
        self.polygon_points.append(np.asarray(point, dtype=float))
        self.window.viewport.show_outline(self.polygon_points)

    def finish_polygon(self) -> dict[str, np.ndarray]:
        """Select the objects whose footprints lie wholly inside the drawn polygon."""
        points, self.polygon_points = self.polygon_points, []
        self.window.viewport.show_outline([])
        if len(points) < 3:
            self.window.statusBar().showMessage(self.tr("A polygon needs three corners"),
                                                3000)
            return {}
        area = shapely.Polygon([p[:2] for p in points])
        rows = select_within(self.window.scene, area, how="footprint")
        self._select(rows)
        return rows

    def select_rectangle(self, rect) -> dict[str, np.ndarray]:
        """Select objects whose centre lies in the ground area under display rect."""
        x0, y0, x1, y1 = rect
        view = self.window.viewport.view
        corners = [view.display_to_ground(x, y) for x, y in
                   ((x0, y0), (x1, y0), (x1, y1), (x0, y1))]
        if any(c is None for c in corners):
            self.window.statusBar().showMessage(self.tr("Draw the rectangle on the ground"),
                                                3000)
            return {}
        poly = shapely.Polygon([c[:2] for c in corners])
        rows = select_within(self.window.scene, poly, how="centre")
        self._select(rows)
        return rows

    def _on_picked(self, layer: str, row: int) -> None:
        if self.inside_action.isChecked() and layer:
            self.select_inside(layer, row)

    def select_inside(self, layer_name: str, row: int) -> dict[str, np.ndarray]:
        """Select an area object and every object of the visible layers inside it."""
        layer = self.window.scene.layer(layer_name)
        area = footprint(layer, row)
        if area is None or area.area <= 0:
            return {}
        rows = select_within(self.window.scene, area)
        rows[layer_name] = np.union1d(rows.get(layer_name, np.empty(0, np.int64)), [row])
        self._select(rows)
        return rows

    def select_near(self, distance: float | None = None) -> dict[str, np.ndarray]:
        sel = self.window.scene.selection
        current = {n: sel.rows(n) for n in sel.layers()}
        if not current:
            self.window.message_bar.push(self.tr("Select some objects first."), "info")
            return {}
        if distance is None:
            distance, ok = QInputDialog.getDouble(
                self.window, self.tr("Within distance"), self.tr("Metres:"), 50.0, 0.0,
                100_000.0, 1)
            if not ok:
                return {}
        rows = select_near(self.window.scene, current, distance)
        self._select(rows)
        return rows

    # -- styles and filters -------------------------------------------------
    def edit_style(self, layer=None) -> bool:
        w = self.window
        layer = layer or w.layer_panel.current_layer() or w.attribute_table.layer
        if layer is None:
            return False
        dialog = StyleDialog(layer, w)
        if dialog.exec() != StyleDialog.Accepted:
            return False
        self.set_style(layer, dialog.style())
        return True

    def set_style(self, layer, style: dict, save: bool = True) -> None:
        """Apply ``style`` to ``layer``: 3D colours, labels and the legend follow, and
        the style is written into the scene file (when the layer came from one)."""
        old = layer.style or {}
        reshaped = any(old.get(k) != style.get(k) for k in GEOMETRY_STYLE_KEYS)
        layer.set_style(style)  # the legend and the layer panel follow its one signal
        self.window.viewport.refresh_layer(layer, geometry=reshaped)
        if save:
            self.save_styles([layer])

    def _opacity_edited(self, layer) -> None:
        self._opacity_layers.add(layer)
        self._opacity_timer.start()

    def _save_opacity(self) -> None:
        layers = [ly for ly in self._opacity_layers if ly in self.window.scene.layers]
        self._opacity_layers.clear()
        if layers:
            self.save_styles(layers)

    def save_styles(self, layers) -> bool:
        """Write the styles of ``layers`` into the scene file; a message says if not."""
        w = self.window
        path = w.scene.scene_file if w.scene is not None else None
        layers = [ly for ly in layers if ly.scene_entry is not None]
        if path is None or not layers:
            return False
        try:
            save_layer_styles(path, layers)
        except LoadError as exc:
            w.message_bar.push(self.tr("The style was applied but not saved: {error}")
                               .format(error=exc.message), "warning")
            return False
        w.statusBar().showMessage(self.tr("Style saved in {file}").format(
            file=path.name), 4000)
        return True

    def save_filter(self, expression: str, name: str | None = None,
                    layer=None) -> SavedFilter | None:
        """Keep ``expression`` on the table's layer as a named filter of the scene (in
        the scene file when there is one); the summary lists its matches."""
        w = self.window
        layer = layer or w.attribute_table.layer
        if layer is None:
            return None
        if name is None:
            name, ok = QInputDialog.getText(w, self.tr("Save filter"), self.tr("Name:"),
                                            text=expression[:40])
            if not ok or not name.strip():
                return None
        saved = SavedFilter(name.strip(), layer.name, expression)
        w.scene.filters = [f for f in w.scene.filters if f.name != saved.name] + [saved]
        path = w.scene.scene_file
        if path is not None:
            try:
                save_filters(path, w.scene.filters)
            except LoadError as exc:
                w.message_bar.push(self.tr("The filter was kept for this session but not "
                                           "saved: {error}").format(error=exc.message),
                                   "warning")
        self.summary.fill_filters(current=saved.name)
        self.summary.refresh()
        w.statusBar().showMessage(self.tr("Filter “{name}” saved").format(name=saved.name),
                                  4000)
        return saved

    def _on_filter(self, layer, mask) -> None:
        view = self.window.viewport.view
        if view is not None and layer is not None:
            view.set_dimmed(layer, mask)
