"""`gkstats serve`: uvicorn, with each worker process listening on a socket of its own.

When worker processes share one listening socket, whichever wakes first accepts every
connection waiting at that moment, so long-lived client connections pile up on one process
while the others idle. Here each worker binds its own socket to the same address with
SO_REUSEPORT, and the kernel spreads new connections across them evenly. The supervisor only
starts the workers, restarts one that dies and stops them all on SIGINT or SIGTERM.

The workers write their Prometheus metrics to files in a folder made here for this run
(PROMETHEUS_MULTIPROC_DIR), so that /metrics, whichever worker answers it, sums them all;
the folder goes when the server stops. Each request is logged once, by the app's own access
line (app/access.py): uvicorn's access log is off.
"""

from __future__ import annotations

import logging
import logging.config
import multiprocessing
import os
import signal
import socket
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.process import BaseProcess
from types import FrameType

import uvicorn

from app.logs import LOGGING
from app.protocol import JsonErrorHttpProtocol

APP = "app.main:app"
STOP_SECONDS = 10.0

log = logging.getLogger("uvicorn.error")


MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"  # read by prometheus_client when it is imported


def serve(host: str, port: int, workers: int) -> None:
    with _metrics_folder():
        if workers == 1 or not hasattr(socket, "SO_REUSEPORT"):
            uvicorn.run(
                APP,
                host=host,
                port=port,
                workers=workers,
                log_config=LOGGING,
                access_log=False,
                http=JsonErrorHttpProtocol,
            )
            return
        _Supervisor(host, port, workers).run()


@contextmanager
def _metrics_folder() -> Iterator[None]:
    """A fresh folder for this run's metric files: a run never counts a previous run's."""
    with tempfile.TemporaryDirectory(prefix="gkstats-metrics-") as folder:
        os.environ[MULTIPROC_ENV] = folder
        try:
            yield
        finally:
            del os.environ[MULTIPROC_ENV]


def listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def _worker(host: str, port: int) -> None:
    sock = listening_socket(host, port)
    config = uvicorn.Config(APP, log_config=LOGGING, access_log=False, http=JsonErrorHttpProtocol)
    uvicorn.Server(config).run(sockets=[sock])


class _Supervisor:
    def __init__(self, host: str, port: int, workers: int) -> None:
        self.host, self.port, self.workers = host, port, workers
        self._context = multiprocessing.get_context("spawn")
        self._stopping = False

    def run(self) -> None:
        logging.config.dictConfig(LOGGING)
        # Bind once here, so that an address in use fails at once and not in every worker.
        listening_socket(self.host, self.port).close()
        signal.signal(signal.SIGINT, self._stop)
        signal.signal(signal.SIGTERM, self._stop)
        processes = [self._start() for _ in range(self.workers)]
        log.info("serving on http://%s:%d with %d workers", self.host, self.port, self.workers)
        while not self._stopping:
            for i, process in enumerate(processes):
                if not process.is_alive() and not self._stopping:
                    _forget_gauges(process.pid)
                    log.warning(
                        "worker %s exited with %s; starting another",
                        process.pid,
                        process.exitcode,
                    )
                    processes[i] = self._start()
            time.sleep(0.5)
        for process in processes:
            process.terminate()
        deadline = time.monotonic() + STOP_SECONDS
        for process in processes:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()

    def _start(self) -> BaseProcess:
        process: BaseProcess = self._context.Process(target=_worker, args=(self.host, self.port))
        process.start()
        return process

    def _stop(self, _signum: int, _frame: FrameType | None) -> None:
        self._stopping = True


def _forget_gauges(pid: int | None) -> None:
    """Drop a dead worker's gauges (connections in use, requests waiting) from the sums; its
    counters stay, as what it counted did happen."""
    from prometheus_client import multiprocess  # after MULTIPROC_ENV is set

    if pid is not None:
        multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]
