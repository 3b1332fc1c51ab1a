"""Writing back into a scene file: bookmarks, paths, saved filters and layer styles.

Only the named parts change: every other key is kept, and the file is replaced
atomically (written beside it, then renamed), so a crash never leaves half a file.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

import tomli_w

from twinviewer.core.errors import LoadError
from twinviewer.i18n import translate

# keys kept at the layer level of a [[layers]] entry though the layer holds them in
# its style (see io.loader)
LAYER_LEVEL_STYLE = ("line_width", "point_scale")


def update_scene_file(path: str | Path, change: Callable[[dict], None]) -> None:
    """Read the scene file at ``path``, let ``change`` edit its document, write it back.

    Raises
    ------
    LoadError
        The file cannot be read, parsed or written.
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise LoadError(translate("LoadError", "cannot update the scene file: {detail}").format(
            detail=exc), path) from None
    change(data)
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_bytes(tomli_w.dumps(data).encode("utf-8"))
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise LoadError(translate("LoadError", "cannot write the scene file: {detail}").format(
            detail=exc), path) from None


def save_filters(path: str | Path, filters: Iterable) -> None:
    """Write the scene's saved filters as its ``[[filters]]`` tables."""
    docs = [{"name": f.name, "layer": f.layer, "expression": f.expression} for f in filters]

    def change(data: dict) -> None:
        data.pop("filters", None)
        if docs:
            data["filters"] = docs

    update_scene_file(path, change)


def save_layer_styles(path: str | Path, layers: Iterable) -> int:
    """Write the style and opacity of ``layers`` into their ``[[layers]]`` entries.

    A layer knows its entry by ``layer.scene_entry``; layers not from this file
    (``None``) are skipped.  Returns the number of entries written.

    Examples
    --------
    >>> layer.style = {"color": "#ff0000", "label": "名称"}  # doctest: +SKIP
    >>> save_layer_styles("scene.toml", [layer])  # doctest: +SKIP
    1
    """
    layers = [ly for ly in layers if getattr(ly, "scene_entry", None) is not None]
    written = 0

    def change(data: dict) -> None:
        nonlocal written
        entries = data.get("layers", [])
        for layer in layers:
            if not 0 <= layer.scene_entry < len(entries):
                continue
            entry = entries[layer.scene_entry]
            style = {k: v for k, v in (layer.style or {}).items()
                     if k not in LAYER_LEVEL_STYLE and k != "assets"}
            for key in LAYER_LEVEL_STYLE:
                if key in (layer.style or {}):
                    entry[key] = layer.style[key]
            entry["style"] = style
            entry["opacity"] = float(layer.opacity)
            written += 1

    update_scene_file(path, change)
    return written
