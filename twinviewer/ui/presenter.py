"""Presenter mode: a walkthrough path full screen, big captions, clicker keys.

Also installs the bookmarks dock, the Present menu and video export into the window.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QInputDialog,
    QLabel,
    QProgressBar,
    QProgressDialog,
    QToolBar,
)

from twinviewer.core.camera_path import WalkPath, apply_layers
from twinviewer.ui.bookmarks import BookmarksPanel, CameraFlight
from twinviewer.ui.walk import WalkMode

log = logging.getLogger(__name__)

NEXT_KEYS = {Qt.Key_PageDown, Qt.Key_Right, Qt.Key_Down, Qt.Key_Space}
PREVIOUS_KEYS = {Qt.Key_PageUp, Qt.Key_Left, Qt.Key_Up, Qt.Key_Backspace}
CAPTION_FONTS = ["WenQuanYi Micro Hei", "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC"]


class Presenter(QObject):
    """Shows ``path`` keyframe by keyframe over the window's viewport.

    Signals
    -------
    keyframe_changed(int)
        The keyframe now shown.
    active_changed(bool)
        Presenter mode entered or left.
    """

    keyframe_changed = Signal(int)
    active_changed = Signal(bool)

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.path: WalkPath | None = None
        self.index = -1
        self.active = False
        self._saved: dict = {}
        self.flight = CameraFlight(window.viewport, self)
        self.caption = QLabel(window.viewport)
        self.caption.setObjectName("presenterCaption")
        self.caption.setAlignment(Qt.AlignCenter)
        self.caption.setWordWrap(True)
        font = QFont()
        font.setFamilies(CAPTION_FONTS)
        font.setPointSize(30)
        font.setBold(True)
        self.caption.setFont(font)
        self.caption.setStyleSheet("QLabel { color: white; background: rgba(20, 24, 32, 170);"
                                   " padding: 14px 28px; border-radius: 8px; }")
        self.caption.hide()
        self.strip = QProgressBar(window.viewport)
        self.strip.setObjectName("presenterProgress")
        self.strip.setTextVisible(False)
        self.strip.setFixedHeight(8)
        self.strip.setStyleSheet("QProgressBar { background: rgba(0,0,0,60); border: 0; }"
                                 "QProgressBar::chunk { background: #f28c28; }")
        self.strip.hide()
        self._playing = QTimer(self)
        self._playing.setSingleShot(True)
        self._playing.timeout.connect(self._advance)

    # -- mode ---------------------------------------------------------------
    def enter(self, path: WalkPath) -> None:
        """Full screen, panels hidden, first keyframe shown; keys take over."""
        if self.active or not path.keyframes:
            return
        w = self.window
        self.path = path
        self._saved = {
            "state": w.saveState(), "full": w.isFullScreen(), "max": w.isMaximized(),
            "menu": w.menuBar().isVisible(), "status": w.statusBar().isVisible(),
            "layers": {lyr.name: lyr.visible for lyr in w.scene.layers},
        }
        for panel in w.findChildren(QDockWidget) + w.findChildren(QToolBar):
            panel.hide()
        w.menuBar().hide()
        w.statusBar().hide()
        w.showFullScreen()
        self.active = True
        QApplication.instance().installEventFilter(self)
        self.active_changed.emit(True)
        self.go(0)

    def leave(self) -> None:
        """Back to the window as it was (panels, size, layer visibility)."""
        if not self.active:
            return
        w = self.window
        QApplication.instance().removeEventFilter(self)
        self.active = False
        self._playing.stop()
        self.flight.stop()
        self.caption.hide()
        self.strip.hide()
        saved = self._saved
        for lyr in w.scene.layers:
            lyr.set_visible(saved["layers"].get(lyr.name, lyr.visible))
        if saved["full"]:
            pass
        elif saved["max"]:
            w.showMaximized()
        else:
            w.showNormal()
        w.menuBar().setVisible(saved["menu"])
        w.statusBar().setVisible(saved["status"])
        w.restoreState(saved["state"])
        self.active_changed.emit(False)

    # -- keyframes ----------------------------------------------------------
    def go(self, index: int, seconds: float | None = None) -> None:
        """Fly to keyframe ``index``; its layers show, its caption appears."""
        if self.path is None:
            return
        index = min(max(index, 0), len(self.path.keyframes) - 1)
        self.index = index
        key = self.path.keyframes[index]
        apply_layers(self.window.scene, key)
        self.flight.fly_to(key.bookmark.view, seconds)
        self._show_caption(key.caption)
        self.strip.setRange(0, max(len(self.path.keyframes) - 1, 1))
        self.strip.setValue(index)
        self._place()
        self.strip.show()
        self.keyframe_changed.emit(index)

    def next(self) -> None:
        self.go(self.index + 1)

    def previous(self) -> None:
        self.go(self.index - 1)

    def toggle_play(self) -> None:
        """Play: hold each keyframe for its dwell, then go on to the next."""
        if self._playing.isActive():
            self._playing.stop()
        else:
            self._advance(first=True)

    def _advance(self, first: bool = False) -> None:
        if self.path is None or not self.active:
            return
        if not first:
            if self.index >= len(self.path.keyframes) - 1:
                return
            self.next()
        dwell = self.path.keyframes[self.index].dwell
        self._playing.start(int((max(dwell, 0.5) + self.flight.seconds) * 1000))

    def _show_caption(self, text: str) -> None:
        self.caption.setText(text)
        self.caption.setVisible(bool(text))

    def _place(self) -> None:
        vp = self.window.viewport
        width = min(vp.width() - 80, max(vp.width() * 3 // 4, 200))
        self.caption.setFixedWidth(max(width, 100))
        self.caption.adjustSize()
        self.caption.move((vp.width() - self.caption.width()) // 2,
                          vp.height() - self.caption.height() - 60)
        self.strip.setGeometry(0, vp.height() - 8, vp.width(), 8)
        self.caption.raise_()
        self.strip.raise_()

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt API
        if not self.active:
            return False
        if event.type() == QEvent.KeyPress:
            key = event.key()
            if key == Qt.Key_Escape:
                self.leave()
                return True
            if key in NEXT_KEYS:
                self.next()
                return True
            if key in PREVIOUS_KEYS:
                self.previous()
                return True
            if key in (Qt.Key_P, Qt.Key_F5):
                self.toggle_play()
                return True
            if key == Qt.Key_Home:
                self.go(0)
                return True
            if key == Qt.Key_End:
                self.go(len(self.path.keyframes) - 1)
                return True
        elif event.type() == QEvent.Resize and obj is self.window.viewport:
            QTimer.singleShot(0, self._place)
        return False


class PresentingTools(QObject):
    """Bookmarks dock, Present menu (F5), video export: installed into the main window."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.bookmarks = BookmarksPanel(window)
        self.bookmarks_dock = window._dock("bookmarksDock", self.tr("Bookmarks"),
                                           self.bookmarks, Qt.RightDockWidgetArea)
        self.presenter = Presenter(window)
        menu = window.menuBar().addMenu(self.tr("&Present"))
        self.present_action = QAction(self.tr("&Present walkthrough"), window)
        self.present_action.setShortcut(QKeySequence("F5"))
        self.present_action.triggered.connect(lambda: self.present())
        menu.addAction(self.present_action)
        self.add_bookmark_action = QAction(self.tr("&Bookmark this view…"), window)
        self.add_bookmark_action.setShortcut(QKeySequence("Ctrl+B"))
        self.add_bookmark_action.triggered.connect(lambda: self.bookmarks.add())
        menu.addAction(self.add_bookmark_action)
        self.video_action = QAction(self.tr("Export walkthrough &video…"), window)
        self.video_action.triggered.connect(lambda: self.export_video())
        menu.addAction(self.video_action)
        self.walk = WalkMode(window.viewport, self)
        self.walk_action = QAction(self.tr("&Walk mode"), window)
        self.walk_action.setCheckable(True)
        self.walk_action.setShortcut(QKeySequence("Ctrl+Shift+W"))
        self.walk_action.setToolTip(self.tr(
            "Walk at eye height: W/A/S/D or arrows to move, drag to look, "
            "PageUp/PageDown to fly, Esc to leave"))
        self.walk_action.toggled.connect(self.walk.set_active)
        self.walk.toggled.connect(self.walk_action.setChecked)
        menu.addAction(self.walk_action)
        navigation = window.addToolBar(self.tr("Navigation"))
        navigation.setObjectName("navigationToolBar")
        navigation.addAction(self.walk_action)
        menu.addSeparator()
        menu.addAction(self.bookmarks_dock.toggleViewAction())
        for action in (self.present_action, self.add_bookmark_action):
            window.addAction(action)  # shortcuts work with the menu bar hidden too
        window.scene_loaded.connect(self._on_scene_loaded)
        self._on_scene_loaded()

    def _on_scene_loaded(self) -> None:
        if self.bookmarks.scene is not self.window.scene:
            self.bookmarks.set_scene(self.window.scene)

    def choose_path(self) -> WalkPath | None:
        paths = self.window.scene.paths
        if not paths:
            self.window.message_bar.push(self.tr(
                "This scene has no walkthrough path ([[paths]] in the scene file)."), "info")
            return None
        if len(paths) == 1:
            return paths[0]
        name, ok = QInputDialog.getItem(self.window, self.tr("Walkthrough"), self.tr("Path:"),
                                        [p.name for p in paths], 0, False)
        return next((p for p in paths if p.name == name), None) if ok else None

    def present(self, path: WalkPath | None = None) -> None:
        path = path or self.choose_path()
        if path is not None:
            self.presenter.enter(path)

    def export_video(self, out: str | None = None, path: WalkPath | None = None,
                     size=(1920, 1080), fps: float = 30) -> bool:
        """Export a path to MP4 with a progress dialog and Cancel.

        Frames are drawn in the GUI thread (VTK and the layers live there); the
        event loop turns between frames so Cancel and the window stay live.
        """
        from twinviewer.render.video import Cancelled, render_path_video

        path = path or self.choose_path()
        if path is None:
            return False
        if out is None:
            out, _ = QFileDialog.getSaveFileName(self.window, self.tr("Export video"),
                                                 f"{path.name}.mp4",
                                                 self.tr("MP4 video (*.mp4)"))
            if not out:
                return False
        dialog = QProgressDialog(self.tr("Rendering {name}…").format(name=path.name),
                                 self.tr("Cancel"), 0, path.frame_count(fps), self.window)
        dialog.setWindowModality(Qt.WindowModal)
        dialog.setMinimumDuration(0)

        def progress(done: int, _total: int) -> None:
            dialog.setValue(done)
            QApplication.processEvents()

        try:
            render_path_video(self.window.scene, path, Path(out), size=size, fps=fps,
                              progress=progress, should_cancel=dialog.wasCanceled)
        except Cancelled:
            self.window.statusBar().showMessage(self.tr("Video export cancelled"), 5000)
            return False
        except Exception as exc:  # shown in the window, never lost
            log.exception("video export failed")
            self.window.message_bar.push(self.tr("Video not written: {why}").format(
                why=getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"), "error")
            return False
        finally:
            dialog.reset()
            self.window.viewport.view.render()
        self.window.statusBar().showMessage(self.tr("Wrote {f}").format(f=out), 8000)
        return True
