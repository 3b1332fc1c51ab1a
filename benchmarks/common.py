"""Timing helpers, the offscreen plotter, memory and machine info."""

from __future__ import annotations

import os
import platform
import statistics
import time

import numpy as np

# Every suite renders offscreen through EGL, as the city driver does (a GLX window needs
# an X display, and a suite run without one must measure the same renderer)
os.environ.setdefault("VTK_DEFAULT_OPENGL_WINDOW", "vtkEGLRenderWindow")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

WINDOW = [1600, 1000]
AZIMUTH = 2.0  # degrees of camera change before each timed frame


def now() -> float:
    return time.perf_counter()


def median(values) -> float:
    values = list(values)
    return float(statistics.median(values)) if values else float("nan")


def ms(seconds) -> float:
    """Median of a list of seconds, in milliseconds."""
    return median(seconds) * 1e3


def plotter():
    """The offscreen plotter every figure uses: 1600 x 1000, the app's theme."""
    import pyvista as pv

    from twinviewer.render import make_theme

    return pv.Plotter(off_screen=True, window_size=list(WINDOW), theme=make_theme())


def draw(pl) -> float:
    """Render for real and wait until the GL pipeline has finished; seconds."""
    t = now()
    pl.render_window.Render()
    pl.render_window.WaitForCompletion()
    return now() - t


def orbit(pl, frames: int, degrees: float = AZIMUTH) -> list[float]:
    """Seconds per frame, each after a camera change (azimuth), GL finished."""
    cam = pl.renderer.GetActiveCamera()
    out = []
    for _ in range(frames):
        cam.Azimuth(degrees)
        pl.renderer.ResetCameraClippingRange()  # as the interactor does
        out.append(draw(pl))
    return out


def save_camera(pl):
    from twinviewer.render import vtk_api as vtk

    cam = vtk.vtkCamera()
    cam.DeepCopy(pl.renderer.GetActiveCamera())
    return cam


def display_points(pl, points: np.ndarray) -> np.ndarray:
    """Display coordinates (VTK, origin bottom left) of world points inside the window."""
    ren = pl.renderer
    w, h = pl.window_size
    out = []
    for p in points:
        ren.SetWorldPoint(*p, 1.0)
        ren.WorldToDisplay()
        x, y, _ = ren.GetDisplayPoint()
        if 1 <= x < w - 1 and 1 <= y < h - 1:
            out.append((int(x), int(y)))
    return np.array(out, dtype=int).reshape(-1, 2)


def rss_mb() -> float:
    """Resident memory of this process now (VmRSS), MiB."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:  # pragma: no cover - not Linux
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def machine_info(pl=None) -> dict:
    from twinviewer.render import vtk_api as vtk

    info = {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "vtk": vtk.vtkVersion.GetVTKVersion(),
        "opengl_window": os.environ.get("VTK_DEFAULT_OPENGL_WINDOW", ""),
        "window": list(WINDOW),
    }
    try:
        import pyvista

        info["pyvista"] = pyvista.__version__
    except Exception:  # pragma: no cover - informational only
        pass
    if pl is not None:
        try:
            caps = pl.render_window.ReportCapabilities() or ""
            for ln in caps.splitlines():
                key, _, value = ln.partition(":")
                key = key.strip().lower()
                if key in ("opengl renderer string", "opengl version string"):
                    info[key.replace(" ", "_")] = value.strip()
        except Exception as exc:  # pragma: no cover
            info["opengl"] = f"unavailable: {exc}"
    return info
