"""Demo IoT estate: about 1,000 sensors of 19 kinds in one compound, behind per-building gateways.

Modelled on the estates where street offices fitted door magnets, presence, smoke, gas
and water sensors for elderly people living alone.  The sensors are written as the
``iot_sensors`` table (layer 物联设备) of the demo GeoPackage, each with its device id
(``编号``, the MQTT topic's id), its kind (``类型``), the gateway it talks through
(``网关``), its building (``楼栋``) and whether it watches a person living alone (``独居``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyogrio
import pyogrio.raw
import shapely

from twinviewer.io.vector import read_frame

TABLE = "iot_sensors"
LAYER = "物联设备"
GATEWAY = "网关"
#: 19 kinds; weights give about how many of each a 1,000-device estate has.
KINDS = {
    "烟感": 150, "燃气": 90, "一氧化碳": 30, "紧急按钮": 60, "门磁": 130, "人体红外": 120,
    "水表": 90, "水浸": 40, "电表": 60, "温湿度": 30, "智能门锁": 40, "跌倒雷达": 25,
    "电弧探测": 20, "消防水压": 15, "井盖": 15, "电梯监测": 20, "充电桩": 25, "高空抛物": 10,
}
ALONE_KINDS = ("门磁", "人体红外", "水表", "紧急按钮", "跌倒雷达")


def estate_sensors(gpkg: str | Path, *, seed: int, total: int = 1000) -> tuple[str, int]:
    """Write about ``total`` sensors into the largest residential compound's buildings.

    Returns the compound's name and the number of sensors written.
    """
    rng = np.random.default_rng([seed, 14])
    b, footprints, _crs = read_frame(gpkg, "buildings")
    b["geometry"] = footprints
    homes = b[b["类别"] == "住宅楼"]
    if homes.empty:
        homes = b
    estate = homes["小区"].value_counts().index[0]
    blds = homes[homes["小区"] == estate]
    nb = len(blds)
    weights = np.array(list(KINDS.values()), dtype=float)
    per = total - nb  # one gateway per building, the rest by weight
    counts = np.floor(weights / weights.sum() * per).astype(int)
    counts[np.argsort(-weights)[: per - counts.sum()]] += 1
    kinds = np.concatenate([np.full(nb, GATEWAY, dtype=object),
                            np.repeat(np.array(list(KINDS), dtype=object), counts)])
    n = len(kinds)
    # gateways one per building; the other devices spread over the estate's buildings
    bidx = np.concatenate([np.arange(nb), rng.integers(0, nb, n - nb)])
    geoms = blds["geometry"].to_numpy()
    lo = shapely.bounds(geoms)
    pts = np.empty((n, 2))
    for i in range(n):  # fewer than ~1,000 points: rejection sampling inside the footprint
        g, (x0, y0, x1, y1) = geoms[bidx[i]], lo[bidx[i]]
        for _ in range(40):
            p = rng.uniform([x0, y0], [x1, y1])
            if g.contains(shapely.Point(p)):
                break
        else:
            p = np.array(g.representative_point().coords[0])
        pts[i] = p
    codes = np.array([f"WL-{i + 1:06d}" for i in range(n)], dtype=object)
    gateway = codes[bidx]  # device k's gateway is its building's (first nb rows)
    gateway[:nb] = ""
    names = blds["名称"].to_numpy(dtype=object)[bidx]
    alone = np.isin(kinds, ALONE_KINDS) & (rng.random(n) < 0.6)
    fields = {
        "类别": np.full(n, "传感器", dtype=object), "编号": codes, "类型": kinds,
        "网关": gateway.astype(object), "楼栋": names, "小区": np.full(n, estate, dtype=object),
        "独居": alone.astype(np.int32), "状态": np.full(n, "在线", dtype=object),
    }
    pyogrio.raw.write(gpkg, geometry=shapely.to_wkb(shapely.points(pts)),
                      field_data=list(fields.values()), fields=list(fields), layer=TABLE,
                      driver="GPKG", crs=pyogrio.read_info(gpkg, layer="buildings")["crs"],
                      append=True, geometry_type="Point", promote_to_multi=False)
    return str(estate), n
