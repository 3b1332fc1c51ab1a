"""Ground tiles read and triangulated in a worker pool, with a byte budget.

Tile states change on the calling (GUI) thread only: :meth:`GroundLoader.request`
marks tiles ``loading`` and hands them to the pool, :meth:`GroundLoader.collect`
takes the finished ones (``loaded``, or ``failed`` with the message), and
:meth:`GroundLoader.evict` drops the least recently used contents beyond the budget.
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import Future, ThreadPoolExecutor

from twinviewer.ground.content import build_tile
from twinviewer.ground.pyramid import GroundPyramid
from twinviewer.tiles.tile import Tile, TileState

log = logging.getLogger(__name__)

BUDGET_BYTES = 256 * 1024 * 1024


class GroundLoader:
    """Loads the contents of a :class:`GroundPyramid`'s tiles off the GUI thread.

    Parameters
    ----------
    pyramid : GroundPyramid
        The tiles' tree.
    workers : int, optional
        Threads; default: the CPU count, at most 4.
    budget : int
        Bytes of loaded content kept (the LRU beyond it is dropped).
    """

    def __init__(self, pyramid: GroundPyramid, workers: int | None = None,
                 budget: int = BUDGET_BYTES, in_flight: int = 8) -> None:
        self.pyramid = pyramid
        self.budget = budget
        self.in_flight = in_flight
        self._pool = ThreadPoolExecutor(max_workers=workers or min(os.cpu_count() or 2, 4),
                                        thread_name_prefix="ground")
        self._futures: dict[Future, Tile] = {}
        self.loaded: dict[str, Tile] = {}
        self.bytes = 0
        self.failed: list[str] = []

    @property
    def busy(self) -> bool:
        return bool(self._futures)

    def request(self, tiles: list[Tile]) -> int:
        """Start loading ``tiles`` (most urgent first) while fewer than ``in_flight``
        run; returns how many started."""
        started = 0
        for tile in tiles:
            if len(self._futures) >= self.in_flight:
                break
            if tile.state not in (TileState.UNLOADED, TileState.QUEUED):
                continue
            tile.state = TileState.LOADING
            self._futures[self._pool.submit(build_tile, self.pyramid, tile.content)] = tile
            started += 1
        return started

    def collect(self, wait: float | None = None) -> list[Tile]:
        """Tiles whose loading finished since the last call (``wait``: seconds to wait
        for at least one when some are running)."""
        if wait and self._futures:
            from concurrent.futures import FIRST_COMPLETED
            from concurrent.futures import wait as wait_for

            wait_for(list(self._futures), timeout=wait, return_when=FIRST_COMPLETED)
        done = [f for f in self._futures if f.done()]
        out = []
        for fut in done:
            tile = self._futures.pop(fut)
            try:
                content = fut.result()
            except Exception as exc:  # a damaged block, GDAL out of memory: a state
                tile.state = TileState.FAILED
                tile.error = " ".join(str(exc).split())[:300] or type(exc).__name__
                self.failed.append(f"{tile.key}: {tile.error}")
                log.warning("ground tile %s failed: %s", tile.key, tile.error)
                continue
            tile.data = content
            tile.nbytes = content.nbytes
            tile.geometric_error = content.error
            if content.bounds is not None:
                tile.bounds = content.bounds
            tile.state = TileState.LOADED
            self.loaded[tile.key] = tile
            self.bytes += tile.nbytes
            out.append(tile)
        return out

    def evict(self, keep: set[str]) -> list[Tile]:
        """Drop least recently used contents (never those in ``keep``) until under
        the budget; returns the tiles dropped."""
        if self.bytes <= self.budget:
            return []
        dropped = []
        for tile in sorted(self.loaded.values(), key=lambda t: t.last_used):
            if self.bytes <= self.budget:
                break
            if tile.key in keep:
                continue
            self.loaded.pop(tile.key)
            self.bytes -= tile.nbytes
            tile.data = None
            tile.nbytes = 0
            tile.state = TileState.UNLOADED
            dropped.append(tile)
        return dropped

    def close(self) -> None:
        """Cancel queued tiles and wait for the running ones (each reads one window), so
        that no worker reads a raster the scene closes next."""
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._futures.clear()
