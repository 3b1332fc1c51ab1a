"""A throwaway PostgreSQL cluster in a temporary folder, for tests, benchmarks and trials.

``initdb`` + ``pg_ctl`` from Debian's ``postgresql`` package (and PostGIS from
``postgresql-15-postgis-3``), run as the ``postgres`` OS user when this process is
root (PostgreSQL refuses to run as root).  The server listens on a free loopback
port and on a Unix socket in the temporary folder; TCP logins need a password
(SCRAM), which is written to a ``.pgpass`` file in the folder (never into a DSN):
point ``PGPASSFILE`` at :attr:`PGCluster.passfile` to connect, as libpq does.

Examples
--------
>>> with PGCluster() as pg:  # doctest: +SKIP
...     dsn = pg.create_database("twin")
...     print(dsn)  # postgresql://postgres@127.0.0.1:54321/twin
"""

from __future__ import annotations

import contextlib
import glob
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from twinviewer.i18n import translate
from twinviewer.store.base import StoreError

SUPERUSER = "postgres"


def find_bindir() -> Path | None:
    """The folder holding ``initdb``/``pg_ctl``/``postgres`` (newest version), or None.

    ``$TWINVIEWER_PG_BIN`` wins, then ``pg_config --bindir``, then Debian's
    ``/usr/lib/postgresql/*/bin``.
    """
    candidates: list[Path] = []
    if os.environ.get("TWINVIEWER_PG_BIN"):
        candidates.append(Path(os.environ["TWINVIEWER_PG_BIN"]))
    for found in sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                        key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit()
                        else 0, reverse=True):
        candidates.append(Path(found))
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True,
                                 timeout=10).stdout.strip()
            if out:
                candidates.append(Path(out))
    for c in candidates:
        if all((c / exe).exists() for exe in ("initdb", "pg_ctl", "postgres")):
            return c
    return None


def has_postgis(bindir: Path) -> bool:
    """Whether the PostGIS extension is installed for the server in ``bindir``."""
    version = bindir.parent.name
    return bool(glob.glob(f"/usr/share/postgresql/{version}/extension/postgis.control"))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PGCluster:
    """A PostgreSQL server of its own in a temporary folder, removed by :meth:`stop`.

    Parameters
    ----------
    bindir : path, optional
        Where ``initdb``/``pg_ctl`` are (default: :func:`find_bindir`).
    port : int, optional
        TCP port on 127.0.0.1 (default: a free one).

    Attributes
    ----------
    root : Path
        The temporary folder (data directory, socket, log, ``.pgpass``).
    passfile : Path
        A libpq password file for the superuser ``postgres`` on this port.
    """

    def __init__(self, bindir: str | Path | None = None, port: int | None = None) -> None:
        found = Path(bindir) if bindir else find_bindir()
        if found is None:
            raise StoreError(translate("StoreError", "PostgreSQL server programs (initdb, "
                                                     "pg_ctl) not found; install Debian's "
                                                     "postgresql package or set "
                                                     "TWINVIEWER_PG_BIN"))
        self.bindir = found
        self.port = port or free_port()
        self.root: Path | None = None
        self.password = secrets.token_hex(12)
        self._as_postgres = os.geteuid() == 0 if hasattr(os, "geteuid") else False

    # ---- paths
    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root

    @property
    def passfile(self) -> Path:
        return self.root / "pgpass"

    @property
    def logfile(self) -> Path:
        return self.root / "server.log"

    def dsn(self, dbname: str = "postgres", user: str = SUPERUSER) -> str:
        """A password-less URL for ``user`` over TCP (the password comes from the passfile)."""
        return f"postgresql://{user}@127.0.0.1:{self.port}/{dbname}"

    def env(self) -> dict[str, str]:
        """Environment variables a client needs (``PGPASSFILE``)."""
        return {"PGPASSFILE": str(self.passfile)}

    # ---- running programs
    def _run(self, args: list[str], timeout: float = 120) -> subprocess.CompletedProcess:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self._as_postgres:
            cmd = ["runuser", "-u", SUPERUSER, "--", *cmd]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                              cwd=str(self.root), env={**os.environ, "LC_ALL": "C.UTF-8"})
        if proc.returncode != 0:
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["failed"]
            raise StoreError(translate("StoreError", "{program} failed: {detail}").format(
                program=args[0], detail=tail[0]))
        return proc

    def start(self) -> PGCluster:
        """``initdb`` (first time) and start the server; waits until it accepts logins."""
        if self.root is None:
            self.root = Path(tempfile.mkdtemp(prefix="twinviewer-pg-"))
            pwfile = self.root / "pw"
            pwfile.write_text(self.password + "\n")
            if self._as_postgres:
                shutil.chown(self.root, SUPERUSER, SUPERUSER)
                shutil.chown(pwfile, SUPERUSER, SUPERUSER)
            os.chmod(pwfile, 0o600)
            self._run(["initdb", "-D", str(self.data), "-U", SUPERUSER, "-E", "UTF8",
                       "--locale=C.UTF-8", "--auth-local=trust", "--auth-host=scram-sha-256",
                       f"--pwfile={pwfile}"])
            pwfile.unlink()
            self.passfile.write_text(f"127.0.0.1:{self.port}:*:{SUPERUSER}:{self.password}\n"
                                     f"localhost:{self.port}:*:{SUPERUSER}:{self.password}\n")
            os.chmod(self.passfile, 0o600)
        self._pg_ctl("start")
        return self

    def _pg_ctl(self, action: str) -> None:
        opts = (f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1 "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                "-c max_connections=100")
        args = ["pg_ctl", "-D", str(self.data), "-l", str(self.logfile), "-w", "-t", "60"]
        if action in ("start", "restart"):
            args += ["-o", opts]
        if action in ("stop", "restart"):
            args += ["-m", "fast"]
        self._run([*args, action])

    def restart(self) -> None:
        """Stop and start the server (clients' connections drop)."""
        self._pg_ctl("restart")

    def stop_server(self) -> None:
        """Stop the server and keep its data (:meth:`start` brings it back)."""
        self._pg_ctl("stop")

    def stop(self) -> None:
        """Stop the server and remove the temporary folder."""
        if self.root is None:
            return
        with contextlib.suppress(StoreError, subprocess.SubprocessError, OSError):
            if (self.data / "postmaster.pid").exists():
                self._pg_ctl("stop")
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None

    def psql_args(self, dbname: str = "postgres") -> list[str]:
        """Connection arguments for the bundled ``psql`` over the Unix socket."""
        return ["-h", str(self.socket_dir), "-p", str(self.port), "-U", SUPERUSER, "-d", dbname]

    def create_database(self, name: str, *, postgis: bool = True) -> str:
        """Create a database (with the PostGIS extension) and return its password-less URL."""
        import psycopg

        deadline = time.monotonic() + 10
        while True:
            try:
                conn = psycopg.connect(self.dsn(), autocommit=True, **self._conn_env())
                break
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        with conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        if postgis:
            with psycopg.connect(self.dsn(name), autocommit=True, **self._conn_env()) as conn:
                conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        return self.dsn(name)

    def _conn_env(self) -> dict:
        return {"passfile": str(self.passfile)}

    def __enter__(self) -> PGCluster:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    """``python -m twinviewer.store.pg_cluster [--database NAME]``: a server until Ctrl+C."""
    import argparse
    import signal

    ap = argparse.ArgumentParser(prog="python -m twinviewer.store.pg_cluster",
                                 description="Start a throwaway PostgreSQL + PostGIS server in "
                                             "a temporary folder; Ctrl+C stops and removes it.")
    ap.add_argument("--database", default="twin", help="database to create (default twin)")
    ap.add_argument("--port", type=int, default=None, help="TCP port (default: a free one)")
    args = ap.parse_args(argv)
    try:
        cluster = PGCluster(port=args.port).start()
    except StoreError as exc:
        print(f"twinviewer: error: {exc.message}")
        return 2
    try:
        url = cluster.create_database(args.database)
        print(f"server:     {url}")
        print(f"password:   export PGPASSFILE={cluster.passfile}")
        print(f"publish:    twinviewer publish scenes/demo/scene.toml {url} "
              "--write-scene team.toml")
        print("Ctrl+C stops the server and removes its folder.", flush=True)
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
    except KeyboardInterrupt:
        pass
    finally:
        cluster.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
