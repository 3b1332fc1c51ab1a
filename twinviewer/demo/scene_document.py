"""The demo's scene document: layers, thematic styles, filters, bookmarks, walkthrough."""

from __future__ import annotations

from twinviewer.demo.tables import CRS, DISTRICT_NAME, GPKG_NAME

# (display name, table, group, extra keys, colour or None)
_SCENE_LAYERS = (
    ("小区", "compounds", "基础模型", {"opacity": 1.0, "default_height": 0.3}, "#cfe3c5"),
    ("道路", "roads", "基础模型", {"opacity": 1.0, "line_width": 3.0}, "#8f8f8f"),
    ("建筑", "buildings", "基础模型",
     {"opacity": 1.0, "height_field": "高度", "floors_field": "层数"}, "#d9d4c7"),
    # no colour: each kind of street furniture keeps its asset's own colour
    ("街道设施", "street_furniture", "基础模型", {"opacity": 1.0, "point_scale": 1.0}, None),
    ("人口", "population", "人口", {"opacity": 1.0, "point_scale": 1.5}, "#f28c28"),
    ("视频监控", "cameras", "公共安全", {"opacity": 1.0, "point_scale": 1.5}, "#2f6fdf"),
    ("传感器", "sensors", "物联感知", {"opacity": 1.0, "point_scale": 1.5}, "#2fa84f"),
    ("重点点位", "key_points", "重点点位", {"opacity": 1.0, "point_scale": 2.0}, "#8e44ad"),
    ("安全隐患", "hazards", "安全隐患", {"opacity": 1.0, "point_scale": 2.0}, "#e0393e"),
    # resident-level data: markers inside the homes (hide 建筑 to see them); names, ID
    # and phone numbers are marked sensitive in the GeoPackage schema
    ("重点人群", "residents", "人口", {"opacity": 1.0, "point_scale": 0.8}, "#c2185b"),
)


# thematic styles the demo ships with (issue 5): residents per building, states,
# compound names above the compounds, population markers sized by residents and
# what each camera sees
_THEMES = {
    "小区": {"label": "名称", "label_size": 14},
    "人口": {"size_by": "人口", "size_range": [0.6, 2.2]},
    "视频监控": {"view_cone": {"heading": "朝向", "range": 35.0, "angle": 60.0}},
    "建筑": {"by": "人口", "method": "quantile", "classes": 5, "ramp": "YlOrRd"},
    "安全隐患": {"by": "状态", "categories": {"待处理": "#e0393e", "处理中": "#f2a93b",
                                          "已办结": "#8a8f98"},
             "label": "隐患类别", "label_size": 12, "label_color": "#a01818"},
    "传感器": {"by": "状态", "categories": {"在线": "#2fa84f", "离线": "#8a8f98",
                                        "告警": "#e0393e"}},
}


# saved filters for the summary panel's "who needs help" list (issue 5)
_FILTERS = (
    ("特殊关爱对象", "重点人群", "独居 = 1 or 残疾 = 1 or 年龄 >= 80"),
    ("独居高龄老人", "重点人群", "年龄 >= 80 and 独居 = 1"),
    ("有独居老人的楼栋", "人口", "独居老人 > 0"),
    ("未办结隐患", "安全隐患", "状态 != '已办结'"),
    ("告警传感器", "传感器", "状态 = '告警'"),
)


def _scene_document(origin: list[float]) -> dict:
    layers = []
    for name, table, group, extra, colour in _SCENE_LAYERS:
        entry = {"name": name, "source": GPKG_NAME, "table": table, "group": group,
                 "visible": True, "class_field": "类别"}
        entry.update(extra)
        entry["style"] = {"color": colour} if colour else {}
        entry["style"].update(_THEMES.get(name, {}))
        layers.append(entry)
    return {"version": 1, "name": f"{DISTRICT_NAME}数字孪生", "crs": CRS,
            "origin": origin, "layers": layers, **_demo_walkthrough(),
            "filters": [{"name": n, "layer": layer, "expression": e}
                        for n, layer, e in _FILTERS]}


def _demo_walkthrough() -> dict:
    """The demo's bookmarks and its prepared walkthrough (issue 6), scene coordinates."""
    base = ["小区", "道路", "建筑", "街道设施"]
    overlays = ["人口", "视频监控", "传感器", "重点点位", "安全隐患"]
    marks = [  # name, position, focal point
        ("全景", [345.0, -1060.0, 935.0], [-40.0, 40.0, 0.0]),
        ("永居新村", [-65.0, -400.0, 220.0], [-165.0, -118.0, 0.0]),
        ("安全隐患", [-20.0, -120.0, 180.0], [-90.0, 110.0, 0.0]),
        ("视频监控", [420.0, 20.0, 200.0], [255.0, 190.0, 0.0]),
        ("枫美新村高层", [150.0, 150.0, 160.0], [309.0, 375.0, 50.0]),
    ]
    stops = [  # bookmark, dwell (s), caption, visible layers
        ("全景", 3.0, f"{DISTRICT_NAME}全景：39个小区、463栋建筑", base + overlays),
        ("永居新村", 4.0, "永居新村：人口与重点点位", base + ["人口", "重点点位"]),
        ("安全隐患", 4.0, "安全隐患点位：按处理状态着色", base + ["安全隐患"]),
        ("视频监控", 4.0, "新建视频监控：覆盖主要路口", base + ["视频监控"]),
        ("枫美新村高层", 4.0, "高层住宅与物联感知传感器", base + ["传感器"]),
        ("全景", 2.0, f"{DISTRICT_NAME}数字孪生 · 谢谢观看", base + overlays),
    ]
    return {
        "bookmarks": [{"name": n, "position": p, "focal_point": f, "up": [0.0, 0.0, 1.0]}
                      for n, p, f in marks],
        "paths": [{"name": "街道巡览", "speed": 60.0, "keyframes": [
            {"bookmark": m, "dwell": d, "caption": c, "layers": lyr} for m, d, c, lyr in stops]}],
    }
