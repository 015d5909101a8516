"""Large answers are gzip-compressed for clients that accept it; small ones are not."""

from __future__ import annotations

import gzip

import orjson
from fastapi.testclient import TestClient

from tests.conftest import EXAMPLES, post_document

EXAMPLE = EXAMPLES / "2020-qinghe-yunling-data-bureau.txt"


def _raw_get(client: TestClient, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    """The response as sent, without the client's own decoding of Content-Encoding."""
    with client.stream("GET", path, headers=headers) as response:
        return response.status_code, dict(response.headers), b"".join(response.iter_raw())


def test_cells_come_back_compressed_and_decode_to_the_same_json(client: TestClient) -> None:
    report = post_document(client, EXAMPLE.read_bytes()).json()
    path = f"/api/v1/reports/{report['id']}/cells"
    status, headers, body = _raw_get(client, path, **{"Accept-Encoding": "gzip"})
    assert status == 200 and headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in headers["vary"]
    assert int(headers["content-length"]) == len(body)
    _, plain_headers, plain = _raw_get(client, path, **{"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain_headers
    assert orjson.loads(gzip.decompress(body)) == orjson.loads(plain)
    assert len(body) < len(plain) / 3

    # The ETag and 304 work the same for a compressed read.
    revalidated = client.get(
        path, headers={"Accept-Encoding": "gzip", "If-None-Match": headers["etag"]}
    )
    assert revalidated.status_code == 304 and revalidated.content == b""


def test_small_answers_are_not_compressed(client: TestClient) -> None:
    status, headers, body = _raw_get(client, "/api/v1/health", **{"Accept-Encoding": "gzip"})
    assert status == 200 and len(body) < 500
    assert "content-encoding" not in headers
