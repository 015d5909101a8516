"""Liveness and readiness.

`/health` answers from the process alone, so a load balancer never takes a busy but working
server out of service. `/ready` checks that the database answers and is migrated to this
version's head, on a connection the gate keeps for it.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app.api import examples
from app.api.deps import SettingsDep, database_session
from app.errors import NotReady, error_responses
from app.migrate import current_revision, head_revision
from app.models import Report
from app.schemas import Health, Readiness

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
        return await run_in_threadpool(_readiness, session)


def _readiness(session: Session) -> Readiness:
    revision = current_revision(session.connection())
    head = head_revision()
    if revision != head:
        raise NotReady(
            f"the database is at migration {revision or 'none'}, not {head}: "
            "run `gkstats migrate` on the server"
        )
    reports = session.scalar(select(func.count()).select_from(Report)) or 0
    return Readiness(
        status="ready", database=session.get_bind().dialect.name, revision=head, reports=reports
    )
