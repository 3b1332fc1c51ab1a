"""A tile of any tiled layer: its place in the tree, its bounds in the scene and its state.

A tile's lifecycle is visible state, never an exception: ``unloaded -> queued -> loading
-> parsing -> loaded``, or ``failed`` with a message. The status bar, ``render --stats``
and the tests read it. Children may be unknown until asked for (implicit tiling, an
external tileset, a raster pyramid built on demand): ``expand`` makes them once.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

REPLACE = "REPLACE"
ADD = "ADD"


class Pending(Exception):  # noqa: N818  (not an error: "ask again later")
    """Raised by an expander whose data (a subtree file, an external tileset) is still
    being fetched in a worker: the tile's children stay unknown and are asked for again
    on a later frame, so the GUI thread never waits for I/O."""


class TileState(enum.Enum):
    """Where a tile's content is in its lifecycle."""

    UNLOADED = "unloaded"
    QUEUED = "queued"
    LOADING = "loading"
    PARSING = "parsing"
    LOADED = "loaded"
    FAILED = "failed"


@dataclass(frozen=True)
class Bounds:
    """A tile's bounds in local scene coordinates (metres from the scene origin).

    ``lo``/``hi`` are the corners of an axis-aligned box, ``center``/``radius`` the
    sphere around it; the traversal uses the sphere for distance and both for culling.
    """

    lo: np.ndarray
    hi: np.ndarray

    @classmethod
    def of_points(cls, points: np.ndarray) -> Bounds:
        """The box around ``(n, 3)`` points (e.g. a bounding volume's corners, placed)."""
        points = np.asarray(points, dtype=np.float64).reshape(-1, 3)
        return cls(points.min(axis=0), points.max(axis=0))

    @property
    def center(self) -> np.ndarray:
        return (self.lo + self.hi) / 2.0

    @property
    def radius(self) -> float:
        return float(np.linalg.norm(self.hi - self.lo) / 2.0)

    def distance_to(self, point: np.ndarray) -> float:
        """Distance from ``point`` to the box (0 inside)."""
        d = np.maximum(np.maximum(self.lo - point, point - self.hi), 0.0)
        return float(np.sqrt(d @ d))


@dataclass(eq=False)
class Tile:
    """One node of a tile tree.

    Parameters
    ----------
    key : str
        Unique within its layer (``"0/1/3"``, an implicit ``level.x.y``...).
    level : int
        Depth, the root at 0.
    geometric_error : float
        Metres of error when this tile is drawn instead of its children.
    bounds : Bounds
        In local scene coordinates.
    refine : str
        ``"REPLACE"`` (children replace this tile) or ``"ADD"`` (drawn together).
    content : Any
        What the fetcher needs to get this tile's content (a URI, a raster window),
        or None for a tile without content.
    children : list of Tile or None
        None while not yet known: :meth:`expand` calls ``expander`` once.
    """

    key: str
    level: int
    geometric_error: float
    bounds: Bounds
    refine: str = REPLACE
    content: Any = None
    children: list[Tile] | None = field(default_factory=list)
    expander: Callable[[Tile], list[Tile]] | None = field(default=None, repr=False)
    parent: Tile | None = field(default=None, repr=False)
    state: TileState = TileState.UNLOADED
    error: str | None = None
    nbytes: int = 0
    evicted_bytes: int = 0  # what it held when last dropped from the cache
    last_used: int = -1
    data: Any = field(default=None, repr=False)  # decoded content (arrays), when loaded
    expand_error: str | None = None

    @property
    def has_content(self) -> bool:
        return self.content is not None

    @property
    def ready(self) -> bool:
        """Whether the tile can be drawn now: loaded, or nothing to load."""
        return not self.has_content or self.state is TileState.LOADED

    def expand(self) -> list[Tile]:
        """The children, made once by ``expander`` (an error leaves the tile a leaf and
        is kept in ``expand_error``, naming the problem)."""
        if self.children is None:
            self.children = []
            if self.expander is not None:
                try:
                    self.children = list(self.expander(self))
                except Pending:
                    self.children = None
                    return []
                except Exception as exc:  # a broken subtree or external tileset
                    self.expand_error = str(exc)
                for child in self.children:
                    child.parent = self
        return self.children

    def walk(self, expand: bool = False) -> Iterator[Tile]:
        """This tile and every known descendant, depth first (``expand``: make unknown
        children too, e.g. to count a whole tree)."""
        stack = [self]
        while stack:
            tile = stack.pop()
            yield tile
            kids = tile.expand() if expand else (tile.children or [])
            stack.extend(reversed(kids))
