"""Selection: which objects of which layer are selected, announced as one event."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from psygnal import Signal


class Selection:
    """The selected objects, keyed by layer name, as sorted row indices.

    One model object observed by every view (3D, table, inspector, status bar).
    ``changed`` is emitted with the names of layers whose selection changed.

    Examples
    --------
    >>> s = Selection()
    >>> s.select("建筑", [3, 1])
    >>> s.rows("建筑").tolist()
    [1, 3]
    """

    changed = Signal(object)

    def __init__(self) -> None:
        self._rows: dict[str, np.ndarray] = {}

    def rows(self, layer: str) -> np.ndarray:
        return self._rows.get(layer, np.empty(0, dtype=np.int64))

    def layers(self) -> list[str]:
        return [k for k, v in self._rows.items() if len(v)]

    def count(self) -> int:
        return int(sum(len(v) for v in self._rows.values()))

    def select(self, layer: str, rows: Iterable[int], *, add: bool = False) -> None:
        """Select ``rows`` of ``layer``; others are cleared unless ``add``."""
        new = np.unique(np.asarray(list(rows) if not isinstance(rows, np.ndarray) else rows,
                                   dtype=np.int64))
        touched = set()
        if not add:
            for name in list(self._rows):
                if name != layer and len(self._rows[name]):
                    touched.add(name)
                    self._rows[name] = np.empty(0, dtype=np.int64)
        else:
            new = np.union1d(self.rows(layer), new)
        if not np.array_equal(self.rows(layer), new):
            touched.add(layer)
        self._rows[layer] = new
        if touched:
            self.changed.emit(sorted(touched))

    def clear(self) -> None:
        touched = self.layers()
        self._rows.clear()
        if touched:
            self.changed.emit(touched)

    def forget(self, layer: str) -> None:
        """Drop a removed layer without telling the views about rows that are gone."""
        self._rows.pop(layer, None)
