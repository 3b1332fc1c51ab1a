"""The naive baseline: one VTK actor per object (``Plotter.add_mesh`` per building/instance).

Built for a random subset of objects (``min(objects, 2000)``) taken from the same
geometry the batched path draws; the figures for the whole district are extrapolated
from the subset (linear in the number of actors, fitted on two subset sizes).
"""

from __future__ import annotations

import numpy as np
import pyvista as pv
import vtk

from benchmarks.common import display_points, median, now, orbit_frames, render, wait
from twinviewer.render import make_theme


def object_geometry(view) -> list[tuple]:
    """Every object of the batched view as a ``(piece, row)`` handle."""
    handles = []
    for pieces in view.pieces.values():
        for piece in pieces:
            for row in np.unique(piece.rows):
                handles.append((piece, int(row)))
    return handles


def _cells_of(piece) -> dict:
    """row -> cell ids of a piece (computed once per piece)."""
    cache = getattr(piece, "_bench_cells", None)
    if cache is None:
        order = np.argsort(piece.rows, kind="stable")
        rows_sorted = piece.rows[order]
        uniq, starts = np.unique(rows_sorted, return_index=True)
        ends = np.append(starts[1:], len(order))
        cache = {int(r): order[s:e] for r, s, e in zip(uniq, starts, ends, strict=True)}
        piece._bench_cells = cache
    return cache


def object_mesh(piece, row: int) -> pv.PolyData:
    """A standalone PolyData for one object (what a per-object viewer would hold)."""
    cells = _cells_of(piece)[row]
    poly = piece.polydata
    pts = np.asarray(poly.points)
    if piece.kind == "lines":
        conn = np.asarray(poly.lines).reshape(-1, 3)[:, 1:][cells]
        used, inv = np.unique(conn.ravel(), return_inverse=True)
        seg = inv.reshape(-1, 2)
        lines = np.hstack([np.full((len(seg), 1), 2), seg]).ravel()
        return pv.PolyData(pts[used], lines=lines)
    tris = np.asarray(poly.regular_faces)[cells]
    used, inv = np.unique(tris.ravel(), return_inverse=True)
    return pv.PolyData.from_regular_faces(pts[used], inv.reshape(-1, 3))


def measure(view, n_actors: int, frames: int, picks: int, rng) -> dict:
    """Build ``n_actors`` per-object actors on a fresh plotter; time build, frames, picks."""
    handles = object_geometry(view)
    take = rng.choice(len(handles), size=min(n_actors, len(handles)), replace=False)
    cam = view.plotter.renderer.GetActiveCamera()
    plotter = pv.Plotter(off_screen=True, window_size=[1600, 1000], theme=make_theme())
    try:
        t0 = now()
        meshes = []
        for k in take:
            piece, row = handles[k]
            meshes.append((object_mesh(piece, row), piece.base_colors[_cells_of(piece)[row][0]]))
        t1 = now()
        for mesh, rgba in meshes:
            plotter.add_mesh(mesh, color=tuple(int(c) for c in rgba[:3]), lighting=True,
                             reset_camera=False)
        t2 = now()
        plotter.renderer.GetActiveCamera().DeepCopy(cam)
        plotter.renderer.ResetCameraClippingRange()
        render(plotter)
        wait(plotter)
        t3 = now()
        frame = orbit_frames(plotter, frames)
        plotter.renderer.GetActiveCamera().DeepCopy(cam)
        render(plotter)
        wait(plotter)
        centres = np.array([m.center for m, _ in meshes])
        pix = display_points(plotter, centres[rng.permutation(len(centres))[:picks]])
        picker = vtk.vtkCellPicker()  # what a plotter's default pick would do: all actors
        picker.SetTolerance(0.002)
        pick_times, hits = [], 0
        for x, y in pix:
            t = now()
            hits += bool(picker.Pick(int(x), int(y), 0, plotter.renderer))
            pick_times.append(now() - t)
    finally:
        plotter.close()
    n = len(take)
    return {
        "actors": n,
        "geometry_s": t1 - t0,
        "add_mesh_s": t2 - t1,
        "first_render_s": t3 - t2,
        "build_s": t3 - t0,
        "frame_ms": median(frame) * 1e3,
        "pick_ms": median(pick_times) * 1e3,
        "pick_hits": f"{hits}/{len(pix)}",
    }


def extrapolate(small: dict, big: dict, objects: int) -> dict:
    """Whole-district estimate, linear in actors through the two measured sizes."""
    out = {"extrapolated_to_objects": objects,
           "from_actors": [small["actors"], big["actors"]]}
    for key, scale in (("build_s", 1.0), ("frame_ms", 1.0), ("pick_ms", 1.0)):
        n1, n2 = small["actors"], big["actors"]
        y1, y2 = small[key] * scale, big[key] * scale
        if n2 > n1:
            slope = max((y2 - y1) / (n2 - n1), 0.0)
            value = y2 + slope * (objects - n2)
        else:
            value = y2 * objects / max(n2, 1)
        out[key] = float(value)
    return out
