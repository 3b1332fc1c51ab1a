"""The orthophoto drawn where its pixels belong: rendered colours against rasterio's."""

from __future__ import annotations

import numpy as np
import pyvista as pv
import rasterio

from twinviewer.core.scene import View
from twinviewer.io.loader import open_scene
from twinviewer.render import SceneView, make_theme


def test_the_utm_orthophoto_lands_unmirrored_on_the_flat_ground(shared_data, artifacts):
    path = shared_data / "rasterio-testdata" / "RGB.byte.tif"
    scene = open_scene([path])
    scene.view = View((0.0, -1.0, 400_000.0), (0.0, 0.0, 0.0), (0.0, 1.0, 0.0))
    pl = pv.Plotter(off_screen=True, window_size=[700, 640], theme=make_theme())
    try:
        view = SceneView(pl, scene)
        assert view.settle_ground() > 0
        view.render()
        img = pl.screenshot(str(artifacts / "ground_rgb_byte_top.png"), return_img=True)
        with rasterio.open(path) as ds:
            ref = ds.read().astype(float)
            transform = ds.transform
        ox, oy = scene.origin[:2]
        got, want = [], []
        for r in range(40, ds.height - 40, 37):
            for c in range(40, ds.width - 40, 41):
                block = ref[:, r - 3:r + 4, c - 3:c + 4]
                if (block == 0).all(axis=0).any():
                    continue  # nodata nearby
                x, y = transform * (c + 0.5, r + 0.5)
                dx, dy = view.world_to_display((x - ox, y - oy, 0.0))
                px = img[img.shape[0] - 1 - int(round(dy)), int(round(dx)), :3].astype(float)
                got.append(px.mean())
                want.append(block.mean())
        assert len(got) > 100
        assert np.corrcoef(got, want)[0, 1] > 0.8  # the image, not its mirror
        view.close()
    finally:
        pl.close()
