"""Scene: the layers in one projected CRS around one float64 origin."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from psygnal import Signal
from pyproj import CRS

from twinviewer.core.crs import crs_label, place_layer
from twinviewer.core.layer import Layer
from twinviewer.core.selection import Selection


@dataclass
class View:
    """A saved camera: position, focal point and up vector in scene coordinates."""

    position: tuple[float, float, float]
    focal_point: tuple[float, float, float]
    up: tuple[float, float, float] = (0.0, 0.0, 1.0)


class Scene:
    """All layers of a twin, their CRS and local origin, and the selection.

    Events: ``layer_added(layer)``, ``layer_removed(layer)``.  Layers announce
    their own display changes through ``Layer.changed``.

    Parameters
    ----------
    crs : pyproj.CRS or None
        Projected CRS in metres (``None``: local coordinates).
    origin : array-like of 3 floats
        Subtracted from every coordinate before rendering.
    """

    layer_added = Signal(object)
    layer_removed = Signal(object)

    def __init__(self, crs: CRS | None = None, origin=(0.0, 0.0, 0.0), name: str = "",
                 path: str | None = None) -> None:
        self.crs = crs
        self.origin = np.asarray(origin, dtype=np.float64)
        self.name = name
        self.path = path
        self.layers: list[Layer] = []
        self.selection = Selection()
        self.view: View | None = None
        self.bookmarks: list = []  # camera_path.Bookmark, in file order
        self.paths: list = []  # camera_path.WalkPath (walkthroughs)
        self.filters: list = []  # summary.SavedFilter (e.g. who needs help)
        self.errors: list[str] = []

    @property
    def scene_file(self) -> Path | None:
        """The scene file (``.toml``) styles, bookmarks and filters are written back to;
        ``None`` for loose data files."""
        if self.path and str(self.path).lower().endswith(".toml"):
            return Path(self.path)
        return None

    @property
    def crs_label(self) -> str | None:
        return crs_label(self.crs)

    def layer(self, name: str) -> Layer:
        for lyr in self.layers:
            if lyr.name == name:
                return lyr
        raise KeyError(name)

    def unique_name(self, name: str) -> str:
        taken = {lyr.name for lyr in self.layers}
        if name not in taken:
            return name
        i = 2
        while f"{name} ({i})" in taken:
            i += 1
        return f"{name} ({i})"

    def add_layer(self, layer: Layer, *, placed: bool = False) -> Layer:
        """Place ``layer`` in the scene CRS (unless already ``placed``) and add it."""
        layer.name = self.unique_name(layer.name)
        if not placed:
            place_layer(layer, self.crs, self.origin)
        self.layers.append(layer)
        self.layer_added.emit(layer)
        return layer

    def remove_layer(self, name: str) -> None:
        layer = self.layer(name)
        self.layers.remove(layer)
        self.selection.forget(name)
        self.layer_removed.emit(layer)

    def close(self) -> None:
        """Release every layer's open files (call once nothing reads them: after the
        view that draws the scene is closed)."""
        for layer in self.layers:
            layer.close()

    def object_count(self) -> int:
        return sum(len(lyr) for lyr in self.layers)

    def bounds(self, visible_only: bool = False) -> tuple[float, ...] | None:
        """Bounds of all layers in local scene coordinates."""
        boxes = [lyr.bounds() for lyr in self.layers if lyr.visible or not visible_only]
        boxes = [b for b in boxes if b is not None]
        if not boxes:
            return None
        arr = np.array(boxes)
        return (*arr[:, :3].min(axis=0), *arr[:, 3:].max(axis=0))
