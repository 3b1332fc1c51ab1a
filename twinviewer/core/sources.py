"""Where a layer's data lives when it is not a file: PostGIS URLs and their credentials.

One home for the URL test, shared by the scene file, the loader and the PostGIS store,
so none of them imports another to ask (and no psycopg import at load time).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_URL_RE = re.compile(r"^postgres(ql)?://", re.IGNORECASE)


def is_postgis_url(source: Any) -> bool:
    """Whether a layer source names a PostGIS store (``postgresql://...``)."""
    return isinstance(source, str | PostGISSource) and bool(_URL_RE.match(str(source)))


def has_password(dsn: str) -> bool:
    """Whether a DSN (URL or ``key=value``) carries a password."""
    dsn = str(dsn)
    if _URL_RE.match(dsn):
        try:
            parts = urlsplit(dsn)
        except ValueError:  # a malformed URL: look for user:password@ by hand
            return bool(re.search(r"//[^/@]*:[^/@]*@", dsn))
        return parts.password is not None or any(
            k.lower() == "password" for k, _ in parse_qsl(parts.query))
    return bool(re.search(r"(^|\s)password\s*=", dsn, re.IGNORECASE))


def safe_dsn(dsn: str) -> str:
    """``dsn`` without any password: the only form written to files or logs."""
    dsn = str(dsn)
    if _URL_RE.match(dsn):
        try:
            parts = urlsplit(dsn)
        except ValueError:  # a malformed URL: drop user:password@ by hand
            return re.sub(r"//([^/:@]*):[^/@]*@", r"//\1@", dsn)
        netloc = parts.netloc
        if "@" in netloc:
            userinfo, host = netloc.rsplit("@", 1)
            netloc = userinfo.split(":", 1)[0] + "@" + host
        query = urlencode([(k, v) for k, v in parse_qsl(parts.query)
                           if k.lower() != "password"])
        return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
    return re.sub(r"(^|\s)password\s*=\s*('(?:[^'\\]|\\.)*'|\S*)", r"\1", dsn,
                  flags=re.IGNORECASE).strip()


def database_of(dsn: str) -> str:
    import psycopg.conninfo

    try:
        return psycopg.conninfo.conninfo_to_dict(str(dsn)).get("dbname") or ""
    except psycopg.ProgrammingError:
        return ""


class UrlSource(str):
    """A layer source that is an http(s) URL (a streamed tileset): ``name`` and
    ``exists`` like a Path's, so the loader treats it as it treats paths."""

    @property
    def name(self) -> str:
        return self.rstrip("/").rsplit("/", 1)[-1] or str(self)

    def exists(self) -> bool:
        return True


def is_http_url(source: Any) -> bool:
    """Whether a layer source is an ``http(s)://`` URL."""
    return str(source).lower().startswith(("http://", "https://"))


class PostGISSource(str):
    """A layer source that is a PostGIS URL (a ``str``; ``name`` like a Path's)."""

    @property
    def name(self) -> str:
        return database_of(self) or str(self)

    def exists(self) -> bool:
        return True
