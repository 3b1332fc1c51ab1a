"""Labels decluttered before placement, and translucency without OIT (issue 12)."""

from __future__ import annotations

import os

import numpy as np

os.environ["VTK_DEFAULT_OPENGL_WINDOW"] = "vtkEGLRenderWindow"

import pyvista as pv  # noqa: E402
from vtkmodules.util.numpy_support import vtk_to_numpy  # noqa: E402

from twinviewer.core.layer import Layer, TriangleBatch  # noqa: E402
from twinviewer.core.scene import Scene  # noqa: E402
from twinviewer.core.table import ObjectTable  # noqa: E402
from twinviewer.render import SceneView, make_theme  # noqa: E402
from twinviewer.render.labels import (  # noqa: E402
    LayerLabels,
    SceneLabels,
    declutter,
    text_extent,
)


def test_text_extent_counts_chinese_characters_as_one_em():
    ext = text_extent(np.array(["一号楼", "abc", ""], dtype=object), 10)
    assert ext[0, 0] > ext[1, 0] > ext[2, 0]
    assert ext[0, 0] == 3 * 10 + 4.0
    assert np.all(ext[:, 1] == ext[0, 1])


def test_declutter_keeps_the_first_of_overlapping_labels_and_stops_at_the_limit():
    size = (800, 600)
    # x, y in device coordinates, width and height in pixels
    boxes = np.array([[0.0, 0.0, 60, 16],     # kept: first
                      [0.02, 0.01, 60, 16],   # overlaps the first: dropped
                      [0.5, 0.5, 60, 16],     # far away: kept
                      [-0.5, -0.5, 60, 16],   # kept
                      [0.9, -0.9, 60, 16]])   # over the limit
    assert declutter(boxes, size, limit=10).tolist() == [0, 2, 3, 4]
    assert declutter(boxes, size, limit=3).tolist() == [0, 2, 3]
    # the covered-area budget stops it too: one 60 x 16 box is 0.2 % of the window
    assert declutter(boxes, size, limit=10, fraction=0.001).tolist() == [0]


def _labels(n: int) -> LayerLabels:
    # n labels in a row 1 m apart at the same spot on screen from far away
    anchors = np.c_[np.arange(n, dtype=float), np.zeros(n), np.zeros(n)]
    texts = np.array([f"楼{i}" for i in range(n)], dtype=object)
    return LayerLabels(anchors, texts, np.arange(n, dtype=float), {}, "名称")


def test_choose_with_a_window_size_hands_the_mapper_only_labels_that_fit():
    labels = _labels(50)
    overlay = SceneLabels()
    to_clip = np.eye(4)
    to_clip[0, 0] = 1 / 1000.0  # 50 m of x are 5 % of the width: labels pile up
    overlay.choose([labels], to_clip, (800, 600))
    assert overlay.placed == len(labels.using) < 10
    assert labels.using.max() == 49  # the tallest (highest priority) is among them
    overlay.choose([labels], None)  # no view: the capped tallest, no declutter
    assert overlay.placed == 50


def test_rebuilt_labels_with_new_texts_are_drawn_anew():
    """Masking a field again rebuilds a layer's labels with the same anchors and new
    texts: the atlas must show the new texts, even if the new object reuses the
    freed one's id()."""
    to_clip = np.eye(4)
    overlay = SceneLabels()
    first = _labels(3)
    overlay.choose([first], to_clip, (800, 600))
    before = vtk_to_numpy(overlay.texture.GetInput().GetPointData().GetScalars()).copy()
    args = (first.anchors, np.array(["***"] * 3, dtype=object), first.priority, {}, "名称")
    del first  # were it freed, the next object of its size would take its id (CPython)
    masked = LayerLabels(*args)
    overlay.choose([masked], to_clip, (800, 600))
    after = vtk_to_numpy(overlay.texture.GetInput().GetPointData().GetScalars())
    assert before.shape != after.shape or not np.array_equal(before, after)


def _box_layer(name: str) -> Layer:
    cube = pv.Cube(center=(0, 0, 5), x_length=10, y_length=10, z_length=10).triangulate()
    faces = cube.regular_faces
    return Layer(name, "polygon", ObjectTable({"名称": ["一号楼"]}),
                 [TriangleBatch(np.asarray(cube.points, float), faces,
                                np.zeros(len(faces), dtype=int))])


def test_order_independent_translucency_only_for_a_translucent_layer():
    scene = Scene("EPSG:32651", (0.0, 0.0, 0.0))
    layer = _box_layer("建筑")
    scene.add_layer(layer)
    plotter = pv.Plotter(off_screen=True, window_size=[200, 150], theme=make_theme())
    try:
        view = SceneView(plotter, scene)
        assert not plotter.renderer.GetUseOIT()
        layer.set_opacity(0.5)
        assert plotter.renderer.GetUseOIT()
        layer.set_visible(False)
        assert not plotter.renderer.GetUseOIT()
        layer.set_visible(True)
        layer.set_opacity(1.0)
        assert not plotter.renderer.GetUseOIT()
        view.close()
    finally:
        plotter.close()
