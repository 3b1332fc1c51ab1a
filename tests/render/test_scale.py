"""Correctness at city scale (100k objects): picks, highlight, toggle, table order.

Speed lives in benchmarks/; here the 100,000-object district must simply be right.
The oracle for "which object is drawn at this pixel" is an independent ID render:
every object painted in a colour that encodes its (layer, row), lights off,
rasterised by OpenGL; the picker instead casts a ray through cell locators.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

# Offscreen through EGL even under Xvfb: GLX offscreen windows on Xvfb now and then read
# back pixels of an earlier frame, which would make the oracle lie.  (The window's own
# render window is created by pyvistaqt explicitly and is not affected.)
os.environ["VTK_DEFAULT_OPENGL_WINDOW"] = "vtkEGLRenderWindow"

import pyvista as pv  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402

from twinviewer.demo.generator import generate_district  # noqa: E402
from twinviewer.io.loader import open_scene  # noqa: E402
from twinviewer.render import SceneView, make_theme  # noqa: E402
from twinviewer.ui.table_model import ObjectTableModel  # noqa: E402

SIZE = (1200, 800)


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    out = tmp_path_factory.mktemp("city100k")
    scene = open_scene([generate_district(out, objects=100_000)])
    assert scene.object_count() >= 100_000
    plotter = pv.Plotter(off_screen=True, window_size=list(SIZE), theme=make_theme())
    view = SceneView(plotter, scene)
    # look at one neighbourhood closely, so objects cover many pixels each
    b = np.array(scene.bounds())
    centre, half = (b[:3] + b[3:]) / 2, (b[3:] - b[:3]) * 0.08
    view.frame((*(centre - half), *(centre + half)))
    yield scene, view
    view.close()
    plotter.close()


def _image(view) -> np.ndarray:
    """The frame as (h, w, 3) ints, row 0 at the bottom (VTK's orientation).

    Rendered again with buffer swapping held off and read from the back buffer: after a
    swap, the back buffer of an X window holds undefined (often stale) pixels.
    """
    import vtk
    from vtk.util.numpy_support import vtk_to_numpy

    grab = vtk.vtkWindowToImageFilter()
    grab.SetInput(view.plotter.render_window)
    grab.SetInputBufferTypeToRGB()
    grab.ReadFrontBufferOff()
    grab.ShouldRerenderOn()
    grab.Update()
    out = grab.GetOutput()
    w, h, _ = out.GetDimensions()
    return vtk_to_numpy(out.GetPointData().GetScalars()).reshape(h, w, 3).astype(int)


def _id_render(view) -> tuple[np.ndarray, list]:
    """Per pixel (VTK orientation, row 0 at the bottom): 0 = nothing, else key+1 (surfaces).

    Keys go in a per-*cell* colour array drawn with lights off: per-vertex colours
    are interpolated by the rasteriser and may round off by one in the low byte.
    """
    from vtk.util.numpy_support import numpy_to_vtk

    layers = list(view.pieces)
    saved = []
    for li, layer in enumerate(layers):
        for piece in view.pieces[layer]:
            key = li * 1_000_000 + piece.rows + 1
            rgba = np.stack([(key >> 16) & 255, (key >> 8) & 255, key & 255,
                             np.full_like(key, 255)], axis=1).astype(np.uint8)
            arr = numpy_to_vtk(rgba, deep=True)
            arr.SetName("id_rgba")
            piece.polydata.GetCellData().AddArray(arr)
            mapper, prop = piece.actor.GetMapper(), piece.actor.GetProperty()
            saved.append((piece, mapper.GetScalarMode(), prop.GetAmbient(), prop.GetDiffuse()))
            mapper.SetScalarModeToUseCellFieldData()
            mapper.SelectColorArray("id_rgba")
            prop.SetAmbient(1.0)
            prop.SetDiffuse(0.0)
    # only the surfaces of objects: the ground, overlays and annotations are not part of
    # the oracle, nor are wide lines (llvmpipe blends their edges into colours that
    # decode to other keys); the picker too hits the surface under a thin road line
    ours = {id(p.actor) for pieces in view.pieces.values() for p in pieces
            if p.kind != "lines"}
    props = view.plotter.renderer.GetViewProps()
    others = [props.GetItemAsObject(i) for i in range(props.GetNumberOfItems())]
    others = [(p, p.GetVisibility()) for p in others if id(p) not in ours]
    for p, _ in others:
        p.VisibilityOff()
    view.plotter.set_background("black")
    img = _image(view)
    for p, visible in others:
        p.SetVisibility(visible)
    for piece, mode, ambient, diffuse in saved:
        mapper, prop = piece.actor.GetMapper(), piece.actor.GetProperty()
        mapper.SetScalarMode(mode)
        mapper.SelectColorArray(None)
        piece.polydata.GetCellData().RemoveArray("id_rgba")
        prop.SetAmbient(ambient)
        prop.SetDiffuse(diffuse)
    view.plotter.set_background("#eef2f6", top="#b9cde4")
    view.render()
    ids = (img[..., 0] << 16) | (img[..., 1] << 8) | img[..., 2]
    li, row = (ids - 1) // 1_000_000, (ids - 1) % 1_000_000
    sizes = np.array([len(lyr) for lyr in layers])
    valid = (ids > 0) & (li < len(layers)) & (row < sizes[np.clip(li, 0, len(layers) - 1)])
    assert valid.sum() == (ids > 0).sum()
    return np.where(valid, ids, 0), layers


def _interior(ids: np.ndarray) -> np.ndarray:
    """Pixels whose 3x3 neighbourhood shows the same object (not on an edge)."""
    core = ids[1:-1, 1:-1]
    same = core > 0
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            same &= ids[1 + dy:ids.shape[0] - 1 + dy, 1 + dx:ids.shape[1] - 1 + dx] == core
    out = np.zeros_like(ids, dtype=bool)
    out[1:-1, 1:-1] = same
    return out


@pytest.mark.clean_gl
def test_hundred_random_clicks_select_the_drawn_object(city):
    scene, view = city
    ids, layers = _id_render(view)
    ys, xs = np.nonzero(_interior(ids))
    assert len(xs) > 10_000
    rng = np.random.default_rng(7)
    picks = rng.choice(len(xs), size=100, replace=False)
    for i in picks:
        x, y = int(xs[i]), int(ys[i])
        key = int(ids[y, x]) - 1
        want_layer, want_row = layers[key // 1_000_000], key % 1_000_000
        hit = view.pick(x, y)
        assert hit is not None, (x, y)
        layer, row, _ = hit
        scene.selection.select(layer.name, [row])  # what the window does with a click
        assert (layer.name, row) == (want_layer.name, want_row), (x, y)
        assert scene.selection.rows(want_layer.name).tolist() == [want_row]
    scene.selection.clear()


@pytest.mark.clean_gl
def test_highlight_changes_exactly_the_selected_objects_pixels(city):
    scene, view = city
    ids, layers = _id_render(view)
    buildings = scene.layer("建筑")
    li = layers.index(buildings)
    rng = np.random.default_rng(3)
    rows = rng.choice(len(buildings), size=300, replace=False)
    keys = li * 1_000_000 + rows + 1
    before = _image(view)
    scene.selection.select(buildings.name, rows)
    after = _image(view)
    changed = np.any(np.abs(after - before) > 8, axis=2)
    selected_px = np.isin(ids, keys)
    inner = _interior(ids)
    assert changed[selected_px & inner].mean() > 0.95  # the selected objects lit up
    assert not changed[~selected_px & inner].any()  # nothing else did
    scene.selection.clear()
    assert np.abs(_image(view) - before).max() <= 8


def test_a_highlight_uploads_only_the_pieces_it_changes(city):
    """Selecting one lamp post marks one piece's colours modified (the other tiles of
    street furniture upload nothing); clearing marks it again, and the colours are the
    base colours once more."""
    scene, view = city
    furniture = scene.layer("街道设施")
    pieces = view.pieces[furniture]
    assert len(pieces) > 1
    row = int(pieces[-1].rows[0])
    stamps = [p.vtk_colors.GetMTime() for p in pieces]
    scene.selection.select(furniture.name, [row])
    moved = [p.vtk_colors.GetMTime() != s for p, s in zip(pieces, stamps, strict=True)]
    assert moved == [False] * (len(pieces) - 1) + [True]
    scene.selection.clear()
    assert pieces[-1].vtk_colors.GetMTime() > stamps[-1]
    assert all(np.array_equal(p.colors, p.base_colors) for p in pieces)


@pytest.mark.clean_gl
def test_layer_toggle_removes_exactly_its_pixels(city):
    scene, view = city
    ids, layers = _id_render(view)
    furniture = scene.layer("街道设施")
    li = layers.index(furniture)
    mine = (ids > li * 1_000_000) & (ids <= (li + 1) * 1_000_000)
    assert mine.sum() > 1000
    furniture.set_visible(False)
    try:
        after, _ = _id_render(view)
        assert not ((after > li * 1_000_000) & (after <= (li + 1) * 1_000_000)).any()
        near = mine.copy()  # furniture is thin: one pixel around it may differ
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                near |= np.roll(np.roll(mine, dy, axis=0), dx, axis=1)
        both = (ids > 0) & (after > 0) & ~near
        assert np.mean(after[both] == ids[both]) > 0.999  # every other object stays put
    finally:
        furniture.set_visible(True)
    again, _ = _id_render(view)
    assert np.mean(again[ids > 0] == ids[ids > 0]) > 0.999


def test_table_sorts_and_filters_like_pandas_at_100k(city, qapp):
    scene, _ = city
    layer = max(scene.layers, key=len)
    assert len(layer) > 50_000
    model = ObjectTableModel(layer)
    df = layer.table.df
    column = "编号" if "编号" in df.columns else df.columns[1]
    col_index = list(df.columns).index(column)
    mask = df[column].astype("string").str.endswith("7").fillna(False).to_numpy()
    model.set_filter(mask)
    model.sort(col_index, Qt.DescendingOrder)
    expected = df[mask].sort_values(column, ascending=False, kind="stable").index.to_numpy()
    got = model.table_rows(np.arange(model.rowCount()))
    assert got.tolist() == expected.tolist()


def test_an_alert_blink_uploads_only_the_pieces_with_alerts(city):
    """A blinking alert on one lamp post repaints its piece at every phase and no other
    (an acknowledged one elsewhere holds its colour), and nothing when the same marks
    are set again; a selected marked object keeps the highlight; cleared marks leave
    the base colours."""
    from twinviewer.render.alert_paint import ACKED, BLINK, AlertPaint
    from twinviewer.render.colors import HIGHLIGHT

    scene, view = city
    furniture = scene.layer("街道设施")
    pieces = view.pieces[furniture]
    row, other = int(pieces[-1].rows[0]), int(pieces[0].rows[0])
    paint = AlertPaint(view)
    paint.set_marks(furniture.name, blink_rows=[row], acked_rows=[other])  # other: held
    paint.paint(True, render=False)
    entries = pieces[-1].color_rows == row
    assert (pieces[0].colors[pieces[0].color_rows == other] == ACKED).all()
    for on in (False, True, False):
        stamps = [p.vtk_colors.GetMTime() for p in pieces]
        paint.paint(on, render=False)
        moved = [p.vtk_colors.GetMTime() != s for p, s in zip(pieces, stamps, strict=True)]
        assert moved == [False] * (len(pieces) - 1) + [True]
        want = BLINK if on else pieces[-1].base_colors[entries][0]
        assert (pieces[-1].colors[entries] == want).all()
    # the dock sets the same marks again at every refresh: nothing is painted anew
    paint.set_marks(furniture.name, blink_rows=[row], acked_rows=[other])
    stamps = [p.vtk_colors.GetMTime() for p in pieces]
    paint.paint(False, render=False)
    assert [p.vtk_colors.GetMTime() for p in pieces] == stamps
    scene.selection.select(furniture.name, [row, other])
    paint.paint(True, render=False)
    assert (pieces[-1].colors[entries] == HIGHLIGHT).all()
    scene.selection.clear()
    paint.clear()
    assert all(np.array_equal(p.colors, p.base_colors) for p in pieces)
