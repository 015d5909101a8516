"""Liveness, readiness and the metrics page.

`/health` answers from the process alone, so a load balancer never takes a busy but working
server out of service. `/ready` checks that the database answers and is migrated to this
version's head, on a connection the gate keeps for it, and says where reads go: to a replica,
how far behind, or to the primary. A replica that does not answer leaves the service ready,
as the primary answers its reads.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app import monitoring
from app.api import examples
from app.api.deps import SettingsDep, database_session
from app.db import DATA_VERSION
from app.errors import ApiError, NotReady, error_responses
from app.migrate import current_revision, head_revision
from app.models import Report
from app.replica import ReadReplica
from app.schemas import Health, Readiness, ReplicaReadiness

router = APIRouter(tags=["health"])


@router.get(
    "/health",
    summary="Liveness: the service answers",
    description="Answers without touching the database, within milliseconds under any load.",
    response_model=Health,
    responses=examples.ok(examples.HEALTH),
)
async def health(settings: SettingsDep) -> Health:
    return Health(status="ok", database=make_url(settings.database_url).get_backend_name())


@router.get(
    "/ready",
    summary="Readiness: the database answers and is migrated",
    description="200 when the database answers and is at this version's migration head; "
    "503 `not_ready` (or `database_unavailable`) with `Retry-After` otherwise.",
    response_model=Readiness,
    responses={**examples.ok(examples.READY), **error_responses(503)},
)
async def ready(request: Request) -> Readiness:
    async with database_session(request, probe=True) as session:
        return await run_in_threadpool(_readiness, session, request.app.state.replica)


def _readiness(session: Session, replica: ReadReplica | None) -> Readiness:
    revision = current_revision(session.connection())
    head = head_revision()
    if revision != head:
        raise NotReady(
            f"the database is at migration {revision or 'none'}, not {head}: "
            "run `gkstats migrate` on the server"
        )
    reports = session.scalar(select(func.count()).select_from(Report)) or 0
    readiness = Readiness(
        status="ready",
        database=session.get_bind().dialect.name,
        revision=head,
        reports=reports,
        data_version=session.scalar(DATA_VERSION) or 0,
        reads="primary",
    )
    if replica is None:
        return readiness
    status = replica.status(readiness.data_version)
    readiness.reads = "replica" if status.available else "primary"
    readiness.replica = ReplicaReadiness(
        status="available" if status.available else "unavailable",
        data_version=status.data_version,
        lag_versions=status.lag_versions,
    )
    return readiness


async def metrics_page(request: Request) -> Response:
    """The Prometheus page, the replica's gauges measured first when there is a replica.

    The measure takes the readiness probe's connection, waiting for it no longer than the
    probe does; a scrape that cannot have it, or finds the primary down, shows the gauges as
    they were last measured rather than fail.
    """
    replica: ReadReplica | None = request.app.state.replica
    if replica is not None:
        try:
            async with database_session(request, probe=True) as session:
                version = await run_in_threadpool(session.scalar, DATA_VERSION)
                await run_in_threadpool(replica.status, version or 0)
        except (ApiError, DBAPIError):
            pass
    return await run_in_threadpool(monitoring.metrics)
