"""The tiles layer kind: a Layer whose geometry streams from a tileset instead of memory.

:func:`read_tileset` is the registry's reader (``kind = "tiles"``): it reads the
tileset.json only, so opening a 20 GB scan costs one small file. The tree is built when
the scene places the layer (:meth:`TilesLayer.place`, which knows the scene CRS and
origin); tiles are fetched and decoded later by :class:`twinviewer.tiles.stream.Streamer`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pyproj import CRS

from twinviewer.core.errors import LoadError
from twinviewer.core.layer import Layer
from twinviewer.core.table import OID, ObjectTable
from twinviewer.i18n import translate
from twinviewer.tiles.features import FeatureRows
from twinviewer.tiles.fetch import is_url, read_bytes
from twinviewer.tiles.tileset import Placement, TilesetTree, parse_tileset, root_source_bounds

DEFAULT_BUDGET_MB = 512
DEFAULT_MAX_SSE = 16.0


class TilesLayer(Layer):
    """A streamed 3D Tiles layer.

    Parameters
    ----------
    uri : str
        The tileset.json (a path or an http(s) URL).
    budget_mb : float
        The memory the decoded tiles may hold (the scene file's ``budget_mb``).
    max_sse : float
        Screen-space error in pixels above which a tile is refined (``max_sse``).
    classify : str or None
        The footprint layer whose objects the scan's buildings become (单体化).

    Without ``classify``, the tiles' own features (b3dm batch tables, glTF property
    tables) become the layer's rows as tiles stream in (:mod:`twinviewer.tiles.features`):
    the table only grows, and :attr:`rows_added` says when.
    """

    def __init__(self, uri: str, *, budget_mb: float = DEFAULT_BUDGET_MB,
                 max_sse: float = DEFAULT_MAX_SSE, classify: str | None = None,
                 name: str | None = None) -> None:
        doc = parse_tileset(read_bytes(uri), uri)
        try:
            geocentric, src_bounds = root_source_bounds(doc)
        except (KeyError, TypeError, ValueError) as exc:
            raise LoadError(translate("LoadError", "root tile: bad bounding volume "
                                                   "({detail})").format(detail=exc),
                            None if is_url(uri) else uri) from None
        if name is None:
            p = uri.rstrip("/").rsplit("/", 2) if is_url(uri) else Path(uri).parts[-2:]
            name = p[-2] if len(p) >= 2 and p[-1].lower() == "tileset.json" else p[-1]
        super().__init__(name=str(name), kind="tiles", table=ObjectTable(),
                         crs="EPSG:4978" if geocentric else None, source=uri,
                         source_bounds=src_bounds)
        self.uri = uri
        self.doc = doc
        self.geocentric = geocentric
        self.budget_mb = float(budget_mb)
        self.max_sse = float(max_sse)
        self.classify = classify
        self.tree: TilesetTree | None = None
        self.placement: Placement | None = None
        self.version = str((doc.get("asset") or {}).get("version", ""))
        self.features = FeatureRows()

    def __repr__(self) -> str:
        return f"TilesLayer({self.name!r}, {self.uri!r})"

    __hash__ = Layer.__hash__
    __eq__ = Layer.__eq__

    def place(self, scene_crs: CRS | None, origin: Any, get=read_bytes) -> None:
        """Build the tile tree in the scene's CRS around its origin (again when either
        changes: the loader places with a zero origin first to find the scene centre).

        ``get`` reads tileset and subtree files (a streamer passes one that fetches in
        its workers)."""
        source_crs = None if self.geocentric else self.crs
        self.placement = Placement(scene_crs, origin, self.geocentric, source_crs)
        self.tree = TilesetTree(self.uri, self.placement, get=get)
        self.tree.build()
        self.geometry_changed()

    @property
    def root(self):
        return None if self.tree is None else self.tree.root

    def bounds(self) -> tuple[float, ...] | None:
        """The root tile's placed bounds (the whole tileset), or None before placing."""
        if self.root is None:
            return None
        b = self.root.bounds
        return (*map(float, b.lo), *map(float, b.hi))

    def object_centers(self):
        return self.features.centers(len(self))

    def row_bounds(self, rows) -> tuple[float, ...] | None:
        return self.features.bounds(rows)

    def add_features(self, tile) -> int:
        """Rows for a decoded tile's own features (appended by :meth:`commit_features`)."""
        return self.features.add(tile)

    def commit_features(self) -> int:
        """Append the rows made since the last call to the table; emits ``rows_added``
        with the first new row. Returns how many were appended."""
        new = self.features.take()
        if not new:
            return 0
        first = len(self.table)
        df = pd.DataFrame(new)
        df.insert(0, OID, np.arange(first, first + len(df), dtype=np.int64))
        self.table.df = df if first == 0 else pd.concat([self.table.df, df],
                                                        ignore_index=True)
        self.rows_added.emit(first)
        return len(df)


def read_tileset(source: Any, progress=None, budget_mb: float = DEFAULT_BUDGET_MB,
                 max_sse: float = DEFAULT_MAX_SSE, classify: str | None = None
                 ) -> list[Layer]:
    """The registry's reader: one :class:`TilesLayer` for a tileset.json or URL."""
    uri = str(source)
    if uri.lower().startswith(("http:/", "https:/")) and "://" not in uri:
        uri = uri.replace(":/", "://", 1)  # a URL that went through pathlib
    if not is_url(uri) and Path(uri).is_dir():
        uri = str(Path(uri) / "tileset.json")
    if budget_mb <= 0 or max_sse <= 0:
        raise LoadError(translate("LoadError", "budget_mb and max_sse must be positive"),
                        None if is_url(uri) else uri)
    return [TilesLayer(uri, budget_mb=budget_mb, max_sse=max_sse, classify=classify)]


def looks_like_tileset(path: Path) -> bool:
    """A ``.json`` file whose first 4 KiB look like a 3D Tiles tileset."""
    if path.suffix.lower() != ".json" or not path.is_file():
        return False
    with open(path, "rb") as fh:
        head = fh.read(1 << 12)
    return b'"asset"' in head and (b'"root"' in head or b'"geometricError"' in head)
