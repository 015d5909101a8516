"""app.ingest on its own: the rows a parsed report becomes, and what store_many promises.

Ids in the order given, revisions numbered on from what is stored, one data version per call,
and nothing committed: the caller's transaction holds all of it or none. (What a document must
print to be stored, and the errors it gets otherwise, are answered by the API: tests/api.)
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.checks import run_checks, summarize
from app.errors import Unprocessable
from app.ingest import (
    NewDocument,
    parse_for_ingest,
    prepare,
    sha256_hex,
    store_many,
)
from app.models import (
    Agency,
    DataVersion,
    Document,
    Report,
    ReportCheck,
    ReportTable,
    Section,
)
from tests.conftest import EXAMPLES

REPORT_2020 = (EXAMPLES / "2020-qinghe-yunling-data-bureau.txt").read_bytes()
REPORT_2023 = (EXAMPLES / "2023-qinghe-yunling-data-bureau.md").read_bytes()
AGENCY = "青禾市云岭区数据资源管理局"


def correction(n: int) -> bytes:
    """Another document for the same agency and year: the 2020 report with a note appended."""
    return REPORT_2020 + f"\n附：第 {n} 次更正。\n".encode()


def new_document(data: bytes, media_type: str = "text/plain") -> NewDocument:
    parsed = parse_for_ingest(data, media_type)
    return NewDocument(data, sha256_hex(data), media_type, prepare(parsed))


def stored_rows(session: Session) -> dict[str, int]:
    models = (Agency, Document, Report, Section, ReportTable, ReportCheck)
    return {
        model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
        for model in models
    }


def data_version(session: Session) -> int | None:
    return session.scalar(select(DataVersion.version))


def test_prepare_gives_the_rows_and_the_checks_summary() -> None:
    parsed = parse_for_ingest(REPORT_2020, "text/plain")
    prepared = prepare(parsed)
    assert len(prepared.cells) == len(parsed.cells)
    assert len(prepared.sections) == len(parsed.sections)
    summary = summarize(run_checks(parsed.cells, parsed.format))
    assert prepared.summary == summary
    assert prepared.header.cells == () and prepared.header.sections == ()


def test_ids_come_back_in_the_order_the_documents_were_given(session: Session) -> None:
    documents = [new_document(correction(n)) for n in range(4)]
    documents.insert(2, new_document(REPORT_2023, "text/markdown"))

    ids = store_many(session, documents)

    digests = dict(session.execute(select(Report.id, Document.sha256).join(Document)).all())
    assert [digests[i] for i in ids] == [d.digest for d in documents]


def test_revisions_number_on_from_what_is_stored(session: Session) -> None:
    (first,) = store_many(session, [new_document(REPORT_2020)])
    later = store_many(session, [new_document(correction(1)), new_document(correction(2))])
    other_year = store_many(session, [new_document(REPORT_2023, "text/markdown")])

    revisions = {
        r.id: (r.revision, r.is_current)
        for r in session.scalars(select(Report).execution_options(populate_existing=True))
    }
    assert [revisions[i] for i in (first, *later)] == [(1, False), (2, False), (3, True)]
    assert revisions[other_year[0]] == (1, True)
    assert session.scalar(select(func.count()).select_from(Agency)) == 1


def test_one_call_is_one_data_version(session: Session) -> None:
    before = data_version(session)
    assert before is not None
    store_many(session, [new_document(correction(n)) for n in range(3)])
    assert data_version(session) == before + 1


def test_nothing_is_committed(session: Session) -> None:
    before = stored_rows(session)
    store_many(session, [new_document(REPORT_2020), new_document(REPORT_2023, "text/markdown")])
    assert stored_rows(session) != before
    session.rollback()
    assert stored_rows(session) == before


def test_a_failure_part_way_leaves_the_whole_set_to_the_callers_rollback(
    session: Session,
) -> None:
    before = stored_rows(session), data_version(session)
    document = new_document(REPORT_2020)
    # The agency is written before the documents; the second copy of the bytes then fails.
    with pytest.raises(IntegrityError):
        store_many(session, [new_document(REPORT_2023, "text/markdown"), document, document])
    session.rollback()
    assert (stored_rows(session), data_version(session)) == before


def test_an_unknown_region_is_refused_before_anything_is_written(session: Session) -> None:
    before = stored_rows(session)
    with pytest.raises(Unprocessable, match="999999"):
        store_many(session, [new_document(REPORT_2020)], region_code="999999")
    assert stored_rows(session) == before
    (report_id,) = store_many(session, [new_document(REPORT_2020)], region_code="230803")
    report = session.get(Report, report_id)
    assert report is not None
    assert session.scalar(select(Agency.region_code).where(Agency.id == report.agency_id)) == (
        "230803"
    )
