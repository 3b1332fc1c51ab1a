"""Walk mode in the real window: keys move the eye on the ground, it never goes under."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from tests.conftest import save_window
from twinviewer.ui.walk import EYE_HEIGHT, STEP

pytestmark = pytest.mark.gui


def _camera(w):
    cam = w.viewport.plotter.renderer.GetActiveCamera()
    return np.array(cam.GetPosition()), np.array(cam.GetFocalPoint())


def _ground(w, p) -> float:
    """The demo's ground under ``p``: its DEM's height there (0 without one)."""
    for layer in w.scene.layers:
        if getattr(layer, "terrain", None) is not None:
            return float(layer.terrain.height_at(p[0], p[1]))
    return 0.0


def test_walk_keys_look_and_leave(main_window, qtbot, artifacts):
    w = main_window()
    tools = w.presenting
    orbit_style = w.viewport.plotter.iren.interactor.GetInteractorStyle()
    before = w.viewport.image()
    tools.walk_action.trigger()
    assert tools.walk.active
    pos, focal = _camera(w)
    assert pos[2] == pytest.approx(_ground(w, pos) + EYE_HEIGHT)  # eye height on the ground
    widget = w.viewport.interactor
    ahead = (focal - pos)[:2] / np.linalg.norm((focal - pos)[:2])

    qtbot.keyClick(widget, Qt.Key_W)
    moved, _ = _camera(w)
    np.testing.assert_allclose(moved[:2] - pos[:2], ahead * STEP, atol=1e-6)
    qtbot.keyClick(widget, Qt.Key_D)  # strafe right: perpendicular, same height
    side, _ = _camera(w)
    assert abs(np.dot(side[:2] - moved[:2], ahead)) < 1e-6
    assert side[2] == pytest.approx(_ground(w, side) + EYE_HEIGHT)  # following the ground

    for _ in range(5):  # flying down stops at eye height: no going under the ground
        qtbot.keyClick(widget, Qt.Key_PageDown)
    low = _camera(w)[0]
    assert low[2] == pytest.approx(_ground(w, low) + EYE_HEIGHT)
    qtbot.keyClick(widget, Qt.Key_PageUp, Qt.ShiftModifier)
    assert _camera(w)[0][2] == pytest.approx(_ground(w, low) + EYE_HEIGHT + 5 * STEP)

    yaw = tools.walk.yaw
    qtbot.keyClick(widget, Qt.Key_Left)
    assert (tools.walk.yaw - yaw) % 360 == pytest.approx(5.0)
    # dragging with the mouse looks around instead of orbiting
    centre = QPoint(widget.width() // 2, widget.height() // 2)
    qtbot.mousePress(widget, Qt.LeftButton, pos=centre)
    qtbot.mouseMove(widget, centre + QPoint(40, 0))
    qtbot.mouseRelease(widget, Qt.LeftButton, pos=centre + QPoint(40, 0))
    assert (yaw + 5.0 - tools.walk.yaw) % 360 == pytest.approx(12.0)
    img = w.viewport.image()
    assert np.abs(img.astype(int) - before.astype(int)).mean() > 5  # a different view
    save_window(w, artifacts / "walk_mode.png")

    qtbot.keyClick(widget, Qt.Key_Escape)
    assert not tools.walk.active and not tools.walk_action.isChecked()
    assert w.viewport.plotter.iren.interactor.GetInteractorStyle() is orbit_style


def test_save_image_larger_than_the_window(main_window, tmp_path):
    from PIL import Image

    w = main_window()
    out = tmp_path / "大图 view.png"
    size = w.save_image(out, scale=3)
    rw, rh = w.viewport.plotter.render_window.GetSize()
    assert size == (3 * rw, 3 * rh)
    img = np.asarray(Image.open(out))
    assert img.shape[:2] == (3 * rh, 3 * rw)
    assert img[..., :3].std() > 10
