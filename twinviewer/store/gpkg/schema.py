"""Field types, value lists (enums) and sensitive marks in the GeoPackage schema
extension (``gpkg_data_columns``, ``gpkg_data_column_constraints``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from twinviewer.core.edits import (
    FieldType,
)
from twinviewer.store.gpkg.sql import _INT_TYPES, _REAL_TYPES, _SCHEMA_EXT, SENSITIVE_TAG, _Table


class _Schema:
    """The schema half of :class:`~twinviewer.store.gpkg.GeoPackageStore`."""

    def schema(self, table: str) -> dict[str, FieldType]:
        """Field types of a table from its SQL types and declared value lists (enums)."""
        conn = self._connect()
        try:
            return self._schema(conn, self._table(conn, table))
        finally:
            conn.close()

    def _schema(self, conn: sqlite3.Connection, t: _Table) -> dict[str, FieldType]:
        out = {}
        for name, sql in t.types.items():
            if name in (t.pk, t.geom):
                continue
            if sql == "BOOLEAN":
                kind = "bool"
            elif sql in _INT_TYPES:
                kind = "int"
            elif sql in _REAL_TYPES:
                kind = "real"
            elif sql == "DATE":
                kind = "date"
            elif sql == "DATETIME":
                kind = "datetime"
            else:
                kind = "text"
            out[name] = FieldType(kind)
        for column, values in self._enums(conn, t.name).items():
            if column in out:
                out[column] = FieldType("enum", tuple(values))
        for column in self._sensitive(conn, t.name):
            if column in out:
                ft = out[column]
                out[column] = FieldType(ft.kind, ft.values, ft.nullable, sensitive=True)
        return out

    @staticmethod
    def _sensitive(conn: sqlite3.Connection, table: str) -> list[str]:
        """Columns of ``table`` tagged sensitive in ``gpkg_data_columns``."""
        if conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND "
                        "name='gpkg_data_columns'").fetchone() is None:
            return []
        rows = conn.execute("SELECT column_name, description FROM gpkg_data_columns WHERE "
                            "lower(table_name) = lower(?)", (table,)).fetchall()
        return [c for c, d in rows if d and SENSITIVE_TAG in str(d).split("; ")]

    def sensitive_fields(self, table: str) -> list[str]:
        """Fields of ``table`` marked sensitive (see :meth:`mark_sensitive`)."""
        return [name for name, ft in self.schema(table).items() if ft.sensitive]

    @staticmethod
    def _enums(conn: sqlite3.Connection, table: str) -> dict[str, list[str]]:
        have = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                           "AND name IN ('gpkg_data_columns', "
                                           "'gpkg_data_column_constraints')")}
        if len(have) < 2:
            return {}
        rows = conn.execute(
            "SELECT d.column_name, c.value FROM gpkg_data_columns d JOIN "
            "gpkg_data_column_constraints c ON c.constraint_name = d.constraint_name "
            "WHERE lower(d.table_name) = lower(?) AND c.constraint_type = 'enum' "
            "ORDER BY c.rowid", (table,)).fetchall()
        out: dict[str, list[str]] = {}
        for column, value in rows:
            out.setdefault(column, []).append(value)
        return out


    # ------------------------------------------------------------------ enums

    def declare_enum(self, table: str, field_name: str, values: Sequence[str]) -> None:
        """Declare the value list of a text field (GeoPackage schema extension)."""
        with self._transaction() as conn:
            t = self._table(conn, table)
            self._write_enum(conn, t, t.column(field_name, table), [str(v) for v in values])

    def mark_sensitive(self, table: str, fields: Sequence[str], sensitive: bool = True) -> None:
        """Mark (or unmark) fields of ``table`` as sensitive personal data, in one transaction.

        The mark is the tag ``twinviewer:sensitive`` in the field's ``description`` in
        ``gpkg_data_columns`` (the GeoPackage schema extension); it survives renames
        and is read back by :meth:`schema` as ``FieldType.sensitive``.

        Raises
        ------
        StoreError
            Unknown table or field, read-only or locked file.

        Examples
        --------
        >>> GeoPackageStore("district.gpkg").mark_sensitive(  # doctest: +SKIP
        ...     "residents", ["姓名", "身份证号", "电话"])
        """
        with self._transaction() as conn:
            t = self._table(conn, table)
            self._write_sensitive(conn, t, [t.column(f, table) for f in fields], sensitive)

    def _write_sensitive(self, conn: sqlite3.Connection, t: _Table, columns: Sequence[str],
                         sensitive: bool = True) -> None:
        """Add (or remove) the sensitive tag of ``columns`` inside an open transaction."""
        self._schema_tables(conn)
        for column in columns:
            row = conn.execute("SELECT description FROM gpkg_data_columns WHERE "
                               "table_name = ? AND column_name = ?",
                               (t.name, column)).fetchone()
            parts = [p for p in str(row[0] or "").split("; ") if p] if row else []
            parts = [p for p in parts if p != SENSITIVE_TAG]
            if sensitive:
                parts.append(SENSITIVE_TAG)
            text = "; ".join(parts) or None
            if row is None:
                conn.execute("INSERT INTO gpkg_data_columns (table_name, column_name, name, "
                             "description) VALUES (?, ?, ?, ?)", (t.name, column, column, text))
            else:
                conn.execute("UPDATE gpkg_data_columns SET description = ? WHERE "
                             "table_name = ? AND column_name = ?", (text, t.name, column))


    def _schema_tables(self, conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE IF NOT EXISTS gpkg_data_columns (table_name TEXT NOT NULL, "
                     "column_name TEXT NOT NULL, name TEXT, title TEXT, description TEXT, "
                     "mime_type TEXT, constraint_name TEXT, CONSTRAINT pk_gdc PRIMARY KEY "
                     "(table_name, column_name), CONSTRAINT gdc_tn UNIQUE (table_name, name))")
        conn.execute("CREATE TABLE IF NOT EXISTS gpkg_data_column_constraints ("
                     "constraint_name TEXT NOT NULL, constraint_type TEXT NOT NULL, value TEXT, "
                     "min NUMERIC, min_is_inclusive BOOLEAN, max NUMERIC, max_is_inclusive "
                     "BOOLEAN, description TEXT, CONSTRAINT gdcc_ntv UNIQUE (constraint_name, "
                     "constraint_type, value))")
        if self._has(conn, "gpkg_extensions"):
            for tbl in ("gpkg_data_columns", "gpkg_data_column_constraints"):
                if conn.execute("SELECT 1 FROM gpkg_extensions WHERE table_name = ? AND "
                                "extension_name = 'gpkg_schema'", (tbl,)).fetchone() is None:
                    conn.execute("INSERT INTO gpkg_extensions VALUES (?, NULL, 'gpkg_schema', "
                                 "?, 'read-write')", (tbl, _SCHEMA_EXT))

    def _write_enum(self, conn, t: _Table, column: str, values: list[str]) -> None:
        self._schema_tables(conn)
        cname = f"{t.name}_{column}_values"
        conn.execute("DELETE FROM gpkg_data_column_constraints WHERE constraint_name = ?",
                     (cname,))
        conn.executemany("INSERT INTO gpkg_data_column_constraints (constraint_name, "
                         "constraint_type, value) VALUES (?, 'enum', ?)",
                         [(cname, v) for v in values])
        # an upsert, not INSERT OR REPLACE: the row's description (a sensitive mark)
        # and mime type stay
        conn.execute("INSERT INTO gpkg_data_columns (table_name, column_name, name, "
                     "constraint_name) VALUES (?, ?, ?, ?) ON CONFLICT (table_name, "
                     "column_name) DO UPDATE SET constraint_name = excluded.constraint_name",
                     (t.name, column, column, cname))
