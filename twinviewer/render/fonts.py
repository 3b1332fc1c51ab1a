"""Fonts with Chinese glyphs, for text drawn by VTK (labels) and PIL (captions, reports)."""

from __future__ import annotations

import functools
import shutil
import subprocess
from pathlib import Path

from PIL import ImageFont

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


def _has_glyph(path: str, char: str) -> bool:
    try:
        font = ImageFont.truetype(path, 20)
        return font.getmask(char).getbbox() is not None
    except OSError:
        return False
