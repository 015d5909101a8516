"""Bulk ingest in worker processes: outcomes per document, failures alone, idempotent reruns."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from app.bulk import Outcome, ingest_paths
from app.db import make_engine
from app.errors import ApiError
from app.ingest import parse_for_ingest
from app.migrate import upgrade
from app.models import CellRollup, Report, ReportRollup
from app.rollup import rebuild_rollups
from bench._reports import write_reports

GOOD = 30


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'bulk.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@pytest.fixture
def documents(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "docs"
    good = write_reports(folder, GOOD)
    notes = folder / "000005-notes.txt"
    notes.write_text("随便写的几句话，不是年度报告。", encoding="utf-8")
    odd = folder / "report.xyz"
    odd.write_bytes(b"hello")
    return [*good[:5], notes, *good[5:], odd]


def counts(outcomes: list[Outcome]) -> Counter[str]:
    return Counter(o.status for o in outcomes)


def test_bad_documents_fail_alone_and_a_second_run_is_unchanged(
    factory: sessionmaker[Session], documents: list[Path]
) -> None:
    first = ingest_paths(factory, documents, workers=2, progress=False)

    assert [o.path for o in first] == documents
    assert counts(first) == {"stored": GOOD, "failed": 2}
    failed = {o.path.name: o.detail for o in first if o.status == "failed"}
    assert failed["report.xyz"].startswith("unknown file type")
    with pytest.raises(ApiError) as not_a_report:
        parse_for_ingest(documents[5].read_bytes(), "text/plain")
    assert failed["000005-notes.txt"] == not_a_report.value.message
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Report)) == GOOD
        assert session.scalar(select(func.max(Report.revision))) == 1

    second = ingest_paths(factory, documents, workers=2, progress=False)

    assert counts(second) == {"unchanged": GOOD, "failed": 2}
    stored_ids = [o.detail for o in first if o.status == "stored"]
    assert [o.detail for o in second if o.status == "unchanged"] == stored_ids


def test_rollups_match_a_rebuild(factory: sessionmaker[Session], documents: list[Path]) -> None:
    ingest_paths(factory, documents, workers=2, progress=False)

    with factory() as session:
        kept = [
            sorted(tuple(row) for row in session.execute(select(*m.__table__.c)))
            for m in (CellRollup, ReportRollup)
        ]
        rebuild_rollups(session)
        rebuilt = [
            sorted(tuple(row) for row in session.execute(select(*m.__table__.c)))
            for m in (CellRollup, ReportRollup)
        ]
        session.rollback()
    assert kept == rebuilt
    assert kept[1]  # the reports were counted


def test_one_worker_and_one_file_give_the_same_outcomes(
    factory: sessionmaker[Session], documents: list[Path]
) -> None:
    outcomes = ingest_paths(factory, documents[:8], workers=1, progress=False)
    assert counts(outcomes) == {"stored": 7, "failed": 1}

    again = ingest_paths(factory, documents[:1], workers=2, progress=False)
    assert again == [Outcome(documents[0], "unchanged", outcomes[0].detail)]


def test_the_same_bytes_twice_in_one_run(
    factory: sessionmaker[Session], documents: list[Path], tmp_path: Path
) -> None:
    copy = tmp_path / "copy.txt"
    copy.write_bytes(documents[0].read_bytes())

    outcomes = ingest_paths(factory, [documents[0], copy], workers=2, progress=False)

    assert [o.status for o in outcomes] == ["stored", "unchanged"]
    assert outcomes[0].detail == outcomes[1].detail


def test_revisions_within_one_batch_are_numbered_in_order(
    factory: sessionmaker[Session], documents: list[Path], tmp_path: Path
) -> None:
    # Three different documents of one agency and year, and one of another year, in one batch.
    first = documents[0]
    variants = []
    for n in (1, 2):
        variant = tmp_path / f"variant-{n}.txt"
        variant.write_bytes(first.read_bytes() + f"\n附：第 {n} 次更正。\n".encode())
        variants.append(variant)
    paths = [first, documents[1], *variants]

    outcomes = ingest_paths(factory, paths, workers=2, progress=False)

    assert [o.status for o in outcomes] == ["stored"] * 4
    ids = [int(o.detail.removeprefix("report ")) for o in outcomes]
    with factory() as session:
        reports = {r.id: r for r in session.scalars(select(Report).where(Report.id.in_(ids)))}
    same = [reports[ids[i]] for i in (0, 2, 3)]
    assert len({(r.agency_id, r.year) for r in same}) == 1
    assert [(r.revision, r.is_current) for r in same] == [(1, False), (2, False), (3, True)]
    assert (reports[ids[1]].revision, reports[ids[1]].is_current) == (1, True)
    with factory() as session:
        counted = session.scalar(
            select(func.sum(ReportRollup.reports)).where(ReportRollup.grain == "country")
        )
    assert counted == 2  # one current report per year


def test_a_document_failing_in_a_batch_fails_alone(
    factory: sessionmaker[Session], documents: list[Path]
) -> None:
    # documents[0] and [1] are one agency's reports; documents[7] (report 6) is the next agency's.
    placed = ingest_paths(factory, documents[:1], region="230803", progress=False)
    assert placed[0].status == "stored"

    outcomes = ingest_paths(factory, [documents[1], documents[7]], region="230804", progress=False)

    assert outcomes[0].status == "failed"
    assert "already placed in region 230803" in outcomes[0].detail
    assert outcomes[1].status == "stored"
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Report)) == 2
