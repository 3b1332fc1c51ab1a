"""First-person walk and fly mode for the 3D view (beside the usual orbit mode)."""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QEvent, QObject, Qt, Signal
from vtkmodules.vtkInteractionStyle import vtkInteractorStyleUser

EYE_HEIGHT = 1.7  # metres above the ground
STEP = 2.0  # metres per key press (x5 with Shift)
TURN = 5.0  # degrees per arrow key press
LOOK = 0.3  # degrees per pixel of mouse drag


class WalkMode(QObject):
    """WASD / arrows to walk, mouse drag to look, PageUp/PageDown to fly up and down.

    The eye never goes below ``EYE_HEIGHT`` above the scene's ground. While walking,
    VTK's orbit style is replaced by a style that does nothing, so the keys and the
    mouse belong to the walk; leaving restores it.

    Signals
    -------
    toggled(bool)
        Walk mode entered or left.
    """

    toggled = Signal(bool)

    def __init__(self, viewport, parent=None) -> None:
        super().__init__(parent)
        self.viewport = viewport
        self.active = False
        self.yaw = 0.0
        self.pitch = 0.0
        self._style = None
        self._drag = None
        self._view_angle = 30.0

    # -- entering and leaving ------------------------------------------------
    def set_active(self, on: bool) -> None:
        if on == self.active or self.viewport.view is None:
            return
        plotter = self.viewport.plotter
        cam = plotter.renderer.GetActiveCamera()
        iren = plotter.iren.interactor
        if on:
            self._style = iren.GetInteractorStyle()
            iren.SetInteractorStyle(vtkInteractorStyleUser())
            focal = np.array(cam.GetFocalPoint())
            forward = focal - np.array(cam.GetPosition())
            self.yaw = math.degrees(math.atan2(forward[1], forward[0]))
            self.pitch = 0.0
            self._view_angle = cam.GetViewAngle()
            cam.SetViewAngle(60.0)
            self.position = np.array([focal[0], focal[1],
                                      self.ground(focal[0], focal[1]) + EYE_HEIGHT])
            self.viewport.interactor.installEventFilter(self)
            self.viewport.interactor.setFocus()
        else:
            self.viewport.interactor.removeEventFilter(self)
            if self._style is not None:
                iren.SetInteractorStyle(self._style)
            cam.SetViewAngle(self._view_angle)
        self.active = on
        if on:
            self._apply()
        self.toggled.emit(on)

    def ground(self, x: float | None = None, y: float | None = None) -> float:
        """The ground's height at ``(x, y)``: the terrain's there, if the scene has one
        (core sampling), else the scene's lowest level."""
        terrain = self.viewport.view.terrain()
        if terrain is not None and x is not None:
            h = float(terrain.height_at(x, y))
            if np.isfinite(h):
                return h
        bounds = self.viewport.view.scene.bounds()
        return 0.0 if bounds is None else min(float(bounds[2]), 0.0)

    # -- moving --------------------------------------------------------------
    def forward(self) -> np.ndarray:
        y, p = math.radians(self.yaw), math.radians(self.pitch)
        return np.array([math.cos(p) * math.cos(y), math.cos(p) * math.sin(y), math.sin(p)])

    def move(self, ahead: float = 0.0, right: float = 0.0, up: float = 0.0) -> None:
        """Walk ``ahead``/``right`` metres on the ground plane, rise ``up`` metres."""
        y = math.radians(self.yaw)
        flat = np.array([math.cos(y), math.sin(y), 0.0])
        side = np.array([math.sin(y), -math.cos(y), 0.0])
        before = self.ground(*self.position[:2])
        self.position = self.position + flat * ahead + side * right + np.array([0, 0, up])
        after = self.ground(*self.position[:2])
        self.position[2] += after - before  # walking follows the terrain up and down
        self.position[2] = max(self.position[2], after + EYE_HEIGHT)  # no tunnelling
        self._apply()

    def turn(self, yaw: float = 0.0, pitch: float = 0.0) -> None:
        self.yaw = (self.yaw + yaw) % 360.0
        self.pitch = float(np.clip(self.pitch + pitch, -80.0, 80.0))
        self._apply()

    def _apply(self) -> None:
        cam = self.viewport.plotter.renderer.GetActiveCamera()
        cam.SetPosition(*self.position)
        cam.SetFocalPoint(*(self.position + self.forward() * 10.0))
        cam.SetViewUp(0.0, 0.0, 1.0)
        self.viewport.plotter.renderer.ResetCameraClippingRange()
        self.viewport.view.render()

    # -- input ---------------------------------------------------------------
    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt API
        try:
            kind = event.type()
            if kind == QEvent.KeyPress:
                return self._key(event)
            if kind == QEvent.MouseButtonPress and event.button() == Qt.LeftButton:
                self._drag = event.position()
                return True
            if kind == QEvent.MouseMove and self._drag is not None:
                pos = event.position()
                self.turn(-(pos.x() - self._drag.x()) * LOOK, -(pos.y() - self._drag.y()) * LOOK)
                self._drag = pos
                return True
            if kind == QEvent.MouseButtonRelease and self._drag is not None:
                self._drag = None
                return True
        except Exception:  # never let an exception cross the Qt event edge
            import logging

            logging.getLogger(__name__).exception("walk mode input failed")
        return False

    def _key(self, event) -> bool:
        step = STEP * (5.0 if event.modifiers() & Qt.ShiftModifier else 1.0)
        moves = {
            Qt.Key_W: dict(ahead=step), Qt.Key_Up: dict(ahead=step),
            Qt.Key_S: dict(ahead=-step), Qt.Key_Down: dict(ahead=-step),
            Qt.Key_A: dict(right=-step), Qt.Key_D: dict(right=step),
            Qt.Key_PageUp: dict(up=step), Qt.Key_PageDown: dict(up=-step),
        }
        if event.key() in moves:
            self.move(**moves[event.key()])
            return True
        if event.key() in (Qt.Key_Left, Qt.Key_Q):
            self.turn(yaw=TURN)
            return True
        if event.key() in (Qt.Key_Right, Qt.Key_E):
            self.turn(yaw=-TURN)
            return True
        if event.key() == Qt.Key_Escape:
            self.set_active(False)
            return True
        return False
