"""The demo district's street grid: named roads of three grades and both sides of each.

:class:`_Grid` holds the road centrelines, :class:`_Sides` both kerbs of every road
segment (where street furniture stands), and the tree helpers pick the tree spacing
that brings the district to its object count.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from twinviewer.demo.names import _EW_STEMS, _NS_STEMS, _road_names
from twinviewer.demo.tables import _Table

GRADES = ("主干路", "次干路", "支路")
_WIDTHS = np.array([[36.0, 40.0, 44.0], [24.0, 26.0, 30.0], [12.0, 16.0, 18.0]])
_LAMP_SPACING = 30.0  # lamp posts along each side of a road (m)
_LAMP_MARGIN = 6.0
_CORNER = 3.0         # furniture keeps this far from the cross road's red line (m)
TREE_SPACING = (6.0, 12.0)


@dataclass
class _Grid:
    xs: np.ndarray          # x of the north-south road centrelines
    ys: np.ndarray          # y of the east-west road centrelines
    names: np.ndarray       # road names: north-south roads first, then east-west
    grade: np.ndarray       # index into GRADES per road
    width: np.ndarray       # red-line width per road (m)

    @property
    def nx(self) -> int:
        return len(self.xs) - 1

    @property
    def ny(self) -> int:
        return len(self.ys) - 1

    def hw_v(self, i):
        return self.width[i] / 2.0

    def hw_h(self, j):
        return self.width[self.nx + 1 + j] / 2.0


@dataclass
class _Sides:
    """Both sides of every road segment, clipped clear of the intersections.

    A point at distance ``t`` along side ``k`` and ``d`` from the road centreline is
    ``(x0 + dx t + nx d, y0 + dy t + ny d)``.
    """

    x0: np.ndarray
    y0: np.ndarray
    dx: np.ndarray
    dy: np.ndarray
    nx: np.ndarray
    ny: np.ndarray
    length: np.ndarray
    curb: np.ndarray        # distance centreline -> kerb
    sidewalk: np.ndarray    # kerb -> red line
    road: np.ndarray
    grade: np.ndarray
    sign: np.ndarray        # +1 left, -1 right of the segment direction

    def at(self, k, t, d):
        return (self.x0[k] + self.dx[k] * t + self.nx[k] * d,
                self.y0[k] + self.dy[k] * t + self.ny[k] * d)

    def lamp_lead(self) -> np.ndarray:
        """Distance of the first lamp post along each side (see :meth:`along`)."""
        usable = self.length - 2.0 * _LAMP_MARGIN
        n = np.where(usable >= 0.0, np.floor(usable / _LAMP_SPACING) + 1, 1)
        return _LAMP_MARGIN + (usable - (n - 1) * _LAMP_SPACING) / 2.0

    def clear_of_lamps(self, k, t, gap: float = 2.0) -> np.ndarray:
        """``t`` moved along its side to stand at least ``gap`` m from any lamp post."""
        d = np.mod(t - self.lamp_lead()[k], _LAMP_SPACING)
        t = np.where(d < gap, t + (gap - d),
                     np.where(d > _LAMP_SPACING - gap, t - (d - (_LAMP_SPACING - gap)), t))
        return np.clip(t, 0.0, self.length[k])

    def along(self, spacing, margin, mask=None):
        """Side index and distance of points every ``spacing`` m, ``margin`` m from the ends."""
        sides = np.arange(len(self.length)) if mask is None else np.flatnonzero(mask)
        usable = self.length[sides] - 2.0 * margin
        n = np.where(usable >= 0.0, np.floor(usable / spacing).astype(np.int64) + 1, 0)
        k = np.repeat(sides, n)
        local = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
        lead = margin + (usable - (n - 1) * spacing) / 2.0
        return k, np.repeat(lead, n) + local * spacing


def _grades(n: int) -> np.ndarray:
    g = np.full(n, 2, dtype=np.int64)
    g[::2] = 1
    g[::4] = 0
    g[0] = g[-1] = 0
    return g


def _grid_shape(blocks: int) -> tuple[int, int]:
    blocks = max(blocks, 4)
    ny = max(2, round(math.sqrt(blocks / 1.25)))
    best = None
    for cy in range(max(2, ny - 2), ny + 3):
        cx = max(2, round(blocks / cy))
        score = abs(cx * cy - blocks) / blocks + 0.15 * abs(math.log(cx / cy / 1.25))
        if best is None or score < best[0]:
            best = (score, (cx, cy))
    return best[1]



def _make_grid(nx: int, ny: int, rng) -> _Grid:
    xs = np.concatenate([[0.0], np.cumsum(rng.uniform(250.0, 360.0, nx))])
    ys = np.concatenate([[0.0], np.cumsum(rng.uniform(210.0, 310.0, ny))])
    grade = np.concatenate([_grades(nx + 1), _grades(ny + 1)])
    width = _WIDTHS[grade, rng.integers(0, 3, len(grade))]
    names = np.array(_road_names(_NS_STEMS, nx + 1, rng) + _road_names(_EW_STEMS, ny + 1, rng),
                     dtype=object)
    return _Grid(xs, ys, names, grade, width)


def _segments(g: _Grid) -> dict[str, np.ndarray]:
    nx, ny = g.nx, g.ny
    iv, jv = (a.ravel() for a in np.meshgrid(np.arange(nx + 1), np.arange(ny), indexing="ij"))
    jh, ih = (a.ravel() for a in np.meshgrid(np.arange(ny + 1), np.arange(nx), indexing="ij"))
    return {
        "x0": np.concatenate([g.xs[iv], g.xs[ih]]),
        "y0": np.concatenate([g.ys[jv], g.ys[jh]]),
        "x1": np.concatenate([g.xs[iv], g.xs[ih + 1]]),
        "y1": np.concatenate([g.ys[jv + 1], g.ys[jh]]),
        "dx": np.concatenate([np.zeros(len(iv)), np.ones(len(ih))]),
        "dy": np.concatenate([np.ones(len(iv)), np.zeros(len(ih))]),
        "road": np.concatenate([iv, nx + 1 + jh]),
        # half widths of the cross roads at the start and end of each segment
        "c0": np.concatenate([g.hw_h(jv), g.hw_v(ih)]),
        "c1": np.concatenate([g.hw_h(jv + 1), g.hw_v(ih + 1)]),
    }


def _make_sides(g: _Grid, seg: dict[str, np.ndarray]) -> _Sides:
    n = len(seg["x0"])
    sign = np.concatenate([np.ones(n), -np.ones(n)])
    s = np.concatenate([np.arange(n), np.arange(n)])
    dx, dy = seg["dx"][s], seg["dy"][s]
    length = np.hypot(seg["x1"] - seg["x0"], seg["y1"] - seg["y0"])[s]
    c0 = seg["c0"][s] + _CORNER
    c1 = seg["c1"][s] + _CORNER
    road = seg["road"][s]
    width = g.width[road]
    sidewalk = np.clip(width * 0.12, 2.5, 5.0)
    return _Sides(
        x0=seg["x0"][s] + dx * c0, y0=seg["y0"][s] + dy * c0, dx=dx, dy=dy,
        nx=-dy * sign, ny=dx * sign, length=np.maximum(length - c0 - c1, 0.0),
        curb=width / 2.0 - sidewalk, sidewalk=sidewalk, road=road, grade=g.grade[road],
        sign=sign,
    )



def _roads(g: _Grid, seg: dict[str, np.ndarray]) -> _Table:
    """The road layer: one line per road segment between two crossings."""
    return _Table("roads", "LineString", np.stack(
        [np.column_stack([seg["x0"], seg["y0"]]), np.column_stack([seg["x1"], seg["y1"]])],
        axis=1), {
        "名称": g.names[seg["road"]],
        "等级": np.asarray(GRADES, dtype=object)[g.grade[seg["road"]]],
        "宽度": g.width[seg["road"]],
        "类别": np.full(len(seg["road"]), "道路", dtype=object),
    })


def _gate_sides(sides: _Sides, groad, gx, gy) -> np.ndarray:
    """The road side each gate opens onto (nearest side of the gate's road)."""
    # side mid points; pick per gate the nearest side belonging to its road
    mx = sides.x0 + sides.dx * sides.length / 2 + sides.nx * sides.curb
    my = sides.y0 + sides.dy * sides.length / 2 + sides.ny * sides.curb
    order = np.argsort(sides.road, kind="stable")
    starts = np.searchsorted(sides.road[order], np.arange(sides.road.max() + 2))
    out = np.empty(len(groad), dtype=np.int64)
    for road in np.unique(groad):
        cand = order[starts[road]:starts[road + 1]]
        gates = np.flatnonzero(groad == road)
        d = (mx[cand][None, :] - gx[gates, None]) ** 2 + (my[cand][None, :] - gy[gates, None]) ** 2
        out[gates] = cand[np.argmin(d, axis=1)]
    return out


def _tree_count(sides: _Sides, spacing: float) -> int:
    usable = sides.length - 2.0 * 4.0
    return int(np.where(usable >= 0, np.floor(usable / spacing) + 1, 0).sum())


def _tree_spacing(sides: _Sides, need: int) -> float:
    """The widest spacing in TREE_SPACING that still plants ``need`` trees (clamped)."""
    lo, hi = TREE_SPACING
    if need <= _tree_count(sides, hi):
        return hi
    if need > _tree_count(sides, lo):
        return lo
    for _ in range(50):
        mid = (lo + hi) / 2.0
        if _tree_count(sides, mid) >= need:
            lo = mid
        else:
            hi = mid
    return lo
