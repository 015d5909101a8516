"""A uvicorn server in a subprocess on loopback, for measuring through HTTP; always stopped."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import httpx2

REPO = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
STOP_GRACE_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class Server:
    base: str  # http://127.0.0.1:PORT
    pid: int  # the process started; with --workers N > 1, the workers are its children


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def uvicorn_server(
    app: str,
    env: Mapping[str, str],
    ready_path: str,
    log: Path,
    *,
    timeout: float = 60.0,
    workers: int = 1,
) -> Iterator[str]:
    """Serve `app` ("module:attribute") on a free loopback port and yield its base URL once
    `ready_path` answers 200; the process is terminated on the way out, whatever happens.
    The server's output goes to `log`."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", app, "--host", HOST, "--port", str(port)]
    command += ["--log-level", "warning", "--no-access-log", "--workers", str(workers)]
    with server_process(command, port, env, ready_path, log, timeout=timeout) as server:
        yield server.base


@contextmanager
def gkstats_server(
    env: Mapping[str, str], log: Path, *, workers: int = 1, timeout: float = 60.0
) -> Iterator[Server]:
    """`gkstats serve --workers N` on a free loopback port, exactly as production runs it
    (the app's access lines included, into `log`); stopped on the way out, whatever happens."""
    port = free_port()
    command = [sys.executable, "-m", "app.cli", "serve", "--host", HOST, "--port", str(port)]
    command += ["--workers", str(workers)]
    with server_process(command, port, env, "/api/v1/health", log, timeout=timeout) as server:
        yield server


@contextmanager
def server_process(
    command: Sequence[str],
    port: int,
    env: Mapping[str, str],
    ready_path: str,
    log: Path,
    *,
    timeout: float = 60.0,
) -> Iterator[Server]:
    """Run `command`, a server listening on `port`, until it leaves the block.

    The server gets a process group of its own. On the way out it is asked to stop (SIGTERM)
    and given STOP_GRACE_SECONDS; then whatever is left of the group is killed, so a worker
    whose event loop is stuck, and which therefore never handles SIGTERM, goes too."""
    base = f"http://{HOST}:{port}"
    with log.open("ab") as output:
        process = subprocess.Popen(
            list(command),
            cwd=REPO,
            env={**os.environ, **env},
            stdout=output,
            stderr=output,
            start_new_session=True,
        )
    try:
        try:
            _wait_until_ready(process, base + ready_path, timeout)
        except (RuntimeError, TimeoutError) as exc:
            raise RuntimeError(f"{exc}; the server's output is in {log}") from exc
        yield Server(base, process.pid)
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    with suppress(ProcessLookupError):
        process.send_signal(signal.SIGTERM)
    with suppress(subprocess.TimeoutExpired):
        process.wait(timeout=STOP_GRACE_SECONDS)
    # The group is the server's own (start_new_session): its leader's id names it.
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with suppress(subprocess.TimeoutExpired):
        process.wait(timeout=STOP_GRACE_SECONDS)


def _wait_until_ready(process: subprocess.Popen[bytes], url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    with httpx2.Client(timeout=5.0) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited with status {process.returncode}")
            try:
                if client.get(url).status_code == 200:
                    return
            except httpx2.TransportError:
                pass
            time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer 200 within {timeout:.0f} s")
