"""Spreadsheets of corrections applied in one transaction, with their encoding sniffed
(UTF-8 with or without BOM, else GB18030/GBK).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from twinviewer.core.edits import (
    EditError,
    FieldType,
    validate,
)
from twinviewer.i18n import translate
from twinviewer.store.base import (
    ApplyReport,
    Refusal,
    StoreError,
)
from twinviewer.store.gpkg.sql import _q, _Table
from twinviewer.store.gpkg.writer import _Writer


class _CsvApply:
    """The spreadsheet half of :class:`~twinviewer.store.gpkg.GeoPackageStore`."""

    # ------------------------------------------------------------------ spreadsheets

    def apply_csv(self, csv_path: str | Path, partial: bool = False, *,
                  label: str | None = None) -> ApplyReport:
        """Apply a spreadsheet of corrections (``layer, oid, field...``) in one transaction.

        Empty cells leave a value as it is.  Every value is checked against its
        column's type; a row with any refused value is refused whole.  Unless
        ``partial``, one refused row means nothing is changed.

        Returns
        -------
        ApplyReport
            Rows changed / unchanged / refused (line, field, reason), ``applied``.
        """
        csv_path = Path(csv_path)
        text, encoding = read_text(csv_path)
        rows = list(csv.reader(io.StringIO(text, newline="")))
        report = ApplyReport(encoding=encoding)
        header_at = next((i for i, r in enumerate(rows) if any(c.strip() for c in r)), None)
        if header_at is None:
            raise StoreError(translate("StoreError", "the spreadsheet is empty"), csv_path)
        header = [c.strip() for c in rows[header_at]]
        lower = [h.lower() for h in header]
        if lower[:2] != ["layer", "oid"]:
            raise StoreError(translate("StoreError", "the first row must name the columns: "
                                                     "layer, oid, then the fields to set (found "
                                                     "{found})").format(
                found=", ".join(header[:3])), csv_path)
        fields = header[2:]
        if any(not f for f in fields):
            raise StoreError(translate("StoreError", "a column has no name in the first row"),
                             csv_path)
        dupes = {f for f in fields if fields.count(f) > 1}
        if dupes:
            raise StoreError(translate("StoreError", "column {column!r} appears twice").format(
                column=sorted(dupes)[0]), csv_path)
        label = label or f"apply {csv_path.name}"

        with self._transaction() as conn:
            plan = self._plan_csv(conn, rows, header_at, fields, report)
            if report.refused and not partial:
                self._rollback(conn)  # nothing written: the whole batch or none of it
                return report
            writer = _Writer(self, conn, None, {})
            for (_name, column), (t, items) in plan.items():
                oids = [oid for oid, _, _ in items]
                writer.write_values(t, column, oids, [o for _, o, _ in items],
                                    [n for _, _, n in items], label)
                report.cells += len(items)
            writer.flush()
        report.applied = True
        return report

    def _plan_csv(self, conn, rows, header_at, fields, report) -> dict:
        tables: dict[str, _Table | None] = {}
        schemas: dict[str, dict[str, FieldType]] = {}
        current: dict[tuple[str, int], dict[str, Any]] = {}
        parsed = []
        for i, raw in enumerate(rows[header_at + 1:], start=header_at + 2):
            if not any(c.strip() for c in raw):
                continue
            cells = raw + [""] * (len(fields) + 2 - len(raw))
            layer, oid_text = cells[0].strip(), cells[1].strip()
            refusals = []
            if len(raw) > len(fields) + 2 and any(c.strip() for c in raw[len(fields) + 2:]):
                refusals.append(Refusal(i, layer, oid_text or None, None, translate(
                    "StoreError", "more cells than the first row has columns")))
            if layer not in tables:
                try:
                    tables[layer] = self._table(conn, layer) if layer else None
                except StoreError:
                    tables[layer] = None
                if tables[layer] is not None:
                    schemas[layer] = self._schema(conn, tables[layer])
            t = tables[layer]
            if t is None:
                refusals.append(Refusal(i, layer, oid_text or None, None, translate(
                    "StoreError", "no layer {layer!r} in the store").format(layer=layer)
                    if layer else translate("StoreError", "the layer cell is empty")))
            try:
                oid = int(oid_text)
            except ValueError:
                oid = None
                refusals.append(Refusal(i, layer, oid_text or None, None, translate(
                    "StoreError", "oid {oid!r} is not a whole number").format(oid=oid_text)
                    if oid_text else translate("StoreError", "the oid cell is empty")))
            parsed.append((i, layer, t, oid, cells[2:len(fields) + 2], refusals))
        # current values, one query per table
        wanted: dict[str, set[int]] = {}
        for _i, layer, t, oid, _cells, _refusals in parsed:
            if t is not None and oid is not None:
                wanted.setdefault(layer, set()).add(oid)
        for layer, oids in wanted.items():
            t = tables[layer]
            known = [f for f in fields if f.lower() in t.columns
                     and t.columns[f.lower()] not in (t.pk, t.geom)]
            cols = [t.columns[f.lower()] for f in known]
            select = ", ".join([_q(t.pk), *[_q(c) for c in cols]])
            ids = sorted(oids)
            for k in range(0, len(ids), 500):
                chunk = ids[k:k + 500]
                sql = (f"SELECT {select} FROM {_q(t.name)} WHERE {_q(t.pk)} IN "
                       f"({', '.join('?' * len(chunk))})")
                for rec in conn.execute(sql, chunk):
                    current[(layer, rec[0])] = dict(zip(cols, rec[1:], strict=True))

        plan: dict[tuple[str, str], tuple[_Table, list]] = {}
        for i, layer, t, oid, cells, refusals in parsed:
            changes = []
            if t is not None and oid is not None:
                now = current.get((layer, oid))
                if now is None:
                    refusals.append(Refusal(i, layer, oid, None, translate(
                        "StoreError", "no object with oid {oid} in layer {layer!r}").format(
                        oid=oid, layer=layer)))
                for name, cell in zip(fields, cells, strict=True):
                    if not cell.strip():
                        continue
                    column = t.columns.get(name.lower())
                    if column is None or column in (t.pk, t.geom):
                        refusals.append(Refusal(i, layer, oid, name, translate(
                            "StoreError", "layer {layer!r} has no field {field!r}").format(
                            layer=layer, field=name)))
                        continue
                    try:
                        value = validate(schemas[layer][column], cell)
                    except EditError as exc:
                        refusals.append(Refusal(i, layer, oid, name, exc.message))
                        continue
                    if now is not None:
                        old = now.get(column)
                        if not _same(old, value, schemas[layer][column]):
                            changes.append((column, old, value))
            if refusals:
                report.refused.extend(refusals)
                continue
            if not changes:
                report.unchanged += 1
                continue
            report.changed += 1
            for column, old, value in changes:
                current[(layer, oid)][column] = value
                plan.setdefault((t.name, column), (t, []))[1].append((oid, old, value))
        return plan



def _same(old: Any, new: Any, ft: FieldType) -> bool:
    if old is None or new is None:
        return old is None and new is None
    if ft.kind == "bool":
        return bool(old) == bool(new) if isinstance(old, int | float) else False
    if ft.kind in ("int", "real"):
        try:
            return float(old) == float(new)
        except (TypeError, ValueError):
            return False
    return str(old) == str(new)



def read_text(path: Path) -> tuple[str, str]:
    """A text file's content and encoding: UTF-8 (with or without BOM), else GB18030/GBK."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise StoreError(translate("StoreError", "file not found"), path) from None
    except OSError as exc:
        raise StoreError(translate("StoreError", "cannot read the file ({detail})").format(
            detail=exc.strerror or exc), path) from None
    if raw.startswith(b"\xef\xbb\xbf"):
        try:
            return raw[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise StoreError(translate("StoreError", "not UTF-8 text after its BOM ({reason} at "
                                                     "byte {byte})").format(
                reason=exc.reason, byte=exc.start + 3), path) from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "utf-16"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        raise StoreError(translate("StoreError", "the text is neither UTF-8 nor GBK/GB18030; "
                                                 "save the spreadsheet as CSV UTF-8"),
                         path) from None
