"""Inspector: every attribute of the selected object."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from twinviewer.core.scene import Scene


class Inspector(QWidget):
    """Shows the first selected object of the focused layer, field by field."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.scene: Scene | None = None
        self.title = QLabel(self.tr("Nothing selected"), self)
        self.title.setObjectName("inspectorTitle")
        self.title.setWordWrap(True)
        self.table = QTableWidget(0, 2, self)
        self.table.setObjectName("inspectorTable")
        self.table.setHorizontalHeaderLabels([self.tr("Field"), self.tr("Value")])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addWidget(self.title)
        lay.addWidget(self.table)

    def set_scene(self, scene: Scene) -> None:
        if self.scene is not None:
            self.scene.selection.changed.disconnect(self.refresh)
        self.scene = scene
        scene.selection.changed.connect(self.refresh)
        self.refresh()

    def refresh(self, *_args) -> None:
        sel = self.scene.selection if self.scene else None
        names = sel.layers() if sel else []
        self.table.setRowCount(0)
        if not names:
            self.title.setText(self.tr("Nothing selected"))
            return
        layer = self.scene.layer(names[0])
        rows = sel.rows(layer.name)
        record = layer.table.row(int(rows[0]))
        count = sel.count()
        text = self.tr("{layer}: object {oid}").format(layer=layer.name, oid=record["oid"])
        if count > 1:
            text += "  " + self.tr("({n} selected)").format(n=count)
        self.title.setText(text)
        self.table.setRowCount(len(record))
        for i, (key, value) in enumerate(record.items()):
            self.table.setItem(i, 0, QTableWidgetItem(str(key)))
            self.table.setItem(i, 1, QTableWidgetItem("" if value is None else str(value)))
        self.table.resizeColumnToContents(0)
