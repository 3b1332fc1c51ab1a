"""Analysis results as ordinary edits and layers: columns through edit commands, new layers.

A result column is added with :class:`~twinviewer.core.edits.AddField` and filled
with :class:`~twinviewer.core.edits.SetValues` inside one
:class:`~twinviewer.core.edits.Macro`, so it undoes, saves and journals like any
edit; the macro's label carries the parameters used, and stores write that label
into their edit log next to every value.  A column computed from a sensitive
field is itself marked sensitive, so it is masked wherever values are shown.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from twinviewer.core.edits import AddField, Command, Macro, SetValues
from twinviewer.core.layer import Layer
from twinviewer.i18n import translate


def params_text(params: Mapping[str, Any]) -> str:
    """The parameters as compact JSON (what the edit log shows)."""
    return json.dumps(dict(params), ensure_ascii=False, separators=(",", ":"), sort_keys=False)


def column_commands(layer: Layer, columns: Mapping[str, tuple[str, Sequence]], *,
                    sensitive: bool = False) -> list[Command]:
    """Commands that set ``{name: (kind, values per row)}`` on every row of ``layer``.

    Missing fields are added first (``kind``: ``real``, ``int``, ``bool``, ``text``);
    NaN becomes an empty value.
    """
    cmds: list[Command] = []
    rows = np.arange(len(layer), dtype=np.int64)
    for name, (kind, values) in columns.items():
        vals = list(values)
        vals = [None if (v is None or (isinstance(v, float) and not np.isfinite(v))) else
                (bool(v) if kind == "bool" else float(v) if kind == "real" else v)
                for v in vals]
        if name not in layer.table.df.columns:
            cmds.append(AddField(layer, name, {"type": kind, "sensitive": sensitive}))
        cmds.append(SetValues(layer, rows, name, vals))
    return cmds


def result_macro(label: str, params: Mapping[str, Any], commands: Sequence[Command]) -> Macro:
    """One undo step whose label names the analysis and its parameters."""
    return Macro(translate("EditLabel", "{analysis} {params}").format(
        analysis=label, params=params_text(params)), commands)


def uses_sensitive(layer: Layer, fields: Sequence[str | None]) -> bool:
    """Whether any of ``fields`` is a sensitive field of ``layer``."""
    return any(f is not None and f in layer.sensitive for f in fields)


def graduated_style(layer: Layer, field: str, breaks: Sequence[float],
                    ramp: str = "RdYlGn") -> dict[str, Any]:
    """The layer's style switched to classes of ``field`` at ``breaks`` (upper bounds)."""
    keep = {k: v for k, v in layer.style.items()
            if k not in ("by", "method", "breaks", "classes", "ramp", "categories")}
    return {**keep, "by": field, "breaks": [float(b) for b in breaks], "ramp": ramp}


def frame_of(columns: Mapping[str, Sequence]) -> pd.DataFrame:
    return pd.DataFrame({k: list(v) for k, v in columns.items()})
