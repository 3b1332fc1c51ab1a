"""The resident tiles within a byte budget, least recently used evicted first.

A tile's bytes are what its decoded arrays hold (``Tile.nbytes``) plus what the renderer
charges for its own copies once it draws the tile (:meth:`TileCache.charge`: VTK's
arrays, the GL driver's buffers and textures, which with a software driver live in
system memory too), so the budget bounds the process's memory, not just the decoded
arrays. The cache never
evicts a tile drawn in the current frame; when those alone pass the budget it says so
(:attr:`TileCache.over`), and the streamer raises the screen-space error it refines to,
so memory stays within the budget and the picture gets coarser instead.
"""

from __future__ import annotations

from twinviewer.tiles.tile import Tile, TileState


class TileCache:
    """Loaded tiles and their bytes.

    Parameters
    ----------
    budget_bytes : int
        The most the resident tiles may hold.
    """

    def __init__(self, budget_bytes: int) -> None:
        self.budget = int(budget_bytes)
        self._tiles: dict[int, Tile] = {}
        self.resident = 0
        self.over = False

    def __len__(self) -> int:
        return len(self._tiles)

    def __contains__(self, tile: Tile) -> bool:
        return id(tile) in self._tiles

    def add(self, tile: Tile) -> None:
        if id(tile) not in self._tiles:
            self._tiles[id(tile)] = tile
            self.resident += tile.nbytes

    def charge(self, tile: Tile, extra: int) -> None:
        """Count ``extra`` more bytes for a resident tile (the renderer's copies of it);
        they go when the tile is dropped. A tile no longer resident is not charged."""
        if id(tile) in self._tiles and extra > 0:
            tile.nbytes += int(extra)
            self.resident += int(extra)

    def drop(self, tile: Tile) -> None:
        """Forget a tile's content (it becomes unloaded and may be fetched again)."""
        if self._tiles.pop(id(tile), None) is not None:
            self.resident -= tile.nbytes
            tile.evicted_bytes = tile.nbytes
        tile.data = None
        tile.nbytes = 0
        if tile.state is TileState.LOADED:
            tile.state = TileState.UNLOADED

    def evict(self, keep: set[int]) -> list[Tile]:
        """Evict least recently used tiles not in ``keep`` (ids of tiles drawn now)
        until the resident bytes fit the budget. Returns the evicted tiles."""
        out: list[Tile] = []
        if self.resident > self.budget:
            for tile in sorted(self._tiles.values(), key=lambda t: t.last_used):
                if self.resident <= self.budget:
                    break
                if id(tile) in keep:
                    continue
                self.drop(tile)
                out.append(tile)
        self.over = self.resident > self.budget
        return out

    def bytes_of(self, ids: set[int]) -> int:
        """Bytes of the resident tiles among ``ids`` (tile ids, e.g. those drawn now)."""
        return sum(t.nbytes for k, t in self._tiles.items() if k in ids)

    def tiles(self) -> list[Tile]:
        return list(self._tiles.values())
