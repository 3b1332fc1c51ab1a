"""The comparisons: the floor (one plain merged mesh) and the naive per-object viewer.

* floor: every piece's PolyData merged into ONE PolyData (``pv.merge``), one actor,
  scalars off, one fixed colour, same window, camera, background and ground plane.
* naive: one ``Plotter.add_mesh`` actor per object for 10,000 objects (measured, not
  extrapolated) and a brute-force ``vtkCellPicker`` without locators.
"""

from __future__ import annotations

import numpy as np
import pyvista as pv

from benchmarks.common import display_points, draw, now, orbit, plotter
from benchmarks.figures import stats
from twinviewer.render import vtk_api as vtk

NAIVE_OBJECTS = 10_000


def _copy_look(view, pl, cam) -> None:
    """Background, light and camera of ``view`` on the plotter ``pl``."""
    from twinviewer.render.scene_view import apply_look

    apply_look(pl)
    ren = pl.renderer
    ren.GetActiveCamera().DeepCopy(cam)
    ren.ResetCameraClippingRange()


def merged(view) -> pv.PolyData:
    """All drawn triangles and segments of the view (and its ground plane) as one PolyData."""
    polys = [p.polydata for pieces in view.pieces.values() for p in pieces]
    if view._ground is not None:
        polys.append(pv.wrap(view._ground.GetMapper().GetInput()))
    out = pv.merge(polys, merge_points=False)
    out.clear_data()
    return out


def floor_plotter(view, cam):
    """The floor: the merged mesh of ``view`` in its own window, same look and camera.

    Returns ``(plotter, mesh)``; the caller closes the plotter.  Its frames are
    timed interleaved with the view's (see :func:`benchmarks.city.interleaved_frames`).
    """
    mesh = merged(view)
    pl = plotter()
    mapper = vtk.vtkPolyDataMapper()
    mapper.SetInputData(mesh)
    mapper.ScalarVisibilityOff()
    actor = vtk.vtkActor()
    actor.SetMapper(mapper)
    prop = actor.GetProperty()
    prop.SetColor(0.8, 0.78, 0.74)
    prop.SetInterpolationToFlat()
    prop.SetAmbient(0.35)
    prop.SetDiffuse(0.7)
    prop.SetLineWidth(2.0)
    pl.renderer.AddActor(actor)
    _copy_look(view, pl, cam)
    draw(pl)
    return pl, mesh


def naive_picks(floor_pl, pixels: np.ndarray, picks: int) -> dict:
    """Brute-force picks over the floor's mesh (no locator)."""
    picker = vtk.vtkCellPicker()  # no locator: every cell of the actor is tested
    picker.SetTolerance(0.002)
    times, hits = [], 0
    for x, y in pixels[:picks]:
        t = now()
        hits += bool(picker.Pick(int(x), int(y), 0, floor_pl.renderer))
        times.append(now() - t)
    return {"naive_pick_ms": stats(times, 1e3), "naive_pick_hits": f"{hits}/{len(times)}"}


def _cells_by_row(piece) -> dict:
    order = np.argsort(piece.rows, kind="stable")
    rows_sorted = piece.rows[order]
    uniq, starts = np.unique(rows_sorted, return_index=True)
    ends = np.append(starts[1:], len(order))
    return {int(r): order[s:e] for r, s, e in zip(uniq, starts, ends, strict=True)}


def object_meshes(view, n: int, rng) -> list[tuple[pv.PolyData, tuple]]:
    """``n`` random objects cut out of the batches: (own PolyData, rgb)."""
    handles = []
    for pieces in view.pieces.values():
        for piece in pieces:
            handles.extend((piece, r) for r in np.unique(piece.rows).tolist())
    take = rng.choice(len(handles), size=min(n, len(handles)), replace=False)
    cache: dict = {}
    out = []
    for k in take:
        piece, row = handles[k]
        if id(piece) not in cache:
            cache[id(piece)] = _cells_by_row(piece)
        cells = cache[id(piece)][row]
        pts = np.asarray(piece.polydata.points)
        if piece.kind == "lines":
            conn = np.asarray(piece.polydata.lines).reshape(-1, 3)[:, 1:][cells]
            used, inv = np.unique(conn.ravel(), return_inverse=True)
            seg = inv.reshape(-1, 2)
            mesh = pv.PolyData(pts[used], lines=np.hstack([np.full((len(seg), 1), 2), seg]))
        else:
            tris = np.asarray(piece.polydata.regular_faces)[cells]
            used, inv = np.unique(tris.ravel(), return_inverse=True)
            mesh = pv.PolyData.from_regular_faces(pts[used], inv.reshape(-1, 3))
        if len(piece.colors) == len(piece.rows):
            rgba = piece.base_colors[cells[0]]
        else:  # per-vertex colours
            rgba = piece.base_colors[np.asarray(piece.polydata.regular_faces)[cells[0], 0]]
        out.append((mesh, tuple(int(c) for c in rgba[:3])))
    return out


def naive(view, cam, frames: int, rng) -> dict:
    """One actor per object for min(10,000, all) objects: build and frame time."""
    meshes = object_meshes(view, NAIVE_OBJECTS, rng)
    pl = plotter()
    try:
        _copy_look(view, pl, cam)
        t = now()
        for mesh, rgb in meshes:
            pl.add_mesh(mesh, color=rgb, reset_camera=False)
        pl.renderer.ResetCameraClippingRange()
        draw(pl)
        build = now() - t
        frame = orbit(pl, frames)
    finally:
        pl.close()
    return {"naive_10k_build_s": build, "naive_10k_frame_ms": stats(frame, 1e3),
            "naive_objects": len(meshes)}


def pick_pixels(view, rng, want: int) -> np.ndarray:
    """Pixels where objects are drawn: projected centres of random objects, all layers."""
    centres = []
    for layer in view.scene.layers:
        c = layer.object_centers()
        c = c[np.all(np.isfinite(c), axis=1)]
        if len(c):
            centres.append(c[rng.permutation(len(c))[: want * 2]])
    allc = np.concatenate(centres)
    allc = allc[rng.permutation(len(allc))]
    return display_points(view.plotter, allc)[: want * 2]
