"""Layer properties dialog: colour (single, categorized, graduated), labels, size by
attribute and view cones of a layer."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QColorDialog,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QSpinBox,
)

from twinviewer.core.layer import Layer, PointBatch
from twinviewer.core.query import FilterEngine, QueryError
from twinviewer.render.labels import DEFAULT_SIZE
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
        numeric = [f for f in layer.table.fields
                   if layer.table.df[f].dtype.kind in "iuf"]
        self.label = QComboBox(self)
        self.label.setEditable(True)  # a field, or an expression of fields
        self.label.addItem("")
        self.label.addItems(layer.table.fields)
        self.label.setCurrentText(str(style.get("label", "")))
        self.label.setToolTip(self.tr("A field, or an expression such as "
                                      "名称 || ' ' || 人口 || '人'"))
        self.label_size = QSpinBox(self)
        self.label_size.setRange(6, 48)
        self.label_size.setValue(int(style.get("label_size", DEFAULT_SIZE)))
        self.size_by = QComboBox(self)
        self.size_by.addItem(self.tr("(same size)"), "")
        for f in numeric:
            self.size_by.addItem(f, f)
        self.size_by.setCurrentIndex(max(0, self.size_by.findData(style.get("size_by", ""))))
        low, high = style.get("size_range", (0.5, 2.0))
        self.size_min, self.size_max = QDoubleSpinBox(self), QDoubleSpinBox(self)
        for box, value in ((self.size_min, low), (self.size_max, high)):
            box.setRange(0.1, 20.0)
            box.setSingleStep(0.1)
            box.setValue(float(value))
        cone = style.get("view_cone") or {}
        self.cone_heading = QComboBox(self)
        self.cone_heading.addItem(self.tr("(none)"), "")
        for f in numeric:
            self.cone_heading.addItem(f, f)
        self.cone_heading.setCurrentIndex(max(0, self.cone_heading.findData(
            cone.get("heading", ""))))
        self.cone_range = QDoubleSpinBox(self)
        self.cone_range.setRange(1.0, 1000.0)
        self.cone_range.setValue(float(cone.get("range", 30.0)))
        self.cone_angle = QDoubleSpinBox(self)
        self.cone_angle.setRange(1.0, 359.0)
        self.cone_angle.setValue(float(cone.get("angle", 60.0)))
        self.error = QLabel(self)
        self.error.setStyleSheet("color: #c0392b")
        self.error.setWordWrap(True)
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
        form.addRow(self.tr("Label:"), self.label)
        form.addRow(self.tr("Label size (px):"), self.label_size)
        if any(isinstance(b, PointBatch) for b in layer.batches):
            form.addRow(self.tr("Size by:"), self.size_by)
            form.addRow(self.tr("Smallest size:"), self.size_min)
            form.addRow(self.tr("Largest size:"), self.size_max)
            form.addRow(self.tr("View cone heading:"), self.cone_heading)
            form.addRow(self.tr("View cone range (m):"), self.cone_range)
            form.addRow(self.tr("View cone angle (°):"), self.cone_angle)
        form.addRow(self.error)
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

    def accept(self) -> None:
        """Close only with a label expression SQLite can evaluate; else say where it fails."""
        expr = self.label.currentText().strip()
        if expr and expr not in self.layer.table.fields:
            try:
                FilterEngine().values(self.layer, expr)
            except QueryError as exc:
                self.error.setText(self.tr("Label: {error}").format(error=str(exc)))
                return
        super().accept()

    def style(self) -> dict[str, Any]:
        """The style the dialog describes (other keys of the layer's style kept)."""
        thematic = ("by", "categories", "method", "classes", "ramp", "breaks", "label",
                    "label_size", "size_by", "size_range", "view_cone")
        base = {k: v for k, v in (self.layer.style or {}).items() if k not in thematic}
        if "color" in base or self.color.name() != "#d9d4c7":
            base["color"] = self.color.name()
        expr = self.label.currentText().strip()
        if expr:
            base["label"] = expr
            if self.label_size.value() != DEFAULT_SIZE:
                base["label_size"] = self.label_size.value()
        if self.size_by.currentData():
            base["size_by"] = self.size_by.currentData()
            base["size_range"] = [self.size_min.value(), self.size_max.value()]
        if self.cone_heading.currentData():
            base["view_cone"] = {"heading": self.cone_heading.currentData(),
                                 "range": self.cone_range.value(),
                                 "angle": self.cone_angle.value()}
        kind = self.kind.currentData()
        field = self.field.currentText()
        if kind == "categorized" and field:
            return categorized_style(self.layer, field) | {
                k: v for k, v in base.items() if k != "by"}
        if kind == "graduated" and field:
            return base | {"by": field, "method": self.method.currentData(),
                           "classes": self.classes.value(), "ramp": self.ramp.currentText()}
        return base
