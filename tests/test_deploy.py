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
