"""Planning analysis in 3D: sun, measurement, sunlight hours, camera coverage, sight lines
and height limits.

The model here knows no Qt and no VTK: inputs are the scene's layers (their
triangle batches and tables), outputs are plain arrays, new :class:`Layer` objects
and edit commands (:mod:`twinviewer.core.edits`), so results undo, save and log
like any edit.  Ray casting goes through trimesh's Embree intersector
(:mod:`twinviewer.analysis.rays`).
"""
