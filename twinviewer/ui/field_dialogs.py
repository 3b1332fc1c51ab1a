"""Small dialogs of the edit commands: set a field for the selection, add/rename a field."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
)

from twinviewer.core.edits import FIELD_KINDS, FieldType


class _Form(QDialog):
    def __init__(self, title: str, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.form = QFormLayout(self)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel, self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def finish(self) -> None:
        self.form.addRow(self.buttons)


class SetFieldDialog(_Form):
    """Choose a field and one value for every selected object.

    ``types`` maps field names to their :class:`FieldType`; an enum or yes/no field
    offers its values in an editable list.
    """

    def __init__(self, fields: list[str], types: dict[str, FieldType], count: int,
                 current: str = "", parent=None) -> None:
        super().__init__(self.tr("Set field for {n} objects").format(n=count), parent)
        self.types = types
        self.field_box = QComboBox(self)
        self.field_box.setObjectName("setFieldName")
        self.field_box.addItems(fields)
        self.value_box = QComboBox(self)
        self.value_box.setObjectName("setFieldValue")
        self.value_box.setEditable(True)
        self.form.addRow(self.tr("Field:"), self.field_box)
        self.form.addRow(self.tr("Value:"), self.value_box)
        self.finish()
        self.field_box.currentTextChanged.connect(self._on_field)
        if current in fields:
            self.field_box.setCurrentText(current)
        self._on_field(self.field_box.currentText())

    def _on_field(self, name: str) -> None:
        ft = self.types.get(name)
        self.value_box.clear()
        if ft is not None and ft.kind == "enum":
            self.value_box.addItems(list(ft.values))
        elif ft is not None and ft.kind == "bool":
            self.value_box.addItems(["true", "false"])
        self.value_box.setCurrentText("")

    @property
    def field(self) -> str:
        return self.field_box.currentText()

    @property
    def value(self) -> str:
        return self.value_box.currentText()


class AddFieldDialog(_Form):
    """Name, type, value list (enums) and default value of a new field."""

    def __init__(self, parent=None) -> None:
        super().__init__(self.tr("Add field"), parent)
        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("addFieldName")
        self.kind_box = QComboBox(self)
        self.kind_box.setObjectName("addFieldType")
        names = {"int": self.tr("Whole number"), "real": self.tr("Number"),
                 "text": self.tr("Text"), "date": self.tr("Date"),
                 "datetime": self.tr("Date and time"), "bool": self.tr("Yes/no"),
                 "enum": self.tr("Value list")}
        for kind in FIELD_KINDS:
            self.kind_box.addItem(names[kind], kind)
        self.kind_box.setCurrentIndex(FIELD_KINDS.index("text"))
        self.values_edit = QLineEdit(self)
        self.values_edit.setObjectName("addFieldValues")
        self.values_edit.setPlaceholderText(self.tr("values separated by commas"))
        self.default_edit = QLineEdit(self)
        self.default_edit.setObjectName("addFieldDefault")
        self.form.addRow(self.tr("Name:"), self.name_edit)
        self.form.addRow(self.tr("Type:"), self.kind_box)
        self.form.addRow(self.tr("Values:"), self.values_edit)
        self.form.addRow(self.tr("Default:"), self.default_edit)
        self.finish()

    def field_type(self) -> dict:
        kind = self.kind_box.currentData()
        values = [v.strip() for v in self.values_edit.text().replace("，", ",").split(",")
                  if v.strip()]
        return {"type": kind, "values": values} if kind == "enum" else {"type": kind}


class RenameFieldDialog(_Form):
    """A field and its new name."""

    def __init__(self, fields: list[str], current: str = "", parent=None) -> None:
        super().__init__(self.tr("Rename field"), parent)
        self.field_box = QComboBox(self)
        self.field_box.addItems(fields)
        if current in fields:
            self.field_box.setCurrentText(current)
        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("renameFieldName")
        self.form.addRow(self.tr("Field:"), self.field_box)
        self.form.addRow(self.tr("New name:"), self.name_edit)
        self.finish()
