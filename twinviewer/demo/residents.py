"""Synthetic special-care residents (重点人群) of the demo homes, with fictional IDs.

Names, ID numbers and phone numbers are marked sensitive in the GeoPackage schema
(:data:`SENSITIVE_FIELDS`).
"""

from __future__ import annotations

import numpy as np

from twinviewer.demo.names import _person_names
from twinviewer.demo.tables import _Table

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
