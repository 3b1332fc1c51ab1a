"""Field types and typed validation: what a value typed by a user becomes, or why not.

``validate(field_type, value)`` turns text from an editor, a spreadsheet or a
journal into the value a column holds (whole numbers, numbers, yes/no, dates in
ISO form, values of a declared list) or raises :class:`EditError` saying why, in
the user's language.  No Qt, no VTK.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from twinviewer.i18n import translate

FIELD_KINDS = ("int", "real", "text", "date", "datetime", "bool", "enum")
"""Field types an editor knows; ``date`` is ISO ``YYYY-MM-DD`` text."""

_INT64 = (-(2**63), 2**63 - 1)
_TRUE = {"true", "t", "yes", "y", "1", "是", "真", "对", "√", "on"}
_FALSE = {"false", "f", "no", "n", "0", "否", "假", "错", "×", "off"}
_DATE_RE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


class EditError(Exception):
    """An edit that cannot be made; the message says why in one line.

    Messages are written ``translate("EditError", "{value} is not a whole number")``
    and filled with ``.format()`` afterwards, so they read in the user's language.
    """

    def __init__(self, message: str) -> None:
        self.message = " ".join(str(message).split())
        super().__init__(self.message)


# --------------------------------------------------------------------------- field types


@dataclass(frozen=True)
class FieldType:
    """The type of an attribute column, as editors and stores see it.

    Parameters
    ----------
    kind : str
        One of ``int``, ``real``, ``text``, ``date``, ``datetime``, ``bool``, ``enum``.
    values : tuple of str
        The allowed values of an ``enum`` (a value list declared in the schema).
    nullable : bool
        Whether an empty value is allowed (default ``True``).
    sensitive : bool
        Whether the field holds resident-level personal data (names, ID
        numbers, phone numbers) that is masked in labels, tables, reports and
        exports unless explicitly unmasked (see :mod:`twinviewer.core.privacy`).

    Examples
    --------
    >>> FieldType.of({"type": "enum", "values": ["待处理", "已整改"]}).values
    ('待处理', '已整改')
    """

    kind: str
    values: tuple[str, ...] = ()
    nullable: bool = True
    sensitive: bool = False

    def __post_init__(self) -> None:
        if self.kind not in FIELD_KINDS:
            raise EditError(translate("EditError",
                                      "unknown field type {kind} (use one of {kinds})").format(
                kind=repr(self.kind), kinds=", ".join(FIELD_KINDS)))
        object.__setattr__(self, "values", tuple(str(v) for v in self.values))
        if self.kind == "enum" and not self.values:
            raise EditError(translate("EditError", "an enum field needs its list of values"))

    @classmethod
    def of(cls, spec: Any) -> FieldType:
        """A field type from ``"int"``, ``{"type": "enum", "values": [...]}`` or a FieldType."""
        if isinstance(spec, FieldType):
            return spec
        if isinstance(spec, str):
            return cls(spec.strip().lower())
        if isinstance(spec, dict):
            kind = spec.get("type", spec.get("kind"))
            if not isinstance(kind, str):
                raise EditError(translate("EditError", "field type {spec} names no 'type'")
                                .format(spec=repr(spec)))
            return cls(kind.strip().lower(), tuple(spec.get("values") or ()),
                       bool(spec.get("nullable", True)),
                       bool(spec.get("sensitive", False)))
        raise EditError(translate("EditError", "not a field type: {spec}").format(
            spec=repr(spec)))

    def to_dict(self) -> dict:
        out: dict[str, Any] = {"type": self.kind}
        if self.values:
            out["values"] = list(self.values)
        if not self.nullable:
            out["nullable"] = False
        if self.sensitive:
            out["sensitive"] = True
        return out

    def validate(self, value: Any) -> Any:
        """Shorthand for :func:`validate`."""
        return validate(self, value)


class Schema(dict):
    """Declared field types of layers: ``{layer name: {field: FieldType}}``.

    What a store declares (value lists, sensitive marks) and what field commands
    change (a new field's type, a rename, a deletion that is undone); fields not in
    it take the type their column suggests (:func:`infer_field_type`).
    """

    def declare(self, layer_name: str, fields: dict[str, Any]) -> None:
        """Declare the types of some fields of a layer (specs or :class:`FieldType`)."""
        schema = self.setdefault(layer_name, {})
        for name, spec in fields.items():
            schema[name] = FieldType.of(spec)

    def declared(self, layer_name: str, name: str) -> FieldType | None:
        """The declared type of a field, None when it has none."""
        return self.get(layer_name, {}).get(name)

    def set_type(self, layer_name: str, name: str, ft: FieldType | None) -> FieldType | None:
        """Declare (or, with None, forget) a field's type; returns the one it had."""
        schema = self.setdefault(layer_name, {})
        previous = schema.pop(name, None)
        if ft is not None:
            schema[name] = ft
        return previous

    def rename(self, layer_name: str, old: str, new: str) -> None:
        """A renamed field keeps its declared type."""
        schema = self.setdefault(layer_name, {})
        if old in schema:
            schema[new] = schema.pop(old)


def infer_field_type(column: pd.Series | np.ndarray) -> FieldType:
    """The field type a column's dtype suggests (``text`` for anything else)."""
    dtype = column.dtype
    kind = getattr(dtype, "kind", "O")
    if kind == "b":
        return FieldType("bool")
    if kind in "iu":
        return FieldType("int")
    if kind == "f":
        return FieldType("real")
    if kind == "M":
        return FieldType("datetime")
    return FieldType("text")


def is_missing(value: Any) -> bool:
    """``None``, NaN, NaT and pandas' NA are missing values."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float | np.floating):
        return bool(np.isnan(value))
    return False


def validate(field_type: FieldType | str | dict, value: Any) -> Any:
    """Check ``value`` against a field type and return it in its canonical form.

    ``int`` -> Python int, ``real`` -> float, ``text``/``enum`` -> str, ``date`` ->
    ``"YYYY-MM-DD"``, ``datetime`` -> ISO text, ``bool`` -> bool; a missing value
    (``None``, NaN, or empty text for non-text types) -> ``None``.

    Raises
    ------
    EditError
        With the reason, e.g. ``'12.5' is not a whole number``.

    Examples
    --------
    >>> validate("int", " 42 ")
    42
    >>> validate("date", "2024年5月1日")
    '2024-05-01'
    >>> validate("bool", "是")
    True
    """
    ft = FieldType.of(field_type)
    kind = ft.kind
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, str) and kind != "text":
        value = value.strip()
        if value == "":
            value = None
    if is_missing(value):
        if not ft.nullable:
            raise EditError(translate("EditError", "a value is required"))
        return None
    if kind == "int":
        return _as_int(value)
    if kind == "real":
        return _as_real(value)
    if kind == "bool":
        return _as_bool(value)
    if kind == "date":
        return _as_date(value)
    if kind == "datetime":
        return _as_datetime(value)
    if isinstance(value, bytes | bytearray):
        raise EditError(translate("EditError", "binary data is not text"))
    if isinstance(value, list | dict | tuple | set):
        raise EditError(translate("EditError", "{value} is not text").format(
            value=_show(value)))
    text = str(value)
    if kind == "enum":
        if text.strip() in ft.values:
            return text.strip()
        raise EditError(translate("EditError", "{value} is not one of: {values}").format(
            value=_show(value), values=", ".join(ft.values)))
    return text


def _show(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _not_whole(value: Any) -> EditError:
    return EditError(translate("EditError", "{value} is not a whole number").format(
        value=_show(value)))


def _as_int(value: Any) -> int:
    if isinstance(value, bool):
        raise EditError(translate("EditError", "{value} is a yes/no value, not a whole number")
                        .format(value=value))
    if isinstance(value, int):
        out = value
    elif isinstance(value, float):
        if not math.isfinite(value) or value != int(value):
            raise _not_whole(value)
        out = int(value)
    elif isinstance(value, str):
        text = value.replace("_", "x")  # int() accepts 1_000; a user would not mean it
        try:
            out = int(text)
        except ValueError:
            try:
                f = float(text)
            except ValueError:
                raise _not_whole(value) from None
            if not math.isfinite(f) or f != int(f):
                raise _not_whole(value) from None
            out = int(f)
    else:
        raise _not_whole(value)
    if not _INT64[0] <= out <= _INT64[1]:
        raise EditError(translate("EditError", "{value} is too large for a whole-number field")
                        .format(value=out))
    return out


def _as_real(value: Any) -> float:
    if isinstance(value, bool):
        raise EditError(translate("EditError", "{value} is a yes/no value, not a number")
                        .format(value=value))
    if isinstance(value, int | float):
        out = float(value)
    elif isinstance(value, str):
        try:
            out = float(value.replace("_", "x"))
        except ValueError:
            raise EditError(translate("EditError", "{value} is not a number").format(
                value=_show(value))) from None
    else:
        raise EditError(translate("EditError", "{value} is not a number").format(
            value=_show(value)))
    if not math.isfinite(out):
        raise EditError(translate("EditError", "{value} is not a finite number").format(
            value=_show(value)))
    return out


def _as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.lower() in _TRUE:
        return True
    if isinstance(value, str) and value.lower() in _FALSE:
        return False
    raise EditError(translate("EditError",
                              "{value} is not a yes/no value (use true/false, 1/0 or 是/否)")
                    .format(value=_show(value)))


def _as_date(value: Any) -> str:
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, str):
        m = _DATE_RE.match(value)
        if m:
            year, month, day = int(m[1]), int(m[2]), int(m[3])
            try:
                return _dt.date(year, month, day).isoformat()
            except ValueError:
                raise _invalid_date(value, year, month, day) from None
        try:  # an ISO date-time whose time is midnight is a date
            stamp = _dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            stamp = None
        if stamp is not None and stamp.time() == _dt.time(0, 0):
            return stamp.date().isoformat()
    raise EditError(translate("EditError", "{value} is not a date (use YYYY-MM-DD)").format(
        value=_show(value)))


def _invalid_date(value: str, year: int, month: int, day: int) -> EditError:
    """Why ``year-month-day`` (matched by the date pattern) is no calendar date."""
    if not 1 <= month <= 12:
        return EditError(translate("EditError",
                                   "{value} is not a valid date (there is no month {month})")
                         .format(value=_show(value), month=month))
    if _dt.MINYEAR <= year <= _dt.MAXYEAR:
        return EditError(translate("EditError",
                                   "{value} is not a valid date ({year}-{month:02d} has no "
                                   "day {day})").format(value=_show(value), year=year,
                                                        month=month, day=day))
    return EditError(translate("EditError", "{value} is not a valid date (year {year})")
                     .format(value=_show(value), year=year))


def _as_datetime(value: Any) -> str:
    if isinstance(value, _dt.datetime):
        return value.isoformat()
    if isinstance(value, _dt.date):
        return _dt.datetime(value.year, value.month, value.day).isoformat()
    if isinstance(value, str):
        m = _DATE_RE.match(value)
        if m:
            return _as_date(value) + "T00:00:00"
        try:
            return _dt.datetime.fromisoformat(value.replace("Z", "+00:00")).isoformat()
        except ValueError:
            pass
    raise EditError(translate("EditError",
                              "{value} is not a date and time (use YYYY-MM-DDTHH:MM:SS)")
                    .format(value=_show(value)))
