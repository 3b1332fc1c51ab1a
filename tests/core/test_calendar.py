"""Working calendar: working hours, working days, calendar days, holidays and 调休."""

import datetime as dt

import numpy as np
import pytest

from twinviewer.core.calendar import CalendarError, WorkingCalendar, calendar_from_rows

D = dt.datetime


def test_working_hours_skip_nights_weekends_and_holidays():
    cal = WorkingCalendar(holidays=[dt.date(2026, 10, 1)])
    # Wednesday 16:00 + 2 h: 1 h left today, Thursday is a holiday, Friday 09:00 + 1 h
    assert cal.add(D(2026, 9, 30, 16), 2, "工作时") == np.datetime64("2026-10-02T10:00")
    # a limit that runs out at closing time ends that day, not the next morning
    assert cal.add(D(2026, 9, 30, 16), 1, "工作时") == np.datetime64("2026-09-30T17:00")
    # Friday 16:30 + 1 h goes over the weekend
    assert cal.add(D(2026, 10, 2, 16, 30), 1, "工作时") == np.datetime64("2026-10-05T09:30")
    # before opening counts from opening; on a Sunday from Monday's opening
    assert cal.add(D(2026, 9, 29, 7), 1, "工作时") == np.datetime64("2026-09-29T10:00")
    assert cal.add(D(2026, 10, 4, 12), 8, "工作时") == np.datetime64("2026-10-05T17:00")


def test_working_days_and_calendar_days():
    cal = WorkingCalendar(holidays=[dt.date(2026, 10, 1)])
    assert cal.add(D(2026, 9, 30, 16), 3, "工作日") == np.datetime64("2026-10-06T16:00")
    assert cal.add(D(2026, 9, 30, 16), 3, "自然日") == np.datetime64("2026-10-03T16:00")


def test_makeup_working_day_is_counted_and_editing_takes_effect():
    cal = WorkingCalendar()
    start = D(2026, 10, 9, 16)  # Friday
    assert cal.add(start, 2, "工作时") == np.datetime64("2026-10-12T10:00")
    cal.set_day("2026-10-10", "上班")  # Saturday worked (调休)
    assert cal.add(start, 2, "工作时") == np.datetime64("2026-10-10T10:00")
    cal.set_day("2026-10-10", None)
    assert cal.add(start, 2, "工作时") == np.datetime64("2026-10-12T10:00")
    rows = [("2026-10-01", "休息"), ("2026-10-10", "上班")]
    assert calendar_from_rows(rows).days() == rows


def test_vectorised_matches_one_by_one():
    cal = WorkingCalendar(holidays=[dt.date(2026, 5, 1), dt.date(2026, 5, 4)],
                          workdays=[dt.date(2026, 5, 9)])
    rng = np.random.default_rng(3)
    starts = np.datetime64("2026-04-20T00:00") + (rng.integers(0, 30 * 1440, 300) * 60).astype(
        "timedelta64[s]")
    amounts = rng.integers(1, 40, 300).astype(float)
    units = rng.choice(["工作时", "工作日", "自然日"], 300)
    many = cal.add(starts, amounts, units)
    one = [cal.add(s, a, u) for s, a, u in zip(starts, amounts, units, strict=True)]
    assert (many == np.array(one)).all()
    # an independent count: walking minute by minute for a few working-hour limits
    for s, a, u, got in list(zip(starts, amounts, units, many, strict=True))[:20]:
        if u != "工作时":
            continue
        t, left = s.astype("datetime64[m]"), int(a * 60)
        while left:
            d = t.astype("datetime64[D]").astype(object)
            minute = int((t - t.astype("datetime64[D]")).astype(int))
            working = (d.weekday() < 5 or d == dt.date(2026, 5, 9)) and d not in (
                dt.date(2026, 5, 1), dt.date(2026, 5, 4))
            if working and 540 <= minute < 1020:
                left -= 1
            t = t + np.timedelta64(1, "m")
        assert got == t


def test_bad_settings_are_one_line_errors():
    with pytest.raises(CalendarError, match="ends"):
        WorkingCalendar(start="17:00", end="09:00")
    with pytest.raises(CalendarError, match="not 工作时"):
        WorkingCalendar().add(D(2026, 1, 5), 1, "月")
    with pytest.raises(CalendarError, match="date"):
        WorkingCalendar().set_day("next tuesday", "休息")
