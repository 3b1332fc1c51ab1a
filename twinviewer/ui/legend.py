"""Legend dock: the classes and colours of every visible layer's style."""

from __future__ import annotations

from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from twinviewer.core.scene import Scene
from twinviewer.render.style import legend_entries


def swatch(color: str, size: int = 14) -> QIcon:
    pix = QPixmap(size, size)
    pix.fill(QColor(color))
    return QIcon(pix)


class Legend(QWidget):
    """One branch per visible layer with a style: field name, then class -> colour."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.scene: Scene | None = None
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("legendTree")
        self.tree.setHeaderHidden(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addWidget(self.tree)

    def set_scene(self, scene: Scene) -> None:
        if self.scene is not None:
            self.scene.layer_added.disconnect(self._on_layer)
            self.scene.layer_removed.disconnect(self._on_layer)
            for layer in self.scene.layers:
                layer.changed.disconnect(self._on_changed)
        self.scene = scene
        scene.layer_added.connect(self._on_layer)
        scene.layer_removed.connect(self._on_layer)
        for layer in scene.layers:
            layer.changed.connect(self._on_changed)
        self.refresh()

    def _on_layer(self, layer) -> None:
        if layer in self.scene.layers:
            layer.changed.connect(self._on_changed)
        self.refresh()

    def _on_changed(self, what: str) -> None:
        if what in ("visible", "style"):
            self.refresh()

    def entries(self) -> dict[str, list[tuple[str, str]]]:
        """Layer name -> ``(label, colour)`` shown, for visible layers with a style."""
        out = {}
        for layer in self.scene.layers if self.scene is not None else []:
            items = legend_entries(layer)
            if layer.visible and items:
                out[layer.name] = items
        return out

    def refresh(self) -> None:
        self.tree.clear()
        for name, items in self.entries().items():
            layer = self.scene.layer(name)
            by = layer.style.get("by")
            title = f"{name} — {by}" if by and len(items) > 1 else name
            top = QTreeWidgetItem(self.tree, [title])
            if len(items) == 1 and not by:
                top.setIcon(0, swatch(items[0][1]))
                continue
            for label, color in items:
                child = QTreeWidgetItem(top, [label])
                child.setIcon(0, swatch(color))
            top.setExpanded(True)
