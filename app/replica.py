"""Reads from a streaming replica: which copy answers a read, and how far behind the replica is.

The replica is a PostgreSQL hot standby replaying the primary's WAL (DATABASE_READ_URL);
gkstats copies nothing itself. Every write bumps the data version (app/models.py), so a
copy's data version says which writes it has replayed, and every ETag names the version it
was made at, the ETag of a write's answer included (app/caching.py). A GET or HEAD goes to
the replica when the replica has replayed at least the newest version its If-None-Match
names, and to the primary otherwise: a client that sends back the ETag it got is never
answered with older data than it has seen. A read naming no version may be answered by a
replica a little behind, as a shared cache may. When the replica cannot be reached, reads go
to the primary, and the replica is tried again `replica_retry_seconds` later: a read never
fails because the replica is down.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from app.db import first_read
from app.monitoring import REPLICA_FALLBACKS, REPLICA_LAG, REPLICA_UP

log = logging.getLogger(__name__)

# An entity tag naming a data version: W/"v42" on a write's answer, W/"v42-<digest>" on a
# read (the digest tells resources and media types apart).
_VERSION_TAG = re.compile(r'(?:W/)?"v(\d{1,18})(?:-[0-9a-f]*)?"')


def version_tag(version: int, digest: str = "") -> str:
    return f'W/"v{version}-{digest}"' if digest else f'W/"v{version}"'


def version_wanted(if_none_match: str) -> int:
    """The newest data version the entity tags of an If-None-Match header name (0: none).

    Tags of another form (a static file's, a tag from before versions were named) name none.
    """
    return max((int(m[1]) for m in _VERSION_TAG.finditer(if_none_match)), default=0)


class ReadReplica:
    """Sessions on the replica, handed out only when it answers and is fresh enough."""

    def __init__(self, sessions: sessionmaker[Session], retry_seconds: float) -> None:
        self.sessions = sessions
        self.retry_seconds = retry_seconds
        self._retry_at = 0.0

    @property
    def in_use(self) -> bool:
        """Whether reads go to the replica now (false for a while after it failed)."""
        return time.monotonic() >= self._retry_at

    def session(self, wanted: int) -> tuple[Session, int] | None:
        """A session on the replica and the replica's data version, or None when the read
        must go to the primary: the replica is out of reach, or has not replayed `wanted`."""
        if not self.in_use:
            REPLICA_FALLBACKS.labels("unavailable").inc()
            return None
        opened = self._open()
        if opened is None:
            REPLICA_FALLBACKS.labels("unavailable").inc()
            return None
        session, version = opened
        if version < wanted:
            session.close()
            REPLICA_FALLBACKS.labels("behind").inc()
            return None
        return opened

    def _open(self) -> tuple[Session, int] | None:
        session = self.sessions()
        try:
            return session, first_read(session, read=True)
        except DBAPIError as exc:
            session.close()
            self._retry_at = time.monotonic() + self.retry_seconds
            log.warning(
                "the replica did not answer, reads go to the primary for %g s: %s",
                self.retry_seconds,
                str(exc.orig or exc).strip().splitlines()[0],
            )
            return None

    def status(self, primary_version: int) -> ReplicaStatus:
        """The replica's data version against the primary's, also set on the /metrics gauges."""
        opened = self._open() if self.in_use else None
        if opened is None:
            REPLICA_UP.set(0)
            return ReplicaStatus(False, None, None)
        session, version = opened
        session.close()
        lag = max(primary_version - version, 0)
        REPLICA_UP.set(1)
        REPLICA_LAG.set(lag)
        return ReplicaStatus(True, version, lag)


@dataclass(frozen=True, slots=True)
class ReplicaStatus:
    available: bool
    data_version: int | None
    lag_versions: int | None
