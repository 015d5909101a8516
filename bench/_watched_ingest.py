"""`gkstats ARGS...` that announces its transactions on a pipe, so a kill can be aimed at them.

`python -m bench._watched_ingest FD ARGS...` runs `gkstats ARGS...` (app.cli, unchanged) and
writes lines to file descriptor FD: `writing` at a transaction's first statement that writes,
`commit N` as the commit starts, N being the reports it makes visible (counted inside the
transaction), and `committed` once it has returned. `python -m bench crash` reads them to kill
the command during a commit or right after one, and to tell where any kill landed; nothing else
differs from `gkstats ingest`.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

WRITES = ("INSERT", "UPDATE", "DELETE")


def announce(fd: int) -> None:
    writing = False

    def executing(conn: Connection, _cursor: Any, statement: str, *_: Any) -> None:
        nonlocal writing
        if not writing and statement.lstrip().upper().startswith(WRITES):
            writing = True
            os.write(fd, b"writing\n")

    def starting(conn: Connection) -> None:
        nonlocal writing
        writing = False
        # The driver's own connection: a statement through SQLAlchemy's would be refused here.
        driver: Any = conn.connection.driver_connection
        reports = driver.execute("SELECT count(*) FROM report").fetchone()[0]
        os.write(fd, f"commit {reports}\n".encode())

    def returned(_session: Session) -> None:
        os.write(fd, b"committed\n")

    def rolled_back(_conn: Connection) -> None:
        nonlocal writing
        writing = False

    event.listen(Engine, "before_cursor_execute", executing)
    event.listen(Engine, "commit", starting)
    event.listen(Engine, "rollback", rolled_back)
    event.listen(Session, "after_commit", returned)


def main(argv: list[str]) -> int:
    from app.cli import main as gkstats

    announce(int(argv[0]))
    return gkstats(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
