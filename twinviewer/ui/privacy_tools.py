"""View > Show sensitive fields…: the one way to see resident-level data unmasked.

Sensitive fields (:mod:`twinviewer.core.privacy`) are masked in the attribute
table, the inspector, the summary's lists, exports and reports.  Checking the
action asks for a purpose; every layer's unmasking is then logged (who, when,
layer, fields, purpose) in its GeoPackage store's ``twinviewer_access_log`` or in
a log file beside the scene (:mod:`twinviewer.store.access`) before anything is
shown.  Unchecking it, opening another scene or closing the window masks again.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QSignalBlocker
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QInputDialog, QLabel, QLineEdit

from twinviewer.core import privacy
from twinviewer.store.access import auditor
from twinviewer.store.base import StoreError

log = logging.getLogger(__name__)


class PrivacyTools(QObject):
    """Adds "Show sensitive fields…" to ``window``'s View menu and follows the state."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = w = window
        self.records: list[privacy.AccessRecord] = []
        self.show_action = QAction(self.tr("Show sensitive fields…"), w)
        self.show_action.setObjectName("showSensitiveAction")
        self.show_action.setCheckable(True)
        self.show_action.setToolTip(self.tr(
            "Show names, ID numbers and phone numbers unmasked; asks for a purpose and "
            "logs who looked, when and why"))
        self.show_action.triggered.connect(self._on_triggered)
        menu = getattr(w, "view_menu", None)
        if menu is not None:
            menu.addSeparator()
            menu.addAction(self.show_action)
        self.indicator = QLabel(self.tr("Sensitive fields shown"), w)
        self.indicator.setObjectName("sensitiveIndicator")
        self.indicator.setStyleSheet("QLabel { color: white; background: #c0392b; "
                                     "padding: 0 6px; }")
        self.indicator.setVisible(False)
        w.statusBar().addPermanentWidget(self.indicator)
        privacy.STATE.changed.connect(self._on_state)
        w.scene_loaded.connect(self.mask)
        w.destroyed.connect(lambda *_: privacy.STATE.mask())

    def sensitive_layers(self) -> list:
        return [lyr for lyr in self.window.scene.layers if lyr.sensitive]

    def _on_triggered(self, checked: bool) -> None:
        if checked:
            self.unmask()
        else:
            self.mask()

    def ask_purpose(self, layers) -> str | None:
        fields = "; ".join(f"{lyr.name}: {', '.join(sorted(lyr.sensitive))}" for lyr in layers)
        text, ok = QInputDialog.getText(
            self.window, self.tr("Show sensitive fields"),
            self.tr("Sensitive fields: {fields}\nEach unmasking is logged with your name, "
                    "the time and its purpose.\nPurpose:").format(fields=fields),
            QLineEdit.Normal, "")
        return text if ok else None

    def unmask(self, purpose: str | None = None) -> bool:
        """Show the sensitive fields of every layer, logging why; ``False`` if refused.

        ``purpose`` given: no dialog (scripts and tests); ``None``: asked for.
        """
        layers = self.sensitive_layers()
        if not layers:
            self.window.statusBar().showMessage(self.tr("No layer has sensitive fields"), 5000)
            self._check(False)
            return False
        if purpose is None:
            purpose = self.ask_purpose(layers)
        if not purpose or not purpose.strip():
            if purpose is not None:
                self.window.message_bar.push(
                    self.tr("Sensitive fields stay masked: a purpose is required"), "warning")
            self._check(False)
            return False
        audit = auditor(self.window.scene.path)
        try:
            for layer in layers:
                self.records.append(privacy.STATE.unmask(layer, purpose, audit))
        except (StoreError, privacy.PrivacyError, OSError) as exc:
            privacy.STATE.mask()
            self.window.message_bar.push(self.tr("Sensitive fields stay masked: {e}").format(
                e=getattr(exc, "message", str(exc))), "error")
            self._check(False)
            return False
        self._check(True)
        self.window.statusBar().showMessage(
            self.tr("Sensitive fields shown; the access was logged"), 5000)
        return True

    def mask(self, *_args) -> None:
        """Mask every sensitive field again."""
        privacy.STATE.mask()
        self._check(False)

    def _check(self, on: bool) -> None:
        with QSignalBlocker(self.show_action):
            self.show_action.setChecked(on)
        self.indicator.setVisible(on)

    def _on_state(self, *_args) -> None:
        """Repaint what shows values: table, inspector, summary, labels in 3D."""
        w = self.window
        try:
            table = w.attribute_table
            table.model.values_changed()
            table.apply_search()
            w.inspector.refresh()
            if hasattr(w, "analysis"):
                w.analysis.summary.refresh()
            view = getattr(w.viewport, "view", None)
            if view is not None:  # 3D labels (render/labels.py) are drawn anew
                view.refresh_labels()
        except RuntimeError:  # the window is being destroyed
            log.debug("privacy refresh after the window closed", exc_info=True)
