"""Timing helpers and machine info."""

from __future__ import annotations

import os
import platform
import statistics
import time

import numpy as np


def now() -> float:
    return time.perf_counter()


def median(values) -> float:
    return float(statistics.median(values)) if len(values) else float("nan")


def wait(plotter) -> None:
    """Block until the GL pipeline has finished the frame."""
    plotter.render_window.WaitForCompletion()


def render(plotter) -> None:
    """Render for real: ``Plotter.render()`` is a no-op before ``show()`` off screen."""
    plotter.render_window.Render()


def render_timed(plotter) -> float:
    t = now()
    render(plotter)
    wait(plotter)
    return now() - t


def orbit_frames(plotter, frames: int, degrees: float = 3.0) -> list[float]:
    """Seconds per frame after a camera change (azimuth), GL finished."""
    cam = plotter.renderer.GetActiveCamera()
    out = []
    for _ in range(frames):
        cam.Azimuth(degrees)
        plotter.renderer.ResetCameraClippingRange()  # as the interactor does
        out.append(render_timed(plotter))
    return out


def display_points(plotter, points: np.ndarray) -> np.ndarray:
    """Display coordinates (VTK, origin bottom left) of world points inside the window."""
    ren = plotter.renderer
    w, h = plotter.window_size
    out = []
    for p in points:
        ren.SetWorldPoint(*p, 1.0)
        ren.WorldToDisplay()
        x, y, _ = ren.GetDisplayPoint()
        if 0 <= x < w and 0 <= y < h:
            out.append((int(x), int(y)))
    return np.array(out, dtype=int).reshape(-1, 2)


def machine_info(plotter=None) -> dict:
    import vtk

    info = {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "vtk": vtk.vtkVersion.GetVTKVersion(),
        "opengl_window": os.environ.get("VTK_DEFAULT_OPENGL_WINDOW", ""),
    }
    try:
        import pyvista

        info["pyvista"] = pyvista.__version__
    except Exception:  # pragma: no cover - informational only
        pass
    if plotter is not None:
        try:
            caps = plotter.render_window.ReportCapabilities() or ""
            lines = [ln.strip() for ln in caps.splitlines() if ln.strip()]
            info["opengl"] = lines[:4]
            for ln in lines:
                if "renderer string" in ln.lower():
                    info["opengl_renderer"] = ln.split(":", 1)[-1].strip()
                    break
        except Exception as exc:  # pragma: no cover
            info["opengl"] = [f"unavailable: {exc}"]
    return info
