"""Planning analysis in the window: the Analysis menu, the sunlight dialog (worker
thread with progress and cancel), camera coverage, height limit and the section plane.

Results are kept as ``twinviewer analyse ... --save`` keeps them
(:mod:`twinviewer.analysis.saving`, the one path for both): result layers go into
the scene's GeoPackage as tables of their own, each with an edit-log row naming the
parameters; column edits become one undo step each and are saved at once when
nothing else was pending (else with the other edits, on *File > Save*)."""

from __future__ import annotations

import datetime as dt
import logging

import numpy as np
from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
)

from twinviewer.analysis.sunlight import PRESETS, SunlightRequest
from twinviewer.i18n import translate
from twinviewer.ui.measure_tool import MeasurePanel

log = logging.getLogger(__name__)


class _Signals(QObject):
    progress = Signal(int)
    done = Signal(object)
    failed = Signal(str)


class AnalysisJob(QRunnable):
    """Runs ``func(progress)`` off the GUI thread; ``progress(fraction)`` returns False
    once cancelled, which the analyses turn into InterruptedError."""

    def __init__(self, func) -> None:
        super().__init__()
        # Python owns the job (the panel keeps it): with Qt's auto-delete, the pool thread
        # deleted the C++ object under a live Python wrapper, freed again at its collection
        self.setAutoDelete(False)
        self.func = func
        self.signals = _Signals()
        self.cancelled = False
        self.ended = False

    def _progress(self, fraction: float) -> bool:
        self.signals.progress.emit(int(round(fraction * 100)))
        return not self.cancelled

    def run(self) -> None:  # worker thread: no widget, no VTK here
        try:
            result = self.func(self._progress)
        except InterruptedError:
            self.signals.failed.emit("")
        except Exception as exc:  # the thread edge: report, never crash the window
            log.exception("analysis failed")
            self.signals.failed.emit(str(exc))
        else:
            self.signals.done.emit(result)
        finally:
            self.ended = True

    def start(self) -> None:
        """Run in Qt's global pool; held here until it has ended (Python owns it)."""
        _JOBS[:] = [j for j in _JOBS if not j.ended]
        _JOBS.append(self)
        QThreadPool.globalInstance().start(self)


_JOBS: list[AnalysisJob] = []  # started jobs, dropped at a later start once ended


class SunlightDialog(QDialog):
    """日照分析: preset, year, building layer; runs in a worker with progress and cancel."""

    finished_result = Signal(object)

    def __init__(self, tools: PlanningTools) -> None:
        super().__init__(tools.window)
        self.tools = tools
        self.setWindowTitle(self.tr("Sunlight hours"))
        self.setObjectName("sunlightDialog")
        self.preset = QComboBox(self)
        for key, p in PRESETS.items():
            self.preset.addItem(p.label, key)
        self.year = QSpinBox(self)
        self.year.setRange(1900, 2200)
        self.year.setValue(dt.date.today().year)
        self.layer = QComboBox(self)
        for lyr in tools.window.scene.layers:
            if any(hasattr(b, "triangles") for b in lyr.batches):
                self.layer.addItem(lyr.name)
        if self.layer.findText("建筑") >= 0:
            self.layer.setCurrentText("建筑")
        self.step = QDoubleSpinBox(self)
        self.step.setRange(1.0, 60.0)
        self.step.setValue(15.0)
        self.step.setSuffix(" min")
        self.spacing = QDoubleSpinBox(self)
        self.spacing.setRange(0.5, 50.0)
        self.spacing.setValue(3.0)
        self.spacing.setSuffix(" m")
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 100)
        self.status = QLabel(self)
        self.below = QListWidget(self)
        self.below.setObjectName("sunlightBelow")
        self.below.itemClicked.connect(self._select_below)
        self.run_button = QPushButton(self.tr("Run"), self)
        self.run_button.clicked.connect(self.run)
        self.cancel_button = QPushButton(self.tr("Cancel"), self)
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.video_button = QPushButton(self.tr("Shadow video…"), self)
        self.video_button.setObjectName("shadowVideoButton")
        self.video_button.setToolTip(self.tr(
            "Export the shadows over the chosen day, from this view, as an MP4 video"))
        self.video_button.clicked.connect(lambda: self.export_shadows())
        form = QFormLayout()
        form.addRow(self.tr("Standard"), self.preset)
        form.addRow(self.tr("Year"), self.year)
        form.addRow(self.tr("Buildings"), self.layer)
        form.addRow(self.tr("Time step"), self.step)
        form.addRow(self.tr("Point spacing"), self.spacing)
        box = QDialogButtonBox(self)
        box.addButton(self.run_button, QDialogButtonBox.ActionRole)
        box.addButton(self.video_button, QDialogButtonBox.ActionRole)
        box.addButton(self.cancel_button, QDialogButtonBox.RejectRole)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.progress)
        lay.addWidget(self.status)
        lay.addWidget(QLabel(self.tr("Buildings below the threshold:"), self))
        lay.addWidget(self.below, 1)
        lay.addWidget(box)
        self.job: AnalysisJob | None = None
        self.result = None

    def run(self) -> None:
        from twinviewer.analysis.rays import Occluders
        from twinviewer.analysis.sunlight import scene_lonlat, sunlight

        scene = self.tools.window.scene
        layer = scene.layer(self.layer.currentText())
        try:
            lon, lat = scene_lonlat(scene)
        except ValueError as exc:
            self.status.setText(str(exc))
            return
        req = SunlightRequest.from_preset(self.preset.currentData(), self.year.value(),
                                          latitude=lat, longitude=lon,
                                          step_minutes=self.step.value(),
                                          spacing=self.spacing.value())
        floors = "层数" if "层数" in layer.table.df.columns else None
        occ = Occluders.from_scene(scene)  # arrays gathered here; Embree builds in the worker
        self.job = AnalysisJob(lambda progress: (layer, floors, sunlight(
            layer, req, occ, floors_field=floors, progress=progress)))
        self.job.signals.progress.connect(self.progress.setValue)
        self.job.signals.done.connect(self._done)
        self.job.signals.failed.connect(self._failed)
        self.run_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.status.setText(self.tr("Computing…"))
        self.job.start()

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancelled = True

    def shadow_request(self):
        """The shadow animation of the chosen standard's day and window, at the time step."""
        from twinviewer.analysis.shadows import ShadowRequest
        from twinviewer.analysis.sunlight import scene_lonlat

        lon, lat = scene_lonlat(self.tools.window.scene)
        req = SunlightRequest.from_preset(self.preset.currentData(), self.year.value())
        return ShadowRequest(req.day, req.start, req.end, self.step.value(), latitude=lat,
                             longitude=lon)

    def export_shadows(self, out: str | None = None, size=(1280, 720), fps: float = 4.0) -> bool:
        """Export the day's shadows from the window's current view as an MP4, as
        ``twinviewer analyse shadows`` does; a progress dialog with Cancel.

        Frames are drawn in the GUI thread (VTK lives there) in an offscreen view; the
        event loop turns between frames so Cancel and the window stay live.
        """
        from PySide6.QtWidgets import QApplication, QFileDialog, QProgressDialog

        from twinviewer.render.shadow_video import export_shadow_video
        from twinviewer.render.video import Cancelled
        from twinviewer.ui.bookmarks import current_view

        window = self.tools.window
        try:
            req = self.shadow_request()
        except ValueError as exc:
            self.status.setText(str(exc))
            return False
        if out is None:
            out, _ = QFileDialog.getSaveFileName(self, self.tr("Export shadow video"),
                                                 f"shadows_{req.day.isoformat()}.mp4",
                                                 self.tr("MP4 video (*.mp4)"))
            if not out:
                return False
        dialog = QProgressDialog(self.tr("Rendering the shadows of {day}…").format(day=req.day),
                                 self.tr("Cancel"), 0, len(req.times()), self)
        dialog.setWindowModality(Qt.WindowModal)
        dialog.setMinimumDuration(0)

        def progress(done: int, _total: int) -> None:
            dialog.setValue(done)
            QApplication.processEvents()

        try:
            n = export_shadow_video(window.scene, req, out, size=size, fps=fps,
                                    view=current_view(window.viewport), progress=progress,
                                    should_cancel=dialog.wasCanceled)
        except Cancelled:
            self.status.setText(self.tr("Cancelled."))
            return False
        except Exception as exc:  # shown in the dialog, never lost
            log.exception("shadow video failed")
            self.status.setText(self.tr("Video not written: {why}").format(
                why=getattr(exc, "message", None) or str(exc)))
            return False
        finally:
            dialog.reset()
            dialog.deleteLater()
            window.viewport.view.render()
        self.status.setText(self.tr("Wrote {f} ({n} frames)").format(f=out, n=n))
        return True

    def _failed(self, message: str) -> None:
        self.run_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.status.setText(self.tr("Cancelled.") if not message else message)
        self.job = None

    def _done(self, payload) -> None:
        from twinviewer.analysis.saving import sunlight_output
        from twinviewer.analysis.sunlight import sunlight_style

        layer, floors, result = payload
        self.job = None
        self.run_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.progress.setValue(100)
        window = self.tools.window
        if self.tools.keep_results(sunlight_output(layer, result, floors_field=floors)):
            # the window's own style path: 3D colours and the legend follow
            window.analysis.set_style(layer, sunlight_style(layer, result), save=False)
        self.result = result
        below = result.below()
        df = layer.table.df
        names = df["名称"] if "名称" in df.columns else df["oid"]
        self.below.clear()
        for r in below:
            self.below.addItem(f"{names.iat[r]}  {result.worst[r]:.2f} h")
            self.below.item(self.below.count() - 1).setData(Qt.UserRole, int(r))
        self._layer = layer
        self.status.setText(self.tr("{n} buildings below {h:g} h on {day}").format(
            n=len(below), h=result.threshold, day=result.params["day"]))
        window.scene.selection.select(layer.name, below.tolist())
        self.finished_result.emit(result)

    def _select_below(self, item) -> None:
        self.tools.window.scene.selection.select(self._layer.name, [item.data(Qt.UserRole)])


class PlanningTools:
    """The Analysis menu and the Measurements panel of the main window (issue 16)."""

    def __init__(self, window) -> None:
        self.window = window
        self.measure = MeasurePanel(window)
        self.measure_dock = window._dock("measureDock", translate("PlanningTools", "Measurements"), self.measure,
                                         Qt.RightDockWidgetArea)
        menu = window.menuBar().addMenu(translate("PlanningTools", "A&nalysis"))
        self.menu = menu
        self.measure_action = window._action(translate("PlanningTools", "&Measure"), self.show_measure, "Ctrl+M",
                                             menu)
        self.sunlight_action = window._action(translate("PlanningTools", "&Sunlight hours…"), self.sunlight,
                                              None, menu)
        self.coverage_action = window._action(translate("PlanningTools", "Camera &coverage"), self.coverage,
                                              None, menu)
        self.height_action = window._action(translate("PlanningTools", "&Height limit…"), self.height_limit,
                                            None, menu)
        self.section_action = window._action(translate("PlanningTools", "Se&ction plane"), self.toggle_section,
                                             None, menu)
        self.section_action.setCheckable(True)
        self.section = None
        self.dialog: SunlightDialog | None = None
        self.coverage_job: AnalysisJob | None = None

    def show_measure(self) -> None:
        self.measure_dock.show()
        self.measure_dock.raise_()
        if self.measure.current == "off":
            self.measure.set_mode("distance")

    def sunlight(self) -> SunlightDialog:
        self.dialog = SunlightDialog(self)
        self.dialog.show()
        return self.dialog

    # -- coverage -------------------------------------------------------------
    def coverage(self) -> None:
        from twinviewer.analysis.coverage_layers import coverage_layers

        scene = self.window.scene
        cams = next((lyr for lyr in scene.layers if isinstance(lyr.style.get("view_cone"), dict)),
                    None)
        if cams is None:
            self.window.message_bar.push(translate("PlanningTools",
                "No camera layer with view cones in this scene."), "info")
            return
        self.coverage_job = AnalysisJob(lambda progress: (*coverage_layers(
            scene, cameras=cams.name, progress=progress), cams))
        self.coverage_job.signals.done.connect(self._coverage_done)
        self.coverage_job.signals.failed.connect(
            lambda m: self.window.message_bar.push(m, "warning") if m else None)
        self.coverage_job.start()

    def _coverage_done(self, payload) -> None:
        from twinviewer.analysis.saving import coverage_output

        result, layers, compounds, cams = payload
        scene = self.window.scene
        for layer in layers:  # VTK objects for them are made here, on the GUI thread
            scene.add_layer(layer, placed=True)
        self.keep_results(coverage_output(result, layers, compounds, cams))
        self.window.message_bar.push(translate("PlanningTools",
            "Cameras see {a:,.0f} m²; {k} road pieces are seen by none.").format(
            a=result.union.area, k=0 if result.blind_roads is None else len(result.blind_roads)),
            "info")

    # -- keeping results ------------------------------------------------------------
    def keep_results(self, out) -> bool:
        """Keep one run's results as the CLI's ``--save`` does (:mod:`~twinviewer.analysis.saving`).

        The column edits go onto the window's undo history (``False`` when refused);
        the result layers are written into the scene's GeoPackage with the parameters
        in its edit log; the columns are saved at once when nothing else was pending,
        else with the other edits.  A scene outside a store keeps them shown only.
        """
        from twinviewer.analysis.saving import save_tables
        from twinviewer.store import StoreError

        w = self.window
        was_clean = w.edits.is_clean
        for _layer, command in out.columns:
            if not w.edits.push(command):
                return False
        try:
            save_tables(w.scene, out)
        except ValueError as exc:
            w.message_bar.push(translate("PlanningTools",
                "The results are shown but not saved: {error}").format(error=exc), "warning")
            return True
        except StoreError as exc:
            w.message_bar.push(translate("PlanningTools",
                "The results are shown but not saved: {error}").format(error=exc.message),
                "warning")
            return True
        if out.columns:
            if w.edits.store() is None:  # plain files: the columns live in this session
                w.message_bar.push(translate("PlanningTools",
                    "The result columns are shown but not saved: the layers are not in a "
                    "store (import them first)."), "info")
            elif was_clean:
                w.save()  # the parameters are in the macro's label: the log keeps them
            else:
                w.message_bar.push(translate("PlanningTools",
                    "The result columns are saved with the other pending edits (File > Save)."),
                    "info")
        return True

    # -- height limit -----------------------------------------------------------
    def height_limit(self, height: float | None = None) -> None:
        import shapely

        from twinviewer.analysis.coverage import footprints
        from twinviewer.analysis.ground import scene_terrain, terrain_ground
        from twinviewer.analysis.height_limit import ControlSurface, VertexIndex, excess
        from twinviewer.analysis.saving import height_limit_output

        w = self.window
        if height is None:
            height, ok = QInputDialog.getDouble(w, translate("PlanningTools", "Height limit"),
                                                translate("PlanningTools", "Limit above the ground (m):"), 60.0, 0.0,
                                                1000.0, 1)
            if not ok:
                return
        area = None
        names = w.scene.selection.layers()
        if len(names) == 1:  # inside the selected polygon object (e.g. a compound)
            rows = w.scene.selection.rows(names[0])
            parts = footprints(w.scene.layer(names[0]))[rows]
            parts = [p for p in parts if p is not None]
            if parts:
                area = shapely.union_all(parts)
        if area is None:
            b = w.scene.bounds()
            area = shapely.box(b[0] - 1, b[1] - 1, b[3] + 1, b[4] + 1)
        surface = ControlSurface(polygon=area, height=float(height))
        ground_z = terrain_ground(scene_terrain(w.scene))  # "above the ground": the DEM's
        total = 0
        first = True
        found = []
        for layer in w.scene.layers:
            if not any(hasattr(b, "triangles") for b in layer.batches) or \
                    getattr(layer, "geometries", None) is not None:
                continue
            e = excess(VertexIndex.of(layer), surface, ground_z)
            rows = np.flatnonzero(np.isfinite(e))
            if not len(rows):
                continue
            total += len(rows)
            found.append((layer, e))
            if first:
                w.scene.selection.select(layer.name, rows.tolist())
                first = False
        if found:
            self.keep_results(height_limit_output(found, surface.params()))
        w.message_bar.push(translate("PlanningTools", "{n} objects rise above {h:g} m.").format(n=total, h=height),
                           "info")

    # -- section ----------------------------------------------------------------
    def toggle_section(self, on: bool) -> None:
        from twinviewer.render.section import SectionPlane

        vp = self.window.viewport
        if on:
            b = self.window.scene.bounds()
            if b is None:
                self.section_action.setChecked(False)
                return
            if self.section is None:
                self.section = SectionPlane(vp.plotter, (b[0], b[3], b[1], b[4], b[2], b[5]))
            self.section.enable()
        elif self.section is not None:
            self.section.disable()
