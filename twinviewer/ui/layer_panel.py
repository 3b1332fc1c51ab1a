"""Layer panel: groups and layers with visibility check boxes and opacity."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSlider,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from twinviewer.core.ground_layer import RasterLayer
from twinviewer.core.layer import Layer
from twinviewer.core.scene import Scene

LAYER_ROLE = Qt.UserRole + 1


class LayerPanel(QWidget):
    """Tree of groups -> layers; checking toggles visibility in the model.

    Signals
    -------
    current_layer_changed(str)
        The layer the user picked (drives the attribute table).
    zoom_requested(str)
        Double-click on a layer: frame it.
    """

    current_layer_changed = Signal(str)
    zoom_requested = Signal(str)
    opacity_edited = Signal(object)  # the layer whose opacity the user changed

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.scene: Scene | None = None
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("layerTree")
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels([self.tr("Layer"), self.tr("Objects")])
        self.tree.setRootIsDecorated(True)
        self.tree.header().setStretchLastSection(False)
        self.tree.header().setSectionResizeMode(0, self.tree.header().ResizeMode.Stretch)
        self.tree.header().setSectionResizeMode(1, self.tree.header().ResizeMode.ResizeToContents)
        self.opacity = QSlider(Qt.Horizontal, self)
        self.opacity.setObjectName("opacitySlider")
        self.opacity.setRange(0, 100)
        self.opacity.setEnabled(False)
        self.opacity.setToolTip(self.tr("Opacity of the current layer"))
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Opacity"), self))
        row.addWidget(self.opacity)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addWidget(self.tree)
        lay.addLayout(row)
        self._items: dict[str, QTreeWidgetItem] = {}
        self._updating = False
        self.tree.itemChanged.connect(self._on_item_changed)
        self.tree.currentItemChanged.connect(self._on_current)
        self.tree.itemDoubleClicked.connect(self._on_double)
        self.opacity.valueChanged.connect(self._on_opacity)

    def set_scene(self, scene: Scene) -> None:
        if self.scene is not None:
            self.scene.layer_added.disconnect(self._add)
            self.scene.layer_removed.disconnect(self._remove)
            for layer in self.scene.layers:
                layer.changed.disconnect(self._sync)
        self.scene = scene
        self.tree.clear()
        self._items.clear()
        scene.layer_added.connect(self._add)
        scene.layer_removed.connect(self._remove)
        for layer in scene.layers:
            self._add(layer)

    def item(self, name: str) -> QTreeWidgetItem:
        return self._items[name]

    def group_item(self, group: str) -> QTreeWidgetItem | None:
        for i in range(self.tree.topLevelItemCount()):
            it = self.tree.topLevelItem(i)
            if it.data(0, LAYER_ROLE) is None and it.text(0) == group:
                return it
        return None

    def _add(self, layer: Layer) -> None:
        self._updating = True
        try:
            parent = self.tree.invisibleRootItem()
            if layer.group:
                parent = self.group_item(layer.group)
                if parent is None:
                    parent = QTreeWidgetItem(self.tree, [layer.group, ""])
                    parent.setFlags(parent.flags() | Qt.ItemIsUserCheckable |
                                    Qt.ItemIsAutoTristate)
                    parent.setExpanded(True)
                    font = parent.font(0)
                    font.setBold(True)
                    parent.setFont(0, font)
            item = QTreeWidgetItem(parent, [layer.name, _count(layer)])
            item.setData(0, LAYER_ROLE, layer.name)
            item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
            item.setCheckState(0, Qt.Checked if layer.visible else Qt.Unchecked)
            item.setTextAlignment(1, Qt.AlignRight | Qt.AlignVCenter)
            kinds = {"vector": self.tr("vector data"), "cityjson": self.tr("CityJSON model"),
                     "mesh": self.tr("3D mesh"), "raster": self.tr("raster"),
                     "basemap": self.tr("basemap tiles")}
            tip = f"{layer.source}\n{kinds.get(layer.kind, layer.kind)}, " \
                f"{layer.crs or self.tr('no CRS')}"
            if layer.warnings:
                tip += "\n" + "\n".join(layer.warnings)
            item.setToolTip(0, tip)
            self._items[layer.name] = item
            layer.changed.connect(self._sync)
            layer.rows_added.connect(self._recount)  # a scan's features as they come
        finally:
            self._updating = False
        if self.tree.currentItem() is None:
            self.tree.setCurrentItem(item)

    def _recount(self, *_args) -> None:
        """The object counts again (a layer's table grew)."""
        for layer in self.scene.layers if self.scene is not None else []:
            item = self._items.get(layer.name)
            if item is not None:
                item.setText(1, _count(layer))

    def _remove(self, layer: Layer) -> None:
        item = self._items.pop(layer.name, None)
        if item is not None:
            parent = item.parent() or self.tree.invisibleRootItem()
            parent.removeChild(item)
            if item.parent() is None and parent is not self.tree.invisibleRootItem() \
                    and parent.childCount() == 0:
                self.tree.invisibleRootItem().removeChild(parent)

    def _sync(self, what: str) -> None:
        """A layer's display changed elsewhere: reflect it without echoing back."""
        if self.scene is None:
            return
        self._updating = True
        try:
            for layer in self.scene.layers:
                item = self._items.get(layer.name)
                if item is not None:
                    item.setCheckState(0, Qt.Checked if layer.visible else Qt.Unchecked)
            current = self.current_layer()
            if current is not None:
                self.opacity.setValue(round(current.opacity * 100))
        finally:
            self._updating = False

    def current_layer(self) -> Layer | None:
        item = self.tree.currentItem()
        name = item.data(0, LAYER_ROLE) if item is not None else None
        if name is None or self.scene is None:
            return None
        try:
            return self.scene.layer(name)
        except KeyError:
            return None

    def _on_item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        if self._updating or column != 0 or self.scene is None:
            return
        name = item.data(0, LAYER_ROLE)
        if name is not None:
            self.scene.layer(name).set_visible(item.checkState(0) == Qt.Checked)
        # a group's check state is propagated to its children by Qt (auto tristate)

    def _on_current(self, item, _prev) -> None:
        layer = self.current_layer()
        self.opacity.setEnabled(layer is not None)
        if layer is not None:
            self._updating = True
            self.opacity.setValue(round(layer.opacity * 100))
            self._updating = False
            self.current_layer_changed.emit(layer.name)

    def _on_double(self, item, _col) -> None:
        name = item.data(0, LAYER_ROLE)
        if name is not None:
            self.zoom_requested.emit(name)

    def _on_opacity(self, value: int) -> None:
        layer = self.current_layer()
        if layer is not None and not self._updating:
            layer.set_opacity(value / 100.0)
            self.opacity_edited.emit(layer)


def _count(layer: Layer) -> str:
    """The Objects column: a raster or basemap is ground, not objects (no "0")."""
    return "" if isinstance(layer, RasterLayer) else f"{len(layer):,}"
