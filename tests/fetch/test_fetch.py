"""Reports fetched from fixture sites on loopback: the API, the guard, conversion and crawling."""

from __future__ import annotations

import io
import shutil
import subprocess
import time
from collections.abc import Iterator
from ipaddress import ip_address
from pathlib import Path

import opencc
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from fpdf import FPDF
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings
from app.convert import STORED_TYPES, XLSX
from app.errors import UnsupportedMediaType
from app.fetch.client import Fetcher
from app.fetch.crawl import crawl, summary_lines
from app.fetch.guard import is_public
from app.ingest import parse_for_ingest
from app.models import FetchedUrl
from tests.conftest import API_KEY
from tests.fetch.sites import AGENCY, FIXTURES, TITLE, Answer, Site, attachment_page, build_site
from tests.fetch.sites import serve as serve_site
from tests.parsing.extract.test_extract_xlsx import example_workbook

ALLOWED = frozenset({"127.0.0.1"})


@pytest.fixture
def site() -> Iterator[Site]:
    with serve_site(Site("127.0.0.1")) as served:
        yield build_site(served, "localhost")


@pytest.fixture
def elsewhere() -> Iterator[Site]:
    """A server on another loopback address, never allow-listed: it must see no request."""
    with serve_site(Site("127.0.0.2")) as served:
        served.pages["/report.html"] = Answer(attachment_page("/x.pdf", "年度报告.pdf"))
        yield served


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(database_url=db_url, api_keys=frozenset({API_KEY}), fetch_allowed_hosts=ALLOWED)


def fetch(client: TestClient, url: str, **hints: object) -> dict[str, object]:
    response = client.post(
        "/api/v1/reports/fetch",
        json={"url": url, **hints},
        headers={"Authorization": f"Bearer {API_KEY}"},
    )
    body: dict[str, object] = response.json()
    body["status"] = response.status_code
    return body


def error_code(body: dict[str, object]) -> str:
    error = body["error"]
    assert isinstance(error, dict)
    return str(error["code"])


def test_a_page_holding_the_report_in_gbk_that_claims_utf8(client: TestClient, site: Site) -> None:
    body = fetch(client, site.url("/ndbg/t1.html"))
    assert body["status"] == 201, body
    assert body["agency"] == {"id": body["agency"]["id"], "name": AGENCY, "region": None}  # type: ignore[index]
    assert body["year"] == 2023
    assert body["source_url"] == body["document_url"] == site.url("/ndbg/t1.html")
    assert body["fetched_at"]
    assert body["checks"] == {"passed": 42, "failed": 0, "not_assessable": 0}
    again = fetch(client, site.url("/ndbg/t1.html"))
    assert (again["status"], again["id"]) == (200, body["id"])


def test_a_page_in_another_charset_is_stored_as_published(client: TestClient, site: Site) -> None:
    # The report page in traditional characters and Big5, as a mirror in Hong Kong serves it.
    text = (FIXTURES / "yunling-2023.html").read_text(encoding="utf-8")
    traditional = opencc.OpenCC("s2t").convert(text).replace("\u7232", "為")
    big5 = traditional.replace('charset="utf-8"', 'charset="big5"').encode("big5")
    site.pages["/ndbg/big5.html"] = Answer(big5, "text/html")
    body = fetch(client, site.url("/ndbg/big5.html"))
    assert body["status"] == 201, body
    assert body["year"] == 2023
    original = client.get(f"/api/v1/reports/{body['id']}/document")
    assert original.content == big5
    assert original.headers["content-type"] == "text/html; charset=big5"


@pytest.mark.parametrize(
    ("page", "document"),
    [
        ("/ndbg/t2.html", "/files/2023%E5%B9%B4%E6%8A%A5.pdf"),
        ("/ndbg/t3.html", "/files/report.docx"),
    ],
)
def test_a_page_linking_the_report_as_an_attachment(
    client: TestClient, site: Site, page: str, document: str
) -> None:
    body = fetch(client, site.url(page))
    assert body["status"] == 201, body
    assert body["source_url"] == site.url(page)
    assert body["document_url"] == site.url(document)
    assert body["title"] == TITLE
    assert body["checks"] == {"passed": 42, "failed": 0, "not_assessable": 0}


def test_a_redirect_is_followed_and_a_404_is_a_clear_error(client: TestClient, site: Site) -> None:
    body = fetch(client, site.url("/old/t4.html"))
    assert body["status"] == 201 and body["source_url"] == site.url("/ndbg/t2.html")
    missing = fetch(client, site.url("/ndbg/t5.html"))
    assert missing["status"] == 422 and error_code(missing) == "fetch_failed"
    assert "404" in str(missing["error"])


def test_loopback_not_allow_listed_is_refused_before_connecting(
    client: TestClient, site: Site, elsewhere: Site
) -> None:
    refused = fetch(client, elsewhere.url("/report.html"))
    assert refused["status"] == 422 and error_code(refused) == "fetch_refused"
    by_name = fetch(client, f"http://localhost:{site.port}/ndbg/t1.html")
    assert error_code(by_name) == "fetch_refused"
    site.pages["/jump.html"] = Answer(
        status=302, headers={"Location": elsewhere.url("/report.html")}
    )
    redirected = fetch(client, site.url("/jump.html"))
    assert redirected["status"] == 422 and error_code(redirected) == "fetch_refused"
    assert elsewhere.requests == []
    assert "/jump.html" in site.requests


def test_without_the_setting_even_the_fixture_host_is_refused(
    db_url: str, session_factory: sessionmaker[Session], site: Site
) -> None:
    from app.main import create_app

    app: FastAPI = create_app(
        Settings(database_url=db_url, api_keys=frozenset({API_KEY})), session_factory
    )
    with TestClient(app, raise_server_exceptions=False) as client:
        body = fetch(client, site.url("/ndbg/t1.html"))
    assert error_code(body) == "fetch_refused"
    assert site.requests == []


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/x.pdf", "file:///etc/passwd", "gopher://a/"])
def test_only_http_and_https(client: TestClient, url: str) -> None:
    assert fetch(client, url)["status"] == 422


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("fd00:ec2::254", False),
        ("::1", False),
        ("::ffff:127.0.0.1", False),
        ("64:ff9b::a01:203", False),
        ("224.0.0.1", False),
        ("0.0.0.0", False),
        ("100.64.0.1", False),
        ("240.0.0.1", False),
        ("fe80::1", False),
        ("8.8.8.8", True),
        ("2001:4860:4860::8888", True),
    ],
)
def test_which_addresses_are_public(address: str, public: bool) -> None:
    # Classification only: no connection is made to any of these.
    assert is_public(ip_address(address)) is public


def test_too_large_is_refused_while_streaming(
    db_url: str, session_factory: sessionmaker[Session], site: Site
) -> None:
    from app.main import create_app

    settings = Settings(
        database_url=db_url,
        api_keys=frozenset({API_KEY}),
        fetch_allowed_hosts=ALLOWED,
        max_upload_bytes=10_000,
    )
    with TestClient(create_app(settings, session_factory), raise_server_exceptions=False) as c:
        body = fetch(c, site.url("/files/report.docx"))
    assert body["status"] == 413


def _scanned_pdf() -> bytes:
    picture = io.BytesIO()
    Image.new("RGB", (400, 300), "white").save(picture, format="PNG")
    pdf = FPDF()
    pdf.add_page()
    pdf.image(picture, x=10, y=10, w=180)
    return bytes(pdf.output())


def test_a_scanned_pdf_says_its_tables_are_pictures(client: TestClient, site: Site) -> None:
    site.pages["/files/scan.pdf"] = Answer(_scanned_pdf(), "application/pdf")
    site.pages["/ndbg/scan.html"] = Answer(attachment_page("/files/scan.pdf", "年度报告.pdf"))
    body = fetch(client, site.url("/ndbg/scan.html"))
    assert body["status"] == 422 and error_code(body) == "scanned_document"
    assert "pictures" in str(body["error"])


def old_format(data: bytes, suffix: str, to: str, folder: Path) -> bytes:
    """Our own document saved by LibreOffice in an Office 97 format (`to`: doc, xls)."""
    from app.convert import soffice

    program = soffice()
    if program is None:
        pytest.skip("LibreOffice is not installed")
    source = folder / f"report{suffix}"
    source.write_bytes(data)
    profile = (folder / "profile").as_uri()
    command = [program, f"-env:UserInstallation={profile}", "--headless", "--convert-to", to]
    subprocess.run(
        [*command, "--outdir", str(folder), str(source)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return (folder / f"report.{to}").read_bytes()


@pytest.fixture(scope="module")
def word97(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    docx = (FIXTURES / "yunling-2023.docx").read_bytes()
    return old_format(docx, ".docx", "doc", tmp_path_factory.mktemp("word97"))


@pytest.mark.parametrize("suffix", [".doc", ".wps"])
def test_word97_and_wps_attachments_are_converted(
    client: TestClient, site: Site, word97: bytes, suffix: str
) -> None:
    site.pages[f"/files/report{suffix}"] = Answer(word97, "application/octet-stream")
    site.pages["/ndbg/word.html"] = Answer(attachment_page(f"/files/report{suffix}", "年报"))
    body = fetch(client, site.url("/ndbg/word.html"))
    assert body["status"] == 201, body
    assert body["document_url"] == site.url(f"/files/report{suffix}")
    assert body["checks"] == {"passed": 42, "failed": 0, "not_assessable": 0}
    # The document is kept as published, so a later parser reads it again from the source.
    assert isinstance(body["warnings"], list)
    assert f"read from {suffix} as DOCX converted by LibreOffice" in body["warnings"]
    original = client.get(f"/api/v1/reports/{body['id']}/document")
    assert original.content == word97
    assert original.headers["content-type"].startswith(STORED_TYPES[suffix])


def test_without_libreoffice_a_word97_document_is_415(monkeypatch: pytest.MonkeyPatch) -> None:
    # The conversion runs where the document is parsed: in the server's parse workers, which
    # this process's monkeypatch does not reach, so the parse is called here as they call it.
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    old = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600
    with pytest.raises(UnsupportedMediaType) as refused:
        parse_for_ingest(old, STORED_TYPES[".doc"])
    assert refused.value.status == 415
    assert "libreoffice-writer" in refused.value.message


def test_crawl_then_crawl_again_fetches_nothing_new(
    session_factory: sessionmaker[Session], site: Site
) -> None:
    started = time.perf_counter()
    with Fetcher(allowed_hosts=ALLOWED, max_bytes=20_000_000) as fetcher:
        first = crawl(session_factory, fetcher, site.url("/ndbg/index.html"), progress=False)
    elapsed = time.perf_counter() - started
    assert (first.listing_pages, first.found) == (2, 7)
    assert (first.count("stored"), first.count("unchanged"), first.count("failed")) == (3, 1, 3)
    reasons = sorted(o.detail.split(":", 1)[0] for o in first.outcomes if o.status == "failed")
    assert reasons == ["disallowed by robots.txt", "fetch_failed", "fetch_refused"]
    assert "/private/t6.html" not in site.requests
    print(f"\ncrawl: {elapsed / first.found * 1000:.0f} ms per report ({first.found} reports)")

    site.requests.clear()
    with Fetcher(allowed_hosts=ALLOWED, max_bytes=20_000_000) as fetcher:
        second = crawl(session_factory, fetcher, site.url("/ndbg/index.html"), progress=False)
    assert (second.count("stored"), second.count("unchanged"), second.count("failed")) == (0, 4, 3)
    assert second.documents_downloaded == 0
    assert "documents downloaded" in summary_lines(second)[1]
    assert "nothing new" in summary_lines(second)[1]
    with session_factory() as session:
        remembered = {row.url: row.outcome for row in session.scalars(select(FetchedUrl))}
    assert remembered[site.url("/ndbg/t1.html")] == "stored"
    assert remembered[site.url("/ndbg/t5.html")] == "failed"


def test_fetch_is_post_only(client: TestClient) -> None:
    response = client.get("/api/v1/reports/fetch")
    assert response.status_code == 405 and response.headers["allow"] == "POST"
    assert response.json()["error"]["code"] == "method_not_allowed"


@pytest.mark.parametrize("suffix", [".xlsx", ".xls"])
def test_a_report_published_as_a_spreadsheet(
    client: TestClient, site: Site, tmp_path: Path, suffix: str
) -> None:
    workbook = example_workbook()
    published = workbook if suffix == ".xlsx" else old_format(workbook, ".xlsx", "xls", tmp_path)
    site.pages[f"/files/report{suffix}"] = Answer(published, "application/octet-stream")
    site.pages["/ndbg/sheet.html"] = Answer(attachment_page(f"/files/report{suffix}", "年度报告"))
    body = fetch(client, site.url("/ndbg/sheet.html"))
    assert body["status"] == 201, body
    assert (body["year"], body["checks"]) == (
        2020,
        {"passed": 40, "failed": 0, "not_assessable": 0},
    )
    original = client.get(f"/api/v1/reports/{body['id']}/document")
    assert original.content == published
    expected = XLSX if suffix == ".xlsx" else STORED_TYPES[".xls"]
    assert original.headers["content-type"].startswith(expected)
    converted = "read from .xls as XLSX converted by LibreOffice"
    assert isinstance(body["warnings"], list)
    assert (converted in body["warnings"]) == (suffix == ".xls")
