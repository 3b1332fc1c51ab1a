"""``[transform]`` and ``[layers.transform]`` of a scene file: validated key by key.

See :mod:`twinviewer.core.transform` for what the keys mean.
"""

from __future__ import annotations

import difflib
from typing import Any

from twinviewer.core.errors import LoadError
from twinviewer.core.transform import CONVENTIONS, TransformSpec
from twinviewer.i18n import translate

# type -> {key: required}; numbers in metres, arc-seconds and ppm as in EPSG's methods
TRANSFORM_KEYS = {
    "helmert7": {"tx": True, "ty": True, "tz": True, "rx": False, "ry": False, "rz": False,
                 "s": False, "convention": True, "from": False, "to": False},
    "helmert4": {"tx": True, "ty": True, "rotation": False, "s": False, "to": False},
}
_MAX_SHIFT = 1e8  # metres: false eastings/northings are at most a few 10^7
_MAX_ANGLE = 1_296_000.0  # arc-seconds in a full turn
_MAX_PPM = 1e5  # a scale of 0.9 to 1.1 is already absurd for a Helmert transform


def parse_transform(table: Any, where: str, scene_crs: str | None, fail) -> TransformSpec:
    """Validate a ``[transform]`` / ``[layers.transform]`` table.

    Parameters
    ----------
    table : Any
        The parsed TOML value.
    where : str
        Its key, for messages (``"layers[2].transform"``).
    scene_crs : str or None
        The scene's ``crs``: the default of ``to``.
    fail : callable
        Raises the scene file's ``LoadError`` with a message.

    Returns
    -------
    TransformSpec
    """
    if not isinstance(table, dict):
        fail(translate("LoadError", "{key} must be a table").format(key=where))
    kind = table.get("type")
    if kind is None:
        fail(translate("LoadError", "{key} is missing key '{missing}'").format(
            key=where, missing="type"))
    if kind not in TRANSFORM_KEYS:
        fail(translate("LoadError", "{key} {value!r} is not one of {choices}").format(
            key=f"{where}.type", value=kind, choices=", ".join(TRANSFORM_KEYS)))
    keys = TRANSFORM_KEYS[kind]
    for key in table:
        if key != "type" and key not in keys:
            near = difflib.get_close_matches(key, sorted(keys), n=1)
            if near:
                fail(translate("LoadError", "unknown key '{key}' (did you mean '{near}'?)")
                     .format(key=f"{where}.{key}", near=near[0]))
            fail(translate("LoadError", "unknown key '{key}' ({type} takes: {keys})").format(
                key=f"{where}.{key}", type=kind, keys=", ".join(keys)))
    for key, required in keys.items():
        if required and key not in table:
            fail(translate("LoadError", "{key} is missing key '{missing}'").format(
                key=where, missing=key))
    values: dict[str, Any] = {}
    for key in keys:
        if key not in table or key in ("convention", "from", "to"):
            continue
        value = table[key]
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            fail(translate("LoadError", "{key} must be a number").format(key=f"{where}.{key}"))
        limit = _MAX_PPM if key == "s" else _MAX_ANGLE if key[0] == "r" else _MAX_SHIFT
        if not abs(value) <= limit:  # NaN too
            fail(translate("LoadError", "{key} = {value} is out of range (at most {limit:g} "
                                        "in size)").format(
                key=f"{where}.{key}", value=value, limit=limit))
        values[key] = float(value)
    if "convention" in keys:
        convention = table["convention"]
        if convention not in CONVENTIONS:
            fail(translate("LoadError", "{key} {value!r} is not one of {choices}").format(
                key=f"{where}.convention", value=convention, choices=", ".join(CONVENTIONS)))
        values["convention"] = convention
    for key in ("from", "to"):
        if key in table:
            if not isinstance(table[key], (str, int)) or isinstance(table[key], bool):
                fail(translate("LoadError", "{key} must be a string such as {example}").format(
                    key=f"{where}.{key}", example='"EPSG:4490"'))
            check_crs(str(table[key]), f"{where}.{key}", fail)
    to = str(table["to"]) if "to" in table else scene_crs
    if kind == "helmert4" and to is not None:
        check_crs(to, f"{where}.to", fail, projected=True)
    return TransformSpec(type=kind, to=to,
                         source=str(table["from"]) if "from" in table else None, **values)


def check_crs(value: str, key: str, fail, projected: bool = False) -> None:
    """Fail naming ``key`` when PROJ does not know ``value`` (or it is not projected)."""
    from twinviewer.core.crs import parse_crs

    try:
        crs = parse_crs(value)
    except LoadError as exc:
        fail(f"{key}: {exc.problem}")
        return
    if projected:
        horiz = crs.sub_crs_list[0] if crs.is_compound else crs
        if not horiz.is_projected:
            fail(translate("LoadError", "{key} {value!r} is not a projected CRS (a 4-parameter "
                                        "transform works on plane coordinates in metres)")
                 .format(key=key, value=value))
