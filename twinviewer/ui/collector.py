"""Python's cyclic garbage is collected on the GUI thread only, between events.

A closed window leaves its 3D view in reference cycles: VTK actors, textures, cell
locators and Qt wrappers that only the cyclic collector frees.  Left automatic, that
collection runs in whichever thread happens to allocate when a threshold is passed:
an MQTT client's, a tile loader's, a pool's, or the GUI thread inside a frame (VTK
releases the GIL while it renders, and the renderer's Python observers allocate).
Freeing OpenGL objects or QObjects there faults in native code, at random and long
after the window closed.  The same cure as pyqtgraph's ``GarbageCollector``: the
automatic collector is switched off and a GUI-thread timer collects what it would.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QObject, QTimer

INTERVAL_MS = 250

_collector: GuiThreadCollector | None = None


class GuiThreadCollector(QObject):
    """Collects, on a GUI-thread timer, the generations Python itself would collect."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        gc.disable()
        self.timer = QTimer(self)
        self.timer.setInterval(INTERVAL_MS)
        self.timer.timeout.connect(collect_due)
        self.timer.start()


def collect_due() -> int:
    """Collect the oldest generation whose threshold is passed; the objects freed.

    Call on the GUI thread only (the timer does; so do the tests between tests).
    """
    counts, thresholds = gc.get_count(), gc.get_threshold()
    due = [gen for gen in range(3) if counts[gen] > thresholds[gen]]
    return gc.collect(due[-1]) if due else 0


def collect_on_gui_thread() -> GuiThreadCollector:
    """Switch the automatic collector off for the application's timer (idempotent).

    Call on the GUI thread once a ``QApplication`` exists, before the first window.
    """
    global _collector
    if _collector is None:
        _collector = GuiThreadCollector(QCoreApplication.instance())
    return _collector
