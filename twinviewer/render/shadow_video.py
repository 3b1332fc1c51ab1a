"""Shadow animation over a day as an MP4: one offscreen frame per sun position.

The shadows are the ground polygons :mod:`twinviewer.analysis.shadows` computes
(the renderer's one headlight casts none), draped over the ground as a dark
translucent layer that exists only in this offscreen view: the scene, its layer
panel and the window's own view never see it.  Each frame carries the Chinese
date and true-solar-time caption burned in with the CJK font, and a progress strip.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pyvista as pv

from twinviewer.analysis.ground import GroundZ
from twinviewer.analysis.layers import polygon_layer
from twinviewer.analysis.shadows import ShadowFrame, caption, term_of
from twinviewer.core.scene import Scene, View
from twinviewer.i18n import translate
from twinviewer.render.scene_view import SceneView, make_theme
from twinviewer.render.video import (
    Cancelled,
    burn_caption,
    frame_grabber,
    grab_frame,
    mp4_writer,
)

log = logging.getLogger(__name__)

SHADE = "#1b2333"       # the shadow layer's colour
SHADE_OPACITY = 0.55


def shadow_layer(frame: ShadowFrame, *, ground_z: GroundZ | None = None):
    """The shadows of one frame as a draped analysis layer (one row)."""
    layer = polygon_layer(translate("AnalysisLayer", "Shadows"), np.array([frame.shadow],
                                                                          dtype=object),
                          {"时间": [frame.time.isoformat()]}, color=SHADE, ground_z=ground_z)
    layer.opacity = SHADE_OPACITY
    return layer


def render_shadow_video(scene: Scene, frames: Sequence[ShadowFrame], out: str | Path, *,
                        day: dt.date, size: tuple[int, int] = (1280, 720), fps: float = 4.0,
                        view: View | None = None, captions: bool = True,
                        ground_z: GroundZ | None = None,
                        progress: Callable[[int, int], None] | None = None,
                        should_cancel: Callable[[], bool] | None = None,
                        quality: float = 7.0) -> int:
    """Render one frame per entry of ``frames`` and write an H.264 MP4; the frames written.

    ``view``: the camera (default: the whole scene, as the window first shows it).
    ``should_cancel()`` is polled before each frame; ``True`` deletes the partial file
    and raises :class:`~twinviewer.render.video.Cancelled`.
    """
    w, h = (int(v) for v in size)
    if w % 2 or h % 2:
        raise ValueError(f"video size {w}x{h}: width and height must be even")
    if not frames:
        raise ValueError(translate("AnalysisError", "the time window is empty"))
    out = Path(out)
    term = term_of(day)
    plotter = pv.Plotter(off_screen=True, window_size=[w, h], theme=make_theme())
    writer = None
    done = 0
    try:
        sv = SceneView(plotter, scene)
        if view is not None:
            sv.set_view(view, render=False)
        grab = frame_grabber(plotter)
        writer = mp4_writer(out, (w, h), fps, quality)
        for k, frame in enumerate(frames):
            if should_cancel is not None and should_cancel():
                raise Cancelled()
            layer = shadow_layer(frame, ground_z=ground_z)
            sv.add_layer(layer, render=False)
            if sv.tiles.active:
                sv.tiles.wait(30.0)
            sv.settle_ground(timeout=30.0)
            image = grab_frame(plotter, grab, (w, h))
            sv.remove_layer(layer)
            if captions:
                image = burn_caption(image, caption(day, frame, term),
                                     progress=(k + 1) / len(frames))
            writer.send(np.ascontiguousarray(image))
            done += 1
            if progress is not None:
                progress(done, len(frames))
        writer.close()
        writer = None
        sv.close()
    except BaseException:
        if writer is not None:
            writer.close()
        out.unlink(missing_ok=True)
        raise
    finally:
        plotter.close()
    return done


def export_shadow_video(scene: Scene, request, out: str | Path, **kw) -> int:
    """Shadows of ``scene`` over ``request``'s window (a ShadowRequest) as an MP4:
    :func:`~twinviewer.analysis.shadows.scene_shadows` then :func:`render_shadow_video`
    (keyword arguments pass on).  The CLI and the window's sunlight tool both call it."""
    from twinviewer.analysis.shadows import scene_shadows

    frames, ground_z = scene_shadows(scene, request)
    return render_shadow_video(scene, frames, out, day=request.day, ground_z=ground_z, **kw)
