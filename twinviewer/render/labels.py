"""Labels above objects: text from a field or an expression, decluttered on screen.

A layer's style may hold ``label = "名称"`` (a field) or an expression in the filter
language (``label = "名称 || ' ' || 人口 || '人'"``, evaluated by SQLite, see
:mod:`twinviewer.core.query`), with ``label_size`` (pixels, default 13) and
``label_color``.  Before each still frame the view declutters the candidates in
view on screen, tallest first (:func:`declutter`: estimated text boxes on an
occupancy grid, so labels of all layers avoid each other), and shows the ones that
fit, drawn from one texture of their text images (each rendered once and kept) by
one 2D actor.  (A ``vtkLabelPlacementMapper`` rendered every label's text again each
frame, and a text actor per label cost a draw call each.)  From afar a
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
MAX_IMAGES = 2000  # per layer; each keeps its rendered text (a few KiB)
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
    now (:meth:`use`) and each shown candidate's text image (:meth:`image`)."""

    anchors: np.ndarray        # (k, 3) scene coordinates
    texts: np.ndarray          # (k,) str
    priority: np.ndarray       # (k,) higher wins a collision: the object's top
    style: dict
    expr: str
    using: np.ndarray | None = None
    _extent: np.ndarray | None = None
    _images: dict = field(default_factory=dict)  # candidate -> (RGBA text image, offset)
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

    def image(self, i: int, dpi: int = 72) -> tuple[np.ndarray, tuple[int, int]]:
        """Candidate ``i``'s text on its background and where its lower-left pixel
        lies from the anchor, rendered by FreeType once and kept (:func:`render_text`)."""
        img = self._images.get(i)
        if img is None:
            if len(self._images) >= MAX_IMAGES:  # a bound on kept images
                self._images.clear()
            if self._prop is None:
                self._prop = vtk.vtkTextProperty()
                _text_style(self._prop, self.style)
            img = render_text(self._prop, str(self.texts[i]), dpi)
            self._images[i] = img
        return img


def render_text(prop: vtk.vtkTextProperty, text: str,
                dpi: int = 72) -> tuple[np.ndarray, tuple[int, int]]:
    """``text`` drawn by VTK's FreeType text renderer in ``prop``'s font, colour,
    background and justification: ``(h, w, 4)`` uint8 RGBA, the bottom row first
    (``(1, 1, 4)`` transparent when nothing can be drawn), and the offset in pixels
    of its lower-left corner from the anchor (as a text actor would place it)."""
    data = vtk.vtkImageData()
    dims = [0, 0]
    if not text or not vtk.vtkTextRenderer.GetInstance().RenderString(
            prop, text, data, dims, int(dpi)):
        return np.zeros((1, 1, 4), dtype=np.uint8), (0, 0)
    nx, ny, _ = data.GetDimensions()  # padded to powers of two; the text is dims
    pixels = vtk.vtk_to_numpy(data.GetPointData().GetScalars()).reshape(ny, nx, -1)
    x0, _, y0 = data.GetExtent()[:3]  # the text's box around the anchor
    return (np.ascontiguousarray(pixels[:max(1, dims[1]), :max(1, dims[0]), :4]),
            (int(x0), int(y0)))


class SceneLabels:
    """The labels of every labelled layer together, so labels of different layers
    declutter against each other; each layer keeps its text style.

    ``actor`` switches them all.  It is one textured 2D actor: the shown labels'
    text images are packed into one texture (an atlas, made again only when the set
    of shown labels changes) and drawn as one quad each at its anchor's pixel, so a
    frame draws every label in one call (a text actor per label cost a draw call,
    a texture bind and a vertex upload each: ~0.5 ms a label on llvmpipe).  The
    labels shown are chosen by :meth:`choose` just before each frame.
    """

    MAX_CANDIDATES = 300  # without a window size: the tallest this many in view
    MAX_LABELS = 100  # with one: at most this many that fit
    DECLUTTER_TRIES = 4  # candidates tried per label kept, tallest first
    MAX_LABEL_FRACTION = 0.25
    ATLAS_WIDTH = 1024  # pixels; the atlas grows in rows of labels

    def __init__(self, dpi: int = 72) -> None:
        self.dpi = dpi
        self._quads = vtk.vtkPolyData()
        self._quads.SetPoints(vtk.vtkPoints())
        mapper = vtk.vtkPolyDataMapper2D()
        mapper.SetInputData(self._quads)
        self._atlas = vtk.vtkImageData()
        self.texture = vtk.vtkTexture()
        self.texture.SetInputData(self._atlas)
        self.texture.InterpolateOff()  # texels land on pixels: crisp text
        self.actor = vtk.vtkTexturedActor2D()
        self.actor.SetMapper(mapper)
        self.actor.SetTexture(self.texture)
        self.actor.SetPickable(False)
        # (layer labels, candidate) in the atlas; the objects themselves, not their
        # id(): a rebuilt layer (new texts, e.g. masked again) may reuse a freed id
        self._shown: list[tuple[LayerLabels, int]] | None = None
        self._sizes = np.zeros((0, 2))  # (w, h) pixels of each shown label
        self._offsets = np.zeros((0, 2))  # its lower-left corner from its anchor
        self.placed = 0  # labels shown in the coming frame

    def choose(self, layers: list[LayerLabels], to_clip: np.ndarray | None,
               size: tuple[int, int] | None = None) -> None:
        """Place the labels of ``layers`` (the visible, labelled ones) in the view whose
        world-to-clip matrix is ``to_clip`` (4 x 4; ``None``: every candidate).

        With the window ``size`` (pixels) the candidates are decluttered, tallest first,
        by their estimated boxes (:func:`declutter`) and those that fit are shown at
        their anchors; without it (no view to measure) the ``MAX_CANDIDATES`` tallest
        are chosen and none is drawn.
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
        anchors = np.empty((0, 2))
        if size is not None and len(screen) == len(picks) and len(every):
            order = order[:self.DECLUTTER_TRIES * self.MAX_LABELS]
            boxes = np.concatenate(screen)[order]
            keep = declutter(boxes, size, self.MAX_LABELS, self.MAX_LABEL_FRACTION)
            every = every[order[keep]]
            anchors = (boxes[keep, :2] + 1.0) * 0.5 * np.asarray(size, dtype=float)
        elif len(every) > self.MAX_CANDIDATES:
            every = every[order[:self.MAX_CANDIDATES]]
        self.placed = len(every)
        pairs = every[:, :2].astype(np.int64)
        for i, labels in enumerate(layers):
            labels.use(np.sort(pairs[pairs[:, 0] == i, 1]))
        if size is None:
            anchors = np.empty((0, 2))
            pairs = pairs[:0]
        shown = [(layers[i], int(k)) for i, k in pairs.tolist()]
        if self._shown is None or len(shown) != len(self._shown) or any(
                a is not b or j != k for (a, j), (b, k) in zip(shown, self._shown,
                                                                strict=True)):
            self._pack([layers[i].image(int(k), self.dpi) for i, k in pairs.tolist()])
            self._shown = shown
        self._place(anchors)

    def _pack(self, labels: list[tuple[np.ndarray, tuple[int, int]]]) -> None:
        """The atlas of the ``labels``' images (rows of labels, left to right) and
        each label's quad corners in it as texture coordinates."""
        images = [im for im, _ in labels]
        width = max([self.ATLAS_WIDTH] + [im.shape[1] for im in images])
        spots, x, y, row = [], 0, 0, 0
        for im in images:
            h, w = im.shape[:2]
            if x + w > width:
                x, y, row = 0, y + row, 0
            spots.append((x, y))
            x, row = x + w, max(row, h)
        height = max(1, y + row)
        atlas = np.zeros((height, width, 4), dtype=np.uint8)
        for (x, y), im in zip(spots, images, strict=True):
            atlas[y:y + im.shape[0], x:x + im.shape[1]] = im
        self._atlas.SetDimensions(width, height, 1)
        self._atlas.GetPointData().SetScalars(
            vtk.numpy_to_vtk(atlas.reshape(-1, 4), deep=True))
        self._atlas.Modified()
        n = len(images)
        self._sizes = np.array([im.shape[1::-1] for im in images], dtype=float).reshape(n, 2)
        self._offsets = np.array([off for _, off in labels], dtype=float).reshape(n, 2)
        corner = np.array([[0, 0], [1, 0], [1, 1], [0, 1]], dtype=float)
        lo = np.asarray(spots, dtype=float).reshape(n, 2)
        uv = (lo[:, None, :] + corner[None] * self._sizes[:, None, :]) / (width, height)
        self._quads.GetPointData().SetTCoords(vtk.numpy_to_vtk(uv.reshape(-1, 2), deep=True))
        cells = vtk.vtkCellArray()
        cells.SetData(vtk.numpy_to_vtk(np.arange(0, 4 * n + 1, 4, dtype=np.int64), deep=True),
                      vtk.numpy_to_vtk(np.arange(4 * n, dtype=np.int64), deep=True))
        self._quads.SetPolys(cells)

    def _place(self, anchors: np.ndarray) -> None:
        """Each shown label's quad where its text's justification puts it around its
        anchor (pixels), on whole pixels so that texels land on pixels."""
        n = len(self._sizes)
        if len(anchors) != n:
            anchors = np.zeros((n, 2))
        lo = np.round(anchors) + self._offsets
        corner = np.array([[0, 0], [1, 0], [1, 1], [0, 1]], dtype=float)
        xy = lo[:, None, :] + corner[None] * self._sizes[:, None, :]
        pts = np.c_[xy.reshape(-1, 2), np.zeros(4 * n)].astype(np.float32)
        self._quads.GetPoints().SetData(vtk.numpy_to_vtk(pts, deep=True))
        self._quads.Modified()


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
