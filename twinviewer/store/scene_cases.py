"""Which store holds a scene's cases and alerts, and reading a scene's tables wherever they live.

A team scene (its layers in PostGIS, ``source = "postgresql://..."``) keeps its cases
and alerts in that twin (:class:`~twinviewer.store.pg_cases.PgCaseStore`, the roles
enforced by the server); any other scene keeps them in its GeoPackage
(:class:`~twinviewer.store.cases.CaseStore`).  ``twinviewer cases``, ``twinviewer
listen`` and the Cases & Alerts dock all ask :func:`case_store_for`.
"""

from __future__ import annotations

from pathlib import Path

from twinviewer.core.sources import is_postgis_url
from twinviewer.store.cases import CaseStore, CaseTables


def case_location(scene: str | Path) -> str | Path:
    """Where a scene's cases live: the first PostGIS URL among its layers' sources, else
    the first ``.gpkg`` they come from, else ``cases.gpkg`` beside the scene file."""
    from twinviewer.io.scene_file import read_scene_file

    spec = read_scene_file(scene)
    for layer in spec.layers:
        if is_postgis_url(layer.source):
            return str(layer.source)
    for layer in spec.layers:
        if str(layer.source).lower().endswith(".gpkg"):
            return Path(layer.source)
    return Path(scene).parent / "cases.gpkg"


def case_store_for(scene: str | Path) -> CaseTables:
    """The case store of a scene (see :func:`case_location`)."""
    where = case_location(scene)
    if isinstance(where, Path):
        return CaseStore(where)
    from twinviewer.store.pg_cases import PgCaseStore
    from twinviewer.store.postgis import store_for

    return PgCaseStore(store_for(where))


def read_table(source, table: str | None = None):
    """``(frame indexed by fid/oid, shapely geometries, crs)`` of one table of a layer
    source: a file through :func:`twinviewer.io.vector.read_frame`, a PostGIS table
    through :meth:`PostGISStore.frame <twinviewer.store.postgis.PostGISStore.frame>`."""
    if is_postgis_url(source):
        from twinviewer.core.errors import LoadError
        from twinviewer.i18n import translate
        from twinviewer.store.base import StoreError
        from twinviewer.store.postgis import store_for

        if not table:
            raise LoadError(translate("LoadError", "a PostGIS layer needs its table "
                                                   "(table = ...)"), None)
        try:
            return store_for(str(source)).frame(table)
        except StoreError as exc:
            raise LoadError(exc.message, None) from None
    from twinviewer.io.vector import read_frame

    return read_frame(source, table)
