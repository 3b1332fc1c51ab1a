"""Streaming tiles, format-neutral: tile trees, bounding volumes, selection by screen-space
error, and (in the modules that plug in) tileset readers, fetch, decode and the cache.

No Qt, no VTK: ``render/tiles.py`` turns decoded tiles into VTK objects on the GUI thread.
A terrain or imagery pyramid is a tile tree too, so every tiled layer shares the one
traversal in :mod:`twinviewer.tiles.select`.
"""
