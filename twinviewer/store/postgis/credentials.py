"""Credentials of PostGIS connections: passwords typed in a dialog, kept in memory only.

The URL helpers (:class:`PostGISSource`, :func:`safe_dsn`...) live in
:mod:`twinviewer.core.sources` (no psycopg needed to tell a URL); they are
re-exported here and from :mod:`twinviewer.store.postgis`.
"""

from __future__ import annotations

from twinviewer.core.sources import (
    PostGISSource,
    database_of,
    has_password,
    is_postgis_url,
    safe_dsn,
)

__all__ = ["PostGISSource", "database_of", "has_password", "is_postgis_url", "login_refused",
           "remember_password", "safe_dsn", "forget_passwords"]

_passwords: dict[str, str] = {}  # password-less URL -> password typed in a dialog (memory only)
login_refused: set[str] = set()  # URLs whose login failed for want of a (right) password


def forget_passwords() -> None:
    """Forget every password typed in this process (a new login asks again)."""
    _passwords.clear()


def remember_password(url: str, password: str) -> None:
    """Use ``password`` for ``url`` in this process only (never written anywhere)."""
    _passwords[safe_dsn(url)] = password
    login_refused.discard(safe_dsn(url))
