"""Lots of the demo district and what stands on them: compounds, buildings, population.

Every block between four roads is split into one to three lots; each lot is a
residential compound (小区) or a school, commercial or office lot, with a gate on one
road and a grid of building rows inside.  The functions here are called in the order
:func:`twinviewer.demo.generator._layout` gives, all drawing from one generator, so
the order of the draws is part of the output.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twinviewer.demo.names import _BRANDS, _PROPERTY, _SCHOOL_SUFFIX, _compound_names
from twinviewer.demo.streets import _Grid
from twinviewer.demo.tables import _choice, _group_rank, _Table

_LANE = 12.0          # internal lane between neighbouring lots of one block (m)

# Lot kinds: 0 walk-up, 1 tower, 2 mid-rise (all 小区), 3 school, 4 commercial, 5 office.
_P_KIND = np.array([0.44, 0.24, 0.12, 0.06, 0.08, 0.06])
_RESIDENTIAL = np.array([True, True, True, False, False, False])
_LEN = np.array([[42, 58], [26, 34], [36, 48], [45, 60], [40, 60], [30, 40]], float)
_DEP = np.array([[10, 12], [15, 19], [12, 14], [14, 18], [30, 48], [24, 34]], float)
_GAPX = np.array([9.0, 20.0, 14.0, 25.0, 15.0, 25.0])
_GAPY = np.array([21.0, 40.0, 30.0, 30.0, 20.0, 30.0])
_MARGIN = np.array([8.0, 10.0, 9.0, 15.0, 8.0, 12.0])
_FLOORS = np.array([[5, 6], [18, 33], [11, 14], [3, 5], [2, 5], [12, 30]])
_CAP = np.array([10_000, 10_000, 10_000, 4, 4, 3])
_YEARS = np.array([[1978, 1998], [2000, 2020], [1994, 2010], [1985, 2015], [1995, 2022],
                   [2002, 2022]])
_KIND_CLASS = np.array(["住宅楼", "住宅楼", "住宅楼", "学校", "商业楼", "办公楼"], dtype=object)


@dataclass
class _Lots:
    """The lots of all blocks in local metres, with their gates, kinds and names.

    A gate sits at (``gx``, ``gy``) on the lot's edge; (``inx``, ``iny``) points into
    the lot and (``latx``, ``laty``) along its edge.
    """

    lx0: np.ndarray
    ly0: np.ndarray
    lx1: np.ndarray
    ly1: np.ndarray
    sy: np.ndarray          # lot split along y (gate on an east or west edge)
    hi: np.ndarray          # gate on the lot's high edge
    gx: np.ndarray
    gy: np.ndarray
    inx: np.ndarray
    iny: np.ndarray
    latx: np.ndarray
    laty: np.ndarray
    groad: np.ndarray       # road each gate opens onto
    road_name: np.ndarray
    kind: np.ndarray        # lot kind: 0 walk-up, 1 tower, 2 mid-rise, 3 school, ...
    res: np.ndarray         # residential compound
    res_idx: np.ndarray
    lot_name: np.ndarray
    lane_addr: np.ndarray   # 弄 address of the gate

    def __len__(self) -> int:
        return len(self.kind)


@dataclass
class _Buildings:
    """Per building: its lot, footprint centre and size, kind and occupants."""

    lot: np.ndarray
    slot: np.ndarray
    cx: np.ndarray
    cy: np.ndarray
    bl: np.ndarray
    bd: np.ndarray
    bkind: np.ndarray
    service: np.ndarray     # a compound's community service centre
    height: np.ndarray
    is_home: np.ndarray
    households: np.ndarray
    people: np.ndarray
    bname: np.ndarray
    compound_of: np.ndarray

    def __len__(self) -> int:
        return len(self.lot)


def _lots(g: _Grid, rng: np.random.Generator) -> _Lots:
    """Split every block into lots, place their gates and pick their kinds and names."""
    nx, ny = g.nx, g.ny
    bi, bj = (a.ravel() for a in np.meshgrid(np.arange(nx), np.arange(ny), indexing="ij"))
    bx0 = g.xs[bi] + g.hw_v(bi) + 1.0
    bx1 = g.xs[bi + 1] - g.hw_v(bi + 1) - 1.0
    by0 = g.ys[bj] + g.hw_h(bj) + 1.0
    by1 = g.ys[bj + 1] - g.hw_h(bj + 1) - 1.0
    split_y = (by1 - by0) > (bx1 - bx0)
    long = np.where(split_y, by1 - by0, bx1 - bx0)
    nmax = np.clip(np.floor((long + _LANE) / (100.0 + _LANE)), 1, 3).astype(np.int64)
    nlot = np.minimum(1 + rng.binomial(2, 0.55, len(bi)), nmax)
    blk = np.repeat(np.arange(len(bi)), nlot)
    k = np.arange(nlot.sum()) - np.repeat(np.cumsum(nlot) - nlot, nlot)
    size = ((long - (nlot - 1) * _LANE) / nlot)[blk]
    off = k * (size + _LANE)
    sy = split_y[blk]
    lx0 = np.where(sy, bx0[blk], bx0[blk] + off)
    lx1 = np.where(sy, bx1[blk], lx0 + size)
    ly0 = np.where(sy, by0[blk] + off, by0[blk])
    ly1 = np.where(sy, ly0 + size, by1[blk])
    nl = len(blk)
    li, lj = bi[blk], bj[blk]

    # gates: on the lot's low or high edge across the split axis, facing that road
    hi = rng.random(nl) < 0.4
    gx = np.where(sy, np.where(hi, lx1, lx0), (lx0 + lx1) / 2.0)
    gy = np.where(sy, (ly0 + ly1) / 2.0, np.where(hi, ly1, ly0))
    inx = np.where(sy, np.where(hi, -1.0, 1.0), 0.0)     # inward unit vector
    iny = np.where(sy, 0.0, np.where(hi, -1.0, 1.0))
    latx, laty = np.where(sy, 0.0, 1.0), np.where(sy, 1.0, 0.0)   # along the edge
    groad = np.where(sy, np.where(hi, li + 1, li), nx + 1 + np.where(hi, lj + 1, lj))
    gpos = np.where(sy, gy - g.ys[0], gx - g.xs[0])
    house = 2 * np.floor(gpos / 10.0).astype(np.int64) + np.where(hi, 1, 2)
    road_name = g.names[groad]

    kind = rng.choice(len(_P_KIND), size=nl, p=_P_KIND)
    # every district has at least one school, shopping centre and office lot
    spare = rng.permutation(np.flatnonzero(_RESIDENTIAL[kind]))
    missing = [kk for kk in (3, 4, 5) if not (kind == kk).any()]
    if len(spare) > 2 * len(missing):
        kind[spare[:len(missing)]] = missing
    res = _RESIDENTIAL[kind]
    res_idx = np.flatnonzero(res)
    lot_name = np.empty(nl, dtype=object)
    lot_name[res_idx] = _compound_names(len(res_idx), rng)
    brand = _choice(_BRANDS, rng, nl)
    school = _choice(_SCHOOL_SUFFIX, rng, nl)
    for kk in np.flatnonzero(~res):
        if kind[kk] == 3:
            lot_name[kk] = f"{road_name[kk]}{school[kk]}"
        elif kind[kk] == 4:
            lot_name[kk] = f"{brand[kk]}广场"
        else:
            lot_name[kk] = f"{brand[kk]}大厦"
    lane_addr = np.array([f"{r}{h}弄" for r, h in zip(road_name, house, strict=True)], dtype=object)
    return _Lots(lx0, ly0, lx1, ly1, sy, hi, gx, gy, inx, iny, latx, laty, groad, road_name,
                 kind, res, res_idx, lot_name, lane_addr)


def _buildings(g: _Grid, lots: _Lots, rng: np.random.Generator) -> tuple[_Buildings, _Table]:
    """A grid of building rows in every lot; the buildings and their layer."""
    lx0, ly0, lx1, ly1, sy, hi = lots.lx0, lots.ly0, lots.lx1, lots.ly1, lots.sy, lots.hi
    kind, res, lot_name, lane_addr = lots.kind, lots.res, lots.lot_name, lots.lane_addr
    road_name = lots.road_name
    nl = len(lots)
    wl, hl = lx1 - lx0, ly1 - ly0
    m = _MARGIN[kind]
    ax, ay = wl - 2 * m, hl - 2 * m
    blen = np.minimum(rng.uniform(_LEN[kind, 0], _LEN[kind, 1]), ax)
    bdep = np.minimum(rng.uniform(_DEP[kind, 0], _DEP[kind, 1]), ay)
    gapx, gapy = _GAPX[kind], _GAPY[kind]
    ncol = np.maximum(np.floor((ax + gapx) / (blen + gapx)), 1).astype(np.int64)
    nrow = np.maximum(np.floor((ay + gapy) / (bdep + gapy)), 1).astype(np.int64)
    slackx = (ax - (ncol * blen + (ncol - 1) * gapx)) / 2.0
    slacky = (ay - (nrow * bdep + (nrow - 1) * gapy)) / 2.0
    nfull = ncol * nrow
    lot = np.repeat(np.arange(nl), nfull)
    slot = np.arange(nfull.sum()) - np.repeat(np.cumsum(nfull) - nfull, nfull)
    keep = (slot < _CAP[kind][lot]) & ((slot == 0) | ~res[lot] | (rng.random(len(lot)) > 0.07))
    lot, slot = lot[keep], slot[keep]
    col, row = slot % ncol[lot], slot // ncol[lot]
    jx = rng.uniform(-1.0, 1.0, len(lot)) * np.minimum(slackx[lot], 1.5)
    jy = rng.uniform(-1.0, 1.0, len(lot)) * np.minimum(slacky[lot], 1.5)
    cx = lx0[lot] + m[lot] + slackx[lot] + col * (blen[lot] + gapx[lot]) + blen[lot] / 2 + jx
    cy = ly0[lot] + m[lot] + slacky[lot] + row * (bdep[lot] + gapy[lot]) + bdep[lot] / 2 + jy
    bl, bd = blen[lot], bdep[lot]
    bkind = kind[lot]
    nb = len(lot)

    lot_floor = np.where(rng.random(nl) < 0.8, 6, 5)
    floors = rng.integers(_FLOORS[bkind, 0], _FLOORS[bkind, 1] + 1)
    floors = np.where(bkind == 0, lot_floor[lot], floors)
    bclass = _KIND_CLASS[bkind].copy()
    service = res[lot] & (slot == 0) & (rng.random(nl) < 0.2)[lot]
    bclass[service] = "社区服务中心"
    floors[service] = rng.integers(2, 4, int(service.sum()))
    height = np.round(floors * 3.0 + rng.uniform(0.3, 1.5, nb), 1)
    lot_year = rng.integers(_YEARS[kind, 0], _YEARS[kind, 1] + 1)
    year = lot_year[lot] + rng.integers(0, 3, nb)
    is_home = bclass == "住宅楼"
    per_floor = np.where(bkind == 1, rng.integers(4, 9, nb),
                         2 * np.maximum(1, np.round(bl / np.where(bkind == 0, 13.0, 12.0))))
    households = np.where(is_home, floors * per_floor, 0).astype(np.int64)
    people = np.round(households * rng.uniform(2.0, 2.8, nb)).astype(np.int64)

    num = _group_rank(lot, is_home)                 # 1.. among a compound's homes
    idx_in_lot = _group_rank(lot, np.ones(nb, bool)) - 1
    homes_per_lot = np.bincount(lot[is_home], minlength=nl)
    bname = np.empty(nb, dtype=object)
    baddr = np.empty(nb, dtype=object)
    bpos = np.where(sy[lot], cy - g.ys[0], cx - g.xs[0])
    for b in range(nb):
        lt = lot[b]
        ln = lot_name[lt]
        if is_home[b]:
            bname[b] = f"{ln}{num[b]}号楼"
            baddr[b] = f"{lane_addr[lt]}{num[b]}号"
        elif service[b]:
            bname[b] = f"{ln}社区服务中心"
            baddr[b] = f"{lane_addr[lt]}{homes_per_lot[lt] + 1}号"
        else:
            letter = "ABCDEFGH"[idx_in_lot[b]] if idx_in_lot[b] < 8 else str(idx_in_lot[b] + 1)
            bname[b] = f"{ln}{idx_in_lot[b] + 1}号楼" if bkind[b] == 3 else f"{ln}{letter}座"
            hn = 2 * int(bpos[b] // 10.0) + (1 if hi[lt] else 2)
            baddr[b] = f"{road_name[lt]}{hn}号"
    compound_of = np.where(res[lot], lot_name[lot], "")
    table = _Table("buildings", "Polygon", np.column_stack(
        [cx - bl / 2, cy - bd / 2, cx + bl / 2, cy + bd / 2]), {
        "名称": bname, "地址": baddr, "小区": compound_of.astype(object), "类别": bclass,
        "层数": floors.astype(np.int32), "高度": height.astype(float),
        "户数": households.astype(np.int32), "人口": people.astype(np.int32),
        "建成年份": year.astype(np.int32),
    })
    return _Buildings(lot, slot, cx, cy, bl, bd, bkind, service, height, is_home, households,
                      people, bname, compound_of), table


def _compounds(lots: _Lots, b: _Buildings, rng: np.random.Generator) -> _Table:
    """The residential compounds (小区) with their households, people and buildings."""
    lx0, ly0, lx1, ly1 = lots.lx0, lots.ly0, lots.lx1, lots.ly1
    lot_name, lane_addr, nl = lots.lot_name, lots.lane_addr, len(lots)
    lot, households, people = b.lot, b.households, b.people
    hh_lot = np.bincount(lot, weights=households, minlength=nl).astype(np.int64)
    pop_lot = np.bincount(lot, weights=people, minlength=nl).astype(np.int64)
    nb_lot = np.bincount(lot, minlength=nl)
    r = lots.res_idx
    return _Table("compounds", "Polygon", np.column_stack(
        [lx0[r], ly0[r], lx1[r], ly1[r]]), {
        "名称": lot_name[r], "地址": lane_addr[r],
        "物业公司": _choice(_PROPERTY, rng, len(r)),
        "户数": hh_lot[r].astype(np.int32), "人口": pop_lot[r].astype(np.int32),
        "楼栋数": nb_lot[r].astype(np.int32),
        "类别": np.full(len(r), "小区", dtype=object),
    })


def _population(b: _Buildings, rng: np.random.Generator) -> _Table:
    """Population: one point per residential building, above its roof."""
    is_home, households, people, bkind = b.is_home, b.households, b.people, b.bkind
    cx, cy, bname, compound_of, height = b.cx, b.cy, b.bname, b.compound_of, b.height
    h = np.flatnonzero(is_home)
    hh, pp = households[h], people[h]
    old = bkind[h] == 0
    return _Table("population", "Point", np.column_stack([cx[h], cy[h]]), {
        "类别": np.full(len(h), "人口", dtype=object),
        "楼栋": bname[h], "小区": compound_of[h].astype(object),
        "户数": hh.astype(np.int32), "人口": pp.astype(np.int32),
        "独居老人": rng.binomial(hh, np.where(old, 0.06, 0.02)).astype(np.int32),
        "残疾人": rng.binomial(pp, 0.012).astype(np.int32),
        "八十岁以上": rng.binomial(pp, np.where(old, 0.05, 0.025)).astype(np.int32),
    }, z=height[h] + 2.0)
