"""What a drawn tile costs: the budget counts its renderer copies; a selection repaints
the shown tiles at once and hidden ones when they are shown again; only shown tiles
are picked."""

import numpy as np
import pytest

from benchmarks.tiles import Village, _scene_file
from twinviewer.render.colors import HIGHLIGHT
from twinviewer.render.tiles import RENDER_COPIES


@pytest.fixture
def streamed(tmp_path):
    import pyvista as pv

    from twinviewer.io.loader import load, spec_for
    from twinviewer.render import SceneView, make_theme

    village = Village(tmp_path / "village", levels=3, quads=8, texels=8)
    village.write_tileset()
    scene = load(spec_for([_scene_file(village, 64.0)])).to_scene()
    pl = pv.Plotter(off_screen=True, window_size=[800, 500], theme=make_theme())
    view = SceneView(pl, scene)
    lt = next(iter(view.tiles.layers.values()))
    lt.streamer.get = village.get
    cam = pl.renderer.GetActiveCamera()
    cam.SetPosition(0.0, -900.0, 900.0)
    cam.SetFocalPoint(0.0, 0.0, 0.0)
    cam.SetViewUp(0, 0, 1)
    assert view.tiles.wait(60)
    yield scene, view, lt
    view.close()
    pl.close()


def test_the_budget_counts_a_drawn_tiles_renderer_copies(streamed):
    _, view, lt = streamed
    cache = lt.streamer.cache
    decoded = sum(t.data.nbytes for t, _ in lt.drawn.values())
    assert lt.drawn and decoded > 0
    # every built tile is charged its VTK/GL copies on top of its decoded arrays
    assert cache.resident == pytest.approx(decoded * RENDER_COPIES, rel=0.01)
    assert view.tiles.stats()["scan"]["resident_bytes"] == cache.resident
    tile = next(iter(lt.drawn.values()))[0]
    cache.drop(tile)  # what eviction does: its charge goes with it
    assert cache.resident == pytest.approx((decoded - tile.data.nbytes if tile.data else
                                            decoded) * RENDER_COPIES, rel=0.05) or \
        cache.resident < decoded * RENDER_COPIES


def test_selection_tints_shown_tiles_now_and_hidden_ones_when_shown(streamed):
    scene, view, lt = streamed
    shown = [ta for _, ta in lt.drawn.values() if ta.actors[0].GetVisibility()]
    hidden = [ta for _, ta in lt.drawn.values() if not ta.actors[0].GetVisibility()]
    assert shown and hidden  # the root and inner tiles stay resident, hidden
    rows = np.unique(np.concatenate([r[r >= 0] for ta in shown for r in ta.rows
                                     if r is not None]))
    assert len(rows)
    scene.selection.select("房屋", rows)
    lit = [np.all(c[r >= 0] == HIGHLIGHT) for ta in shown
           for r, c in zip(ta.rows, ta.colors, strict=True) if r is not None and (r >= 0).any()]
    assert lit and all(lit)
    assert all(ta.painted != lt.paint_generation for ta in hidden)  # left for later
    assert view.render_pending  # offscreen: the next frame drawn shows it
    view.render()
    assert not view.render_pending
    # hidden tiles are painted as soon as step() shows them: zoomed out so far that
    # the root alone is drawn
    root = lt.layer.root
    assert id(root) in lt.drawn
    ta = lt.drawn[id(root)][1]
    assert ta in hidden
    lt.layer.max_sse = 1e9
    view.tiles.step()
    assert ta.actors[0].GetVisibility() and ta.painted == lt.paint_generation
    for r, c in zip(ta.rows, ta.colors, strict=True):
        if r is not None:
            sel = np.isin(r, rows)
            assert np.all(c[sel] == HIGHLIGHT) and not np.any(np.all(c[~sel] == HIGHLIGHT,
                                                                      axis=1))


def test_only_shown_tiles_are_in_the_pick_list(streamed):
    _, view, lt = streamed
    picks = view._picker.GetPickList()
    listed = {id(picks.GetItemAsObject(i)) for i in range(picks.GetNumberOfItems())}
    for _, ta in lt.drawn.values():
        for actor, loc in zip(ta.actors, ta.locators, strict=True):
            assert (id(actor) in listed) == bool(actor.GetVisibility())
            if actor.GetVisibility():
                assert loc is not None  # a pick tests a few cells, not every triangle


def test_a_selection_repaints_only_the_tiles_holding_a_changed_row(streamed):
    scene, view, lt = streamed
    shown = [ta for _, ta in lt.drawn.values() if ta.actors[0].GetVisibility()]
    row = int(next(ta.row_set for ta in shown if ta.row_set is not None and len(ta.row_set))[0])
    other = next(int(r) for ta in reversed(shown) if ta.row_set is not None
                 for r in ta.row_set if int(r) != row)
    scene.selection.select("房屋", [other])
    changed = {other, row}  # the tiles of both are painted: one un-lit, one lit
    stamps = {id(ta): [a.GetMTime() for a in ta.vtk_colors] for ta in shown}
    scene.selection.select("房屋", [row])
    touched = {id(ta) for ta in shown
               if [a.GetMTime() for a in ta.vtk_colors] != stamps[id(ta)]}
    holders = {id(ta) for ta in shown if ta.row_set is not None and
               np.isin(ta.row_set, list(changed)).any()}
    assert touched == holders and len(holders) < len(shown)
    for ta in shown:  # and every shown tile's colours are what a full repaint gives
        for r, c in zip(ta.rows, ta.colors, strict=True):
            if r is not None:
                assert np.array_equal(np.all(c == HIGHLIGHT, axis=1), r == row)
