"""Typed readers for DANGJIAN_* environment variables.

Settings come from the environment so that one build runs as the demo, in CI and in production.
A secret may also be given as ``NAME_FILE`` pointing at a file (Docker/K8s secrets style).
"""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}


def envstr(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ValueError(f"{name} must be a boolean (1/0, true/false, yes/no, on/off), got {raw!r}")


def envint(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from None


def envlist(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def envsecret(name: str) -> str | None:
    """Return the secret from NAME, or from the file named by NAME_FILE."""
    value = os.environ.get(name)
    if value:
        return value
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    return None


def persistent_secret(path: Path, nbytes: int = 50) -> str:
    """A random secret generated once and kept in ``var/`` so restarts keep sessions valid."""
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(nbytes)
    # Create with 0600 so other local users cannot read it.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(value)
    return value


def _test_database_file(name: str) -> str | None:
    if name == ":memory:":
        return None
    return os.path.join(tempfile.gettempdir(), f"dangjian-test-{os.getpid()}.sqlite3")


def database_from_url(url: str) -> dict[str, Any]:
    """Translate ``sqlite:///path`` or ``postgres://user:pw@host:port/name`` to a DATABASES entry."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = unquote(parsed.path)
        if url.startswith("sqlite:////"):
            # Four slashes: an absolute path (urlparse keeps "//" at its start).
            name = "/" + path.lstrip("/")
        else:
            name = path.lstrip("/") or ":memory:"
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": name,
            "OPTIONS": {
                # WAL lets readers and the single writer proceed together; IMMEDIATE makes
                # write transactions take the lock up front instead of failing mid-way.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;",
                "transaction_mode": "IMMEDIATE",
            },
            # Tests run on a file too, one per test process: with Django's default in-memory test
            # database the live server's request threads and the test thread share one
            # connection (and its transaction), which the real app never does — browser tests
            # then fail at random when an autosave request overlaps a query of the test.
            "TEST": {"NAME": _test_database_file(name)},
        }
    if parsed.scheme in {"postgres", "postgresql", "pgsql"}:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")),
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            # A pool of connections per process (``DANGJIAN_DATABASE_POOL``: its most, 0 for none):
            # the rules engine evaluates a run's rules in threads of their own, each of which
            # used to open a connection (4–12 ms) to a server process whose caches were cold
            # (a few ms more on its first statements) on every run. Without a pool, each
            # thread keeps its connection for a minute (the web server's requests).
            **_postgres_connections(envint("DANGJIAN_DATABASE_POOL", 16)),
            # One test database per test process, so two runs on one server don't drop each
            # other's database.
            "TEST": {"NAME": f"test_{unquote(parsed.path.lstrip('/'))}_{os.getpid()}"},
        }
    raise ValueError(
        f"DANGJIAN_DATABASE_URL: unsupported scheme {parsed.scheme!r} (use sqlite or postgres)"
    )


def _postgres_connections(pool: int) -> dict[str, Any]:
    """How a process holds its PostgreSQL connections: a pool of at most ``pool`` (psycopg's,
    through Django; it forbids persistent connections beside it), or persistent per thread."""
    # No JIT compilation: the pages' statements cross its cost threshold at 10^5 units and
    # spent ~90 ms compiling for a 600 ms count (the officer's home page); the batch aggregates
    # it could speed up are a minority of the time.
    options: dict[str, Any] = {"options": "-c jit=off"}
    if pool <= 0:
        return {"CONN_MAX_AGE": 60, "OPTIONS": options}
    # Two kept open: the run's two rule workers find theirs ready; more opened on demand and
    # closed after ten idle minutes (psycopg_pool's max_idle).
    options["pool"] = {"min_size": min(2, pool), "max_size": pool}
    return {"CONN_MAX_AGE": 0, "OPTIONS": options}
