"""4- and 7-parameter Helmert transforms of a layer's coordinates (issue 8).

Local coordinates in China are often tied to the national grid by a published set of
parameters rather than by a CRS: a 7-parameter (3D similarity, e.g. Beijing 1954 ->
CGCS2000) or a 4-parameter (2D similarity, a city's 城建坐标 -> CGCS2000 Gauss-Krüger)
transform.  A scene file gives them in ``[transform]`` or ``[layers.transform]``; here
they become PROJ operations (``+proj=helmert``) through pyproj.

``helmert7`` chains three PROJ operations: the source CRS to its own geographic CRS,
``+proj=cart`` (source ellipsoid) -> ``+proj=helmert`` (7 parameters) ->
``+inv +proj=cart`` (target ellipsoid), then the target geographic CRS to the target
CRS.  Heights are not changed (the layer's z stays as it is, as in
:func:`twinviewer.core.crs.place_layer`).

``helmert4`` is one PROJ step, the 2D form of ``+proj=helmert`` (``+x +y +theta +s``).
PROJ's ``theta`` turns clockwise and its 2D ``s`` is a factor; the scene file's
``rotation`` turns counter-clockwise (x east, y north) and its ``s`` is in ppm, as in
the 7-parameter form.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pyproj import CRS, Transformer

from twinviewer.core.crs import parse_crs
from twinviewer.core.errors import LoadError
from twinviewer.core.layer import Layer
from twinviewer.i18n import translate

CONVENTIONS = ("position_vector", "coordinate_frame")


@dataclass
class TransformSpec:
    """A 4- or 7-parameter Helmert transform from a layer's coordinates to ``to``.

    ``helmert7``: 3D similarity of geocentric coordinates, from the ``source`` CRS
    (``None``: the layer's own) to ``to``; ``tx, ty, tz`` in metres, ``rx, ry, rz`` in
    arc-seconds, ``s`` in ppm, ``convention`` ``"position_vector"`` (EPSG method 9606,
    PROJ's default) or ``"coordinate_frame"`` (EPSG 9607: the rotations change sign).

    ``helmert4``: 2D similarity of plane coordinates (x east, y north) into the projected
    CRS ``to``::

        x' = tx + k (x cos r - y sin r)
        y' = ty + k (x sin r + y cos r)

    with ``r`` = ``rotation`` arc-seconds counter-clockwise and ``k = 1 + s * 1e-6``.

    ``to`` is ``None`` only when neither the transform nor the scene names a CRS: the
    result then has no CRS.
    """

    type: str
    to: str | None = None
    source: str | None = None
    tx: float = 0.0
    ty: float = 0.0
    tz: float = 0.0
    rx: float = 0.0
    ry: float = 0.0
    rz: float = 0.0
    rotation: float = 0.0
    s: float = 0.0
    convention: str = "position_vector"

    def helmert_step(self) -> str:
        """The ``+proj=helmert`` step of this transform, in PROJ syntax."""
        if self.type == "helmert4":
            k = 1.0 + self.s * 1e-6
            return (f"+proj=helmert +x={self.tx!r} +y={self.ty!r} "
                    f"+theta={-self.rotation!r} +s={k!r}")
        return (f"+proj=helmert +x={self.tx!r} +y={self.ty!r} +z={self.tz!r} "
                f"+rx={self.rx!r} +ry={self.ry!r} +rz={self.rz!r} +s={self.s!r} "
                f"+convention={self.convention}")


class LayerTransform:
    """A callable ``(x, y) -> (x', y')`` for a :class:`TransformSpec`, built with pyproj.

    Parameters
    ----------
    spec : TransformSpec
        The parameters.
    layer_crs : str or None
        The CRS of the layer's coordinates, used by ``helmert7`` when ``spec.source``
        is not given.
    path : str or Path, optional
        The file named in errors.

    Raises
    ------
    LoadError
        A CRS PROJ does not know, a ``helmert7`` without a source CRS, or a CRS that
        is neither geographic nor projected.
    """

    def __init__(self, spec: TransformSpec, layer_crs: str | None = None, path=None) -> None:
        self.spec = spec
        self.target: CRS | None = None if spec.to is None else _horizontal(
            parse_crs(spec.to, path))
        self._steps: list[Transformer] = []
        if spec.type == "helmert4":
            self._steps.append(Transformer.from_pipeline(spec.helmert_step()))
            return
        source_text = spec.source or layer_crs
        if source_text is None:
            raise LoadError(translate(
                "LoadError", "a 7-parameter transform needs the CRS of the layer's "
                             "coordinates: give transform.from (or the layer's crs)"), path)
        if self.target is None:
            raise LoadError(translate(
                "LoadError", "a 7-parameter transform needs a target CRS: give transform.to "
                             "(or the scene's crs)"), path)
        source = _horizontal(parse_crs(source_text, path))
        for crs, key in ((source, "from"), (self.target, "to")):
            if not (crs.is_geographic or crs.is_projected):
                raise LoadError(translate(
                    "LoadError", "transform.{key} {name!r} is neither geographic nor "
                                 "projected").format(key=key, name=crs.name), path)
        pipeline = (
            "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad "
            f"+step +proj=cart {_ellipsoid(source)} +step {spec.helmert_step()} "
            f"+step +inv +proj=cart {_ellipsoid(self.target)} "
            "+step +proj=unitconvert +xy_in=rad +xy_out=deg")
        self._steps = [
            Transformer.from_crs(source, source.geodetic_crs, always_xy=True),
            Transformer.from_pipeline(pipeline),
            Transformer.from_crs(self.target.geodetic_crs, self.target, always_xy=True),
        ]

    @property
    def definition(self) -> str:
        """The PROJ definitions of the steps, for logs and tests."""
        return " | ".join(t.definition for t in self._steps)

    def __call__(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Transform arrays of x (easting / longitude) and y (northing / latitude)."""
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        if len(self._steps) == 1:  # helmert4: 2D
            return self._steps[0].transform(x, y)
        z = np.zeros_like(x)  # on the ellipsoid: the heights of a layer are not changed
        x, y = self._steps[0].transform(x, y)
        x, y, _ = self._steps[1].transform(x, y, z)
        return self._steps[2].transform(x, y)


def apply_transform(layer: Layer, spec: TransformSpec) -> None:
    """Move ``layer``'s batches by ``spec``; the layer's CRS becomes ``spec.to``.

    Raises
    ------
    LoadError
        The transform cannot be built, or it leaves a coordinate that is not finite.
    """
    transform = LayerTransform(spec, layer.crs, layer.source)
    for batch in layer.batches:
        pts = batch.points
        if not len(pts):
            continue
        x, y = transform(pts[:, 0], pts[:, 1])
        out = np.column_stack([x, y, pts[:, 2]])
        if not np.all(np.isfinite(out[:, :2])):
            raise LoadError(translate(
                "LoadError", "the {type} transform gives coordinates that are not finite "
                             "(check its parameters and CRSs)").format(type=spec.type),
                layer.source)
        batch.points = out
    layer.crs = spec.to
    layer.geometry_changed()
    layer.source_bounds = layer.bounds()


def _horizontal(crs: CRS) -> CRS:
    return crs.sub_crs_list[0] if crs.is_compound else crs


def _ellipsoid(crs: CRS) -> str:
    e = crs.ellipsoid
    return f"+a={e.semi_major_metre!r} +b={e.semi_minor_metre!r}"
