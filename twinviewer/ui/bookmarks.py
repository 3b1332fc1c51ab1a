"""The bookmarks dock: save the current view, fly to a bookmark, rename, reorder."""

from __future__ import annotations

import logging
import time

import numpy as np
from PySide6.QtCore import QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QInputDialog,
    QListWidget,
    QListWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from twinviewer.core.camera_path import Bookmark, fly_between
from twinviewer.core.errors import LoadError
from twinviewer.core.scene import View
from twinviewer.io.camera_paths import save_bookmarks

log = logging.getLogger(__name__)
FLY_SECONDS = 1.0
THUMB = QSize(96, 60)


def current_view(viewport) -> View:
    cam = viewport.plotter.renderer.GetActiveCamera()
    return View(tuple(cam.GetPosition()), tuple(cam.GetFocalPoint()), tuple(cam.GetViewUp()))


class CameraFlight(QObject):
    """Moves the viewport's camera to a view in ``seconds``, eased, one step per timer tick.

    Signals
    -------
    arrived()
        The camera reached the target (not emitted when a flight is replaced or stopped).
    """

    arrived = Signal()

    def __init__(self, viewport, parent=None) -> None:
        super().__init__(parent)
        self.viewport = viewport
        self._timer = QTimer(self)
        self._timer.setInterval(16)
        self._timer.timeout.connect(self._step)
        self._start: View | None = None
        self._target: View | None = None
        self._t0 = 0.0
        self.seconds = FLY_SECONDS

    def fly_to(self, view: View, seconds: float | None = None) -> None:
        if self.viewport.view is None:
            return
        self._start = current_view(self.viewport)
        self._target = view
        self.seconds = FLY_SECONDS if seconds is None else seconds
        self._t0 = time.monotonic()
        if self.seconds <= 0:
            self._finish()
            return
        self.viewport.view.set_interacting(True)
        self._timer.start()

    def is_flying(self) -> bool:
        return self._timer.isActive()

    def stop(self) -> None:
        if self._timer.isActive():
            self._timer.stop()
            if self.viewport.view is not None:
                self.viewport.view.set_interacting(False)

    def _step(self) -> None:
        try:
            u = (time.monotonic() - self._t0) / self.seconds
            if u >= 1.0 or self.viewport.view is None:
                self._finish()
                return
            self.viewport.view.set_view(fly_between(self._start, self._target, u))
        except Exception:  # never let an exception escape a timer slot
            log.exception("camera flight failed")
            self._timer.stop()

    def _finish(self) -> None:
        self._timer.stop()
        if self.viewport.view is not None:
            self.viewport.view.set_interacting(False)
            self.viewport.view.set_view(self._target)
        self.arrived.emit()


class BookmarksPanel(QWidget):
    """The scene's bookmarks as a list with thumbnails; edits are saved to the scene file.

    Signals
    -------
    bookmarks_changed()
        A bookmark was added, renamed, moved or deleted.
    """

    bookmarks_changed = Signal()

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.scene = None
        self.flight = CameraFlight(window.viewport, self)
        self._thumbs: dict[int, QIcon] = {}
        self.list = QListWidget(self)
        self.list.setObjectName("bookmarkList")
        self.list.setIconSize(THUMB)
        self.list.setDragDropMode(QAbstractItemView.InternalMove)
        self.list.setEditTriggers(QAbstractItemView.EditKeyPressed |
                                  QAbstractItemView.SelectedClicked)
        self.list.itemDoubleClicked.connect(lambda item: self.fly_to(self.list.row(item)))
        self.list.itemChanged.connect(self._on_item_changed)
        self.list.model().rowsMoved.connect(self._on_rows_moved)
        buttons = QHBoxLayout()
        for text, tip, slot in (
                ("+", self.tr("Save the current view as a bookmark"), lambda: self.add()),
                ("−", self.tr("Delete the bookmark"), self.delete_current),
                ("↑", self.tr("Move up"), lambda: self.move_current(-1)),
                ("↓", self.tr("Move down"), lambda: self.move_current(1))):
            b = QToolButton(self)
            b.setText(text)
            b.setToolTip(tip)
            b.clicked.connect(slot)
            buttons.addWidget(b)
        buttons.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addLayout(buttons)
        lay.addWidget(self.list)

    # -- model --------------------------------------------------------------
    @property
    def bookmarks(self) -> list[Bookmark]:
        return self.scene.bookmarks if self.scene is not None else []

    def set_scene(self, scene) -> None:
        self.scene = scene
        self._thumbs.clear()
        self._fill()

    def _fill(self) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for b in self.bookmarks:
            item = QListWidgetItem(self._thumbs.get(id(b), QIcon()), b.name)
            item.setFlags(item.flags() | Qt.ItemIsEditable)
            self.list.addItem(item)
        self.list.blockSignals(False)

    def add(self, name: str | None = None) -> Bookmark | None:
        """Save the current view as a bookmark (asks for a name when none is given)."""
        if self.scene is None or self.window.viewport.view is None:
            return None
        if name is None:
            default = self.tr("View {n}").format(n=len(self.bookmarks) + 1)
            name, ok = QInputDialog.getText(self, self.tr("New bookmark"), self.tr("Name:"),
                                            text=default)
            if not ok or not name.strip():
                return None
        name = self._unique(name.strip())
        mark = Bookmark.from_view(name, current_view(self.window.viewport))
        self._thumbs[id(mark)] = self._thumbnail()
        self.bookmarks.append(mark)
        self._changed()
        self.list.setCurrentRow(len(self.bookmarks) - 1)
        return mark

    def rename(self, row: int, name: str) -> None:
        name = name.strip()
        if not name or name == self.bookmarks[row].name:
            self._fill()
            return
        self.bookmarks[row].name = self._unique(name)
        self._changed()

    def move(self, row: int, to: int) -> None:
        marks = self.bookmarks
        if not (0 <= row < len(marks) and 0 <= to < len(marks)) or row == to:
            return
        marks.insert(to, marks.pop(row))
        self._changed()
        self.list.setCurrentRow(to)

    def move_current(self, step: int) -> None:
        row = self.list.currentRow()
        if row >= 0:
            self.move(row, row + step)

    def delete(self, row: int) -> None:
        mark = self.bookmarks.pop(row)
        for path in self.scene.paths:  # a path never points at a deleted bookmark
            path.keyframes = [k for k in path.keyframes if k.bookmark is not mark]
        self.scene.paths = [p for p in self.scene.paths if p.keyframes]
        self._changed()

    def delete_current(self) -> None:
        row = self.list.currentRow()
        if row >= 0:
            self.delete(row)

    def fly_to(self, row: int, seconds: float | None = None) -> None:
        """Fly to bookmark ``row``, eased, in about a second."""
        if 0 <= row < len(self.bookmarks):
            self.flight.fly_to(self.bookmarks[row].view, seconds)

    # -- internals ----------------------------------------------------------
    def _unique(self, name: str) -> str:
        taken = {b.name for b in self.bookmarks}
        out, i = name, 2
        while out in taken:
            out, i = f"{name} ({i})", i + 1
        return out

    def _thumbnail(self) -> QIcon:
        try:
            img = np.ascontiguousarray(self.window.viewport.image()[:, :, :3])
        except Exception:
            log.exception("bookmark thumbnail failed")
            return QIcon()
        h, w = img.shape[:2]
        qimg = QImage(img.data, w, h, 3 * w, QImage.Format_RGB888).copy()
        return QIcon(QPixmap.fromImage(qimg.scaled(THUMB, Qt.KeepAspectRatio,
                                                   Qt.SmoothTransformation)))

    def _on_item_changed(self, item: QListWidgetItem) -> None:
        self.rename(self.list.row(item), item.text())

    def _on_rows_moved(self, _parent, start, _end, _dest, row) -> None:
        self.move(start, row - 1 if row > start else row)

    def _changed(self) -> None:
        self._fill()
        self.save()
        self.bookmarks_changed.emit()

    def save(self) -> bool:
        """Write the bookmarks (and paths) into the scene file, when there is one."""
        path = self.scene.scene_file if self.scene is not None else None
        if path is None:
            return False
        try:
            save_bookmarks(path, self.bookmarks, self.scene.paths)
        except LoadError as exc:
            self.window.message_bar.push(exc.message, "error")
            return False
        return True
