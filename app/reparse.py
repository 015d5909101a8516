"""Read stored documents again with the current parser and update their reports.

A re-read that changes a report updates it in place and records what it said before
(`report_reread`, served at /reports/{id}/rereads). It is not stored as a new revision: a
revision is a document the agency published (a corrected report replaces the first), and a
re-read is the same document understood better. Made a revision, the re-read of a first
document would become current over the correction that superseded it, and the report's id, which
links and citations use, would change. In place, the report keeps its id and its place among
the revisions of its agency and year, and the record of each re-read (fields, cells, sections and
checks before and after) keeps the history from being rewritten silently.

A re-read that moves the report to another agency or year makes it the newest revision there,
as ingesting the document now would; the newest revision left where it was (not withdrawn)
becomes current again. Values the document does not print are kept from the stored report (an
agency or year given at ingest, a source URL), and an agency or year that was given over what the
document prints stays given.

Each report is its own transaction: an interrupted run leaves every report either as it was or
re-read, and running again goes on with the reports still read by an older parser. A report
whose document no longer parses keeps its stored result and is listed with the reason.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from dataclasses import asdict, dataclass, field, replace
from typing import Any, TypeAlias

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker
from tqdm import tqdm

from app.bulk import CHUNK, CHUNKS_PER_WORKER, default_workers, worker_pool
from app.cells import load_cells
from app.errors import ApiError
from app.flags import refresh_flags
from app.ingest import PreparedReport
from app.models import (
    Agency,
    Document,
    Report,
    ReportCheck,
    ReportReread,
    ReportTable,
    Section,
    bump_data_version,
)
from app.parsing.model import ParsedReport
from app.parsing.version import PARSER_VERSION, is_older
from app.rollup import refresh_rollups_for_reports

# What reading a document again gives: its report, checked and ready to store, or why not.
Reading: TypeAlias = PreparedReport | str
CellState: TypeAlias = tuple[float | None, str, str, str | None]  # value, status, raw, unit
HEADER_FIELDS = (
    "format",
    "period_start",
    "period_end",
    "title",
    "publisher",
    "contact_phone",
    "source_url",
    "warnings",
    "provenance",
)
_AGENCY_GIVEN = "agency given as "  # the warnings ingest writes when a hint overrode the text
_YEAR_GIVEN = "year given as "


@dataclass(frozen=True, slots=True)
class Changes:
    """What a re-read changes in a report."""

    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # name → (before, after)
    cells: list[tuple[str, CellState | None, CellState | None]] = field(default_factory=list)
    sections: list[int] = field(default_factory=list)
    checks: tuple[tuple[int, int, int], tuple[int, int, int]] | None = None

    def __bool__(self) -> bool:
        return bool(self.fields or self.cells or self.sections or self.checks)

    @property
    def values(self) -> int:
        return sum(1 for _, old, new in self.cells if _value(old) != _value(new))

    @property
    def statuses(self) -> int:
        return sum(1 for _, old, new in self.cells if _status(old) != _status(new))

    def describe(self) -> str:
        parts = [
            f"{name} {_shown(old)} → {_shown(new)}"
            for name, (old, new) in self.fields.items()
            if name != "warnings"
        ]
        if "warnings" in self.fields:
            parts.append("warnings")
        if self.cells:
            parts.append(f"{self.values} values, {self.statuses} statuses")
        if self.sections:
            parts.append("sections " + ", ".join(map(str, self.sections)))
        if self.checks:
            before, after = self.checks
            parts.append(f"checks passed/failed/not assessable {_trio(before)} → {_trio(after)}")
        return "; ".join(parts) or "nothing"

    def as_json(self) -> dict[str, Any]:
        return {
            "fields": {
                name: [_plain(old), _plain(new)] for name, (old, new) in self.fields.items()
            },
            "cells": [[key, old, new] for key, old, new in self.cells],
            "sections": self.sections,
            "checks": None if self.checks is None else [list(c) for c in self.checks],
        }


@dataclass(frozen=True, slots=True)
class Reread:
    report_id: int
    status: str  # changed, unchanged, failed
    detail: str  # what changed, or why the document could not be read again
    changes: Changes = field(default_factory=Changes)


@dataclass(frozen=True, slots=True)
class _Stored:
    """A stored report to read again, with its document."""

    report_id: int
    data: bytes
    media_type: str
    agency: str
    year: int
    agency_given: bool  # given at ingest over what the document prints
    year_given: bool
    filename: str | None  # a clue to the agency and year, as at ingest

    def work(self) -> tuple[bytes, str, str | None, str, int, bool, bool]:
        return (
            self.data,
            self.media_type,
            self.filename,
            self.agency,
            self.year,
            self.agency_given,
            self.year_given,
        )


def reparse_reports(
    session_factory: sessionmaker[Session],
    *,
    every_version: bool = False,
    dry_run: bool = False,
    workers: int | None = None,
    progress: bool = True,
) -> list[Reread]:
    """Read again the documents of reports read by an older parser (all with `every_version`),
    in worker processes; one outcome per report, in id order. `dry_run` writes nothing."""
    workers = default_workers() if workers is None else max(1, workers)
    with session_factory() as session:
        ids = stale_reports(session, every_version=every_version)
    if len(ids) <= 1:
        workers = 1
    outcomes: list[Reread] = []
    with (
        worker_pool(workers) as pool,
        session_factory() as session,
        tqdm(total=len(ids), unit="report", disable=not progress) as bar,
    ):
        for batch in _batched(ids, CHUNK * workers * CHUNKS_PER_WORKER):
            stored = _load(session, batch)
            session.rollback()  # hold nothing open while the workers parse
            futures = [
                (chunk, pool.submit(read_documents, [s.work() for s in chunk]))
                for chunk in _batched(stored, CHUNK)
            ]
            for chunk, future in futures:
                for one, reading in zip(chunk, _results(future, len(chunk)), strict=True):
                    outcomes.append(_reread(session, one.report_id, reading, dry_run))
                    bar.update()
    return outcomes


def stale_reports(session: Session, *, every_version: bool = False) -> list[int]:
    """Ids of the reports whose documents the current parser has not read, oldest first."""
    rows = session.execute(
        select(Report.id, Report.parser_version)
        .where(Report.synthetic.is_(False))
        .order_by(Report.id)
    )
    return [id_ for id_, version in rows if every_version or is_older(version)]


def read_documents(
    work: list[tuple[bytes, str, str | None, str, int, bool, bool]],
) -> list[Reading]:
    """Parse and check documents again: pure, so it runs in any process."""
    return [_read_again(*item) for item in work]


def _read_again(
    data: bytes,
    media_type: str,
    filename: str | None,
    agency: str,
    year: int,
    agency_given: bool,
    year_given: bool,
) -> Reading:
    from app.ingest import _with_overrides, parse_for_ingest, prepare, read_document

    try:
        parsed = read_document(data, media_type, filename)
    except Exception:
        try:  # to say why in the words an ingest would
            parse_for_ingest(data, media_type, filename=filename)
        except ApiError as exc:
            return exc.message
        except Exception as exc:
            return f"{type(exc).__name__}: {exc}"
        return "the document could not be read"
    try:
        return prepare(
            _with_overrides(
                parsed,
                agency if agency_given or not parsed.agency else None,
                year if year_given or parsed.year is None else None,
            )
        )
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"


def _results(future: Future[list[Reading]], size: int) -> list[Reading]:
    try:
        return future.result()
    except Exception as exc:  # a worker died: its reports fail, with the reason
        return [f"{type(exc).__name__}: {exc}"] * size


def _load(session: Session, ids: Sequence[int]) -> list[_Stored]:
    rows = session.execute(
        select(
            Report.id,
            Document.content,
            Document.media_type,
            Agency.name,
            Report.year,
            Report.warnings,
            Document.filename,
        )
        .join(Document, Document.id == Report.document_id)
        .join(Agency, Agency.id == Report.agency_id)
        .where(Report.id.in_(ids))
        .order_by(Report.id)
    )
    return [
        _Stored(
            id_,
            content,
            media_type,
            agency,
            year,
            any(w.startswith(_AGENCY_GIVEN) for w in warnings or []),
            any(w.startswith(_YEAR_GIVEN) for w in warnings or []),
            filename,
        )
        for id_, content, media_type, agency, year, warnings, filename in rows
    ]


def _reread(session: Session, report_id: int, reading: Reading, dry_run: bool) -> Reread:
    """Store one re-read in a transaction of its own (or, dry, say what it would change)."""
    if isinstance(reading, str):
        return Reread(report_id, "failed", reading)
    try:
        report = session.get(Report, report_id, populate_existing=True)
        if report is None:  # removed since the run began
            return Reread(report_id, "failed", "the report is no longer stored")
        header = reading.header
        if header.source_url is None and report.source_url is not None:
            reading = replace(reading, header=replace(header, source_url=report.source_url))
        changes, agency_id = _compare(session, report, reading)
        if dry_run:
            session.rollback()
        elif changes:
            _update(session, report, reading, agency_id, changes)
            session.commit()
        else:
            _confirm(session, report, reading)
            session.commit()
    except Exception as exc:
        session.rollback()
        message = exc.message if isinstance(exc, ApiError) else f"{type(exc).__name__}: {exc}"
        return Reread(report_id, "failed", f"could not store the new reading: {message}")
    finally:
        session.expunge_all()
    if changes:
        return Reread(report_id, "changed", changes.describe(), changes)
    return Reread(report_id, "unchanged", "")


def _stored_form(header: ParsedReport, name: str) -> Any:
    """A header field as the report row holds it."""
    if name == "warnings":
        return list(header.warnings)
    if name == "provenance":
        return asdict(header.provenance)
    return getattr(header, name)


def _compare(session: Session, report: Report, reading: PreparedReport) -> tuple[Changes, int]:
    """What the reading changes in the stored report, and the agency it names."""
    from app.ingest import _agency_for

    header = reading.header
    fields: dict[str, tuple[Any, Any]] = {}
    agency = _agency_for(session, header, None)
    if agency.id != report.agency_id:
        named = session.scalar(select(Agency.name).where(Agency.id == report.agency_id))
        fields["agency"] = (named, agency.name)
    if header.year != report.year:
        fields["year"] = (report.year, header.year)
    for name in HEADER_FIELDS:
        old, new = getattr(report, name), _stored_form(header, name)
        if name == "warnings":
            old = list(old or [])
        if old != new:
            fields[name] = (old, new)
    stored_cells: dict[str, CellState] = {
        _key(c.table, c.row, c.col): (c.value, c.status, c.raw, c.unit)
        for c in load_cells(session.connection(), [report.id]).get(report.id, [])
    }
    new_cells: dict[str, CellState] = {
        _key(table, row, col): (value, status, raw, unit)
        for table, row, col, value, raw, status, unit in reading.cells
    }
    cells = [
        (key, stored_cells.get(key), new_cells.get(key))
        for key in sorted(stored_cells.keys() | new_cells.keys())
        if stored_cells.get(key) != new_cells.get(key)
    ]
    stored_sections = {
        s.number: (s.key, s.title, s.text)
        for s in session.scalars(select(Section).where(Section.report_id == report.id))
    }
    new_sections = {number: (key, title, text) for number, key, title, text in reading.sections}
    sections = sorted(
        n
        for n in stored_sections.keys() | new_sections.keys()
        if stored_sections.get(n) != new_sections.get(n)
    )
    before = (report.checks_passed, report.checks_failed, report.checks_not_assessable)
    summary = reading.summary
    after = (summary["pass"], summary["fail"], summary["not_assessable"])
    stored_checks = {
        (c.rule, c.scope, c.result, c.message)
        for c in session.scalars(select(ReportCheck).where(ReportCheck.report_id == report.id))
    }
    new_checks = {(c[0], c[1], c[3], c[8]) for c in reading.checks}  # CheckRow
    checks = None if before == after and stored_checks == new_checks else (before, after)
    return Changes(fields, cells, sections, checks), agency.id


def _update(
    session: Session, report: Report, reading: PreparedReport, agency_id: int, changes: Changes
) -> None:
    from app.ingest import _store_children

    header = reading.header
    assert header.year is not None
    was = (report.agency_id, report.year)
    now = (agency_id, header.year)
    _lock(session, {was, now})
    # Stop counting the report as it was read: the rollups subtract the cells stored now.
    report.is_current = False
    refresh_rollups_for_reports(session, [report.id])
    for model in (Section, ReportTable, ReportCheck):
        session.execute(delete(model).where(model.report_id == report.id))
    _store_children(session.connection(), [(report.id, reading)])
    if now != was:
        newest = session.scalar(
            select(func.max(Report.revision)).where(
                Report.agency_id == agency_id, Report.year == header.year
            )
        )
        report.revision = (newest or 0) + 1
        report.agency_id, report.year = now
    for name in HEADER_FIELDS:
        setattr(report, name, _stored_form(header, name))
    _set_reading(report, reading)
    session.flush()
    for agency, year in {was, now}:
        _make_newest_current(session, agency, year)
    touched = session.scalars(
        select(Report.id).where(
            Report.agency_id.in_([was[0], now[0]]), Report.year.in_([was[1], now[1]])
        )
    ).all()
    refresh_rollups_for_reports(session, touched, {report.id: reading.measures})
    refresh_flags(session, {was, now})
    session.add(
        ReportReread(
            report_id=report.id,
            parser_before=report.parser_version,
            parser_after=PARSER_VERSION,
            changes=changes.as_json(),
        )
    )
    report.parser_version = PARSER_VERSION
    bump_data_version(session)


def _confirm(session: Session, report: Report, reading: PreparedReport) -> None:
    """The reading is the stored one: only the parser that read it is new."""
    _set_reading(report, reading)
    report.parser_version = PARSER_VERSION
    bump_data_version(session)  # the report's parser version is served


def _set_reading(report: Report, reading: PreparedReport) -> None:
    hints = reading.header.region_hints
    report.region_hints = {
        "place_names": list(hints.place_names),
        "phone_area_code": hints.phone_area_code,
        "source_domain": hints.source_domain,
    }
    report.checks_passed = reading.summary["pass"]
    report.checks_failed = reading.summary["fail"]
    report.checks_not_assessable = reading.summary["not_assessable"]


def _lock(session: Session, groups: set[tuple[int, int]]) -> None:
    # As withdrawals and ingests do: on PostgreSQL, writes to one agency and year take turns,
    # so each decides which revision is current from what the one before it committed.
    for agency_id, year in sorted(groups):
        session.execute(
            select(Report.id)
            .where(Report.agency_id == agency_id, Report.year == year)
            .with_for_update()
        ).all()


def _make_newest_current(session: Session, agency_id: int, year: int) -> None:
    same_year = (Report.agency_id == agency_id, Report.year == year)
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
        .execution_options(synchronize_session="fetch")
    )


def _key(table: str, row: str, col: str) -> str:
    return f"{table}.{row}.{col}"


def _value(state: CellState | None) -> float | None:
    return None if state is None else state[0]


def _status(state: CellState | None) -> str | None:
    return None if state is None else state[1]


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _shown(value: Any) -> str:
    return "none" if value is None else str(_plain(value))


def _trio(counts: tuple[int, int, int]) -> str:
    return "/".join(map(str, counts))


def _batched(items: Sequence[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])
