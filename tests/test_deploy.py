"""The deployment files run what the README promises: PostgreSQL 15 and the API, wired together.

docker-compose.yml is read as Compose itself reads it (`docker-compose config`, which rejects
an invalid file); the Dockerfile's commands are checked against gkstats's own command line,
routes and settings. No Docker engine is needed.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shlex
import shutil
import subprocess
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml  # type: ignore[import-untyped]
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from app.cli import build_parser
from app.config import Settings
from tests.conftest import REPO

COMPOSE = REPO / "docker-compose.yml"


@functools.cache  # Compose takes seconds to start
def compose_config(api_keys: str | None = None) -> dict[str, Any]:
    """docker-compose.yml as Compose resolves it, with API_KEYS set as given or unset."""
    if shutil.which("docker-compose") is None:
        pytest.skip("docker-compose is not installed (apt-get install docker-compose; CI does)")
    env = {k: v for k, v in os.environ.items() if k != "API_KEYS"}
    if api_keys is not None:
        env["API_KEYS"] = api_keys
    result = subprocess.run(
        ["docker-compose", "-f", str(COMPOSE), "config"],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert result.returncode == 0, f"docker-compose rejects {COMPOSE.name}: {result.stderr}"
    config: dict[str, Any] = yaml.safe_load(result.stdout)
    return config


@pytest.fixture
def services() -> dict[str, Any]:
    services: dict[str, Any] = compose_config()["services"]
    return services


def dockerfile() -> list[tuple[str, str]]:
    """The Dockerfile's instructions as (INSTRUCTION, arguments), continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", (REPO / "Dockerfile").read_text("utf-8"))
    lines = [line.strip() for line in text.splitlines()]
    return [
        (word.upper(), rest.strip())
        for word, _, rest in (line.partition(" ") for line in lines)
        if word and not word.startswith("#")
    ]


def healthcheck_url(command: str) -> str:
    urls: list[str] = re.findall(r"urlopen\('([^']+)'\)", command)
    (url,) = urls
    return url


def test_compose_runs_postgresql_15_and_the_api(services: dict[str, Any]) -> None:
    assert set(services) == {"db", "db-replica", "api"}
    assert services["db"]["image"] == "postgres:15"
    assert services["api"]["build"]["context"] == str(REPO)


def test_the_api_uses_the_database_and_waits_until_it_is_healthy(
    services: dict[str, Any],
) -> None:
    db, api = services["db"], services["api"]
    url = make_url(api["environment"]["DATABASE_URL"])
    assert url.drivername == "postgresql+psycopg"
    assert (url.host, url.port) == ("db", 5432)
    assert (url.username, url.password, url.database) == (
        db["environment"]["POSTGRES_USER"],
        db["environment"]["POSTGRES_PASSWORD"],
        db["environment"]["POSTGRES_DB"],
    )
    assert api["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert db["healthcheck"]["test"][0] == "CMD-SHELL"
    assert shlex.split(db["healthcheck"]["test"][1]) == [
        "pg_isready",
        "-U",
        url.username,
        "-d",
        url.database,
    ]


def test_the_api_healthcheck_asks_gkstats_whether_it_is_ready(
    services: dict[str, Any], client: TestClient
) -> None:
    api = services["api"]
    url = urlsplit(healthcheck_url(" ".join(api["healthcheck"]["test"])))
    assert url.path == "/api/v1/ready"
    assert [port["target"] for port in api["ports"]] == [url.port]
    # The path is gkstats's readiness route: 200 once the database answers and is migrated.
    assert client.get(url.path).status_code == 200
    (image_check,) = [args for instruction, args in dockerfile() if instruction == "HEALTHCHECK"]
    assert healthcheck_url(image_check) == url.geturl()


def test_write_keys_come_only_from_the_environment() -> None:
    keyless = compose_config()["services"]["api"]["environment"]
    assert keyless["API_KEYS"] == "", "a default key in a public file is a key everyone knows"
    keyed = compose_config(api_keys="one,two")["services"]["api"]["environment"]
    assert Settings(api_keys=keyed["API_KEYS"]).api_keys == {"one", "two"}


def test_the_image_migrates_then_serves_with_gkstats_own_commands() -> None:
    image = dockerfile()
    (command,) = [json.loads(args) for instruction, args in image if instruction == "CMD"]
    assert command[:2] == ["sh", "-c"]
    steps = [shlex.split(step) for step in command[2].split("&&")]
    assert [step[:2] for step in steps] == [["gkstats", "migrate"], ["gkstats", "serve"]]
    parser = build_parser()
    migrate, serve = (parser.parse_args(step[1:]) for step in steps)
    assert migrate.revision == "head"
    assert serve.host == "0.0.0.0"
    exposed = [int(args) for instruction, args in image if instruction == "EXPOSE"]
    assert exposed == [serve.port]


def test_the_default_sqlite_database_lies_in_the_image_volume_its_user_owns() -> None:
    image = dockerfile()
    (workdir,) = [args for instruction, args in image if instruction == "WORKDIR"]
    (volume,) = [args for instruction, args in image if instruction == "VOLUME"]
    database = make_url(Settings.model_fields["database_url"].default).database
    assert database is not None
    assert (PurePosixPath(workdir) / database).parent == PurePosixPath(volume)
    instructions = [instruction for instruction, _ in image]
    (user,) = [args for instruction, args in image if instruction == "USER"]
    owned = next(
        index
        for index, (instruction, args) in enumerate(image)
        if instruction == "RUN" and f"chown {user}:{user} {volume}" in args
    )
    assert owned < instructions.index("VOLUME") < instructions.index("USER")
