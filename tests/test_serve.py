"""`gkstats serve` as production runs it: workers on sockets of their own, warnings in the log."""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

import httpx2

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
        listening = _sockets(port, LISTEN)
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
