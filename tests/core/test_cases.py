"""Case lifecycle, roles, deadlines on the working calendar and figures from events."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from twinviewer.core.calendar import WorkingCalendar
from twinviewer.core.cases import (
    Case,
    CaseBook,
    CaseError,
    Clock,
    TimeLimit,
    derive,
    figures,
    rates,
)

OP, UNIT, CHK = "operator", "unit", "checker"


def book(start=dt.datetime(2026, 3, 2, 9, 0)):  # a Monday
    clock = Clock(start)
    limits = [TimeLimit("占道经营", 4, "工作时", "现场清理"),
              TimeLimit("消防通道堵塞", 1, "工作日"), TimeLimit("违章搭建", 10, "自然日")]
    return CaseBook(clock=clock, limits=limits,
                    calendar=WorkingCalendar(holidays=[dt.date(2026, 3, 4)])), clock


def run_to(b, cid, *states, role_of=None):
    roles = {"立案": OP, "派遣": OP, "处置": UNIT, "反馈": UNIT, "核查": CHK, "结案": CHK}
    for s in states:
        b.transition(cid, s, who="张三", role=roles[s])


def test_full_loop_with_rework_and_deadline_from_dispatch():
    b, clock = book()
    c = b.file(Case("", "市容环境", "占道经营", unit="城管中队", layer="建筑", oid=7),
               who="巡查员")
    assert b.state(c.case_id) == "上报"
    run_to(b, c.case_id, "立案")
    clock.advance(hours=2)  # 11:00: the deadline starts at 派遣, not at filing
    run_to(b, c.case_id, "派遣", "处置", "反馈", "核查")
    b.transition(c.case_id, "派遣", who="李四", role=CHK, note="未清理干净")  # failed check
    run_to(b, c.case_id, "处置", "反馈", "核查")
    clock.advance(hours=3)
    run_to(b, c.case_id, "结案")
    d = b.derived().loc[c.case_id]
    assert d.state == "结案"
    assert d.dispatched == pd.Timestamp("2026-03-02 11:00")
    assert d.deadline == pd.Timestamp("2026-03-02 15:00")  # 4 working hours
    assert d.reworks == 1 and bool(d.on_time) and not d.overdue
    f = figures(b.derived())
    assert (f.closed_rate, f.on_time_rate, f.rework_rate) == (1.0, 1.0, 1.0)
    kinds = [(e.from_state, e.to_state) for e in b.events]
    assert kinds[0] == ("", "上报") and kinds[-1] == ("核查", "结案") and len(kinds) == 11


def test_roles_and_reasons_are_enforced():
    b, _ = book()
    c = b.file(Case("", "消防安全", "消防通道堵塞"), who="a")
    with pytest.raises(CaseError, match="viewer"):
        b.transition(c.case_id, "立案", who="v", role="viewer")
    with pytest.raises(CaseError, match="cannot go"):
        b.transition(c.case_id, "结案", who="a", role=CHK)
    with pytest.raises(CaseError, match="reason"):
        b.transition(c.case_id, "注销", who="a", role=OP)
    run_to(b, c.case_id, "立案", "派遣", "处置", "反馈")
    with pytest.raises(CaseError, match="operator"):
        b.transition(c.case_id, "核查", who="a", role=OP)  # only a checker checks
    run_to(b, c.case_id, "核查")
    with pytest.raises(CaseError, match="unit"):
        b.transition(c.case_id, "结案", who="a", role=UNIT)  # only a checker closes
    assert b.state(c.case_id) == "核查"


def test_overdue_is_derived_and_follows_the_clock_and_holidays():
    b, clock = book()
    c = b.file(Case("", "消防安全", "消防通道堵塞"), who="a")
    clock.set(dt.datetime(2026, 3, 3, 10))  # Tuesday
    run_to(b, c.case_id, "立案", "派遣")
    # 1 working day; Wednesday is a holiday: due Thursday 10:00
    assert b.derived().loc[c.case_id].deadline == pd.Timestamp("2026-03-05 10:00")
    clock.set(dt.datetime(2026, 3, 5, 9, 59))
    assert not b.derived().loc[c.case_id].overdue
    clock.set(dt.datetime(2026, 3, 5, 10, 1))
    assert b.derived().loc[c.case_id].overdue
    # suspended (挂账): not counted overdue while it waits
    b.transition(c.case_id, "挂账", who="a", role=OP, note="等待产权单位")
    assert not b.derived().loc[c.case_id].overdue
    b.transition(c.case_id, "处置", who="a", role=OP)
    run_to(b, c.case_id, "反馈", "核查", "结案")
    d = b.derived().loc[c.case_id]
    assert d.state == "结案" and not d.on_time and not d.overdue


def test_extension_needs_approval_and_moves_the_deadline():
    b, clock = book()
    c = b.file(Case("", "违法建设", "违章搭建"), who="a")
    run_to(b, c.case_id, "立案", "派遣")
    assert b.derived().loc[c.case_id].deadline == pd.Timestamp("2026-03-12 09:00")
    with pytest.raises(CaseError, match="pending"):
        b.decide_extension(c.case_id, True, who="k", role=CHK)
    b.request_extension(c.case_id, dt.datetime(2026, 3, 20, 17), who="u", role=UNIT,
                        note="需业主配合")
    assert not b.derived().loc[c.case_id].extended  # requested is not granted
    with pytest.raises(CaseError, match="role"):
        b.decide_extension(c.case_id, True, who="u", role=UNIT)
    b.decide_extension(c.case_id, True, who="k", role=CHK)
    d = b.derived().loc[c.case_id]
    assert d.extended and d.deadline == pd.Timestamp("2026-03-20 17:00")
    clock.set(dt.datetime(2026, 3, 15))
    assert not b.derived().loc[c.case_id].overdue


def test_rates_per_group_against_a_hand_count():
    b, clock = book()
    rows = []
    for i in range(12):
        unit = ["城管中队", "物业公司", "消防站"][i % 3]
        c = b.file(Case("", ["市容环境", "消防安全"][i % 2], "占道经营", unit=unit,
                        compound=f"小区{i % 2}"), who="a")
        rows.append((c.case_id, unit, i))
        if i % 4 == 3:
            b.transition(c.case_id, "注销", who="a", role=OP, note="重复上报")
            continue
        run_to(b, c.case_id, "立案", "派遣", "处置", "反馈", "核查")
        if i % 3 == 0:
            b.transition(c.case_id, "派遣", who="k", role=CHK, note="返工")
            run_to(b, c.case_id, "处置", "反馈", "核查")
        if i % 2 == 0:
            run_to(b, c.case_id, "结案")
    d = b.derived()
    by_unit = rates(d, "unit")
    for unit in ("城管中队", "物业公司", "消防站"):
        mine = [i for _, u, i in rows if u == unit]
        registered = [i for i in mine if i % 4 != 3]
        closed = [i for i in registered if i % 2 == 0]
        reworked = [i for i in registered if i % 3 == 0]
        r = by_unit.loc[unit]
        assert r.closed_rate == pytest.approx(len(closed) / len(registered))
        assert r.rework_rate == pytest.approx(len(reworked) / len(registered))
        assert r.on_time_rate == pytest.approx(1.0)
    monthly = rates(d, ["compound"], period="M")
    assert set(monthly.index.get_level_values("period")) == {"2026-03"}
    f = figures(d)
    assert f.cases == 12 and f.by_state["注销"] == 3 and f.extension_rate == 0.0


def test_derive_over_many_events_is_columnar():
    """100,000 events of 14,000 cases: the same answer as a per-case loop on a sample."""
    rng = np.random.default_rng(1)
    n = 14_000
    cases = pd.DataFrame({"case_id": [f"C{i}" for i in range(n)], "category": "c",
                          "subcategory": rng.choice(["占道经营", "违章搭建"], n),
                          "level": "一般", "unit": "u", "person": "", "layer": "", "oid": 0,
                          "x": 0.0, "y": 0.0, "compound": "", "source": "", "description": "",
                          "created": "2026-03-02T09:00:00"})
    path = ["上报", "立案", "派遣", "处置", "反馈", "核查", "结案"]
    ev = []
    for i in range(n):
        steps = int(rng.integers(1, 8))
        t = np.datetime64("2026-03-02T09:00") + np.timedelta64(int(rng.integers(0, 600)), "m")
        for k in range(steps):
            ev.append((f"C{i}", str(t), path[k - 1] if k else "", path[k]))
            t = t + np.timedelta64(int(rng.integers(1, 300)), "m")
    events = pd.DataFrame(ev, columns=["case_id", "ts", "from_state", "to_state"])
    events = events.assign(who="", role="", kind="transition", note="", attachment="",
                           deadline="")
    assert len(events) > 50_000
    cal = WorkingCalendar()
    limits = [TimeLimit("占道经营", 4, "工作时"), TimeLimit("违章搭建", 10, "自然日")]
    d = derive(cases, events, limits=limits, calendar=cal, now=dt.datetime(2026, 3, 20))
    for cid in rng.choice(cases["case_id"], 50):
        mine = events[events.case_id == cid]
        assert d.loc[cid].state == mine.to_state.iloc[-1]
        disp = mine[mine.to_state == "派遣"].ts
        if len(disp):
            sub = cases.set_index("case_id").loc[cid].subcategory
            lim = {"占道经营": (4, "工作时"), "违章搭建": (10, "自然日")}[sub]
            assert d.loc[cid].deadline == pd.Timestamp(cal.add(np.datetime64(disp.iloc[0]), *lim))
