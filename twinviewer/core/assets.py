"""Names of the instanced asset models and which object classes use them."""

from __future__ import annotations

# Files ``twinviewer/assets/<name>.obj``; each is a low-poly model (about 12 triangles)
# standing on z=0 at the origin, height in metres, instanced per point object.
ASSET_NAMES = (
    "lamp_post",
    "bin",
    "tree",
    "camera",
    "sensor",
    "billboard",
    "pole",
    "hydrant",
    "bench",
    "marker",
)

# Class values (as a Shanghai office writes them, and English) -> asset name.
CLASS_ALIASES = {
    "路灯": "lamp_post",
    "垃圾桶": "bin",
    "垃圾箱": "bin",
    "树木": "tree",
    "行道树": "tree",
    "树": "tree",
    "摄像头": "camera",
    "视频监控": "camera",
    "传感器": "sensor",
    "物联感知": "sensor",
    "广告牌": "billboard",
    "电杆": "pole",
    "杆件": "pole",
    "消防栓": "hydrant",
    "长椅": "bench",
    "座椅": "bench",
    "lamp": "lamp_post",
    "streetlight": "lamp_post",
    "waste_bin": "bin",
    "cctv": "camera",
}


def asset_for_class(value: str, overrides: dict[str, str] | None = None) -> str:
    """The asset drawn for an object of class ``value`` (``marker`` if none fits)."""
    if overrides and value in overrides:
        return overrides[value]
    if value in ASSET_NAMES:
        return value
    return CLASS_ALIASES.get(value, CLASS_ALIASES.get(str(value).lower(), "marker"))
