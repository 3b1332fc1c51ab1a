"""Load scenes off the GUI thread with progress and cancel."""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QThread, Signal

from twinviewer.core.errors import LoadError
from twinviewer.io.loader import Cancelled, load
from twinviewer.io.scene_file import SceneSpec

log = logging.getLogger(__name__)

_ORPHANS: list[QThread] = []  # workers whose window closed before they could stop


def outlive_window(worker: QThread) -> None:
    """Keep a still running ``worker`` alive after its window is gone.

    A QThread destroyed while it runs aborts the process; unparented and referenced here,
    it finishes its read and is dropped at the next call.
    """
    _ORPHANS[:] = [w for w in _ORPHANS if w.isRunning()]
    worker.setParent(None)
    _ORPHANS.append(worker)


class LoadWorker(QThread):
    """Reads, extrudes, triangulates and reprojects in a thread; VTK stays on the GUI thread.

    Signals: ``progress(int percent, str what)``, ``loaded(LoadResult)``,
    ``failed(str message)``, ``cancelled()``.
    """

    progress = Signal(int, str)
    loaded = Signal(object)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, spec: SceneSpec, parent=None) -> None:
        super().__init__(parent)
        self.spec = spec
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    def run(self) -> None:
        try:
            result = load(self.spec, progress=lambda f, msg: self.progress.emit(int(f * 100), msg),
                          cancelled=self._cancel.is_set)
        except Cancelled:
            self.cancelled.emit()
        except LoadError as exc:
            self.failed.emit(exc.message)
        except Exception as exc:  # a thread must report, never die silently
            log.exception("load failed")
            self.failed.emit(self.tr("Loading failed unexpectedly ({type}): {error}").format(
                type=type(exc).__name__, error=exc))
        else:
            self.loaded.emit(result)
