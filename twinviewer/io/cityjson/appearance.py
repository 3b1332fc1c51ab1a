"""Colours of CityJSON surfaces: by semantic surface type, or from the file's materials.
"""

from __future__ import annotations

import math

from twinviewer.io.cityjson.common import _is_number

DEFAULT_COLOR = (210, 210, 210, 255)
SEMANTIC_COLORS: dict[str, tuple[int, int, int, int]] = {
    "RoofSurface": (168, 74, 54, 255),
    "WallSurface": (232, 224, 206, 255),
    "GroundSurface": (80, 80, 80, 255),
    "ClosureSurface": (220, 220, 220, 255),
    "OuterCeilingSurface": (200, 196, 188, 255),
    "OuterFloorSurface": (150, 150, 150, 255),
    "Window": (140, 180, 210, 255),
    "Door": (126, 92, 64, 255),
    "WaterSurface": (90, 150, 210, 255),
    "WaterGroundSurface": (70, 90, 110, 255),
    "WaterClosureSurface": (150, 190, 220, 255),
    "TrafficArea": (110, 110, 115, 255),
    "AuxiliaryTrafficArea": (150, 170, 120, 255),
    "TransportationMarking": (245, 245, 245, 255),
}


def _materials(appearance) -> tuple[list, str | None]:
    """RGBA (or None) per material and the default material theme."""
    if not isinstance(appearance, dict):
        return [], None
    materials = appearance.get("materials")
    theme = appearance.get("default-theme-material")
    if not isinstance(materials, list):
        return [], None
    colors = []
    for m in materials:
        color = None
        if isinstance(m, dict):
            rgb = m.get("diffuseColor")
            if (isinstance(rgb, list) and len(rgb) == 3 and all(_is_number(c) for c in rgb)
                    and all(math.isfinite(c) for c in rgb)):
                t = m.get("transparency", 0.0)
                t = float(t) if _is_number(t) and math.isfinite(t) else 0.0
                alpha = 1.0 - min(1.0, max(0.0, t))
                color = tuple(int(round(min(1.0, max(0.0, c)) * 255))
                              for c in (*rgb, alpha))
        colors.append(color)
    return colors, theme if isinstance(theme, str) else None
