"""RasterLayer: a DEM or an imagery layer of the ground, whose cells are read on demand.

A raster layer holds no batches and no objects: its pixels stay in the file and the
ground's tiles read windows of it (``twinviewer.ground``). What the model keeps is the
layer's place in the scene (extent in scene-local coordinates) and, for a DEM, a
:class:`~twinviewer.core.terrain.Terrain` sampled from an overview, which places the
objects, answers the cursor and keeps walk mode on the ground.

The reader (``raster``) is duck-typed so ``core`` imports no GDAL: anything with
``read(bounds, shape, dst_crs, bands=..., pixel_is_point=...)``, ``scene_bounds(crs)``,
``has_data()`` and ``info`` will do (``twinviewer.io.raster.RasterSource``).
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from twinviewer.core.errors import LoadError
from twinviewer.core.layer import Layer
from twinviewer.core.table import ObjectTable
from twinviewer.core.terrain import Terrain
from twinviewer.i18n import translate

log = logging.getLogger(__name__)

SAMPLER_CELLS = 2048  # the placement grid: at most this many cells a side


def crs_text(crs) -> str | None:
    """``EPSG:n`` for a pyproj CRS with a code, else its WKT (what GDAL takes)."""
    if crs is None:
        return None
    if isinstance(crs, str):
        return crs
    auth = crs.to_authority(min_confidence=90)
    return f"{auth[0]}:{auth[1]}" if auth else crs.to_wkt()


class RasterLayer(Layer):
    """A raster in the scene: ``role`` ``"terrain"`` (a DEM) or ``"imagery"``.

    Parameters
    ----------
    name : str
        Shown in the layer panel.
    role : str
        ``"terrain"`` or ``"imagery"``.
    raster : object
        Reads windows (see the module docstring).
    max_error : float
        Terrain only: the triangulation's largest vertical error in metres.
    """

    def __init__(self, name: str, role: str, raster: Any, *, crs: str | None = None,
                 source: str = "", source_bounds=None, max_error: float = 0.5,
                 kind: str = "raster") -> None:
        self.extent: tuple[float, float, float, float] | None = None  # scene CRS
        self.origin = np.zeros(3)
        self.terrain: Terrain | None = None
        super().__init__(name=name, kind=kind, table=ObjectTable({}), crs=crs,
                         source=source, source_bounds=source_bounds)
        self.role = role
        self.raster = raster
        self.max_error = float(max_error)
        self.info: dict[str, Any] = {}
        self.scene_crs: str | None = None
        self.z_factor = float(getattr(getattr(raster, "info", None), "z_factor", 1.0))
        self.gcj02 = False

    def __repr__(self) -> str:
        return f"RasterLayer({self.name!r}, role={self.role!r})"

    def close(self) -> None:
        """Close the raster's open datasets (GDAL handles, one per reading thread)."""
        close = getattr(self.raster, "close", None)
        if close is not None:
            close()

    @property
    def is_terrain(self) -> bool:
        return self.role == "terrain"

    # -- placement ------------------------------------------------------------
    def place(self, scene_crs, origin) -> None:
        """Find the layer's extent in the scene CRS; for a DEM, read its sampler grid.

        Raises :class:`LoadError` for a raster without CRS (unless the scene file gave
        one), or one whose every cell is nodata.
        """
        if self.crs is None:
            raise LoadError(translate("LoadError", "the raster has no CRS: give one in the "
                                                   "scene file (crs = \"EPSG:4549\")"),
                            self.source)
        if getattr(self.raster, "crs", None) is None:
            self.raster.crs = self.crs  # the scene file's crs for a file without one
        wanted = crs_text(scene_crs) or self.crs
        if self.extent is not None and wanted == self.scene_crs and \
                (self.terrain is not None or not self.is_terrain):
            # placed again around the scene's final origin (the loader places every
            # layer twice): the extent and the sampler grid stay, only the origin moves
            self.set_origin(origin)
            return
        self.scene_crs = wanted
        try:
            self.extent = tuple(float(v) for v in self.raster.scene_bounds(self.scene_crs))
            if not self.raster.has_data():
                raise LoadError(translate("LoadError", "every cell is nodata: nothing to "
                                                       "draw"), self.source)
            if self.is_terrain:
                self.terrain = self._sampler()
        except LoadError:
            raise
        except Exception as exc:  # GDAL: a damaged block, a CRS pair PROJ cannot do
            raise LoadError(translate("LoadError", "not a readable raster ({detail})").format(
                detail=" ".join(str(exc).split())[:200]), self.source) from None
        self.set_origin(origin)

    def _sampler(self) -> Terrain:
        x0, y0, x1, y1 = self.extent
        info = self.raster.info
        res = min(info.resolution)
        # cells as fine as the file's, but at most SAMPLER_CELLS a side; the cells fill
        # the extent (a DEM in the scene CRS is then read without warping)
        cols = int(np.clip(round((x1 - x0) / max(res, 1e-9)), 1, SAMPLER_CELLS))
        rows = int(np.clip(round((y1 - y0) / max(res, 1e-9)), 1, SAMPLER_CELLS))
        z = self.raster.read((x0, y0, x1, y1), (rows, cols), self.scene_crs)[0]
        if self.z_factor != 1.0:
            z = z * self.z_factor
        finite = np.isfinite(z)
        if not finite.any():
            raise LoadError(translate("LoadError", "every cell is nodata: nothing to draw"),
                            self.source)
        dx = (x1 - x0) / cols
        dy = (y1 - y0) / rows
        coarse = max(dx, dy) > res * 1.5
        error = 0.0
        if coarse and cols > 2:
            d = np.diff(z, axis=1)
            error = float(d.std() if finite.all() else np.nanstd(d))  # no NaN: no copy
        return Terrain(z, x0 + dx / 2, y1 - dy / 2, dx, dy, error=error)

    def set_origin(self, origin) -> None:
        """Scene-local coordinates from now on are scene CRS minus ``origin``."""
        new = np.asarray(origin, dtype=np.float64)
        if self.terrain is not None:
            shift = new - self.origin
            self.terrain = self.terrain.shifted(shift[0], shift[1])
        self.origin = new
        self.geometry_changed()

    def local_extent(self) -> tuple[float, float, float, float] | None:
        """``(xmin, ymin, xmax, ymax)`` in scene-local coordinates."""
        if self.extent is None:
            return None
        x0, y0, x1, y1 = self.extent
        ox, oy = self.origin[:2]
        return (x0 - ox, y0 - oy, x1 - ox, y1 - oy)

    def bounds(self) -> tuple[float, ...] | None:
        box = self.local_extent()
        if box is None:
            return None
        z0, z1 = (self.terrain.z_min, self.terrain.z_max) if self.terrain else (0.0, 0.0)
        return (box[0], box[1], z0, box[2], box[3], z1)

    def describe(self) -> dict[str, Any]:
        """The raster header, for ``twinviewer info``."""
        return {"role": self.role, **self.info}


def terrain_of(layers) -> Terrain | None:
    """The terrain of the first visible DEM layer among ``layers`` (None: flat)."""
    for layer in layers:
        if isinstance(layer, RasterLayer) and layer.is_terrain and layer.terrain is not None:
            return layer.terrain
    return None


def settle_on_terrain(layers) -> list:
    """Set the objects of vector layers on the scene's terrain, as their
    ``base_height`` says: by default (a DEM and no number given) the objects without
    Z; with ``base_height = "terrain"`` every object, its Z being its height above
    the ground. Each layer is lifted once. Returns the layers lifted now."""
    from twinviewer.core.terrain import set_on_ground

    terrain = terrain_of(layers)
    if terrain is None:
        for layer in layers:
            note = translate("LoadError", "base_height = \"terrain\" but the scene has no "
                                          "DEM: set on the flat ground")
            if getattr(layer, "base_height", None) == "terrain" and note not in layer.warnings:
                layer.warnings.append(note)
        return []
    lifted = []
    for layer in layers:
        mode = getattr(layer, "base_height", None)
        rows = getattr(layer, "flat_rows", None)  # objects whose geometry has no Z
        if mode not in (None, "terrain") or rows is None or isinstance(layer, RasterLayer) \
                or getattr(layer, "on_terrain", False):  # each layer is lifted once
            continue
        layer.on_terrain = True
        if mode == "terrain":  # said outright: every height is above the ground
            rows = np.ones(len(layer), dtype=bool)
        moved = set_on_ground(terrain, layer, rows)
        lifted.append(layer)
        log.info("%s: %d objects set on the terrain", layer.name, moved)
    return lifted


def ground_under(terrain: Terrain | None, xyz) -> float:
    """The ground a point object's instances (``(k, 3)``, scene-local) stand on: the
    lowest terrain height under them, 0 off the DEM or without one (what
    :func:`~twinviewer.core.terrain.set_on_ground` lifts a point by)."""
    if terrain is None:
        return 0.0
    pts = np.asarray(xyz, dtype=np.float64).reshape(-1, 3)
    h = terrain.height_at(pts[:, 0], pts[:, 1])
    h = h[np.isfinite(h)]
    return float(h.min()) if len(h) else 0.0


def measured_from_ground(layer, layers) -> Terrain | None:
    """The terrain a layer's stored Z are heights above (``base_height = "terrain"``,
    set on the scene's DEM when loaded), else None: its Z are stored as drawn."""
    if getattr(layer, "base_height", None) != "terrain" or not getattr(layer, "on_terrain",
                                                                          False):
        return None
    return terrain_of(layers)


def to_stored(layer, layers, xyz) -> np.ndarray:
    """A point object's instances as drawn (scene-local, set on the terrain) -> as its
    source keeps them: for a layer measured from the ground the terrain under it is
    taken off its Z, so a save never writes the lift into the source (reopening would
    lift it twice). Other layers: unchanged (a 2D table drops Z anyway, and objects
    stored with their own Z are never lifted)."""
    pts = np.array(xyz, dtype=np.float64).reshape(-1, 3)
    terrain = measured_from_ground(layer, layers)
    if terrain is not None and len(pts):
        pts[:, 2] -= ground_under(terrain, pts)
    return pts


def from_stored(layer, layers, xyz) -> np.ndarray:
    """The inverse of :func:`to_stored`: positions read from the source (another
    editor's move) -> as drawn, set on the terrain like the loader does."""
    pts = np.array(xyz, dtype=np.float64).reshape(-1, 3)
    terrain = measured_from_ground(layer, layers)
    if terrain is not None and len(pts):
        pts[:, 2] += ground_under(terrain, pts)
    return pts


def moved_height(layer, layers, old, xy) -> float:
    """The drawn Z of a point object moved from ``old`` (its instances, the first one
    moved to ``xy``): an object on the terrain keeps its height above the ground (a
    lamp post carried up the hill stands on it); others keep their Z."""
    old = np.asarray(old, dtype=np.float64).reshape(-1, 3)
    z = float(old[0, 2])
    terrain = terrain_of(layers) if getattr(layer, "on_terrain", False) else None
    if terrain is None:
        return z
    before = ground_under(terrain, old)
    if measured_from_ground(layer, layers) is None and abs(z - before) > 1e-3:
        return z  # an object with its own Z (not set on the ground): kept
    new = old.copy()
    new[:, :2] += np.asarray(xy, dtype=np.float64)[:2] - old[0, :2]
    return z - before + ground_under(terrain, new)
