"""`gkstats ARGS...` that announces each commit on a pipe, so a kill can be aimed at one.

`python -m bench._watched_ingest FD ARGS...` runs `gkstats ARGS...` (app.cli, unchanged) and
writes two lines to file descriptor FD around every commit: `commit N` as the commit starts,
N being the reports it makes visible (counted inside the transaction), and `committed` once it
has returned. `python -m bench crash` reads them to kill the command during a commit or right
after one; nothing else differs from `gkstats ingest`.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session


def announce_commits(fd: int) -> None:
    def starting(conn: Connection) -> None:
        # The driver's own connection: a statement through SQLAlchemy's would be refused here.
        driver: Any = conn.connection.driver_connection
        reports = driver.execute("SELECT count(*) FROM report").fetchone()[0]
        os.write(fd, f"commit {reports}\n".encode())

    def returned(_session: Session) -> None:
        os.write(fd, b"committed\n")

    event.listen(Engine, "commit", starting)
    event.listen(Session, "after_commit", returned)


def main(argv: list[str]) -> int:
    from app.cli import main as gkstats

    announce_commits(int(argv[0]))
    return gkstats(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
