"""Streamed tiles as VTK actors: a few built per event-loop turn, dropped on eviction.

:class:`TilesView` belongs to a :class:`~twinviewer.render.scene_view.SceneView`. Each
:meth:`TilesView.step` (driven by a QTimer in the window, by a loop in ``render``)
turns the camera into plain numbers, lets every layer's
:class:`~twinviewer.tiles.stream.Streamer` select and fetch, makes VTK objects for at
most a few newly decoded tiles, removes evicted ones and shows exactly the selected
tiles. Colours are per vertex from each vertex's footprint row (单体化): selection
highlight, filter dimming and thematic colours of the footprint layer tint the scan at
every level of detail. A layer without footprints is tinted and picked by its own
features' rows the same way (``part.rows`` from :mod:`twinviewer.tiles.features`).
Never imports Qt.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import numpy as np
import pyvista as pv

from twinviewer.core.layer import Layer
from twinviewer.i18n import translate
from twinviewer.render import vtk_api as vtk
from twinviewer.render.colors import DEFAULT_MESH, HIGHLIGHT, rgba
from twinviewer.render.style import row_colors
from twinviewer.render.vtk_api import numpy_to_vtk
from twinviewer.tiles.select import View
from twinviewer.tiles.stream import Streamer
from twinviewer.tiles.tile import Tile

log = logging.getLogger(__name__)

DIM_TO = np.array([40, 40, 40], dtype=np.float32)
# What a drawn tile holds in system memory per byte of its decoded arrays: the arrays
# themselves, VTK's cell offsets, the colour arrays, the mapper's packed vertex buffer,
# the GL driver's buffers and texture (llvmpipe keeps them in system memory), the cell
# locator while shown, the objects. Measured on the village benchmark: RSS growth over
# decoded bytes while building ~1,100 tiles, 4.0 from the first tiles on (3.3 once the
# first hundreds are in); RSS peak over the flight minus the base, over the decoded
# bytes resident, 5.4 (heap growth, the decode workers' arenas, tiles decoded and not
# yet built). The budget bounds the whole process, so the whole-flight figure; the
# cache charges the rest at build time (docs/architecture.md).
RENDER_COPIES = 5.4
TRIM_EVERY = 32 * 2 ** 20  # bytes dropped between two malloc_trim calls


@dataclass
class TileActors:
    """The VTK objects of one drawn tile."""

    actors: list[vtk.vtkActor]
    rows: list[np.ndarray | None]  # per actor: footprint row per vertex
    colors: list[np.ndarray]  # per actor: the RGBA array VTK draws (written in place)
    base: list[np.ndarray]
    vtk_colors: list = field(default_factory=list)
    locators: list = field(default_factory=list)  # per mesh actor, built when first shown
    painted: int = -1  # the layer's paint generation these colours are of
    row_set: np.ndarray | None = None  # the rows its vertices carry (>= 0), sorted


def _cells(triangles: np.ndarray) -> vtk.vtkCellArray:
    """Triangles as a 32-bit cell array that shares the decoded indices (no int64 copy
    of padded cells and then of connectivity and offsets: ~0.2 MB less per 5,000-
    triangle tile). The decoded array lives as long as the tile's data, which outlives
    the actor."""
    tris = np.asarray(triangles)
    if tris.dtype == np.uint32:
        tris = tris.view(np.int32)
    tris = np.ascontiguousarray(tris, dtype=np.int32).reshape(-1)
    offsets = np.arange(0, len(tris) + 1, 3, dtype=np.int32)
    ca = vtk.vtkCellArray()
    shared = np.shares_memory(tris, triangles)
    ca.SetData(numpy_to_vtk(offsets, deep=True), numpy_to_vtk(tris, deep=not shared))
    return ca


def _changed_rows(before, now) -> np.ndarray | None:
    """Rows whose colour differs between two row states (a mask with the extra entry for
    row -1), or None when more than the selection changed (styles, dimming, new rows):
    then every tile is painted."""
    if before is None:
        return None
    (sel0, themed0, keep0), (sel1, themed1, keep1) = before, now
    if len(sel0) != len(sel1) or (keep0 is None) != (keep1 is None) or (
            keep0 is not None and not np.array_equal(keep0, keep1)):
        return None
    if (themed0 is None) != (themed1 is None) or (themed0 is not None and not (
            np.array_equal(themed0[0], themed1[0]) and np.array_equal(themed0[1], themed1[1]))):
        return None
    return sel0 != sel1


class LayerTiles:
    """One tiles layer's streamer and actors."""

    def __init__(self, layer, streamer: Streamer, footprints: Layer | None) -> None:
        self.layer = layer
        self.streamer = streamer
        self.footprints = footprints
        self.drawn: dict[int, tuple[Tile, TileActors]] = {}
        self.waiting: list[Tile] = []
        self.paint_generation = 0  # bumped by every repaint; hidden tiles catch up when shown
        self.painted_state = None  # the row state of the last repaint

    @property
    def row_layer(self) -> Layer:
        """The layer whose rows the vertices carry: the footprints (单体化), or the
        tiles layer itself (its own batch/property table features)."""
        return self.footprints if self.footprints is not None else self.layer


def _classifier(layer, scene):
    """The footprint index of the layer named by ``classify``, or None (with a warning
    when it cannot be made)."""
    name = getattr(layer, "classify", None)
    if not name:
        return None, None
    try:
        footprints = scene.layer(name)
    except KeyError:
        layer.warnings.append(translate("LoadError", "classify: no layer named {name!r}")
                              .format(name=name))
        return None, None
    try:
        from twinviewer.core.classify import FootprintIndex
    except ImportError:
        layer.warnings.append(translate("LoadError", "classify: footprint lookup is not "
                                                     "available in this build"))
        return None, None
    return FootprintIndex.from_layer(footprints), footprints


class TilesView:
    """Every tiles layer of a scene view, streamed for its camera."""

    def __init__(self, scene_view, max_builds: int = 4) -> None:
        self.sv = scene_view
        self.max_builds = max_builds
        self.changed = False  # whether the last step changed what is drawn
        self.last_feature: dict | None = None  # properties of the last picked tile feature
        self.layers: dict[int, LayerTiles] = {}
        self._actor_owner: dict[int, tuple[LayerTiles, Tile, int]] = {}
        self._dropped = 0  # bytes of dropped tiles since the heap was last trimmed

    @property
    def active(self) -> bool:
        return bool(self.layers)

    def add_layer(self, layer) -> None:
        if layer.kind != "tiles" or getattr(layer, "root", None) is None:
            return
        index, footprints = _classifier(layer, self.sv.scene)
        self.layers[id(layer)] = LayerTiles(layer, Streamer(layer, classify=index), footprints)

    def remove_layer(self, layer) -> None:
        lt = self.layers.pop(id(layer), None)
        if lt is not None:
            for tile, _ in list(lt.drawn.values()):
                self._drop(lt, tile)
            lt.streamer.close()

    def set_budget(self, budget_mb: float) -> None:
        """A new memory budget for every tiles layer (the window's View setting)."""
        for lt in self.layers.values():
            lt.layer.budget_mb = float(budget_mb)
            lt.streamer.cache.budget = int(budget_mb * 1024 * 1024)

    def camera_view(self) -> View:
        cam = self.sv.plotter.renderer.GetActiveCamera()
        w, h = self.sv.plotter.render_window.GetSize()
        return View(tuple(cam.GetPosition()), tuple(cam.GetFocalPoint()), tuple(cam.GetViewUp()),
                    float(cam.GetViewAngle()), max(int(w), 1), max(int(h), 1))

    # -- one turn -------------------------------------------------------------
    def step(self, max_builds: int | None = None) -> bool:
        """Select, fetch, build a few tiles, drop evicted ones; True while work remains."""
        if not self.layers:
            return False
        view = self.camera_view()
        budget = self.max_builds if max_builds is None else max_builds
        more = False
        changed = False
        for lt in self.layers.values():
            sel = lt.streamer.update(view)
            for tile in lt.streamer.take_evicted():
                changed |= self._drop(lt, tile)
                self._dropped += tile.evicted_bytes
            lt.waiting += lt.streamer.take_loaded()
            while lt.waiting and budget > 0:
                tile = lt.waiting.pop(0)
                if tile.data is not None and id(tile) not in lt.drawn:
                    self._build(lt, tile)
                    budget -= 1
                    changed = True
            draw = {id(t) for t in sel.draw}
            state = None
            for key, (_tile, ta) in lt.drawn.items():
                show = key in draw and lt.layer.visible
                if show and ta.painted != lt.paint_generation:
                    if state is None:
                        state = self._row_state(lt)
                    self._paint_tile(lt, ta, state)  # colours changed while it was hidden
                for actor in ta.actors:
                    if bool(actor.GetVisibility()) != show:
                        actor.SetVisibility(show)
                        self._set_pickable(ta, actor, show)
                        changed = True
                    actor.GetProperty().SetOpacity(lt.layer.opacity)
            more |= bool(lt.waiting) or not lt.streamer.settled() or lt.streamer.busy
        if self._dropped > TRIM_EVERY:
            # evicted tiles free many small blocks, in the decode workers' arenas too;
            # glibc keeps them unless asked, and RSS would not follow the budget down
            from twinviewer.render.scene_view import release_freed_memory

            release_freed_memory()
            self._dropped = 0
        if changed:  # new geometry: the near/far planes must hold it
            self.sv.plotter.renderer.ResetCameraClippingRange()
        self.changed = changed
        return more

    def wait(self, timeout: float = 60.0) -> bool:
        """Step until every layer's view is complete or ``timeout`` seconds pass."""
        end = time.monotonic() + timeout
        while self.step(max_builds=64):
            if time.monotonic() > end:
                return False
            time.sleep(0.005)
        return True

    @property
    def loading(self) -> int:
        """Tiles queued or being fetched and decoded, over all layers."""
        return sum(lt.streamer.in_flight + len(lt.waiting) for lt in self.layers.values())

    # -- actors ---------------------------------------------------------------
    def _build(self, lt: LayerTiles, tile: Tile) -> None:
        ta = TileActors([], [], [], [])
        for index, part in enumerate([*tile.data.meshes, *tile.data.points]):
            poly = pv.PolyData()
            poly.points = part.points
            is_mesh = hasattr(part, "triangles")
            if is_mesh:
                poly.SetPolys(_cells(part.triangles))
                if part.uv is not None:
                    poly.active_texture_coordinates = part.uv
            else:
                poly.verts = np.column_stack([np.ones(len(part.points), np.int64),
                                              np.arange(len(part.points))]).ravel()
            base = self._base_colors(part, is_mesh)
            colors = base.copy()
            arr = numpy_to_vtk(colors, deep=False)
            arr.SetName("rgba")
            poly.GetPointData().SetScalars(arr)
            mapper = vtk.vtkPolyDataMapper()
            mapper.SetInputData(poly)
            mapper.SetScalarModeToUsePointData()
            mapper.SetColorModeToDirectScalars()
            actor = vtk.vtkActor()
            actor.SetMapper(mapper)
            prop = actor.GetProperty()
            prop.SetAmbient(0.6 if is_mesh and part.texture is not None else 0.35)
            prop.SetDiffuse(0.5 if is_mesh and part.texture is not None else 0.7)
            prop.SetSpecular(0.0)
            prop.SetPointSize(3.0)
            if is_mesh and part.texture is not None:
                actor.SetTexture(pv.Texture(part.texture))
            actor.VisibilityOff()  # shown (and pickable) by step() when selected
            self.sv.plotter.renderer.AddActor(actor)
            self._actor_owner[id(actor)] = (lt, tile, index)
            ta.actors.append(actor)
            ta.rows.append(part.rows)
            ta.colors.append(colors)
            ta.base.append(base)
            ta.vtk_colors.append(arr)
            ta.locators.append(None)
        held = [r[r >= 0] for r in ta.rows if r is not None]
        ta.row_set = np.unique(np.concatenate(held)) if held else None
        lt.drawn[id(tile)] = (tile, ta)
        self._paint_tile(lt, ta)
        # the budget counts what this tile really holds now: VTK's arrays and the GL
        # driver's buffers and texture come on top of the decoded arrays
        lt.streamer.cache.charge(tile, int(tile.nbytes * (RENDER_COPIES - 1.0)))

    def _set_pickable(self, ta: TileActors, actor, shown: bool) -> None:
        """Only shown tiles are in the picker's list (hundreds stay resident hidden, and
        the picker walks its list); a shown mesh gets a cell locator (~0.3 ms for 5,000
        triangles), so a pick tests a few cells instead of every triangle of every tile
        on the ray."""
        picker = self.sv._picker
        k = ta.actors.index(actor)
        if not shown:  # a locator is ~0.8 of the decoded bytes: only shown tiles keep one
            picker.DeletePickList(actor)
            if ta.locators[k] is not None:
                picker.RemoveLocator(ta.locators[k])
                ta.locators[k] = None
            return
        picker.AddPickList(actor)
        poly = actor.GetMapper().GetInput()
        if ta.locators[k] is None and poly.GetNumberOfPolys() > 0:
            loc = vtk.vtkStaticCellLocator()
            loc.SetDataSet(poly)
            loc.BuildLocator()
            ta.locators[k] = loc
            picker.AddLocator(loc)

    @staticmethod
    def _base_colors(part, is_mesh: bool) -> np.ndarray:
        n = len(part.points)
        if part.colors is not None:
            return np.ascontiguousarray(part.colors, dtype=np.uint8)
        if is_mesh and part.texture is not None:  # the photo's colour as it is
            return np.full((n, 4), 255, dtype=np.uint8)
        return np.tile(rgba(DEFAULT_MESH), (n, 1)).astype(np.uint8)

    def _drop(self, lt: LayerTiles, tile: Tile) -> bool:
        entry = lt.drawn.pop(id(tile), None)
        if entry is None:
            return False
        for actor in entry[1].actors:
            self.sv.plotter.renderer.RemoveActor(actor)
            self.sv._picker.DeletePickList(actor)
            self._actor_owner.pop(id(actor), None)
        for loc in entry[1].locators:
            if loc is not None:
                self.sv._picker.RemoveLocator(loc)
        return True

    # -- colours by footprint row ---------------------------------------------
    def repaint(self, footprint_names=None) -> None:
        """Colours anew for the layers classified by ``footprint_names`` (all: None)."""
        for lt in self.layers.values():
            if footprint_names is not None and lt.row_layer.name not in footprint_names:
                continue
            lt.paint_generation += 1
            state = self._row_state(lt)
            changed = _changed_rows(lt.painted_state, state)
            lt.painted_state = state
            for _, ta in lt.drawn.values():
                current = ta.painted == lt.paint_generation - 1
                if current and changed is not None and (
                        ta.row_set is None or not changed[ta.row_set].any()):
                    ta.painted = lt.paint_generation  # none of its rows changed colour
                    continue
                # hidden tiles are painted when step() shows them again: a selection
                # costs the tiles on screen that hold a changed row, not the hundreds
                # resident behind them
                if ta.actors and ta.actors[0].GetVisibility():
                    self._paint_tile(lt, ta, state)

    def _row_state(self, lt: LayerTiles):
        fp = lt.row_layer
        n = len(fp)
        selected = np.zeros(n + 1, dtype=bool)  # the extra last entry: row -1
        rows = self.sv.scene.selection.rows(fp.name)
        rows = rows[(rows >= 0) & (rows < n)]
        selected[rows] = True
        themed = row_colors(fp)
        keep = self.sv.dimmed.get(fp)
        return selected, themed, keep

    def _paint_tile(self, lt: LayerTiles, ta: TileActors, state=None) -> None:
        ta.painted = lt.paint_generation
        if state is None and any(r is not None for r in ta.rows):
            state = self._row_state(lt)
        n = len(lt.row_layer)
        for rows, colors, base, arr in zip(ta.rows, ta.colors, ta.base, ta.vtk_colors,
                                           strict=True):
            colors[:] = base
            if state is not None and rows is not None:
                selected, themed, keep = state
                inside = rows >= 0
                if themed is not None:
                    tc, known = themed
                    hit = inside.copy()
                    hit[inside] = known[rows[inside]]
                    # a photo keeps its light and shade: the theme colour multiplies it
                    colors[hit, :3] = (colors[hit, :3].astype(np.uint16) *
                                       tc[rows[hit], :3] // 255).astype(np.uint8)
                if keep is not None and len(keep) == n:
                    faded = inside.copy()
                    faded[inside] = ~keep[rows[inside]]
                    colors[faded, :3] = (colors[faded, :3] * 0.25 + DIM_TO).astype(np.uint8)
                lit = selected[rows]
                colors[lit] = HIGHLIGHT
            arr.Modified()

    # -- picking and figures --------------------------------------------------
    def resolve_pick(self, actor, cell: int, position: np.ndarray):
        """A picked tile actor -> ``(layer, row, position)``: the footprint layer's row
        under the hit point (单体化), or the tiles layer and -1 where nothing is."""
        owner = self._actor_owner.get(id(actor))
        self.last_feature = None
        if owner is None:
            return None
        lt, tile, index = owner
        self.last_feature = self.feature_at(actor, cell)  # the tile's own batch/property row
        if lt.footprints is not None and lt.streamer.classify is not None:
            row = int(lt.streamer.classify.rows_at(np.asarray([position], float))[0])
            if row >= 0:
                return lt.footprints, row, position
        elif lt.footprints is None:  # the feature's own row
            row = self._row_at(tile, index, cell)
            if 0 <= row < len(lt.layer):
                return lt.layer, row, position
        return lt.layer, -1, position

    @staticmethod
    def _vertex_of(part, cell: int) -> int:
        if hasattr(part, "triangles"):
            return int(part.triangles[cell][0]) if 0 <= cell < len(part.triangles) else -1
        return cell

    def _row_at(self, tile: Tile, index: int, cell: int) -> int:
        parts = [*tile.data.meshes, *tile.data.points] if tile.data is not None else []
        if not 0 <= index < len(parts) or parts[index].rows is None:
            return -1
        rows = parts[index].rows
        vertex = self._vertex_of(parts[index], cell)
        return int(rows[vertex]) if 0 <= vertex < len(rows) else -1

    def feature_at(self, actor, cell: int) -> dict | None:
        """The tile's own feature properties (batch table, property table) at a cell."""
        owner = self._actor_owner.get(id(actor))
        if owner is None:
            return None
        _, tile, index = owner
        parts = [*tile.data.meshes, *tile.data.points] if tile.data is not None else []
        if not 0 <= index < len(parts) or parts[index].features is None:
            return None
        part = parts[index]
        vertex = self._vertex_of(part, cell)
        fid = int(part.features[vertex]) if 0 <= vertex < len(part.features) else -1
        return tile.data.properties.get(fid)

    def stats(self) -> dict[str, dict]:
        """Per tiles layer: ``tiles_drawn``, ``deepest_level``, ``resident_bytes``..."""
        return {lt.layer.name: lt.streamer.stats().as_dict() for lt in self.layers.values()}

    def close(self) -> None:
        for lt in list(self.layers.values()):
            self.remove_layer(lt.layer)
