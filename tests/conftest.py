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


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not beside the project")
    return SHARED_DATA


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def main_window(qtbot, tmp_path):
    """Factory: a real, shown MainWindow that opened ``paths`` (default: a copy of the demo)."""
    if not os.environ.get("DISPLAY") and os.environ.get("QT_QPA_PLATFORM") != "offscreen":
        pytest.skip("GUI tests need a display (run them under xvfb-run, see README)")
    from PySide6.QtCore import QSettings

    from twinviewer.ui.main_window import MainWindow

    windows = []

    def make(paths=None, size=(1400, 900)):
        settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
        window = MainWindow(settings=settings)
        window.resize(*size)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        if paths is None:  # a copy: styles, bookmarks and edits are written back
            folder = tmp_path / f"demo{len(windows)}"
            folder.mkdir()
            for f in DEMO_SCENE.parent.iterdir():
                if f.suffix in (".toml", ".gpkg"):
                    shutil.copy(f, folder / f.name)
            paths = [folder / DEMO_SCENE.name]
        with qtbot.waitSignal(window.scene_loaded, timeout=120_000):
            window.open_paths(paths)
        qtbot.wait(50)
        windows.append(window)
        return window

    yield make
    for w in windows:
        w.close()


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
