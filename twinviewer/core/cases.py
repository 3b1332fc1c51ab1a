"""Cases: the lifecycle of a hazard or an alarm, its deadline and the figures, all from events.

A case (案件) follows digital urban management practice (GB/T 30428, CJ/T 315)::

    上报 → 立案 (or 注销) → 派遣 → 处置 → 反馈 → 核查 → 结案
                                     ↑               │ check failed: rework
                                     └───────────────┘

with side paths 回退 (returned, with a reason), 挂账 (suspended, with a written
reason) and 延期 (an extension: requested, then approved with a new deadline, or
rejected).  Every transition is one append-only :class:`CaseEvent` (who, role, when,
from, to, note, attachment).  Nothing derived is stored: the state, the deadline
(time limit of the 小类 counted on the :class:`~twinviewer.core.calendar.WorkingCalendar`
from the first 派遣, or the last approved extension), overdue, closed on time,
rework and extension are all computed from the events by :func:`derive`, in numpy
and pandas over whole columns, so 100,000 events take well under 200 ms.

The clock is injected (:class:`Clock`): tests move time by hand instead of sleeping.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from twinviewer.core.calendar import UNITS, WORK_DAYS, WorkingCalendar, to_seconds
from twinviewer.i18n import translate

# -- states and who may move a case ---------------------------------------------------
REPORTED, REGISTERED, CANCELLED, DISPATCHED = "上报", "立案", "注销", "派遣"
HANDLING, FEEDBACK, CHECKING, CLOSED = "处置", "反馈", "核查", "结案"
RETURNED, SUSPENDED = "回退", "挂账"
STATES = (REPORTED, REGISTERED, CANCELLED, DISPATCHED, HANDLING, FEEDBACK, CHECKING, CLOSED,
          RETURNED, SUSPENDED)
FINAL = (CLOSED, CANCELLED)

#: Event kinds besides a plain transition; their ``to_state`` is the case's state.
TRANSITION, EXTEND_REQUEST, EXTEND_APPROVE, EXTEND_REJECT, ASSIGN, ATTACH = (
    "transition", "extend_request", "extend_approve", "extend_reject", "assign", "attach")
KINDS = (TRANSITION, EXTEND_REQUEST, EXTEND_APPROVE, EXTEND_REJECT, ASSIGN, ATTACH)

#: Roles: a viewer reads; an operator (受理员/派遣员) files, registers and dispatches; a
#: unit (责任单位) handles and reports back; a checker (核查员) checks, closes and approves
#: extensions.  ``admin`` may do everything.
VIEWER, OPERATOR, UNIT, CHECKER, ADMIN = "viewer", "operator", "unit", "checker", "admin"
ROLES = (VIEWER, OPERATOR, UNIT, CHECKER, ADMIN)

#: ``from -> {to: roles allowed}``.
TRANSITIONS: dict[str, dict[str, tuple[str, ...]]] = {
    REPORTED: {REGISTERED: (OPERATOR,), CANCELLED: (OPERATOR,), RETURNED: (OPERATOR,)},
    REGISTERED: {DISPATCHED: (OPERATOR,), CANCELLED: (OPERATOR,), RETURNED: (OPERATOR,)},
    DISPATCHED: {HANDLING: (UNIT, OPERATOR), RETURNED: (UNIT, OPERATOR),
                 SUSPENDED: (OPERATOR, CHECKER)},
    HANDLING: {FEEDBACK: (UNIT, OPERATOR), SUSPENDED: (OPERATOR, CHECKER),
               RETURNED: (UNIT, OPERATOR)},
    FEEDBACK: {CHECKING: (CHECKER,)},
    CHECKING: {CLOSED: (CHECKER,), DISPATCHED: (CHECKER,)},  # failed check: rework
    RETURNED: {REGISTERED: (OPERATOR,), DISPATCHED: (OPERATOR,), CANCELLED: (OPERATOR,)},
    SUSPENDED: {DISPATCHED: (OPERATOR, CHECKER), HANDLING: (OPERATOR, CHECKER),
                CANCELLED: (OPERATOR, CHECKER)},
    CLOSED: {}, CANCELLED: {},
}
#: Transitions that need a written note (the reason).
NEEDS_NOTE = {RETURNED, SUSPENDED, CANCELLED}

LEVELS = ("一般", "重大")


class CaseError(ValueError):
    """A refused transition or a bad case record, as one line a user understands."""

    @property
    def message(self) -> str:
        return str(self)


class Clock:
    """The time now; the system clock unless a test moves it by hand.

    Examples
    --------
    >>> clock = Clock(_dt.datetime(2026, 3, 2, 9, 0))
    >>> clock.advance(hours=2); clock.now()
    datetime.datetime(2026, 3, 2, 11, 0)
    """

    def __init__(self, fixed: _dt.datetime | None = None) -> None:
        self._fixed = fixed

    def now(self) -> _dt.datetime:
        if self._fixed is not None:
            return self._fixed
        return _dt.datetime.now().replace(microsecond=0)

    def set(self, when: _dt.datetime) -> None:
        self._fixed = when

    def advance(self, **kwargs) -> None:
        """Move a fixed clock on by ``timedelta(**kwargs)``."""
        self._fixed = self.now() + _dt.timedelta(**kwargs)


@dataclass(frozen=True)
class TimeLimit:
    """One row of the time-limit table: ``小类, 时限, 单位, 结案条件``."""

    subcategory: str
    amount: float
    unit: str = WORK_DAYS
    condition: str = ""

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise CaseError(translate("CaseError",
                                      "time limit of {sub!r}: unit {unit!r} is not 工作时, "
                                      "工作日 or 自然日").format(sub=self.subcategory,
                                                             unit=self.unit))
        if not self.amount > 0:
            raise CaseError(translate("CaseError", "time limit of {sub!r} must be positive")
                            .format(sub=self.subcategory))


@dataclass
class Case:
    """A case on an object (layer + oid) or a clicked location (x, y)."""

    case_id: str
    category: str  # 类别
    subcategory: str  # 小类
    level: str = "一般"  # 等级
    unit: str = ""  # 责任单位
    person: str = ""  # 责任人
    layer: str = ""
    oid: int | None = None
    x: float | None = None
    y: float | None = None
    compound: str = ""  # 小区
    source: str = "manual"  # manual | sweep | alert
    description: str = ""
    created: str = ""  # ISO time of 上报


@dataclass(frozen=True)
class CaseEvent:
    """One append-only event row."""

    case_id: str
    ts: str  # ISO local time
    who: str
    role: str
    from_state: str
    to_state: str
    kind: str = TRANSITION
    note: str = ""
    attachment: str = ""
    deadline: str = ""  # the new deadline of an extension request/approval

    def row(self) -> dict:
        return {k: getattr(self, k) for k in EVENT_COLUMNS}

    def row_values(self) -> tuple:
        return tuple(getattr(self, k) for k in EVENT_COLUMNS)


EVENT_COLUMNS = ("case_id", "ts", "who", "role", "from_state", "to_state", "kind", "note",
                 "attachment", "deadline")
CASE_COLUMNS = ("case_id", "category", "subcategory", "level", "unit", "person", "layer",
                "oid", "x", "y", "compound", "source", "description", "created")


def check_transition(from_state: str, to_state: str, role: str, note: str = "") -> None:
    """Raise :class:`CaseError` unless ``role`` may move a case ``from_state -> to_state``."""
    if to_state not in STATES:
        raise CaseError(translate("CaseError", "{state!r} is not a case state").format(
            state=to_state))
    allowed = TRANSITIONS.get(from_state, {})
    if to_state not in allowed:
        raise CaseError(translate("CaseError", "a case in {src} cannot go to {dst}").format(
            src=from_state, dst=to_state))
    if role not in allowed[to_state] and role != ADMIN:
        raise CaseError(translate("CaseError", "role {role!r} may not move a case from {src} "
                                               "to {dst}").format(role=role, src=from_state,
                                                                  dst=to_state))
    if to_state in NEEDS_NOTE and not note.strip():
        raise CaseError(translate("CaseError", "{dst} needs a written reason (--note)").format(
            dst=to_state))


class CaseBook:
    """Cases and their events in memory, with the transition rules and an injected clock.

    The store (:mod:`twinviewer.store.cases`) persists exactly what this holds: the
    case rows and the append-only events.  ``on_event`` is called with each new
    event, so a store can append it in the same step.
    """

    def __init__(self, *, clock: Clock | None = None, calendar: WorkingCalendar | None = None,
                 limits: Iterable[TimeLimit] = (),
                 on_event: Callable[[CaseEvent], None] | None = None,
                 on_case: Callable[[Case], None] | None = None) -> None:
        self.clock = clock or Clock()
        self.calendar = calendar or WorkingCalendar()
        self.limits: dict[str, TimeLimit] = {t.subcategory: t for t in limits}
        self.cases: dict[str, Case] = {}
        self.events: list[CaseEvent] = []
        self._state: dict[str, str] = {}
        self.on_event = on_event
        self.on_case = on_case
        self._next = 1

    # -- filing --------------------------------------------------------------------
    def new_id(self) -> str:
        """A fresh ``AJ-YYYYMMDD-NNNNN`` id."""
        while True:
            cid = f"AJ-{self.clock.now():%Y%m%d}-{self._next:05d}"
            self._next += 1
            if cid not in self.cases:
                return cid

    def file(self, case: Case, *, who: str, role: str = OPERATOR, note: str = "") -> Case:
        """Add ``case`` in state 上报 (its id is made when empty)."""
        if role == VIEWER:
            raise CaseError(translate("CaseError", "role 'viewer' may not file a case"))
        if not case.case_id:
            case.case_id = self.new_id()
        if case.case_id in self.cases:
            raise CaseError(translate("CaseError", "case {cid} exists already").format(
                cid=case.case_id))
        if case.level not in LEVELS:
            raise CaseError(translate("CaseError", "level {level!r} is not 一般 or 重大").format(
                level=case.level))
        case.created = case.created or self._ts()
        self.cases[case.case_id] = case
        if self.on_case is not None:
            self.on_case(case)
        self._append(CaseEvent(case.case_id, case.created, who, role, "", REPORTED, note=note))
        return case

    def load(self, cases: Iterable[Case], events: Iterable[CaseEvent]) -> None:
        """Fill the book from stored rows (no callbacks)."""
        for c in cases:
            self.cases[c.case_id] = c
        for e in events:
            self.events.append(e)
            if e.kind == TRANSITION:
                self._state[e.case_id] = e.to_state

    # -- moving ---------------------------------------------------------------------
    def state(self, case_id: str) -> str:
        try:
            return self._state[case_id]
        except KeyError:
            raise CaseError(translate("CaseError", "no case {cid}").format(cid=case_id)) from None

    def transition(self, case_id: str, to_state: str, *, who: str, role: str, note: str = "",
                   attachment: str = "") -> CaseEvent:
        """Move a case on; raises :class:`CaseError` when the rules refuse it."""
        src = self.state(case_id)
        check_transition(src, to_state, role, note)
        return self._append(CaseEvent(case_id, self._ts(), who, role, src, to_state,
                                      note=note, attachment=attachment))

    def request_extension(self, case_id: str, deadline: _dt.datetime, *, who: str, role: str,
                          note: str) -> CaseEvent:
        """Ask for a new deadline (延期申请): the case's unit or operator, with a reason."""
        src = self._open_for(case_id, role, (UNIT, OPERATOR))
        if not note.strip():
            raise CaseError(translate("CaseError", "延期 needs a written reason (--note)"))
        return self._append(CaseEvent(case_id, self._ts(), who, role, src, src,
                                      kind=EXTEND_REQUEST, note=note,
                                      deadline=_iso(deadline)))

    def decide_extension(self, case_id: str, approve: bool, *, who: str, role: str,
                         note: str = "") -> CaseEvent:
        """Approve (new deadline) or reject the last pending 延期 request: a checker's call."""
        src = self._open_for(case_id, role, (CHECKER,))
        pending = None
        for e in reversed(self.events):
            if e.case_id != case_id:
                continue
            if e.kind in (EXTEND_APPROVE, EXTEND_REJECT):
                break
            if e.kind == EXTEND_REQUEST:
                pending = e
                break
        if pending is None:
            raise CaseError(translate("CaseError", "case {cid} has no pending extension request")
                            .format(cid=case_id))
        return self._append(CaseEvent(case_id, self._ts(), who, role, src, src,
                                      kind=EXTEND_APPROVE if approve else EXTEND_REJECT,
                                      note=note, deadline=pending.deadline if approve else ""))

    def assign(self, case_id: str, unit: str, person: str, *, who: str, role: str) -> CaseEvent:
        """Give the case to a 责任单位 and 责任人 (recorded as an event; the case row follows)."""
        src = self._open_for(case_id, role, (OPERATOR, CHECKER))
        case = self.cases[case_id]
        case.unit, case.person = unit, person
        return self._append(CaseEvent(case_id, self._ts(), who, role, src, src, kind=ASSIGN,
                                      note=f"{unit} / {person}"))

    def attach(self, case_id: str, path: str, *, who: str, role: str, note: str = ""
               ) -> CaseEvent:
        """Attach a photo or document (its path) to the case."""
        if role == VIEWER:
            raise CaseError(translate("CaseError", "role 'viewer' may not change a case"))
        src = self.state(case_id)
        return self._append(CaseEvent(case_id, self._ts(), who, role, src, src, kind=ATTACH,
                                      note=note, attachment=str(path)))

    def _open_for(self, case_id: str, role: str, roles: Sequence[str]) -> str:
        src = self.state(case_id)
        if src in FINAL:
            raise CaseError(translate("CaseError", "case {cid} is {state} already").format(
                cid=case_id, state=src))
        if role not in roles and role != ADMIN:
            raise CaseError(translate("CaseError", "role {role!r} may not do this").format(
                role=role))
        return src

    def _ts(self) -> str:
        return _iso(self.clock.now())

    def _append(self, event: CaseEvent) -> CaseEvent:
        if self.on_event is not None:
            self.on_event(event)  # the store first: a refused write changes nothing here
        self.events.append(event)
        if event.kind == TRANSITION:
            self._state[event.case_id] = event.to_state
        return event

    # -- derived ---------------------------------------------------------------------
    def frames(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The cases and events as DataFrames (the store's table layout)."""
        cases = pd.DataFrame([{k: getattr(c, k) for k in CASE_COLUMNS}
                              for c in self.cases.values()], columns=list(CASE_COLUMNS))
        events = pd.DataFrame([e.row() for e in self.events], columns=list(EVENT_COLUMNS))
        return cases, events

    def derived(self) -> pd.DataFrame:
        cases, events = self.frames()
        return derive(cases, events, limits=self.limits, calendar=self.calendar,
                      now=self.clock.now())


def _iso(when) -> str:
    if isinstance(when, str):
        return when
    return pd.Timestamp(when).strftime("%Y-%m-%dT%H:%M:%S")


def limits_frame(limits: Mapping[str, TimeLimit] | Iterable[TimeLimit]) -> pd.DataFrame:
    """The time-limit table as a DataFrame indexed by 小类."""
    rows = limits.values() if isinstance(limits, Mapping) else limits
    df = pd.DataFrame([(t.subcategory, t.amount, t.unit, t.condition) for t in rows],
                      columns=["小类", "时限", "单位", "结案条件"])
    return df.set_index("小类")


DEFAULT_LIMIT = TimeLimit("*", 5, WORK_DAYS)  # used for a 小类 missing from the table


def derive(cases: pd.DataFrame, events: pd.DataFrame, *,
           limits: Mapping[str, TimeLimit] | Iterable[TimeLimit] = (),
           calendar: WorkingCalendar | None = None, now=None) -> pd.DataFrame:
    """Everything about each case computed from its events, in whole columns.

    Returns one row per case (index ``case_id``) with the case's columns and
    ``state``, ``dispatched`` (first 派遣), ``deadline`` (limit from the first 派遣,
    or the last approved extension), ``closed`` (time of the last 结案),
    ``reworks`` (failed checks), ``extended`` (an extension was approved),
    ``checked`` (reached 核查), ``registered`` (reached 立案 or beyond),
    ``overdue`` (open, not suspended, deadline passed) and ``on_time`` (closed at or
    before the deadline).  Nothing of this is stored.
    """
    calendar = calendar or WorkingCalendar()
    now_s = to_seconds(now if now is not None else _dt.datetime.now())
    out = cases.set_index("case_id", drop=False).copy()
    n = len(out)
    if n == 0:
        for col in ("state", "dispatched", "deadline", "closed"):
            out[col] = pd.Series(dtype=object if col == "state" else "datetime64[s]")
        for col in ("reworks",):
            out[col] = pd.Series(dtype=np.int64)
        for col in ("extended", "checked", "registered", "overdue", "on_time", "open"):
            out[col] = pd.Series(dtype=bool)
        return out
    codes = pd.Index(out.index)
    ev = events
    ci = codes.get_indexer(ev["case_id"].to_numpy())
    keep = ci >= 0
    ci = ci[keep]
    ts = to_seconds(ev["ts"].to_numpy()[keep])
    kind = ev["kind"].to_numpy()[keep]
    to = ev["to_state"].to_numpy()[keep]
    src = ev["from_state"].to_numpy()[keep]
    order = np.lexsort((np.arange(len(ci)), ts, ci))  # by case, time, then row order
    ci, ts, kind, to, src = ci[order], ts[order], kind[order], to[order], src[order]
    nat = np.iinfo(np.int64).min

    # compare small integer codes, not 100,000 Python strings
    kind_c, kind_u = pd.factorize(kind)
    to_c, to_u = pd.factorize(to)
    src_c, src_u = pd.factorize(src)

    def code(uniques, value) -> int:
        hit = np.flatnonzero(np.asarray(uniques, dtype=object) == value)
        return int(hit[0]) if len(hit) else -2

    def is_to(value):
        return to_c == code(to_u, value)

    trans = kind_c == code(kind_u, TRANSITION)
    # rows are sorted by case then time: a case's first row of a mask is where its
    # index first appears, its last row where it appears first in the reversed order
    def first_row(mask):
        rows = np.flatnonzero(mask)
        cases_, at = np.unique(ci[rows], return_index=True)
        return cases_, rows[at]

    def last_row(mask):
        rows = np.flatnonzero(mask)[::-1]
        cases_, at = np.unique(ci[rows], return_index=True)
        return cases_, rows[at]

    state = np.full(n, REPORTED, dtype=object)
    c, r = last_row(trans)
    state[c] = to[r]

    def first_time(mask):
        arr = np.full(n, nat)
        c, r = first_row(mask)
        arr[c] = ts[r]
        return arr

    def last_time(mask):
        arr = np.full(n, nat)
        c, r = last_row(mask)
        arr[c] = ts[r]
        return arr

    def count(mask):
        return np.bincount(ci[mask], minlength=n)

    dispatched = first_time(trans & is_to(DISPATCHED))
    closed = last_time(trans & is_to(CLOSED))
    reworks = count(trans & (src_c == code(src_u, CHECKING)) & is_to(DISPATCHED))
    checked = count(trans & is_to(CHECKING)) > 0
    registered = count(trans & (is_to(REGISTERED) | is_to(DISPATCHED))) > 0
    approve = kind_c == code(kind_u, EXTEND_APPROVE)
    extended = count(approve) > 0
    ext_deadline = np.full(n, nat)
    if approve.any():
        c, r = last_row(approve)
        ext_deadline[c] = to_seconds(ev["deadline"].to_numpy()[keep][order][r])

    # time limits by 小类, the default where the table has none
    table = limits_frame(limits)
    sub = out["subcategory"].to_numpy()
    li = pd.Index(table.index).get_indexer(sub)
    amount = np.where(li >= 0, table["时限"].to_numpy()[li] if len(table) else 0,
                      DEFAULT_LIMIT.amount).astype(np.float64)
    unit = np.where(li >= 0, table["单位"].to_numpy()[li] if len(table) else "",
                    DEFAULT_LIMIT.unit)
    deadline = np.full(n, nat)
    has = dispatched != nat
    if has.any():
        deadline[has] = calendar.add(dispatched[has], amount[has], unit[has]).astype(np.int64)
    deadline = np.where(extended, ext_deadline, deadline)

    is_closed = state == CLOSED
    open_ = ~np.isin(state, FINAL)
    has_deadline = deadline != nat
    overdue = open_ & (state != SUSPENDED) & has_deadline & (deadline < now_s)
    on_time = is_closed & has_deadline & (closed <= deadline)

    def as_time(a):
        return np.where(a == nat, np.datetime64("NaT"), a.astype("datetime64[s]"))

    out["state"] = state
    out["dispatched"] = as_time(dispatched)
    out["deadline"] = as_time(deadline)
    out["closed"] = as_time(closed)
    out["reworks"] = reworks
    out["extended"] = extended
    out["checked"] = checked
    out["registered"] = registered | np.isin(state, (REGISTERED, DISPATCHED, HANDLING, FEEDBACK,
                                                     CHECKING, CLOSED))
    out["overdue"] = overdue
    out["on_time"] = on_time
    out["open"] = open_
    return out


RATE_KEYS = ("closed_rate", "on_time_rate", "rework_rate", "extension_rate")


def _ratio(num, den):
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)


def rates(derived: pd.DataFrame, by: str | Sequence[str] | None = None, *,
          period: str | None = None) -> pd.DataFrame:
    """结案率, 按期结案率, 返工率 and 延期率, overall or per group.

    Definitions (denominators in brackets): 结案率 = closed / registered cases
    (立案 or beyond, 注销 excluded); 按期结案率 = closed on time / closed; 返工率 =
    cases with at least one failed check / cases checked; 延期率 = cases with an
    approved extension / dispatched cases.

    Parameters
    ----------
    derived : DataFrame
        From :func:`derive`.
    by : str or list of str, optional
        Case columns to group by: ``"category"``, ``"unit"``, ``"compound"``, ...
    period : str, optional
        A pandas period alias (``"M"``, ``"W"``, ``"D"``): also group by the period of
        上报 (``created``).

    Returns
    -------
    DataFrame
        Columns ``cases, registered, closed, on_time, checked, reworked, dispatched,
        extended`` and the four rates (NaN where a denominator is 0).
    """
    d = derived
    frame = pd.DataFrame({
        "cases": 1,
        "registered": d["registered"].to_numpy(dtype=bool),
        "closed": (d["state"] == CLOSED).to_numpy(),
        "on_time": d["on_time"].to_numpy(dtype=bool),
        "checked": d["checked"].to_numpy(dtype=bool),
        "reworked": (d["reworks"] > 0).to_numpy(),
        "dispatched": d["dispatched"].notna().to_numpy(),
        "extended": d["extended"].to_numpy(dtype=bool),
        "open": d["open"].to_numpy(dtype=bool),
        "overdue": d["overdue"].to_numpy(dtype=bool),
    }, index=d.index)
    keys: list = [] if by is None else ([by] if isinstance(by, str) else list(by))
    groups = [d[k].fillna("").to_numpy() for k in keys]
    if period is not None:
        created = pd.to_datetime(d["created"], errors="coerce")
        groups.append(created.dt.to_period(period).astype(str).to_numpy())
        keys.append("period")
    if groups:
        agg = frame.groupby([pd.Series(g, index=d.index, name=k) for g, k in zip(groups, keys, strict=True)]
                            ).sum()
    else:
        agg = frame.sum().to_frame().T
    agg["closed_rate"] = _ratio(agg["closed"], agg["registered"])
    agg["on_time_rate"] = _ratio(agg["on_time"], agg["closed"])
    agg["rework_rate"] = _ratio(agg["reworked"], agg["checked"])
    agg["extension_rate"] = _ratio(agg["extended"], agg["dispatched"])
    return agg


@dataclass
class Figures:
    """What ``twinviewer cases SCENE`` prints (without the alerts)."""

    cases: int = 0
    open: int = 0
    overdue: int = 0
    by_state: dict[str, int] = field(default_factory=dict)
    by_category: dict[str, int] = field(default_factory=dict)
    by_unit: dict[str, int] = field(default_factory=dict)
    closed_rate: float | None = None
    on_time_rate: float | None = None
    rework_rate: float | None = None
    extension_rate: float | None = None


def figures(derived: pd.DataFrame) -> Figures:
    """The summary figures of all cases (rates rounded to 4 places, None when undefined)."""
    total = rates(derived).iloc[0]

    def rate(key):
        v = float(total[key])
        return None if np.isnan(v) else round(v, 4)

    def counts(col):
        return {str(k): int(v) for k, v in derived[col].value_counts().sort_index().items()}

    return Figures(
        cases=int(len(derived)), open=int(derived["open"].sum()),
        overdue=int(derived["overdue"].sum()), by_state=counts("state"),
        by_category=counts("category"), by_unit=counts("unit"),
        **{k: rate(k) for k in RATE_KEYS})
