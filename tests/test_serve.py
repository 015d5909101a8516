"""`gkstats serve` as production runs it: workers on sockets of their own, warnings in the log."""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path

import httpx2
from prometheus_client.parser import text_string_to_metric_families

from bench._server import gkstats_server

LISTEN, ESTABLISHED = "0A", "01"


def _sockets(port: int, state: str) -> set[str]:
    """Inodes of the IPv4 TCP sockets on `port` in `state` (see proc(5))."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local_port = int(fields[1].split(":")[1], 16)
        if local_port == port and fields[3] == state:
            inodes.add(fields[9])
    return inodes


def _listening(port: int, count: int, timeout: float = 10.0) -> set[str]:
    """The listening sockets on `port`, once `count` are open or `timeout` has passed.

    The server answers as soon as its first worker listens; the others bind moments later.
    """
    deadline = time.monotonic() + timeout
    listening = _sockets(port, LISTEN)
    while len(listening) < count and time.monotonic() < deadline:
        time.sleep(0.05)
        listening = _sockets(port, LISTEN)
    return listening


def _socket_inodes_of(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        target = os.readlink(fd) if fd.is_symlink() else ""
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    return inodes


def _children(pid: int) -> list[int]:
    tasks = Path(f"/proc/{pid}/task")
    children: list[int] = []
    for task in tasks.iterdir():
        text = (task / "children").read_text().split()
        children += [int(child) for child in text]
    return children


def test_each_worker_listens_on_its_own_socket_and_connections_spread(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'serve.sqlite3'}"
    with gkstats_server({"DATABASE_URL": url}, tmp_path / "server.log", workers=2) as server:
        port = int(server.base.rsplit(":", 1)[1])
        workers = _children(server.pid)
        assert len(workers) >= 2
        listening = _listening(port, 2)
        assert len(listening) == 2, "one listening socket per worker"
        # Forty connections held open, as keep-alive clients hold them.
        clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(40)]
        try:
            for client in clients:
                client.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
                assert b" 200 " in client.recv(4096)
            established = _sockets(port, ESTABLISHED)
            held = [len(_socket_inodes_of(pid) & established) for pid in workers]
        finally:
            for client in clients:
                client.close()
    held = [n for n in held if n]
    assert sum(held) == 40 and len(held) == 2 and min(held) >= 5, held


def test_a_database_outage_and_read_only_mode_reach_the_log(tmp_path: Path) -> None:
    never_migrated = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    log = tmp_path / "server.log"
    with gkstats_server({"DATABASE_URL": never_migrated, "API_KEYS": ""}, log) as server:
        with httpx2.Client(base_url=server.base, timeout=10) as http:
            assert http.get("/api/v1/reports").status_code == 503
        time.sleep(0.5)
    text = log.read_text()
    assert "WARNING app.main: writes are switched off" in text
    assert "WARNING app.errors: 503 database_unavailable" in text


def _raw_request(port: int, target: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port)) as client:
        client.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := client.recv(65536):
            answer += chunk
    return answer


# A route nothing else asks for: the server's readiness poll asks for /api/v1/health, and a
# poll that timed out on a busy machine may still be answered, and counted, afterwards.
COUNTED = "/api/v1/catalog"


def _counted(page: str) -> float:
    labels = {"method": "GET", "route": COUNTED, "status": "200"}
    return sum(
        s.value
        for family in text_string_to_metric_families(page)
        for s in family.samples
        if s.name == "gkstats_http_requests_total" and s.labels == labels
    )


def test_workers_share_metrics_and_log_each_request_once(
    tmp_path: Path, own_database_url: str
) -> None:
    log = tmp_path / "server.log"
    env = {"DATABASE_URL": own_database_url, "API_KEYS": "serve-secret-key"}
    with gkstats_server(env, log, workers=2) as server:
        port = int(server.base.rsplit(":", 1)[1])
        _listening(port, 2)
        with httpx2.Client(base_url=server.base, timeout=10) as http:
            before = _counted(http.get("/metrics").text)
        for _ in range(20):  # a connection each, so the kernel spreads them over the workers
            with httpx2.Client(base_url=server.base, timeout=10) as http:
                assert http.get(COUNTED).status_code == 200
        with httpx2.Client(base_url=server.base, timeout=10) as http:
            write = http.post(
                "/api/v1/reports",
                content=b"not a report",
                headers={"Authorization": "Bearer serve-secret-key", "Content-Type": "text/plain"},
                params={"filename": "serve-secret-key"},
            )
            assert write.status_code == 422 and write.headers["x-request-id"]
            after = _counted(http.get("/metrics").text)
        time.sleep(0.5)
    assert after - before == 20, "a scrape sums the requests of every worker"
    text = log.read_text()
    assert text.count(f"route={COUNTED} status=200") == after, "one line per request"
    assert f'"GET {COUNTED} HTTP/1.1"' not in text, "uvicorn's access log is off"
    assert "serve-secret-key" not in text


def test_raw_utf8_in_a_query_gets_our_json_error(tmp_path: Path, own_database_url: str) -> None:
    # curl sends `?q=数据资源` as raw UTF-8 bytes. uvicorn's HTTP parsers (httptools and h11
    # alike) refuse a request line with bytes past ASCII before the app sees it; the answer
    # still has gkstats' error shape and says to percent-encode (app/protocol.py).
    with gkstats_server({"DATABASE_URL": own_database_url}, tmp_path / "server.log") as server:
        port = int(server.base.rsplit(":", 1)[1])
        raw = _raw_request(port, "/api/v1/agencies?q=数据资源".encode())
        head, _, body = raw.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 400 ")
        assert b"content-type: application/json" in head
        error = json.loads(body)["error"]
        assert error["status"] == 400 and error["code"] == "bad_request"
        assert "--data-urlencode" in error["message"]
        encoded = _raw_request(port, b"/api/v1/agencies?q=%E6%95%B0%E6%8D%AE%E8%B5%84%E6%BA%90")
        assert encoded.startswith(b"HTTP/1.1 200 ")
        assert b'"items"' in encoded
