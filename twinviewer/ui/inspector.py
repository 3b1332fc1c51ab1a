"""Inspector: every attribute of the selected object (editable) and its saved edit history."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QSplitter,
    QTableView,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from twinviewer.core import privacy
from twinviewer.core.layer import Layer
from twinviewer.core.scene import Scene
from twinviewer.core.table import OID
from twinviewer.store import GeoPackageStore, StoreError
from twinviewer.ui.delegates import FIELD_TYPE_ROLE, FieldDelegate

_ROOT = QModelIndex()


class RecordModel(QAbstractTableModel):
    """One object's fields as rows (field, value); values editable through the session."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.session = None
        self.layer: Layer | None = None
        self.row: int | None = None
        self._fields: list[str] = []

    def show(self, layer: Layer | None, row: int | None) -> None:
        self.beginResetModel()
        self.layer, self.row = layer, row
        self._fields = [str(c) for c in layer.table.df.columns] if layer is not None else []
        self.endResetModel()

    def rowCount(self, parent=_ROOT) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() or self.row is None else len(self._fields)

    def columnCount(self, parent=_ROOT) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else 2

    def headerData(self, section, orientation, role=Qt.DisplayRole):  # noqa: N802 - Qt API
        if orientation == Qt.Horizontal and role == Qt.DisplayRole:
            return (self.tr("Field"), self.tr("Value"))[section]
        return None

    def flags(self, index):
        base = super().flags(index)
        if index.isValid() and index.column() == 1 and self.session is not None and \
                self._fields[index.row()] != OID and \
                not privacy.STATE.is_masked(self.layer, self._fields[index.row()]):
            base |= Qt.ItemIsEditable
        return base

    def _dirty(self, field: str) -> bool:
        if self.session is None:
            return False
        oid = self.layer.table.df[OID].iat[self.row]
        oid = oid.item() if hasattr(oid, "item") else oid
        dirty = self.session.stack.dirty
        name = self.layer.name
        return (name, oid, field) in dirty or (name, None, field) in dirty

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid() or self.layer is None or self.row is None:
            return None
        field = self._fields[index.row()]
        if index.column() == 0:
            return field if role == Qt.DisplayRole else None
        if role == FIELD_TYPE_ROLE:
            if self.session is None or field == OID:
                return None
            return self.session.field_type(self.layer, field)
        if role == Qt.FontRole:
            if self._dirty(field):
                font = QFont()
                font.setBold(True)
                return font
            return None
        if role not in (Qt.DisplayRole, Qt.EditRole, Qt.ToolTipRole):
            return None
        value = self.layer.table.row(self.row).get(field)
        if privacy.STATE.is_masked(self.layer, field):
            return privacy.mask_value(self.layer, field, value)
        if role == Qt.EditRole:
            return value
        return "" if value is None else str(value)

    def setData(self, index, value, role=Qt.EditRole) -> bool:  # noqa: N802 - Qt API
        if role != Qt.EditRole or not index.isValid() or index.column() != 1 or \
                self.session is None:
            return False
        field = self._fields[index.row()]
        if field == OID:
            return False
        return self.session.set_values(self.layer, [self.row], field, value)


class Inspector(QWidget):
    """Shows the first selected object of the focused layer, field by field, and its history."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.scene: Scene | None = None
        self.session = None
        self.title = QLabel(self.tr("Nothing selected"), self)
        self.title.setObjectName("inspectorTitle")
        self.title.setWordWrap(True)
        self.model = RecordModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("inspectorTable")
        self.table.setModel(self.model)
        self.table.setItemDelegate(FieldDelegate(self.table))
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.setEditTriggers(QAbstractItemView.DoubleClicked |
                                   QAbstractItemView.EditKeyPressed |
                                   QAbstractItemView.SelectedClicked)
        self.history_label = QLabel(self.tr("Edit history"), self)
        self.history = QTreeWidget(self)
        self.history.setObjectName("inspectorHistory")
        self.history.setRootIsDecorated(False)
        self.history.setHeaderLabels([self.tr("When"), self.tr("Who"), self.tr("Field"),
                                      self.tr("Old"), self.tr("New"), self.tr("Edit")])
        lower = QWidget(self)
        low = QVBoxLayout(lower)
        low.setContentsMargins(0, 0, 0, 0)
        low.addWidget(self.history_label)
        low.addWidget(self.history)
        split = QSplitter(Qt.Vertical, self)
        split.addWidget(self.table)
        split.addWidget(lower)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addWidget(self.title)
        lay.addWidget(split, 1)

    def set_session(self, session) -> None:
        self.session = session
        self.model.session = session

    def set_scene(self, scene: Scene) -> None:
        if self.scene is not None:
            self.scene.selection.changed.disconnect(self.refresh)
        self.scene = scene
        scene.selection.changed.connect(self.refresh)
        self.refresh()

    def refresh(self, *_args) -> None:
        sel = self.scene.selection if self.scene else None
        names = sel.layers() if sel else []
        if not names:
            self.title.setText(self.tr("Nothing selected"))
            self.model.show(None, None)
            self.history.clear()
            return
        layer = self.scene.layer(names[0])
        row = int(sel.rows(layer.name)[0])
        if row >= len(layer):
            self.model.show(None, None)
            self.history.clear()
            return
        oid = layer.table.row(row)["oid"]
        count = sel.count()
        text = self.tr("{layer}: object {oid}").format(layer=layer.name, oid=oid)
        if count > 1:
            text += "  " + self.tr("({n} selected)").format(n=count)
        self.title.setText(text)
        self.model.show(layer, row)
        self.table.resizeColumnToContents(0)
        self.show_history(layer, oid)

    def show_history(self, layer: Layer, oid) -> None:
        """Saved edits of one object from its GeoPackage's edit log, newest first."""
        self.history.clear()
        if not str(layer.source).lower().endswith(".gpkg") or oid is None:
            self.history_label.setText(self.tr("Edit history (not in a store)"))
            return
        try:
            entries = GeoPackageStore(layer.source).log(
                oid=int(oid), layer=layer.source_table or layer.name)
        except (StoreError, ValueError, TypeError) as exc:
            self.history_label.setText(self.tr("Edit history unavailable: {e}").format(
                e=getattr(exc, "message", exc)))
            return
        self.history_label.setText(self.tr("Edit history ({n})").format(n=len(entries)))
        for e in reversed(entries):
            when = e.ts.replace("T", " ")[:19]
            old, new = e.old or "", e.new or ""
            if e.field and privacy.STATE.is_masked(layer, e.field):
                old, new = privacy.mask_values(layer, e.field, [e.old, e.new])
            self.history.addTopLevelItem(QTreeWidgetItem(
                [when, e.user, e.field or "", old, new, e.label]))
        for i in range(5):
            self.history.resizeColumnToContents(i)
