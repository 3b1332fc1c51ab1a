"""Labels above objects: text from a field or an expression, decluttered on screen.

A layer's style may hold ``label = "名称"`` (a field) or an expression in the filter
language (``label = "名称 || ' ' || 人口 || '人'"``, evaluated by SQLite, see
:mod:`twinviewer.core.query`), with ``label_size`` (pixels, default 13) and
``label_color``.  Before each still frame the view declutters the candidates in
view on screen, tallest first (:func:`declutter`: estimated text boxes on an
occupancy grid, so labels of all layers avoid each other), and shows the ones that
fit as text actors, each made once and kept: its text is rendered to a texture
once and then only drawn.  (A ``vtkLabelPlacementMapper`` rendered every label's
text again each frame, which was most of a still frame's label cost.)  From afar a
readable few are named, more as one zooms in.
Text is drawn by FreeType in a font with Chinese glyphs.  Sensitive fields are
masked (see :mod:`twinviewer.core.privacy`) unless the session unmasked them.
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass, field

import numpy as np

from twinviewer.core.layer import Layer, LineBatch, PointBatch, TriangleBatch
from twinviewer.core.privacy import STATE, PrivacyState, mask_values
from twinviewer.core.query import FilterEngine, QueryError, tokenize
from twinviewer.io.assets import asset_height, assets_of_rows
from twinviewer.render import vtk_api as vtk
from twinviewer.render.colors import rgba
from twinviewer.render.fonts import cjk_font_file
from twinviewer.render.style import category_keys, size_factors

log = logging.getLogger(__name__)

DEFAULT_SIZE = 13
MAX_TEXT_ACTORS = 2000  # per layer; each keeps its rendered text (a few KiB)
DEFAULT_COLOR = "#1e1e1e"
LIFT = 1.5  # metres between an object's top and its label


def label_texts(layer: Layer, expr: str, engine: FilterEngine | None = None,
                privacy: PrivacyState | None = None) -> np.ndarray:
    """The label of every row: a field's values, or an expression's.

    Parameters
    ----------
    layer : Layer
    expr : str
        A field name or an expression of fields (the filter language).
    engine : FilterEngine, optional
        Reused for its cached SQLite tables.
    privacy : PrivacyState, optional
        Which sensitive fields are masked (default: the session's state); a field the
        user unmasked (a logged access) shows its values.

    Raises
    ------
    QueryError
        An expression that names an unknown field or does not parse.
    """
    df = layer.table.df
    privacy = STATE if privacy is None else privacy
    sensitive = set(privacy.masked_fields(layer))
    if expr in df.columns:
        texts = category_keys(df[expr])
        if expr in sensitive:
            texts = np.asarray(mask_values(layer, expr, texts.tolist(), privacy), dtype=object)
        return texts
    named = {t.text.strip('"') for t in tokenize(expr) if t.kind in ("word", "qid")}
    hidden = sorted(named & sensitive)
    if hidden:
        # an expression of a sensitive field is built from masked values
        from twinviewer.core.table import ObjectTable
        copy = Layer(layer.name, layer.kind, ObjectTable(df.copy()))
        for name in hidden:
            copy.table.df[name] = mask_values(layer, name, category_keys(df[name]).tolist(),
                                              privacy)
        layer, engine = copy, FilterEngine()
    values = (engine or FilterEngine()).values(layer, expr)
    return np.array(["" if v is None else _plain(v) for v in values], dtype=object)


def _plain(v) -> str:
    if isinstance(v, float) and v.is_integer() and abs(v) < 2**53:
        return str(int(v))
    return str(v)


def label_anchors(layer: Layer) -> np.ndarray:
    """Where each row's label stands: above the centre of its top, ``(n, 3)``; NaN
    for rows without geometry."""
    n = len(layer)
    centers = layer.object_centers()
    top = np.full(n, -np.inf)
    style = layer.style or {}
    factors = size_factors(layer, style)
    scale = float(style.get("point_scale", 1.0))
    for b in layer.batches:
        if not len(b.rows):
            continue
        if isinstance(b, (TriangleBatch, LineBatch)):
            idx = b.triangles if isinstance(b, TriangleBatch) else b.segments
            np.maximum.at(top, b.rows, b.points[idx, 2].max(axis=1))
        elif isinstance(b, PointBatch):
            names = assets_of_rows(layer, b.rows, style.get("assets"))
            uniq, inverse = np.unique(names.astype(str), return_inverse=True)
            heights = np.array([asset_height(a) for a in uniq])[inverse]
            if factors is not None:
                heights = heights * factors[b.rows]
            np.maximum.at(top, b.rows, b.points[:, 2] + heights * scale)
    out = centers.copy()
    ok = np.isfinite(top)
    out[ok, 2] = top[ok] + LIFT
    return out


@dataclass
class LayerLabels:
    """Every label candidate of one layer (anchors, texts, priorities), the ones shown
    now (:meth:`use`) and a text actor per candidate once shown (:meth:`text_actor`)."""

    anchors: np.ndarray        # (k, 3) scene coordinates
    texts: np.ndarray          # (k,) str
    priority: np.ndarray       # (k,) higher wins a collision: the object's top
    style: dict
    expr: str
    using: np.ndarray | None = None
    _extent: np.ndarray | None = None
    _actors: dict = field(default_factory=dict)  # candidate -> its vtkTextActor
    _prop: vtk.vtkTextProperty | None = None

    @property
    def extent(self) -> np.ndarray:
        """Estimated ``(width, height)`` of each label in pixels (computed once)."""
        if self._extent is None or len(self._extent) != self.count:
            size = int(self.style.get("label_size", DEFAULT_SIZE))
            self._extent = text_extent(self.texts, size)
        return self._extent

    @property
    def count(self) -> int:
        return len(self.texts)

    def use(self, idx: np.ndarray) -> bool:
        """Show candidates ``idx`` (sorted) next frame; ``True`` if that changed."""
        idx = np.asarray(idx, dtype=np.int64)
        if self.using is not None and np.array_equal(idx, self.using):
            return False
        self.using = idx
        return True

    def text_actor(self, i: int) -> vtk.vtkTextActor:
        """The text actor of candidate ``i``, made once: its text is rendered to a
        texture once and then only drawn, where a label mapper renders every label's
        text again each frame."""
        actor = self._actors.get(i)
        if actor is None:
            if len(self._actors) >= MAX_TEXT_ACTORS:  # a bound on kept textures
                self._actors.clear()
            if self._prop is None:
                self._prop = vtk.vtkTextProperty()
                _text_style(self._prop, self.style)
            actor = vtk.vtkTextActor()
            actor.SetInput(str(self.texts[i]))
            actor.SetTextProperty(self._prop)
            coord = actor.GetPositionCoordinate()
            coord.SetCoordinateSystemToWorld()
            coord.SetValue(*(float(v) for v in self.anchors[i]))
            actor.SetPickable(False)
            self._actors[i] = actor
        return actor


class SceneLabels:
    """The labels of every labelled layer together, so labels of different layers
    declutter against each other; each layer keeps its text style.

    ``actor`` (a prop assembly) switches them all; its parts are the text actors
    shown in the coming frame, chosen by :meth:`choose` just before it.
    """

    MAX_CANDIDATES = 300  # without a window size: the tallest this many in view
    MAX_LABELS = 100  # with one: at most this many that fit
    DECLUTTER_TRIES = 4  # candidates tried per label kept, tallest first
    MAX_LABEL_FRACTION = 0.25

    def __init__(self) -> None:
        # one switch for all labels: the text actors shown are the assembly's parts
        self.actor = vtk.vtkPropAssembly()
        self.actor.SetPickable(False)
        self._shown: dict[int, vtk.vtkTextActor] = {}
        self.placed = 0  # labels shown in the coming frame

    def choose(self, layers: list[LayerLabels], to_clip: np.ndarray | None,
               size: tuple[int, int] | None = None) -> None:
        """Place the labels of ``layers`` (the visible, labelled ones) in the view whose
        world-to-clip matrix is ``to_clip`` (4 x 4; ``None``: every candidate).

        With the window ``size`` (pixels) the candidates are decluttered, tallest first,
        by their estimated boxes (:func:`declutter`) and those that fit are shown;
        without it (no view to measure) the ``MAX_CANDIDATES`` tallest are.
        """
        picks, screen = [], []
        for i, labels in enumerate(layers):
            ok = np.ones(labels.count, dtype=bool)
            xy = None
            if to_clip is not None and labels.count:
                h = np.c_[labels.anchors, np.ones(labels.count)] @ to_clip.T
                w = h[:, 3]
                with np.errstate(invalid="ignore", divide="ignore"):
                    ok = (w > 0) & (np.abs(h[:, 0]) <= w) & (np.abs(h[:, 1]) <= w)
                    xy = h[:, :2] / w[:, None]
            idx = np.nonzero(ok)[0]
            picks.append(np.c_[np.full(len(idx), i), idx, labels.priority[idx]])
            if to_clip is not None:
                screen.append(np.c_[xy[idx], labels.extent[idx]] if xy is not None
                              else np.empty((0, 4)))
        every = np.concatenate(picks) if picks else np.empty((0, 3))
        order = np.argsort(-every[:, 2], kind="stable")
        if size is not None and len(screen) == len(picks) and len(every):
            order = order[:self.DECLUTTER_TRIES * self.MAX_LABELS]
            boxes = np.concatenate(screen)[order]
            keep = declutter(boxes, size, self.MAX_LABELS, self.MAX_LABEL_FRACTION)
            every = every[order[keep]]
        elif len(every) > self.MAX_CANDIDATES:
            every = every[order[:self.MAX_CANDIDATES]]
        self.placed = len(every)
        shown: dict[int, vtk.vtkTextActor] = {}
        for i, labels in enumerate(layers):
            idx = np.sort(every[every[:, 0] == i, 1].astype(np.int64))
            labels.use(idx)
            for k in idx.tolist():
                actor = labels.text_actor(k)
                shown[id(actor)] = actor
        for key, actor in self._shown.items():
            if key not in shown:
                self.actor.RemovePart(actor)
        for key, actor in shown.items():
            if key not in self._shown:
                self.actor.AddPart(actor)
        self._shown = shown


CELL = 8  # pixels per cell of the declutter's occupancy grid


def declutter(boxes: np.ndarray, size: tuple[int, int], limit: int,
              fraction: float = 0.25) -> np.ndarray:
    """Greedy, in the given (priority) order: which labels fit without overlapping.

    Parameters
    ----------
    boxes : (k, 4) array
        Per candidate: anchor in normalised device coordinates (x, y in -1..1) and the
        label's estimated width and height in pixels; centred above the anchor.
    size : (width, height)
        The window in pixels.
    limit : int
        At most this many are kept.
    fraction : float
        Stop once the kept boxes cover this share of the window.

    Returns
    -------
    numpy.ndarray
        Indices into ``boxes`` of the kept candidates, in order.
    """
    width, height = int(size[0]), int(size[1])
    gw, gh = width // CELL + 1, height // CELL + 1
    grid = np.zeros((gh, gw), dtype=bool)
    # boxes in grid cells, with a margin around each
    cx = (boxes[:, 0] + 1.0) * 0.5 * width
    y0 = (boxes[:, 1] + 1.0) * 0.5 * height
    half = boxes[:, 2] * 0.5 + MARGIN
    x_lo = np.clip((cx - half) // CELL, 0, gw - 1).astype(np.int64)
    x_hi = np.clip((cx + half) // CELL + 1, 1, gw).astype(np.int64)
    y_lo = np.clip((y0 - MARGIN) // CELL, 0, gh - 1).astype(np.int64)
    y_hi = np.clip((y0 + boxes[:, 3] + MARGIN) // CELL + 1, 1, gh).astype(np.int64)
    budget = fraction * width * height
    covered = 0.0
    kept: list[int] = []
    for i in range(len(boxes)):
        cell = grid[y_lo[i]:y_hi[i], x_lo[i]:x_hi[i]]
        if cell.any():
            continue
        cell[:] = True
        kept.append(i)
        covered += boxes[i, 2] * boxes[i, 3]
        if len(kept) >= limit or covered >= budget:
            break
    return np.asarray(kept, dtype=np.int64)


MARGIN = 6.0  # pixels kept free around each label, so labels stay readable


def text_extent(texts: np.ndarray, font_size: int) -> np.ndarray:
    """Estimated ``(width, height)`` in pixels of each label: wide (CJK) characters
    one em, others about half; the background box adds a little."""
    wide = {"W", "F"}
    widths = np.fromiter(
        (sum(1.0 if unicodedata.east_asian_width(ch) in wide else 0.55 for ch in str(t))
         for t in texts), dtype=np.float64, count=len(texts))
    return np.c_[widths * font_size + 4.0, np.full(len(texts), font_size * 1.3 + 2.0)]


def build_labels(layer: Layer, engine: FilterEngine | None = None, *,
                 keep: np.ndarray | None = None) -> LayerLabels | None:
    """The label candidates of ``layer`` (``None`` when its style has no ``label``).

    ``keep`` (a boolean mask per row, e.g. a filter's matches) limits the labels
    to those rows.  A bad expression is logged and gives no labels, never an error
    while drawing.
    """
    style = layer.style or {}
    expr = str(style.get("label") or "").strip()
    if not expr or not len(layer):
        return None
    try:
        texts = label_texts(layer, expr, engine)
    except QueryError as exc:
        log.warning("labels of %s: %s", layer.name, exc)
        return None
    anchors = label_anchors(layer)
    show = np.isfinite(anchors).all(axis=1) & (texts != "")
    if keep is not None and len(keep) == len(show):
        show &= keep
    rows = np.nonzero(show)[0]
    return LayerLabels(np.ascontiguousarray(anchors[rows]),
                       np.array([str(t) for t in texts[rows]], dtype=object),
                       anchors[rows, 2].astype(np.float64), dict(style), expr)


def _text_style(prop: vtk.vtkTextProperty, style: dict) -> None:
    font = cjk_font_file()
    if font:
        prop.SetFontFamily(vtk.VTK_FONT_FILE)
        prop.SetFontFile(font)
    prop.SetFontSize(int(style.get("label_size", DEFAULT_SIZE)))
    color = rgba(style.get("label_color"), DEFAULT_COLOR)
    prop.SetColor(*(c / 255.0 for c in color[:3]))
    prop.SetBackgroundColor(1.0, 1.0, 1.0)
    prop.SetBackgroundOpacity(0.75)
    prop.SetJustificationToCentered()
    prop.SetVerticalJustificationToBottom()
