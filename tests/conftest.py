"""Shared fixtures: real data folder, artefacts folder, a real main window."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
ARTIFACTS = ROOT / "test-artifacts"
DEMO_SCENE = ROOT / "scenes" / "demo" / "scene.toml"


RUNNING_TEST = ARTIFACTS / "running-test.txt"


@pytest.hookimpl(trylast=True)
def pytest_configure(config) -> None:
    """A crash (SIGSEGV in native code) prints only the faulting thread's stack.

    pytest's own fault handler dumps every thread; with a dozen of them (paho, pools,
    loaders) the one that faulted is cut from a CI log.  Its copy of stderr is reused.
    """
    import faulthandler

    from _pytest.faulthandler import fault_handler_stderr_fd_key

    fd = config.stash.get(fault_handler_stderr_fd_key, None)
    if fd is not None:
        faulthandler.enable(file=fd, all_threads=False)


def pytest_runtest_logstart(nodeid, location) -> None:
    """The running test, for run-tests.sh to name when the process dies of a signal."""
    ARTIFACTS.mkdir(exist_ok=True)
    RUNNING_TEST.write_text(nodeid + "\n", encoding="utf-8")


def copy_demo(folder: Path) -> Path:
    """A copy of the demo scene in ``folder`` (made if missing): its scene file, its
    GeoPackage and its rasters (the DEM and the photo); the copy's scene file."""
    folder.mkdir(parents=True, exist_ok=True)
    for f in DEMO_SCENE.parent.iterdir():
        if f.suffix in (".toml", ".gpkg", ".tif"):
            shutil.copy(f, folder / f.name)
    return folder / DEMO_SCENE.name


@pytest.fixture(autouse=True)
def _collect_on_the_main_thread():
    """Once a window switched Python's automatic collector off (ui/collector.py), the
    garbage of each test is collected after it, on this thread, as the app's timer does."""
    yield
    import gc

    if not gc.isenabled():
        from twinviewer.ui.collector import collect_due

        collect_due()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not beside the project")
    return SHARED_DATA


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def save_window(window, path) -> None:
    """A PNG of the whole window with its 3D view in it.

    A widget grab leaves the OpenGL area blank (Qt cannot read the native GL surface),
    so the view's own frame is painted into its place.
    """
    from PySide6.QtCore import QPoint, QRect
    from PySide6.QtGui import QImage, QPainter

    pixmap = window.grab()
    view = getattr(window, "viewport", None)
    target = None if view is None else view.interactor
    if target is not None and target.isVisible():
        import numpy as np

        frame = np.ascontiguousarray(view.image()[:, :, :3])
        h, w = frame.shape[:2]
        image = QImage(frame.data, w, h, 3 * w, QImage.Format_RGB888)
        painter = QPainter(pixmap)
        painter.drawImage(QRect(target.mapTo(window, QPoint(0, 0)), target.size()), image)
        painter.end()
    pixmap.save(str(path))


def _open_top_level_widgets() -> list:
    """Visible top-level widgets (windows, dialogs, popups) of the application."""
    from PySide6.QtWidgets import QApplication

    return [w for w in QApplication.topLevelWidgets() if w.isVisible()]


@pytest.fixture
def main_window(qtbot, tmp_path, request):
    """Factory: a real, shown MainWindow that opened ``paths`` (default: a copy of the demo).

    Like napari's ``make_napari_viewer``, the test fails when it leaves widgets behind:
    after its windows are closed, no top-level widget the test opened (a dialog, a
    second window, a popup) may still be shown.  Mark a test
    ``@pytest.mark.leaks_widgets`` to let it (say why in the test).
    """
    if not os.environ.get("DISPLAY") and os.environ.get("QT_QPA_PLATFORM") != "offscreen":
        pytest.skip("GUI tests need a display (run them under xvfb-run, see README)")
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from twinviewer.ui.main_window import MainWindow

    before = {id(w) for w in _open_top_level_widgets()}
    windows = []

    def make(paths=None, size=(1400, 900)):
        settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
        window = MainWindow(settings=settings)
        # closing asks about unsaved edits: a test that wants the question replaces
        # this again; the default keeps a failed test from hanging on the dialog
        window.ask_unsaved = lambda: "discard"
        window.resize(*size)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        if paths is None:  # a copy: styles, bookmarks and edits are written back
            paths = [copy_demo(tmp_path / f"demo{len(windows)}")]
        with qtbot.waitSignal(window.scene_loaded, timeout=120_000):
            window.open_paths(paths)
        qtbot.wait(50)
        windows.append(window)
        return window

    yield make
    for w in windows:
        w.close()
    QApplication.processEvents()
    leaked = [w for w in _open_top_level_widgets() if id(w) not in before]
    for w in leaked:  # close them anyway, so that the next test starts clean
        w.close()
    if leaked and request.node.get_closest_marker("leaks_widgets") is None:
        names = ", ".join(f"{type(w).__name__}({w.objectName() or w.windowTitle()!r})"
                          for w in leaked)
        pytest.fail(f"the test left {len(leaked)} widget(s) open: {names}", pytrace=False)


# Hypothesis profiles (issue 8): "ci" keeps the fuzz tests short (about 50 cases each,
# a few hundred in all); HYPOTHESIS_PROFILE=long runs 10,000 cases per fuzz test
# (see docs/robustness.md).  Tests with their own @settings keep their own counts.
try:
    from hypothesis import HealthCheck
    from hypothesis import settings as _hyp_settings

    _relaxed = [HealthCheck.too_slow, HealthCheck.data_too_large,
                HealthCheck.function_scoped_fixture]
    _hyp_settings.register_profile("ci", max_examples=50, deadline=None,
                                   suppress_health_check=_relaxed)
    _hyp_settings.register_profile("long", max_examples=10_000, deadline=None,
                                   suppress_health_check=_relaxed)
    _hyp_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
except ImportError:  # hypothesis is a test extra; the other tests run without it
    pass


# -- pixels of the real window (GUI tests) -------------------------------------
def roof_display(window, layer_name: str, row: int):
    """The display pixel of a point on the roof of ``row``: a quarter of the way from
    its centre to a corner (population markers float over roof centres)."""
    b = window.scene.layer(layer_name).row_bounds([row])
    cx, cy = (b[0] + b[3]) / 2, (b[1] + b[4]) / 2
    top = (cx + (b[0] - cx) * 0.25, cy + (b[1] - cy) * 0.25, b[5])
    return window.viewport.view.world_to_display(top)


def tallest_roof(window, layer_name: str = "建筑"):
    """``(row, display pixel)`` of the roof of the tallest building."""
    import numpy as np

    heights = window.scene.layer(layer_name).table.column("高度").astype(float)
    row = int(np.nanargmax(heights))
    return row, roof_display(window, layer_name, row)


def pixel(window, display, *, labels: bool = True):
    """RGB (ints) drawn at a VTK display pixel; ``labels=False`` without the labels."""
    overlay = window.viewport.view.label_overlay.actor
    shown = overlay.GetVisibility()
    if not labels:
        overlay.VisibilityOff()
    img = window.viewport.image()
    overlay.SetVisibility(shown)
    x, y = int(round(display[0])), int(round(display[1]))
    return img[img.shape[0] - 1 - y, x, :3].astype(int)


@pytest.fixture
def mosquitto(tmp_path):
    """A real mosquitto broker on a free loopback port (tests/live and the cases dock)."""
    from tests.live.conftest import MOSQUITTO, Mosquitto

    if not Path(MOSQUITTO).exists():
        pytest.skip("mosquitto is not installed (scripts/setup.sh installs it)")
    broker = Mosquitto(tmp_path).start()
    yield broker
    broker.stop()


def pytest_collection_modifyitems(config, items):
    """Offscreen pixel oracles (``clean_gl``) run first.

    In a long session, EGL offscreen windows made after some combinations of earlier
    tests (seen: the tests/io files together with the first render files, each harmless
    alone) read back all-black frames, even of a plain red sphere, with no VTK error.
    Until that is understood, the oracles run before anything else touches OpenGL.
    """
    first = [it for it in items if it.get_closest_marker("clean_gl")]
    if first:
        items[:] = first + [it for it in items if not it.get_closest_marker("clean_gl")]
