"""Which tiles to draw and which to fetch, by screen-space error, as CesiumJS selects them.

The camera comes as plain numbers (:class:`View`), so the traversal runs anywhere: in
the window, offscreen in ``render``/``video``, in benchmarks and tests. One traversal
serves every tiled layer (3D Tiles, converted OSGB, terrain and imagery pyramids).

- SSE of a tile = geometric error x viewport height / (distance x 2 tan(fov_y / 2)).
- A tile whose SSE is above ``max_sse`` is refined into its children.
- REPLACE keeps a tile drawn until every visible child can cover its area, so a
  view never shows holes while children stream in; ADD draws parent and children.
- Tiles outside the view frustum are neither drawn nor fetched.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from twinviewer.tiles.tile import ADD, Tile, TileState


@dataclass(frozen=True)
class View:
    """A perspective camera in local scene coordinates.

    Parameters
    ----------
    position, focal_point, up : sequence of float
        As VTK's camera gives them.
    fov_y : float
        Vertical view angle in degrees (VTK's ``GetViewAngle``), default 30.
    width, height : int
        Viewport size in pixels.
    """

    position: tuple[float, float, float]
    focal_point: tuple[float, float, float]
    up: tuple[float, float, float] = (0.0, 0.0, 1.0)
    fov_y: float = 30.0
    width: int = 1600
    height: int = 1000

    def __post_init__(self) -> None:
        eye = np.asarray(self.position, dtype=np.float64)
        fwd = np.asarray(self.focal_point, dtype=np.float64) - eye
        fwd /= max(np.linalg.norm(fwd), 1e-12)
        up = np.asarray(self.up, dtype=np.float64)
        up = up - (up @ fwd) * fwd
        if np.linalg.norm(up) < 1e-9:  # looking straight along "up": any perpendicular
            up = np.cross(fwd, [1.0, 0.0, 0.0] if abs(fwd[0]) < 0.9 else [0.0, 1.0, 0.0])
        up /= np.linalg.norm(up)
        right = np.cross(fwd, up)
        ty = math.tan(math.radians(self.fov_y) / 2.0)
        tx = ty * self.width / max(self.height, 1)
        planes = [ty * fwd - up, ty * fwd + up, tx * fwd - right, tx * fwd + right]
        object.__setattr__(self, "_eye", eye)
        object.__setattr__(self, "_fwd", fwd)
        object.__setattr__(self, "_planes", np.array([p / np.linalg.norm(p) for p in planes]))
        object.__setattr__(self, "_sse_factor", self.height / (2.0 * ty))

    @property
    def eye(self) -> np.ndarray:
        return self._eye  # type: ignore[attr-defined]

    def sees(self, tile: Tile) -> bool:
        """Whether the tile's bounding sphere meets the view frustum (no far plane)."""
        v = tile.bounds.center - self._eye  # type: ignore[attr-defined]
        r = tile.bounds.radius
        if v @ self._fwd < -r:  # type: ignore[attr-defined]
            return False
        return bool(np.all(self._planes @ v >= -r))  # type: ignore[attr-defined]

    def sse(self, tile: Tile) -> float:
        """Screen-space error of drawing ``tile`` instead of its children, in pixels."""
        d = max(tile.bounds.distance_to(self._eye), 1e-6)  # type: ignore[attr-defined]
        return tile.geometric_error * self._sse_factor / d  # type: ignore[attr-defined]


@dataclass
class Selection:
    """The outcome of one traversal.

    ``draw``: tiles whose content is drawn this frame; ``fetch``: tiles to load, most
    urgent first (coarse levels, then large screen-space error); ``visited``: tiles
    looked at; ``deepest``: the deepest level drawn (-1: none).
    """

    draw: list[Tile] = field(default_factory=list)
    fetch: list[Tile] = field(default_factory=list)
    visited: int = 0
    deepest: int = -1


def select(root: Tile, view: View, max_sse: float = 16.0, frame: int = 0) -> Selection:
    """Traverse ``root`` for ``view``: what to draw now and what to fetch next.

    Every visited tile's ``last_used`` becomes ``frame``, which the cache uses to evict
    the least recently used. Unknown children are made (``Tile.expand``) only where the
    traversal wants to refine.
    """
    out = Selection()
    wanted: dict[int, tuple[int, float, Tile]] = {}

    def want(tile: Tile, error: float) -> None:
        if tile.has_content and tile.state in (TileState.UNLOADED, TileState.QUEUED):
            wanted.setdefault(id(tile), (tile.level, -error, tile))

    def draw(tile: Tile) -> None:
        if tile.has_content and tile.state is TileState.LOADED:
            out.draw.append(tile)
            out.deepest = max(out.deepest, tile.level)

    def covers(tile: Tile) -> bool:
        """Whether ``tile`` (or, without content, its visible children) can be drawn."""
        if tile.has_content:
            return tile.state is TileState.LOADED
        if tile.children is None and tile.expander is not None:
            return False  # children not known yet (a file still on its way): no cover
        return all(covers(k) for k in tile.children or [] if view.sees(k))

    def request_cover(tile: Tile, error: float) -> None:
        """Fetch what ``tile`` needs to cover its area: itself, or its first contents."""
        if tile.has_content:
            want(tile, error)
            return
        for kid in tile.expand():
            if view.sees(kid):
                request_cover(kid, view.sse(kid))

    def visit(tile: Tile) -> None:
        out.visited += 1
        tile.last_used = frame
        if not view.sees(tile):
            return
        error = view.sse(tile)
        kids = tile.expand() if error > max_sse else []
        seen = [k for k in kids if view.sees(k)]
        for k in kids:
            k.last_used = frame
        if tile.refine == ADD:
            draw(tile)
            want(tile, error)
            for kid in seen:
                visit(kid)
            return
        if not seen:  # a leaf here, or refined into nothing visible
            if not kids or tile.has_content:
                draw(tile)
                want(tile, error)
            return
        if not tile.has_content or all(covers(k) for k in seen):
            for kid in seen:
                visit(kid)
            return
        # REPLACE with children not ready: keep this tile, fetch what they need
        draw(tile)
        want(tile, error)
        for kid in seen:
            request_cover(kid, view.sse(kid))

    visit(root)
    out.fetch = [t for _, _, t in sorted(wanted.values(), key=lambda w: (w[0], w[1]))]
    return out
