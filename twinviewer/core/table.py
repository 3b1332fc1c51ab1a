"""ObjectTable: a layer's attributes as columns, one row per object."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from twinviewer.core.columns import plain_value, set_cell, share_repeated_text

OID = "oid"


class ObjectTable:
    """Attribute columns of one layer, keyed by a stable object id.

    Rows are kept in a :class:`pandas.DataFrame` whose first column is ``oid``
    (unique within the layer).  Row *index* ``i`` is the object's position and is
    what geometry batches refer to.

    Parameters
    ----------
    columns : mapping of str to array-like
        Attribute columns, all of the same length.
    oid : array-like, optional
        Stable object ids; default ``0 .. n-1``.

    Examples
    --------
    >>> t = ObjectTable({"类别": ["路灯", "垃圾桶"]})
    >>> len(t), t.fields
    (2, ['类别'])
    """

    def __init__(self, columns: Mapping[str, Sequence] | pd.DataFrame | None = None,
                 oid: Sequence | None = None) -> None:
        if isinstance(columns, pd.DataFrame):
            df = columns.reset_index(drop=True)
        elif columns:
            df = pd.DataFrame(dict(columns))
        else:  # no attributes at all: rows still exist, one per id
            df = pd.DataFrame(index=range(0 if oid is None else len(oid)))
        n = len(df)
        if OID in df.columns and oid is None:
            oid = df.pop(OID).to_numpy()
        elif OID in df.columns:
            df = df.drop(columns=[OID])
        ids = np.arange(n, dtype=np.int64) if oid is None else np.asarray(oid)
        if len(ids) != n:
            raise ValueError(f"{len(ids)} object ids for {n} rows")
        df.insert(0, OID, ids)
        share_repeated_text(df)
        self.df = df

    def __len__(self) -> int:
        return len(self.df)

    @property
    def fields(self) -> list[str]:
        """Attribute names, without ``oid``."""
        return [str(c) for c in self.df.columns if c != OID]

    @property
    def oid(self) -> np.ndarray:
        return self.df[OID].to_numpy()

    def column(self, name: str) -> np.ndarray:
        """One column as a numpy array."""
        return self.df[name].to_numpy()

    def row(self, i: int) -> dict:
        """All attributes of one object, ``None`` for missing values."""
        i = int(i)  # column by column: a row Series would make ints floats
        return {str(k): plain_value(self.df.iat[i, j]) for j, k in enumerate(self.df.columns)}

    def rows_of_oids(self, oids: Sequence) -> np.ndarray:
        """Row indices of the given object ids (unknown ids are skipped)."""
        index = pd.Index(self.df[OID])
        pos = index.get_indexer(list(oids))
        return pos[pos >= 0]

    def set_cell(self, row: int, column: str, value: Any) -> None:
        """Write one value in place (the column's dtype widened when it cannot hold it)."""
        set_cell(self.df, row, column, value)

    def sort_order(self, name: str, ascending: bool = True) -> np.ndarray:
        """Row order that sorts by column ``name``; missing values last."""
        col = self.df[name]
        # argsort over a pandas column handles mixed None and numbers.
        order = col.sort_values(ascending=ascending, na_position="last", kind="stable").index
        return order.to_numpy()


    def search_mask(self, text: str, skip=()) -> np.ndarray:
        """Rows where any field contains ``text`` (case-insensitive), as a boolean mask.

        Numbers match when ``text`` is that number.  Vectorised per column.  Fields
        in ``skip`` are not searched (masked sensitive fields: a search must not
        reveal what the table hides).
        """
        skip = set(skip)
        needle = str(text).strip()
        mask = np.zeros(len(self.df), dtype=bool)
        if not needle:
            return ~mask
        try:
            number = float(needle)
        except ValueError:
            number = None
        for name in self.df.columns:
            if name in skip:
                continue
            col = self.df[name]
            if col.dtype.kind in "iuf":
                if number is not None:
                    mask |= (col == number).to_numpy()
            elif col.dtype.kind in "Ob" or str(col.dtype) in ("string", "str"):
                mask |= col.astype("string").str.contains(needle, case=False,
                                                          regex=False).fillna(False).to_numpy()
        return mask
