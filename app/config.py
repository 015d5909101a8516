"""Settings from environment variables, read once."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_SQLITE_PATH = Path("data") / "gkstats.sqlite3"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{DEFAULT_SQLITE_PATH}",
        description="SQLAlchemy URL: a SQLite file under ./data/ by default; PostgreSQL in "
        "production.",
    )
    api_keys: Annotated[frozenset[str], NoDecode] = Field(
        default=frozenset(),
        description="Comma-separated keys that may write (Authorization: Bearer <key>).",
    )
    max_upload_bytes: int = Field(default=20 * 1024 * 1024, ge=1)
    cors_origins: Annotated[tuple[str, ...], NoDecode] = Field(
        default=("*",), description="Comma-separated origins allowed to read cross-origin."
    )

    @field_validator("api_keys", mode="before")
    @classmethod
    def _split_keys(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(k.strip() for k in value.split(",") if k.strip())
        return value

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(o.strip() for o in value.split(",") if o.strip())
        return value


@lru_cache
def get_settings() -> Settings:
    return Settings()
