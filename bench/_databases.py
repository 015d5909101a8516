"""Fresh databases for benchmarks: a new SQLite file, or a PostgreSQL database with a new schema."""

from __future__ import annotations

import subprocess
from contextlib import suppress
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.db import make_engine


def fresh_database(name: str, url: str) -> None:
    """An empty database for the migrations to build: a new file, or a new public schema."""
    if name == "sqlite":
        path = Path(make_url(url).database or "")
        for suffix in ("", "-wal", "-shm", "-journal"):
            with suppress(FileNotFoundError):
                Path(f"{path}{suffix}").unlink()
        return
    create_postgres_database(url)
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


def create_postgres_database(url: str) -> None:
    """Create the role and database when missing, as the postgres superuser (like .ci/run)."""
    parsed = make_url(url)
    user, password, database = parsed.username, parsed.password, parsed.database
    if not (user and database):
        raise ValueError(f"{url!r} must name a user and a database")

    def psql(sql: str) -> str:
        done = subprocess.run(
            ["runuser", "-u", "postgres", "--", "psql", "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return done.stdout.strip()

    if psql(f"SELECT 1 FROM pg_roles WHERE rolname = '{user}'") != "1":
        psql(f"CREATE ROLE \"{user}\" LOGIN PASSWORD '{password or ''}'")
    if psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}'") != "1":
        psql(f'CREATE DATABASE "{database}" OWNER "{user}"')
