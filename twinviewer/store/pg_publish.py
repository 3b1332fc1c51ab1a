"""Publish a scene's GeoPackage layers into PostGIS: tables, schema, roles, edit log.

``twinviewer publish SCENE postgresql://HOST/DB`` calls :func:`publish`.  The
connecting role must be able to create tables and roles (the database owner with
CREATEROLE, or a superuser); it becomes the owner of everything published.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from twinviewer.core.errors import LoadError
from twinviewer.i18n import translate
from twinviewer.store.base import StoreError
from twinviewer.store.gpkg import GeoPackageStore
from twinviewer.store.postgis import (
    DELETED_TABLE,
    FIELDS_TABLE,
    GEOM,
    LAYERS_TABLE,
    LOG_TABLE,
    META_TABLE,
    OID,
    RESERVED,
    SAVES_TABLE,
    SENSITIVE_REASON,
    VERSION,
    PostGISStore,
    database_of,
    has_password,
)
from twinviewer.store.postgis.sql import _pg_text, _role_prefix

_PG_TYPES = {"int": "bigint", "real": "double precision", "text": "text", "enum": "text",
             "bool": "boolean", "date": "date", "datetime": "timestamp"}

_META_DDL = f"""
CREATE TABLE IF NOT EXISTS {META_TABLE} (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE IF NOT EXISTS {LAYERS_TABLE} (
    name text PRIMARY KEY, position integer NOT NULL, srid integer NOT NULL DEFAULT 0,
    crs text, geometry_type text, source text);
CREATE TABLE IF NOT EXISTS {FIELDS_TABLE} (
    layer text NOT NULL, name text NOT NULL, kind text NOT NULL, vals text[],
    sensitive boolean NOT NULL DEFAULT false, reason text, PRIMARY KEY (layer, name));
CREATE TABLE IF NOT EXISTS {SAVES_TABLE} (
    save_id uuid PRIMARY KEY, ts timestamptz NOT NULL DEFAULT now(),
    db_user text NOT NULL DEFAULT current_user, "user" text NOT NULL, changes integer);
CREATE TABLE IF NOT EXISTS {LOG_TABLE} (
    id bigserial PRIMARY KEY, ts timestamptz NOT NULL DEFAULT now(), "user" text NOT NULL,
    db_user text NOT NULL DEFAULT current_user, layer text NOT NULL, oid bigint, field text,
    old text, new text, label text NOT NULL DEFAULT '', sensitive boolean NOT NULL DEFAULT false,
    save_id uuid);
CREATE INDEX IF NOT EXISTS {LOG_TABLE}_object ON {LOG_TABLE} (layer, oid);
CREATE OR REPLACE FUNCTION twinviewer_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
    RAISE EXCEPTION 'the twinviewer edit log is append-only' USING ERRCODE = '42501'; END $$;
DROP TRIGGER IF EXISTS twinviewer_append_only ON {LOG_TABLE};
CREATE TRIGGER twinviewer_append_only BEFORE UPDATE OR DELETE ON {LOG_TABLE}
    FOR EACH ROW EXECUTE FUNCTION twinviewer_append_only();
DROP TRIGGER IF EXISTS twinviewer_no_truncate ON {LOG_TABLE};
CREATE TRIGGER twinviewer_no_truncate BEFORE TRUNCATE ON {LOG_TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION twinviewer_append_only();
ALTER TABLE {LOG_TABLE} ENABLE ROW LEVEL SECURITY;
"""


# deleted objects (kept whole for an undo) and the functions that keep and restore them;
# statements run one by one (function bodies hold semicolons)
_DELETED_DDL = [
    f"""
CREATE TABLE IF NOT EXISTS {DELETED_TABLE} (
    id bigserial PRIMARY KEY, ts timestamptz NOT NULL DEFAULT now(),
    db_user text NOT NULL DEFAULT current_user, layer text NOT NULL, oid bigint NOT NULL,
    version integer NOT NULL DEFAULT 1, attributes jsonb NOT NULL, sensitive jsonb NOT NULL,
    geom geometry, save_id text)""",
    f"""
CREATE INDEX IF NOT EXISTS {DELETED_TABLE}_object ON {DELETED_TABLE} (layer, oid)""",
    f"""
CREATE OR REPLACE FUNCTION twinviewer_keep_deleted() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE rec jsonb := to_jsonb(OLD) - 'oid' - 'geom' - 'version'; hidden text[];
BEGIN
    SELECT coalesce(array_agg(name), '{{}}') INTO hidden FROM {FIELDS_TABLE}
        WHERE layer = TG_TABLE_NAME AND sensitive;
    INSERT INTO {DELETED_TABLE} (layer, oid, version, attributes, sensitive, geom, save_id)
    VALUES (TG_TABLE_NAME, OLD.oid, OLD.version, rec - hidden,
            coalesce((SELECT jsonb_object_agg(key, value) FROM jsonb_each(rec)
                      WHERE key = ANY(hidden)), '{{}}'),
            OLD.geom, current_setting('twinviewer.save_id', true));
    RETURN OLD;
END $$""",
    f"""
CREATE OR REPLACE FUNCTION twinviewer_restore(tbl text, oids bigint[])
RETURNS TABLE (oid bigint, version integer) LANGUAGE plpgsql
SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE r record; n bigint; target regclass := to_regclass(quote_ident(tbl));
BEGIN
    IF target IS NULL OR NOT EXISTS (SELECT 1 FROM {LAYERS_TABLE} WHERE name = tbl) THEN
        RAISE EXCEPTION 'no layer %', tbl USING ERRCODE = '42P01';
    END IF;
    IF NOT has_any_column_privilege(session_user, target, 'INSERT') THEN
        RAISE EXCEPTION 'permission denied for table %', tbl USING ERRCODE = '42501';
    END IF;
    FOR r IN SELECT DISTINCT ON (d.oid) d.* FROM {DELETED_TABLE} d
             WHERE d.layer = tbl AND d.oid = ANY(oids) ORDER BY d.oid, d.id DESC LOOP
        EXECUTE format('INSERT INTO %I SELECT (jsonb_populate_record(NULL::%I, $1)).* '
                       'ON CONFLICT DO NOTHING', tbl, tbl)
            USING r.attributes || r.sensitive ||
                  jsonb_build_object('oid', r.oid, 'version', r.version + 1);
        GET DIAGNOSTICS n = ROW_COUNT;
        IF n > 0 THEN
            EXECUTE format('UPDATE %I SET geom = $1 WHERE oid = $2', tbl) USING r.geom, r.oid;
            oid := r.oid;
            version := r.version + 1;
            RETURN NEXT;
        END IF;
    END LOOP;
END $$""",
    "REVOKE ALL ON FUNCTION twinviewer_restore(text, bigint[]) FROM PUBLIC",
]


@dataclass
class PublishResult:
    """What :func:`publish` wrote."""

    url: str
    layers: dict[str, int] = field(default_factory=dict)  # table -> objects
    log_rows: int = 0
    roles: dict[str, str] = field(default_factory=dict)
    sensitive: dict[str, list[str]] = field(default_factory=dict)


def gpkg_sources(source: str | Path) -> list[Path]:
    """The GeoPackages behind a scene file, or ``[source]`` for a ``.gpkg``."""
    from twinviewer.io.scene_file import is_scene_file, read_scene_file

    path = Path(source)
    if not path.exists():
        raise StoreError(translate("StoreError", "file not found"), path)
    if path.suffix.lower() == ".gpkg":
        return [path]
    if not is_scene_file(path):
        raise StoreError(translate("StoreError", "publish a scene file (.toml) or a GeoPackage "
                                                 "(.gpkg)"), path)
    try:
        spec = read_scene_file(path)
    except LoadError as exc:
        raise StoreError(exc.problem, exc.path) from None
    out: list[Path] = []
    for entry in spec.layers:
        src = Path(str(entry.source))
        if src.suffix.lower() == ".gpkg" and src.exists() and src.resolve() not in out:
            out.append(src.resolve())
    if not out:
        raise StoreError(translate("StoreError", "the scene has no GeoPackage layers to publish "
                                                 "(import them first: twinviewer import ... "
                                                 "--into DISTRICT.gpkg)"), path)
    return out


def publish(source: str | Path, dsn: str, *, sensitive: Iterable[str] = (),
            replace: bool = False, progress: Callable[[float, str], None] | None = None
            ) -> PublishResult:
    """Copy a scene's (or a GeoPackage's) layers, schema and edit log into PostGIS.

    Parameters
    ----------
    source : path
        A scene file (its GeoPackage layers) or a ``.gpkg``.
    dsn : str
        ``postgresql://USER@HOST:PORT/DB`` of an existing database; no password in it.
    sensitive : field names
        Extra sensitive fields (``field`` or ``table.field``) besides those the
        GeoPackage schema marks sensitive.
    replace : bool
        Replace tables already published under the same names.
    """
    import psycopg
    from psycopg import sql

    if has_password(dsn):
        raise StoreError(translate("StoreError", "the connection string holds a password: keep "
                                                 "it in ~/.pgpass, PGPASSFILE, PGPASSWORD or a "
                                                 "service file instead"))
    store = PostGISStore(dsn)
    gpkgs = gpkg_sources(source)
    extra = {str(s) for s in sensitive}
    plan: list[tuple[Path, str]] = []
    for g in gpkgs:
        for t in GeoPackageStore(g).tables():
            if t.lower() in {p[1].lower() for p in plan}:
                raise StoreError(translate("StoreError", "two GeoPackages both have a layer "
                                                         "{layer!r}").format(layer=t), g)
            plan.append((g, t))
    prefix = _role_prefix(database_of(dsn) or "twin")
    roles = {r: f"{prefix}_{r}" for r in ("viewer", "editor", "sensitive", "admin")}
    result = PublishResult(store.url, roles=roles)
    conn = store.connect()
    try:
        with conn.transaction():
            try:
                conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
            except psycopg.Error as exc:
                raise store._error(translate(
                    "StoreError", "the PostGIS extension is missing or cannot be created "
                                  "(install postgresql-15-postgis-3 on the server, or ask an "
                                  "administrator to run CREATE EXTENSION postgis) ({detail})")
                    .format(detail=" ".join(str(exc).split()))) from None
        with conn.transaction():
            _create_roles(conn, roles)
            for stmt in _META_DDL.split(";\n"):
                if stmt.strip():
                    conn.execute(stmt)
            for stmt in _DELETED_DDL:
                conn.execute(stmt)
            for key, name in roles.items():
                conn.execute(f"INSERT INTO {META_TABLE} VALUES (%s, %s) ON CONFLICT (key) DO "
                             "UPDATE SET value = excluded.value", (f"role_{key}", name))
            existing = {r[0] for r in conn.execute(f"SELECT name FROM {LAYERS_TABLE}")}
            position = conn.execute(f"SELECT coalesce(max(position), 0) FROM {LAYERS_TABLE}"
                                    ).fetchone()[0]
            for k, (gpkg, table) in enumerate(plan):
                if progress:
                    progress(k / max(1, len(plan)), table)
                if table in existing and not replace:
                    raise store._error(translate("StoreError", "already has a layer {layer!r} "
                                                               "(publish with --replace to "
                                                               "overwrite it)").format(layer=table))
                position += 1
                n, hidden = _copy_table(conn, gpkg, table, position, extra, roles)
                result.layers[table] = n
                if hidden:
                    result.sensitive[table] = hidden
            for gpkg in gpkgs:
                result.log_rows += _copy_log(conn, gpkg, [t for g, t in plan if g == gpkg])
            _grant_meta(conn, roles, sql)
        if progress:
            progress(1.0, "")
    except psycopg.Error as exc:
        raise store._problem(exc) from None
    finally:
        conn.close()
    return result


def _create_roles(conn, roles: dict[str, str]) -> None:
    from psycopg import sql

    for name in roles.values():
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone():
            conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(name)))
    ident = {k: sql.Identifier(v) for k, v in roles.items()}
    if not conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
                        ).fetchone()[0]:  # to hand the layers to the admin role
        conn.execute(sql.SQL("GRANT {} TO current_user").format(ident["admin"]))
    conn.execute(sql.SQL("GRANT {} TO {}").format(ident["viewer"], ident["editor"]))
    conn.execute(sql.SQL("GRANT {}, {} TO {} WITH ADMIN OPTION").format(
        ident["editor"], ident["sensitive"], ident["admin"]))
    conn.execute(sql.SQL("GRANT {} TO {} WITH ADMIN OPTION").format(ident["viewer"],
                                                                     ident["admin"]))


def _grant_meta(conn, roles: dict[str, str], sql) -> None:
    ident = {k: sql.Identifier(v) for k, v in roles.items()}
    conn.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(ident["viewer"]))
    for t in (META_TABLE, LAYERS_TABLE, FIELDS_TABLE):
        conn.execute(sql.SQL("GRANT SELECT ON {} TO {}").format(sql.Identifier(t),
                                                                ident["viewer"]))
    conn.execute(sql.SQL("GRANT SELECT ON {} TO {}").format(sql.Identifier(LOG_TABLE),
                                                            ident["viewer"]))
    conn.execute(sql.SQL("GRANT INSERT ON {} TO {}").format(sql.Identifier(LOG_TABLE),
                                                            ident["editor"]))
    conn.execute(sql.SQL("GRANT USAGE ON SEQUENCE {} TO {}").format(
        sql.Identifier(f"{LOG_TABLE}_id_seq"), ident["editor"]))
    conn.execute(sql.SQL("GRANT SELECT, INSERT ON {} TO {}").format(
        sql.Identifier(SAVES_TABLE), ident["editor"]))
    conn.execute(sql.SQL("GRANT EXECUTE ON FUNCTION twinviewer_restore(text, bigint[]) TO {}")
                 .format(ident["editor"]))
    conn.execute(sql.SQL("GRANT ALL ON ALL TABLES IN SCHEMA public TO {}").format(
        ident["admin"]))
    conn.execute(sql.SQL("GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {}").format(
        ident["admin"]))
    conn.execute(f"DROP POLICY IF EXISTS twinviewer_read ON {LOG_TABLE}")
    conn.execute(f"DROP POLICY IF EXISTS twinviewer_append ON {LOG_TABLE}")
    conn.execute(sql.SQL(
        "CREATE POLICY twinviewer_read ON {} FOR SELECT USING (NOT sensitive OR "
        "pg_has_role(current_user, {}, 'MEMBER'))").format(
            sql.Identifier(LOG_TABLE), sql.Literal(roles["sensitive"])))
    conn.execute(sql.SQL("CREATE POLICY twinviewer_append ON {} FOR INSERT WITH CHECK "
                         "(db_user = current_user)").format(sql.Identifier(LOG_TABLE)))


def _srid(crs: str | None) -> int:
    if not crs:
        return 0
    from pyproj import CRS

    try:
        return int(CRS.from_user_input(crs).to_epsg() or 0)
    except Exception:  # an exotic CRS: kept as text, geometry stored without SRID
        return 0


def _copy_table(conn, gpkg: Path, table: str, position: int, extra: set[str],
                roles: dict[str, str]) -> tuple[int, list[str]]:
    import pyogrio.raw
    import shapely
    from psycopg import sql

    gstore = GeoPackageStore(gpkg)
    schema = gstore.schema(table)
    try:
        meta, fids, wkb, field_data = pyogrio.raw.read(str(gpkg), layer=table,
                                                       return_fids=True)
    except Exception as exc:  # GDAL raises several types; all mean "cannot read"
        raise StoreError(translate("StoreError", "cannot read layer {layer!r} ({detail})")
                         .format(layer=table, detail=exc), gpkg) from None
    fields = [str(f) for f in meta["fields"]]
    crs = meta.get("crs")
    srid = _srid(crs)
    n = len(fids)
    # a source field called oid, geom or version is kept as oid_source (as the reader does)
    renamed = {f: f"{f}_source" for f in fields if f.lower() in RESERVED}
    fields = [renamed.get(f, f) for f in fields]
    schema = {renamed.get(k, k): v for k, v in schema.items()}
    kinds = {f: (schema[f].kind if f in schema else "text") for f in fields}
    sensitive = [f for f in fields if getattr(schema.get(f), "sensitive", False)
                 or f in extra or f"{table}.{f}" in extra]
    conn.execute(sql.SQL("DROP TABLE IF EXISTS {} CASCADE").format(sql.Identifier(table)))
    conn.execute(sql.SQL("DROP SEQUENCE IF EXISTS {}").format(
        sql.Identifier(f"{table}_oid_seq")))
    geoms = shapely.from_wkb(wkb, on_invalid="ignore") if wkb is not None else \
        np.full(n, None, dtype=object)
    present = ~shapely.is_missing(geoms)
    zs = shapely.has_z(geoms[present]) if present.any() else np.zeros(0, bool)
    typmod = "GeometryZ" if len(zs) and zs.all() else "Geometry" if not zs.any() else None
    gsql = sql.SQL("geometry({}, {})").format(sql.SQL(typmod), sql.Literal(srid)) if typmod \
        else sql.SQL("geometry")
    cols = [sql.SQL("{} bigint PRIMARY KEY").format(sql.Identifier(OID)),
            sql.SQL("{} {}").format(sql.Identifier(GEOM), gsql)]
    cols += [sql.SQL("{} {}").format(sql.Identifier(f), sql.SQL(_PG_TYPES[kinds[f]]))
             for f in fields]
    cols.append(sql.SQL("{} integer NOT NULL DEFAULT 1").format(sql.Identifier(VERSION)))
    conn.execute(sql.SQL("CREATE TABLE {} ({})").format(sql.Identifier(table),
                                                        sql.SQL(", ").join(cols)))
    if srid:
        geoms = shapely.set_srid(geoms, srid)
    hexes = shapely.to_wkb(geoms, hex=True, include_srid=bool(srid), flavor="extended")
    columns = [_copy_values(v, kinds[f]) for f, v in zip(fields, field_data, strict=True)]
    names = sql.SQL(", ").join(map(sql.Identifier, [OID, GEOM, *fields]))
    with conn.cursor().copy(sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table), names)) as copy:
        for i in range(n):
            copy.write_row([int(fids[i]), hexes[i], *[c[i] for c in columns]])
    conn.execute(sql.SQL("CREATE INDEX ON {} USING gist ({})").format(
        sql.Identifier(table), sql.Identifier(GEOM)))
    # deleted objects are kept whole (sensitive values apart) so an undo brings them back
    conn.execute(sql.SQL("CREATE TRIGGER twinviewer_keep_deleted BEFORE DELETE ON {} FOR EACH "
                         "ROW EXECUTE FUNCTION twinviewer_keep_deleted()").format(
        sql.Identifier(table)))
    top = max(int(np.max(fids)) if n else 0, _max_logged_oid(gstore, table))
    conn.execute(sql.SQL("CREATE SEQUENCE {} START {}").format(
        sql.Identifier(f"{table}_oid_seq"), sql.Literal(top + 1)))
    gconn = gstore._connect()
    try:
        gtype = gstore._table(gconn, table).geom_type if wkb is not None else None
    finally:
        gconn.close()
    conn.execute(f"DELETE FROM {LAYERS_TABLE} WHERE name = %s", (table,))
    conn.execute(f"DELETE FROM {FIELDS_TABLE} WHERE layer = %s", (table,))
    conn.execute(f"INSERT INTO {LAYERS_TABLE} (name, position, srid, crs, geometry_type, source) "
                 "VALUES (%s, %s, %s, %s, %s, %s)",
                 (table, position, srid, crs, gtype, gpkg.name))
    for f in fields:
        ft = schema.get(f)
        conn.execute(f"INSERT INTO {FIELDS_TABLE} (layer, name, kind, vals, sensitive, reason) "
                     "VALUES (%s, %s, %s, %s, %s, %s)",
                     (table, f, kinds[f], list(ft.values) if ft is not None and ft.values
                      else None, f in sensitive, SENSITIVE_REASON if f in sensitive else None))
    ident = {k: sql.Identifier(v) for k, v in roles.items()}
    public = [OID, GEOM, *[f for f in fields if f not in sensitive], VERSION]
    conn.execute(sql.SQL("GRANT SELECT ({}) ON {} TO {}").format(
        sql.SQL(", ").join(map(sql.Identifier, public)), sql.Identifier(table),
        ident["viewer"]))
    if sensitive:
        conn.execute(sql.SQL("GRANT SELECT ({}) ON {} TO {}").format(
            sql.SQL(", ").join(map(sql.Identifier, sensitive)), sql.Identifier(table),
            ident["sensitive"]))
    conn.execute(sql.SQL("GRANT USAGE ON SEQUENCE {} TO {}").format(
        sql.Identifier(f"{table}_oid_seq"), ident["editor"]))
    # the admin role owns the layer: its members add, rename and delete fields
    conn.execute(sql.SQL("ALTER TABLE {} OWNER TO {}").format(sql.Identifier(table),
                                                             ident["admin"]))
    conn.execute(sql.SQL("ALTER SEQUENCE {} OWNER TO {}").format(
        sql.Identifier(f"{table}_oid_seq"), ident["admin"]))
    return n, sensitive


def _max_logged_oid(gstore: GeoPackageStore, table: str) -> int:
    with contextlib.suppress(StoreError):
        oids = [e.oid for e in gstore.log(layer=table) if e.oid is not None]
        return max(oids, default=0)
    return 0


def _copy_values(values, kind: str) -> list:
    arr = np.asarray(values)
    if arr.dtype.kind == "M":
        return [None if np.isnat(v) else str(v) for v in arr]
    out = []
    for v in arr.tolist():
        out.append(_pg_text(v, kind) if v is not None else None)
    return out


def _copy_log(conn, gpkg: Path, tables: Sequence[str]) -> int:
    entries = GeoPackageStore(gpkg).log()
    if not entries:
        return 0
    sens = {(r[0], r[1]) for r in conn.execute(
        f"SELECT layer, name FROM {FIELDS_TABLE} WHERE sensitive")}
    rows = [(e.ts, e.user, e.layer, e.oid, e.field, e.old, e.new, e.label,
             (e.layer, e.field) in sens) for e in entries]
    with conn.cursor() as cur:
        cur.executemany(f"INSERT INTO {LOG_TABLE} (ts, \"user\", layer, oid, field, old, new, "
                        "label, sensitive) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)", rows)
    return len(rows)


def write_scene(scene: str | Path, url: str, out: str | Path) -> Path:
    """A copy of ``scene`` whose GeoPackage layers open from PostGIS at ``url``.

    The URL is written without any password.  A ``.gpkg`` source gives a scene
    with one entry naming the database (every published layer).
    """
    import os
    import sys

    import tomli_w

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib

    from twinviewer.store.postgis import safe_dsn

    url, scene, out = safe_dsn(url), Path(scene), Path(out)
    if scene.suffix.lower() == ".gpkg":
        data = {"version": 1, "name": scene.stem, "layers": [{"source": url}]}
    else:
        data = tomllib.loads(scene.read_text(encoding="utf-8-sig"))
        for entry in data.get("layers", []):
            source = str(entry.get("source", ""))
            if source.lower().endswith(".gpkg"):
                entry["source"] = url
            elif source and "://" not in source:  # files that stay files (DEM, photo, scans)
                where = Path(source) if Path(source).is_absolute() else scene.parent / source
                entry["source"] = Path(os.path.relpath(where.resolve(),
                                                       out.parent.resolve())).as_posix()
    try:
        out.write_text(tomli_w.dumps(data), encoding="utf-8")
    except OSError as exc:
        raise StoreError(translate("StoreError", "cannot write the scene file ({detail})")
                         .format(detail=exc.strerror or exc), out) from None
    return out
