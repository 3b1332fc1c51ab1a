"""Demo data: a deterministic, fictional Shanghai sub-district (街道) to explore the viewer.

:func:`twinviewer.demo.generator.generate_district` writes ``district.gpkg`` and
``scene.toml``; ``python -m twinviewer.demo.generator OUT [--objects N]`` does the same
from the command line.
"""
