"""Tile selection by screen-space error, on a synthetic quadtree with known answers."""

import math

import numpy as np

from twinviewer.tiles.select import View, select
from twinviewer.tiles.tile import ADD, Bounds, Tile, TileState


def quadtree(size=1024.0, depth=4, error=64.0, refine="REPLACE"):
    """A flat quadtree over [0, size]^2; the geometric error halves per level."""
    def make(level, x0, y0, s, key):
        t = Tile(key, level, error / 2 ** level,
                 Bounds(np.array([x0, y0, 0.0]), np.array([x0 + s, y0 + s, 10.0])),
                 refine=refine, content=key)
        if level < depth:
            h = s / 2
            t.children = None
            t.expander = lambda _t: [make(level + 1, x0 + i * h, y0 + j * h, h, f"{key}/{i}{j}")
                                     for i in (0, 1) for j in (0, 1)]
        return t
    return make(0, 0.0, 0.0, size, "r")


def load_all(root):
    for t in root.walk():
        t.state = TileState.LOADED


def overhead(x, y, z, **kw):
    return View((x, y, z), (x, y + 1e-3, 0.0), up=(0.0, 1.0, 0.0), **kw)


def test_sse_formula_matches_the_definition():
    t = Tile("t", 0, 10.0, Bounds(np.zeros(3), np.zeros(3)), content="x")
    v = View((0.0, -100.0, 0.0), (0.0, 0.0, 0.0), fov_y=60.0, height=1000)
    assert math.isclose(v.sse(t), 10.0 * 1000 / (100.0 * 2 * math.tan(math.radians(30))))


def test_refines_near_the_camera_and_stays_coarse_far_away():
    root = quadtree()
    for _ in range(6):  # load what is asked for, as the fetcher would, until it settles
        sel = select(root, View((10.0, 10.0, 30.0), (500.0, 500.0, 0.0)), max_sse=16)
        for t in sel.fetch:
            t.state = TileState.LOADED
    sel = select(root, View((10.0, 10.0, 30.0), (500.0, 500.0, 0.0)), max_sse=16)
    levels = {t.key: t.level for t in sel.draw}
    near = [lvl for k, lvl in levels.items() if k.startswith("r/00/00")]
    far = [lvl for k, lvl in levels.items() if k.startswith("r/11/11")]
    assert near and max(near) == 4
    assert far and max(far) < 4
    assert sel.deepest == 4 and not sel.fetch


def test_replace_keeps_the_parent_until_all_children_are_ready():
    root = quadtree(depth=1)
    root.state = TileState.LOADED
    view = overhead(512.0, 512.0, 200.0, fov_y=90.0)
    sel = select(root, view, max_sse=1)
    assert [t.key for t in sel.draw] == ["r"]
    assert sorted(t.key for t in sel.fetch) == ["r/00", "r/01", "r/10", "r/11"]
    for kid in root.children[:3]:
        kid.state = TileState.LOADED
    assert [t.key for t in select(root, view, max_sse=1).draw] == ["r"]  # one missing
    root.children[3].state = TileState.FAILED  # a missing child: the parent stays drawn
    assert [t.key for t in select(root, view, max_sse=1).draw] == ["r"]
    root.children[3].state = TileState.LOADED
    assert sorted(t.key for t in select(root, view, max_sse=1).draw) == [
        "r/00", "r/01", "r/10", "r/11"]


def test_add_draws_parent_and_children():
    root = quadtree(depth=1, refine=ADD)
    root.expand()
    load_all(root)
    sel = select(root, overhead(512.0, 512.0, 200.0, fov_y=90.0), max_sse=1)
    assert sorted(t.key for t in sel.draw) == ["r", "r/00", "r/01", "r/10", "r/11"]


def test_tiles_outside_the_frustum_are_neither_drawn_nor_fetched():
    root = quadtree(depth=1)
    root.state = TileState.LOADED
    root.expand()
    load_all(root)
    # low over the corner (0, 0) looking away from the tree: only that corner's quadrant
    view = View((100.0, 100.0, 50.0), (-100.0, -100.0, 0.0), fov_y=40.0)
    sel = select(root, view, max_sse=0.5)
    assert [t.key for t in sel.draw] == ["r/00"]
    behind = View((-5000.0, -5000.0, 10.0), (-9000.0, -9000.0, 0.0))
    sel = select(root, behind, max_sse=0.5)
    assert sel.draw == [] and sel.fetch == []


def test_unknown_children_are_made_only_where_refined():
    root = quadtree(depth=8)
    select(root, overhead(512.0, 512.0, 1e6), max_sse=16)  # far: no refinement
    assert root.children is None
    made = sum(1 for _ in root.walk())
    assert made == 1
