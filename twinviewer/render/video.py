"""Video of a walkthrough path: offscreen frames at the path's exact timing, captions
burned in, H.264 MP4 through imageio-ffmpeg (its wheel carries the ffmpeg binary).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyvista as pv
from PIL import Image, ImageDraw, ImageFont

from twinviewer.core.camera_path import WalkPath, apply_layers
from twinviewer.core.scene import Scene
from twinviewer.render import vtk_api as vtk
from twinviewer.render.fonts import cjk_font_file
from twinviewer.render.scene_view import SceneView, make_theme

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


class Cancelled(Exception):
    """The user cancelled a video export."""


@functools.lru_cache(maxsize=8)
def caption_font(size: int) -> ImageFont.ImageFont:
    """The caption font at ``size`` pixels (PIL's built-in font when no CJK font exists)."""
    path = cjk_font_file()
    if path is not None:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            log.warning("cannot read font %s", path)
    log.warning("no font with Chinese glyphs found: captions use PIL's default font")
    return ImageFont.load_default()


def burn_caption(image: np.ndarray, text: str, *, progress: float | None = None) -> np.ndarray:
    """Draw ``text`` in a dark band at the bottom of ``image`` (h, w, 3 uint8), and a
    thin progress strip (``progress`` in [0, 1]) along the bottom edge."""
    if not text and progress is None:
        return image
    h, w = image.shape[:2]
    pil = Image.fromarray(image).convert("RGBA")
    overlay = Image.new("RGBA", pil.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    if text:
        font = caption_font(max(int(h * 0.045), 10))
        box = draw.textbbox((0, 0), text, font=font)
        tw, th = box[2] - box[0], box[3] - box[1]
        pad = max(int(h * 0.02), 4)
        y = h - th - 4 * pad
        draw.rectangle((0, y - pad, w, y + th + 2 * pad), fill=(20, 24, 32, 170))
        draw.text(((w - tw) / 2 - box[0], y + pad / 2 - box[1]), text, font=font,
                  fill=(255, 255, 255, 255))
    if progress is not None:
        bar = max(h // 180, 2)
        draw.rectangle((0, h - bar, int(w * min(max(progress, 0.0), 1.0)), h),
                       fill=(242, 140, 40, 230))
    return np.asarray(Image.alpha_composite(pil, overlay).convert("RGB"))


def mp4_writer(out: Path, size: tuple[int, int], fps: float, quality: float = 7.0):
    """An H.264 MP4 writer (imageio-ffmpeg's generator, primed): ``send`` RGB frames."""
    import imageio_ffmpeg

    writer = imageio_ffmpeg.write_frames(
        str(out), size, fps=fps, codec="libx264", pix_fmt_out="yuv420p",
        quality=quality, macro_block_size=1, ffmpeg_log_level="error",
        output_params=["-movflags", "+faststart", "-preset", "veryfast"])
    writer.send(None)
    return writer


def frame_grabber(plotter) -> vtk.vtkWindowToImageFilter:
    """Reads the back buffer of ``plotter``'s render window (see :func:`grab_frame`)."""
    grab = vtk.vtkWindowToImageFilter()
    grab.SetInput(plotter.render_window)
    grab.SetInputBufferTypeToRGB()
    grab.ReadFrontBufferOff()
    return grab


def grab_frame(plotter, grab: vtk.vtkWindowToImageFilter, size: tuple[int, int]) -> np.ndarray:
    """Render once and return the picture as ``(h, w, 3)`` uint8, top row first."""
    w, h = size
    plotter.render_window.Render()
    grab.Modified()
    grab.Update()
    img = grab.GetOutput()
    frame = pv.convert_array(img.GetPointData().GetScalars()).reshape(h, w, -1)[::-1]
    return np.ascontiguousarray(frame[:, :, :3])


def render_path_video(scene: Scene, path: WalkPath, out: str | Path, *,
                      size: tuple[int, int] = (1920, 1080), fps: float = 30,
                      captions: bool = True, progress: Progress | None = None,
                      should_cancel: Callable[[], bool] | None = None,
                      quality: float = 7.0, max_frames: int | None = None) -> int:
    """Render ``path`` frame by frame offscreen and write an H.264 MP4.

    Frame ``k`` shows the camera at ``k / fps`` seconds; there are
    ``path.frame_count(fps)`` frames.  Layer visibility follows each keyframe and
    is restored afterwards.

    Parameters
    ----------
    size : (int, int), default: (1920, 1080)
        Width and height in pixels, both even (H.264 4:2:0).
    progress : callable(done, total), optional
        Called after every frame.
    max_frames : int, optional
        Stop after this many frames (benchmarks, previews).
    should_cancel : callable() -> bool, optional
        Polled before every frame; ``True`` stops, deletes the partial file and
        raises :class:`Cancelled`.

    Returns
    -------
    int
        The number of frames written.

    Examples
    --------
    >>> render_path_video(scene, scene.paths[0], "tour.mp4", size=(1280, 720))  # doctest: +SKIP
    """
    w, h = (int(v) for v in size)
    if w % 2 or h % 2:
        raise ValueError(f"video size {w}x{h}: width and height must be even")
    if not path.keyframes:
        raise ValueError(f"path {path.name!r} has no keyframes")
    out = Path(out)
    total = path.frame_count(fps)
    if max_frames is not None:
        total = min(total, max_frames)
    visible = {layer: layer.visible for layer in scene.layers}
    plotter = pv.Plotter(off_screen=True, window_size=[w, h], theme=make_theme())
    writer = None
    done = 0
    try:
        view = SceneView(plotter, scene)
        grab = frame_grabber(plotter)
        writer = mp4_writer(out, (w, h), fps, quality)
        current = -1
        for k in range(total):
            if should_cancel is not None and should_cancel():
                raise Cancelled()
            t = k / fps
            i = path.keyframe_at(t)
            if i != current:
                current = i
                apply_layers(scene, path.keyframes[i])
            view.set_view(path.pose(t), render=False)
            if view.tiles.active:  # streamed tiles: each frame complete before it is kept
                view.tiles.wait(30.0)
            view.settle_ground(timeout=30.0)  # every frame complete: no tiles popping in
            frame = grab_frame(plotter, grab, (w, h))
            if captions:
                # a keyframe's caption stays until the next keyframe is reached
                frame = burn_caption(frame, path.keyframes[i].caption)
            writer.send(np.ascontiguousarray(frame))
            done += 1
            if progress is not None:
                progress(done, total)
        writer.close()
        writer = None
        view.close()
    except BaseException:
        if writer is not None:
            writer.close()
        out.unlink(missing_ok=True)
        raise
    finally:
        plotter.close()
        for layer, was in visible.items():
            layer.set_visible(was)
    return done
