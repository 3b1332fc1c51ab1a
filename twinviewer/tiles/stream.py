"""Streaming one tiles layer: select for a view, fetch and decode in workers, keep a budget.

:meth:`Streamer.update` is called once per frame (by the window's timer, by ``render``
while it waits, by the benchmark). It never blocks: finished jobs are taken in, the
selection is made, new fetches are queued, and least recently used tiles are evicted.
Tileset and subtree files needed to expand the tree are fetched by the same workers
(the expander raises :class:`~twinviewer.tiles.tile.Pending` until they arrive).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from twinviewer.core.errors import LoadError
from twinviewer.i18n import translate
from twinviewer.tiles.cache import TileCache
from twinviewer.tiles.decode import decode_content
from twinviewer.tiles.fetch import Fetcher, read_bytes
from twinviewer.tiles.select import Selection, View, select
from twinviewer.tiles.tile import Pending, Tile, TileState

log = logging.getLogger(__name__)

MAX_SSE_FACTOR = 64.0


@dataclass
class Stats:
    """What ``render --stats`` and the status bar report for one layer."""

    tiles_drawn: int = 0
    deepest_level: int = -1
    resident_bytes: int = 0
    loading: int = 0
    failed: int = 0
    triangles_drawn: int = 0
    sse_factor: float = 1.0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"tiles_drawn": self.tiles_drawn, "deepest_level": self.deepest_level,
                "resident_bytes": self.resident_bytes, "loading": self.loading,
                "failed": self.failed, "triangles_drawn": self.triangles_drawn,
                "sse_factor": round(self.sse_factor, 3)}


class Streamer:
    """Streams a :class:`~twinviewer.tiles.layer.TilesLayer` for changing views.

    Parameters
    ----------
    layer : TilesLayer
        Placed (its tree built).
    classify : object, optional
        A footprint index (``rows_at(points) -> rows``) every decoded vertex is
        looked up in, in the worker (单体化). Without one, each loaded tile's own
        features become rows of the layer (:meth:`TilesLayer.add_features`), appended
        once per :meth:`update`.
    fetcher : Fetcher, optional
        Shared between layers; default: one of its own.
    get : callable, optional
        Reads bytes of a URI (default: files and http with the disk cache).
    """

    def __init__(self, layer, classify=None, fetcher: Fetcher | None = None,
                 get: Callable[[str], bytes] = read_bytes, max_new_jobs: int = 16) -> None:
        self.layer = layer
        self.classify = classify
        self.fetcher = fetcher or Fetcher()
        self._own_fetcher = fetcher is None
        self.get = get
        self.max_new_jobs = max_new_jobs
        self.cache = TileCache(int(layer.budget_mb * 1024 * 1024))
        self.sse_factor = 1.0
        self.frame = 0
        self.selection = Selection()
        self.evicted: list[Tile] = []  # since the last take_evicted(): the renderer drops them
        self.loaded: list[Tile] = []  # since the last take_loaded(): the renderer builds them
        self._files: dict[str, bytes | LoadError] = {}
        self._jobs: dict[str, Tile] = {}
        self._file_jobs: set[str] = set()
        self.errors: list[str] = []
        if layer.tree is not None:
            layer.tree.get = self._get_async

    @property
    def max_sse(self) -> float:
        return self.layer.max_sse * self.sse_factor

    def _get_async(self, uri: str) -> bytes:
        """Bytes of a tileset/subtree file fetched in a worker; Pending until then."""
        got = self._files.get(uri)
        if isinstance(got, LoadError):
            raise got
        if got is not None:
            return got
        self._file_jobs.add("file:" + uri)
        self.fetcher.submit("file:" + uri, -1.0, lambda: self.get(uri))
        raise Pending(uri)

    def _take_done(self) -> None:
        for key, result, error in self.fetcher.done():
            if key.startswith("file:"):
                uri = key[5:]
                self._file_jobs.discard(key)
                self._files[uri] = result if error is None else (
                    error if isinstance(error, LoadError) else LoadError(str(error), None))
                if error is not None:
                    self._fail_line(self._files[uri].message)
                continue
            tile = self._jobs.pop(key, None)
            if tile is None:
                continue
            if error is not None:
                tile.state = TileState.FAILED
                tile.error = error.message if isinstance(error, LoadError) else \
                    LoadError(translate("LoadError", "cannot decode ({detail})").format(
                        detail=error), None).message
                self._fail_line(tile.error)
                continue
            tile.data = result
            tile.nbytes = result.nbytes
            tile.state = TileState.LOADED
            for w in result.warnings:
                self._fail_line(w, warning=True)
            self.cache.add(tile)
            self.loaded.append(tile)
            if self.classify is None and hasattr(self.layer, "add_features"):
                self.layer.add_features(tile)  # its own features become rows

    def _fail_line(self, line: str, warning: bool = False) -> None:
        if line not in self.errors:
            self.errors.append(line)
            (log.warning if warning else log.error)("%s", line)
            if line not in self.layer.warnings:
                self.layer.warnings.append(line)

    def update(self, view: View) -> Selection:
        """One frame: take finished work in, select, queue fetches, evict. Never blocks."""
        self._take_done()
        if hasattr(self.layer, "commit_features"):
            self.layer.commit_features()  # before the renderer paints by these rows
        root = self.layer.root
        if root is None:
            return self.selection
        self.frame += 1
        sel = select(root, view, self.max_sse, self.frame)
        wanted = {t.key for t in sel.fetch}
        for key in self.fetcher.cancel_queued(wanted | self._file_jobs):
            tile = self._jobs.pop(key, None)
            if tile is not None and tile.state is TileState.QUEUED:
                tile.state = TileState.UNLOADED
        new = 0
        for rank, tile in enumerate(sel.fetch):
            if new >= self.max_new_jobs:
                break
            if tile.state is not TileState.UNLOADED or tile.key in self._jobs:
                continue
            tile.state = TileState.QUEUED
            self._jobs[tile.key] = tile
            self.fetcher.submit(tile.key, tile.level * 1000.0 + rank,
                                lambda t=tile: self._load(t))
            new += 1
        # what is drawn, and its ancestors: when the SSE goes up again the coarser tile
        # is there at once, instead of a hole while it is fetched again
        keep = set()
        for t in sel.draw:
            while t is not None and id(t) not in keep:
                keep.add(id(t))
                t = t.parent
        self.evicted += self.cache.evict(keep)
        # past the budget: refine less (coarser tiles), never hold more memory. What
        # counts is what this view needs (drawn tiles and their ancestors): a cache full
        # of tiles from earlier views is how an LRU cache is meant to be, and those go
        # first when new ones come
        needed = self.cache.bytes_of(keep)
        if self.cache.over or needed > 0.95 * self.cache.budget:
            self.sse_factor = min(self.sse_factor * 1.25, MAX_SSE_FACTOR)
        elif self.sse_factor > 1.0 and needed < 0.5 * self.cache.budget:
            self.sse_factor = max(1.0, self.sse_factor / 1.05)
        self.selection = sel
        return sel

    def _load(self, tile: Tile):
        tile.state = TileState.LOADING
        data = {}

        def get(uri: str) -> bytes:
            data[uri] = self.get(uri)
            tile.state = TileState.PARSING
            return data[uri]

        return decode_content(tile.content, get, self.classify)

    @property
    def in_flight(self) -> int:
        """Tiles being fetched or decoded now."""
        return len(self._jobs)

    @property
    def busy(self) -> bool:
        """Whether work is queued or running for this layer."""
        return bool(self._jobs) or self.fetcher.busy > 0

    def settled(self) -> bool:
        """Whether the last selection wants nothing more (all its tiles loaded or failed)."""
        return not self._jobs and not any(
            t.state in (TileState.UNLOADED, TileState.QUEUED) for t in self.selection.fetch)

    def wait(self, view: View, timeout: float = 30.0, on_frame=None) -> bool:
        """Update until the view's tiles are in (True) or ``timeout`` seconds pass."""
        end = time.monotonic() + timeout
        while True:
            self.update(view)
            if on_frame is not None:
                on_frame()
            if self.settled() and self.fetcher.busy == 0:
                self.update(view)  # what the last jobs made possible (children) ...
                if self.settled() and self.fetcher.busy == 0:
                    return True
            if time.monotonic() > end:
                return False
            time.sleep(0.005)

    def take_loaded(self) -> list[Tile]:
        out, self.loaded = self.loaded, []
        return out

    def take_evicted(self) -> list[Tile]:
        out, self.evicted = self.evicted, []
        return out

    def stats(self) -> Stats:
        tiles = self.selection.draw
        failed = sum(1 for t in self.layer.root.walk() if t.state is TileState.FAILED) \
            if self.layer.root is not None else 0
        return Stats(len(tiles), self.selection.deepest, self.cache.resident, len(self._jobs),
                     failed, sum(t.data.triangles for t in tiles if t.data is not None),
                     self.sse_factor, list(self.errors))

    def close(self) -> None:
        if self._own_fetcher:
            self.fetcher.close()
