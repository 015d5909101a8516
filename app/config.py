"""Settings from environment variables, read once."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url

DEFAULT_SQLITE_PATH = Path("data") / "gkstats.sqlite3"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{DEFAULT_SQLITE_PATH}",
        description="SQLAlchemy URL: a SQLite file under ./data/ by default; PostgreSQL in "
        "production.",
    )
    database_read_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of a streaming replica of the PostgreSQL primary that "
        "DATABASE_URL names: GET and HEAD requests read there when it is fresh enough for "
        "them. Unset: every request uses DATABASE_URL.",
    )
    replica_retry_seconds: float = Field(
        default=5.0,
        gt=0,
        description="After the replica failed to answer, reads go to the primary for this "
        "long before the replica is tried again.",
    )
    api_keys: Annotated[frozenset[str], NoDecode] = Field(
        default=frozenset(),
        description="Comma-separated keys that may write (Authorization: Bearer <key>).",
    )
    max_upload_bytes: int = Field(default=20 * 1024 * 1024, ge=1)
    db_pool_size: int = Field(
        default=8, ge=1, description="Database connections each server process keeps open."
    )
    db_max_overflow: int = Field(
        default=4, ge=0, description="Connections opened beyond the pool size at busy times."
    )
    db_wait_seconds: float = Field(
        default=5.0,
        gt=0,
        description="How long a request waits for a free database connection before it is "
        "answered 503 with Retry-After.",
    )
    parse_timeout_seconds: float = Field(
        default=30.0, gt=0, description="Time one document may take to parse before 422."
    )
    parse_memory_mb: int = Field(
        default=1024,
        ge=256,
        description="Address space of a parsing process; a document needing more gets 422.",
    )
    parse_workers: int = Field(
        default=1, ge=1, description="Processes parsing uploaded documents, per server process."
    )
    auth_failures_per_minute: int = Field(
        default=10,
        ge=1,
        description="Failed API keys one client may send in a minute before it gets 429.",
    )
    cache_shared_max_age: int = Field(
        default=60,
        ge=0,
        description="Seconds a shared cache (a CDN) may serve a read without asking again "
        "(s-maxage); 0: every cache revalidates every time.",
    )
    cache_stale_while_revalidate: int = Field(
        default=30,
        ge=0,
        description="Seconds past that a shared cache may answer from its old copy while it "
        "fetches the new one.",
    )
    cors_origins: Annotated[tuple[str, ...], NoDecode] = Field(
        default=("*",), description="Comma-separated origins allowed to read cross-origin."
    )
    fetch_allowed_hosts: Annotated[frozenset[str], NoDecode] = Field(
        default=frozenset(),
        description="Comma-separated host names (as written in addresses) that fetches may "
        "reach although they resolve to loopback, private or other non-public addresses.",
    )
    fetch_timeout_seconds: float = Field(
        default=30.0, gt=0, description="Time one web address may take to answer in full."
    )
    convert_timeout_seconds: float = Field(
        default=60.0, gt=0, description="Time LibreOffice may take to convert a .doc or .wps."
    )

    @field_validator("api_keys", "fetch_allowed_hosts", mode="before")
    @classmethod
    def _split_keys(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(k.strip() for k in value.split(",") if k.strip())
        return value

    @field_validator("database_read_url", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _replica_of_postgresql(self) -> Settings:
        # A replica here is a PostgreSQL hot standby fed by the primary's WAL: SQLite has
        # none, and a second SQLite file would be a different database, not a copy.
        if self.database_read_url is None:
            return self
        backends = {
            make_url(u).get_backend_name() for u in (self.database_url, self.database_read_url)
        }
        if backends != {"postgresql"}:
            raise ValueError(
                "DATABASE_READ_URL names a streaming replica of a PostgreSQL primary: both it "
                "and DATABASE_URL must be postgresql URLs (SQLite has no replicas); unset "
                "DATABASE_READ_URL to read from DATABASE_URL"
            )
        return self

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(o.strip() for o in value.split(",") if o.strip())
        return value


@lru_cache
def get_settings() -> Settings:
    return Settings()
