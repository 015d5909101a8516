"""Withdrawing a revision: it stops being served and the one before it is served again."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.errors import AlreadyWithdrawn
from app.flags import refresh_flags
from app.models import Report, bump_data_version
from app.rollup import refresh_rollups_for_reports


def withdraw_report(session: Session, report: Report, reason: str | None = None) -> None:
    """Withdraw `report` in the caller's transaction, keeping its document and rows.

    Afterwards the newest revision of its agency and year that is not withdrawn is current
    (none is, when all are) and the stats count that one. Raises AlreadyWithdrawn when
    `report` is withdrawn already.
    """
    same_year = (Report.agency_id == report.agency_id, Report.year == report.year)
    # On PostgreSQL, withdrawals and ingests of one agency and year take turns here, so each
    # decides which revision is current from what the one before it committed.
    session.execute(select(Report.id).where(*same_year).with_for_update()).all()
    withdrawn = session.scalar(
        update(Report)
        .where(Report.id == report.id, Report.withdrawn_at.is_(None))
        .values(withdrawn_at=func.now(), withdrawal_reason=reason)
        .returning(Report.id)
    )
    if withdrawn is None:
        raise AlreadyWithdrawn(f"report {report.id} is already withdrawn")
    newest = session.scalar(
        select(Report.id)
        .where(*same_year, Report.withdrawn_at.is_(None))
        .order_by(Report.revision.desc())
        .limit(1)
    )
    session.execute(
        update(Report)
        .where(*same_year)
        .values(is_current=False if newest is None else Report.id == newest)
    )
    revisions = session.scalars(select(Report.id).where(*same_year)).all()
    refresh_rollups_for_reports(session, revisions)
    refresh_flags(session, [(report.agency_id, report.year)])
    bump_data_version(session)
