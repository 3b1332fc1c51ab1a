"""A throwaway PostgreSQL + PostGIS server for the PostGIS store tests.

One cluster per test session (``initdb`` + ``pg_ctl`` as the ``postgres`` user in a
temporary folder, a free loopback port); each test gets a fresh database with the
demo scene published into it.  Tests skip, saying why, only when the server
programs or the PostGIS extension are not installed (``scripts/setup.sh`` installs
them: ``apt-get install postgresql postgresql-15-postgis-3``).
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest

from twinviewer.store.pg_cluster import PGCluster, find_bindir, has_postgis

ROOT = Path(__file__).resolve().parents[2]
DEMO_SCENE = ROOT / "scenes" / "demo" / "scene.toml"
_counter = itertools.count(1)


@pytest.fixture(scope="session")
def pg_cluster():
    """The session's PostgreSQL server; ``PGPASSFILE`` points at its password file."""
    bindir = find_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL server programs (initdb, pg_ctl) not found: "
                    "apt-get install postgresql")
    if not has_postgis(bindir):
        pytest.skip("PostGIS is not installed: apt-get install postgresql-15-postgis-3")
    cluster = PGCluster(bindir).start()
    before = os.environ.get("PGPASSFILE")
    os.environ["PGPASSFILE"] = str(cluster.passfile)
    try:
        yield cluster
    finally:
        cluster.stop()
        if before is None:
            os.environ.pop("PGPASSFILE", None)
        else:
            os.environ["PGPASSFILE"] = before


@pytest.fixture
def pg_db(pg_cluster) -> str:
    """A fresh empty PostGIS database; its password-less URL."""
    return pg_cluster.create_database(f"twin{os.getpid()}_{next(_counter)}")


@pytest.fixture
def twin(pg_db) -> str:
    """A fresh database with the demo scene published into it."""
    from twinviewer.store.pg_publish import publish

    publish(DEMO_SCENE, pg_db)
    return pg_db


#: the case crew of a twin: login -> case role (None: the twin's plain viewer)
CREW = {"vic": None, "olga": "operator", "uma": "unit", "cai": "checker"}


def as_login(url: str, login: str) -> str:
    """The twin's URL for another login (the fixtures' URLs name ``postgres@``)."""
    return url.replace("postgres@", f"{login}@", 1)


@pytest.fixture
def case_crew(twin, pg_cluster) -> dict[str, str]:
    """The case tables installed in ``twin`` and four logins (:data:`CREW`) holding the
    viewer role and their case role, passwords in the cluster's password file;
    returns ``{login: URL}``."""
    from twinviewer.store.pg_cases import grant_case_role, install
    from twinviewer.store.postgis import PostGISStore

    admin = PostGISStore(twin)
    install(admin)
    with open(pg_cluster.passfile, "a") as fh:
        for login, role in CREW.items():
            admin.grant(login, "viewer", password=f"pw-{login}")
            if role:
                grant_case_role(admin, login, role)
            fh.write(f"127.0.0.1:{pg_cluster.port}:*:{login}:pw-{login}\n")
    admin.close()
    return {login: as_login(twin, login) for login in CREW}
