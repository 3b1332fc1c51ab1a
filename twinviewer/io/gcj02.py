"""GCJ-02 ("Mars coordinates") <-> WGS 84, for data taken from Chinese web maps.

Gaode/AMap, Tencent and (after its own BD-09 step) Baidu publish coordinates in
GCJ-02, WGS 84 shifted by a deliberate, non-linear offset of typically 100-700 m.
GDAL and PROJ do not know this datum, so the offset is removed here, and only
when the user asks for it (``gcj02 = true`` on a vector layer in the scene file):
twinviewer never guesses that data is GCJ-02.

Accuracy
--------
The official algorithm is not published.  The forward formula used here is the
widely used public reconstruction (as in the ``eviltransform`` and ``coordtransform``
projects); against points with both official GCJ-02 and surveyed WGS 84 coordinates
it agrees to about 0.5 m, worst case about 1-2 m.  :func:`gcj02_to_wgs84` inverts the
formula by fixed-point iteration to better than 1 mm of the formula itself, so the
round trip adds nothing measurable: the error budget is the formula's ~1 m, enough
for street furniture and buildings, not for cadastral work.  Outside mainland China
(the rough box 72-137.8 E, 0.8-55.8 N) GCJ-02 equals WGS 84 and points pass unchanged.
"""

from __future__ import annotations

import numpy as np

_A = 6378245.0  # Krasovsky 1940 semi-major axis, as the formula uses it
_EE = 0.00669342162296594323  # its first eccentricity squared


def in_china(lon, lat) -> np.ndarray:
    """Whether points fall in the rough box where the GCJ-02 offset applies."""
    lon, lat = np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)
    return (lon > 72.004) & (lon < 137.8347) & (lat > 0.8293) & (lat < 55.8271)


def _delta(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x, y = lon - 105.0, lat - 35.0
    dlat = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y
            + 0.2 * np.sqrt(np.abs(x)))
    dlat += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlat += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * np.pi) + 320 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    dlon = (300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x)))
    dlon += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlon += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    rad = lat / 180.0 * np.pi
    magic = 1 - _EE * np.sin(rad) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * np.cos(rad) * np.pi)
    return dlon, dlat


def wgs84_to_gcj02(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 longitude/latitude (degrees) of WGS 84 points; arrays in, arrays out.

    Examples
    --------
    >>> lon, lat = wgs84_to_gcj02(121.4737, 31.2304)  # People's Square, Shanghai
    """
    lon, lat = np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)
    dlon, dlat = _delta(lon, lat)
    inside = in_china(lon, lat)
    return np.where(inside, lon + dlon, lon), np.where(inside, lat + dlat, lat)


def gcj02_to_wgs84(lon, lat, *, tolerance: float = 1e-10,
                   max_iter: int = 30) -> tuple[np.ndarray, np.ndarray]:
    """WGS 84 longitude/latitude of GCJ-02 points, inverting the formula by iteration.

    Parameters
    ----------
    tolerance : float
        Stop when every point moves less than this many degrees (default 1e-10,
        about 0.01 mm).
    max_iter : int
        Iteration cap (default 30; 3-5 iterations are typical).
    """
    glon, glat = np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)
    wlon, wlat = glon.copy(), glat.copy()
    for _ in range(max_iter):
        flon, flat = wgs84_to_gcj02(wlon, wlat)
        elon, elat = flon - glon, flat - glat
        wlon, wlat = wlon - elon, wlat - elat
        bad = ~(np.isfinite(elon) & np.isfinite(elat))
        if not np.any((np.abs(elon) > tolerance) & ~bad) and \
                not np.any((np.abs(elat) > tolerance) & ~bad):
            break
    return wlon, wlat
