"""Start the Qt application and the main window."""

from __future__ import annotations

import logging
import sys
import traceback

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication

from twinviewer.ui.main_window import DEMO_SCENE, MainWindow

log = logging.getLogger(__name__)


def make_app(argv=None) -> QApplication:
    app = QApplication.instance() or QApplication(list(argv or sys.argv[:1]))
    QCoreApplication.setOrganizationName("twinviewer")
    QCoreApplication.setApplicationName("twinviewer")
    return app


def install_excepthook(window: MainWindow) -> None:
    """An exception escaping a Qt slot must not abort the process: log it and say so."""
    def hook(exc_type, exc, tb):
        log.error("".join(traceback.format_exception(exc_type, exc, tb)))
        try:
            window.message_bar.push(f"{exc_type.__name__}: {exc}", "error")
        except Exception:  # the window may be gone already
            pass
    sys.excepthook = hook


def run_app(paths=None) -> int:
    """Open the main window on ``paths`` (default: the bundled demo scene)."""
    app = make_app()
    window = MainWindow()
    install_excepthook(window)
    window.show()
    window.open_paths(paths or [DEMO_SCENE])
    return app.exec()
