"""Fonts with Chinese glyphs for text drawn by VTK (labels) and PIL (captions).

The search lives in :mod:`twinviewer.core.fonts`, so that the summary report
(core, matplotlib) and the renderer use the same file; it is re-exported here.
"""

from __future__ import annotations

from twinviewer.core.fonts import FONT_FAMILIES, FONT_FILES, cjk_font_file

__all__ = ["FONT_FAMILIES", "FONT_FILES", "cjk_font_file"]
