"""Section plane: one vtkPlane clipping every actor's mapper, moved with a plane widget handle."""

from __future__ import annotations

from vtkmodules.vtkCommonDataModel import vtkPlane
from vtkmodules.vtkInteractionWidgets import (
    vtkImplicitPlaneRepresentation,
    vtkImplicitPlaneWidget2,
)


class SectionPlane:
    """A clipping plane through the scene (scan, buildings, terrain) with a handle.

    Parameters
    ----------
    plotter : pyvista plotter
        Its renderer's actors are clipped; its interactor drives the handle.
    bounds : tuple of 6 floats
        Where the handle is placed (the scene bounds).
    normal : tuple of 3 floats, default: (1, 0, 0)
        Initial plane normal; the kept side is the one the normal points to.
    """

    def __init__(self, plotter, bounds, normal=(1.0, 0.0, 0.0)) -> None:
        self.plotter = plotter
        self.plane = vtkPlane()
        center = [(bounds[0] + bounds[1]) / 2, (bounds[2] + bounds[3]) / 2,
                  (bounds[4] + bounds[5]) / 2]
        self.plane.SetOrigin(*center)
        self.plane.SetNormal(*normal)
        rep = vtkImplicitPlaneRepresentation()
        rep.SetPlaceFactor(1.0)
        rep.PlaceWidget(list(bounds))
        rep.SetOrigin(*center)
        rep.SetNormal(*normal)
        rep.OutlineTranslationOff()
        rep.DrawPlaneOff()  # the cut itself shows where the plane is
        self.representation = rep
        self.widget = vtkImplicitPlaneWidget2()
        self.widget.SetRepresentation(rep)
        self.widget.SetInteractor(plotter.iren.interactor)
        self.widget.AddObserver("InteractionEvent", self._moved)
        self._clipped: list = []

    def _moved(self, *_args) -> None:
        self.representation.GetPlane(self.plane)
        self.plotter.render()

    def set_plane(self, origin, normal) -> None:
        """Move the plane (and its handle) without the mouse."""
        self.plane.SetOrigin(*origin)
        self.plane.SetNormal(*normal)
        self.representation.SetOrigin(*origin)
        self.representation.SetNormal(*normal)
        self.plotter.render()

    def enable(self) -> None:
        """Clip every actor drawn now and show the handle."""
        self.disable()
        actors = self.plotter.renderer.GetActors()
        actors.InitTraversal()
        for _ in range(actors.GetNumberOfItems()):
            actor = actors.GetNextActor()
            mapper = actor.GetMapper() if actor is not None else None
            if mapper is not None:
                mapper.AddClippingPlane(self.plane)
                self._clipped.append(mapper)
        self.widget.On()
        self.plotter.render()

    def disable(self) -> None:
        """Remove the clipping and hide the handle."""
        for mapper in self._clipped:
            mapper.RemoveClippingPlane(self.plane)
        self._clipped = []
        self.widget.Off()
        self.plotter.render()
