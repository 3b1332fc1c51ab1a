"""Attribute table dock: the current layer's rows, linked to the selection both ways."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from twinviewer.core import privacy
from twinviewer.core.layer import Layer
from twinviewer.core.scene import Scene
from twinviewer.ui.delegates import FieldDelegate
from twinviewer.ui.query_bar import QueryBar
from twinviewer.ui.table_model import ObjectTableModel


class AttributeTable(QWidget):
    """A layer chooser over a :class:`QTableView` of :class:`ObjectTableModel`.

    Signals
    -------
    field_action(str, str)
        The context menu asked for ``"set"``, ``"add"``, ``"rename"`` or ``"delete"``
        on a field (``""``: none in particular).
    filter_applied(object, object)
        The filter expression of a layer matched these rows (boolean mask), or
        ``None`` when the filter was cleared: the 3D view dims the others.
    """

    field_action = Signal(str, str)
    filter_applied = Signal(object, object)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.scene: Scene | None = None
        self.session = None
        self._grows: Layer | None = None  # the layer whose rows_added the table follows
        self.model = ObjectTableModel(parent=self)
        self.layer_box = QComboBox(self)
        self.layer_box.setObjectName("tableLayerBox")
        self.layer_box.setMinimumContentsLength(12)
        self.count_label = QLabel(self)
        self.view = QTableView(self)
        self.view.setObjectName("attributeTable")
        self.view.setModel(self.model)
        self.view.setSortingEnabled(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().setDefaultSectionSize(22)
        self.view.horizontalHeader().setSortIndicatorShown(True)
        self.view.sortByColumn(-1, Qt.AscendingOrder)
        self.delegate = FieldDelegate(self.view)
        self.view.setItemDelegate(self.delegate)
        self.view.setEditTriggers(QAbstractItemView.DoubleClicked |
                                  QAbstractItemView.EditKeyPressed)
        self.view.setContextMenuPolicy(Qt.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._context_menu)
        self.search = QLineEdit(self)
        self.search.setObjectName("tableSearch")
        self.search.setPlaceholderText(self.tr("Search all fields…"))
        self.search.setClearButtonEnabled(True)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(250)
        self._search_timer.timeout.connect(self.apply_search)
        self.search.textChanged.connect(lambda *_: self._search_timer.start())
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Layer:"), self))
        top.addWidget(self.layer_box, 1)
        top.addWidget(self.search, 1)
        top.addWidget(self.count_label)
        self.query_bar = QueryBar(self)
        self.query_bar.filter_changed.connect(self._on_filter)
        self.query_bar.select_requested.connect(self._select_rows)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addLayout(top)
        lay.addWidget(self.query_bar)
        lay.addWidget(self.view)
        self._echo = False
        self.layer_box.currentTextChanged.connect(self._on_layer_box)
        self.view.selectionModel().selectionChanged.connect(self._on_view_selection)

    @property
    def layer(self) -> Layer | None:
        return self.model.layer

    def set_session(self, session) -> None:
        """Make cells editable through ``session`` (an :class:`EditSession`)."""
        self.session = session
        self.model.session = session

    def on_edited(self, layer: Layer, rows, fields) -> None:
        """An edit changed ``layer``: refresh cells, or rows and columns when they changed."""
        if self.layer is not layer:
            return
        self.query_bar.refresh()  # values changed: the filter is evaluated again
        if rows is None or fields is None or self.model.columnCount() != \
                len(layer.table.df.columns) or self.model.rowCount() > len(layer):
            self.model.reload()
            self.apply_search()
        elif self.query_bar.mask is not None:
            self.apply_search()
        else:
            self.model.values_changed()

    def markers_changed(self, *_args) -> None:
        """Pending edits were saved or dropped: row markers change."""
        self.model.values_changed()

    def _context_menu(self, pos) -> None:
        if self.layer is None or self.session is None:
            return
        index = self.view.indexAt(pos)
        field = str(self.model.headerData(index.column(), Qt.Horizontal)) \
            if index.isValid() else ""
        field = "" if field == "oid" else field
        menu = QMenu(self)
        acts = {
            menu.addAction(self.tr("Set field for selection…")): "set",
            menu.addAction(self.tr("Add field…")): "add",
        }
        if field:
            acts[menu.addAction(self.tr("Rename field {f}…").format(f=field))] = "rename"
            acts[menu.addAction(self.tr("Delete field {f}…").format(f=field))] = "delete"
        chosen = menu.exec(self.view.viewport().mapToGlobal(pos))
        if chosen is not None:
            self.field_action.emit(acts[chosen], field)

    def current_field(self) -> str:
        """The field of the current cell (``""`` for none or the oid)."""
        index = self.view.currentIndex()
        if not index.isValid():
            return ""
        name = str(self.model.headerData(index.column(), Qt.Horizontal))
        return "" if name == "oid" else name

    def set_scene(self, scene: Scene) -> None:
        if self.scene is not None:
            self.scene.selection.changed.disconnect(self._on_model_selection)
            self.scene.layer_added.disconnect(self._on_layers)
            self.scene.layer_removed.disconnect(self._on_layers)
        self.scene = scene
        scene.selection.changed.connect(self._on_model_selection)
        scene.layer_added.connect(self._on_layers)
        scene.layer_removed.connect(self._on_layers)
        self._watch(None)
        self.model.set_layer(None)
        self._on_layers()

    def _on_layers(self, *_args) -> None:
        current = self.layer_box.currentText()
        self.layer_box.blockSignals(True)
        self.layer_box.clear()
        names = [lyr.name for lyr in self.scene.layers]
        self.layer_box.addItems(names)
        self.layer_box.blockSignals(False)
        if current in names:
            self.layer_box.setCurrentText(current)
        elif names:
            self.show_layer(names[0])
        else:
            self._watch(None)
            self.model.set_layer(None)

    def show_layer(self, name: str) -> None:
        """Show ``name`` in the table (keeps the selection)."""
        if self.scene is None:
            return
        if self.layer_box.currentText() != name:
            self.layer_box.setCurrentText(name)  # -> _on_layer_box
            return
        if self.layer is not None and self.layer.name == name:
            return
        layer = self.scene.layer(name)
        self.query_bar.set_layer(layer)  # drops another layer's filter
        self._watch(layer)
        self.model.set_layer(layer)
        self.view.horizontalHeader().setSortIndicator(-1, Qt.AscendingOrder)
        self.apply_search()

    def _watch(self, layer: Layer | None) -> None:
        """Follow rows appended to the shown layer (a streamed scan's features)."""
        if self._grows is not None:
            self._grows.rows_added.disconnect(self._on_rows_added)
        self._grows = layer
        if layer is not None:
            layer.rows_added.connect(self._on_rows_added)

    def _on_rows_added(self, _first: int) -> None:
        layer = self.layer
        if layer is None or layer is not self._grows:
            return
        if self.search.text().strip() or self.query_bar.mask is not None or \
                not self.model.rows_appended():
            self.on_edited(layer, None, None)  # sorted or filtered: evaluate again
            return
        self.count_label.setText(self.tr("{n} objects").format(n=f"{len(layer):,}"))

    def apply_search(self) -> None:
        """Filter the rows by the search text and the query bar's filter (typing runs it
        after a short pause; call it when what the filter sees changed, e.g. masking)."""
        layer = self.layer
        if layer is None:
            return
        text = self.search.text().strip()
        mask = layer.table.search_mask(text, skip=privacy.STATE.masked_fields(layer)) \
            if text else None
        query = self.query_bar.mask
        if query is not None and len(query) == len(layer):
            mask = query if mask is None else mask & query
        self.model.set_filter(mask)
        shown = self.model.rowCount()
        if mask is not None:
            self.count_label.setText(self.tr("{shown} of {n} objects").format(
                shown=f"{shown:,}", n=f"{len(layer):,}"))
        else:
            self.count_label.setText(self.tr("{n} objects").format(n=f"{len(layer):,}"))
        self._show_selection()

    def _on_filter(self, mask) -> None:
        """The query bar matched ``mask`` (or was cleared): filter rows, tell the 3D view."""
        self.apply_search()
        if self.layer is not None:
            self.filter_applied.emit(self.layer, mask)

    def _select_rows(self, rows) -> None:
        if self.scene is not None and self.layer is not None:
            self.scene.selection.select(self.layer.name, rows)

    def _on_layer_box(self, name: str) -> None:
        if name:
            self.show_layer(name)

    def _on_view_selection(self, *_args) -> None:
        if self._echo or self.layer is None or self.scene is None:
            return
        view_rows = np.array(sorted({i.row() for i in self.view.selectionModel().selectedRows()}),
                             dtype=np.int64)
        rows = self.model.table_rows(view_rows) if len(view_rows) else []
        self._echo = True
        try:
            self.scene.selection.select(self.layer.name, rows)
        finally:
            self._echo = False

    def _on_model_selection(self, layer_names) -> None:
        if self._echo or self.scene is None:
            return
        picked = [n for n in layer_names if len(self.scene.selection.rows(n))]
        if picked and (self.layer is None or self.layer.name not in picked):
            self.show_layer(picked[0])  # follow a pick into another layer
            return
        self._show_selection()

    def _show_selection(self) -> None:
        """Select the model's rows in the view, as contiguous ranges, and scroll to the first."""
        if self.layer is None:
            return
        rows = self.scene.selection.rows(self.layer.name)
        sm = self.view.selectionModel()
        self._echo = True
        try:
            if not len(rows):
                sm.clearSelection()
                return
            vrows = np.sort(self.model.view_rows(rows))
            vrows = vrows[vrows >= 0]  # rows the search hides stay selected in the model
            if not len(vrows):
                sm.clearSelection()
                return
            breaks = np.nonzero(np.diff(vrows) != 1)[0]
            starts = np.concatenate([[vrows[0]], vrows[breaks + 1]])
            ends = np.concatenate([vrows[breaks], [vrows[-1]]])
            selection = QItemSelection()
            last = self.model.columnCount() - 1
            for s, e in zip(starts, ends, strict=True):
                selection.select(self.model.index(int(s), 0), self.model.index(int(e), last))
            sm.select(selection, QItemSelectionModel.ClearAndSelect)
            first = self.model.index(int(vrows[0]), 0)
            sm.setCurrentIndex(first, QItemSelectionModel.NoUpdate)
            self.view.scrollTo(first, QAbstractItemView.PositionAtCenter)
        finally:
            self._echo = False
