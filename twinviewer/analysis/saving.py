"""Analysis results into the scene's GeoPackage store, their parameters in the edit log.

One path for ``twinviewer analyse ... --save`` and for the window's Analysis menu.
An :class:`AnalysisOutput` holds what one run leaves behind: result layers, each
written as a table of its own (:func:`~twinviewer.analysis.layers.save_result_layer`,
one edit-log row naming the analysis and its parameters), and column edits, one
undoable macro per layer whose label carries the parameters (the store logs it with
every changed value).  The builders (:func:`coverage_output`, :func:`sunlight_output`,
:func:`height_limit_output`) make the same output for both; :func:`save_tables`
writes the layers and :func:`save_output` the layers and the columns.  The window
pushes the column edits onto its own undo history first and saves that (see
``ui/analysis_panel.py``), so they stay undoable there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from twinviewer.core.edits import Command
from twinviewer.core.layer import Layer
from twinviewer.i18n import translate

COVERAGE_TABLES = ("analysis_coverage", "analysis_blind_roads")


@dataclass
class AnalysisOutput:
    """What one analysis run leaves: result layers (with their store tables) and column edits."""

    params: dict
    tables: list[tuple[str, Layer]] = field(default_factory=list)
    columns: list[tuple[Layer, Command]] = field(default_factory=list)
    home: Layer | None = None  # the scene layer whose GeoPackage receives the tables

    def store(self) -> Path:
        """The GeoPackage the result tables go to (that of ``home``, else the first edited)."""
        layer = self.home if self.home is not None else (
            self.columns[0][0] if self.columns else None)
        if layer is None:
            raise ValueError(translate("AnalysisError", "nothing to save"))
        return store_path(layer)


@dataclass
class Saved:
    """Where a run was saved: the store, rows per result table, changed values."""

    store: Path
    tables: dict[str, int]
    changes: int = 0


def store_path(layer: Layer) -> Path:
    """The GeoPackage ``layer`` was read from; a ValueError saying so when it is not one."""
    src = Path(layer.source) if layer.source else None
    if src is None or src.suffix.lower() != ".gpkg":
        raise ValueError(translate("AnalysisError", "layer {layer} is not in a GeoPackage store: "
                                                    "import it first").format(layer=layer.name))
    return src


def coverage_output(result, layers: Sequence[Layer], compounds: Layer | None,
                    cameras: Layer) -> AnalysisOutput:
    """Camera coverage: the covered ground and blind roads as tables, the compounds' shares."""
    from twinviewer.analysis.results import column_commands, result_macro

    out = AnalysisOutput(result.params, list(zip(COVERAGE_TABLES, layers, strict=False)),
                         home=cameras)
    shares = result.compound_shares
    if shares is not None and compounds is not None:
        out.columns.append((compounds, result_macro(
            translate("EditLabel", "Camera coverage"), result.params, column_commands(compounds, {
                "监控覆盖率": ("real", np.round(shares["ground_share"], 4)),
                "道路覆盖率": ("real", np.round(shares["road_share"], 4))}))))
    return out


def sunlight_output(layer: Layer, result, *, floors_field: str | None = None) -> AnalysisOutput:
    """Sunlight hours: the per-floor, darkest-floor and pass columns on the buildings."""
    from twinviewer.analysis.sunlight import sunlight_columns

    return AnalysisOutput(result.params, columns=[
        (layer, sunlight_columns(layer, result, floors_field=floors_field))], home=layer)


def height_limit_output(excess: Sequence[tuple[Layer, np.ndarray]], params: dict
                        ) -> AnalysisOutput:
    """Height limit: the excess column on each layer with objects above the surface."""
    from twinviewer.analysis.height_limit import excess_columns

    return AnalysisOutput(params, columns=[(layer, excess_columns(layer, e, params))
                                           for layer, e in excess
                                           if np.isfinite(np.asarray(e, float)).any()])


def save_tables(scene, out: AnalysisOutput, *, user: str | None = None) -> dict[str, int]:
    """Write the result layers of ``out`` into its store (each logged with the parameters)."""
    from twinviewer.analysis.layers import save_result_layer

    if not out.tables:
        return {}
    store = out.store()
    return {table: save_result_layer(store, table, layer, scene=scene, params=out.params,
                                     user=user)
            for table, layer in out.tables}


def save_output(scene, out: AnalysisOutput, *, user: str | None = None) -> Saved:
    """Write ``out`` into the store: result tables, then the column edits (applied here,
    each layer's in one transaction with its edit log)."""
    from twinviewer.core.edits import CommandStack
    from twinviewer.store import GeoPackageStore

    tables = save_tables(scene, out, user=user)
    changes = 0
    for layer, command in out.columns:
        stack = CommandStack()
        stack.push(command)
        changes += GeoPackageStore(store_path(layer), user=user).save(stack, scene=scene).changes
    store = out.store() if (out.tables or out.columns) else Path()
    return Saved(store, tables, changes)
