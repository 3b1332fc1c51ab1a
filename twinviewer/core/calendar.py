"""The working calendar: working days, office hours, holidays and time limits counted on them.

Digital urban management counts a case's time limit (时限) in 工作时 (working
hours), 工作日 (working days) or 自然日 (calendar days).  The calendar is one
weekly pattern (Monday to Friday by default), one office window per working day
(09:00-17:00 by default) and two editable lists of dates: holidays (休息, e.g. the
Spring Festival) and make-up working days (上班, the weekend days the State Council
moves into the week, 调休).

Working time is a single timeline of working minutes, so adding a limit is two
array look-ups and every case's deadline is computed at once (numpy), never in a
Python loop: 100,000 deadlines take a few milliseconds.  Times are naive local
``datetime64[s]`` (the scene's wall clock).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from twinviewer.i18n import translate

#: Units of a time limit, as the time-limit table writes them.
WORK_HOURS = "工作时"
WORK_DAYS = "工作日"
CALENDAR_DAYS = "自然日"
UNITS = (WORK_HOURS, WORK_DAYS, CALENDAR_DAYS)

HOLIDAY = "休息"
WORKDAY = "上班"

_DAY_S = 86400
_EPOCH = np.datetime64("1970-01-01T00:00:00", "s")


class CalendarError(ValueError):
    """A calendar setting or a time limit that cannot be used, in one line."""

    @property
    def message(self) -> str:
        return str(self)


def _minutes(text: str) -> int:
    try:
        h, m = (int(v) for v in str(text).split(":"))
    except ValueError:
        raise CalendarError(translate("CalendarError", "{value!r} is not a time such as 09:00")
                            .format(value=text)) from None
    if not (0 <= h <= 24 and 0 <= m < 60) or h * 60 + m > 1440:
        raise CalendarError(translate("CalendarError", "{value!r} is not a time of day")
                            .format(value=text))
    return h * 60 + m


def to_seconds(values) -> np.ndarray:
    """Seconds since 1970 (int64) of datetimes, ``datetime64`` or ISO strings; NaT -> min int."""
    arr = np.asarray(values)
    if arr.dtype.kind in "iu":
        return arr.astype(np.int64)
    if arr.dtype.kind != "M":
        if arr.dtype == object:
            arr = np.where(pd.isna(arr), "", arr)
        try:
            arr = arr.astype("datetime64[s]")  # ISO strings and datetimes, in C
        except (ValueError, TypeError):
            arr = pd.to_datetime(pd.Series(arr.ravel()), errors="coerce").to_numpy(
                "datetime64[s]").reshape(arr.shape)
    return arr.astype("datetime64[s]").astype(np.int64)


@dataclass
class WorkingCalendar:
    """Which days are worked and when, with holidays and make-up days.

    Parameters
    ----------
    weekdays : sequence of int, default: Monday to Friday
        Working weekdays, 0 = Monday.
    start, end : str, default: ``"09:00"``, ``"17:00"``
        The office window of every working day.
    holidays, workdays : iterable of date
        Dates off although on a working weekday (休息), and dates worked although
        on a weekend (上班, 调休).

    Examples
    --------
    >>> cal = WorkingCalendar(holidays=[_dt.date(2026, 10, 1)])
    >>> str(cal.add(_dt.datetime(2026, 9, 30, 16, 0), 2, "工作时"))
    '2026-10-02T10:00:00'
    """

    weekdays: Sequence[int] = (0, 1, 2, 3, 4)
    start: str = "09:00"
    end: str = "17:00"
    holidays: set[_dt.date] = field(default_factory=set)
    workdays: set[_dt.date] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.holidays = {_as_date(d) for d in self.holidays}
        self.workdays = {_as_date(d) for d in self.workdays}
        self._table = None
        self._check()

    def _check(self) -> None:
        s, e = _minutes(self.start), _minutes(self.end)
        if e <= s:
            raise CalendarError(translate("CalendarError",
                                          "the working day ends ({end}) before it starts ({start})")
                                .format(end=self.end, start=self.start))
        if not set(self.weekdays) <= set(range(7)) or not self.weekdays:
            raise CalendarError(translate("CalendarError",
                                          "working weekdays must be some of 0 (Monday) to 6"))

    # -- editing: every change drops the cached day table ---------------------------
    def set_day(self, day: _dt.date | str, kind: str | None) -> None:
        """Mark ``day`` a holiday (``"休息"``), a make-up working day (``"上班"``) or neither."""
        d = _as_date(day)
        self.holidays.discard(d)
        self.workdays.discard(d)
        if kind == HOLIDAY:
            self.holidays.add(d)
        elif kind == WORKDAY:
            self.workdays.add(d)
        elif kind not in (None, ""):
            raise CalendarError(translate("CalendarError",
                                          "a calendar day is 休息 or 上班, not {kind!r}")
                                .format(kind=kind))
        self._table = None

    def set_hours(self, start: str, end: str) -> None:
        """Change the office window of every working day."""
        old = self.start, self.end
        self.start, self.end = start, end
        try:
            self._check()
        except CalendarError:
            self.start, self.end = old
            raise
        self._table = None

    def days(self) -> list[tuple[str, str]]:
        """The exceptions as ``(ISO date, 休息|上班)`` rows, sorted: what the store keeps."""
        rows = [(d.isoformat(), HOLIDAY) for d in self.holidays]
        rows += [(d.isoformat(), WORKDAY) for d in self.workdays]
        return sorted(rows)

    @property
    def day_minutes(self) -> int:
        """Working minutes in one working day."""
        return _minutes(self.end) - _minutes(self.start)

    # -- the working-minute timeline --------------------------------------------------
    def _days(self, hi_day: int):
        """Day table from 1970-01-01 to at least day ``hi_day``, cached and grown.

        The origin is fixed so working-minute values stay comparable when the
        table grows; dates before 1970 count as non-working.
        """
        t = self._table
        if t is not None and hi_day < len(t[0]):
            return t
        hi = max(hi_day + 400, 25_000 if t is None else 2 * len(t[0]))  # 2038 at least
        day = np.arange(hi + 1, dtype=np.int64)
        weekday = (day + 3) % 7  # 1970-01-01 was a Thursday
        work = np.isin(weekday, np.asarray(self.weekdays))
        for dates, value in ((self.holidays, False), (self.workdays, True)):
            if dates:
                idx = np.array([(d - _dt.date(1970, 1, 1)).days for d in dates])
                idx = idx[(idx >= 0) & (idx < len(day))]
                work[idx] = value
        before = np.concatenate([[0], np.cumsum(work)[:-1]])  # working days before each day
        self._table = (work, before, np.flatnonzero(work))
        return self._table

    def working_minutes(self, when) -> np.ndarray:
        """Working minutes from the calendar's origin to each time (float64 array)."""
        sec = to_seconds(when)
        day = np.maximum(np.floor_divide(sec, _DAY_S), 0)
        sec = np.maximum(sec, 0)
        work, before, _ = self._days(int(day.max(initial=0)))
        i = day
        minute = (sec - day * _DAY_S) / 60.0
        inside = np.clip(minute - _minutes(self.start), 0, self.day_minutes)
        return before[i] * float(self.day_minutes) + np.where(work[i], inside, 0.0)

    def from_working_minutes(self, m: np.ndarray) -> np.ndarray:
        """The earliest time at which ``m`` working minutes have passed (``datetime64[s]``).

        A limit that runs out exactly at closing time ends that day, not at the next
        opening.
        """
        m = np.asarray(m, dtype=np.float64)
        dm = float(self.day_minutes)
        k = np.maximum(np.ceil(m / dm), 1).astype(np.int64)  # 1-based working day
        _, _, workdays = self._days(0)
        while int(k.max(initial=1)) > len(workdays):  # grow until it holds the k-th day
            _, _, workdays = self._days(2 * len(self._table[0]))
        within = m - (k - 1) * dm
        sec = workdays[k - 1] * _DAY_S + (_minutes(self.start) + within) * 60.0
        return (_EPOCH + np.round(sec).astype(np.int64)).astype("datetime64[s]")

    def add(self, start, amount, unit):
        """Deadlines: ``start`` plus ``amount`` in ``unit`` (arrays or scalars alike).

        Parameters
        ----------
        start : datetime, datetime64 or array of them
        amount : float or array
            The time limit.
        unit : str or array of str
            ``"工作时"``, ``"工作日"`` or ``"自然日"``.

        Returns
        -------
        numpy.datetime64 or numpy.ndarray of datetime64[s]
        """
        scalar = np.ndim(start) == 0 and np.ndim(amount) == 0 and np.ndim(unit) == 0
        sec = np.atleast_1d(to_seconds(start))
        amount = np.broadcast_to(np.asarray(amount, dtype=np.float64), sec.shape)
        unit = np.broadcast_to(np.asarray(unit, dtype=object), sec.shape)
        bad = ~np.isin(unit, UNITS)
        if bad.any():
            raise CalendarError(translate("CalendarError",
                                          "time limit unit {unit!r} is not 工作时, 工作日 or 自然日")
                                .format(unit=unit[bad][0]))
        out = np.full(sec.shape, np.datetime64("NaT"), dtype="datetime64[s]")
        valid = sec != np.iinfo(np.int64).min
        natural = valid & (unit == CALENDAR_DAYS)
        out[natural] = (_EPOCH + sec[natural] + np.round(amount[natural] * _DAY_S)
                        .astype(np.int64)).astype("datetime64[s]")
        working = valid & ~natural
        if working.any():
            per = np.where(unit[working] == WORK_DAYS, float(self.day_minutes), 60.0)
            m = self.working_minutes(sec[working]) + amount[working] * per
            out[working] = self.from_working_minutes(m)
        return out[0] if scalar else out


def _as_date(value) -> _dt.date:
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    try:
        return _dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise CalendarError(translate("CalendarError", "{value!r} is not a date such as "
                                                       "2026-10-01").format(value=value)) from None


def calendar_from_rows(rows: Iterable[tuple[str, str]], *, start: str = "09:00",
                       end: str = "17:00", weekdays: Sequence[int] = (0, 1, 2, 3, 4),
                       ) -> WorkingCalendar:
    """A calendar from ``(date, 休息|上班)`` rows, as :meth:`WorkingCalendar.days` writes them."""
    cal = WorkingCalendar(weekdays=tuple(weekdays), start=start, end=end)
    for day, kind in rows:
        cal.set_day(day, kind)
    return cal
