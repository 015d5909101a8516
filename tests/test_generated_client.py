"""A client generated from /openapi.json by openapi-python-client, used against a served app:
the JSON answer parsed into its model, the `.csv` answer as text, the `.xlsx` one as bytes, and
a refused request's error parsed as the JSON it is."""

from __future__ import annotations

import importlib
import io
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import openpyxl
import pytest

from bench._server import uvicorn_server
from tests.conftest import API_KEY, EXAMPLES

PACKAGE = "gkstats_client"
STATS = f"{PACKAGE}.api.stats"


@pytest.fixture
def served(tmp_path: Path, own_database_url: str) -> Iterator[str]:
    """The app on a loopback port, with the two example reports placed in 向阳区."""
    env = {"DATABASE_URL": own_database_url, "API_KEYS": API_KEY}
    with uvicorn_server("app.main:app", env, "/api/v1/health", tmp_path / "server.log") as base:
        with httpx2.Client(base_url=base, timeout=60) as http:
            for name, media in (
                ("2020-qinghe-yunling-data-bureau.txt", "text/plain"),
                ("2023-qinghe-yunling-data-bureau.md", "text/markdown"),
            ):
                response = http.post(
                    "/api/v1/reports",
                    content=(EXAMPLES / name).read_bytes(),
                    params={"region": "230803"},
                    headers={"Authorization": f"Bearer {API_KEY}", "Content-Type": media},
                )
                assert response.status_code == 201, response.text
        yield base


@pytest.fixture
def generated(served: str, tmp_path: Path) -> Iterator[Any]:
    """The client package generated from the served description, imported; forgotten after."""
    spec = tmp_path / "openapi.json"
    spec.write_bytes(httpx2.get(f"{served}/openapi.json", timeout=30).content)
    config = tmp_path / "config.yaml"
    config.write_text("post_hooks: []\n")  # no formatting run: it would need ruff on PATH
    command = [str(Path(sys.executable).with_name("openapi-python-client")), "generate"]
    command += ["--path", str(spec), "--meta", "none", "--config", str(config)]
    command += ["--output-path", str(tmp_path / PACKAGE)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def _operation(name: str) -> Any:
    return importlib.import_module(f"{STATS}.{name}")


def test_generated_client_reads_json_csv_and_xlsx(served: str, generated: Any) -> None:
    models = importlib.import_module(f"{PACKAGE}.models")
    params: dict[str, Any] = {"metric": ["requests.new.total"], "group_by": "year"}
    with generated.Client(base_url=served, timeout=60) as client:
        answer = _operation("aggregate_api_v1_stats_aggregate_get").sync(client=client, **params)
        assert isinstance(answer, models.StatsAggregate)
        assert [(g.year, g.values["requests.new.total"]) for g in answer.items] == [
            (2020, 426),
            (2023, 456),
        ]

        as_csv = _operation("aggregate_csv_api_v1_stats_aggregate_csv_get")
        text = as_csv.sync(client=client, **params)
        assert text == "\ufeffyear,reports,requests.new.total,requests.new.total.missing\r\n" + (
            "2020,1,426,0\r\n2023,1,456,0\r\n"
        )

        as_xlsx = _operation("aggregate_xlsx_api_v1_stats_aggregate_xlsx_get")
        response = as_xlsx.sync_detailed(client=client, **params)
        assert response.status_code == 200
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        assert sheet is not None
        assert [c.value for c in sheet[2]] == [2020, 1, 426, 0]

        refused = as_csv.sync_detailed(client=client, metric=["nope"])
        assert refused.status_code == 422
        assert isinstance(refused.parsed, models.ErrorResponse)
        assert refused.parsed.error.code == "unprocessable"
