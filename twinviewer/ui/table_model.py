"""A Qt table model over a layer's columns: virtual rows, numpy sort orders."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from twinviewer.core import privacy
from twinviewer.core.columns import plain_value
from twinviewer.core.layer import Layer
from twinviewer.core.table import OID
from twinviewer.ui.delegates import FIELD_TYPE_ROLE

_ROOT = QModelIndex()


class ObjectTableModel(QAbstractTableModel):
    """Rows of one layer's :class:`ObjectTable`; no Python object per row.

    ``order[i]`` is the table row shown at view row ``i``; sorting replaces
    ``order`` with a numpy argsort (``QSortFilterProxyModel`` is far too slow
    at 100,000 rows).
    """

    def __init__(self, layer: Layer | None = None, parent=None, session=None) -> None:
        super().__init__(parent)
        self.layer = layer
        self.session = session  # an EditSession: cells are editable when set
        self._dirty: np.ndarray | None = None
        self._sort_key: tuple[str, bool] | None = None
        self._columns: list[str] = []
        self._sorted = np.empty(0, dtype=np.int64)  # all rows in sort order
        self._mask: np.ndarray | None = None
        self.order = np.empty(0, dtype=np.int64)
        self.rank = np.empty(0, dtype=np.int64)
        self.set_layer(layer)

    def set_layer(self, layer: Layer | None) -> None:
        self.beginResetModel()
        self.layer = layer
        self._columns = list(layer.table.df.columns) if layer is not None else []
        n = len(layer) if layer is not None else 0
        self._mask = None
        self._sorted = np.arange(n, dtype=np.int64)
        self._sort_key = None
        self._dirty = None
        self._update_order()
        self.endResetModel()

    def reload(self) -> None:
        """Rows or columns of the layer changed: rebuild, keeping the sort (filter dropped)."""
        self.beginResetModel()
        layer = self.layer
        self._columns = list(layer.table.df.columns) if layer is not None else []
        n = len(layer) if layer is not None else 0
        self._mask = None
        self._dirty = None
        if self._sort_key is not None and self._sort_key[0] in self._columns:
            self._sorted = layer.table.sort_order(self._sort_key[0], ascending=self._sort_key[1])
        else:
            self._sort_key = None
            self._sorted = np.arange(n, dtype=np.int64)
        self._update_order()
        self.endResetModel()

    def rows_appended(self) -> bool:
        """Rows (and maybe columns after the last) were appended to the layer's table:
        insert them in place, keeping the view's selection and scroll. False when the
        view is sorted or filtered or its columns changed otherwise: then :meth:`reload`."""
        layer = self.layer
        if layer is None or self._mask is not None or self._sort_key is not None:
            return False
        columns = list(layer.table.df.columns)
        old = len(self._columns)
        if columns[:old] != self._columns:
            return False
        if len(columns) > old:
            self.beginInsertColumns(_ROOT, old, len(columns) - 1)
            self._columns = columns
            self.endInsertColumns()
        n, before = len(layer), len(self._sorted)
        if n < before:
            return False
        if n > before:
            self.beginInsertRows(_ROOT, before, n - 1)
            self._sorted = np.arange(n, dtype=np.int64)
            self._dirty = None
            self._update_order()
            self.endInsertRows()
        return True

    def values_changed(self) -> None:
        """Values changed in place (same rows and columns): repaint cells and row markers."""
        self._dirty = None
        if self.rowCount() and self.columnCount():
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(self.rowCount() - 1, self.columnCount() - 1))
            self.headerDataChanged.emit(Qt.Vertical, 0, self.rowCount() - 1)

    def dirty_rows(self) -> np.ndarray:
        """Per table row: has unsaved edits."""
        if self._dirty is None:
            n = len(self.layer) if self.layer is not None else 0
            mask = np.zeros(n, dtype=bool)
            if self.session is not None and n:
                oids = self.session.stack.dirty_oids(self.layer.name)
                if oids:
                    mask = self.layer.table.df[OID].isin(oids).to_numpy()
            self._dirty = mask
        return self._dirty

    def _update_order(self) -> None:
        """``order``: sorted rows that pass the filter; ``rank``: view row or -1."""
        order = self._sorted if self._mask is None else self._sorted[self._mask[self._sorted]]
        self.order = order
        self.rank = np.full(len(self._sorted), -1, dtype=np.int64)
        self.rank[order] = np.arange(len(order))

    def set_filter(self, mask: np.ndarray | None) -> None:
        """Show only rows where ``mask`` is true (``None``: all rows).

        A boolean numpy mask per table row: filtering 100,000 rows is one
        fancy-index, not a proxy model calling ``filterAcceptsRow`` per row.
        """
        if mask is not None:
            mask = np.asarray(mask, dtype=bool)
            if len(mask) != len(self._sorted):
                raise ValueError("filter mask length differs from the row count")
        self.beginResetModel()
        self._mask = mask
        self._update_order()
        self.endResetModel()

    def is_filtered(self) -> bool:
        return self._mask is not None

    # -- Qt model API -------------------------------------------------------
    def rowCount(self, parent=_ROOT) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self.order)

    def columnCount(self, parent=_ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._columns)

    def flags(self, index: QModelIndex | QPersistentModelIndex):
        base = super().flags(index)
        if index.isValid() and self.session is not None and \
                self._columns[index.column()] != OID and not self.masked(index.column()):
            base |= Qt.ItemIsEditable
        return base

    def masked(self, column: int) -> bool:
        """Whether the column is a sensitive field shown masked (and so not editable)."""
        return self.layer is not None and 0 <= column < len(self._columns) and \
            privacy.STATE.is_masked(self.layer, str(self._columns[column]))

    def data(self, index: QModelIndex | QPersistentModelIndex, role=Qt.DisplayRole):
        if not index.isValid() or self.layer is None:
            return None
        if role == FIELD_TYPE_ROLE:
            if self.session is None or self._columns[index.column()] == OID:
                return None
            return self.session.field_type(self.layer, str(self._columns[index.column()]))
        if role == Qt.FontRole:
            if self.session is not None and self.dirty_rows()[int(self.order[index.row()])]:
                font = QFont()
                font.setBold(True)
                return font
            return None
        if role not in (Qt.DisplayRole, Qt.ToolTipRole, Qt.TextAlignmentRole, Qt.EditRole):
            return None
        value = plain_value(self.layer.table.df.iat[int(self.order[index.row()]), index.column()])
        if self.masked(index.column()):
            if role == Qt.TextAlignmentRole:
                return None
            return privacy.mask_value(self.layer, str(self._columns[index.column()]), value)
        if role == Qt.EditRole:
            return value
        if role == Qt.TextAlignmentRole:
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return int(Qt.AlignRight | Qt.AlignVCenter)
            return None
        if value is None:
            return "" if role == Qt.DisplayRole else None
        if isinstance(value, float):
            return f"{value:.6g}"
        return str(value)

    def setData(self, index, value, role=Qt.EditRole) -> bool:  # noqa: N802 - Qt API
        """Push a SetValues edit; a refused value changes nothing (the session says why)."""
        if role != Qt.EditRole or not index.isValid() or self.session is None:
            return False
        field = str(self._columns[index.column()])
        if field == OID:
            return False
        row = int(self.order[index.row()])
        return self.session.set_values(self.layer, [row], field, value)

    def headerData(self, section: int, orientation, role=Qt.DisplayRole):  # noqa: N802
        if orientation == Qt.Horizontal:
            if role != Qt.DisplayRole:
                return None
            return str(self._columns[section]) if section < len(self._columns) else None
        if role not in (Qt.DisplayRole, Qt.ToolTipRole) or section >= len(self.order):
            return None
        dirty = self.session is not None and bool(self.dirty_rows()[int(self.order[section])])
        if role == Qt.ToolTipRole:
            return self.tr("Unsaved edits") if dirty else None
        return f"● {section + 1}" if dirty else str(section + 1)

    def sort(self, column: int, order=Qt.AscendingOrder) -> None:
        if self.layer is None or not (0 <= column < len(self._columns)):
            return
        self.layoutAboutToBeChanged.emit()
        self._sort_key = (self._columns[column], order == Qt.AscendingOrder)
        self._sorted = self.layer.table.sort_order(self._columns[column],
                                                   ascending=order == Qt.AscendingOrder)
        self._update_order()
        self.layoutChanged.emit()

    # -- mapping ------------------------------------------------------------
    def view_rows(self, table_rows: np.ndarray) -> np.ndarray:
        """View row of each table row (-1 where the filter hides it)."""
        return self.rank[np.asarray(table_rows, dtype=np.int64)]

    def table_rows(self, view_rows) -> np.ndarray:
        return self.order[np.asarray(view_rows, dtype=np.int64)]
