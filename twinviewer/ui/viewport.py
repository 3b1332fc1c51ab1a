"""The 3D viewport: a pyvistaqt interactor drawing the scene, click to pick."""

from __future__ import annotations

import logging

import numpy as np
from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget
from pyvistaqt import QtInteractor
from vtkmodules.vtkInteractionStyle import vtkInteractorStyleRubberBand3D

from twinviewer.core.scene import Scene
from twinviewer.render import SceneView, make_theme

log = logging.getLogger(__name__)
CLICK_SLOP = 4  # pixels a press may move and still count as a click


class Viewport(QWidget):
    """Hosts the VTK render window; turns clicks into selections.

    Signals
    -------
    picked(str, int)
        Layer name and row of the clicked object (``""``, -1: empty space).
    cursor_moved(object)
        Ground position under the mouse in scene coordinates (or ``None``).
    ground_clicked(object)
        In placing mode (``placing = True``): the ground point clicked (scene
        coordinates), instead of a pick.
    """

    picked = Signal(str, int)
    cursor_moved = Signal(object)
    ground_clicked = Signal(object)
    rectangle_drawn = Signal(object)  # (x0, y0, x1, y1) display pixels, rectangle mode
    polygon_point = Signal(object)  # a ground point clicked in polygon mode (scene coords)
    tiles_loading = Signal(int)  # tiles of streamed layers queued or decoding (0: all in)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.plotter = QtInteractor(self, auto_update=False, multi_samples=0,
                                    theme=make_theme())
        self.plotter.interactor.setObjectName("viewport3d")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.plotter.interactor)
        self.view: SceneView | None = None
        self.placing = False
        self.rectangle_mode = False
        self.polygon_mode = False
        self.point_tool = None  # callable(x, y) taking clicks instead of picks (measure tool)
        self._outline = None  # the polygon being drawn, as a line actor
        self._saved_style = None
        self._press: tuple[int, int] | None = None
        iren = self.plotter.iren
        iren.add_observer("LeftButtonPressEvent", self._on_press)
        iren.add_observer("LeftButtonReleaseEvent", self._on_release)
        iren.add_observer("MouseMoveEvent", self._on_move)
        # level of detail while the camera moves; full detail when it stops
        iren.add_observer("StartInteractionEvent", lambda *_: self._moving(True))
        iren.add_observer("EndInteractionEvent", lambda *_: self._moving(False))
        self._locator_timer = QTimer(self)
        self._locator_timer.setInterval(0)
        self._locator_timer.timeout.connect(self._build_one_locator)
        # streamed tiles: select, fetch in workers, a few new VTK objects per turn
        self._tiles_timer = QTimer(self)
        self._tiles_timer.setInterval(30)
        self._tiles_timer.timeout.connect(self._tiles_step)
        self._tiles_key = None
        self.last_hit = None  # scene point of the last click on anything drawn
        # the ground's tiles follow the camera: select, load, build a few per turn
        # changes that only need a redraw (the selection's colours): drawn once, on the
        # next event-loop turn, however many came
        self._render_timer = QTimer(self)
        self._render_timer.setSingleShot(True)
        self._render_timer.setInterval(0)
        self._render_timer.timeout.connect(self._render_pending)
        self._ground_timer = QTimer(self)
        self._ground_timer.setInterval(40)
        self._ground_timer.timeout.connect(self._ground_turn)

    @property
    def interactor(self) -> QWidget:
        return self.plotter.interactor

    def set_scene(self, scene: Scene) -> None:
        if self.view is not None:
            self.view.close()
            self.plotter.renderer.RemoveAllViewProps()
        self.view = SceneView(self.plotter, scene)
        self.view.schedule_render = self._render_timer.start  # coalesced: one draw per turn
        self.view.render()
        scene.layer_added.connect(lambda *_: self._locator_timer.start())
        scene.layer_added.connect(lambda *_: self._tiles_timer.start())
        self._locator_timer.start()
        self._tiles_timer.start()
        self._ground_timer.start()

    def _tiles_step(self) -> None:
        """One turn of tile streaming; idle while the camera rests and all is in."""
        try:
            tiles = self.view.tiles if self.view is not None else None
            if tiles is None or not tiles.active:
                self._tiles_timer.stop()
                return
            cam = self.plotter.renderer.GetActiveCamera()
            key = (cam.GetMTime(), tuple(self.plotter.render_window.GetSize()))
            if key == self._tiles_key:
                return
            more = tiles.step()
            if tiles.changed:
                self.view.render()
            self._tiles_key = None if more else (cam.GetMTime(),
                                                 tuple(self.plotter.render_window.GetSize()))
            self.tiles_loading.emit(tiles.loading)
        except Exception:  # never let a tile problem escape the timer slot
            log.exception("tile streaming failed")

    def _render_pending(self) -> None:
        try:
            if self.view is not None and self.view.render_pending:
                self.view.render()
        except Exception:  # never let an exception cross the Qt timer edge
            log.exception("redraw failed")

    def _ground_turn(self) -> None:
        try:
            if self.view is not None and self.view.ground.active and self.view.ground_tick():
                self.plotter.render()
        except Exception:  # never let an exception cross the Qt timer edge
            log.exception("ground tiles failed")

    def refresh_layer(self, layer, *, geometry: bool = False) -> None:
        """Redraw a layer after an edit (new pieces get their locators in idle time)."""
        if self.view is None:
            return
        self.view.refresh_layer(layer, geometry=geometry)
        if geometry:
            self._locator_timer.start()

    def _build_one_locator(self) -> None:
        """Locators and stand-ins are built in idle time, one per event-loop turn."""
        try:
            if self.view is None or not self.view.build_next_pending():
                self._locator_timer.stop()
        except Exception:
            log.exception("deferred rendering work failed")
            self._locator_timer.stop()

    def _moving(self, moving: bool) -> None:
        try:
            if self.view is not None:
                self.view.set_interacting(moving)
                if not moving:
                    self.view.render()
        except Exception:
            log.exception("level of detail switch failed")

    # -- mouse --------------------------------------------------------------
    def _event_pos(self) -> tuple[int, int]:
        return tuple(self.plotter.iren.interactor.GetEventPosition())

    def _on_press(self, *_args) -> None:
        self._press = self._event_pos()

    def _on_release(self, *_args) -> None:
        try:
            if self._press is None or self.view is None:
                return
            x, y = self._event_pos()
            if abs(x - self._press[0]) > CLICK_SLOP or abs(y - self._press[1]) > CLICK_SLOP:
                if self.rectangle_mode:
                    self.rectangle_drawn.emit((*self._press, x, y))
                return
            self.pick_at(x, y)
        except Exception:  # never let an exception cross the VTK observer edge
            log.exception("pick failed")
        finally:
            self._press = None

    def show_outline(self, points) -> None:
        """Draw (or with no points remove) a closed outline on the ground."""
        import pyvista as pv

        if self._outline is not None:
            self.plotter.renderer.RemoveActor(self._outline)
            self._outline = None
        pts = np.asarray(points, dtype=float).reshape(-1, 3)
        if len(pts) >= 2:
            pts = pts.copy()
            pts[:, 2] = 0.5  # just above the ground and the compounds
            line = pv.lines_from_points(np.vstack([pts, pts[:1]]))
            self._outline = self.plotter.add_mesh(line, color="#ff6a00", line_width=3,
                                                  pickable=False, reset_camera=False,
                                                  render=False)
        self.view.render()

    def set_rectangle_mode(self, on: bool) -> None:
        """Left-drag draws a rubber band (announced by ``rectangle_drawn``) instead of
        orbiting; the middle button still pans, the wheel zooms."""
        iren = self.plotter.iren.interactor
        if on and not self.rectangle_mode:
            self._saved_style = iren.GetInteractorStyle()
            iren.SetInteractorStyle(vtkInteractorStyleRubberBand3D())
        elif not on and self.rectangle_mode and self._saved_style is not None:
            iren.SetInteractorStyle(self._saved_style)
        self.rectangle_mode = on

    def pick_at(self, x: int, y: int) -> None:
        """Pick at VTK display pixel ``(x, y)`` and announce the result."""
        if self.point_tool is not None:
            self.point_tool(x, y)
            return
        if self.polygon_mode:
            ground = self.view.display_to_ground(x, y)
            if ground is not None:
                self.polygon_point.emit(ground)
            return
        if self.placing:
            ground = self.view.display_to_ground(x, y)
            if ground is not None:
                self.ground_clicked.emit(ground)
            return
        hit = self.view.pick(x, y)
        self.last_hit = None if hit is None else hit[2]  # a scan's surface point too
        if hit is None or hit[1] < 0:  # empty space, or a scan where no footprint is
            self.picked.emit("", -1)
        else:
            layer, row, _pos = hit
            self.picked.emit(layer.name, row)

    def _on_move(self, *_args) -> None:
        try:
            if self.view is None:
                return
            x, y = self._event_pos()
            self.cursor_moved.emit(self.view.display_to_ground(x, y))
        except Exception:
            log.exception("cursor position failed")

    def qt_pos(self, display_xy) -> tuple[int, int]:
        """Qt widget position of a VTK display pixel (y flipped, device pixel ratio)."""
        ratio = self.interactor.devicePixelRatioF() or 1.0
        h = self.plotter.render_window.GetSize()[1]
        x, y = display_xy
        return int(round(x / ratio)), int(round((h - 1 - y) / ratio))

    def image(self) -> np.ndarray:
        """The current frame as an (h, w, 3) uint8 array (row 0 at the top)."""
        self.plotter.render()
        return np.asarray(self.plotter.screenshot(return_img=True))

    def close_view(self) -> None:
        """Close the interactor explicitly: avoids the segfault at exit (pyvistaqt#846)."""
        self._locator_timer.stop()
        self._tiles_timer.stop()
        self._ground_timer.stop()
        if self.view is not None:
            self.view.close()
            self.view = None
        self.plotter.close()
