"""The main window: 3D view in the middle, layers, table and inspector in docks."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from twinviewer import __version__
from twinviewer.core.errors import LoadError
from twinviewer.core.scene import Scene
from twinviewer.io.loader import LoadResult, spec_for
from twinviewer.ui.attribute_table import AttributeTable
from twinviewer.ui.inspector import Inspector
from twinviewer.ui.layer_panel import LayerPanel
from twinviewer.ui.loading import LoadWorker
from twinviewer.ui.message_bar import MessageBar
from twinviewer.ui.viewport import Viewport

log = logging.getLogger(__name__)

DEMO_SCENE = Path(__file__).resolve().parents[2] / "scenes" / "demo" / "scene.toml"
OPEN_FILTER = ("Scenes and data (*.toml *.gpkg *.geojson *.json *.shp *.city.json *.jsonl "
               "*.obj *.ply *.stl *.glb *.gltf);;All files (*)")


class MainWindow(QMainWindow):
    """twinviewer's main window.

    Signals
    -------
    scene_loaded()
        A load finished (successfully or not); the window is idle again.
    """

    scene_loaded = Signal()

    def __init__(self, settings: QSettings | None = None) -> None:
        super().__init__()
        self.setObjectName("twinviewerMain")
        self.settings = settings or QSettings()
        self.scene = Scene()
        self._worker: LoadWorker | None = None

        self.viewport = Viewport(self)
        self.message_bar = MessageBar(self)
        central = QWidget(self)
        lay = QVBoxLayout(central)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.message_bar)
        lay.addWidget(self.viewport, 1)
        self.setCentralWidget(central)

        self.layer_panel = LayerPanel(self)
        self.attribute_table = AttributeTable(self)
        self.inspector = Inspector(self)
        self.layer_dock = self._dock("layersDock", self.tr("Layers"), self.layer_panel,
                                     Qt.LeftDockWidgetArea)
        self.inspector_dock = self._dock("inspectorDock", self.tr("Inspector"), self.inspector,
                                         Qt.RightDockWidgetArea)
        self.table_dock = self._dock("tableDock", self.tr("Attribute table"),
                                     self.attribute_table, Qt.BottomDockWidgetArea)
        self._build_status_bar()
        self._build_menus()

        self.viewport.picked.connect(self._on_picked)
        self.viewport.cursor_moved.connect(self._on_cursor)
        self.layer_panel.current_layer_changed.connect(self.attribute_table.show_layer)
        self.layer_panel.zoom_requested.connect(self.zoom_to_layer)
        self._bind(self.scene)
        self.resize(1500, 950)
        self._restore_window_state()

    # -- building -----------------------------------------------------------
    def _dock(self, name: str, title: str, widget: QWidget, area) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _build_status_bar(self) -> None:
        sb = self.statusBar()
        self.objects_label = QLabel(self)
        self.selection_label = QLabel(self)
        self.cursor_label = QLabel(self)
        self.cursor_label.setMinimumWidth(260)
        self.progress = QProgressBar(self)
        self.progress.setMaximumWidth(220)
        self.progress.setRange(0, 100)
        self.progress.hide()
        self.cancel_button = QToolButton(self)
        self.cancel_button.setText(self.tr("Cancel"))
        self.cancel_button.hide()
        self.cancel_button.clicked.connect(self.cancel_load)
        sb.addPermanentWidget(self.progress)
        sb.addPermanentWidget(self.cancel_button)
        sb.addPermanentWidget(self.objects_label)
        sb.addPermanentWidget(self.selection_label)
        sb.addPermanentWidget(self.cursor_label)

    def _action(self, text: str, slot, shortcut=None, menu=None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        if menu is not None:
            menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        mb = self.menuBar()
        file_menu = mb.addMenu(self.tr("&File"))
        self.open_action = self._action(self.tr("&Open…"), self.open_dialog,
                                        QKeySequence.Open, file_menu)
        self._action(self.tr("Open &demo scene"), lambda: self.open_paths([DEMO_SCENE]),
                     None, file_menu)
        file_menu.addSeparator()
        self._action(self.tr("Save &image…"), self.save_image_dialog, "Ctrl+Shift+P", file_menu)
        file_menu.addSeparator()
        self._action(self.tr("&Quit"), self.close, QKeySequence.Quit, file_menu)

        edit_menu = mb.addMenu(self.tr("&Edit"))
        self._action(self.tr("Select &none"), self.clear_selection, "Ctrl+Shift+A", edit_menu)

        view_menu = mb.addMenu(self.tr("&View"))
        self.zoom_selection_action = self._action(self.tr("&Zoom to selection"),
                                                  self.zoom_to_selection, "Ctrl+J", view_menu)
        self._action(self.tr("&Full extent"), self.reset_view, "Ctrl+Shift+F", view_menu)
        view_menu.addSeparator()
        panels = view_menu.addMenu(self.tr("&Panels"))
        for dock in (self.layer_dock, self.table_dock, self.inspector_dock):
            panels.addAction(dock.toggleViewAction())

        help_menu = mb.addMenu(self.tr("&Help"))
        self._action(self.tr("&About twinviewer"), self.about, None, help_menu)

    def _bind(self, scene: Scene) -> None:
        self.scene = scene
        self.layer_panel.set_scene(scene)
        self.attribute_table.set_scene(scene)
        self.inspector.set_scene(scene)
        self.viewport.set_scene(scene)
        scene.selection.changed.connect(self._update_status)
        scene.layer_added.connect(self._update_status)
        self._update_status()
        self._update_title()

    # -- opening ------------------------------------------------------------
    def open_dialog(self) -> None:
        start = self.settings.value("last_dir", str(Path.home()))
        paths, _ = QFileDialog.getOpenFileNames(self, self.tr("Open scene or data"), start,
                                                self.tr(OPEN_FILTER))
        if paths:
            self.settings.setValue("last_dir", str(Path(paths[0]).parent))
            self.open_paths([Path(p) for p in paths])

    def open_paths(self, paths) -> None:
        """Open a scene file (replaces the scene) or data files (added to the scene)."""
        if self.is_loading():
            self.message_bar.push(self.tr("Still loading; wait or cancel first."), "warning")
            return
        try:
            spec = spec_for(paths)
        except LoadError as exc:
            self.message_bar.push(exc.message)
            self.scene_loaded.emit()
            return
        self._replace = spec.path is not None or not self.scene.layers
        if not self._replace:  # add to the open scene: same CRS and origin
            spec.crs = self.scene.crs.to_wkt() if self.scene.crs is not None else None
            spec.origin = tuple(self.scene.origin)
        self._worker = LoadWorker(spec, self)
        self._worker.progress.connect(self._on_progress)
        self._worker.loaded.connect(self._on_loaded)
        self._worker.failed.connect(self._on_failed)
        self._worker.cancelled.connect(self._on_cancelled)
        self._worker.finished.connect(self._worker_done)
        self.progress.setValue(0)
        self.progress.show()
        self.cancel_button.show()
        self.statusBar().showMessage(self.tr("Loading…"))
        self._worker.start()

    def is_loading(self) -> bool:
        return self._worker is not None

    def cancel_load(self) -> None:
        if self._worker is not None:
            self._worker.cancel()

    def _on_progress(self, percent: int, what: str) -> None:
        self.progress.setValue(percent)
        if what:
            self.statusBar().showMessage(self.tr("Loading {what}…").format(what=what))

    def _on_loaded(self, result: LoadResult) -> None:
        if self._replace:
            self._bind(result.to_scene())
        else:
            for layer in result.layers:
                self.scene.add_layer(layer, placed=True)
            self.viewport.view.reset_view()
        for err in result.errors:
            self.message_bar.push(err, "error")
        for layer in result.layers:
            for w in layer.warnings:
                log.info("%s: %s", layer.name, w)
        self._update_title()
        self.statusBar().showMessage(
            self.tr("Loaded {n} objects in {k} layers").format(
                n=f"{self.scene.object_count():,}", k=len(self.scene.layers)), 5000)

    def _on_failed(self, message: str) -> None:
        self.message_bar.push(message, "error")

    def _on_cancelled(self) -> None:
        self.message_bar.push(self.tr("Loading cancelled."), "info")

    def _worker_done(self) -> None:
        self.progress.hide()
        self.cancel_button.hide()
        self._worker = None
        self.scene_loaded.emit()

    # -- selection and view -------------------------------------------------
    def _on_picked(self, layer: str, row: int) -> None:
        if not layer:
            self.scene.selection.clear()
            return
        add = bool(QApplication.keyboardModifiers() & Qt.ControlModifier)
        self.scene.selection.select(layer, [row], add=add)

    def _on_cursor(self, point) -> None:
        if point is None:
            self.cursor_label.setText("")
            return
        world = point + self.scene.origin
        crs = self.scene.crs_label or self.tr("local")
        self.cursor_label.setText(f"{crs}  X {world[0]:.2f}  Y {world[1]:.2f}")

    def clear_selection(self) -> None:
        self.scene.selection.clear()

    def zoom_to_selection(self) -> None:
        if not self.viewport.view.zoom_to_selection():
            self.statusBar().showMessage(self.tr("Nothing selected"), 3000)

    def zoom_to_layer(self, name: str) -> None:
        self.viewport.view.frame(self.scene.layer(name).bounds())

    def reset_view(self) -> None:
        self.viewport.view.frame(self.scene.bounds(visible_only=True))

    def save_image_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save image"), "view.png",
                                              self.tr("PNG images (*.png)"))
        if path:
            self.viewport.plotter.screenshot(path)

    def _update_status(self, *_args) -> None:
        self.objects_label.setText(self.tr("{n} objects").format(
            n=f"{self.scene.object_count():,}"))
        count = self.scene.selection.count()
        self.selection_label.setText(self.tr("{n} selected").format(n=f"{count:,}"))

    def _update_title(self) -> None:
        name = self.scene.name or (Path(self.scene.path).name if self.scene.path else "")
        self.setWindowTitle(f"{name} — twinviewer" if name else "twinviewer")

    def about(self) -> None:
        QMessageBox.about(self, self.tr("About twinviewer"), self.tr(
            "twinviewer {v}\nA 3D digital-twin viewer for sub-district planners.").format(
                v=__version__))

    # -- state --------------------------------------------------------------
    def _restore_window_state(self) -> None:
        geometry = self.settings.value("main/geometry")
        state = self.settings.value("main/state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt API
        if self._worker is not None:
            self._worker.cancel()
            self._worker.wait(5000)
        self.settings.setValue("main/geometry", self.saveGeometry())
        self.settings.setValue("main/state", self.saveState())
        self.viewport.close_view()
        super().closeEvent(event)
