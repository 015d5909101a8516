"""withdraw_report: which revision is current afterwards, in the caller's transaction."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import AlreadyWithdrawn
from app.models import DataVersion, Report
from app.withdraw import withdraw_report
from tests.stats.conftest import add_report

KEY = ("requests", "new", "total")


def revisions(session: Session, *values: int, year: int = 2020) -> list[Report]:
    return [
        add_report(session, "佳木斯市向阳区教育局", year, {KEY: v}, region="230803") for v in values
    ]


def current(session: Session, reports: list[Report]) -> list[bool | None]:
    return [session.scalar(select(Report.is_current).where(Report.id == r.id)) for r in reports]


def test_the_newest_revision_left_is_current(session: Session) -> None:
    reports = revisions(session, 1, 2, 3)
    other_year = revisions(session, 9, year=2021)
    withdraw_report(session, reports[2], "wrong document")
    assert current(session, reports) == [False, True, False]
    withdraw_report(session, reports[0])
    assert current(session, reports) == [False, True, False]
    withdraw_report(session, reports[1])
    assert current(session, reports) == [False, False, False]
    assert current(session, other_year) == [True]


def test_the_session_sees_what_was_written(session: Session) -> None:
    first, second = revisions(session, 1, 2)
    withdraw_report(session, second, "wrong document")
    assert (first.is_current, second.is_current) == (True, False)
    assert second.withdrawn_at is not None and second.withdrawal_reason == "wrong document"
    assert first.withdrawn_at is None


def test_withdrawing_twice_raises(session: Session) -> None:
    (report,) = revisions(session, 1)
    withdraw_report(session, report)
    version = session.scalar(select(DataVersion.version))
    with pytest.raises(AlreadyWithdrawn):
        withdraw_report(session, report, "again")
    assert session.scalar(select(DataVersion.version)) == version


def test_it_does_not_commit(session: Session) -> None:
    (report,) = revisions(session, 1)
    session.commit()
    withdraw_report(session, report)
    session.rollback()
    assert session.scalar(select(Report.withdrawn_at).where(Report.id == report.id)) is None
    assert current(session, [report]) == [True]
