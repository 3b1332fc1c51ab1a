"""The main window: 3D view in the middle, layers, table and inspector in docks."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QToolButton,
    QUndoView,
    QVBoxLayout,
    QWidget,
)

from twinviewer import __version__
from twinviewer.core.assets import ASSET_NAMES
from twinviewer.core.edits import (
    AddField,
    AddPoint,
    DeleteField,
    DeleteObjects,
    Macro,
    MovePoint,
    RenameField,
)
from twinviewer.core.errors import LoadError
from twinviewer.core.ground_layer import (
    ground_under,
    moved_height,
    settle_on_terrain,
    terrain_of,
)
from twinviewer.core.layer import PointBatch
from twinviewer.core.scene import Scene
from twinviewer.demo import demo_scene
from twinviewer.io.loader import LoadResult, spec_for
from twinviewer.store.journal import Journal
from twinviewer.ui.analysis_panel import PlanningTools
from twinviewer.ui.analysis_tools import AnalysisTools
from twinviewer.ui.attribute_table import AttributeTable
from twinviewer.ui.cases_dock import install as install_cases_dock
from twinviewer.ui.collector import collect_on_gui_thread
from twinviewer.ui.editing import EditSession, needs_rebuild
from twinviewer.ui.field_dialogs import AddFieldDialog, RenameFieldDialog, SetFieldDialog
from twinviewer.ui.inspector import Inspector
from twinviewer.ui.layer_panel import LayerPanel
from twinviewer.ui.live_updates import TeamEditing
from twinviewer.ui.loading import LoadWorker, outlive_window
from twinviewer.ui.message_bar import MessageBar
from twinviewer.ui.presenter import PresentingTools
from twinviewer.ui.privacy_tools import PrivacyTools
from twinviewer.ui.viewport import Viewport

log = logging.getLogger(__name__)

OPEN_PATTERNS = "*.toml *.gpkg *.geojson *.json *.shp *.city.json *.jsonl *.obj *.ply *.stl " \
    "*.glb *.gltf"


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
        collect_on_gui_thread()  # a closed window's VTK objects are freed on this thread
        self.setObjectName("twinviewerMain")
        self.settings = settings or QSettings()
        self.scene = Scene()
        self._worker: LoadWorker | None = None
        self._closed = False  # a closed window loads and binds nothing more
        self.edits = EditSession(self)
        self._row_counts: dict[int, int] = {}

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
        self.undo_view = QUndoView(self.edits.undo_stack, self)
        self.undo_view.setObjectName("undoHistory")
        self.undo_view.setEmptyLabel(self.tr("<opened>"))
        self.history_dock = self._dock("historyDock", self.tr("Undo history"), self.undo_view,
                                       Qt.RightDockWidgetArea)
        self.attribute_table.set_session(self.edits)
        self.inspector.set_session(self.edits)
        self._build_status_bar()
        self._build_menus()
        self.edits.failed.connect(self._on_edit_failed)
        self.edits.saved.connect(self._on_saved)
        self.edits.modified.connect(self._on_modified)
        self.edits.changed.connect(self._on_edited)
        self.viewport.ground_clicked.connect(self._on_ground_clicked)

        self.viewport.picked.connect(self._on_picked)
        self.viewport.tiles_loading.connect(self._on_tiles_loading)
        self.viewport.cursor_moved.connect(self._on_cursor)
        self.layer_panel.current_layer_changed.connect(self.attribute_table.show_layer)
        self.layer_panel.zoom_requested.connect(self.zoom_to_layer)
        self._bind(self.scene)
        self.analysis = AnalysisTools(self)  # legend, summary, styles, spatial selection
        self.presenting = PresentingTools(self)  # bookmarks, presenter mode, video (issue 6)
        self.privacy = PrivacyTools(self)  # View > Show sensitive fields… (issue 5)
        self.team = TeamEditing(self)  # PostGIS: live updates and conflicts (issue 7)
        self.planning = PlanningTools(self)  # measure, sunlight, coverage, 控高, section (16)
        self.cases = install_cases_dock(self)  # cases & alerts, MQTT (issue 14)
        # the right side holds two tab stacks, not six squeezed panels (a saved layout
        # from QSettings still wins)
        for dock in (self.analysis.summary_dock, self.cases):
            self.tabifyDockWidget(self.inspector_dock, dock)
        self.tabifyDockWidget(self.analysis.legend_dock, self.presenting.bookmarks_dock)
        self.tabifyDockWidget(self.analysis.legend_dock, self.history_dock)
        self.planning.measure_dock.hide()  # Analysis > Measure (Ctrl+M) shows it
        self.inspector_dock.raise_()
        self.analysis.legend_dock.raise_()
        self.resize(1500, 950)
        self.resizeDocks([self.layer_dock, self.inspector_dock], [240, 400], Qt.Horizontal)
        self._restore_window_state()

    # -- building -----------------------------------------------------------
    def _dock(self, name: str, title: str, widget: QWidget, area) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _show_tile_feature(self) -> None:
        """A click on a scan's own feature (b3dm batch table, glTF property table) shows
        its properties in the status bar."""
        view = self.viewport.view
        props = view.tiles.last_feature if view is not None else None
        if self.viewport.last_hit is None or not props:
            return
        text = ", ".join(f"{k}={v}" for k, v in list(props.items())[:8])
        self.statusBar().showMessage(self.tr("Scanned feature: {props}").format(props=text),
                                     10000)

    def ask_tile_budget(self) -> None:
        """View setting: the memory streamed tiles layers may hold (their ``budget_mb``)."""
        view = self.viewport.view
        layers = list(view.tiles.layers.values()) if view is not None else []
        if not layers:
            self.statusBar().showMessage(self.tr("No streamed tiles layer"), 3000)
            return
        current = int(layers[0].layer.budget_mb)
        mb, ok = QInputDialog.getInt(self, self.tr("Tile memory budget"),
                                     self.tr("Megabytes the decoded tiles may hold:"),
                                     current, 16, 1 << 20, 64)
        if ok:
            view.tiles.set_budget(mb)

    def _on_tiles_loading(self, n: int) -> None:
        """Status bar: how many tiles of streamed layers are still on their way."""
        self.tiles_label.setVisible(n > 0)
        self.tiles_label.setText(self.tr("Loading tiles: {n}").format(n=n))

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
        self.tiles_label = QLabel(self)
        self.tiles_label.setObjectName("tilesLoading")
        self.tiles_label.hide()
        sb.addPermanentWidget(self.tiles_label)
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
        self._action(self.tr("Open &demo scene"), lambda: self.open_paths([demo_scene()]),
                     None, file_menu)
        file_menu.addSeparator()
        self.save_action = self._action(self.tr("&Save edits"), self.save, QKeySequence.Save,
                                        file_menu)
        self.save_action.setEnabled(False)
        self._action(self.tr("Save &image…"), self.save_image_dialog, "Ctrl+Shift+P", file_menu)
        file_menu.addSeparator()
        self._action(self.tr("&Quit"), self.close, QKeySequence.Quit, file_menu)

        edit_menu = mb.addMenu(self.tr("&Edit"))
        stack = self.edits.undo_stack
        self.undo_action = stack.createUndoAction(self, self.tr("&Undo"))
        self.undo_action.setShortcuts(QKeySequence.Undo)
        self.redo_action = stack.createRedoAction(self, self.tr("&Redo"))
        redo_keys = [QKeySequence("Ctrl+Shift+Z")]
        redo_keys += [k for k in QKeySequence.keyBindings(QKeySequence.Redo)
                      if k not in redo_keys]
        self.redo_action.setShortcuts(redo_keys)
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        edit_menu.addSeparator()
        self.set_field_action = self._action(self.tr("Set field for selection…"),
                                             lambda: self.set_field_for_selection(),
                                             "Ctrl+E", edit_menu)
        self.delete_action = self._action(self.tr("&Delete selected objects"),
                                          self.delete_selected, QKeySequence.Delete, edit_menu)
        self.add_object_action = QAction(self.tr("Add &object"), self)
        self.add_object_action.setCheckable(True)
        self.add_object_action.setToolTip(self.tr(
            "Add a point object: click the ground in the 3D view (current table layer)"))
        self.add_object_action.toggled.connect(lambda on: self._on_placing(on, "add"))
        edit_menu.addAction(self.add_object_action)
        self.move_object_action = QAction(self.tr("&Move object"), self)
        self.move_object_action.setCheckable(True)
        self.move_object_action.setToolTip(self.tr(
            "Move the selected point object: click its new place on the ground"))
        self.move_object_action.toggled.connect(lambda on: self._on_placing(on, "move"))
        edit_menu.addAction(self.move_object_action)
        ground_tools = QActionGroup(self)
        ground_tools.setExclusionPolicy(QActionGroup.ExclusionPolicy.ExclusiveOptional)
        ground_tools.addAction(self.add_object_action)
        ground_tools.addAction(self.move_object_action)
        edit_menu.addSeparator()
        self._action(self.tr("Select &none"), self.clear_selection, "Ctrl+Shift+A", edit_menu)

        layer_menu = mb.addMenu(self.tr("&Layer"))
        self._action(self.tr("&Add field…"), lambda: self.add_field(), None, layer_menu)
        self._action(self.tr("&Rename field…"), lambda: self.rename_field(), None, layer_menu)
        self._action(self.tr("&Delete field…"), lambda: self.delete_field(), None, layer_menu)
        self.attribute_table.field_action.connect(self._on_field_action)

        tools = self.addToolBar(self.tr("Editing"))
        tools.setObjectName("editToolBar")
        tools.addAction(self.save_action)
        tools.addAction(self.undo_action)
        tools.addAction(self.redo_action)
        tools.addAction(self.add_object_action)
        tools.addAction(self.move_object_action)

        view_menu = mb.addMenu(self.tr("&View"))
        self.view_menu = view_menu
        self.zoom_selection_action = self._action(self.tr("&Zoom to selection"),
                                                  self.zoom_to_selection, "Ctrl+J", view_menu)
        self._action(self.tr("&Full extent"), self.reset_view, "Ctrl+Shift+F", view_menu)
        self._action(self.tr("Tile memory &budget…"), self.ask_tile_budget, None, view_menu)
        view_menu.addSeparator()
        panels = view_menu.addMenu(self.tr("&Panels"))
        for dock in (self.layer_dock, self.table_dock, self.inspector_dock,
                     self.history_dock):
            panels.addAction(dock.toggleViewAction())
        self._build_language_menu(view_menu)  # issue 8

        help_menu = mb.addMenu(self.tr("&Help"))
        self._action(self.tr("&About twinviewer"), self.about, None, help_menu)

    def _bind(self, scene: Scene) -> None:
        old, self.scene = self.scene, scene
        self.layer_panel.set_scene(scene)
        self.attribute_table.set_scene(scene)
        self.inspector.set_scene(scene)
        self.viewport.set_scene(scene)  # closes the old scene's view (and its readers)
        if old is not None and old is not scene:
            old.close()
        self.edits.set_scene(scene)
        self._row_counts = {id(lyr): len(lyr) for lyr in scene.layers}
        scene.selection.changed.connect(self._update_status)
        scene.layer_added.connect(self._update_status)
        for layer in scene.layers:  # a streamed scan's features count as they come
            layer.rows_added.connect(self._update_status)
        scene.layer_added.connect(lambda layer: layer.rows_added.connect(self._update_status))
        self._update_status()
        self._update_title()
        if hasattr(self, "analysis"):
            self.analysis.bind(scene)

    # -- opening ------------------------------------------------------------
    def open_dialog(self) -> None:
        start = self.settings.value("last_dir", str(Path.home()))
        paths, _ = QFileDialog.getOpenFileNames(self, self.tr("Open scene or data"), start,
                                                self.tr("Scenes and data ({patterns});;"
                                                        "All files (*)").format(
                                                    patterns=OPEN_PATTERNS))
        if paths:
            self.settings.setValue("last_dir", str(Path(paths[0]).parent))
            self.open_paths([Path(p) for p in paths])

    def open_paths(self, paths) -> None:
        """Open a scene file (replaces the scene) or data files (added to the scene)."""
        if self._closed:  # e.g. a reopen queued by a password prompt
            return
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
        if self._replace and not self.edits.is_clean and not self._settle_unsaved():
            self.scene_loaded.emit()
            return
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
        if self._closed:  # queued before the close stopped the worker: its view is gone
            return
        if self._replace:
            self._bind(result.to_scene())
            self._offer_restore()
        else:
            # files added to a scene on a DEM stand on it too (or a DEM added under them)
            for layer in settle_on_terrain([*self.scene.layers, *result.layers]):
                if layer in self.scene.layers:  # already drawn: draw it again, lifted
                    self.viewport.refresh_layer(layer, geometry=True)
            for layer in result.layers:
                self.scene.add_layer(layer, placed=True)
                self.edits.declare_layer(layer)
                self._row_counts[id(layer)] = len(layer)
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
        if not self._closed:  # the docks would bind (and listen) for a closed window
            self.scene_loaded.emit()

    # -- selection and view -------------------------------------------------
    def _on_picked(self, layer: str, row: int) -> None:
        if not layer:
            self.scene.selection.clear()
            self._show_tile_feature()
            return
        add = bool(QApplication.keyboardModifiers() & Qt.ControlModifier)
        self.scene.selection.select(layer, [row], add=add)
        if self.scene.layer(layer).kind == "tiles":  # a scan's own feature: its row
            self._show_tile_feature()

    def _on_cursor(self, point) -> None:
        if point is None:
            self.cursor_label.setText("")
            return
        world = point + self.scene.origin
        crs = self.scene.crs_label or self.tr("local")
        text = f"{crs}  X {world[0]:.2f}  Y {world[1]:.2f}"
        view = self.viewport.view
        if view is not None and view.terrain() is not None:  # the ground's elevation
            text += "  " + self.tr("Ground {z} m").format(z=f"{point[2]:.2f}")
        self.cursor_label.setText(text)

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
        if not path:
            return
        w, h = self.viewport.plotter.render_window.GetSize()
        scale, ok = QInputDialog.getInt(
            self, self.tr("Save image"),
            self.tr("Resolution, as a multiple of the view ({w} x {h}):").format(w=w, h=h),
            2, 1, 8)
        if ok:
            self.save_image(path, scale)

    def save_image(self, path, scale: int = 1) -> tuple[int, int]:
        """Write the current view as a PNG ``scale`` times the view's size (tiled
        rendering, so it may be larger than the screen); returns the image size."""
        image = self.viewport.plotter.screenshot(str(path), scale=int(scale))
        self.statusBar().showMessage(self.tr("Saved {path}").format(path=path), 5000)
        return image.shape[1], image.shape[0]

    def _update_status(self, *_args) -> None:
        self.objects_label.setText(self.tr("{n} objects").format(
            n=f"{self.scene.object_count():,}"))
        count = self.scene.selection.count()
        self.selection_label.setText(self.tr("{n} selected").format(n=f"{count:,}"))

    def _update_title(self) -> None:
        name = self.scene.name or (Path(self.scene.path).name if self.scene.path else "")
        self.setWindowTitle(f"{name}[*] — twinviewer" if name else "twinviewer[*]")
        self.setWindowModified(not self.edits.is_clean)

    # -- editing ------------------------------------------------------------
    def _on_edit_failed(self, message: str) -> None:
        self.message_bar.push(self.tr("Not changed: {why}").format(why=message), "error")

    def _on_saved(self, message: str) -> None:
        self.statusBar().showMessage(message, 5000)
        self.inspector.refresh()

    def _on_modified(self, dirty: bool) -> None:
        self.setWindowModified(dirty)
        self.save_action.setEnabled(dirty)
        self.attribute_table.markers_changed()
        self.inspector.model.layoutChanged.emit()

    def _on_edited(self, layer, rows, fields) -> None:
        """One edit changed ``layer``: 3D first, then the selection, table and inspector."""
        self.viewport.refresh_layer(layer, geometry=needs_rebuild(layer, fields))
        before = self._row_counts.get(id(layer))
        self._row_counts[id(layer)] = len(layer)
        if before is not None and before != len(layer):
            self.scene.selection.clear()  # row numbers shifted
        self.attribute_table.on_edited(layer, rows, fields)
        self.inspector.refresh()
        self._update_status()

    def save(self) -> bool:
        """Write pending edits to the scene's GeoPackage (one transaction)."""
        return self.edits.save()

    def ask_unsaved(self) -> str:
        """``"save"``, ``"discard"`` or ``"cancel"``: what to do with unsaved edits.

        Tests replace this method; the window asks with a message box.
        """
        box = QMessageBox(QMessageBox.Warning, self.tr("Unsaved edits"),
                          self.tr("There are unsaved edits. Save them before closing?"),
                          QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel, self)
        box.setDefaultButton(QMessageBox.Save)
        answer = box.exec()
        return {QMessageBox.Save: "save", QMessageBox.Discard: "discard"}.get(
            QMessageBox.StandardButton(answer), "cancel")

    def ask_restore(self, journal: Journal) -> bool:
        """Whether to restore a crashed session's unsaved edits (tests replace this)."""
        answer = QMessageBox.question(
            self, self.tr("Restore unsaved edits"),
            self.tr("twinviewer was not closed properly; {n} unsaved edits of this scene "
                    "were kept ({when}). Restore them?").format(
                        n=len(journal.steps), when=journal.header.get("written", "")),
            QMessageBox.Yes | QMessageBox.No, QMessageBox.Yes)
        return answer == QMessageBox.Yes

    def _settle_unsaved(self) -> bool:
        """Ask about unsaved edits; ``True`` when the window may go on (saved or discarded)."""
        choice = self.ask_unsaved()
        if choice == "save":
            return self.save()
        if choice == "discard":
            self.edits.discard()
            return True
        return False

    def _offer_restore(self) -> None:
        journal = self.edits.pending_journal()
        if journal is None:
            return
        if not self.ask_restore(journal):
            self.edits.remove_journal()
            return
        problems = self.edits.restore(journal)
        for p in problems:
            self.message_bar.push(self.tr("Not restored: {p}").format(p=p), "warning")
        self.statusBar().showMessage(self.tr("Restored {n} unsaved edits").format(
            n=len(journal.steps) - len(problems)), 5000)

    def _edit_layer(self):
        """The layer edits apply to: the selection's, else the table's."""
        names = self.scene.selection.layers()
        if self.attribute_table.layer is not None and (
                not names or self.attribute_table.layer.name in names):
            return self.attribute_table.layer
        return self.scene.layer(names[0]) if names else None

    def set_field_for_selection(self, field: str | None = None, value=None, *,
                                preset: str = "") -> bool:
        """Set one field on every selected object (one undo step); asks when not given."""
        layer = self._edit_layer()
        rows = self.scene.selection.rows(layer.name) if layer is not None else []
        if layer is None or not len(rows):
            self.message_bar.push(self.tr("Select the objects to change first."), "info")
            return False
        if field is None:
            fields = layer.table.fields
            types = {f: self.edits.field_type(layer, f) for f in fields}
            dialog = SetFieldDialog(fields, types, len(rows),
                                    preset or self.attribute_table.current_field(), self)
            if dialog.exec() != SetFieldDialog.Accepted:
                return False
            field, value = dialog.field, dialog.value
        return self.edits.set_values(layer, rows, field, value, label=self.tr(
            "Set {field} of {n} objects").format(field=field, n=len(rows)))

    def add_field(self, name: str | None = None, field_type=None, default=None) -> bool:
        layer = self.attribute_table.layer
        if layer is None:
            return False
        if name is None:
            dialog = AddFieldDialog(self)
            if dialog.exec() != AddFieldDialog.Accepted:
                return False
            name, field_type = dialog.name_edit.text(), dialog.field_type()
            default = dialog.default_edit.text() or None
        return self.edits.push(AddField(layer, name, field_type or "text", default,
                                        label=self.tr("Add field {f}").format(f=name)))

    def rename_field(self, name: str | None = None, new_name: str | None = None) -> bool:
        layer = self.attribute_table.layer
        if layer is None:
            return False
        if new_name is None:
            dialog = RenameFieldDialog(layer.table.fields, name or "", self)
            if dialog.exec() != RenameFieldDialog.Accepted:
                return False
            name, new_name = dialog.field_box.currentText(), dialog.name_edit.text()
        return self.edits.push(RenameField(layer, name, new_name, label=self.tr(
            "Rename field {f} to {g}").format(f=name, g=new_name)))

    def delete_field(self, name: str | None = None, confirm: bool = True) -> bool:
        layer = self.attribute_table.layer
        if layer is None:
            return False
        if name is None:
            name, ok = QInputDialog.getItem(self, self.tr("Delete field"), self.tr("Field:"),
                                            layer.table.fields, 0, False)
            if not ok:
                return False
        elif confirm and QMessageBox.question(
                self, self.tr("Delete field"),
                self.tr("Delete field {f} of all objects? (Undo brings it back.)").format(
                    f=name)) != QMessageBox.Yes:
            return False
        return self.edits.push(DeleteField(layer, name, label=self.tr(
            "Delete field {f}").format(f=name)))

    def _on_field_action(self, action: str, field: str) -> None:
        if action == "set":
            self.set_field_for_selection(preset=field)
        elif action == "add":
            self.add_field()
        elif action == "rename":
            self.rename_field(field)
        elif action == "delete":
            self.delete_field(field)


    def delete_selected(self) -> bool:
        """Delete the selected objects of every layer (one undo step)."""
        commands = [DeleteObjects(self.scene.layer(n), self.scene.selection.rows(n))
                    for n in self.scene.selection.layers()]
        if not commands:
            return False
        n = self.scene.selection.count()
        label = self.tr("Delete {n} objects").format(n=n)
        command = commands[0] if len(commands) == 1 else Macro(label, commands)
        command.label = label
        return self.edits.push(command)

    def _on_placing(self, on: bool, mode: str) -> None:
        if on:
            self._ground_mode = mode
        self.viewport.placing = (self.add_object_action.isChecked() or
                                 self.move_object_action.isChecked())
        if on and mode == "add":
            self.statusBar().showMessage(self.tr(
                "Click the ground to place a new object in the table's layer"))
        elif on:
            self.statusBar().showMessage(self.tr(
                "Click the ground where the selected object should stand"))

    def _move_selected(self, xyz) -> None:
        names = self.scene.selection.layers()
        rows = self.scene.selection.rows(names[0]) if len(names) == 1 else []
        layer = self.scene.layer(names[0]) if len(names) == 1 else None
        points = [b for b in (layer.batches if layer else []) if isinstance(b, PointBatch)]
        here = [b.points[b.rows == rows[0]] for b in points] if len(rows) == 1 else []
        here = [h for h in here if len(h)]
        if not here:
            self.message_bar.push(self.tr("Select one point object to move."), "info")
            return
        # keep its height: above the ground for an object on the terrain (a lamp post
        # carried up the hill stands on it), else its own Z
        target = np.array([xyz[0], xyz[1],
                           moved_height(layer, self.scene.layers, here[0], xyz)])
        self.edits.push(MovePoint(layer, int(rows[0]), target,
                                  label=self.tr("Move object {oid}").format(
                                      oid=layer.table.oid[int(rows[0])])))
    def ask_class(self, layer, choices: list[str]) -> str | None:
        """The class of a new object (tests replace this)."""
        value, ok = QInputDialog.getItem(self, self.tr("Add object"),
                                         self.tr("Class of the new object in {layer}:").format(
                                             layer=layer.name), choices, 0, True)
        return value if ok and value else None

    def _on_ground_clicked(self, xyz) -> None:
        if getattr(self, "_ground_mode", "add") == "move":
            self._move_selected(xyz)
            return
        layer = self.attribute_table.layer
        if layer is None or (len(layer) and not any(isinstance(b, PointBatch)
                                                     for b in layer.batches)):
            self.message_bar.push(self.tr(
                "Show a point layer (e.g. street furniture) in the table to add objects to it."),
                "info")
            return
        attrs = {}
        if layer.class_field and layer.class_field in layer.table.df.columns:
            present = sorted(set(layer.classes()) - {""})
            choices = present + [a for a in ASSET_NAMES if a not in present]
            cls = self.ask_class(layer, choices)
            if cls is None:
                return
            attrs[layer.class_field] = cls
        label = self.tr("Add {what}").format(what=attrs.get(layer.class_field, self.tr("object")))
        terrain = terrain_of(self.scene.layers)
        if terrain is not None and getattr(layer, "on_terrain", False):
            # on the terrain even while it is hidden (the flat ground is clicked then)
            xyz = np.array([xyz[0], xyz[1], ground_under(terrain, [[xyz[0], xyz[1], 0.0]])])
        if self.edits.push(AddPoint(layer, xyz, attrs, oid=self.edits.next_oid(layer),
                                    label=label)):
            self.scene.selection.select(layer.name, [len(layer) - 1])

    def _build_language_menu(self, view_menu) -> None:
        """View > Language: system default, 简体中文, English (applies after a restart)."""
        from twinviewer import i18n

        menu = view_menu.addMenu(self.tr("&Language"))
        menu.setObjectName("languageMenu")
        group = QActionGroup(self)
        current = str(self.settings.value(i18n.SETTINGS_KEY, "") or "")
        choices = [("", self.tr("System default"))] + list(i18n.LANGUAGES.items())
        for code, label in choices:  # language names stay in their own language
            action = QAction(label, self, checkable=True)
            action.setData(code)
            action.setChecked(code == current)
            action.triggered.connect(lambda _=False, c=code: self.set_language(c))
            group.addAction(action)
            menu.addAction(action)
        self.language_menu = menu

    def set_language(self, code: str) -> None:
        """Remember the interface language ("" = system); it takes effect after a restart."""
        from twinviewer import i18n

        self.settings.setValue(i18n.SETTINGS_KEY, code)
        self.message_bar.push(self.tr(
            "The interface language changes the next time twinviewer starts."), "info")

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
        if not self.edits.is_clean and not self._settle_unsaved():
            event.ignore()
            return
        self._closed = True
        self.edits.autosave_timer.stop()
        if self._worker is not None:
            self._worker.cancel()
            if not self._worker.wait(5000):  # in a read that cannot stop: let it end alone
                outlive_window(self._worker)
        self.settings.setValue("main/geometry", self.saveGeometry())
        self.settings.setValue("main/state", self.saveState())
        self.cases.stop()
        self.viewport.close_view()
        self.scene.close()  # the DEM's and imagery's datasets
        super().closeEvent(event)
