"""``video_1080p_fps``: walkthrough frames rendered and encoded per second at 1080p.

    python -m benchmarks.video --objects 6000,100000 [--frames 90] [--json out.json]

For each N a district is generated (it ships the demo walkthrough), loaded, and the
first ``--frames`` frames of its path are rendered offscreen at 1920 x 1080 and
encoded to H.264 MP4 exactly as ``twinviewer video`` does; the figure is frames
divided by wall time (plotter setup included, scene load excluded).
``render_only_fps`` is the same loop without captions and encoding.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

if not os.environ.get("DISPLAY"):
    os.environ.setdefault("VTK_DEFAULT_OPENGL_WINDOW", "vtkEGLRenderWindow")

SIZE = (1920, 1080)
FPS = 30


def measure(objects: int, frames: int, folder: Path) -> dict:
    import numpy as np
    import pyvista as pv

    from twinviewer.demo.generator import generate_district
    from twinviewer.io.loader import open_scene
    from twinviewer.render import SceneView, make_theme
    from twinviewer.render.video import render_path_video

    out = folder / f"district-{objects}"
    scene_file = out / "scene.toml"
    if not scene_file.exists():
        generate_district(out, objects=objects)
    scene = open_scene([scene_file])
    path = scene.paths[0]
    frames = min(frames, path.frame_count(FPS))
    t = time.perf_counter()
    n = render_path_video(scene, path, folder / f"tour-{objects}.mp4", size=SIZE, fps=FPS,
                          max_frames=frames)
    total = time.perf_counter() - t
    # the same camera moves without captions and encoding
    plotter = pv.Plotter(off_screen=True, window_size=list(SIZE), theme=make_theme())
    view = SceneView(plotter, scene)
    t = time.perf_counter()
    for k in range(frames):
        view.set_view(path.pose(k / FPS), render=False)
        plotter.render_window.Render()
        np.asarray(plotter.screenshot(return_img=True))
    render_only = time.perf_counter() - t
    view.close()
    plotter.close()
    return {"objects": scene.object_count(), "frames": n,
            "video_1080p_fps": round(n / total, 2),
            "render_only_fps": round(frames / render_only, 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.video", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--objects", default="6000,100000", help="comma-separated N")
    parser.add_argument("--frames", type=int, default=90, help="frames per N (default 90)")
    parser.add_argument("--json", default=None, help="write the figures to this file")
    args = parser.parse_args(argv)
    folder = Path(tempfile.gettempdir()) / "twinviewer-bench"
    folder.mkdir(exist_ok=True)
    results = {}
    for n in (int(v) for v in args.objects.split(",")):
        results[str(n)] = r = measure(n, args.frames, folder)
        print(f"{r['objects']:>8,} objects: video_1080p_fps {r['video_1080p_fps']:.2f}  "
              f"(render only {r['render_only_fps']:.2f} fps, {r['frames']} frames)",
              flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
