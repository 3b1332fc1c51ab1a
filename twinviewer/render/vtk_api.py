"""The VTK classes the renderer uses, each imported from its own VTK module.

``import vtk`` loads all of VTK's ~170 modules and their shared libraries: ~100 MiB
resident in every process that draws, for classes it never uses (measured in
docs/benchmarks.md, "Memory").  The renderer imports this module instead, as
``from twinviewer.render import vtk_api as vtk``, so ``vtk.vtkActor`` reads the same.
"""

# ruff: noqa: F401  (re-exports)
# the OpenGL2 and FreeType modules register the factory overrides that turn
# vtkPolyDataMapper and text rendering into working OpenGL implementations
import vtkmodules.vtkRenderingFreeType
import vtkmodules.vtkRenderingOpenGL2
from vtkmodules.util.numpy_support import numpy_to_vtk, vtk_to_numpy
from vtkmodules.vtkCommonCore import (
    VTK_FONT_FILE,
    vtkPoints,
    vtkStringArray,
    vtkVersion,
)
from vtkmodules.vtkCommonDataModel import (
    vtkAbstractCellLocator,
    vtkCellArray,
    vtkImageData,
    vtkPlane,
    vtkPolyData,
    vtkStaticCellLocator,
)
from vtkmodules.vtkFiltersCore import vtkQuadricClustering
from vtkmodules.vtkRenderingCore import (
    vtkActor,
    vtkActor2D,
    vtkCamera,
    vtkCellPicker,
    vtkLight,
    vtkPolyDataMapper,
    vtkPolyDataMapper2D,
    vtkTextProperty,
    vtkTextRenderer,
    vtkTexture,
    vtkTexturedActor2D,
    vtkWindowToImageFilter,
)

