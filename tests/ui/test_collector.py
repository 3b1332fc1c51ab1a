"""Cyclic garbage (a closed window's VTK objects) is freed on the GUI thread only."""

from __future__ import annotations

import gc
import threading

from twinviewer.ui.collector import collect_on_gui_thread


class _Node:
    """A reference cycle that records the thread it is freed in."""

    def __init__(self, freed_in: list) -> None:
        self.freed_in = freed_in
        self.me = self

    def __del__(self) -> None:
        self.freed_in.append(threading.current_thread())


def test_a_cycle_is_freed_on_the_gui_thread_not_in_the_worker_that_allocates(qtbot):
    collect_on_gui_thread()
    assert not gc.isenabled()
    freed_in: list = []
    _Node(freed_in)  # garbage at once, but only the cyclic collector can free it
    kept: list = []

    def load():  # what a loader or an MQTT thread does: allocate past the thresholds
        kept.append([[] for _ in range(50_000)])

    worker = threading.Thread(target=load)
    worker.start()
    worker.join()
    assert freed_in == []  # the automatic collector would have freed it in the worker
    qtbot.waitUntil(lambda: bool(freed_in), timeout=2000)  # the GUI-thread timer's turn
    assert freed_in == [threading.main_thread()]
