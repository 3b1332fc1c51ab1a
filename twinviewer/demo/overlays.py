"""Objects along the streets and over the lots: street furniture, cameras, sensors,
key points and safety hazards.

Called in the order :func:`twinviewer.demo.generator._layout` gives, all drawing from
one generator, so the order of the draws is part of the output.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twinviewer.demo.lots import _Buildings, _Lots
from twinviewer.demo.names import _person_names
from twinviewer.demo.streets import _LAMP_MARGIN, _LAMP_SPACING, _gate_sides, _Grid, _Sides
from twinviewer.demo.tables import DISTRICT_NAME, _bearing, _choice, _codes, _Points, _Table

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


@dataclass
class _Crossings:
    """Every road crossing, with a random corner (``qx``, ``qy``) and its half widths."""

    ii: np.ndarray
    jj: np.ndarray
    ix: np.ndarray
    iy: np.ndarray
    hv: np.ndarray
    hh_: np.ndarray
    qx: np.ndarray
    qy: np.ndarray


def _furniture(sides: _Sides, lots: _Lots,
               rng: np.random.Generator) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Street furniture by class but the trees (added once their spacing is known)."""
    r = lots.res_idx
    gx, gy, inx, iny, latx, laty = lots.gx, lots.gy, lots.inx, lots.iny, lots.latx, lots.laty
    groad = lots.groad
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
    return furn


def _crossings(g: _Grid, rng: np.random.Generator) -> _Crossings:
    """The crossings and the corner a camera stands on at each."""
    nx, ny = g.nx, g.ny
    ii, jj = (a.ravel() for a in np.meshgrid(np.arange(nx + 1), np.arange(ny + 1),
                                             indexing="ij"))
    ix, iy = g.xs[ii], g.ys[jj]
    hv, hh_ = g.hw_v(ii) - 1.0, g.hw_h(jj) - 1.0
    qx = np.where(rng.random(len(ii)) < 0.5, -1.0, 1.0)
    qy = np.where(rng.random(len(ii)) < 0.5, -1.0, 1.0)
    return _Crossings(ii, jj, ix, iy, hv, hh_, qx, qy)


def _cameras(g: _Grid, sides: _Sides, lots: _Lots, c: _Crossings) -> _Table:
    """Cameras at the crossings, the compound gates and along the main roads."""
    nx, r = g.nx, lots.res_idx
    gx, gy, inx, iny, latx, laty = lots.gx, lots.gy, lots.inx, lots.iny, lots.latx, lots.laty
    ii, jj, ix, iy, hv, hh_, qx, qy = c.ii, c.jj, c.ix, c.iy, c.hv, c.hh_, c.qx, c.qy
    cams = _Points()
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
    return _Table("cameras", "Point", cams.xy(), {
        "类别": np.full(n, "摄像头", dtype=object), "编号": _codes("SP", n),
        "朝向": cams.col("朝向").astype(float), "类型": cams.col("类型").astype(object),
        "所属部门": np.full(n, "公安", dtype=object),
    })


def _sensors(sides: _Sides, b: _Buildings, c: _Crossings, rng: np.random.Generator) -> _Table:
    """IoT sensors: smoke on the homes, manholes, water levels, noise and air quality."""
    is_home, cx, cy, bl, nb = b.is_home, b.cx, b.cy, b.bl, len(b)
    ii, ix, iy, hv, hh_, qx, qy = c.ii, c.ix, c.iy, c.hv, c.hh_, c.qx, c.qy
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
    return _Table("sensors", "Point", sens.xy(), {
        "类别": np.full(n, "传感器", dtype=object), "编号": _codes("CG", n),
        "类型": np.asarray(SENSOR_TYPES, dtype=object)[st],
        "状态": np.array(["在线", "离线", "告警"], dtype=object)[status],
        "最近读数": np.round(rng.uniform(lo, hi_r), 2),
    })


def _key_points(lots: _Lots, rng: np.random.Generator) -> _Table:
    """Key points at the lot gates: schools, neighbourhood committees, markets..."""
    kind, res, lot_name, road_name, nl = lots.kind, lots.res, lots.lot_name, lots.road_name, len(lots)
    gx, gy, inx, iny, latx, laty = lots.gx, lots.gy, lots.inx, lots.iny, lots.latx, lots.laty
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
    return _Table("key_points", "Point", kp.xy(), {
        "类别": np.full(n, "重点点位", dtype=object),
        "名称": kp.col("名称").astype(object), "类型": kp.col("类型").astype(object),
    })


def _hazards(sides: _Sides, b: _Buildings, rng: np.random.Generator) -> _Table:
    """Safety hazards beside the homes and open manholes along the roads."""
    is_home, bkind, cx, cy, bl, bd, nb = b.is_home, b.bkind, b.cx, b.cy, b.bl, b.bd, len(b)
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
    return _Table("hazards", "Point", hz.xy(), {
        "类别": np.full(n, "安全隐患", dtype=object), "编号": _codes("YH", n),
        "隐患类别": np.asarray(HAZARD_TYPES, dtype=object)[hz.col("隐患").astype(np.int64)],
        "状态": _choice(("待处理", "处理中", "已办结"), rng, n, p=[0.35, 0.3, 0.35]),
        "发现日期": np.datetime_as_string(found, unit="D").astype(object),
        "责任人": _person_names(n, rng),
        "截止日期": np.datetime_as_string(due, unit="D").astype(object),
    })


def _finish_furniture(g: _Grid, sides: _Sides,
                      furniture: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]],
                      rng: np.random.Generator, spacing: float) -> _Table:
    """The street furniture layer, with street trees ``spacing`` m apart."""
    ks, t = sides.along(spacing, 4.0)
    t = sides.clear_of_lamps(ks, t)
    x, y = sides.at(ks, t, sides.curb[ks] + np.minimum(1.2, sides.sidewalk[ks] - 0.5))
    parts = dict(furniture)
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
        "道路": g.names[np.concatenate(roads)],
        "状态": _choice(("正常", "损坏", "维修中"), rng, n, p=[0.92, 0.05, 0.03]),
        "责任单位": np.array([_FURNITURE_OWNER[c] for c in cls_all], dtype=object),
    })
