"""Sun position (NREL SPA through pvlib), true solar time windows and the solar-term days.

Everything that needs the sun asks this module: sunlight hours, shadows and the
CLI.  The position comes from :func:`pvlib.solarposition.spa_python`, pvlib's
implementation of NREL's Solar Position Algorithm (Reda & Andreas 2004); the
solar terms (冬至, 大寒) are found by bisection on SPA's apparent sun longitude.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pvlib
from pvlib import spa

from twinviewer.i18n import translate

CHINA_TZ = dt.timezone(dt.timedelta(hours=8), "CST")

# Apparent ecliptic longitude of the sun at each solar term the standards use (degrees).
SOLAR_TERMS = {"大寒": 300.0, "冬至": 270.0}


@dataclass(frozen=True)
class SunPosition:
    """Sun positions at some instants (arrays of the same length).

    ``azimuth`` is clockwise from north (degrees), ``elevation`` the apparent
    (refracted) elevation, ``zenith`` ``90 - elevation``.
    """

    times: pd.DatetimeIndex
    zenith: np.ndarray
    azimuth: np.ndarray
    elevation: np.ndarray
    equation_of_time: np.ndarray  # minutes

    def directions(self) -> np.ndarray:
        """Unit vectors towards the sun, ``(n, 3)``, x east, y north, z up."""
        az = np.radians(self.azimuth)
        el = np.radians(self.elevation)
        return np.stack([np.sin(az) * np.cos(el), np.cos(az) * np.cos(el), np.sin(el)], axis=1)


def sun_position(times, latitude: float, longitude: float, *, altitude: float = 0.0,
                 pressure: float = 101325.0, temperature: float = 12.0,
                 delta_t: float = 67.0) -> SunPosition:
    """Sun position by NREL SPA (pvlib ``spa_python``).

    Parameters
    ----------
    times : datetime-like or sequence of them
        Time zone aware instants (naive ones are taken as UTC, as pvlib does).
    latitude, longitude : float
        Degrees, north and east positive.
    altitude : float, default: 0
        Metres above sea level.
    pressure : float, default: 101325
        Pascals (for refraction).
    temperature : float, default: 12
        Degrees Celsius (for refraction).
    delta_t : float, default: 67
        TT - UT1 in seconds.

    Examples
    --------
    >>> p = sun_position(pd.Timestamp("2003-10-17 12:30:30-07:00"), 39.742476, -105.1786,
    ...                  altitude=1830.14, pressure=82000, temperature=11)
    >>> round(float(p.zenith[0]), 3)
    50.112
    """
    idx = pd.DatetimeIndex(np.atleast_1d(pd.to_datetime(times)))
    sp = pvlib.solarposition.spa_python(idx, latitude, longitude, altitude=altitude,
                                        pressure=pressure, temperature=temperature,
                                        delta_t=delta_t)
    return SunPosition(idx, sp["apparent_zenith"].to_numpy(float),
                       sp["azimuth"].to_numpy(float),
                       sp["apparent_elevation"].to_numpy(float),
                       sp["equation_of_time"].to_numpy(float))


def true_solar_times(day: dt.date, start: float, end: float, step_minutes: float,
                     longitude: float, *, delta_t: float = 67.0) -> pd.DatetimeIndex:
    """UTC instants of true (apparent) solar time ``start`` .. ``end`` hours on ``day``.

    True solar time is local mean time (UTC + longitude / 15 h) plus the equation of
    time; SPA's equation of time is evaluated at each instant and the shift is
    refined once more (it changes by seconds per hour, so two rounds are exact to
    well under a second).  Both ends are included when the step divides the window.
    """
    if end <= start or step_minutes <= 0:
        raise ValueError(translate("AnalysisError", "the time window is empty"))
    n = int(np.floor((end - start) * 60.0 / step_minutes + 1e-9)) + 1
    hours = start + np.arange(n) * step_minutes / 60.0
    midnight = pd.Timestamp(day.isoformat(), tz="UTC")
    mean = midnight + pd.to_timedelta((hours - longitude / 15.0) * 3600.0, unit="s")
    utc = mean
    for _ in range(2):
        eot = pvlib.solarposition.spa_python(utc, 0.0, longitude, delta_t=delta_t)
        utc = mean - pd.to_timedelta(eot["equation_of_time"].to_numpy(float) * 60.0, unit="s")
    return pd.DatetimeIndex(utc)


def true_solar_hour(times, longitude: float, *, delta_t: float = 67.0) -> np.ndarray:
    """True solar time in hours (0-24) of the given instants at ``longitude``."""
    idx = pd.DatetimeIndex(np.atleast_1d(pd.to_datetime(times)))
    if idx.tz is None:
        idx = idx.tz_localize("UTC")
    idx = idx.tz_convert("UTC")
    eot = pvlib.solarposition.spa_python(idx, 0.0, longitude, delta_t=delta_t)
    sod = (idx - idx.normalize()).total_seconds().to_numpy(float) / 3600.0
    return (sod + longitude / 15.0 + eot["equation_of_time"].to_numpy(float) / 60.0) % 24.0


def _apparent_longitude(jd: float, delta_t: float) -> float:
    """Apparent geocentric ecliptic longitude of the sun (degrees) at Julian day ``jd`` (UT)."""
    jde = spa.julian_ephemeris_day(jd, delta_t)
    jce = spa.julian_ephemeris_century(jde)
    jme = spa.julian_ephemeris_millennium(jce)
    helio = spa.heliocentric_longitude(jme)
    radius = spa.heliocentric_radius_vector(jme)
    geo = spa.geocentric_longitude(helio)
    x = [spa.mean_elongation(jce), spa.mean_anomaly_sun(jce), spa.mean_anomaly_moon(jce),
         spa.moon_argument_latitude(jce), spa.moon_ascending_longitude(jce)]
    out = np.empty(2)  # pvlib fills (delta_psi, delta_epsilon) in place
    spa.longitude_obliquity_nutation(jce, *x, out)
    dpsi = out[0]
    return float(spa.apparent_sun_longitude(geo, dpsi, spa.aberration_correction(radius))) % 360


def solar_term(year: int, term: str, *, delta_t: float = 67.0) -> dt.datetime:
    """The instant (UTC) of a solar term in ``year``: ``"冬至"`` (December) or ``"大寒"`` (January).

    Examples
    --------
    >>> solar_term(2025, "冬至").astimezone(CHINA_TZ).date()
    datetime.date(2025, 12, 21)
    """
    if term not in SOLAR_TERMS:
        raise ValueError(translate("AnalysisError", "unknown solar term {term}").format(
            term=repr(term)))
    target = SOLAR_TERMS[term]
    month = 12 if term == "冬至" else 1
    lo = pd.Timestamp(year=year, month=month, day=15, tz="UTC")
    hi = lo + pd.Timedelta(days=12)

    def jd(t: pd.Timestamp) -> float:
        return t.to_julian_date()

    def offset(t: pd.Timestamp) -> float:  # signed degrees past the target, in (-180, 180]
        return (_apparent_longitude(jd(t), delta_t) - target + 180.0) % 360.0 - 180.0

    if not (offset(lo) < 0 < offset(hi)):
        raise ValueError(f"solar term {term} not bracketed in {year}")
    for _ in range(50):  # 12 days / 2**50: far below a second
        mid = lo + (hi - lo) / 2
        if offset(mid) < 0:
            lo = mid
        else:
            hi = mid
    return lo.to_pydatetime()


def solar_term_date(year: int, term: str, *, tz: dt.tzinfo = CHINA_TZ) -> dt.date:
    """The civil date (China standard time by default) of a solar term in ``year``."""
    return solar_term(year, term).astimezone(tz).date()
