"""Layer: one table of objects plus their geometry, batched by kind."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np
from psygnal import Signal

from twinviewer.core.table import ObjectTable


@dataclass
class TriangleBatch:
    """Triangles of many objects in one array set.

    ``points`` are float64 in the layer's CRS until the scene places the layer,
    then local scene coordinates (projected metres minus the scene origin).
    ``rows[k]`` is the table row of triangle ``k``.  ``uv``/``texture`` are set
    for textured meshes; ``colors`` (per triangle RGBA uint8) holds colours from
    the file (materials, vertex or face colours), used when the style asks for it.
    """

    points: np.ndarray
    triangles: np.ndarray
    rows: np.ndarray
    uv: np.ndarray | None = None
    texture: np.ndarray | None = None
    colors: np.ndarray | None = None

    def __post_init__(self) -> None:
        self.points = np.asarray(self.points, dtype=np.float64).reshape(-1, 3)
        self.triangles = np.asarray(self.triangles, dtype=np.int64).reshape(-1, 3)
        self.rows = np.asarray(self.rows, dtype=np.int64).reshape(-1)


@dataclass
class LineBatch:
    """Line segments of many objects: ``segments[k]`` joins two points, row ``rows[k]``."""

    points: np.ndarray
    segments: np.ndarray
    rows: np.ndarray

    def __post_init__(self) -> None:
        self.points = np.asarray(self.points, dtype=np.float64).reshape(-1, 3)
        self.segments = np.asarray(self.segments, dtype=np.int64).reshape(-1, 2)
        self.rows = np.asarray(self.rows, dtype=np.int64).reshape(-1)


@dataclass
class PointBatch:
    """Point objects drawn as instances of an asset model.

    ``positions[k]`` is an instance of row ``rows[k]`` (a multi-point object has
    several).  The asset is chosen per row from the layer's class column.
    """

    points: np.ndarray
    rows: np.ndarray

    def __post_init__(self) -> None:
        self.points = np.asarray(self.points, dtype=np.float64).reshape(-1, 3)
        self.rows = np.asarray(self.rows, dtype=np.int64).reshape(-1)


Batch = TriangleBatch | LineBatch | PointBatch


def minmax(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-column minimum and maximum of an ``(n, k)`` array.

    Column by column is about 10x faster than ``min(axis=0)`` on ``(n, 3)``
    arrays, whose short inner axis defeats numpy's vectorised reduction.
    """
    cols = range(points.shape[1])
    return (np.array([points[:, i].min() for i in cols]),
            np.array([points[:, i].max() for i in cols]))


@runtime_checkable
class Provider(Protocol):
    """The data provider of a layer read from a store (as a QGIS layer owns its
    ``QgsVectorDataProvider``): which store table its rows come from and go back to,
    and what the store told the reader about them.

    The stores (:mod:`twinviewer.store`) implement it; ``core`` only declares it.

    Attributes
    ----------
    kind : str
        ``"gpkg"`` or ``"postgis"`` (what kind of store).
    key : str
        The store's identity: the GeoPackage's resolved path, the password-less URL.
        Layers with the same key save through one store.
    table : str
        The layer's table in the store.
    hidden_fields : dict
        Fields this user may not read (field -> why); their values were not loaded.
    row_versions : object or None
        The row version of each object as read (``get(oid)``, ``set(oid, version)``),
        what moves and deletions compare with; None when the store keeps none.
    read_options : dict
        The reader's options (class, height fields...), to read the layer again.
    """

    kind: str
    key: str
    table: str
    hidden_fields: dict[str, str]
    row_versions: Any
    read_options: dict[str, Any]

    def open_store(self) -> Any:
        """A store (the ``Store`` protocol of ``store/base.py``) for this provider's source."""

    def sensitive_fields(self) -> set[str]:
        """The fields the store marks as holding resident-level personal data."""


@dataclass
class Layer:
    """A named set of objects: attribute table, geometry batches and display state.

    Parameters
    ----------
    name : str
        Unique name within the scene (shown in the layer panel).
    kind : str
        ``"vector"``, ``"cityjson"`` or ``"mesh"`` (what the source was).
    table : ObjectTable
        One row per object.
    batches : list
        Geometry, in the layer CRS until placed in a scene.
    crs : str or None
        CRS of the source (``None``: already in scene coordinates).
    class_field : str or None
        Column whose value is the object's class (asset choice, class counts).
    source : str
        Path the layer was read from.
    group : str
        Group in the layer panel.
    style : dict
        Display style from the scene file (``color``, ``opacity``...).
    source_table : str or None
        The table of a multi-table source (GeoPackage) the layer was read from;
        stores use it to write edits back.
    sensitive : frozenset of str
        Fields holding resident-level personal data (from the store schema's
        ``FieldType.sensitive`` and the scene file's ``sensitive = [...]``);
        masked wherever values are shown unless explicitly unmasked
        (:mod:`twinviewer.core.privacy`).
    provider : Provider or None
        The store table the layer's rows come from and are saved to (None: a plain
        file, which edits cannot be saved to until imported into a store).
    """

    name: str
    kind: str
    table: ObjectTable
    batches: list = field(default_factory=list)
    crs: str | None = None
    class_field: str | None = None
    source: str = ""
    group: str = ""
    style: dict[str, Any] = field(default_factory=dict)
    visible: bool = True
    opacity: float = 1.0
    source_bounds: tuple[float, ...] | None = None
    warnings: list[str] = field(default_factory=list)
    source_table: str | None = None
    sensitive: frozenset[str] = frozenset()
    scene_entry: int | None = None  # index of its [[layers]] entry in the scene file
    provider: Provider | None = field(default=None, repr=False)

    @property
    def hidden_fields(self) -> dict[str, str]:
        """Fields this user may not read (field -> why), from the provider."""
        return dict(self.provider.hidden_fields) if self.provider is not None else {}

    changed = Signal(str)  # name of the display property that changed
    # rows were appended to the table (first new row); no row before it moved or changed
    # (a streamed tiles layer that finds its features as tiles come in)
    rows_added = Signal(int)

    def __post_init__(self) -> None:
        self.sensitive = frozenset(str(f) for f in self.sensitive)
        if self.source_bounds is None:
            self.source_bounds = self.bounds()

    def __repr__(self) -> str:
        return f"Layer({self.name!r}, kind={self.kind!r}, objects={len(self)})"

    def __hash__(self) -> int:
        return id(self)

    def __eq__(self, other: object) -> bool:
        return self is other

    def __len__(self) -> int:
        return len(self.table)

    def set_visible(self, visible: bool) -> None:
        if bool(visible) != self.visible:
            self.visible = bool(visible)
            self.changed.emit("visible")

    def set_style(self, style: dict[str, Any]) -> None:
        """Replace the display style (``color``, ``color_by``, ``labels``...) and emit
        ``changed("style")`` once, when it differs."""
        style = dict(style)
        if style != self.style:
            self.style = style
            self.changed.emit("style")

    def set_opacity(self, opacity: float) -> None:
        opacity = float(min(1.0, max(0.0, opacity)))
        if opacity != self.opacity:
            self.opacity = opacity
            self.changed.emit("opacity")

    def classes(self) -> dict[str, int]:
        """Object count per class (the layer name when there is no class column)."""
        if not self.class_field or self.class_field not in self.table.df.columns:
            return {self.name: len(self)} if len(self) else {}
        values = self.table.df[self.class_field].fillna("").astype(str)
        return dict(Counter(values.tolist()))

    def class_of_rows(self) -> np.ndarray:
        """Class value per row as strings (empty string when unknown)."""
        if not self.class_field or self.class_field not in self.table.df.columns:
            return np.full(len(self), "", dtype=object)
        return self.table.df[self.class_field].fillna("").astype(str).to_numpy()

    def close(self) -> None:
        """Release what the layer holds open (files, datasets); the scene calls it when
        it is closed.  Vector layers hold nothing open."""

    def geometry_changed(self) -> None:
        """Call after changing batch points in place: drops cached bounds."""
        self.__dict__.pop("_bounds_cache", None)

    def geometry_moved(self, bounds: tuple[float, ...] | None, shift) -> None:
        """Call after every batch's points were replaced by ``points + shift``:
        ``bounds`` (those before) move with them, exactly (a float subtraction keeps
        the order of values), so they are not computed again."""
        if bounds is not None:
            s = np.asarray(shift, dtype=np.float64)
            lo, hi = np.asarray(bounds[:3]) + s, np.asarray(bounds[3:]) + s
            bounds = tuple(float(v) for v in (*lo, *hi))
        key = tuple(id(b.points) for b in self.batches)
        self.__dict__["_bounds_cache"] = (key, bounds)

    def bounds(self) -> tuple[float, ...] | None:
        """``(xmin, ymin, zmin, xmax, ymax, zmax)`` of the geometry, or ``None``.

        Cached per set of point arrays (see :meth:`geometry_changed` for changes
        in place), computed per batch without concatenating: this runs on every load.
        """
        key = tuple(id(b.points) for b in self.batches)
        cached = self.__dict__.get("_bounds_cache")
        if cached is not None and cached[0] == key:
            return cached[1]
        lows, highs = [], []
        for b in self.batches:
            pts = b.points
            if not len(pts):
                continue
            lo, hi = minmax(pts)
            if not (np.all(np.isfinite(lo)) and np.all(np.isfinite(hi))):
                pts = pts[np.all(np.isfinite(pts), axis=1)]
                if not len(pts):
                    continue
                lo, hi = minmax(pts)
            lows.append(lo)
            highs.append(hi)
        result = None
        if lows:
            lo, hi = np.min(lows, axis=0), np.max(highs, axis=0)
            result = tuple(float(v) for v in (*lo, *hi))
        self.__dict__["_bounds_cache"] = (key, result)
        return result

    def object_centers(self) -> np.ndarray:
        """Centre of each object's geometry (NaN where it has none), shape ``(n, 3)``."""
        n = len(self)
        sums = np.zeros((n, 3))
        counts = np.zeros(n)
        for b in self.batches:
            if isinstance(b, TriangleBatch):
                idx = b.triangles
                rows = b.rows
            elif isinstance(b, LineBatch):
                idx = b.segments
                rows = b.rows
            else:
                idx = np.arange(len(b.points)).reshape(-1, 1)
                rows = b.rows
            if not len(rows):
                continue
            centers = b.points[idx].mean(axis=1)
            np.add.at(sums, rows, centers)
            np.add.at(counts, rows, 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return sums / counts[:, None]

    def row_bounds(self, rows: np.ndarray) -> tuple[float, ...] | None:
        """Bounds of the geometry of the given rows."""
        mask = np.zeros(len(self), dtype=bool)
        mask[np.asarray(rows, dtype=np.int64)] = True
        pts = []
        for b in self.batches:
            if isinstance(b, TriangleBatch):
                sel = b.triangles[mask[b.rows]].ravel()
            elif isinstance(b, LineBatch):
                sel = b.segments[mask[b.rows]].ravel()
            else:
                sel = np.nonzero(mask[b.rows])[0]
            if len(sel):
                pts.append(b.points[sel])
        if not pts:
            return None
        lo, hi = minmax(np.concatenate(pts))
        return tuple(float(v) for v in (*lo, *hi))
