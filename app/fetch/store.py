"""Storing a fetched report, and remembering what each fetched address gave."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.fetch.client import Fetched, Validators
from app.fetch.document import FetchedDocument, Previous
from app.ingest import NewDocument, PreparedReport, find_by_content, sha256_hex, store_many
from app.models import FetchedUrl, Report


def stored_report(session: Session, document: FetchedDocument) -> int | None:
    """The report already stored from these bytes, remembered as fetched for this page."""
    report = find_by_content(session, sha256_hex(document.data))
    if report is None:
        return None
    remember(session, document, report.id, "unchanged")
    session.commit()
    return report.id


def store_fetched(
    session: Session,
    document: FetchedDocument,
    prepared: PreparedReport,
    region: str | None = None,
) -> tuple[int, bool]:
    """Store the report in a transaction of its own: its id, and whether it is new."""
    digest = sha256_hex(document.data)
    # The same bytes may have been stored meanwhile, or a concurrent ingest may win the race
    # for the agency: look again, once.
    for attempt in range(2):
        try:
            existing = find_by_content(session, digest)
            if existing is not None:
                remember(session, document, existing.id, "unchanged")
                session.commit()
                return existing.id, False
            new = NewDocument(
                document.data, digest, document.media_type, prepared, document.filename
            )
            (report_id,) = store_many(session, [new], region_code=region)
            session.execute(
                update(Report)
                .where(Report.id == report_id)
                .values(document_url=document.document_url, fetched_at=document.fetched_at)
            )
            remember(session, document, report_id, "stored")
            session.commit()
            return report_id, True
        except IntegrityError:
            session.rollback()
            if attempt:
                raise
    raise AssertionError("unreachable")


def remember(
    session: Session, document: FetchedDocument, report_id: int | None, outcome: str
) -> None:
    """Keep the page's and the attachment's validators and digests for the next fetch."""
    page = document.page
    _keep(session, document.url, page, document.document_url, report_id, outcome)
    if document.attachment is not None:
        attachment = document.attachment
        _keep(session, attachment.url, attachment, attachment.url, report_id, outcome)


def remember_failure(session: Session, url: str, reason: str) -> None:
    session.merge(
        FetchedUrl(url=url, outcome="failed", detail=reason[:2000], fetched_at=datetime.now(UTC))
    )
    session.commit()


def _keep(
    session: Session,
    url: str,
    fetched: Fetched,
    document_url: str,
    report_id: int | None,
    outcome: str,
) -> None:
    session.merge(
        FetchedUrl(
            url=url,
            etag=(fetched.validators.etag or "")[:500] or None,
            last_modified=(fetched.validators.last_modified or "")[:100] or None,
            sha256=sha256_hex(fetched.body),
            document_url=document_url,
            report_id=report_id,
            outcome=outcome,
            fetched_at=datetime.now(UTC),
        )
    )


def previous_fetch(session: Session, url: str) -> tuple[Previous, int | None] | None:
    """What the last successful fetch of this page gave, and the report it led to."""
    page = session.get(FetchedUrl, url)
    if page is None or page.outcome == "failed" or page.report_id is None:
        return None
    document = Validators()
    if page.document_url and page.document_url != url:
        attachment = session.get(FetchedUrl, page.document_url)
        if attachment is None:
            return None
        document = Validators(attachment.etag, attachment.last_modified)
    previous = Previous(Validators(page.etag, page.last_modified), page.document_url, document)
    return previous, page.report_id
