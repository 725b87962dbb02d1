"""Embedded PostgreSQL for machines with nothing installed.

When ``DATABASE_URL`` is unset, the portal starts a private PostgreSQL server with the
``pgserver`` package (data under ``.data/pg``, git-ignored; ``PORTAL_EMBEDDED_DIR`` names another
directory, e.g. for a benchmark that must not touch the demo's data) so that ``make run`` and
``make test`` work out of the box. A command that needs the server starts it, or attaches to
it when another command already runs it; the server stops when the last of them exits (Ctrl-C on
``make run`` stops it). The code relies on PostgreSQL features (triggers,
constraints, window functions), so there is deliberately no SQLite fallback.
"""

from __future__ import annotations

import os
from pathlib import Path

_server = None


def embedded_database_url(base_dir: Path) -> str:
    """Start (or attach to) the embedded server and return a ``postgres://`` URL for it."""
    global _server
    if _server is None:
        import logging
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs warns about XDG_RUNTIME_DIR on servers
            import pgserver

        # pgserver narrates every start and stop at INFO; the portal only wants its warnings.
        logging.getLogger("pgserver").setLevel(logging.WARNING)

        data_dir = Path(os.environ.get("PORTAL_EMBEDDED_DIR") or base_dir / ".data")
        data_dir.mkdir(parents=True, exist_ok=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _server = pgserver.get_server(data_dir / "pg")
    # pgserver answers on a Unix socket whose directory it chooses; hand it to psycopg as "host".
    uri = _server.get_uri()
    socket_dir = uri.split("host=", 1)[1]
    return f"postgres://postgres@/portal?host={socket_dir}"


def ensure_database(url: str) -> None:
    """Create the ``portal`` database on the embedded server if it does not exist yet."""
    if _server is None:
        return
    exists = _server.psql("SELECT 1 FROM pg_database WHERE datname = 'portal';")
    if "1 row" not in exists:
        _server.psql("CREATE DATABASE portal;")
