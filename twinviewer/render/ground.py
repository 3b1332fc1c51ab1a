"""GroundView: the terrain and imagery tiles as VTK actors, a few built per turn.

The tiles come from :mod:`twinviewer.ground` (no VTK there): every :meth:`tick` runs
the shared traversal (:func:`twinviewer.tiles.select.select`) for the current camera,
starts loading what it asks for in the worker pool, turns at most ``per_tick`` loaded
tiles into actors and shows exactly the tiles the traversal draws. Imagery layers are
composited into one texture per tile in layer order with their opacity and visibility,
so hiding an orthophoto or changing its opacity re-blends textures (a numpy pass per
tile) without reading anything again. Hiding the DEM drapes the imagery on the flat
ground (z = 0), as a scene without a DEM has it: the tiles are made again over the
imagery alone, and showing the DEM drapes them back on the terrain.
"""

from __future__ import annotations

import logging
import time

import numpy as np
import pyvista as pv

from twinviewer.ground import GroundLoader, GroundPyramid, composite
from twinviewer.ground.pyramid import TEXTURE
from twinviewer.render import vtk_api as vtk
from twinviewer.render.vtk_api import numpy_to_vtk
from twinviewer.tiles.select import View, select
from twinviewer.tiles.tile import Tile

log = logging.getLogger(__name__)

GROUND_BASE = "#d9dcd3"  # the ground's colour where no imagery covers it
MAX_SSE = 16.0


def camera_view(renderer) -> View:
    """The renderer's camera as the traversal's plain numbers."""
    cam = renderer.GetActiveCamera()
    w, h = renderer.GetRenderWindow().GetSize() if renderer.GetRenderWindow() else (800, 600)
    return View(tuple(cam.GetPosition()), tuple(cam.GetFocalPoint()), tuple(cam.GetViewUp()),
                fov_y=cam.GetViewAngle(), width=max(int(w), 1), height=max(int(h), 1))


class _TileActor:
    """One tile's actor, its texture image and the array the texture reads."""

    def __init__(self, tile: Tile, base_rgb, layers) -> None:
        content = tile.data
        poly = pv.PolyData.from_regular_faces(content.points.astype(np.float32),
                                              content.triangles)
        if content.normals is not None and len(content.normals) == poly.n_points:
            poly.point_data["Normals"] = content.normals
            poly.point_data.active_normals_name = "Normals"
        mapper = vtk.vtkPolyDataMapper()
        mapper.SetInputData(poly)
        mapper.ScalarVisibilityOff()
        self.actor = vtk.vtkActor()
        self.actor.SetMapper(mapper)
        self.actor.PickableOff()
        prop = self.actor.GetProperty()
        prop.SetInterpolationToGouraud()  # skirts share their edge's normals: no seams
        prop.SetColor(*pv.Color(GROUND_BASE).float_rgb)
        prop.SetAmbient(0.45)
        prop.SetDiffuse(0.6)
        prop.SetSpecular(0.0)
        # a hair behind coincident surfaces: flat compounds and roads win over the ground
        mapper.SetRelativeCoincidentTopologyPolygonOffsetParameters(1.0, 2.0)
        self.poly = poly
        self.tile = tile
        self.triangles = content.surface_triangles
        self.rgb = None
        self.image = None
        if content.textures:
            poly.active_texture_coordinates = content.uv
            self.rgb = np.empty((TEXTURE, TEXTURE, 3), dtype=np.uint8)
            self.image = vtk.vtkImageData()
            self.image.SetDimensions(TEXTURE, TEXTURE, 1)
            self._vtk_rgb = numpy_to_vtk(self.rgb.reshape(-1, 3), deep=False)
            self.image.GetPointData().SetScalars(self._vtk_rgb)
            texture = vtk.vtkTexture()
            texture.SetInputData(self.image)
            texture.InterpolateOn()
            texture.EdgeClampOn()
            texture.SetColorModeToDirectScalars()
            self.actor.SetTexture(texture)
            prop.SetColor(1.0, 1.0, 1.0)
            self.blend(base_rgb, layers)

    def blend(self, base_rgb, layers) -> None:
        """Re-composite the texture from the tile's per-layer images."""
        if self.rgb is None:
            return
        stack = [(self.tile.data.textures.get(lyr.name), lyr.opacity if lyr.visible else 0.0)
                 for lyr in layers]
        # VTK images start at the bottom row; tile textures at the north
        self.rgb[:] = composite(base_rgb, stack)[::-1]
        self._vtk_rgb.Modified()
        self.image.Modified()


class GroundView:
    """Draws the scene's ground (DEM and imagery layers) into ``renderer``.

    Parameters
    ----------
    renderer : vtkRenderer
        Where the tile actors go.
    workers : int, optional
        Threads reading tiles.
    per_tick : int
        Tiles turned into actors per :meth:`tick` (keeps each event-loop turn short).
    """

    def __init__(self, renderer, *, workers: int | None = None, per_tick: int = 6,
                 max_sse: float = MAX_SSE) -> None:
        self.renderer = renderer
        self.workers = workers
        self.per_tick = per_tick
        self.max_sse = max_sse
        self.layers: list = []  # raster layers in scene order
        self.pyramid: GroundPyramid | None = None
        self.loader: GroundLoader | None = None
        self.actors: dict[str, _TileActor] = {}
        self._pending: list[Tile] = []  # loaded, not yet an actor
        self._frame = 0
        self._last_view = None
        self._drawn: set[str] = set()
        self.base_rgb = np.array(pv.Color(GROUND_BASE).int_rgb, dtype=np.float32)
        self.errors: list[str] = []
        self._on_terrain = None  # the DEM layer the tiles are made on (None: flat)
        self.last_selection = None  # the traversal's last answer (render --stats, tests)

    # -- layers ---------------------------------------------------------------
    @property
    def active(self) -> bool:
        return self.pyramid is not None

    @property
    def covers(self) -> bool:
        """Whether the tiles are the scene's ground: on the terrain, or imagery shown on
        the flat ground (else the plain ground plane is drawn)."""
        return self.pyramid is not None and (
            self._on_terrain is not None or any(lyr.visible for lyr in self.imagery_layers()))

    def terrain_layer(self):
        """The scene's DEM layer (shown or hidden), or None."""
        for layer in self.layers:
            if layer.is_terrain and layer.terrain is not None:
                return layer
        return None

    def draped_on(self):
        """The DEM the imagery drapes on: the shown terrain layer, None for the flat
        ground (no DEM, or the DEM hidden in the layer panel)."""
        terrain = self.terrain_layer()
        return terrain if terrain is not None and terrain.visible else None

    def imagery_layers(self) -> list:
        return [lyr for lyr in self.layers if not lyr.is_terrain]

    def add_layer(self, layer) -> None:
        if layer not in self.layers:
            self.layers.append(layer)
            self._rebuild()

    def remove_layer(self, layer) -> None:
        if layer in self.layers:
            self.layers.remove(layer)
            self._rebuild()

    def _rebuild(self) -> None:
        """A new pyramid for the current layers (tiles hold every layer's images), on
        the shown DEM or, with none shown, on the flat ground."""
        self.clear()
        terrain = self.draped_on()
        self._on_terrain = terrain
        imagery = [lyr for lyr in self.imagery_layers() if lyr.extent is not None]
        if terrain is None and not imagery:
            return
        try:
            self.pyramid = GroundPyramid(terrain, imagery)
        except ValueError as exc:
            self.errors.append(str(exc))
            return
        self.loader = GroundLoader(self.pyramid, workers=self.workers)

    def clear(self) -> None:
        for ta in self.actors.values():
            self.renderer.RemoveActor(ta.actor)
        self.actors.clear()
        self._pending.clear()
        self._drawn = set()
        self._last_view = None
        if self.loader is not None:
            self.loader.close()
        self.loader = None
        self.pyramid = None

    def restyle(self) -> bool:
        """A raster layer's visibility or opacity changed: re-blend, show or hide.

        Hiding or showing the DEM changes what the imagery drapes on: the tiles are
        made again, on the flat ground or on the terrain. Returns whether they were
        (whether :attr:`active` may have changed)."""
        if self.draped_on() is not self._on_terrain:
            self._rebuild()
            return True
        for ta in self.actors.values():
            ta.blend(self.base_rgb, self.pyramid.imagery if self.pyramid else [])
        self._show()
        return False

    # -- drawing --------------------------------------------------------------
    def tick(self, view: View | None = None) -> bool:
        """One turn of work for ``view`` (default: the renderer's camera).
        Returns whether what is drawn changed."""
        if self.pyramid is None:
            return False
        view = view or camera_view(self.renderer)
        key = (view.position, view.focal_point, view.up, view.fov_y, view.width, view.height)
        arrived = self.loader.collect()
        self._pending.extend(arrived)
        if key == self._last_view and not arrived and not self._pending \
                and not self.loader.busy:
            return False
        self._last_view = key
        self._frame += 1
        sel = select(self.pyramid.root, view, self.max_sse, self._frame)
        self.loader.request(sel.fetch)
        built = self._build(self.per_tick)
        drawn = {t.key for t in sel.draw}
        changed = drawn != self._drawn or built > 0
        self._drawn = drawn
        self._drop(self.loader.evict(drawn))
        if changed:
            self._show()
        self.last_selection = sel
        return changed

    def settle(self, view: View | None = None, timeout: float = 60.0) -> int:
        """Load and build until the traversal asks for nothing more (offscreen
        ``render``/``video``, tests); returns the number of tiles drawn."""
        if self.pyramid is None:
            return 0
        view = view or camera_view(self.renderer)
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self._frame += 1
            sel = select(self.pyramid.root, view, self.max_sse, self._frame)
            started = self.loader.request(sel.fetch)
            self._pending.extend(self.loader.collect(wait=0.2 if self.loader.busy else None))
            self._build(len(self._pending))
            if not sel.fetch and not self.loader.busy and not self._pending and not started:
                sel = select(self.pyramid.root, view, self.max_sse, self._frame)
                if not sel.fetch:
                    break
        self._drawn = {t.key for t in sel.draw}
        self._last_view = None
        self.last_selection = sel
        self._show()
        return len(self._drawn)

    def _build(self, limit: int) -> int:
        built = 0
        imagery = self.pyramid.imagery
        while self._pending and built < limit:
            tile = self._pending.pop(0)
            if tile.data is None or tile.key in self.actors:
                continue
            try:
                ta = _TileActor(tile, self.base_rgb, imagery)
            except Exception:  # a bad tile never stops the frame
                log.exception("ground tile %s could not be drawn", tile.key)
                continue
            ta.actor.SetVisibility(False)
            self.renderer.AddActor(ta.actor)
            self.actors[tile.key] = ta
            built += 1
        return built

    def _drop(self, tiles: list[Tile]) -> None:
        for tile in tiles:
            ta = self.actors.pop(tile.key, None)
            if ta is not None:
                self.renderer.RemoveActor(ta.actor)

    def _show(self) -> None:
        # on the terrain the tiles are the ground itself; on the flat ground only the
        # imagery is, and hiding every imagery layer hides them (the plain plane shows)
        on = self.covers
        for key, ta in self.actors.items():
            ta.actor.SetVisibility(on and key in self._drawn)

    # -- figures --------------------------------------------------------------
    def drawn_triangles(self) -> int:
        return sum(ta.triangles for k, ta in self.actors.items() if k in self._drawn)

    def stats(self) -> dict:
        return {"tiles_drawn": len(self._drawn), "actors": len(self.actors),
                "triangles": self.drawn_triangles(),
                "bytes": self.loader.bytes if self.loader else 0,
                "failed": list(self.loader.failed) if self.loader else []}

    def close(self) -> None:
        self.clear()
