"""City-scale benchmarks of twinviewer, each figure against a naive baseline in the same run.

Run ``python -m benchmarks --objects 10000,100000 --json out.json`` from the repo root
(offscreen: ``VTK_DEFAULT_OPENGL_WINDOW=vtkEGLRenderWindow QT_QPA_PLATFORM=offscreen``).
See docs/benchmarks.md.
"""
