"""Type-aware cell editors: a spin box for integers, a date editor, lists for enums and yes/no."""

from __future__ import annotations

import datetime as _dt

from PySide6.QtCore import QDate, QDateTime, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QLineEdit,
    QSpinBox,
    QStyledItemDelegate,
)

from twinviewer.core.edits import FieldType

FIELD_TYPE_ROLE = Qt.UserRole + 7
"""Models return the cell's :class:`FieldType` for this role."""

_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1
_NO_DATE = QDate(1752, 9, 14)  # QDateEdit's minimum: shown blank, means "no value"


class FieldDelegate(QStyledItemDelegate):
    """Editors by field type; the value goes to ``model.setData`` (which may refuse it)."""

    def createEditor(self, parent, option, index):  # noqa: N802 - Qt API
        ft: FieldType | None = index.data(FIELD_TYPE_ROLE)
        kind = ft.kind if ft is not None else "text"
        value = index.data(Qt.EditRole)
        if kind == "int" and (value is None or _INT_MIN < int(value) <= _INT_MAX):
            editor = QSpinBox(parent)
            editor.setRange(_INT_MIN, _INT_MAX)
            editor.setSpecialValueText(" ")  # the minimum stands for an empty value
            editor.setFrame(False)
        elif kind == "date":
            editor = QDateEdit(parent)
            editor.setDisplayFormat("yyyy-MM-dd")
            editor.setCalendarPopup(True)
            editor.setMinimumDate(_NO_DATE)
            editor.setSpecialValueText(" ")
        elif kind == "datetime":
            editor = QDateTimeEdit(parent)
            editor.setDisplayFormat("yyyy-MM-dd HH:mm:ss")
            editor.setCalendarPopup(True)
            editor.setMinimumDate(_NO_DATE)
            editor.setSpecialValueText(" ")
        elif kind in ("bool", "enum"):
            editor = QComboBox(parent)
            editor.addItem("", None)
            if kind == "bool":
                editor.addItem(self.tr("Yes"), True)
                editor.addItem(self.tr("No"), False)
            else:
                for v in ft.values:
                    editor.addItem(v, v)
            editor.activated.connect(lambda *_: self._commit(editor))
        else:
            editor = QLineEdit(parent)
            editor.setFrame(False)
        editor.setObjectName(f"{kind}Editor")
        return editor

    def _commit(self, editor) -> None:
        self.commitData.emit(editor)
        self.closeEditor.emit(editor)

    def setEditorData(self, editor, index) -> None:  # noqa: N802 - Qt API
        value = index.data(Qt.EditRole)
        if isinstance(editor, QSpinBox):
            editor.setValue(_INT_MIN if value is None else int(value))
        elif isinstance(editor, QDateEdit):
            d = QDate.fromString(str(value)[:10], "yyyy-MM-dd") if value else QDate()
            editor.setDate(d if d.isValid() else _NO_DATE)
        elif isinstance(editor, QDateTimeEdit):
            d = QDateTime.fromString(str(value)[:19], Qt.ISODate) if value else QDateTime()
            if d.isValid():
                editor.setDateTime(d)
            else:
                editor.setDate(_NO_DATE)
        elif isinstance(editor, QComboBox):
            at = editor.findData(value) if value is not None else 0
            if at < 0:
                at = editor.findText(str(value))
            editor.setCurrentIndex(max(at, 0))
        else:
            editor.setText("" if value is None else _text(value))

    def setModelData(self, editor, model, index) -> None:  # noqa: N802 - Qt API
        if isinstance(editor, QSpinBox):
            value = None if editor.value() == editor.minimum() else editor.value()
        elif isinstance(editor, QDateEdit):
            d = editor.date()
            value = None if d == _NO_DATE else d.toString("yyyy-MM-dd")
        elif isinstance(editor, QDateTimeEdit):
            d = editor.dateTime()
            value = None if d.date() == _NO_DATE else d.toString("yyyy-MM-ddTHH:mm:ss")
        elif isinstance(editor, QComboBox):
            value = editor.currentData()
        else:
            value = editor.text()
        if value == index.data(Qt.EditRole) or (value in ("", None)
                                                and index.data(Qt.EditRole) is None):
            return  # unchanged: no undo step
        model.setData(index, value, Qt.EditRole)


def _text(value) -> str:
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, _dt.date):
        return value.isoformat()
    return str(value)
