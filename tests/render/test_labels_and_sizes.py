"""Labels above objects, size by attribute and camera view cones (issue 5)."""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ["VTK_DEFAULT_OPENGL_WINDOW"] = "vtkEGLRenderWindow"

import pyvista as pv  # noqa: E402

from twinviewer.core.layer import Layer, PointBatch, TriangleBatch  # noqa: E402
from twinviewer.core.privacy import PrivacyState  # noqa: E402
from twinviewer.core.query import QueryError  # noqa: E402
from twinviewer.core.scene import Scene  # noqa: E402
from twinviewer.core.table import ObjectTable  # noqa: E402
from twinviewer.render import SceneView, make_theme  # noqa: E402
from twinviewer.render.batches import layer_pieces  # noqa: E402
from twinviewer.render.labels import build_labels, label_anchors, label_texts  # noqa: E402
from twinviewer.render.style import size_factors  # noqa: E402


def _boxes(n=3, heights=(10.0, 20.0, 30.0)):
    """``n`` box-shaped buildings 40 m apart along x, as triangle batches."""
    pts, tris, rows = [], [], []
    cube = pv.Cube(center=(0, 0, 0.5), x_length=10, y_length=10, z_length=1).triangulate()
    faces = cube.regular_faces
    for i in range(n):
        p = np.asarray(cube.points, dtype=float).copy()
        p[:, 2] *= heights[i]
        p[:, 0] += 40.0 * i
        tris.append(faces + len(p) * i)
        pts.append(p)
        rows.append(np.full(len(faces), i))
    table = ObjectTable({"名称": ["一号楼", "二号楼", "三号楼"][:n], "人口": [120, 80, 300][:n],
                         "户主": ["张三", "李四", "王五"][:n]})
    return Layer("建筑", "polygon", table, [TriangleBatch(np.concatenate(pts),
                                                           np.concatenate(tris),
                                                           np.concatenate(rows))])


def _points():
    table = ObjectTable({"类别": ["摄像头"] * 3, "朝向": [0.0, 90.0, np.nan],
                         "人口": [10, 20, 30]})
    return Layer("视频监控", "point", table,
                 [PointBatch(np.array([[0.0, 0, 0], [50, 0, 0], [100, 0, 0]]),
                             np.arange(3))])


def test_label_from_a_field_and_from_an_expression():
    layer = _boxes()
    assert label_texts(layer, "名称").tolist() == ["一号楼", "二号楼", "三号楼"]
    assert label_texts(layer, "名称 || '（' || 人口 || '人）'").tolist() == [
        "一号楼（120人）", "二号楼（80人）", "三号楼（300人）"]
    with pytest.raises(QueryError) as err:
        label_texts(layer, "名 || 人口")
    assert "名称" in str(err.value)  # the suggestion


def test_sensitive_fields_are_masked_in_labels_unless_unmasked():
    layer = _boxes()
    layer.sensitive = frozenset({"户主"})
    masked = label_texts(layer, "户主").tolist()
    assert masked != ["张三", "李四", "王五"]
    assert not any(name in text for text in masked for name in ("张三", "李四", "王五"))
    in_expr = label_texts(layer, "名称 || ' ' || 户主").tolist()
    assert in_expr[0].startswith("一号楼 ") and "张三" not in in_expr[0]
    state = PrivacyState()
    state.unmask(layer, "测试", audit=lambda *a, **k: None)
    assert label_texts(layer, "户主", privacy=state).tolist() == ["张三", "李四", "王五"]


def test_labels_stand_above_each_objects_top():
    layer = _boxes()
    anchors = label_anchors(layer)
    assert np.allclose(anchors[:, 0], [0, 40, 80])
    assert np.allclose(anchors[:, 2], [11.5, 21.5, 31.5])
    layer.style = {"label": "名称"}
    labels = build_labels(layer)
    assert labels is not None and labels.count == 3
    keep = np.array([True, False, True])
    assert build_labels(layer, keep=keep).count == 2
    layer.style = {"label": "名称 ||"}  # broken: no labels, no exception while drawing
    assert build_labels(layer) is None


@pytest.mark.clean_gl
def test_labels_are_drawn_in_the_view():
    scene = Scene("EPSG:32651", (0.0, 0.0, 0.0))
    layer = _boxes()
    scene.add_layer(layer)
    plotter = pv.Plotter(off_screen=True, window_size=[600, 400], theme=make_theme())
    try:
        view = SceneView(plotter, scene)
        plotter.camera_position = [(40, -150, 120), (40, 0, 10), (0, 0, 1)]
        view.render()
        plain = plotter.screenshot(return_img=True)
        layer.style = {"label": "名称", "label_color": "#ff0000", "label_size": 20}
        view.refresh_layer(layer)
        assert layer in view.labels
        labelled = plotter.screenshot(return_img=True)
        x, y = view.world_to_display(label_anchors(layer)[2])
        r, c = labelled.shape[0] - 1 - int(y), int(x)
        patch = labelled[max(0, r - 30):r + 5, c - 40:c + 40].astype(int)
        before = plain[max(0, r - 30):r + 5, c - 40:c + 40].astype(int)
        red = (patch[..., 0] > 150) & (patch[..., 1] < 90) & (patch[..., 2] < 90)
        assert red.sum() > 20, "no red label text above the tallest building"
        assert np.abs(patch - before).sum() > 0
        assert view.labelled_layers() == [layer]
        layer.set_visible(False)
        assert view.labelled_layers() == []
        view.set_interacting(True)
        layer.set_visible(True)
        assert view.labelled_layers() == []  # none while moving
        view.set_interacting(False)
        assert view.labelled_layers() == [layer]
        view.close()
    finally:
        plotter.close()


def test_size_by_attribute_scales_each_model_between_the_range():
    layer = _points()
    layer.style = {"size_by": "人口", "size_range": [1.0, 3.0]}
    assert size_factors(layer).tolist() == [1.0, 2.0, 3.0]
    (piece,) = [p for p in layer_pieces(layer) if p.kind == "instances"]
    pts, rows = np.asarray(piece.polydata.points), piece.rows
    cells = piece.polydata.regular_faces
    heights = []
    for r in range(3):
        verts = pts[np.unique(cells[rows == r])]
        heights.append(verts[:, 2].max() - verts[:, 2].min())
    assert np.allclose(np.array(heights) / heights[0], [1.0, 2.0, 3.0], rtol=1e-5)
    layer.style = {}
    assert size_factors(layer) is None


def test_view_cones_point_along_each_cameras_heading():
    layer = _points()
    layer.style = {"view_cone": {"heading": "朝向", "range": 20.0, "angle": 40.0}}
    pieces = layer_pieces(layer)
    cones = [p for p in pieces if p.kind == "triangles"]
    assert len(cones) == 1
    cone = cones[0]
    assert set(cone.rows.tolist()) == {0, 1}  # the camera without a heading has none
    pts = np.asarray(cone.polydata.points)
    faces = cone.polydata.regular_faces
    for row, origin, direction in ((0, (0, 0), (0, 1)), (1, (50, 0), (1, 0))):
        verts = pts[np.unique(faces[cone.rows == row])]
        d = verts[:, :2] - origin
        far = d[np.linalg.norm(d, axis=1) > 1]
        assert np.allclose(np.linalg.norm(far, axis=1), 20.0, atol=1e-3)
        cosines = far @ np.asarray(direction, float) / 20.0
        assert cosines.min() >= np.cos(np.radians(20.0)) - 1e-6  # within half the angle
    assert cone.base_colors[:, 3].max() < 255  # translucent


def test_only_labels_in_view_are_placed_tallest_first(monkeypatch):
    from twinviewer.render.labels import SceneLabels

    layer = _boxes()
    layer.style = {"label": "名称"}
    labels = build_labels(layer)
    overlay = SceneLabels()
    monkeypatch.setattr(SceneLabels, "MAX_CANDIDATES", 2)
    overlay.choose([labels], None)
    assert labels.using.tolist() == [1, 2]  # the two tallest
    scene = Scene("EPSG:32651", (0.0, 0.0, 0.0))
    scene.add_layer(layer)
    plotter = pv.Plotter(off_screen=True, window_size=[400, 300], theme=make_theme())
    try:
        view = SceneView(plotter, scene)
        plotter.camera_position = [(0, -30, 40), (0, 0, 5), (0, 0, 1)]  # the first box only
        plotter.camera.view_angle = 30
        view.render()
        assert view.labels[layer].using.tolist() == [0]
        view.close()
    finally:
        plotter.close()
