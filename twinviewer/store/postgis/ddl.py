"""Field changes (add, rename, delete columns) and grants: what only the admin role does."""

from __future__ import annotations

from collections.abc import Sequence

from twinviewer.core.edits import (
    FieldChange,
    FieldType,
)
from twinviewer.i18n import translate
from twinviewer.store.postgis.sql import (
    _PG_TYPES,
    FIELDS_TABLE,
    GEOM,
    META_TABLE,
    OID,
    RESERVED,
    ROLES,
    SENSITIVE_REASON,
    VERSION,
    _log_text,
    _pg_text,
    _q,
    _Table,
)


class _FieldWriter:
    """The field half of the save's writer (:class:`~twinviewer.store.postgis.writer._Writer`)."""

    def write_field(self, t: _Table, ch: FieldChange, label: str) -> int:
        """Add, rename or delete a column with its schema row and grants (admin only)."""
        import psycopg

        for name in (ch.field, ch.new_name):
            if name is not None and name.lower() in RESERVED:
                raise self.store._error(translate("StoreError", "field name {field!r} is "
                                                                "reserved on PostGIS (oid, geom, "
                                                                "version)").format(field=name))
        try:
            self.field_sql(t, ch, label)
        except psycopg.errors.InsufficientPrivilege as exc:
            raise self.store._error(translate(
                "StoreError", "only an administrator of the twin may add, rename or delete "
                              "fields ({detail}); nothing was written").format(
                detail=" ".join(str(exc).split()))) from None
        self.store._tables.pop(t.name, None)
        self.schema.add(t.name)
        self.announce(t.name, "fields", [ch.new_name or ch.field])
        return 1

    def field_sql(self, t: _Table, ch: FieldChange, label: str) -> None:
        from psycopg import sql

        table = sql.Identifier(t.name)
        taken = {c.lower() for c in t.kinds}
        if ch.action == "add":
            if ch.field.lower() in taken:
                raise self.store._error(translate("StoreError", "layer {layer!r} already has a "
                                                                "field {field!r}").format(
                    layer=t.name, field=ch.field))
            ft = ch.field_type or FieldType("text")
            pgtype = _PG_TYPES[ft.kind]
            self.conn.execute(sql.SQL("ALTER TABLE {} ADD COLUMN {} {}").format(
                table, sql.Identifier(ch.field), sql.SQL(pgtype)))
            if ch.default is not None:
                self.conn.execute(sql.SQL("UPDATE {} SET {} = %s::{}").format(
                    table, sql.Identifier(ch.field), sql.SQL(pgtype)),
                    (_pg_text(ch.default, ft.kind),))
            self.conn.execute(
                f"INSERT INTO {FIELDS_TABLE} (layer, name, kind, vals, sensitive, reason) VALUES "
                "(%s, %s, %s, %s, %s, %s) ON CONFLICT (layer, name) DO UPDATE SET kind = "
                "excluded.kind, vals = excluded.vals, sensitive = excluded.sensitive, reason = "
                "excluded.reason", (t.name, ch.field, ft.kind, list(ft.values) or None,
                                    ft.sensitive, SENSITIVE_REASON if ft.sensitive else None))
            self.grant_column(t, ch.field, ft.sensitive)
            new = f"field ({pgtype})" + (f" = {_log_text(ch.default)}" if ch.default is not None
                                         else "")
            self.rows.append((t.name, None, ch.field, None, new, label, False))
        elif ch.action == "delete":
            if ch.field not in t.kinds:
                raise self.store._error(translate("StoreError", "layer {layer!r} has no field "
                                                                "{field!r}").format(
                    layer=t.name, field=ch.field))
            pgtype = _PG_TYPES.get(t.kinds[ch.field], "text")
            self.conn.execute(sql.SQL("ALTER TABLE {} DROP COLUMN {}").format(
                table, sql.Identifier(ch.field)))
            self.conn.execute(f"DELETE FROM {FIELDS_TABLE} WHERE layer = %s AND name = %s",
                              (t.name, ch.field))
            self.rows.append((t.name, None, ch.field, f"field ({pgtype})", None, label, False))
        else:
            if ch.field not in t.kinds:
                raise self.store._error(translate("StoreError", "layer {layer!r} has no field "
                                                                "{field!r}").format(
                    layer=t.name, field=ch.field))
            if ch.new_name.lower() in taken and ch.new_name.lower() != ch.field.lower():
                raise self.store._error(translate("StoreError", "layer {layer!r} already has a "
                                                                "field {field!r}").format(
                    layer=t.name, field=ch.new_name))
            self.conn.execute(sql.SQL("ALTER TABLE {} RENAME COLUMN {} TO {}").format(
                table, sql.Identifier(ch.field), sql.Identifier(ch.new_name)))
            self.conn.execute(f"UPDATE {FIELDS_TABLE} SET name = %s WHERE layer = %s AND "
                              "name = %s", (ch.new_name, t.name, ch.field))
            self.rows.append((t.name, None, ch.field, ch.field, ch.new_name, label, False))

    def grant_column(self, t: _Table, column: str, sensitive: bool) -> None:
        """Privileges on a new column: who reads it, and the editors of the layer."""
        from psycopg import sql

        roles = dict(self.conn.execute(
            f"SELECT key, value FROM {META_TABLE} WHERE key LIKE 'role_%%'").fetchall())
        col, table = sql.Identifier(column), sql.Identifier(t.name)
        reader = roles.get("role_sensitive" if sensitive else "role_viewer")
        if reader:
            self.conn.execute(sql.SQL("GRANT SELECT ({}) ON {} TO {}").format(
                col, table, sql.Identifier(reader)))
        # editors of this layer are the roles that may update its version column
        editors = self.conn.execute(
            "SELECT DISTINCT r.rolname, CASE WHEN %s::text IS NULL THEN false ELSE "
            "pg_has_role(r.oid, %s::text, 'MEMBER') END FROM pg_attribute a "
            "CROSS JOIN LATERAL aclexplode(a.attacl) x JOIN pg_roles r ON r.oid = x.grantee "
            "WHERE a.attrelid = to_regclass(%s) AND a.attname = %s AND "
            "x.privilege_type = 'UPDATE'",
            (roles.get("role_sensitive"), roles.get("role_sensitive"), _q(t.name),
             VERSION)).fetchall()
        for name, reads_sensitive in editors:
            if sensitive and not reads_sensitive:
                continue
            self.conn.execute(sql.SQL("GRANT UPDATE ({}), INSERT ({}) ON {} TO {}").format(
                col, col, table, sql.Identifier(name)))

    # ---- log and notice


class _Grants:
    """Roles and grants of :class:`~twinviewer.store.postgis.PostGISStore`."""

    def roles(self) -> dict[str, str]:
        """``{"viewer": role name, ...}`` of this twin's group roles."""
        rows = self._query(f"SELECT key, value FROM {META_TABLE} WHERE key LIKE 'role_%%'")
        return {k[len("role_"):]: v for k, v in rows}

    def grant(self, login: str, role: str, *, layers: Sequence[str] | None = None,
              password: str | None = None, sensitive: bool = False) -> None:
        """Give a login role (created when missing) a twin role; admin only.

        ``editor`` may update the attributes of ``layers`` (default: all); ``sensitive``
        adds reading (and, for editors, writing) the sensitive fields.
        """
        from psycopg import sql

        if role not in ROLES:
            raise self._error(translate("StoreError", "unknown role {role!r} (roles: {roles})")
                              .format(role=role, roles=", ".join(ROLES)))
        names = self.roles()
        conn = self._connection()
        import psycopg
        try:
            with conn.transaction():
                exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s",
                                      (login,)).fetchone()
                if not exists:
                    stmt = sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(login))
                    if password is not None:
                        stmt = sql.SQL("{} PASSWORD {}").format(stmt, sql.Literal(password))
                    conn.execute(stmt)
                elif password is not None:
                    conn.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                        sql.Identifier(login), sql.Literal(password)))
                conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(names[role]),
                                                              sql.Identifier(login)))
                if sensitive:
                    conn.execute(sql.SQL("GRANT {} TO {}").format(
                        sql.Identifier(names["sensitive"]), sql.Identifier(login)))
                if role == "editor":
                    for name in layers or self.tables():
                        t = self._table(name, refresh=True)
                        cols = [c for c in t.kinds if sensitive or c not in t.sensitive]
                        # attributes, moves (geom), new objects and deletions
                        conn.execute(sql.SQL("GRANT UPDATE ({}), INSERT ({}), DELETE ON {} "
                                             "TO {}").format(
                            sql.SQL(", ").join(map(sql.Identifier, [*cols, GEOM, VERSION])),
                            sql.SQL(", ").join(map(sql.Identifier, [OID, GEOM, *cols, VERSION])),
                            sql.Identifier(t.name), sql.Identifier(login)))
        except psycopg.Error as exc:
            raise self._problem(exc) from None
