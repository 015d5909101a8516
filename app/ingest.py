"""Document → parse → checks → rows, inside a transaction the caller owns and commits."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from decimal import Decimal
from typing import Any

import orjson
from sqlalchemy import Connection, func, insert, select, tuple_, update
from sqlalchemy.orm import Session

from app.cells import encode_cells
from app.checks import run_checks, summarize
from app.config import get_settings
from app.convert import readable
from app.errors import DocumentTooLarge, NotAReport, Unprocessable, UnsupportedMediaType
from app.flags import refresh_flags
from app.metrics import Measure, report_measures
from app.models import (
    Agency,
    Base,
    CellRow,
    CheckRow,
    Document,
    DocumentRow,
    Region,
    Report,
    ReportCheck,
    ReportRow,
    ReportTable,
    Section,
    SectionRow,
    bump_data_version,
    column_names,
)
from app.parsing import DocumentTooLarge as FarLargerThanAReport
from app.parsing import ParsedReport, ParseError
from app.parsing.document import UnsupportedMediaType as UnsupportedContent
from app.parsing.document import parse_document
from app.parsing.version import PARSER_VERSION
from app.regions.placing import agency_kind, place_agency
from app.rollup import refresh_rollups_for_reports
from app.search import index_parts


@dataclass(frozen=True, slots=True)
class IngestResult:
    report: Report
    created: bool


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def find_by_content(session: Session, digest: str) -> Report | None:
    return session.scalar(select(Report).join(Document).where(Document.sha256 == digest))


def parse_for_ingest(
    data: bytes,
    media_type: str,
    *,
    agency: str | None = None,
    year: int | None = None,
    filename: str | None = None,
) -> ParsedReport:
    """Parse and insist on what storing a report needs: an agency and a year.

    `agency` and `year` given by the caller stand in for what the document does not print
    (a page cut before its title, say); where it prints something else, a warning says so.
    `filename` is the least trusted clue to both (app/parsing/identity.py).
    """
    try:
        parsed = read_document(data, media_type, filename)
    except UnsupportedContent as exc:
        raise UnsupportedMediaType(str(exc)) from exc
    except FarLargerThanAReport as exc:
        raise DocumentTooLarge(str(exc)) from exc
    except ParseError as exc:
        raise NotAReport(str(exc)) from exc
    parsed = _with_overrides(parsed, agency, year)
    if not parsed.agency:
        raise NotAReport(
            "could not find the agency name: expected a title like "
            "'XX局 2020 年 政府信息公开工作年度报告', or a sentence naming it "
            "('由XX编制', '请与XX联系'), not only '我局' or '本机关'"
            + _refusals(parsed, "agency")
            + "; name the agency explicitly (agency=…) if the document does not print it"
        )
    if parsed.year is None:
        raise NotAReport(
            "could not find the report year: expected it in the title (e.g. '2020 年'), "
            "the statistics period or a sentence such as '现公布XX2020年政府信息公开工作年度报告'"
            + _refusals(parsed, "report year")
            + "; give it explicitly (year=…) if the document does not print it"
        )
    return parsed


def read_document(data: bytes, media_type: str, filename: str | None) -> ParsedReport:
    """The parser's reading of a stored document: a Word 97 or WPS document is converted to
    DOCX first (app/convert.py), and its warnings say so."""
    data, readable_type, converted = readable(
        data, media_type, get_settings().convert_timeout_seconds
    )
    parsed = parse_document(data, readable_type, filename)
    if converted:
        parsed = replace(parsed, warnings=(*parsed.warnings, converted))
    return parsed


def _refusals(parsed: ParsedReport, what: str) -> str:
    """The readings of `what` the parser found but would not take, for the error message."""
    found = [w for w in parsed.warnings if w.startswith(f"{what} not taken: ")]
    return "".join(f" ({w})" for w in found)


def _with_overrides(parsed: ParsedReport, agency: str | None, year: int | None) -> ParsedReport:
    warnings = list(parsed.warnings)
    if agency:
        if parsed.agency and agency != parsed.agency:
            warnings.append(f"agency given as {agency!r}; the document prints {parsed.agency!r}")
        parsed = replace(
            parsed, agency=agency, provenance=replace(parsed.provenance, agency="given")
        )
    if year is not None:
        if parsed.year is not None and year != parsed.year:
            warnings.append(f"year given as {year}; the document prints {parsed.year}")
        parsed = replace(parsed, year=year, provenance=replace(parsed.provenance, year="given"))
    return replace(parsed, warnings=tuple(warnings))


def ingest_document(
    session: Session,
    data: bytes,
    media_type: str,
    *,
    filename: str | None = None,
    region_code: str | None = None,
    agency: str | None = None,
    year: int | None = None,
) -> IngestResult:
    """Store one document and its parsed report; the same bytes again return the stored report."""
    digest = sha256_hex(data)
    existing = find_by_content(session, digest)
    if existing is not None:
        return IngestResult(existing, created=False)
    parsed = parse_for_ingest(data, media_type, agency=agency, year=year, filename=filename)
    return store_parsed(
        session, data, media_type, parsed, filename=filename, region_code=region_code
    )


@dataclass(frozen=True, slots=True)
class PreparedReport:
    """A parsed and checked report as the rows that store it, in plain tuples.

    Bulk ingest builds it in the worker process that parsed the document: tuples cross the
    process boundary and reach the database many times faster than the parse objects would.
    The rows are built as SectionRow, CellRow and CheckRow and kept as plain tuples in those
    layouts, which unpickle faster still and stay out of the garbage collector's way.
    """

    header: ParsedReport  # what the report row needs; its sections and cells are below
    sections: tuple[tuple[Any, ...], ...]  # SectionRow
    cells: tuple[tuple[Any, ...], ...]  # CellRow
    checks: tuple[tuple[Any, ...], ...]  # CheckRow
    summary: dict[str, int]  # checks per outcome (`summarize`)
    measures: tuple[Measure, ...]  # what the report adds to the stats rollups


def prepare(parsed: ParsedReport) -> PreparedReport:
    """The rows of a parsed report, with its checks run."""
    results = run_checks(parsed.cells, parsed.format)
    cells = [
        CellRow(c.table, c.row, c.col, _as_float(c.value), c.raw, c.status, c.unit)
        for c in parsed.cells
    ]
    return PreparedReport(
        header=replace(parsed, sections=(), cells=()),
        sections=_plain(SectionRow(s.number, s.key, s.title, s.text) for s in parsed.sections),
        cells=_plain(cells),
        checks=_plain(
            CheckRow(
                r.rule,
                r.scope,
                r.table,
                r.result,
                _as_float(r.left),
                _as_float(r.right),
                _as_float(r.difference),
                orjson.dumps(list(r.cells)).decode(),
                r.message,
            )
            for r in results
        ),
        summary=summarize(results),
        measures=tuple(report_measures(cells)),
    )


def _plain(rows: Iterable[tuple[Any, ...]]) -> tuple[tuple[Any, ...], ...]:
    return tuple(map(tuple, rows))


@dataclass(frozen=True, slots=True)
class NewDocument:
    """A document and its prepared report, to be stored."""

    data: bytes
    digest: str  # sha256_hex(data)
    media_type: str
    report: PreparedReport
    filename: str | None = None


def store_parsed(
    session: Session,
    data: bytes,
    media_type: str,
    parsed: ParsedReport,
    *,
    filename: str | None = None,
    region_code: str | None = None,
    synthetic: bool = False,
) -> IngestResult:
    """Store a document already parsed as a new report."""
    document = NewDocument(data, sha256_hex(data), media_type, prepare(parsed), filename)
    (report_id,) = store_many(session, [document], region_code=region_code, synthetic=synthetic)
    report = session.get(Report, report_id)
    assert report is not None
    return IngestResult(report, created=True)


def store_many(
    session: Session,
    documents: Sequence[NewDocument],
    *,
    region_code: str | None = None,
    synthetic: bool = False,
) -> list[int]:
    """Store documents as new reports, in order, in the caller's transaction; their ids.

    Each table gets one statement for all the documents, which is what makes bulk ingest
    fast; any failure raises, and the caller rolls the whole set back. Revisions are numbered
    in the order given, as storing the documents one by one would number them.
    """
    if region_code is not None and session.get(Region, region_code) is None:
        raise Unprocessable(f"region {region_code!r} is not a known GB/T 2260 code")
    headers = [d.report.header for d in documents]
    agencies: dict[str, int] = {}
    for header in headers:
        assert header.agency is not None and header.year is not None
        if header.agency not in agencies:
            agencies[header.agency] = _agency_for(session, header, region_code).id
    agency_ids = [agencies[h.agency or ""] for h in headers]
    revisions, current = _revisions(
        session, [(a, h.year or 0) for a, h in zip(agency_ids, headers, strict=True)]
    )
    connection = session.connection()
    # RETURNING hands each id back with the key that tells which row it is: SQLite returns
    # ids of a many-row insert in no promised order, and asking for the order costs one
    # statement per row.
    document_rows = [
        DocumentRow(d.digest, d.media_type, d.filename, len(d.data), d.data)._asdict()
        for d in documents
    ]
    inserted = connection.execute(
        insert(Document).returning(Document.sha256, Document.id), document_rows
    )
    ids_by_digest: dict[str, int] = {digest: id_ for digest, id_ in inserted}
    document_ids = [ids_by_digest[d.digest] for d in documents]
    ids_by_document: dict[int, int] = dict(
        connection.execute(
            insert(Report).returning(Report.document_id, Report.id),
            [
                _report_row(
                    d.report, agency_id, document_id, revision, is_current, synthetic
                )._asdict()
                for d, agency_id, document_id, revision, is_current in zip(
                    documents, agency_ids, document_ids, revisions, current, strict=True
                )
            ],
        ).all()
    )
    report_ids = [ids_by_document[document_id] for document_id in document_ids]
    _store_children(connection, list(zip(report_ids, (d.report for d in documents), strict=True)))
    # Counts the new reports, stops counting the revisions they supersede, and follows an
    # agency an explicit region just moved.
    touched = session.scalars(select(Report.id).where(Report.agency_id.in_(set(agency_ids))))
    known = {i: d.report.measures for i, d in zip(report_ids, documents, strict=True)}
    refresh_rollups_for_reports(session, touched.all(), known)
    refresh_flags(session, {(a, h.year or 0) for a, h in zip(agency_ids, headers, strict=True)})
    bump_data_version(session)
    return list(report_ids)


def _report_row(
    prepared: PreparedReport,
    agency_id: int,
    document_id: int,
    revision: int,
    is_current: bool,
    synthetic: bool,
) -> ReportRow:
    parsed = prepared.header
    assert parsed.year is not None
    hints = parsed.region_hints
    return ReportRow(
        agency_id=agency_id,
        document_id=document_id,
        year=parsed.year,
        format=parsed.format,
        period_start=parsed.period_start,
        period_end=parsed.period_end,
        title=parsed.title,
        publisher=parsed.publisher,
        contact_phone=parsed.contact_phone,
        source_url=parsed.source_url,
        revision=revision,
        is_current=is_current,
        parser_version=PARSER_VERSION,
        warnings=list(parsed.warnings),
        region_hints={
            "place_names": list(hints.place_names),
            "phone_area_code": hints.phone_area_code,
            "source_domain": hints.source_domain,
        },
        checks_passed=prepared.summary["pass"],
        checks_failed=prepared.summary["fail"],
        checks_not_assessable=prepared.summary["not_assessable"],
        synthetic=synthetic,
        provenance=asdict(parsed.provenance),
    )


def _agency_for(session: Session, parsed: ParsedReport, region_code: str | None) -> Agency:
    assert parsed.agency is not None
    name = parsed.agency
    agency = session.scalar(select(Agency).where(Agency.name == name))
    if agency is not None:
        if region_code is not None and agency.region_code != region_code:
            if agency.region_code is not None:
                raise Unprocessable(
                    f"agency {agency.id} ({agency.name}) is already placed in region "
                    f"{agency.region_code}; correct it with PATCH /api/v1/agencies/{agency.id}"
                )
            agency.region_code = region_code
            agency.region_candidates = []
        return agency
    code, candidates = (region_code, []) if region_code else _placement(session, parsed)
    if code is not None:
        same = _same_agency_in_region(session, name, code)
        if same is not None:
            return same
    agency = Agency(
        name=name, kind=agency_kind(name), region_code=code, region_candidates=candidates
    )
    session.add(agency)
    session.flush()
    return agency


def _placement(session: Session, parsed: ParsedReport) -> tuple[str | None, list[str]]:
    """The region the agency's name, phone and domain settle on, or the candidates left."""
    assert parsed.agency is not None
    hints = parsed.region_hints
    placement = place_agency(
        parsed.agency, phone_area_code=hints.phone_area_code, source_domain=hints.source_domain
    )
    wanted = [c for c in (placement.code, *placement.candidates) if c]
    known = set(session.scalars(select(Region.code).where(Region.code.in_(wanted))))
    if placement.code in known:
        return placement.code, []
    return None, [c for c in placement.candidates if c in known]


def _same_agency_in_region(session: Session, name: str, code: str) -> Agency | None:
    """An agency already placed here under a fuller or shorter form of the name.

    Reports name the same agency with and without the places above it (淮安市洪泽区人民政府,
    洪泽区人民政府), so names are compared with those leading place names removed.
    """
    ancestors: list[str] = []
    region = session.get(Region, code)
    while region is not None and region.parent_code is not None:
        region = session.get(Region, region.parent_code)
        if region is not None:
            ancestors.append(region.name)
    core = _without_leading(name, ancestors)
    for other in session.scalars(select(Agency).where(Agency.region_code == code)):
        if _without_leading(other.name, ancestors) == core:
            return other
    return None


def _without_leading(name: str, places: list[str]) -> str:
    stripped = True
    while stripped:
        stripped = False
        for place in places:
            if name.startswith(place) and len(name) > len(place):
                name = name[len(place) :]
                stripped = True
    return name


def _revisions(session: Session, keys: list[tuple[int, int]]) -> tuple[list[int], list[bool]]:
    """Each new report's revision, and whether it is current: the last of its agency and year.

    The reports stored before for those agencies and years stop being current.
    """
    pairs = set(keys)
    latest: dict[tuple[int, int], int] = {}
    for agency_id, year, revision in session.execute(
        select(Report.agency_id, Report.year, func.max(Report.revision))
        .where(tuple_(Report.agency_id, Report.year).in_(pairs))
        .group_by(Report.agency_id, Report.year)
    ):
        latest[(agency_id, year)] = revision
    if latest:
        session.execute(
            update(Report)
            .where(tuple_(Report.agency_id, Report.year).in_(latest))
            .values(is_current=False)
        )
    revisions = []
    for key in keys:
        latest[key] = latest.get(key, 0) + 1
        revisions.append(latest[key])
    last = {key: index for index, key in enumerate(keys)}
    return revisions, [last[key] == index for index, key in enumerate(keys)]


def _as_float(value: int | Decimal | None) -> float | None:
    return None if value is None else float(value)


def _store_children(connection: Connection, reports: list[tuple[int, PreparedReport]]) -> None:
    # A report writes three rows of packed cells (app/cells.py) and 40 checks: plain tuples
    # handed to the driver's executemany cost a fraction of SQLAlchemy's per-row parameter
    # processing.
    _insert_rows(connection, Section, [(i, *s) for i, p in reports for s in p.sections])
    parts = [(i, s[0], s[3]) for i, p in reports for s in p.sections]  # SectionRow: number, text
    index_parts(connection, [i for i, _ in reports], parts)
    _insert_rows(
        connection, ReportTable, [(i, *row) for i, p in reports for row in encode_cells(p.cells)]
    )
    _insert_rows(connection, ReportCheck, [(i, *c) for i, p in reports for c in p.checks])


def _insert_rows(connection: Connection, model: type[Base], rows: list[tuple[object, ...]]) -> None:
    """Insert rows holding every column of `model` in order: `report_id`, then its row layout."""
    if not rows:
        return
    columns = column_names(model)
    quote = connection.dialect.identifier_preparer.quote
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    statement = (
        f"INSERT INTO {model.__tablename__} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join([mark] * len(columns))})"
    )
    connection.exec_driver_sql(statement, rows)
