"""The ground: terrain and imagery as tile pyramids for the shared tile traversal.

No Qt, no VTK: a :class:`~twinviewer.ground.pyramid.GroundPyramid` is a quadtree of
:class:`~twinviewer.tiles.tile.Tile` built on demand over a DEM and imagery layers;
:func:`~twinviewer.ground.content.build_tile` turns one tile into arrays (an
error-bounded triangulation with skirts, one texture per imagery layer) in a worker
of :class:`~twinviewer.ground.loader.GroundLoader`. ``render/ground.py`` makes the
VTK objects on the GUI thread.
"""

from twinviewer.ground.content import TileContent, build_tile, composite
from twinviewer.ground.loader import GroundLoader
from twinviewer.ground.mesh import triangulate
from twinviewer.ground.pyramid import GroundPyramid

__all__ = ["GroundLoader", "GroundPyramid", "TileContent", "build_tile", "composite",
           "triangulate"]
