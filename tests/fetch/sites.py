"""Fixture web sites served on loopback addresses from the test process.

Every page is ours: the fictional 青禾市云岭区数据资源管理局 and its numbers, from the
extractor fixtures. Each answer carries an ETag and honours If-None-Match with 304, as the
servers of government sites do.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "parsing" / "extract" / "fixtures"
AGENCY = "青禾市云岭区数据资源管理局"


@dataclass
class Answer:
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Site:
    host: str
    port: int = 0
    pages: dict[str, Answer] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            site.requests.append(self.path)
            answer = site.pages.get(self.path) or Answer(b"not found", "text/plain", 404)
            etag = '"' + hashlib.sha256(answer.body).hexdigest()[:16] + '"'
            if answer.status == 200 and self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(answer.body)))
            if answer.status == 200:
                self.send_header("ETag", etag)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(answer.body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@contextmanager
def serve(site: Site) -> Iterator[Site]:
    server = ThreadingHTTPServer((site.host, site.port), _handler(site))
    site.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def html(title: str, body: str, charset: str = "utf-8") -> str:
    return (
        f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>{title}_青禾市云岭区'
        f"人民政府</title></head><body><h1>{title}</h1><p>发布日期：2024-01-15</p>{body}"
        "</body></html>"
    )


TITLE = f"{AGENCY}2023年政府信息公开工作年度报告"


def report_page_gbk() -> bytes:
    """The report as page text, in GBK: the fixture page re-encoded, its label changed."""
    text = (FIXTURES / "yunling-2023.html").read_text(encoding="utf-8")
    return text.replace('charset="utf-8"', 'charset="gbk"').encode("gbk")


def attachment_page(path: str, name: str) -> bytes:
    body = f'<p>附件：<a href="{path}">{name}</a></p>'
    return html(TITLE, body).encode("utf-8")


def build_site(site: Site, other_host: str) -> Site:
    """A 年报 column over two listing pages (GBK) and the reports it links."""
    pdf = (FIXTURES / "yunling-2023.pdf").read_bytes()
    docx = (FIXTURES / "yunling-2023.docx").read_bytes()
    first = html(
        "政府信息公开年报",
        '<ul><li><a href="t1.html">云岭区数据资源管理局2023年政府信息公开工作年度报告</a></li>'
        '<li><a href="t2.html">2023年度报告（PDF版）</a></li></ul>'
        '<a href="index_1.html">下一页</a>',
        charset="gb2312",
    )
    second = html(
        "政府信息公开年报",
        '<ul><li><a href="t3.html">2023年年度报告（Word版）</a></li>'
        '<li><a href="/old/t4.html">2023年年度报告（旧址）</a></li>'
        '<li><a href="t5.html">2021年年度报告</a></li>'
        f'<li><a href="http://{other_host}:{site.port}/ndbg/t1.html">2022年年度报告</a></li>'
        '<li><a href="/private/t6.html">2020年年度报告</a></li></ul>'
        '<a href="index.html">上一页</a>',
        charset="gb2312",
    )
    docx_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    site.pages.update(
        {
            "/robots.txt": Answer(b"User-agent: *\nDisallow: /private/\n", "text/plain"),
            "/ndbg/index.html": Answer(first.encode("gbk"), "text/html"),
            "/ndbg/index_1.html": Answer(second.encode("gbk"), "text/html"),
            # Says UTF-8 in its header; the bytes are GBK.
            "/ndbg/t1.html": Answer(report_page_gbk(), "text/html; charset=utf-8"),
            "/ndbg/t2.html": Answer(attachment_page("/files/2023年报.pdf", "2023年度报告.pdf")),
            "/ndbg/t3.html": Answer(attachment_page("/files/report.docx", "年度报告.docx")),
            "/files/2023年报.pdf": Answer(pdf, "application/pdf"),
            "/files/report.docx": Answer(docx, docx_type),
            "/old/t4.html": Answer(status=301, headers={"Location": "/ndbg/t2.html"}),
        }
    )
    # Clients send the path percent-encoded.
    site.pages["/files/2023%E5%B9%B4%E6%8A%A5.pdf"] = site.pages["/files/2023年报.pdf"]
    return site
