"""SceneView: draws a Scene into a pyvista plotter and keeps it in step with the model."""

from __future__ import annotations

import functools
import logging
from pathlib import Path

import numpy as np
import pyvista as pv

from twinviewer.core.ground_layer import RasterLayer
from twinviewer.core.layer import Layer
from twinviewer.core.query import FilterEngine
from twinviewer.core.scene import Scene, View
from twinviewer.render import vtk_api as vtk
from twinviewer.render.batches import PaintState, Piece, apply_style, decimated, layer_pieces
from twinviewer.render.colors import HIGHLIGHT
from twinviewer.render.ground import GroundView
from twinviewer.render.labels import LayerLabels, SceneLabels, build_labels

log = logging.getLogger(__name__)

BACKGROUND_TOP = "#b9cde4"
BACKGROUND_BOTTOM = "#eef2f6"
GROUND = "#e4e7e1"
VIEW_DIRECTION = np.array([0.35, -1.0, 0.85])  # from the south-south-east, looking down
DIM_TO = 0.75 * 236.0  # filtered-out objects fade towards a light grey


def make_theme() -> pv.themes.Theme:
    """A theme for llvmpipe: no multisampling, one headlight (see docs/architecture.md)."""
    theme = pv.themes.DocumentTheme()
    theme.multi_samples = 0
    theme.lighting = False
    theme.smooth_shading = False
    theme.background = BACKGROUND_BOTTOM
    theme.allow_empty_mesh = True
    return theme


def release_freed_memory() -> None:
    """Hand memory freed after a load back to the system (glibc ``malloc_trim``).

    Reading and building a district frees a few hundred MiB of temporaries in
    small blocks; glibc keeps them in its heap, so the process stays that much
    bigger for its whole life (~50-90 MiB at 100k objects, docs/benchmarks.md).
    A no-op where the C library has no ``malloc_trim``.
    """
    try:
        _libc().malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


@functools.cache
def _libc():
    import ctypes
    import ctypes.util

    return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")


def apply_look(plotter: pv.Plotter) -> None:
    """Sky gradient and one headlight (llvmpipe pays 3-4x a frame for pyvista's light kit)."""
    plotter.set_background(BACKGROUND_BOTTOM, top=BACKGROUND_TOP)
    ren = plotter.renderer
    ren.RemoveAllLights()
    light = vtk.vtkLight()
    light.SetLightTypeToHeadlight()
    light.SetIntensity(0.85)
    ren.AddLight(light)
    ren.SetTwoSidedLighting(True)


class SceneView:
    """Renders every layer of ``scene`` as a few batched actors and follows its events.

    Parameters
    ----------
    plotter : pyvista.Plotter or pyvistaqt.QtInteractor
        Where to draw.
    scene : Scene
        The model; layer additions, display changes and the selection are followed.
    """

    def __init__(self, plotter: pv.Plotter, scene: Scene) -> None:
        self.plotter = plotter
        self.scene = scene
        self.pieces: dict[Layer, list[Piece]] = {}
        self._ground: vtk.vtkActor | None = None
        self._picker = vtk.vtkCellPicker()
        self._picker.PickFromListOn()
        self._callbacks = {}
        self.interacting = False
        # a host's coalescing redraw (the window: one draw on the next event-loop turn);
        # see request_render
        self.schedule_render = None
        self.render_pending = False
        self.dimmed: dict[Layer, np.ndarray] = {}  # rows kept bright per layer (filters)
        self.labels: dict[Layer, LayerLabels] = {}
        self.label_overlay = SceneLabels()
        self._label_layers: list[LayerLabels] = []
        self._label_key = None
        plotter.renderer.AddActor(self.label_overlay.actor)
        self._label_observer = plotter.renderer.AddObserver("StartEvent", self._choose_labels)
        self._engine = FilterEngine()
        self.ground = GroundView(plotter.renderer)  # DEM and imagery layers (tiles)
        apply_look(plotter)
        scene.layer_added.connect(self.add_layer)
        scene.layer_removed.connect(self.remove_layer)
        scene.selection.changed.connect(self._on_selection)
        from twinviewer.render.tiles import TilesView  # streamed tiles layers (issue 13)

        self.tiles = TilesView(self)
        for layer in scene.layers:
            self.add_layer(layer, render=False)
        self._update_ground()
        self.reset_view(render=False)
        release_freed_memory()

    # -- layers -------------------------------------------------------------
    def add_layer(self, layer: Layer, render: bool = True) -> None:
        self.tiles.add_layer(layer)
        cb = functools.partial(self._on_layer_changed, layer)
        self._callbacks[layer] = cb
        layer.changed.connect(cb)
        if isinstance(layer, RasterLayer):  # cells read on demand, as tiles
            self.ground.add_layer(layer)
            if render:
                self._update_ground()
                self.render()
            return
        self._build_pieces(layer)
        self._apply_display(layer)
        self._paint(layer)
        if render:
            self._update_ground()
            self.render()

    def _build_labels(self, layer: Layer) -> None:
        """(Re)build the layer's label actor from its style; filters limit the labels."""
        self.labels.pop(layer, None)
        self._engine.invalidate(layer)
        labels = build_labels(layer, self._engine, keep=self.dimmed.get(layer))
        if labels is not None:
            self.labels[layer] = labels

    def _show_labels(self) -> None:
        """Labels of the visible layers, none while the camera moves (placing labels
        costs every frame); which ones is decided just before the next frame."""
        self._label_layers = [lb for layer, lb in self.labels.items() if layer.visible]
        self._label_key = None
        self.label_overlay.actor.SetVisibility(bool(self._label_layers) and
                                               not self.interacting)

    def _choose_labels(self, *_args) -> None:
        """Renderer StartEvent: hand the label mapper the candidates in view."""
        try:
            if not self.label_overlay.actor.GetVisibility():
                return
            renderer = self.plotter.renderer
            cam = renderer.GetActiveCamera()
            key = (cam.GetMTime(), tuple(self.plotter.render_window.GetSize()))
            if key == self._label_key:
                return
            self._label_key = key
            m = cam.GetCompositeProjectionTransformMatrix(renderer.GetTiledAspectRatio(),
                                                         -1, 1)
            to_clip = np.array([[m.GetElement(i, j) for j in range(4)] for i in range(4)])
            self.label_overlay.choose(self._label_layers, to_clip, key[1])
        except Exception:  # never let a label problem stop a frame
            log.exception("choosing labels failed")

    def labelled_layers(self) -> list[Layer]:
        """Layers whose labels are drawn now."""
        if not self.label_overlay.actor.GetVisibility():
            return []
        shown = {id(lb) for lb in self._label_layers}
        return [layer for layer, lb in self.labels.items() if id(lb) in shown]

    def refresh_labels(self, render: bool = True) -> None:
        """Label texts anew, e.g. after sensitive fields were unmasked or masked again."""
        for layer in list(self.labels):
            self._build_labels(layer)
        self._show_labels()
        if render:
            self.render()

    def _build_pieces(self, layer: Layer) -> None:
        pieces = layer_pieces(layer)
        for piece in pieces:
            piece.actor = _actor(piece.polydata, piece.kind, layer, piece.texture,
                                 per_vertex=piece.color_rows is not piece.rows)
            self.plotter.renderer.AddActor(piece.actor)
            self._picker.AddPickList(piece.actor)
            _draw_order(piece.actor)
            if piece.lod is not None:
                piece.lod_actor = _actor(piece.lod, "lod", layer, None, per_vertex=False)
                piece.lod_actor.PickableOff()
                piece.lod_actor.VisibilityOff()
                self.plotter.renderer.AddActor(piece.lod_actor)
        self.pieces[layer] = pieces
        self._build_labels(layer)

    def _drop_pieces(self, layer: Layer) -> None:
        for piece in self.pieces.pop(layer, []):
            self.plotter.renderer.RemoveActor(piece.actor)
            if piece.lod_actor is not None:
                self.plotter.renderer.RemoveActor(piece.lod_actor)
            self._picker.DeletePickList(piece.actor)
            if piece.locator is not None:
                self._picker.RemoveLocator(piece.locator)
        self.labels.pop(layer, None)

    def refresh_layer(self, layer: Layer, *, geometry: bool = False,
                      render: bool = True) -> None:
        """Bring a layer's drawing up to date after an edit.

        Parameters
        ----------
        layer : Layer
            The edited layer (ignored when it is not drawn).
        geometry : bool, default: False
            ``True`` after objects were added, deleted or moved (or their class, and
            so their asset, changed): the layer's pieces are rebuilt.  Otherwise
            only the base colours are recomputed from the style (a numpy pass).
        render : bool, default: True
            Draw at once.

        Examples
        --------
        >>> layer.style = {"by": "类别", "categories": {"住宅": "#ff0000"}}  # doctest: +SKIP
        >>> view.refresh_layer(layer)  # doctest: +SKIP
        """
        if layer not in self.pieces:
            return
        if geometry:
            layer.geometry_changed()
            self._drop_pieces(layer)
            self._build_pieces(layer)
            self._apply_display(layer)
        else:
            apply_style(layer, self.pieces[layer])
            self._build_labels(layer)
            self._apply_display(layer)
        self._paint(layer)
        self.tiles.repaint([layer.name])
        if render:
            self.render()

    def remove_layer(self, layer: Layer) -> None:
        self.tiles.remove_layer(layer)
        self.ground.remove_layer(layer)
        self._drop_pieces(layer)
        self._show_labels()
        cb = self._callbacks.pop(layer, None)
        if cb is not None:
            layer.changed.disconnect(cb)
        self.render()

    def _on_layer_changed(self, layer: Layer, what: str) -> None:
        if isinstance(layer, RasterLayer):
            self.ground.restyle()  # hiding the DEM drapes the imagery on the flat ground
            self._update_ground()
        self._apply_display(layer)
        self.render()

    def _apply_display(self, layer: Layer) -> None:
        for piece in self.pieces.get(layer, []):
            stand_in = self.interacting and piece.lod_actor is not None
            hidden = self.interacting and piece.hide_while_moving
            piece.actor.SetVisibility(layer.visible and not stand_in and not hidden)
            piece.actor.SetPickable(layer.visible)
            piece.actor.GetProperty().SetOpacity(layer.opacity)
            if piece.lod_actor is not None:
                piece.lod_actor.SetVisibility(layer.visible and stand_in)
                piece.lod_actor.GetProperty().SetOpacity(layer.opacity)
        # Order-independent translucency costs llvmpipe two float framebuffers and a
        # full-window pass every frame (~15 % of a 100k frame); the view cones alone,
        # flat wedges of one colour, blend fine without it.  Only a translucent layer
        # (its opacity below 1), whose objects overlap in depth, needs it.
        self.plotter.renderer.SetUseOIT(any(lyr.visible and lyr.opacity < 1.0
                                            for lyr in self.pieces))
        self._show_labels()

    def set_interacting(self, moving: bool) -> None:
        """Level of detail while the camera moves: small instanced objects are
        hidden, huge meshes show their decimated stand-in; full detail when it stops."""
        if moving == self.interacting:
            return
        self.interacting = moving
        for layer in self.pieces:
            self._apply_display(layer)
        self._show_labels()

    # -- selection ----------------------------------------------------------
    def _on_selection(self, layer_names) -> None:
        for name in layer_names:
            try:
                self._paint(self.scene.layer(name))
            except KeyError:
                continue
        self.tiles.repaint(layer_names)
        self.request_render()

    def request_render(self) -> None:
        """Show a change (the selection's colours) with the next frame, drawn once.

        Selecting writes colours in place; the frame that shows them is drawn by the
        host: a window's scheduler (:attr:`schedule_render`, one draw per event-loop
        turn however many changes came) or, offscreen, whoever draws next (every
        offscreen picture is drawn just before it is read). An on-screen view with no
        scheduler draws at once, as before. So a click costs one frame, not two.
        """
        self.render_pending = True
        if self.schedule_render is not None:
            self.schedule_render()
        elif getattr(self.plotter, "off_screen", False) is not True:
            self.render()

    def _paint(self, layer: Layer, overlay=None) -> None:
        """Write highlight colours in place: only a numpy op per piece, no rebuild.

        ``overlay`` (alert marks, see :mod:`twinviewer.render.alert_paint`) paints more
        onto the new colours of the pieces holding any of its ``rows``; its ``key(rows)``
        tells what it paints on a piece.  A piece none of
        whose rows changed selection, dimming or marks is skipped (a highlight of one
        object touches one piece), so VTK uploads only the colours that changed.
        """
        selected = self.scene.selection.rows(layer.name)
        selected = selected[selected < len(layer)]  # rows an edit just removed
        mask = np.zeros(len(layer), dtype=bool)
        if len(selected):
            mask[selected] = True
        keep = self.dimmed.get(layer)
        if keep is not None and len(keep) != len(layer):
            keep = None
        if overlay is not None and len(overlay.rows) != len(layer):
            overlay = None
        for piece in self.pieces.get(layer, []):
            own = piece.row_set()
            state = PaintState(piece.base_colors, own[mask[own]],
                               None if keep is None else keep[own],
                               None if overlay is None else overlay.key(own))
            if piece.painted is not None and state.same(piece.painted):
                continue
            colors = piece.colors  # in place: VTK shares this buffer
            colors[:] = piece.base_colors
            if state.kept is not None and not state.kept.all():
                faded = ~keep.take(piece.color_rows)  # take: int32 indices, no intp copy
                colors[faded, :3] = (colors[faded, :3] * 0.25 + DIM_TO).astype(np.uint8)
            lit = mask.take(piece.color_rows) if len(state.selected) else None
            if lit is not None:
                _fill_rgba(colors, lit, HIGHLIGHT)
            if state.marked is not None:
                overlay(piece, colors, lit if lit is not None else
                        np.zeros(len(colors), dtype=bool))
            piece.painted = state
            piece.vtk_colors.Modified()

    def set_dimmed(self, layer: Layer, keep: np.ndarray | None, render: bool = True) -> None:
        """Dim the objects of ``layer`` outside ``keep`` (a boolean mask per row, e.g.
        the rows a filter matches); ``None`` shows all at full colour again."""
        if keep is None:
            self.dimmed.pop(layer, None)
        else:
            self.dimmed[layer] = np.asarray(keep, dtype=bool)
        if layer in self.labels:
            self._build_labels(layer)
            self._show_labels()
        self._paint(layer)
        self.tiles.repaint([layer.name])
        if render:
            self.render()

    # -- picking ------------------------------------------------------------
    def pick(self, x: int, y: int) -> tuple[Layer, int, np.ndarray] | None:
        """The object drawn at display pixel ``(x, y)`` (VTK: origin bottom left).

        Returns ``(layer, row, world_position)`` or ``None``.  A cell picker with
        one static locator per piece: the answer is an array look-up.
        """
        for piece in self.pending_locators():  # a click before the idle build finished
            if piece.actor.GetVisibility():
                self._build_locator(piece)
        # exactly under the pixel first; only then a few pixels of slack (thin lines)
        for tolerance in (0.0, 0.002):
            self._picker.SetTolerance(tolerance)
            if self._picker.Pick(x, y, 0, self.plotter.renderer):
                break
        else:
            return None
        actor = self._picker.GetActor()
        cell = self._picker.GetCellId()
        for layer, pieces in self.pieces.items():
            for piece in pieces:
                if piece.actor is actor and 0 <= cell < len(piece.rows):
                    return layer, int(piece.rows[cell]), np.array(self._picker.GetPickPosition())
        return self.tiles.resolve_pick(actor, cell, np.array(self._picker.GetPickPosition()))

    def pending_locators(self) -> list[Piece]:
        return [p for pieces in self.pieces.values() for p in pieces if p.locator is None]

    def build_next_pending(self) -> bool:
        """Do one piece of deferred work; ``True`` while more remains.

        Cell locators (one tile at a time) and decimated stand-ins of huge meshes
        are built from the GUI's idle loop after a load, so the window stays
        responsive and the first click is already fast.
        """
        for layer, pieces in self.pieces.items():
            for piece in pieces:
                if piece.lod_wanted and piece.lod_actor is None:
                    piece.lod = decimated(piece.polydata)
                    piece.lod_actor = _actor(piece.lod, "lod", layer, None, per_vertex=False)
                    piece.lod_actor.PickableOff()
                    piece.lod_actor.VisibilityOff()
                    self.plotter.renderer.AddActor(piece.lod_actor)
                    return True
        pending = self.pending_locators()
        if pending:
            self._build_locator(pending[0])
        return len(pending) > 1

    def build_locators(self) -> None:
        """Give every piece a static cell locator so picks do not scan all cells."""
        for piece in self.pending_locators():
            self._build_locator(piece)

    def _build_locator(self, piece: Piece) -> None:
        loc = vtk.vtkStaticCellLocator()
        loc.SetDataSet(piece.polydata)
        loc.BuildLocator()
        piece.locator = loc
        self._picker.AddLocator(loc)

    def world_to_display(self, point) -> tuple[float, float]:
        """Display coordinates (VTK, origin bottom left) of a scene point."""
        ren = self.plotter.renderer
        ren.SetWorldPoint(*point, 1.0)
        ren.WorldToDisplay()
        x, y, _ = ren.GetDisplayPoint()
        return x, y

    def terrain(self):
        """The visible terrain's height sampler (core), or None on flat ground."""
        layer = self.ground.terrain_layer()
        return layer.terrain if layer is not None and layer.visible else None

    def display_to_ground(self, x: float, y: float, z: float = 0.0) -> np.ndarray | None:
        """The point on the ground under display pixel ``(x, y)``: on the terrain when
        there is one (a ray cast on its heights: picking the ground gives scene
        coordinates, never an object), else on the plane ``z``."""
        ren = self.plotter.renderer
        terrain = self.terrain()
        if terrain is not None:
            ends = []
            for depth in (0.0, 1.0):
                ren.SetDisplayPoint(x, y, depth)
                ren.DisplayToWorld()
                w = ren.GetWorldPoint()
                ends.append(np.array(w[:3]) / w[3])
            hit = terrain.intersect(ends[0], ends[1] - ends[0],
                                    float(np.linalg.norm(ends[1] - ends[0])))
            if hit is not None:
                return hit
        ends = []
        for depth in (0.0, 1.0):
            ren.SetDisplayPoint(x, y, depth)
            ren.DisplayToWorld()
            w = ren.GetWorldPoint()
            ends.append(np.array(w[:3]) / w[3])
        d = ends[1] - ends[0]
        if abs(d[2]) < 1e-12:
            return None
        t = (z - ends[0][2]) / d[2]
        return ends[0] + t * d if t >= 0 else None

    # -- camera -------------------------------------------------------------
    def frame(self, bounds, render: bool = True, *, context: float = 1.0,
              min_radius: float = 0.5) -> None:
        """Look at ``bounds`` from the usual oblique direction.

        ``context`` > 1 leaves room around the bounds (zoom to one building
        still shows its street); ``min_radius`` keeps tiny objects from filling
        the view.
        """
        if bounds is None:
            return
        lo, hi = np.array(bounds[:3]), np.array(bounds[3:])
        centre = (lo + hi) / 2
        radius = max(float(np.linalg.norm(hi - lo)) / 2 * context, min_radius)
        cam = self.plotter.renderer.GetActiveCamera()
        d = VIEW_DIRECTION / np.linalg.norm(VIEW_DIRECTION)
        dist = radius / np.tan(np.radians(cam.GetViewAngle() / 2)) * 0.75
        cam.SetFocalPoint(*centre)
        cam.SetPosition(*(centre + d * dist))
        cam.SetViewUp(0, 0, 1)
        self._camera_placed()
        if render:
            self.render()

    def reset_view(self, render: bool = True) -> None:
        """The scene's saved view, or all visible layers."""
        view = self.scene.view
        if view is not None:
            self.set_view(view, render=render)
        else:
            self.frame(self._framing_bounds(), render)

    def _framing_bounds(self):
        """What the first view shows: the objects, on their ground; the whole ground
        only when there is nothing else (a DEM may be ten times the district)."""
        for visible_only in (True, False):
            boxes = [lyr.bounds() for lyr in self.scene.layers
                     if not isinstance(lyr, RasterLayer)
                     and (lyr.visible or not visible_only)]
            boxes = np.array([b for b in boxes if b is not None])
            if len(boxes):
                return (*boxes[:, :3].min(axis=0), *boxes[:, 3:].max(axis=0))
        return self.scene.bounds(visible_only=True) or self.scene.bounds()

    def set_view(self, view: View, render: bool = True) -> None:
        cam = self.plotter.renderer.GetActiveCamera()
        cam.SetPosition(*view.position)
        cam.SetFocalPoint(*view.focal_point)
        cam.SetViewUp(*view.up)
        self._camera_placed()
        if render:
            self.render()

    def _camera_placed(self) -> None:
        self.plotter.renderer.ResetCameraClippingRange()
        # tell pyvista the camera is set, or its first show()/screenshot() resets it
        self.plotter.camera_set = True

    def zoom_to_selection(self) -> bool:
        boxes = []
        for name in self.scene.selection.layers():
            b = self.scene.layer(name).row_bounds(self.scene.selection.rows(name))
            if b is not None:
                boxes.append(b)
        if not boxes:
            return False
        arr = np.array(boxes)
        self.frame((*arr[:, :3].min(axis=0), *arr[:, 3:].max(axis=0)), context=2.0,
                   min_radius=25.0)
        return True

    def _update_ground(self) -> None:
        """A quiet ground plane under the whole scene (not pickable)."""
        if self._ground is not None:
            self.plotter.renderer.RemoveActor(self._ground)
            self._ground = None
        if self.ground.covers:  # the DEM or the shown imagery is the ground
            return
        boxes = [p.polydata.bounds for pieces in self.pieces.values() for p in pieces]
        if not boxes:
            return
        arr = np.array(boxes, dtype=float)  # VTK keeps bounds cached: no pass over points
        b = (arr[:, 0].min(), arr[:, 2].min(), arr[:, 4].min(),
             arr[:, 1].max(), arr[:, 3].max(), arr[:, 5].max())
        lo, hi = np.array(b[:2]), np.array(b[3:5])
        c, size = (lo + hi) / 2, max(float(np.max(hi - lo)) * 1.25, 2.0)
        plane = pv.Plane(center=(c[0], c[1], b[2] - 0.05), direction=(0, 0, 1),
                         i_size=size, j_size=size)
        mapper = vtk.vtkPolyDataMapper()
        mapper.SetInputData(plane)
        mapper.ScalarVisibilityOff()
        actor = vtk.vtkActor()
        actor.SetMapper(mapper)
        actor.GetProperty().SetColor(*pv.Color(GROUND).float_rgb)
        actor.GetProperty().SetAmbient(0.6)
        actor.GetProperty().SetDiffuse(0.4)
        actor.PickableOff()
        self._ground = actor
        self.plotter.renderer.AddActor(actor)

    def render(self) -> None:
        """Draw now (offscreen plotters too: pyvista defers those until ``show()``)."""
        if getattr(self.plotter, "_closed", False) or self.plotter.render_window is None:
            return
        self.ground_tick()
        self.render_pending = False
        if getattr(self.plotter, "off_screen", False) is True:
            self.plotter.render_window.Render()
        else:
            self.plotter.render()

    def ground_tick(self) -> bool:
        """A turn of ground work (select, load, build a few tiles); True: redraw."""
        try:
            return self.ground.tick()
        except Exception:  # never let a ground problem stop a frame
            log.exception("ground tiles failed")
            return False

    def settle_ground(self, timeout: float = 120.0) -> int:
        """Load every ground tile the current camera needs (offscreen renders)."""
        self.plotter.renderer.ResetCameraClippingRange()
        n = self.ground.settle(timeout=timeout)
        self.plotter.renderer.ResetCameraClippingRange()
        return n

    def close(self) -> None:
        """Stop following the model (call before the plotter is closed)."""
        self.ground.close()
        self.scene.layer_added.disconnect(self.add_layer)
        self.scene.layer_removed.disconnect(self.remove_layer)
        self.scene.selection.changed.disconnect(self._on_selection)
        self.tiles.close()
        for layer, cb in self._callbacks.items():
            layer.changed.disconnect(cb)
        self._callbacks.clear()
        if self.plotter.renderer is not None:
            self.plotter.renderer.RemoveObserver(self._label_observer)


def _fill_rgba(colors: np.ndarray, where: np.ndarray, rgba: np.ndarray) -> None:
    """``colors[where] = rgba``, a pixel (4 bytes) at a time where the layout allows."""
    if colors.flags.c_contiguous and colors.dtype == np.uint8 and colors.shape[1:] == (4,):
        colors.view(np.uint32)[where, 0] = rgba.view(np.uint32)[0]
    else:
        colors[where] = rgba


def _draw_order(actor: vtk.vtkActor) -> None:
    """Lines (roads, outlines) win where they coincide with surfaces (compound grounds).

    Polygon offsets per layer were tried and dropped: they make the drawn object
    differ from the picked one where surfaces nearly coincide.
    """
    actor.GetMapper().SetRelativeCoincidentTopologyLineOffsetParameters(0.0, -4.0)


def _actor(poly, kind: str, layer: Layer, texture, per_vertex: bool) -> vtk.vtkActor:
    """One actor for a piece: colours as they are, flat shading, one light."""
    mapper = vtk.vtkPolyDataMapper()
    mapper.SetInputData(poly)
    if per_vertex:
        mapper.SetScalarModeToUsePointData()
    else:
        mapper.SetScalarModeToUseCellData()
    mapper.SetColorModeToDirectScalars()
    mapper.ScalarVisibilityOn()
    actor = vtk.vtkActor()
    actor.SetMapper(mapper)
    prop = actor.GetProperty()
    prop.SetInterpolationToFlat()
    prop.SetAmbient(0.35)
    prop.SetDiffuse(0.7)
    prop.SetSpecular(0.0)
    if kind == "lines":
        prop.SetLineWidth(float(layer.style.get("line_width", 2.0)))
    if kind in ("lines", "lod"):
        prop.SetAmbient(1.0)
        prop.SetDiffuse(0.0)
        prop.SetPointSize(3.0)
    if texture is not None:
        actor.SetTexture(pv.Texture(texture))
    return actor


def render_image(scene: Scene, out: str | Path | None = None,
                 size: tuple[int, int] = (1280, 800), tiles_timeout: float = 60.0
                 ) -> np.ndarray:
    """Render ``scene`` offscreen exactly as the window draws it; optionally save a PNG.

    Examples
    --------
    >>> render_image(scene, "district.png", size=(800, 600))  # doctest: +SKIP
    """
    plotter = pv.Plotter(off_screen=True, window_size=list(size), theme=make_theme())
    try:
        view = SceneView(plotter, scene)
        if view.tiles.active:  # exported pictures are complete: the view's tiles are in
            view.tiles.wait(tiles_timeout)
        view.settle_ground()
        view.render()
        image = plotter.screenshot(str(out) if out else None, return_img=True)
        view.close()
    finally:
        plotter.close()
    return image
