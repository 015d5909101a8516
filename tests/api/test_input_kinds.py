"""Every input kind (text, Markdown, HTML, PDF, Word) ingests through HTTP and through the CLI,
and the real corpus ingests with every hand-read value reproduced."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app import cli
from app.parsing.document import DOCX_TYPES
from tests.conftest import EXAMPLES, REPO, post_document, shared_path

FIXTURES = REPO / "tests" / "parsing" / "extract" / "fixtures"
DOCX = DOCX_TYPES[0]

# Our own documents, one per input kind.
DOCUMENTS = [
    (EXAMPLES / "2020-qinghe-yunling-data-bureau.txt", "text/plain", 2020),
    (EXAMPLES / "2023-qinghe-yunling-data-bureau.md", "text/markdown", 2023),
    (FIXTURES / "yunling-2023.html", "text/html", 2023),
    (FIXTURES / "yunling-2023.docx", DOCX, 2023),
    (FIXTURES / "yunling-2023.pdf", "application/pdf", 2023),
]


def cells_of(client: TestClient, report_id: int) -> dict[str, Any]:
    items = client.get(f"/api/v1/reports/{report_id}/cells").json()["items"]
    return {f"{c['table']}.{c['row']}.{c['col']}": c["value"] for c in items}


@pytest.mark.parametrize(
    ("path", "media_type", "year"), DOCUMENTS, ids=[d[0].suffix for d in DOCUMENTS]
)
def test_each_kind_posts_raw_and_multipart(
    client: TestClient, auth: dict[str, str], path: Path, media_type: str, year: int
) -> None:
    raw = post_document(client, path.read_bytes(), media_type, filename=path.name)
    assert raw.status_code == 201, raw.text
    report = raw.json()
    assert (report["year"], report["agency"]["name"]) == (year, "青禾市云岭区数据资源管理局")
    assert report["checks"]["failed"] == 0
    assert report["source"]["media_type"] == media_type
    cells = cells_of(client, report["id"])
    assert len(cells) >= 186
    # The same bytes by multipart, typed by the file name alone, are the same report.
    upload = client.post(
        "/api/v1/reports",
        files={"file": (path.name, path.read_bytes(), "application/octet-stream")},
        headers=auth,
    )
    assert upload.status_code == 200, upload.text
    assert upload.json()["id"] == report["id"]


def test_html_pdf_and_word_copies_agree(client: TestClient) -> None:
    values = []
    for path, media_type, _ in DOCUMENTS[2:]:
        report = post_document(client, path.read_bytes(), media_type).json()
        values.append(cells_of(client, report["id"]))
    assert values[0] == values[1] == values[2]


def test_each_kind_ingests_through_the_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from app import config, db
    from app.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'kinds.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    caches = (config.get_settings, db.get_engine, db.get_sessionmaker)
    for cached in caches:
        cached.cache_clear()
    try:
        upgrade(url)
        folder = tmp_path / "docs"
        folder.mkdir()
        for path, _, _ in DOCUMENTS:
            shutil.copy(path, folder / path.name)
        assert cli.main(["ingest", "--quiet", str(folder)]) == 0
        out, _ = capsys.readouterr()
        # The HTML, Word and PDF copies differ in bytes from each other: three revisions.
        assert "5 stored, 0 unchanged, 0 failed (5 documents)" in out
    finally:
        db.get_engine().dispose()
        for cached in caches:
            cached.cache_clear()


CORPUS_KINDS = {
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".html": "text/html",
    ".pdf": "application/pdf",
}


def corpus_files() -> list[tuple[str, str]]:
    truth_path = shared_path("corpus", "truth.json")
    if not truth_path.exists():
        return []
    truth = json.loads(truth_path.read_text("utf-8"))
    return [(key, name) for key, entry in sorted(truth.items()) for name in entry["files"]]


@pytest.mark.shared
def test_corpus_ingests_with_no_wrong_value(client: TestClient) -> None:
    truth = json.loads(shared_path("corpus", "truth.json").read_text("utf-8"))
    exact = missing = unstorable = 0
    wrong: list[str] = []
    for key, name in corpus_files():
        path = shared_path("corpus", name)
        media_type = CORPUS_KINDS[path.suffix]
        response = post_document(client, path.read_bytes(), media_type, filename=name)
        expected = truth[key]["values"]
        if response.status_code == 422 and truth[key]["year"] is not None:
            # A fragment cut before its title: the reader names the agency and year, as a
            # user of POST /reports would.
            agency = re.sub(r"[(（].*$", "", truth[key]["agency"])
            response = post_document(
                client, path.read_bytes(), media_type, agency=agency, year=str(truth[key]["year"])
            )
        if response.status_code == 422:
            unstorable += len(expected)
            continue
        assert response.status_code in (200, 201), f"{name}: {response.text}"
        got = cells_of(client, response.json()["id"])
        for cell, value in expected.items():
            if cell not in got or got[cell] is None:
                missing += 1
            elif got[cell] == value:
                exact += 1
            else:
                wrong.append(f"{name} {cell}: {got[cell]} != {value}")
    print(
        f"corpus through POST /reports: {exact} exact, {missing} missing, {len(wrong)} wrong, "
        f"{unstorable} in documents that print no year"
    )
    assert wrong == []
    assert exact > 0
