"""VTK rendering of a scene: batches per layer, colours, highlight, picking, images.

Never imports Qt: the same code draws the window and ``twinviewer render``.
"""

from twinviewer.render.scene_view import SceneView, make_theme, render_image

__all__ = ["SceneView", "make_theme", "render_image"]
