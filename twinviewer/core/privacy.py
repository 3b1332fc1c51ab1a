"""Sensitive fields: masking rules, the masked/unmasked state and its audit record.

Resident-level data (names, ID numbers, phone numbers) is sensitive.  A layer
lists its sensitive fields in :attr:`Layer.sensitive <twinviewer.core.layer.Layer>`
(from the store schema's ``FieldType.sensitive`` and the scene file's
``sensitive = [...]``).  Everything that shows values to a person or writes them
out (the attribute table, the inspector, 3D labels, summary exports and reports)
asks this module, and gets masked text unless the field was explicitly unmasked:

==========  ========================  =====================
kind        field names like           ``张三丰`` / value
==========  ========================  =====================
``name``    姓名, 联系人, 户主, name   ``张**``
``id``      身份证号, 证件号码, id_no  ``310***********1234``
``phone``   电话, 手机, mobile, tel    ``138****5678``
``other``   anything else             ``****``
==========  ========================  =====================

Unmasking is a deliberate act with a stated purpose: :meth:`PrivacyState.unmask`
first hands an :class:`AccessRecord` (user, time, layer, fields, purpose) to an
``audit`` callable that must persist it (the store's ``twinviewer_access_log``
table or a log file beside the scene, see :mod:`twinviewer.store.access`); only
when that succeeds are the fields shown.  The process-wide state is
:data:`STATE`.  No Qt, no VTK.
"""

from __future__ import annotations

import datetime as _dt
import math
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from psygnal import Signal

from twinviewer.core.layer import Layer
from twinviewer.i18n import translate

MASK = "****"
"""What a sensitive value of no known kind is shown as."""

KINDS = ("name", "id", "phone", "other")

# checked in this order: 联系人电话 is a phone number, 证件号 an ID number
_KIND_WORDS = (
    ("phone", ("电话", "手机", "联系方式", "phone", "mobile", "tel")),
    ("id", ("身份证", "证件", "身份号", "id_card", "idcard", "id_no", "idno", "id_number",
            "identity", "passport", "ssn")),
    ("name", ("姓名", "名字", "联系人", "户主", "监护人", "责任人", "name")),
)


class PrivacyError(ValueError):
    """An unmasking that cannot be done (no purpose, unknown field); one-line message."""


def field_kind(name: str) -> str:
    """The masking rule a sensitive field follows, from its name.

    Examples
    --------
    >>> [field_kind(f) for f in ("姓名", "身份证号", "联系电话", "病史")]
    ['name', 'id', 'phone', 'other']
    """
    low = str(name).lower()
    for kind, words in _KIND_WORDS:
        if any(w in low for w in words):
            return kind
    return "other"


def _missing(value: Any) -> bool:
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, float | np.floating):
        return math.isnan(value)
    try:
        return bool(pd.isna(value)) if np.ndim(value) == 0 else False
    except (TypeError, ValueError):
        return False


def text_of(value: Any) -> str:
    """A value as a label or table cell shows it (``""`` when missing, ``3`` for ``3.0``)."""
    if _missing(value):
        return ""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def _keep_ends(text: str, head: int, tail: int) -> str:
    n = len(text)
    if n >= head + tail + 3:
        return text[:head] + "*" * (n - head - tail) + text[-tail:]
    if n > 4:
        return "*" * (n - 2) + text[-2:]
    return MASK


def mask_text(value: Any, kind: str = "other") -> str:
    """One value masked by the rule of ``kind``; a missing value stays ``""``.

    Examples
    --------
    >>> mask_text("张三", "name"), mask_text("310104195003121234", "id")
    ('张*', '310***********1234')
    >>> mask_text("13812345678", "phone"), mask_text("高血压", "other")
    ('138****5678', '****')
    """
    text = text_of(value).strip()
    if not text:
        return ""
    if kind == "name":
        return text[0] + "*" * max(1, len(text) - 1)
    if kind in ("id", "phone"):
        return _keep_ends(text, 3, 4)
    return MASK


@dataclass
class AccessRecord:
    """One unmasking: ``user`` saw ``fields`` of ``layer`` at ``ts`` for ``purpose``.

    ``layer`` is the store's table name where the layer has one, else the layer's
    name; ``id`` is the log row's id once written (``None`` before).
    """

    user: str
    layer: str
    fields: list[str]
    purpose: str
    ts: str = field(default_factory=lambda: _dt.datetime.now(_dt.timezone.utc)
                    .isoformat(timespec="milliseconds").replace("+00:00", "Z"))
    action: str = "unmask"
    id: int | None = None

    def to_dict(self) -> dict:
        return {"id": self.id, "ts": self.ts, "user": self.user, "layer": self.layer,
                "fields": list(self.fields), "purpose": self.purpose, "action": self.action}


Audit = Callable[[Layer, AccessRecord], AccessRecord]


class PrivacyState:
    """Which sensitive fields of which layers are shown unmasked, for now.

    Layers are held weakly: a layer that is closed is forgotten.  ``changed(layer)``
    is emitted after an unmasking or masking (``None``: several layers).
    """

    changed = Signal(object)

    def __init__(self) -> None:
        self._unmasked: weakref.WeakKeyDictionary[Layer, frozenset[str]] = \
            weakref.WeakKeyDictionary()

    def unmasked_fields(self, layer: Layer) -> frozenset[str]:
        """Sensitive fields of ``layer`` currently shown as they are."""
        return self._unmasked.get(layer, frozenset()) & layer.sensitive

    def masked_fields(self, layer: Layer) -> frozenset[str]:
        """Sensitive fields of ``layer`` currently masked."""
        return layer.sensitive - self._unmasked.get(layer, frozenset())

    def is_masked(self, layer: Layer, field_name: str) -> bool:
        return field_name in layer.sensitive and \
            field_name not in self._unmasked.get(layer, frozenset())

    def any_unmasked(self) -> bool:
        return any(self.unmasked_fields(layer) for layer in list(self._unmasked.keys()))

    def unmask(self, layer: Layer, purpose: str, audit: Audit,
               fields: Iterable[str] | None = None, *, user: str = "") -> AccessRecord:
        """Show ``fields`` (default: every sensitive field) of ``layer`` unmasked.

        The record is handed to ``audit`` first, which persists it (and may fill
        ``id``); if ``audit`` raises, the fields stay masked and the error goes on.

        Raises
        ------
        PrivacyError
            An empty purpose, or a field that is not sensitive in ``layer``.
        """
        purpose = " ".join(str(purpose or "").split())
        if not purpose:
            raise PrivacyError(translate("PrivacyError",
                                         "say why the sensitive fields are needed (purpose)"))
        names = sorted(layer.sensitive) if fields is None else [str(f) for f in fields]
        wrong = [f for f in names if f not in layer.sensitive]
        if wrong:
            raise PrivacyError(translate("PrivacyError",
                                         "field {field} of layer {layer} is not sensitive")
                               .format(field=repr(wrong[0]), layer=repr(layer.name)))
        if not names:
            raise PrivacyError(translate("PrivacyError", "layer {layer} has no sensitive fields")
                               .format(layer=repr(layer.name)))
        record = AccessRecord(user=user or "", layer=layer.source_table or layer.name,
                              fields=names, purpose=purpose)
        record = audit(layer, record)
        self._unmasked[layer] = self._unmasked.get(layer, frozenset()) | frozenset(names)
        self.changed.emit(layer)
        return record

    def mask(self, layer: Layer | None = None) -> None:
        """Mask again the fields of ``layer`` (of every layer when ``None``)."""
        if layer is None:
            if len(self._unmasked):
                self._unmasked.clear()
                self.changed.emit(None)
        elif self._unmasked.pop(layer, None) is not None:
            self.changed.emit(layer)


STATE = PrivacyState()
"""The state of this process: the window, its exports and the 3D labels all read it."""


def mask_values(layer: Layer, field: str, values: Sequence | np.ndarray | pd.Series,
                state: PrivacyState | None = None) -> list[str]:
    """Values of ``field`` of ``layer`` as the text to show: masked while the field is.

    What 3D labels, table cells and reports call; a field that is not sensitive (or
    is unmasked) gives its plain text (:func:`text_of`).

    Examples
    --------
    >>> mask_values(layer, "姓名", ["张三", "李四"])  # doctest: +SKIP
    ['张*', '李*']
    """
    state = STATE if state is None else state
    values = list(values.tolist() if isinstance(values, pd.Series | np.ndarray) else values)
    if not state.is_masked(layer, field):
        return [text_of(v) for v in values]
    kind = field_kind(field)
    return [mask_text(v, kind) for v in values]


def mask_value(layer: Layer, field: str, value: Any, state: PrivacyState | None = None) -> str:
    """One value of ``field`` of ``layer`` as shown (see :func:`mask_values`)."""
    return mask_values(layer, field, [value], state)[0]


def mask_frame(layer: Layer, df: pd.DataFrame, state: PrivacyState | None = None
               ) -> pd.DataFrame:
    """``df`` (rows of ``layer``) with its masked sensitive columns replaced by masked text.

    Columns that are not sensitive, or unmasked, are left as they are; the frame is
    copied only when something is masked.
    """
    state = STATE if state is None else state
    hidden = [c for c in df.columns if isinstance(c, str) and state.is_masked(layer, c)]
    if not hidden:
        return df
    out = df.copy()
    for c in hidden:
        kind = field_kind(c)
        out[c] = pd.Series([mask_text(v, kind) for v in df[c].tolist()], index=df.index,
                           dtype=object)
    return out


def masked_names(layer: Layer, expr: str, state: PrivacyState | None = None
                 ) -> list[tuple[str, int]]:
    """Masked sensitive fields a filter expression names, with their 0-based positions.

    A filter on a masked field (``姓名 = '张三'``) would reveal what the table hides,
    so the filter bar refuses it until the field is unmasked.  An expression that
    cannot be split into tokens names nothing here (the filter reports its error).
    """
    from twinviewer.core.query import QueryError, tokenize

    state = STATE if state is None else state
    hidden = state.masked_fields(layer)
    if not hidden:
        return []
    lower = {f.lower(): f for f in hidden}
    try:
        tokens = tokenize(expr)
    except QueryError:
        return []
    out = []
    for tok in tokens:
        if tok.kind == "word":
            name = tok.text if tok.text in hidden else lower.get(tok.text.lower())
        elif tok.kind == "qid":
            name = tok.text[1:-1].replace('""', '"')
            name = name if name in hidden else None
        else:
            name = None
        if name is not None:
            out.append((name, tok.start))
    return out
