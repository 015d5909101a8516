"""The deployment files: docker-compose.yml is valid and wires the API to PostgreSQL."""

from __future__ import annotations

import shutil
import subprocess

import pytest
import yaml  # type: ignore[import-untyped]

from tests.conftest import REPO


def test_compose_file_is_valid() -> None:
    if shutil.which("docker-compose") is None:
        pytest.skip("docker-compose is not installed (apt-get install docker-compose)")
    result = subprocess.run(
        ["docker-compose", "-f", str(REPO / "docker-compose.yml"), "config", "-q"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_compose_runs_api_on_postgres_with_healthchecks() -> None:
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text("utf-8"))
    services = compose["services"]
    assert services["api"]["environment"]["DATABASE_URL"].startswith("postgresql+psycopg://")
    assert services["api"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert "healthcheck" in services["db"] and "healthcheck" in services["api"]
    dockerfile = (REPO / "Dockerfile").read_text("utf-8")
    assert "gkstats migrate && gkstats serve" in dockerfile


def test_compose_has_no_default_write_key() -> None:
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text("utf-8"))
    keys = compose["services"]["api"]["environment"]["API_KEYS"]
    assert keys == "${API_KEYS:-}", "a default key in a public file is a key everyone knows"


def test_image_gives_its_user_a_data_volume() -> None:
    lines = [line.strip() for line in (REPO / "Dockerfile").read_text("utf-8").splitlines()]
    assert "VOLUME /srv/gkstats/data" in lines
    assert any("chown gkstats:gkstats /srv/gkstats/data" in line for line in lines)
    assert lines.index("VOLUME /srv/gkstats/data") < lines.index("USER gkstats")
