"""Open anything: a scene file or data files, read every layer, place it in one CRS.

Pure model work (numpy, shapely, pyproj): safe to run off the GUI thread.
A layer that fails is reported and skipped; the others still load.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from twinviewer.core.crs import parse_crs, place_layer, scene_crs_for
from twinviewer.core.errors import LoadError
from twinviewer.core.ground_layer import settle_on_terrain
from twinviewer.core.layer import Layer
from twinviewer.core.scene import Scene, View
from twinviewer.core.sources import safe_dsn
from twinviewer.core.transform import apply_transform
from twinviewer.i18n import translate
from twinviewer.io.registry import (  # noqa: F401  (kind_of: public here too)
    kind_of,
    provider_for,
    reader_for,
)
from twinviewer.io.scene_file import LayerSpec, SceneSpec, is_scene_file, read_scene_file

log = logging.getLogger(__name__)

_STYLE_OPTIONS = {"line_width", "point_scale"}

Progress = Callable[[float, str], None]


class Cancelled(Exception):
    """The user cancelled a load."""


@dataclass
class LoadResult:
    """Layers read and placed, ready to be added to a :class:`Scene` in any thread."""

    spec: SceneSpec
    crs: object
    origin: np.ndarray
    layers: list[Layer] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def to_scene(self) -> Scene:
        scene = Scene(self.crs, self.origin, name=self.spec.name,
                      path=str(self.spec.path) if self.spec.path else None)
        for layer in self.layers:
            scene.add_layer(layer, placed=True)
        scene.errors = list(self.errors)
        if self.spec.view:
            scene.view = View(**{k: tuple(v) for k, v in self.spec.view.items()})
        scene.bookmarks = list(self.spec.bookmarks)
        scene.paths = list(self.spec.paths)
        scene.filters = list(self.spec.filters)
        return scene


def spec_for(paths: Sequence[str | Path]) -> SceneSpec:
    """A scene spec for one scene file, or for loose data files opened together."""
    paths = [Path(p) for p in paths]
    scenes = [p for p in paths if is_scene_file(p)]
    if scenes:
        if len(paths) > 1:
            raise LoadError(translate("LoadError", "open one scene file at a time, without "
                                                   "other files"), scenes[0])
        return read_scene_file(scenes[0])
    for p in paths:
        if not p.exists():
            raise LoadError(translate("LoadError", "file not found"), p)
    return SceneSpec(path=None, name=paths[0].name if paths else "",
                     layers=[LayerSpec(source=p, index=i) for i, p in enumerate(paths)])


def read_source(spec: LayerSpec, progress: Progress | None = None) -> list[Layer]:
    """Read one layer entry into one or more layers (source coordinates)."""
    path = spec.source
    reader = reader_for(path, spec.options.get("kind"))
    if not reader.schemes and not path.exists():
        raise LoadError(translate("LoadError", "file not found"), path)
    opts = {k: v for k, v in spec.options.items() if k not in _STYLE_OPTIONS | {"kind"}}
    wrong = set(opts) - set(reader.options)
    if wrong:
        raise LoadError(translate("LoadError", "option {option!r} does not apply to {kind} "
                                               "layers").format(option=sorted(wrong)[0],
                                                                kind=reader.kind),
                        safe_dsn(path) if reader.schemes else path)
    layers = reader.read(path, opts, progress)
    return _apply_spec(layers, spec)


def _apply_spec(layers: list[Layer], spec: LayerSpec) -> list[Layer]:
    """What the scene file's entry says about its layers: name, CRS, transform, group,
    display, style and sensitive fields."""
    for layer in layers:
        if spec.name:
            layer.name = spec.name if len(layers) == 1 else f"{spec.name} {layer.name}"
        if spec.crs is not None:  # local coordinates (issue 8): the scene file's CRS
            layer.crs = spec.crs
        if spec.transform is not None:
            apply_transform(layer, spec.transform)
        layer.group = spec.group
        layer.scene_entry = spec.index
        layer.visible = spec.visible
        layer.opacity = spec.opacity
        layer.style = dict(spec.style)
        for key in _STYLE_OPTIONS & set(spec.options):
            layer.style[key] = spec.options[key]
        if spec.assets:
            layer.style["assets"] = dict(spec.assets)
        _mark_sensitive(layer, spec.sensitive)
        if spec.outside:  # a scene file may name any file, but never unseen
            layer.warnings.append(translate(
                "LoadError", "reads {path}, outside the scene file's folder").format(
                path=spec.source))
    return layers


def _mark_sensitive(layer: Layer, listed: tuple[str, ...]) -> None:
    """``layer.sensitive``: the fields its store marks (through its provider: a
    GeoPackage's schema, what a PostGIS reader read), plus the scene file's."""
    if layer.provider is None:  # a store file read by a plain reader (GeoPackage)
        layer.provider = provider_for(layer.source, layer.source_table or layer.name)
    found = layer.provider.sensitive_fields() if layer.provider is not None else set()
    fields = set(layer.table.fields) | set(layer.hidden_fields)
    for name in listed:
        if name not in fields:
            layer.warnings.append(translate("LoadError", "sensitive field {field!r} is not a "
                                                         "field of this layer").format(field=name))
    layer.sensitive = frozenset(set(layer.sensitive) | found | set(listed))


def load(spec: SceneSpec, progress: Progress | None = None,
         cancelled: Callable[[], bool] | None = None) -> LoadResult:
    """Read every layer of ``spec`` and place it in the scene CRS around its origin.

    Errors of single layers land in ``LoadResult.errors``; the others load.
    """
    def report(frac: float, msg: str) -> None:
        if cancelled and cancelled():
            raise Cancelled()
        if progress:
            progress(frac, msg)

    layers: list[Layer] = []
    errors: list[str] = []
    n = max(1, len(spec.layers))
    for i, entry in enumerate(spec.layers):
        label = entry.name or entry.source.name
        report(0.9 * i / n, label)
        try:
            layers.extend(read_source(entry, progress=lambda f, m, i=i, label=label: report(
                0.9 * (i + min(max(f, 0.0), 1.0)) / n, label)))
        except LoadError as exc:
            errors.append(exc.message)
        except MemoryError:
            errors.append(LoadError(translate("LoadError", "not enough memory to read this "
                                                           "file"), entry.source).message)
    report(0.9, translate("loader", "reprojecting"))

    crs = None
    if spec.crs:
        crs = parse_crs(spec.crs, spec.path)
    else:
        for layer in layers:
            if layer.crs:
                try:
                    crs = scene_crs_for(parse_crs(layer.crs, layer.source), layer.source_bounds)
                    break
                except LoadError:
                    continue
    placed: list[Layer] = []
    for layer in layers:
        _assume_geographic(layer, crs)
        try:
            place_layer(layer, crs, np.zeros(3))
            placed.append(layer)
        except LoadError as exc:
            errors.append(exc.message)
        except Exception as exc:  # pyproj ProjError: a CRS pair PROJ cannot transform
            errors.append(LoadError(translate("LoadError", "cannot reproject ({detail})")
                                    .format(detail=exc), layer.source).message)
    origin = np.asarray(spec.origin, dtype=np.float64) if spec.origin else _centre(placed)
    for layer in placed:
        for b in layer.batches:
            if b.points.flags.writeable:
                np.subtract(b.points, origin, out=b.points)  # 5M-vertex scans: no copy
            else:
                b.points = b.points - origin
        if hasattr(layer, "place"):  # streamed geometry: placed around the final origin
            place_layer(layer, crs, origin)
        layer.geometry_changed()
        if hasattr(layer, "set_origin"):  # rasters keep their cells in the file
            layer.set_origin(origin)
    settle_on_terrain(placed)  # objects without Z stand on the DEM, if there is one
    report(1.0, "")
    return LoadResult(spec, crs, origin, placed, errors)


def open_scene(paths: Sequence[str | Path], progress: Progress | None = None) -> Scene:
    """Read a scene file or data files into a :class:`Scene` (in this thread)."""
    return load(spec_for(paths), progress).to_scene()


def _assume_geographic(layer: Layer, crs) -> None:
    """A vector layer without CRS whose coordinates look like degrees: take WGS 84, say so."""
    b = layer.source_bounds
    if layer.crs or crs is None or layer.kind != "vector" or b is None:
        return
    if -180 <= b[0] <= b[3] <= 180 and -90 <= b[1] <= b[4] <= 90 and (b[3] - b[0]) > 1e-3:
        layer.crs = "EPSG:4326"
        layer.warnings.append(translate("LoadError", "no CRS in the file; coordinates look "
                                                     "like degrees: taken as WGS 84 (EPSG:4326)"))


def _centre(layers: list[Layer]) -> np.ndarray:
    boxes = [lyr.bounds() for lyr in layers]
    boxes = np.array([b for b in boxes if b is not None])
    if not len(boxes):
        return np.zeros(3)
    lo, hi = boxes[:, :3].min(axis=0), boxes[:, 3:].max(axis=0)
    centre = np.round((lo + hi) / 2.0)
    centre[2] = 0.0
    return centre
