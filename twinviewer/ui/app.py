"""Start the Qt application and the main window."""

from __future__ import annotations

import logging
import sys
import traceback

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QSettings, QTranslator
from PySide6.QtWidgets import QApplication

from twinviewer import i18n
from twinviewer.demo import demo_scene
from twinviewer.ui.main_window import MainWindow

log = logging.getLogger(__name__)


def make_app(argv=None) -> QApplication:
    app = QApplication.instance() or QApplication(list(argv or sys.argv[:1]))
    QCoreApplication.setOrganizationName("twinviewer")
    QCoreApplication.setApplicationName("twinviewer")
    return app


def install_translators(app: QCoreApplication, settings: QSettings | None = None,
                         language: str | None = None) -> list[QTranslator]:
    """Install twinviewer's and Qt's own translations for the chosen language.

    The language is ``language``, else the ``ui/language`` setting (View > Language),
    else the system locale.  English needs no translator.  Qt's ``qtbase_zh_CN.qm``
    (standard buttons, file dialogs) is loaded from ``QLibraryInfo.TranslationsPath``
    when present.  Returns the installed translators (see :func:`remove_translators`).
    """
    if language is None:
        setting = settings.value(i18n.SETTINGS_KEY, "") if settings is not None else ""
        language = i18n.choose_language(str(setting or ""))
    installed: list[QTranslator] = []
    if language == "en":
        return installed
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    qt_tr = QTranslator(app)
    if qt_tr.load(QLocale(language), "qtbase", "_", qt_dir):
        app.installTranslator(qt_tr)
        installed.append(qt_tr)
    qm = i18n.qm_file(language)
    own = QTranslator(app)
    if qm is not None and own.load(str(qm)):
        app.installTranslator(own)
        installed.append(own)
    else:
        log.warning("no %s translation available; the interface stays in English", language)
    app.setProperty("twinviewer_language", language)
    return installed


def remove_translators(app: QCoreApplication, translators: list[QTranslator]) -> None:
    """Undo :func:`install_translators` (tests switch languages in one process)."""
    for t in translators:
        app.removeTranslator(t)
    app.setProperty("twinviewer_language", None)


def install_excepthook(window: MainWindow) -> None:
    """An exception escaping a Qt slot must not abort the process: log it and say so."""
    def hook(exc_type, exc, tb):
        log.error("".join(traceback.format_exception(exc_type, exc, tb)))
        try:
            window.message_bar.push(i18n.translate(
                "app", "Unexpected error ({type}): {error}").format(
                    type=exc_type.__name__, error=exc), "error")
        except Exception:  # the window may be gone already
            pass
    sys.excepthook = hook


def run_app(paths=None) -> int:
    """Open the main window on ``paths`` (default: the bundled demo scene)."""
    app = make_app()
    install_translators(app, QSettings())
    window = MainWindow()
    install_excepthook(window)
    window.show()
    window.open_paths(paths or [demo_scene()])
    return app.exec()
