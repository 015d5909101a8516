"""Liveness and readiness: the database answers."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import func, select

from app.api.deps import SessionDep
from app.models import Report
from app.schemas import Health

router = APIRouter(tags=["health"])


@router.get(
    "/health", summary="Check that the service and its database answer", response_model=Health
)
def health(session: SessionDep) -> Health:
    reports = session.scalar(select(func.count()).select_from(Report)) or 0
    bind = session.get_bind()
    return Health(status="ok", database=bind.dialect.name, reports=reports)
