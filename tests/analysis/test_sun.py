"""Sun position against NREL SPA's published example; solar-term dates; true solar time."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from twinviewer.analysis.sun import (
    CHINA_TZ,
    solar_term,
    solar_term_date,
    sun_position,
    true_solar_hour,
    true_solar_times,
)


def test_spa_paper_example():
    # Reda & Andreas (2004), NREL/TP-560-34302, table A4.1 / A5: the worked example
    p = sun_position(pd.Timestamp("2003-10-17 12:30:30-07:00"), 39.742476, -105.1786,
                     altitude=1830.14, pressure=82000.0, temperature=11.0, delta_t=67.0)
    assert abs(p.zenith[0] - 50.11162) < 0.01
    assert abs(p.azimuth[0] - 194.34024) < 0.01
    d = p.directions()[0]
    assert np.isclose(np.linalg.norm(d), 1.0)
    assert np.isclose(np.degrees(np.arcsin(d[2])), 90 - p.zenith[0])


@pytest.mark.parametrize(("year", "term", "when"), [
    # Purple Mountain Observatory almanac times (China standard time), to the minute
    (2024, "冬至", "2024-12-21 17:20"),
    (2024, "大寒", "2024-01-20 22:07"),
    (2025, "大寒", "2025-01-20 04:00"),
    (2025, "冬至", "2025-12-21 23:03"),
])
def test_solar_terms(year, term, when):
    t = solar_term(year, term).astimezone(CHINA_TZ)
    expected = dt.datetime.fromisoformat(when).replace(tzinfo=CHINA_TZ)
    assert abs((t - expected).total_seconds()) < 90
    assert solar_term_date(year, term) == expected.date()


def test_true_solar_time_window_and_noon():
    lon, lat = 121.47, 31.23
    day = dt.date(2026, 1, 20)
    times = true_solar_times(day, 8.0, 16.0, 15.0, lon)
    assert len(times) == 33
    assert np.allclose(true_solar_hour(times, lon), 8.0 + np.arange(33) * 0.25, atol=1e-5)
    # at true solar noon the sun is due south (azimuth 180) and highest
    noon = true_solar_times(day, 11.0, 13.0, 60.0, lon)
    p = sun_position(noon, lat, lon)
    assert abs(p.azimuth[1] - 180.0) < 0.05
    assert p.elevation[1] > p.elevation[0] and p.elevation[1] > p.elevation[2]
    # and symmetric in the morning and the afternoon
    assert abs(p.elevation[0] - p.elevation[2]) < 0.05


def test_empty_window_is_refused():
    with pytest.raises(ValueError):
        true_solar_times(dt.date(2026, 1, 20), 16.0, 8.0, 15.0, 121.0)
