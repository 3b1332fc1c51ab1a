"""Fonts with Chinese glyphs: the one font file every drawing of text uses.

VTK labels and PIL captions (:mod:`twinviewer.render.fonts` re-exports
:func:`cjk_font_file`) and matplotlib charts and reports (:func:`cjk_rc`) all
draw with the file :func:`cjk_font_file` finds.  matplotlib is handed the file
itself, not a family name: its font cache (``fontlist-*.json``) may have been
built before the font was installed (``scripts/setup.sh`` on a machine where
matplotlib already ran), and then it knows no Chinese family and draws boxes.
"""

from __future__ import annotations

import functools
import logging
import shutil
import subprocess
from pathlib import Path

from PIL import ImageFont

log = logging.getLogger(__name__)

FONT_FAMILIES = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Source Han Sans SC")
FONT_FILES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "C:/Windows/Fonts/msyh.ttc",
    "/System/Library/Fonts/PingFang.ttc",
)


@functools.lru_cache(maxsize=1)
def cjk_font_file() -> str | None:
    """A font file that has Chinese glyphs: fc-match first, then known paths, else ``None``."""
    if shutil.which("fc-match"):
        for family in FONT_FAMILIES:
            try:
                found = subprocess.run(["fc-match", "-f", "%{file}", f"{family}:lang=zh"],
                                       capture_output=True, text=True, timeout=5).stdout.strip()
            except (OSError, subprocess.SubprocessError):
                break
            if found and Path(found).is_file() and _has_glyph(found, "街"):
                return found
    for path in FONT_FILES:
        if Path(path).is_file():
            return path
    return None


def cjk_rc() -> dict:
    """matplotlib rc parameters that draw Chinese with :func:`cjk_font_file`.

    The file is registered with ``matplotlib.font_manager.fontManager.addfont``
    (once per process), whatever matplotlib's font cache holds; Latin text
    falls back to DejaVu Sans.  Without a CJK font the parameters only name
    DejaVu Sans.

    Returns
    -------
    dict
        ``font.family``, ``font.sans-serif`` and ``axes.unicode_minus``, for
        ``matplotlib.rc_context`` or ``rcParams.update``.

    Examples
    --------
    >>> import matplotlib as mpl
    >>> with mpl.rc_context(cjk_rc()):  # doctest: +SKIP
    ...     fig.savefig("chart.png")
    """
    families = [*_register_with_matplotlib(), "DejaVu Sans"]
    return {"font.family": "sans-serif", "font.sans-serif": families,
            "axes.unicode_minus": False}


def cjk_families() -> list[str]:
    """The family list of :func:`cjk_rc` (for ``Text.set_fontfamily``)."""
    return list(cjk_rc()["font.sans-serif"])


def use_cjk_font() -> None:
    """Make :func:`cjk_rc` the process's matplotlib defaults (for the GUI's charts,
    which draw whenever Qt repaints them, outside any ``rc_context``)."""
    import matplotlib as mpl

    mpl.rcParams.update(cjk_rc())


@functools.lru_cache(maxsize=1)
def _register_with_matplotlib() -> tuple[str, ...]:
    path = cjk_font_file()
    if path is None:
        log.warning("no font with Chinese glyphs found; charts will show boxes "
                    "(install fonts-wqy-microhei, see scripts/setup.sh)")
        return ()
    from matplotlib import font_manager

    manager = font_manager.fontManager
    try:
        if not any(Path(f.fname) == Path(path) for f in manager.ttflist):
            manager.addfont(path)
        name = font_manager.FontProperties(fname=path).get_name()
    except (OSError, RuntimeError, ValueError) as exc:
        log.warning("matplotlib cannot use the font %s: %s", path, exc)
        return ()
    return (name,)


def _has_glyph(path: str, char: str) -> bool:
    try:
        font = ImageFont.truetype(path, 20)
        return font.getmask(char).getbbox() is not None
    except OSError:
        return False
