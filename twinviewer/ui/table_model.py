"""A Qt table model over a layer's columns: virtual rows, numpy sort orders."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from twinviewer.core.layer import Layer
from twinviewer.core.table import _plain

_ROOT = QModelIndex()


class ObjectTableModel(QAbstractTableModel):
    """Rows of one layer's :class:`ObjectTable`; no Python object per row.

    ``order[i]`` is the table row shown at view row ``i``; sorting replaces
    ``order`` with a numpy argsort (``QSortFilterProxyModel`` is far too slow
    at 100,000 rows).
    """

    def __init__(self, layer: Layer | None = None, parent=None) -> None:
        super().__init__(parent)
        self.layer = layer
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
        self._update_order()
        self.endResetModel()

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

    def data(self, index: QModelIndex | QPersistentModelIndex, role=Qt.DisplayRole):
        if not index.isValid() or self.layer is None:
            return None
        if role not in (Qt.DisplayRole, Qt.ToolTipRole, Qt.TextAlignmentRole):
            return None
        value = _plain(self.layer.table.df.iat[int(self.order[index.row()]), index.column()])
        if role == Qt.TextAlignmentRole:
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return int(Qt.AlignRight | Qt.AlignVCenter)
            return None
        if value is None:
            return "" if role == Qt.DisplayRole else None
        if isinstance(value, float):
            return f"{value:.6g}"
        return str(value)

    def headerData(self, section: int, orientation, role=Qt.DisplayRole):  # noqa: N802
        if role != Qt.DisplayRole:
            return None
        if orientation == Qt.Horizontal:
            return str(self._columns[section]) if section < len(self._columns) else None
        return str(section + 1)

    def sort(self, column: int, order=Qt.AscendingOrder) -> None:
        if self.layer is None or not (0 <= column < len(self._columns)):
            return
        self.layoutAboutToBeChanged.emit()
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
