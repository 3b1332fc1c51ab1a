"""Query bar: a filter expression over the table's layer, with field-name completion."""

from __future__ import annotations

import re

import numpy as np
from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtWidgets import (
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from twinviewer.core import privacy
from twinviewer.core.layer import Layer
from twinviewer.core.query import FilterEngine, QueryError

_WORD_END = re.compile(r'"?[^\W\d][\w]*$|"[^"]*$')
_BARE = re.compile(r"^[^\W\d]\w*$")


class QueryBar(QWidget):
    """A line edit for ``人口 > 100 and 类别 = '住宅楼'`` style filters.

    Enter applies the filter; the matching rows are announced as a boolean mask
    (``None`` when cleared).  A bad expression shows its message and puts the
    cursor where it fails; nothing else changes.

    Signals
    -------
    filter_changed(object)
        Boolean mask per table row of the current layer, or ``None``.
    select_requested(object)
        Rows to select (the "Select matching" button).
    save_requested(str)
        The valid expression to keep as a named filter (the "Save…" button).
    """

    filter_changed = Signal(object)
    select_requested = Signal(object)
    save_requested = Signal(str)

    def __init__(self, parent=None, engine: FilterEngine | None = None) -> None:
        super().__init__(parent)
        self.engine = engine or FilterEngine()
        self.layer: Layer | None = None
        self.mask: np.ndarray | None = None
        self.edit = QLineEdit(self)
        self.edit.setObjectName("filterExpression")
        self.edit.setPlaceholderText(self.tr("Filter, e.g. 人口 > 100 and 类别 = '住宅楼'"))
        self.edit.setClearButtonEnabled(True)
        self.fields = QStringListModel(self)
        self.completer = QCompleter(self.fields, self)
        self.completer.setCaseSensitivity(Qt.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchContains)
        self.completer.setWidget(self.edit)
        self.completer.activated.connect(self.insert_field)
        self.edit.textEdited.connect(self._complete)
        self.edit.returnPressed.connect(self.apply)
        self.edit.textChanged.connect(self._on_text)
        self.apply_button = QToolButton(self)
        self.apply_button.setText(self.tr("Filter"))
        self.apply_button.setToolTip(self.tr("Show only the objects matching the expression "
                                             "and dim the others in 3D (Enter)"))
        self.apply_button.clicked.connect(self.apply)
        self.select_button = QToolButton(self)
        self.select_button.setText(self.tr("Select matching"))
        self.select_button.clicked.connect(self._select)
        self.save_button = QToolButton(self)
        self.save_button.setText(self.tr("Save…"))
        self.save_button.setToolTip(self.tr("Keep this expression as a named filter in the "
                                            "scene file (the summary lists its matches)"))
        self.save_button.clicked.connect(self._save)
        self.error = QLabel(self)
        self.error.setObjectName("filterError")
        self.error.setStyleSheet("color: #c0392b;")
        self.error.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.error.hide()
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        row.addWidget(self.apply_button)
        row.addWidget(self.select_button)
        row.addWidget(self.save_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(1)
        lay.addLayout(row)
        lay.addWidget(self.error)

    def set_layer(self, layer: Layer | None) -> None:
        """Filter this layer from now on (a filter of another layer is dropped)."""
        changed = layer is not self.layer
        self.layer = layer
        self.fields.setStringList(layer.table.fields if layer is not None else [])
        if changed and self.mask is not None:
            self.mask = None
            self.filter_changed.emit(None)
        if changed:
            self._show_error(None)

    def text(self) -> str:
        return self.edit.text()

    def set_text(self, text: str, apply: bool = True) -> bool:
        self.edit.setText(text)
        return self.apply() if apply else True

    def apply(self) -> bool:
        """Evaluate the expression; ``True`` when it was valid (or empty)."""
        text = self.edit.text().strip()
        if self.layer is None:
            return False
        if not text:
            self.clear_filter()
            return True
        hidden = privacy.masked_names(self.layer, text)
        if hidden:  # a filter on a masked field would reveal what the table hides
            self._show_error(QueryError(self.tr(
                "field '{field}' is sensitive: View > Show sensitive fields… first").format(
                    field=hidden[0][0]), hidden[0][1]))
            return False
        try:
            mask = self.engine.mask(self.layer, text)
        except QueryError as exc:
            self._show_error(exc)
            return False
        self._show_error(None)
        self.mask = mask
        self.filter_changed.emit(mask)
        return True

    def refresh(self) -> None:
        """Values changed (an edit): evaluate the current filter again."""
        if self.layer is not None:
            self.engine.invalidate(self.layer)
            self.fields.setStringList(self.layer.table.fields)
        if self.mask is not None:
            if not self.apply():
                self.clear_filter()

    def clear_filter(self) -> None:
        self._show_error(None)
        if self.mask is not None:
            self.mask = None
            self.filter_changed.emit(None)

    def _select(self) -> None:
        if self.apply() and self.mask is not None:
            self.select_requested.emit(np.nonzero(self.mask)[0])

    def _save(self) -> None:
        if self.edit.text().strip() and self.apply():
            self.save_requested.emit(self.edit.text().strip())

    def _on_text(self, text: str) -> None:
        if not text.strip():
            self.clear_filter()

    def _show_error(self, exc: QueryError | None) -> None:
        if exc is None:
            self.error.hide()
            self.error.setText("")
            self.edit.setStyleSheet("")
            return
        text = self.edit.text()
        if exc.position is not None:
            pos = min(exc.position, len(text))
            marked = (text[:pos] + "▶" + text[pos:]).replace("&", "&&")
            self.error.setText(self.tr("Column {col}: {msg}    {marked}").format(
                col=pos + 1, msg=exc.message, marked=marked))
            self.edit.setCursorPosition(pos)
        else:
            self.error.setText(exc.message)
        self.edit.setStyleSheet("QLineEdit { border: 1px solid #c0392b; }")
        self.error.show()

    # -- completion ---------------------------------------------------------
    def _word_before_cursor(self) -> tuple[int, str]:
        text = self.edit.text()[:self.edit.cursorPosition()]
        m = _WORD_END.search(text)
        if m is None:
            return len(text), ""
        return m.start(), m.group().lstrip('"')

    def _complete(self, _text: str) -> None:
        _start, word = self._word_before_cursor()
        if not word:
            self.completer.popup().hide()
            return
        self.completer.setCompletionPrefix(word)
        if self.completer.completionCount() == 0:
            self.completer.popup().hide()
            return
        self.completer.complete()

    def insert_field(self, name: str) -> None:
        """Replace the word before the cursor by field ``name`` (quoted when needed)."""
        start, _word = self._word_before_cursor()
        text, cur = self.edit.text(), self.edit.cursorPosition()
        quoted = name if _BARE.match(name) else '"' + name.replace('"', '""') + '"'
        self.edit.setText(text[:start] + quoted + text[cur:])
        self.edit.setCursorPosition(start + len(quoted))
