"""Deterministic generator of a fictional Shanghai sub-district (虹梓街道) digital twin.

The district is a grid of named roads (主干路/次干路/支路) whose blocks are split into
lots: residential compounds (小区) filled with rows of six-floor walk-ups, mid-rises or
towers, and a few school, commercial and office lots.  Street furniture stands along
both sides of every road; cameras, sensors, population points, key points and safety
hazards are overlays, and a resident-level layer of special-care residents (重点人群:
names, ID numbers and phone numbers, marked sensitive in the GeoPackage schema) sits
inside the homes, one marker per person at their floor.  Everything is built with numpy arrays (no per-object geometry
loops) from one seeded :class:`numpy.random.Generator`, so the same arguments give the
same file.

The size of the street grid follows the requested object count; the street-tree
spacing (6-12 m) then trims the total to just above the target.

Coordinates are EPSG:32651 (WGS 84 / UTM 51N) around Shanghai's Xuhui/Minhang border.
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyogrio.raw
import shapely
import tomli_w

__all__ = ["generate_district", "DISTRICT_NAME", "CRS"]

DISTRICT_NAME = "虹梓街道"
CRS = "EPSG:32651"
GPKG_NAME = "district.gpkg"
SCENE_NAME = "scene.toml"
# World position of the district centre and the bearing of its street grid
# (counter-clockwise from east, degrees).
CENTRE = (350_260.0, 3_455_140.0)
ROTATION_DEG = 11.0

Progress = Callable[[float, str], None]

# --------------------------------------------------------------------------- names

# North-south and east-west road stems (disjoint so that no two roads share a name).
_NS_STEMS = (
    "桂林", "钦州", "柳州", "宜山", "田林", "古美", "莲花", "桂平", "桂菁", "苍梧", "银都",
    "合川", "龙茗", "吴中", "平南", "桂江", "浦北", "东兰", "南宁", "凯旋", "百色", "梧州",
    "贵港", "玉林", "北流", "容县", "岑溪", "蒙山", "昭平", "钟山", "富川", "兴安", "全州",
    "阳朔", "灵川", "永福", "荔浦", "恭城", "资源", "龙胜", "平乐", "象州", "武宣", "忻城",
)
_EW_STEMS = (
    "漕宝", "虹漕", "田州", "宜州", "漕溪", "零陵", "龙吴", "石龙", "华石", "宛平", "天钥",
    "南丹", "裕德", "嘉川", "康健", "吴兴", "永嘉", "斜土", "丰谷", "天等", "凌云", "靖西",
    "德保", "那坡", "隆林", "西林", "乐业", "田阳", "田东", "平果", "天峨", "凤山", "东山",
    "巴马", "都安", "大化", "环江", "罗城", "融水", "三江", "融安", "梓园", "虹梓", "梅岭",
)
_CN_NUM = ("", "二", "三", "四", "五", "六", "七", "八", "九", "十")

_NAME_A = "康乐华金景长和幸阳春枫桂紫玉海锦明安永兴福瑞嘉泰盛丰宝星翠绿"
_NAME_B = "城湾庭都府居宁和祥晖辉雅佳美秀丽欣怡润泽馨晟逸"
_NAME_SUFFIX = ("小区", "新村", "花园", "公寓", "家园")
_PHASES = ("", "二期", "三期", "四期", "五期", "六期", "七期", "八期", "九期")

_PROPERTY = (
    "上海梓园物业管理有限公司", "上海虹旭物业管理有限公司", "上海康居物业服务有限公司",
    "上海汇成物业管理有限公司", "上海申梓物业管理有限公司", "上海城兴物业服务有限公司",
    "上海嘉和物业管理有限公司", "上海安邻物业服务有限公司", "上海新梅物业管理有限公司",
    "上海虹梓房管所物业服务中心",
)
_BRANDS = ("汇梓", "嘉旭", "星汇", "华亭", "宏梓", "金虹", "锦峰", "瑞丰", "东梓", "新虹",
           "天钥", "申汇", "虹锦", "梓韵")
_SCHOOL_SUFFIX = ("小学", "中学", "实验小学", "初级中学")
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾田董袁潘蒋蔡余杜叶程苏魏吕丁沈任姚卢钟"
_GIVEN = ("伟", "芳", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
          "明", "超", "秀英", "华", "慧", "建国", "建华", "国强", "文", "斌", "宇", "晨", "佳",
          "婷", "浩", "俊", "玉兰", "海燕", "志强", "红梅", "春华", "立新", "卫东", "雯")

# ------------------------------------------------------------------- model constants

GRADES = ("主干路", "次干路", "支路")
_WIDTHS = np.array([[36.0, 40.0, 44.0], [24.0, 26.0, 30.0], [12.0, 16.0, 18.0]])
_LANE = 12.0          # internal lane between neighbouring lots of one block (m)
_LAMP_SPACING = 30.0  # lamp posts along each side of a road (m)
_LAMP_MARGIN = 6.0
_CORNER = 3.0         # furniture keeps this far from the cross road's red line (m)
TREE_SPACING = (6.0, 12.0)

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

FURNITURE_CLASSES = ("路灯", "行道树", "垃圾桶", "电杆", "消防栓", "广告牌", "长椅")
_FURNITURE_PREFIX = {"路灯": "LD", "行道树": "XS", "垃圾桶": "LJ", "电杆": "DG", "消防栓": "XF",
                     "广告牌": "GG", "长椅": "CY"}
_FURNITURE_OWNER = {
    "路灯": "区路灯管理所", "行道树": "区绿化和市容管理局", "垃圾桶": f"{DISTRICT_NAME}环卫所",
    "电杆": "国网上海市区供电公司", "消防栓": "城投水务集团", "广告牌": "区城管执法局",
    "长椅": f"{DISTRICT_NAME}城运中心",
}
SENSOR_TYPES = ("烟感", "水位", "井盖", "噪声", "空气质量")
# Normal and alarm reading ranges per sensor type (烟感 dB/m, 水位 cm, 井盖 tilt degrees,
# 噪声 dB(A), 空气质量 AQI).
_READ_OK = np.array([[0.0, 0.08], [0.0, 5.0], [0.0, 1.5], [50.0, 68.0], [25.0, 90.0]])
_READ_ALARM = np.array([[0.15, 0.6], [15.0, 35.0], [8.0, 25.0], [72.0, 88.0], [150.0, 230.0]])
HAZARD_TYPES = ("消防通道堵塞", "电动车违规充电", "高空坠物", "违章搭建", "井盖缺失")
_SURVEY_DATE = np.datetime64("2026-11-25")


# ------------------------------------------------------------------------ containers


@dataclass
class _Table:
    """One GeoPackage layer in local (unrotated) metres.

    ``coords``: (n, 2) points, (n, 2, 2) line segments or (n, 4) boxes x0, y0, x1, y1.
    """

    table: str
    geometry_type: str
    coords: np.ndarray
    fields: dict[str, np.ndarray]
    z: np.ndarray | None = None  # point heights (e.g. population markers above the roofs)

    def __len__(self) -> int:
        return len(self.coords)


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


@dataclass
class _Points:
    """Accumulates point objects of one overlay class by class-specific parts."""

    x: list = field(default_factory=list)
    y: list = field(default_factory=list)
    cols: dict = field(default_factory=dict)

    def add(self, x, y, **cols) -> None:
        x = np.atleast_1d(np.asarray(x, dtype=float))
        self.x.append(x)
        self.y.append(np.broadcast_to(np.asarray(y, dtype=float), x.shape))
        for key, value in cols.items():
            arr = np.asarray(value)
            if arr.ndim == 0:
                arr = np.full(len(x), value, dtype=object if isinstance(value, str) else None)
            self.cols.setdefault(key, []).append(arr)

    def __len__(self) -> int:
        return int(sum(len(x) for x in self.x))

    def xy(self) -> np.ndarray:
        if not self.x:
            return np.zeros((0, 2))
        return np.column_stack([np.concatenate(self.x), np.concatenate(self.y)])

    def col(self, key: str) -> np.ndarray:
        return np.concatenate(self.cols[key])


@dataclass
class _Layout:
    grid: _Grid
    sides: _Sides
    tables: dict[str, _Table]
    furniture: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]
    rng: np.random.Generator

    def count(self) -> int:
        return sum(len(t) for t in self.tables.values()) + sum(
            len(p[0]) for p in self.furniture.values())


# ------------------------------------------------------------------------- helpers


def _choice(options, rng, n, p=None) -> np.ndarray:
    arr = np.asarray(options, dtype=object)
    return arr[rng.choice(len(arr), size=n, p=p)]


def _group_rank(groups: np.ndarray, flags: np.ndarray) -> np.ndarray:
    """1-based running count of ``flags`` within runs of equal (sorted) ``groups``."""
    if len(groups) == 0:
        return np.zeros(0, dtype=np.int64)
    flags = flags.astype(np.int64)
    cs = np.cumsum(flags)
    first = np.r_[True, groups[1:] != groups[:-1]]
    gid = np.cumsum(first) - 1
    base = (cs - flags)[first]
    return cs - base[gid]


def _road_names(stems, n: int, rng) -> list[str]:
    order = rng.permutation(len(stems))
    names = []
    for k in range(n):
        stem = stems[order[k % len(stems)]]
        r = k // len(stems)
        num = _CN_NUM[r] if r < len(_CN_NUM) else str(r + 1)
        names.append(f"{stem}{num}路")
    return names


def _compound_names(n: int, rng) -> np.ndarray:
    base = [f"{a}{b}{s}" for a in _NAME_A for b in _NAME_B for s in _NAME_SUFFIX if a != b]
    order = rng.permutation(len(base))
    out = np.empty(n, dtype=object)
    for k in range(n):
        r = k // len(base)
        phase = _PHASES[r] if r < len(_PHASES) else f"{r + 1}期"
        out[k] = base[order[k % len(base)]] + phase
    return out


def _person_names(n: int, rng) -> np.ndarray:
    sur = rng.integers(0, len(_SURNAMES), n)
    giv = rng.integers(0, len(_GIVEN), n)
    return np.array([_SURNAMES[a] + _GIVEN[b] for a, b in zip(sur, giv, strict=True)], dtype=object)


_ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
_ID_CHECK = "10X98765432"
_ID_REGIONS = ("310104", "310112")  # 徐汇区, 闵行区
_MOBILE = ("130", "131", "133", "135", "136", "137", "138", "139", "150", "151", "152",
           "158", "159", "177", "180", "186", "187", "189")
SENSITIVE_FIELDS = ("姓名", "身份证号", "电话")
"""Fields of the resident layer marked sensitive in the demo's GeoPackage schema."""


def _id_numbers(age: np.ndarray, female: np.ndarray, rng) -> np.ndarray:
    """18-character resident ID numbers (GB 11643 layout and check character), fictional."""
    n = len(age)
    region = np.asarray(_ID_REGIONS, dtype=object)[rng.integers(0, len(_ID_REGIONS), n)]
    born = np.datetime64("2026-01-01") - (age * 365.25 + rng.integers(0, 365, n)).astype(
        "timedelta64[D]")
    dates = np.datetime_as_string(born, unit="D")
    seq = rng.integers(0, 500, n) * 2 + np.where(female, 0, 1)  # odd: male, even: female
    out = np.empty(n, dtype=object)
    for k in range(n):
        body = f"{region[k]}{dates[k].replace('-', '')}{seq[k]:03d}"
        check = _ID_CHECK[int(np.dot(_ID_WEIGHTS, [int(c) for c in body])) % 11]
        out[k] = body + check
    return out


def _residents(buildings: _Table, rng) -> _Table:
    """Special-care residents (重点人群) of the homes: a few per hundred households.

    Drawn from their own generator, so the other layers do not change with them.
    Points lie inside their building's footprint, at their floor.
    """
    f = buildings.fields
    homes = np.flatnonzero(f["类别"] == "住宅楼")
    per = rng.poisson(np.clip(f["户数"][homes] / 100.0, 0.2, 2.0))
    b = np.repeat(homes, per)
    n = len(b)
    x0, y0, x1, y1 = buildings.coords[b].T
    x = x0 + (x1 - x0) * rng.uniform(0.15, 0.85, n)
    y = y0 + (y1 - y0) * rng.uniform(0.2, 0.8, n)
    floors = f["层数"][b].astype(np.int64)
    floor = rng.integers(1, floors + 1)
    elderly = rng.random(n) < 0.7
    age = np.where(elderly, 60 + np.minimum(rng.gamma(2.2, 7.5, n), 41).astype(np.int64),
                   rng.integers(18, 60, n))
    alone = (rng.random(n) < np.where(elderly, 0.45, 0.1)).astype(np.int32)
    disabled = (rng.random(n) < np.where(elderly, 0.12, 0.5)).astype(np.int32)
    cls = np.where(disabled == 1, "残疾人", np.where((alone == 1) & elderly, "独居老人",
                   np.where(age >= 80, "高龄老人", "困难家庭"))).astype(object)
    female = rng.random(n) < 0.55
    mobile = np.asarray(_MOBILE, dtype=object)[rng.integers(0, len(_MOBILE), n)]
    phone = np.array([f"{p}{v:08d}" for p, v in zip(mobile, rng.integers(0, 10**8, n),
                                                     strict=True)], dtype=object)
    room = np.array([f"{a}{fl}0{u}室" for a, fl, u in
                     zip(f["地址"][b], floor, rng.integers(1, 5, n), strict=True)], dtype=object)
    return _Table("residents", "Point", np.column_stack([x, y]), {
        "类别": cls, "姓名": _person_names(n, rng), "身份证号": _id_numbers(age, female, rng),
        "电话": phone, "年龄": age.astype(np.int32), "独居": alone, "残疾": disabled,
        "楼栋": f["名称"][b], "地址": room,
    }, z=(floor - 1) * 3.0 + 0.5)


def _codes(prefix: str, n: int) -> np.ndarray:
    return np.array([f"{prefix}-{k:06d}" for k in range(1, n + 1)], dtype=object)


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


def _bearing(dx, dy) -> np.ndarray:
    """Compass bearing (degrees clockwise from north) of a local direction in world space."""
    ang = np.degrees(np.arctan2(dy, dx)) + ROTATION_DEG
    return np.round((90.0 - ang) % 360.0, 1)


# -------------------------------------------------------------------------- layout


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


def _layout(nx: int, ny: int, seed: int) -> _Layout:
    rng = np.random.default_rng(seed)
    g = _make_grid(nx, ny, rng)
    seg = _segments(g)
    sides = _make_sides(g, seg)
    tables: dict[str, _Table] = {}

    # ---- roads
    tables["roads"] = _Table("roads", "LineString", np.stack(
        [np.column_stack([seg["x0"], seg["y0"]]), np.column_stack([seg["x1"], seg["y1"]])],
        axis=1), {
        "名称": g.names[seg["road"]],
        "等级": np.asarray(GRADES, dtype=object)[g.grade[seg["road"]]],
        "宽度": g.width[seg["road"]],
        "类别": np.full(len(seg["road"]), "道路", dtype=object),
    })

    # ---- blocks and lots
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

    # ---- buildings: a grid of rows in every lot
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
    tables["buildings"] = _Table("buildings", "Polygon", np.column_stack(
        [cx - bl / 2, cy - bd / 2, cx + bl / 2, cy + bd / 2]), {
        "名称": bname, "地址": baddr, "小区": compound_of.astype(object), "类别": bclass,
        "层数": floors.astype(np.int32), "高度": height.astype(float),
        "户数": households.astype(np.int32), "人口": people.astype(np.int32),
        "建成年份": year.astype(np.int32),
    })

    # ---- compounds
    hh_lot = np.bincount(lot, weights=households, minlength=nl).astype(np.int64)
    pop_lot = np.bincount(lot, weights=people, minlength=nl).astype(np.int64)
    nb_lot = np.bincount(lot, minlength=nl)
    r = res_idx
    tables["compounds"] = _Table("compounds", "Polygon", np.column_stack(
        [lx0[r], ly0[r], lx1[r], ly1[r]]), {
        "名称": lot_name[r], "地址": lane_addr[r],
        "物业公司": _choice(_PROPERTY, rng, len(r)),
        "户数": hh_lot[r].astype(np.int32), "人口": pop_lot[r].astype(np.int32),
        "楼栋数": nb_lot[r].astype(np.int32),
        "类别": np.full(len(r), "小区", dtype=object),
    })

    # ---- population: one point per residential building
    h = np.flatnonzero(is_home)
    hh, pp = households[h], people[h]
    old = bkind[h] == 0
    tables["population"] = _Table("population", "Point", np.column_stack([cx[h], cy[h]]), {
        "类别": np.full(len(h), "人口", dtype=object),
        "楼栋": bname[h], "小区": compound_of[h].astype(object),
        "户数": hh.astype(np.int32), "人口": pp.astype(np.int32),
        "独居老人": rng.binomial(hh, np.where(old, 0.06, 0.02)).astype(np.int32),
        "残疾人": rng.binomial(pp, 0.012).astype(np.int32),
        "八十岁以上": rng.binomial(pp, np.where(old, 0.05, 0.025)).astype(np.int32),
    }, z=height[h] + 2.0)

    # ---- street furniture (trees are added once their spacing is known)
    furn: dict[str, tuple] = {}

    def put(cls, ks, t, dist, extra=None):
        if cls != "路灯":
            t = sides.clear_of_lamps(ks, t)
        x, y = sides.at(ks, t, dist)
        if extra is not None:
            x, y, ks = (np.concatenate([a, b]) for a, b in zip((x, y, ks), extra, strict=True))
        furn[cls] = (x, y, sides.road[ks])

    ks, t = sides.along(_LAMP_SPACING, _LAMP_MARGIN)
    put("路灯", ks, t, sides.curb[ks] + 0.5)
    # bins at both ends of every side, and beside every compound gate
    n_sides = len(sides.length)
    ks = np.concatenate([np.arange(n_sides), np.arange(n_sides)])
    t = np.concatenate([np.full(n_sides, 2.5), sides.length - 2.5])
    ok = sides.length[ks] > 6.0
    gl = np.repeat(r, 2)
    lat = np.tile([-5.0, 5.0], len(r))
    bin_x = gx[gl] - inx[gl] * 1.5 + latx[gl] * lat
    bin_y = gy[gl] - iny[gl] * 1.5 + laty[gl] * lat
    gate_side = _gate_sides(sides, groad, gx, gy)
    put("垃圾桶", ks[ok], t[ok], sides.curb[ks[ok]] + 0.8,
        extra=(bin_x, bin_y, gate_side[gl]))
    ks, t = sides.along(45.0, 15.0, (sides.grade >= 1) & (sides.sign > 0))
    put("电杆", ks, t, sides.curb[ks] + 0.3)
    ks, t = sides.along(120.0, 30.0)
    put("消防栓", ks, t, sides.curb[ks] + 0.6)
    ks, t = sides.along(90.0, 45.0, sides.grade <= 1)
    sel = rng.random(len(ks)) < 0.5
    put("广告牌", ks[sel], t[sel], sides.curb[ks[sel]] + sides.sidewalk[ks[sel]] - 0.6)
    ks, t = sides.along(110.0, 55.0, sides.grade <= 1)
    sel = rng.random(len(ks)) < 0.4
    put("长椅", ks[sel], t[sel], sides.curb[ks[sel]] + sides.sidewalk[ks[sel]] - 1.2)

    # ---- cameras
    cams = _Points()
    ii, jj = (a.ravel() for a in np.meshgrid(np.arange(nx + 1), np.arange(ny + 1),
                                             indexing="ij"))
    ix, iy = g.xs[ii], g.ys[jj]
    hv, hh_ = g.hw_v(ii) - 1.0, g.hw_h(jj) - 1.0
    qx = np.where(rng.random(len(ii)) < 0.5, -1.0, 1.0)
    qy = np.where(rng.random(len(ii)) < 0.5, -1.0, 1.0)
    cams.add(ix + qx * hv, iy + qy * hh_, 朝向=_bearing(-qx * hv, -qy * hh_), 类型="球机")
    major = (g.grade[ii] == 0) | (g.grade[nx + 1 + jj] == 0)
    cams.add(ix[major] - qx[major] * hv[major], iy[major] - qy[major] * hh_[major],
             朝向=_bearing(qx[major] * hv[major], qy[major] * hh_[major]), 类型="枪机")
    cams.add(gx[r] + inx[r] * 3.0 + latx[r] * 3.0, gy[r] + iny[r] * 3.0 + laty[r] * 3.0,
             朝向=_bearing(-inx[r], -iny[r]), 类型="人脸识别")
    ks, t = sides.along(200.0, 100.0, sides.grade == 0)
    x, y = sides.at(ks, t, sides.curb[ks] + 0.4)
    cams.add(x, y, 朝向=_bearing(sides.dx[ks] * sides.sign[ks], sides.dy[ks] * sides.sign[ks]),
             类型="枪机")
    n = len(cams)
    tables["cameras"] = _Table("cameras", "Point", cams.xy(), {
        "类别": np.full(n, "摄像头", dtype=object), "编号": _codes("SP", n),
        "朝向": cams.col("朝向").astype(float), "类型": cams.col("类型").astype(object),
        "所属部门": np.full(n, "公安", dtype=object),
    })

    # ---- sensors
    sens = _Points()
    sm = is_home & (rng.random(nb) < 0.2)
    sens.add(cx[sm] + bl[sm] / 2.0 + 0.8, cy[sm], 类型=0)  # on the wall, outside
    ks, t = sides.along(60.0, 20.0, sides.sign > 0)
    x, y = sides.at(ks, t, sides.curb[ks] * 0.5)
    sens.add(x, y, 类型=2)
    wet = rng.random(len(ii)) < 0.25
    sens.add(ix[wet] - qx[wet] * (hv[wet] - 1.0), iy[wet] + qy[wet] * (hh_[wet] - 1.0), 类型=1)
    ks, t = sides.along(250.0, 100.0, (sides.grade == 0) & (sides.sign > 0))
    x, y = sides.at(ks, t, sides.curb[ks] + sides.sidewalk[ks] - 0.5)
    sens.add(x, y, 类型=np.where(np.arange(len(ks)) % 2 == 0, 3, 4))
    st = sens.col("类型").astype(np.int64)
    n = len(st)
    status = rng.choice(3, size=n, p=[0.88, 0.08, 0.04])
    lo = np.where(status == 2, _READ_ALARM[st, 0], _READ_OK[st, 0])
    hi_r = np.where(status == 2, _READ_ALARM[st, 1], _READ_OK[st, 1])
    tables["sensors"] = _Table("sensors", "Point", sens.xy(), {
        "类别": np.full(n, "传感器", dtype=object), "编号": _codes("CG", n),
        "类型": np.asarray(SENSOR_TYPES, dtype=object)[st],
        "状态": np.array(["在线", "离线", "告警"], dtype=object)[status],
        "最近读数": np.round(rng.uniform(lo, hi_r), 2),
    })

    # ---- key points
    kp = _Points()

    def key(allowed, chance, name_fmt, kind_name, lateral):
        mask = allowed & chance
        if not mask.any() and allowed.any():       # at least one of each kind
            mask[rng.choice(np.flatnonzero(allowed))] = True
        sel = np.flatnonzero(mask)
        names = [name_fmt.format(lot_name[s], road_name[s]) for s in sel]
        kp.add(gx[sel] + inx[sel] * 4.0 + latx[sel] * lateral,
               gy[sel] + iny[sel] * 4.0 + laty[sel] * lateral,
               名称=np.array(names, dtype=object), 类型=kind_name)

    u = rng.random((4, nl))
    key(kind == 3, True, "{0}", "学校", 0.0)
    key(res, u[0] < 0.5, "{0}居委会", "居委会", -14.0)
    key(res, u[1] < 0.15, "{0}幼儿园", "幼儿园", 14.0)
    key(res, u[2] < 0.08, "{0}长者照护之家", "养老院", 26.0)
    key(kind == 4, u[3] < 0.6, "{1}菜市场", "菜市场", 0.0)
    key(kind == 5, u[3] < 0.3, "{1}社区卫生服务站", "卫生服务站", 0.0)
    n = len(kp)
    tables["key_points"] = _Table("key_points", "Point", kp.xy(), {
        "类别": np.full(n, "重点点位", dtype=object),
        "名称": kp.col("名称").astype(object), "类型": kp.col("类型").astype(object),
    })

    # ---- hazards
    hz = _Points()
    hm = is_home & (rng.random(nb) < 0.1)
    cat = np.where(bkind[hm] == 0, rng.choice([0, 1, 3], size=int(hm.sum()), p=[.3, .45, .25]),
                   rng.choice([0, 1, 2], size=int(hm.sum()), p=[.3, .4, .3]))
    hz.add(cx[hm] + rng.uniform(-0.4, 0.4, int(hm.sum())) * bl[hm],
           cy[hm] - bd[hm] / 2.0 - rng.uniform(2.0, 6.0, int(hm.sum())), 隐患=cat)
    ks, t = sides.along(60.0, 20.0, sides.sign > 0)
    t = t + 30.0                                   # between the monitored manholes
    sel = (rng.random(len(ks)) < 0.03) & (t < sides.length[ks] - 5.0)
    x, y = sides.at(ks[sel], t[sel], sides.curb[ks[sel]] * 0.5)
    hz.add(x, y, 隐患=np.full(int(sel.sum()), 4))
    n = len(hz)
    found = _SURVEY_DATE - rng.integers(0, 180, n).astype("timedelta64[D]")
    due = found + rng.choice([7, 15, 30], size=n).astype("timedelta64[D]")
    tables["hazards"] = _Table("hazards", "Point", hz.xy(), {
        "类别": np.full(n, "安全隐患", dtype=object), "编号": _codes("YH", n),
        "隐患类别": np.asarray(HAZARD_TYPES, dtype=object)[hz.col("隐患").astype(np.int64)],
        "状态": _choice(("待处理", "处理中", "已办结"), rng, n, p=[0.35, 0.3, 0.35]),
        "发现日期": np.datetime_as_string(found, unit="D").astype(object),
        "责任人": _person_names(n, rng),
        "截止日期": np.datetime_as_string(due, unit="D").astype(object),
    })
    return _Layout(g, sides, tables, furn, rng)


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


# ------------------------------------------------------------------ trees and sizing


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


def _plan(target: int, seed: int) -> tuple[_Layout, float]:
    """Grow or shrink the street grid until street trees ~8.5 m apart fill the target."""
    blocks = max(4, round(target / 300))
    tried: dict[tuple[int, int], tuple[float, _Layout, float]] = {}
    for _ in range(8):
        shape = _grid_shape(blocks)
        if shape in tried:
            break
        lay = _layout(*shape, seed)
        n0 = lay.count()
        spacing = _tree_spacing(lay.sides, target - n0)
        trees = _tree_count(lay.sides, spacing)
        miss = abs(n0 + trees - target) / target
        tried[shape] = (miss + abs(math.log(spacing / 8.5)) * 0.01, lay, spacing)
        lo, hi = TREE_SPACING
        if miss < 0.02 and lo + 1.5 <= spacing <= hi - 2.0:
            break
        per_block = (n0 + _tree_count(lay.sides, 8.5)) / (shape[0] * shape[1])
        blocks = max(4, round(target / per_block))
    _, lay, spacing = min(tried.values(), key=lambda v: v[0])
    return lay, spacing


# -------------------------------------------------------------------------- output


def _finish_furniture(lay: _Layout, spacing: float) -> _Table:
    sides, rng = lay.sides, lay.rng
    ks, t = sides.along(spacing, 4.0)
    t = sides.clear_of_lamps(ks, t)
    x, y = sides.at(ks, t, sides.curb[ks] + np.minimum(1.2, sides.sidewalk[ks] - 0.5))
    parts = dict(lay.furniture)
    parts["行道树"] = (x, y, sides.road[ks])
    xs, ys, roads, cls, codes = [], [], [], [], []
    for name in FURNITURE_CLASSES:
        px, py, pr = parts[name]
        xs.append(px)
        ys.append(py)
        roads.append(pr)
        cls.append(np.full(len(px), name, dtype=object))
        codes.append(_codes(_FURNITURE_PREFIX[name], len(px)))
    cls_all = np.concatenate(cls)
    n = len(cls_all)
    return _Table("street_furniture", "Point", np.column_stack(
        [np.concatenate(xs), np.concatenate(ys)]), {
        "编号": np.concatenate(codes), "类别": cls_all,
        "道路": lay.grid.names[np.concatenate(roads)],
        "状态": _choice(("正常", "损坏", "维修中"), rng, n, p=[0.92, 0.05, 0.03]),
        "责任单位": np.array([_FURNITURE_OWNER[c] for c in cls_all], dtype=object),
    })


def _world(lay: _Layout):
    g = lay.grid
    c = np.array([(g.xs[0] + g.xs[-1]) / 2.0, (g.ys[0] + g.ys[-1]) / 2.0])
    a = math.radians(ROTATION_DEG)
    rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    centre = np.asarray(CENTRE)

    def to_world(xy: np.ndarray) -> np.ndarray:
        return (xy - c) @ rot.T + centre

    return to_world


def _geometries(tab: _Table, to_world) -> np.ndarray:
    if tab.geometry_type == "Point":
        xy = to_world(tab.coords)
        if tab.z is not None:
            return shapely.points(xy[:, 0], xy[:, 1], np.asarray(tab.z, dtype=float))
        return shapely.points(xy)
    if tab.geometry_type == "LineString":
        return shapely.linestrings(to_world(tab.coords))
    x0, y0, x1, y1 = tab.coords.T
    ring = np.stack([np.column_stack(p) for p in
                     ((x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0))], axis=1)
    return shapely.polygons(to_world(ring))


_WRITE_ORDER = ("compounds", "buildings", "roads", "street_furniture", "cameras", "sensors",
                "population", "key_points", "hazards", "residents")

# (display name, table, group, extra keys, colour or None)
_SCENE_LAYERS = (
    ("小区", "compounds", "基础模型", {"opacity": 1.0, "default_height": 0.3}, "#cfe3c5"),
    ("道路", "roads", "基础模型", {"opacity": 1.0, "line_width": 3.0}, "#8f8f8f"),
    ("建筑", "buildings", "基础模型",
     {"opacity": 1.0, "height_field": "高度", "floors_field": "层数"}, "#d9d4c7"),
    # no colour: each kind of street furniture keeps its asset's own colour
    ("街道设施", "street_furniture", "基础模型", {"opacity": 1.0, "point_scale": 1.0}, None),
    ("人口", "population", "人口", {"opacity": 1.0, "point_scale": 1.5}, "#f28c28"),
    ("视频监控", "cameras", "公共安全", {"opacity": 1.0, "point_scale": 1.5}, "#2f6fdf"),
    ("传感器", "sensors", "物联感知", {"opacity": 1.0, "point_scale": 1.5}, "#2fa84f"),
    ("重点点位", "key_points", "重点点位", {"opacity": 1.0, "point_scale": 2.0}, "#8e44ad"),
    ("安全隐患", "hazards", "安全隐患", {"opacity": 1.0, "point_scale": 2.0}, "#e0393e"),
    # resident-level data: markers inside the homes (hide 建筑 to see them); names, ID
    # and phone numbers are marked sensitive in the GeoPackage schema
    ("重点人群", "residents", "人口", {"opacity": 1.0, "point_scale": 0.8}, "#c2185b"),
)


# thematic styles the demo ships with (issue 5): residents per building, states,
# compound names above the compounds, population markers sized by residents and
# what each camera sees
_THEMES = {
    "小区": {"label": "名称", "label_size": 14},
    "人口": {"size_by": "人口", "size_range": [0.6, 2.2]},
    "视频监控": {"view_cone": {"heading": "朝向", "range": 35.0, "angle": 60.0}},
    "建筑": {"by": "人口", "method": "quantile", "classes": 5, "ramp": "YlOrRd"},
    "安全隐患": {"by": "状态", "categories": {"待处理": "#e0393e", "处理中": "#f2a93b",
                                          "已办结": "#8a8f98"},
             "label": "隐患类别", "label_size": 12, "label_color": "#a01818"},
    "传感器": {"by": "状态", "categories": {"在线": "#2fa84f", "离线": "#8a8f98",
                                        "告警": "#e0393e"}},
}


# saved filters for the summary panel's "who needs help" list (issue 5)
_FILTERS = (
    ("特殊关爱对象", "重点人群", "独居 = 1 or 残疾 = 1 or 年龄 >= 80"),
    ("独居高龄老人", "重点人群", "年龄 >= 80 and 独居 = 1"),
    ("有独居老人的楼栋", "人口", "独居老人 > 0"),
    ("未办结隐患", "安全隐患", "状态 != '已办结'"),
    ("告警传感器", "传感器", "状态 = '告警'"),
)


def _scene_document(origin: list[float]) -> dict:
    layers = []
    for name, table, group, extra, colour in _SCENE_LAYERS:
        entry = {"name": name, "source": GPKG_NAME, "table": table, "group": group,
                 "visible": True, "class_field": "类别"}
        entry.update(extra)
        entry["style"] = {"color": colour} if colour else {}
        entry["style"].update(_THEMES.get(name, {}))
        layers.append(entry)
    return {"version": 1, "name": f"{DISTRICT_NAME}数字孪生", "crs": CRS,
            "origin": origin, "layers": layers, **_demo_walkthrough(),
            "filters": [{"name": n, "layer": layer, "expression": e}
                        for n, layer, e in _FILTERS]}


def _demo_walkthrough() -> dict:
    """The demo's bookmarks and its prepared walkthrough (issue 6), scene coordinates."""
    base = ["小区", "道路", "建筑", "街道设施"]
    overlays = ["人口", "视频监控", "传感器", "重点点位", "安全隐患"]
    marks = [  # name, position, focal point
        ("全景", [345.0, -1060.0, 935.0], [-40.0, 40.0, 0.0]),
        ("永居新村", [-65.0, -400.0, 220.0], [-165.0, -118.0, 0.0]),
        ("安全隐患", [-20.0, -120.0, 180.0], [-90.0, 110.0, 0.0]),
        ("视频监控", [420.0, 20.0, 200.0], [255.0, 190.0, 0.0]),
        ("枫美新村高层", [150.0, 150.0, 160.0], [309.0, 375.0, 50.0]),
    ]
    stops = [  # bookmark, dwell (s), caption, visible layers
        ("全景", 3.0, f"{DISTRICT_NAME}全景：39个小区、463栋建筑", base + overlays),
        ("永居新村", 4.0, "永居新村：人口与重点点位", base + ["人口", "重点点位"]),
        ("安全隐患", 4.0, "安全隐患点位：按处理状态着色", base + ["安全隐患"]),
        ("视频监控", 4.0, "新建视频监控：覆盖主要路口", base + ["视频监控"]),
        ("枫美新村高层", 4.0, "高层住宅与物联感知传感器", base + ["传感器"]),
        ("全景", 2.0, f"{DISTRICT_NAME}数字孪生 · 谢谢观看", base + overlays),
    ]
    return {
        "bookmarks": [{"name": n, "position": p, "focal_point": f, "up": [0.0, 0.0, 1.0]}
                      for n, p, f in marks],
        "paths": [{"name": "街道巡览", "speed": 60.0, "keyframes": [
            {"bookmark": m, "dwell": d, "caption": c, "layers": lyr} for m, d, c, lyr in stops]}],
    }


def generate_district(out_dir, *, objects: int = 6000, seed: int = 20261125,
                      progress: Progress | None = None) -> Path:
    """Write ``district.gpkg`` and ``scene.toml`` for a demo sub-district into ``out_dir``.

    Parameters
    ----------
    out_dir : path-like
        Folder to write into (created if needed; existing demo files are replaced).
    objects : int
        Approximate total number of objects over all layers but the resident layer
        (the result is at least this many, within a few percent, for targets from
        about 3,000 upwards); the special-care residents add about 5% on top.
    seed : int
        Seed of the random generator; equal arguments give equal files.
    progress : callable(fraction, message), optional
        Called as the work advances, fraction from 0.0 to 1.0.

    Returns
    -------
    pathlib.Path
        The scene file.
    """
    if objects < 1:
        raise ValueError(f"objects must be positive, got {objects}")
    report = progress or (lambda fraction, message: None)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)

    report(0.0, "规划路网、地块与建筑")
    lay, spacing = _plan(int(objects), int(seed))
    report(0.4, "布置街道设施")
    tables = dict(lay.tables)
    tables["street_furniture"] = _finish_furniture(lay, spacing)
    tables["residents"] = _residents(tables["buildings"], np.random.default_rng([int(seed), 5]))
    to_world = _world(lay)

    gpkg = out / GPKG_NAME
    for stale in (gpkg, out / SCENE_NAME):
        stale.unlink(missing_ok=True)
    for k, name in enumerate(_WRITE_ORDER):
        tab = tables[name]
        report(0.45 + 0.5 * k / len(_WRITE_ORDER), f"写入图层 {name}")
        keys = list(tab.fields)
        pyogrio.raw.write(
            gpkg, geometry=shapely.to_wkb(_geometries(tab, to_world)),
            field_data=[tab.fields[key] for key in keys], fields=keys, layer=name,
            driver="GPKG", crs=CRS, append=k > 0,
            geometry_type=tab.geometry_type + (" Z" if tab.z is not None else ""),
            promote_to_multi=False,
        )
    from twinviewer.store import GeoPackageStore

    GeoPackageStore(gpkg).mark_sensitive("residents", SENSITIVE_FIELDS)
    origin = [float(round(CENTRE[0] / 100.0) * 100.0), float(round(CENTRE[1] / 100.0) * 100.0),
              0.0]
    from twinviewer.demo.ground import put_on_ground
    from twinviewer.demo.sweep import add_live_demo  # cases and IoT estate (issue 14)

    document = add_live_demo(gpkg, _scene_document(origin), seed=int(seed))
    document = put_on_ground(document, out, gpkg, CRS, CENTRE)
    scene = out / SCENE_NAME
    scene.write_bytes(tomli_w.dumps(document).encode("utf-8"))
    report(1.0, "完成")
    return scene


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m twinviewer.demo.generator",
        description=f"Generate the {DISTRICT_NAME} demo district (GeoPackage + scene.toml).")
    parser.add_argument("out", type=Path, help="output folder")
    parser.add_argument("--objects", type=int, default=6000, help="approximate object count")
    parser.add_argument("--seed", type=int, default=20261125)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    scene = generate_district(args.out, objects=args.objects, seed=args.seed)
    total = 0
    for name in _WRITE_ORDER:
        n = pyogrio.read_info(scene.parent / GPKG_NAME, layer=name)["features"]
        total += n
        print(f"{name:18s}{n:8d}")
    print(f"{'total':18s}{total:8d}  ({time.perf_counter() - start:.2f} s) -> {scene}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
