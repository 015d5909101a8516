"""`gkstats serve`: uvicorn, with each worker process listening on a socket of its own.

When worker processes share one listening socket, whichever wakes first accepts every
connection waiting at that moment, so long-lived client connections pile up on one process
while the others idle. Here each worker binds its own socket to the same address with
SO_REUSEPORT, and the kernel spreads new connections across them evenly. The supervisor only
starts the workers, restarts one that dies and stops them all on SIGINT or SIGTERM.
"""

from __future__ import annotations

import logging
import logging.config
import multiprocessing
import signal
import socket
import time
from multiprocessing.process import BaseProcess
from types import FrameType

import uvicorn

from app.logs import LOGGING

APP = "app.main:app"
STOP_SECONDS = 10.0

log = logging.getLogger("uvicorn.error")


def serve(host: str, port: int, workers: int) -> None:
    if workers == 1 or not hasattr(socket, "SO_REUSEPORT"):
        uvicorn.run(APP, host=host, port=port, workers=workers, log_config=LOGGING)
        return
    _Supervisor(host, port, workers).run()


def listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def _worker(host: str, port: int) -> None:
    sock = listening_socket(host, port)
    config = uvicorn.Config(APP, log_config=LOGGING)
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
