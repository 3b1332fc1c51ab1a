"""The model: scene, layers, object tables, selection. No Qt, no VTK."""

from twinviewer.core.errors import LoadError
from twinviewer.core.layer import Layer, LineBatch, PointBatch, TriangleBatch
from twinviewer.core.scene import Scene
from twinviewer.core.selection import Selection
from twinviewer.core.table import ObjectTable

__all__ = [
    "Layer",
    "LineBatch",
    "LoadError",
    "ObjectTable",
    "PointBatch",
    "Scene",
    "Selection",
    "TriangleBatch",
]
