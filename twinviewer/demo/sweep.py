"""Demo building-safety sweep: about 705 hazards of 21 kinds over about 541 buildings, as cases.

Each hazard is a case on its building, run through its lifecycle by the real rules
(:class:`twinviewer.core.cases.CaseBook`) with a simulated clock: most are closed,
some late, some reworked after a failed check, a few extended, suspended or
cancelled, and the latest ones still open.  The time-limit table and a working
calendar with 2026's public holidays go into the same GeoPackage.  Equal seeds give
equal files.

:func:`add_live_demo` is the one hook ``demo/generator.py`` calls.
"""

from __future__ import annotations

import datetime as _dt
from collections import defaultdict
from pathlib import Path

import numpy as np
import shapely

from twinviewer.core.calendar import WorkingCalendar
from twinviewer.core.cases import Case, CaseBook, Clock, TimeLimit
from twinviewer.demo import estate
from twinviewer.io.vector import read_frame
from twinviewer.store.cases import CaseStore

#: 小类 -> (类别, 时限, 单位, 结案条件, 责任单位)
KINDS = {
    "消防通道堵塞": ("消防安全", 4, "工作时", "通道清空", "物业公司"),
    "电动车违规充电": ("消防安全", 1, "工作日", "车辆移出楼道", "物业公司"),
    "楼道堆物": ("消防安全", 2, "工作日", "堆物清除", "物业公司"),
    "消防设施损坏": ("消防安全", 3, "工作日", "设施修复并试验", "消防救援站"),
    "私拉电线": ("消防安全", 1, "工作日", "线路拆除", "供电所"),
    "燃气管道老化": ("消防安全", 5, "工作日", "管道更换并检漏", "燃气公司"),
    "外墙脱落": ("房屋安全", 8, "工作时", "脱落部位排险", "房管所"),
    "阳台违规改建": ("房屋安全", 10, "工作日", "恢复原状", "房管所"),
    "屋顶漏水": ("房屋安全", 7, "工作日", "修缮完成", "房管所"),
    "结构裂缝": ("房屋安全", 15, "自然日", "鉴定并加固", "房管所"),
    "高空坠物风险": ("房屋安全", 4, "工作时", "隐患物品移除", "物业公司"),
    "违章搭建": ("违法建设", 30, "自然日", "拆除完毕", "城管中队"),
    "破墙开店": ("违法建设", 20, "自然日", "墙体恢复", "城管中队"),
    "群租": ("违法建设", 10, "工作日", "清退并复查", "居委会"),
    "占道经营": ("市容环境", 2, "工作时", "现场清理", "城管中队"),
    "垃圾堆放": ("市容环境", 1, "工作日", "清运完毕", "环卫所"),
    "广告牌松动": ("市容环境", 1, "工作日", "加固或拆除", "城管中队"),
    "电梯故障": ("设施设备", 1, "工作日", "维保单位修复", "电梯维保公司"),
    "井盖缺失": ("设施设备", 2, "工作时", "井盖补齐", "水务所"),
    "路灯损坏": ("设施设备", 3, "工作日", "恢复照明", "路灯管理所"),
    "防盗门损坏": ("设施设备", 3, "工作日", "门禁修复", "物业公司"),
}
# 2026 public holidays and make-up working days (demo calendar: edit it to the year's notice)
HOLIDAYS = (["2026-01-01", "2026-01-02"] + [f"2026-02-{d}" for d in range(16, 24)]
            + ["2026-04-06", "2026-05-01", "2026-05-04", "2026-05-05", "2026-06-19",
               "2026-09-25"] + [f"2026-10-0{d}" for d in range(1, 8)])
WORKDAYS = ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20",
            "2026-10-10"]
SURVEY_END = _dt.datetime(2026, 11, 25, 17, 0)
PEOPLE = ("李明", "王芳", "张伟", "刘洋", "陈静", "杨帆", "赵强", "黄磊", "周敏", "吴军")


def calendar() -> WorkingCalendar:
    return WorkingCalendar(start="09:00", end="17:00", holidays=[_dt.date.fromisoformat(d)
                                                                   for d in HOLIDAYS],
                           workdays=[_dt.date.fromisoformat(d) for d in WORKDAYS])


def limits() -> list[TimeLimit]:
    return [TimeLimit(k, v[1], v[2], v[3]) for k, v in KINDS.items()]


def sweep_cases(gpkg: str | Path, *, seed: int, hazards: int = 705, buildings: int = 541) -> int:
    """File the sweep's cases with their whole event history; returns how many."""
    rng = np.random.default_rng([seed, 1414])
    b, footprints, _crs = read_frame(gpkg, "buildings")
    nb = min(buildings, len(b))
    chosen = rng.choice(len(b), nb, replace=False)
    on = np.concatenate([chosen, rng.choice(chosen, max(hazards - nb, 0))])[:hazards]
    rng.shuffle(on)
    cal, lim = calendar(), limits()
    clock = Clock(SURVEY_END)
    book = CaseBook(clock=clock, calendar=cal, limits=lim)
    subs = np.array(list(KINDS), dtype=object)
    # reported over the half year before the survey ended, in office hours
    start = np.datetime64("2026-06-01T09:00")
    span_min = int((np.datetime64(SURVEY_END) - start) / np.timedelta64(1, "m"))
    when = np.sort(rng.integers(0, span_min, len(on)))
    oids = b.index.to_numpy()
    centroids = shapely.get_coordinates(shapely.centroid(footprints))
    for i, row in enumerate(on):
        sub = str(subs[rng.integers(len(subs))])
        cat, amount, unit, _, owner = KINDS[sub]
        t = (start + np.timedelta64(int(when[i]), "m")).astype(_dt.datetime)
        t = t.replace(hour=9 + int(rng.integers(0, 8)))
        clock.set(t)
        c = book.file(Case(f"YH-2026-{i + 1:05d}", cat, sub,
                           level="重大" if rng.random() < 0.12 else "一般", unit=owner,
                           person=str(PEOPLE[rng.integers(len(PEOPLE))]), layer="建筑",
                           oid=int(oids[row]), x=float(centroids[row, 0]),
                           y=float(centroids[row, 1]), compound=str(b["小区"].iloc[row]),
                           source="sweep", description=f"{b['名称'].iloc[row]} {sub}"),
                      who="排查组")
        _run(book, clock, c.case_id, rng, limit_h=_hours(amount, unit))
    by_case = defaultdict(list)
    for e in book.events:
        by_case[e.case_id].append(e)
    store = CaseStore(gpkg)
    store.set_limits(lim, replace=True)
    store.save_calendar(cal)
    return store.file_cases([(c, by_case[c.case_id], f"sweep:demo:{c.case_id}")
                             for c in book.cases.values()])


def _hours(amount: float, unit: str) -> float:
    """A rough length of the limit in clock hours, for simulating how long steps take."""
    return amount * {"工作时": 2.0, "工作日": 30.0, "自然日": 24.0}[unit]


def _run(book: CaseBook, clock: Clock, cid: str, rng, *, limit_h: float) -> None:
    def step(state, role, hours, note=""):
        clock.advance(hours=float(hours))
        book.transition(cid, state, who=str(PEOPLE[rng.integers(len(PEOPLE))]), role=role,
                        note=note)

    if rng.random() < 0.03:
        step("注销", "operator", rng.uniform(0.5, 4), "重复上报")
        return
    step("立案", "operator", rng.uniform(0.2, 3))
    step("派遣", "operator", rng.uniform(0.2, 2))
    open_for = (SURVEY_END - clock.now()).total_seconds() / 3600
    if rng.random() < 0.02:
        step("挂账", "operator", rng.uniform(1, 8), "等待产权单位配合")
        return
    if rng.random() < 0.06:
        clock.advance(hours=float(rng.uniform(0.2, 0.6) * limit_h))
        book.request_extension(cid, clock.now() + _dt.timedelta(hours=2 * limit_h),
                               who="责任单位", role="unit", note="需协调业主")
        clock.advance(hours=2)
        book.decide_extension(cid, True, who="核查员", role="checker")
    # how long the unit takes: most within the limit, a tail beyond it
    took = limit_h * float(rng.choice([rng.uniform(0.1, 0.9), rng.uniform(1.1, 2.5)],
                                      p=[0.85, 0.15]))
    if took > open_for * 0.9:  # still being worked on when the survey ended
        if rng.random() < 0.5:
            step("处置", "unit", min(took, open_for) * 0.3)
        return
    step("处置", "unit", took * 0.4)
    step("反馈", "unit", took * 0.6)
    step("核查", "checker", rng.uniform(0.5, 6))
    if rng.random() < 0.1:
        step("派遣", "checker", 0.5, "复查未通过")
        step("处置", "unit", took * 0.2)
        step("反馈", "unit", took * 0.2)
        step("核查", "checker", rng.uniform(0.5, 4))
    step("结案", "checker", rng.uniform(0.1, 2))


def add_live_demo(gpkg: str | Path, doc: dict, *, seed: int) -> dict:
    """The demo's cases and IoT estate: file the sweep, write the sensors, name them in ``doc``.

    Called by ``generate_district`` after the layers are written; returns the scene
    document with the 物联设备 layer and a ``[live]`` table added.
    """
    sweep_cases(gpkg, seed=seed)
    estate.estate_sensors(gpkg, seed=seed)
    doc = dict(doc)
    doc["layers"] = [*doc["layers"], {
        "name": estate.LAYER, "source": Path(gpkg).name, "table": estate.TABLE,
        "group": "物联感知", "visible": True, "class_field": "类别", "opacity": 1.0,
        "point_scale": 1.0, "style": {"color": "#17a2b8", "by": "类型"}}]
    doc["live"] = {"broker": "mqtt://127.0.0.1:1883", "sensors": estate.LAYER}
    return doc
