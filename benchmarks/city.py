"""The city-scale suite: load, frames, picks, highlight, table and memory of a district.

Its figures are registered here (see :mod:`benchmarks.figures`); :func:`worker` measures
them for one district in a fresh process.  Still frames are interleaved with the
floor's (one plain merged mesh in its own window, same camera path): real frame with
labels, the same view without labels, the floor's frame, then the next camera step,
so all three see the same machine state and ``frame_vs_floor`` is a per-step ratio.
"""

from __future__ import annotations

import gc

import numpy as np

from benchmarks.common import AZIMUTH, draw, machine_info, now, rss_mb, save_camera
from benchmarks.figures import Target, register, stats

SUITE = "city"


def _r(key, unit, text, target=None, docs=True):
    register(key, unit, text, suite=SUITE, target=target, docs=docs)


_r("objects", "", "objects in the district")
_r("cells", "", "triangles + segments drawn")
_r("load_s", "s", "open scene -> first frame", Target("<=", 2.0))
_r("read_s", "s", "read + to_scene")
_r("build_s", "s", "SceneView build")
_r("first_frame_s", "s", "first frame")
_r("frame_ms", "ms", "still frame, labels and view cones on")
_r("frame_no_labels_ms", "ms", "same frame, labels off")
_r("floor_frame_ms", "ms", "plain merged mesh, interleaved")
_r("frame_vs_floor", "x", "frame_ms / floor_frame_ms, per interleaved step",
   Target("<=", 1.1))
_r("labels_placed", "", "labels shown per still frame (decluttered)")
_r("label_candidates", "", "label candidates: all labelled rows")
_r("frame_moving_ms", "ms", "frame while the camera moves", Target("<=", 50.0))
_r("pick_ms", "ms", "click -> object, locators built", Target("<=", 2.0))
_r("pick_cold_ms", "ms", "first pick on a fresh view, builds locators")
_r("highlight_1_ms", "ms", "select 1 object, redraw apart", Target("<=", 10.0))
_r("highlight_5000_ms", "ms", "select 5,000 objects, redraw apart", Target("<=", 10.0))
_r("highlight_redraw_ms", "ms", "the redraw after the 5,000-object select")
_r("layer_toggle_ms", "ms", "hide/show the biggest layer, redraw apart", Target("<=", 5.0))
_r("recolour_all_ms", "ms", "repaint every colour entry of the biggest layer")
_r("table_sort_ms", "ms", "sort an N x 20 table", Target("<=", 50.0))
_r("table_filter_ms", "ms", "filter an N x 20 table", Target("<=", 50.0))
_r("rss_mb", "MiB", "resident memory after the first load", Target("<=", 600.0))
_r("empty_rss_mb", "MiB", "the same process with an empty scene (imports, EGL, one frame)")
_r("rss_after_frames_mb", "MiB", "resident memory after all frames (floor window closed, heap trimmed)")
_r("scan5m_load_s", "s", "5M-triangle PLY: read_mesh + SceneView")
_r("trimesh_raw_load_s", "s", "the same PLY: trimesh.load(process=False)")
_r("scan_vs_trimesh", "x", "scan5m_load_s / trimesh_raw_load_s, per pair", Target("<=", 1.2))
_r("naive_10k_build_s", "s", "10,000 actors (naive): add_mesh + first frame")
_r("naive_10k_frame_ms", "ms", "frame of the 10,000 naive actors")
_r("naive_pick_ms", "ms", "vtkCellPicker without locators over the floor mesh")

ROUNDS = 3  # rounds of interleaved still frames (each `frames` steps)


def _one(value) -> dict:
    return stats([value])


def _load(scene_file):
    """Open the scene up to its first complete frame; (stage seconds, scene, view)."""
    from benchmarks.common import plotter
    from twinviewer.io.loader import load, spec_for
    from twinviewer.render import SceneView

    t0 = now()
    scene = load(spec_for([scene_file])).to_scene()
    t1 = now()
    pl = plotter()
    view = SceneView(pl, scene)
    t2 = now()
    view.render()  # renders offscreen for real
    pl.render_window.WaitForCompletion()
    t3 = now()
    return {"read_s": t1 - t0, "build_s": t2 - t1, "first_frame_s": t3 - t2,
            "load_s": t3 - t0}, scene, view


def _close(view) -> None:
    pl = view.plotter
    view.close()
    pl.close()


def _no_redraw(view):
    """Make ``view.render`` a no-op (instance attribute); ``del view.render`` restores it."""
    view.render = lambda: None


def _step(pl) -> None:
    cam = pl.renderer.GetActiveCamera()
    cam.Azimuth(AZIMUTH)
    pl.renderer.ResetCameraClippingRange()  # as the interactor does


def interleaved_frames(view, floor_pl, frames: int, rounds: int) -> dict:
    """Still frames with labels, without labels and the floor's, step by step."""
    pl = view.plotter
    overlay = view.label_overlay.actor
    real, bare, flo, placed = [], [], [], []
    for _ in range(rounds):
        view.reset_view(render=False)
        floor_pl.renderer.GetActiveCamera().DeepCopy(pl.renderer.GetActiveCamera())
        draw(pl)
        draw(floor_pl)
        for _ in range(frames):
            _step(pl)
            real.append(draw(pl))
            placed.append(view.label_overlay.placed)
            overlay.VisibilityOff()
            pl.renderer.GetActiveCamera().Modified()
            bare.append(draw(pl))
            overlay.SetVisibility(bool(view._label_layers))
            _step(floor_pl)
            flo.append(draw(floor_pl))
    return {"frame_ms": stats(real, 1e3), "frame_no_labels_ms": stats(bare, 1e3),
            "floor_frame_ms": stats(flo, 1e3),
            "frame_vs_floor": stats(np.array(real) / np.array(flo)),
            "labels_placed": stats(placed)}


def moving_frames(view, frames: int, rounds: int) -> dict:
    pl = view.plotter
    out = []
    view.set_interacting(True)
    for _ in range(rounds):
        view.reset_view(render=False)
        draw(pl)
        for _ in range(frames):
            _step(pl)
            out.append(draw(pl))
    view.set_interacting(False)
    return {"frame_moving_ms": stats(out, 1e3)}


def worker(scene_file, repeat: int, frames: int, picks: int, seed: int,
           rounds: int = ROUNDS) -> dict:
    """All figures of one district (the scan and empty-process ones excepted)."""
    from benchmarks import baseline, tables

    rng = np.random.default_rng(seed)
    f: dict = {}
    d: dict = {}  # details: printed and saved, not figures
    import pyvista  # noqa: F401  imports outside the timed load

    import twinviewer.io.loader  # noqa: F401
    import twinviewer.render  # noqa: F401

    # load: `repeat` fresh plotters; the first pick on each fresh view is cold
    runs, cold, pixels = [], [], None
    view = scene = None
    for i in range(repeat):
        times, scene, view = _load(scene_file)
        runs.append(times)
        if i == 0:
            f["rss_mb"] = _one(rss_mb())
            d["machine"] = machine_info(view.plotter)
            pixels = baseline.pick_pixels(view, rng, picks)[:picks]
        t = now()
        view.pick(int(pixels[0][0]), int(pixels[0][1]))
        cold.append(now() - t)
        if i < repeat - 1:
            _close(view)
            del view, scene
            gc.collect()
    for key in runs[0]:
        f[key] = stats([x[key] for x in runs])
    f["pick_cold_ms"] = stats(cold, 1e3)
    f["objects"] = _one(sum(len(layer) for layer in scene.layers))
    f["cells"] = _one(sum(p.polydata.n_cells for ps in view.pieces.values() for p in ps))
    d["pieces"] = int(sum(len(ps) for ps in view.pieces.values()))
    f["label_candidates"] = _one(sum(lb.count for lb in view.labels.values()))
    pl = view.plotter

    # frames: the floor in its own window, same camera path, interleaved
    view.reset_view(render=False)
    cam = save_camera(pl)
    floor_pl, floor_mesh = baseline.floor_plotter(view, cam)
    d["floor_cells"] = int(floor_mesh.n_cells)
    try:
        f.update(interleaved_frames(view, floor_pl, frames, rounds))
        f.update(moving_frames(view, frames, rounds))
        floor_pl.renderer.GetActiveCamera().DeepCopy(cam)
        floor_pl.renderer.ResetCameraClippingRange()
        draw(floor_pl)
        naive_pick = baseline.naive_picks(floor_pl, pixels, max(5, min(10, picks)))
    finally:
        floor_pl.close()
        del floor_mesh
    f["naive_pick_ms"] = naive_pick.pop("naive_pick_ms")
    d.update(naive_pick)
    from twinviewer.render.scene_view import release_freed_memory

    release_freed_memory()  # what is still held, not what the floor's window freed
    f["rss_after_frames_mb"] = _one(rss_mb())
    view.reset_view(render=False)
    draw(pl)

    # picks (locators built; the cold pick above built them on its own view)
    t = now()
    view.build_locators()
    d["locator_build_s"] = now() - t
    times, hits = [], 0
    for x, y in pixels:
        t = now()
        hits += view.pick(int(x), int(y)) is not None
        times.append(now() - t)
    f["pick_ms"] = stats(times, 1e3)
    d["pick_hits"] = f"{hits}/{len(pixels)}"

    # highlight, toggle, recolour on the biggest layer; redraws excluded (render no-op)
    biggest = max(scene.layers, key=len)
    sel = scene.selection
    d["biggest_layer"] = f"{biggest.name} ({len(biggest):,} rows)"
    for k, key in ((1, "highlight_1_ms"), (5000, "highlight_5000_ms")):
        times, redraw = [], []
        for _ in range(max(10, 3 * repeat)):
            rows = rng.choice(len(biggest), size=min(k, len(biggest)), replace=False)
            _no_redraw(view)
            t = now()
            sel.select(biggest.name, rows)
            times.append(now() - t)
            del view.render
            redraw.append(draw(pl))
            _no_redraw(view)
            sel.clear()
            del view.render
            draw(pl)
        f[key] = stats(times, 1e3)
        if k == 5000:
            f["highlight_redraw_ms"] = stats(redraw, 1e3)
    toggles, redraw = [], []
    for _ in range(max(10, 3 * repeat)):
        for visible in (False, True):
            _no_redraw(view)
            t = now()
            biggest.set_visible(visible)
            toggles.append(now() - t)
            del view.render
            redraw.append(draw(pl))
    f["layer_toggle_ms"] = stats(toggles, 1e3)
    d["layer_toggle_redraw_ms"] = stats(redraw, 1e3)["median"]
    _no_redraw(view)
    sel.select(biggest.name, np.arange(len(biggest)))  # every entry gets the highlight
    times = []
    for _ in range(max(10, 3 * repeat)):
        for piece in view.pieces[biggest]:
            piece.painted = None  # forget what was painted: every piece is written again
        t = now()
        view._paint(biggest)  # no public recolour path: SceneView._paint, see docs
        times.append(now() - t)
    sel.clear()
    del view.render
    f["recolour_all_ms"] = stats(times, 1e3)
    d["recolour_entries"] = int(sum(len(p.colors) for p in view.pieces[biggest]))

    # the table: N rows x 20 columns, made from the biggest layer's columns
    tab = tables.measure(tables.wide_layer(biggest, int(f["objects"]["median"]), 20), repeat)
    f["table_sort_ms"] = tab.pop("table_sort_ms")
    f["table_filter_ms"] = tab.pop("table_filter_ms")
    d.update(tab)

    nv = baseline.naive(view, cam, frames, rng)
    f["naive_10k_build_s"] = _one(nv.pop("naive_10k_build_s"))
    f["naive_10k_frame_ms"] = nv.pop("naive_10k_frame_ms")
    d.update(nv)
    _close(view)
    return {"figures": f, "details": d}
