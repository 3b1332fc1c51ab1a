"""Layer properties dialog: single colour, categorized or graduated style of a layer."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QColorDialog,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QPushButton,
    QSpinBox,
)

from twinviewer.core.layer import Layer
from twinviewer.render.style import METHODS, RAMPS, categorized_style, is_graduated


class StyleDialog(QDialog):
    """Edit ``layer.style``; :meth:`style` is the result (the caller applies it)."""

    KINDS = ("single", "categorized", "graduated")

    def __init__(self, layer: Layer, parent=None) -> None:
        super().__init__(parent)
        self.layer = layer
        self.setWindowTitle(self.tr("Style of {layer}").format(layer=layer.name))
        style = dict(layer.style or {})
        self.kind = QComboBox(self)
        self.kind.addItem(self.tr("Single colour"), "single")
        self.kind.addItem(self.tr("Categorized (a colour per value)"), "categorized")
        self.kind.addItem(self.tr("Graduated (classes of a number)"), "graduated")
        kind = "graduated" if is_graduated(style) else (
            "categorized" if style.get("by") else "single")
        self.kind.setCurrentIndex(self.KINDS.index(kind))
        self.field = QComboBox(self)
        self.field.addItems(layer.table.fields)
        if style.get("by") in layer.table.fields:
            self.field.setCurrentText(style["by"])
        self.method = QComboBox(self)
        names = {"equal": self.tr("Equal interval"), "quantile": self.tr("Quantile"),
                 "jenks": self.tr("Natural breaks (Jenks)")}
        for m in METHODS:
            self.method.addItem(names[m], m)
        self.method.setCurrentIndex(METHODS.index(style.get("method", "quantile"))
                                    if style.get("method") in METHODS else 1)
        self.classes = QSpinBox(self)
        self.classes.setRange(2, 9)
        self.classes.setValue(int(style.get("classes", 5)))
        self.ramp = QComboBox(self)
        self.ramp.addItems(list(RAMPS))
        self.ramp.setCurrentText(style.get("ramp", "YlOrRd"))
        self.color = QColor(style.get("color", "#d9d4c7"))
        self.color_button = QPushButton(self.color.name(), self)
        self.color_button.clicked.connect(self._pick_color)
        form = QFormLayout(self)
        form.addRow(self.tr("Style:"), self.kind)
        form.addRow(self.tr("Colour:"), self.color_button)
        form.addRow(self.tr("Field:"), self.field)
        form.addRow(self.tr("Classification:"), self.method)
        form.addRow(self.tr("Classes:"), self.classes)
        form.addRow(self.tr("Colour ramp:"), self.ramp)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.kind.currentIndexChanged.connect(self._enable)
        self._enable()

    def _enable(self) -> None:
        kind = self.kind.currentData()
        self.field.setEnabled(kind != "single")
        for w in (self.method, self.classes, self.ramp):
            w.setEnabled(kind == "graduated")

    def _pick_color(self) -> None:
        c = QColorDialog.getColor(self.color, self, self.tr("Layer colour"))
        if c.isValid():
            self.color = c
            self.color_button.setText(c.name())

    def style(self) -> dict[str, Any]:
        """The style the dialog describes (other keys of the layer's style kept)."""
        thematic = ("by", "categories", "method", "classes", "ramp", "breaks")
        base = {k: v for k, v in (self.layer.style or {}).items() if k not in thematic}
        if "color" in base or self.color.name() != "#d9d4c7":
            base["color"] = self.color.name()
        kind = self.kind.currentData()
        field = self.field.currentText()
        if kind == "categorized" and field:
            return categorized_style(self.layer, field) | {
                k: v for k, v in base.items() if k != "by"}
        if kind == "graduated" and field:
            return base | {"by": field, "method": self.method.currentData(),
                           "classes": self.classes.value(), "ramp": self.ramp.currentText()}
        return base
