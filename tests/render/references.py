"""Image references of what users see: the demo district at 400x400, multisampling off.

Four states: the base view, a highlight (a selection), a categorized style and
labels.  Each is rendered offscreen exactly as the window draws it (the same
``SceneView`` and theme as :func:`twinviewer.render.render_image`) and compared
with a stored PNG with a tolerance, the way pyvista's ``compare_images`` and
pytest-pyvista compare images: small differences of rasterisation between
machines pass, a changed colour, a missing layer or a moved camera do not.

Regenerate the references after an intended change of the picture with::

    PYTHONPATH=$PWD xvfb-run -a -s "-screen 0 1920x1080x24" \\
        .venv/bin/python -m tests.render.make_references

and look at the PNGs in ``tests/render/references/`` before committing them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
DEMO_SCENE = ROOT / "scenes" / "demo" / "scene.toml"
REFERENCES = Path(__file__).resolve().parent / "references"
SIZE = (400, 400)
ERROR_LIMIT = 200.0
"""pyvista ``compare_images`` error above which an image differs (pytest-pyvista's
default is 500; these renders repeat exactly on one machine, so the limit is
tighter, and every state differs from the base view by more)."""

BUILDINGS = "建筑"
PALETTE = ("#e0393e", "#2fa84f", "#3b7dd8", "#f2a93b", "#8a5cc2", "#1fb5b0", "#8a8f98")


def _highlight(scene) -> None:
    layer = scene.layer(BUILDINGS)
    scene.selection.select(layer.name, np.arange(0, len(layer), 3))


def _categorized(scene) -> None:
    layer = scene.layer(BUILDINGS)
    classes = sorted(layer.classes())
    categories = {c: PALETTE[i % len(PALETTE)] for i, c in enumerate(classes)}
    layer.set_style({"color": "#d9d4c7", "by": layer.class_field, "categories": categories})


def _labels(scene) -> None:
    layer = scene.layer(BUILDINGS)
    layer.set_style({**layer.style, "label": layer.class_field, "label_size": 12})


# state -> (change before the view is built (styles), change the view follows (selection))
STATES: dict[str, tuple[Callable | None, Callable | None]] = {
    "base": (None, None),
    "highlight": (None, _highlight),
    "categorized": (_categorized, None),
    "labels": (_labels, None),
}


def render_state(name: str) -> np.ndarray:
    """The demo in state ``name``, rendered offscreen at :data:`SIZE` (RGB array)."""
    import pyvista as pv

    from twinviewer.core.layer import LineBatch
    from twinviewer.io.loader import open_scene
    from twinviewer.render.scene_view import SceneView, make_theme

    scene = open_scene([DEMO_SCENE])
    for layer in scene.layers:  # lines lie on the ground: their depth ties flicker
        if layer.batches and all(isinstance(b, LineBatch) for b in layer.batches):
            layer.visible = False
    styled, followed = STATES[name]
    if styled is not None:
        styled(scene)
    plotter = pv.Plotter(off_screen=True, window_size=list(SIZE), theme=make_theme())
    try:
        plotter.ren_win.SetMultiSamples(0)
        view = SceneView(plotter, scene)
        if followed is not None:
            followed(scene)
        view.settle_ground()  # every ground tile in: the picture does not depend on timing
        view.render()
        image = plotter.screenshot(None, return_img=True)
        view.close()
    finally:
        plotter.close()
    return np.asarray(image)[:, :, :3]


def reference_path(name: str) -> Path:
    return REFERENCES / f"demo_{name}.png"
