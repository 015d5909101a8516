"""Stored flags follow every write: ingest in any order, revisions, withdrawals, re-reads,
bulk ingest and synth leave what computing every flag afresh would give."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from app.bulk import ingest_paths
from app.cells import encode_cells, load_cells
from app.compare import report_cells
from app.db import make_engine
from app.flags import plausibility_flags, rebuild_flags
from app.ingest import ingest_document
from app.migrate import upgrade
from app.models import Report, ReportFlag, ReportTable
from app.reparse import reparse_reports
from app.rollup import rebuild_rollups
from app.synth import synthesize
from app.withdraw import withdraw_report
from tests.conftest import EXAMPLES
from tests.stats.conftest import Key, add_report

FlagRow = tuple[int, str, str, int, float, float]
EXAMPLE_2020 = EXAMPLES / "2020-qinghe-yunling-data-bureau.txt"
APPLICANTS = ("natural_person", "commercial", "research", "social_org", "legal_service")


def stored(session: Session) -> set[FlagRow]:
    rows = session.execute(
        select(
            ReportFlag.report_id,
            ReportFlag.rule,
            ReportFlag.cell_key,
            ReportFlag.previous_report_id,
            ReportFlag.expected,
            ReportFlag.found,
        )
    )
    return {tuple(row) for row in rows}  # type: ignore[misc]


def afresh(session: Session) -> set[FlagRow]:
    """Every flag computed from the cells, report by report, as nothing stored says."""
    current = {
        (r.agency_id, r.year): r.id
        for r in session.execute(
            select(Report.id, Report.agency_id, Report.year).where(Report.is_current.is_(True))
        )
    }
    found: set[FlagRow] = set()
    for (agency, year), report_id in current.items():
        previous = current.get((agency, year - 1))
        if previous is None:
            continue
        for f in plausibility_flags(
            report_cells(session, previous), report_cells(session, report_id)
        ):
            found.add((report_id, f.rule, f.key, previous, f.expected, f.found))
    return found


def assert_current(session: Session) -> set[FlagRow]:
    session.flush()
    flags = stored(session)
    assert flags == afresh(session)
    return flags


def requests_cells(
    carried_over: int | None = None, carried_forward: int | None = None
) -> dict[Key, Any]:
    cells: dict[Key, Any] = {}
    if carried_over is not None:
        cells["requests", "carried_over", "total"] = carried_over
    if carried_forward is not None:
        cells["requests", "carried_forward", "total"] = carried_forward
    return cells


def test_flags_follow_ingests_in_any_order_revisions_and_withdrawals(session: Session) -> None:
    agency, other = "青禾市云岭区档案局", "青禾市云岭区气象局"
    # Another agency's flags, which no write below may change.
    add_report(session, other, 2020, requests_cells(carried_forward=1))
    add_report(session, other, 2021, requests_cells(carried_over=2))
    theirs = assert_current(session)
    assert len(theirs) == 1

    # The later year first: nothing to compare with yet.
    later = add_report(session, agency, 2021, requests_cells(carried_over=5, carried_forward=4))
    assert assert_current(session) == theirs
    # Then the year before: the later report is flagged against it.
    earlier = add_report(session, agency, 2020, requests_cells(carried_forward=3))
    flags = assert_current(session) - theirs
    rule, key = "requests.carried_over", "requests.carried_over.total"
    assert flags == {(later.id, rule, key, earlier.id, 3, 5)}
    # The year after: compared with the later report, which carried forward what it says.
    after = add_report(session, agency, 2022, requests_cells(carried_over=4))
    assert assert_current(session) - theirs == flags

    # A revision of the year before that agrees: the flag goes.
    revised = add_report(session, agency, 2020, requests_cells(carried_forward=5))
    assert assert_current(session) == theirs
    # The revision withdrawn: the first revision is current again, and so is its flag.
    withdraw_report(session, revised, "stored by mistake")
    assert assert_current(session) - theirs == flags
    # Both withdrawn: the later report has no year before.
    withdraw_report(session, earlier, "another agency's report")
    assert assert_current(session) == theirs
    # A revision of the later year that disagrees with the year after.
    newer = add_report(session, agency, 2021, requests_cells(carried_forward=6))
    assert assert_current(session) - theirs == {(after.id, rule, key, newer.id, 6, 4)}
    # A flag is never a correction: the cells are as stored.
    assert {
        c.value
        for c in load_cells(session.connection(), [after.id], "requests")[after.id]
        if c.row == "carried_over"
    } == {4}
    # Computing everything afresh gives what the writes kept.
    kept = stored(session)
    assert rebuild_flags(session) == len(kept)
    assert stored(session) == kept


def test_a_reread_recomputes_the_flags_of_the_report_and_the_year_after(
    session_factory: sessionmaker[Session], session: Session
) -> None:
    text = EXAMPLE_2020.read_text(encoding="utf-8")
    earlier_text = text.replace("2020", "2019").replace("2021 年 1 月", "2020 年 1 月")
    earlier = ingest_document(session, earlier_text.encode(), "text/plain").report.id
    later = ingest_document(session, text.encode(), "text/plain").report.id
    session.commit()
    before = assert_current(session)
    carried = {k for r, rule, k, *_ in before if r == later and rule == "requests.carried_over"}
    assert carried == {f"requests.carried_over.{c}" for c in (*APPLICANTS, "other_org")}

    # As an older parser would have read the earlier report: 结转下年度 of natural persons as
    # the later report's 上年结转, so that column was not flagged.
    cells = [
        c._replace(value=5, raw="5")
        if (c.row, c.col) == ("carried_forward", "natural_person")
        else c
        for c in load_cells(session.connection(), [earlier], "requests")[earlier]
    ]
    [(code, unreadable, statuses, values, texts)] = encode_cells(cells)
    session.execute(
        update(ReportTable)
        .where(ReportTable.report_id == earlier, ReportTable.table_code == code)
        .values(unreadable=unreadable, statuses=statuses, cell_values=values, texts=texts)
    )
    session.execute(update(Report).where(Report.id == earlier).values(parser_version="0"))
    rebuild_rollups(session)
    rebuild_flags(session)
    session.commit()
    misread = assert_current(session)
    assert len(misread) == len(before) - 1

    (outcome,) = reparse_reports(session_factory, workers=1, progress=False)

    assert outcome.status == "changed"
    session.expire_all()
    assert assert_current(session) == before


def test_a_reread_that_moves_a_report_to_another_year(
    session_factory: sessionmaker[Session], session: Session
) -> None:
    text = EXAMPLE_2020.read_text(encoding="utf-8")
    earlier_text = text.replace("2020", "2019").replace("2021 年 1 月", "2020 年 1 月")
    ingest_document(session, earlier_text.encode(), "text/plain")
    later = ingest_document(session, text.encode(), "text/plain").report.id
    session.execute(update(Report).where(Report.id == later).values(year=2021, parser_version="0"))
    rebuild_rollups(session)
    rebuild_flags(session)
    session.commit()
    assert assert_current(session) == set()  # 2019 and 2021: no consecutive years

    (outcome,) = reparse_reports(session_factory, workers=1, progress=False)

    assert outcome.changes.fields == {"year": (2021, 2020)}
    session.expire_all()
    assert {r for r, *_ in assert_current(session)} == {later}


def test_bulk_ingest_stores_the_flags_of_a_batch(own_database_url: str, tmp_path: Path) -> None:
    text = EXAMPLE_2020.read_text(encoding="utf-8")
    paths = []
    # Newest first: each report's year before arrives after it, in the same batch.
    for year in (2020, 2019, 2018):
        path = tmp_path / f"{year}.txt"
        edited = text.replace("2020", str(year)).replace("2021 年 1 月", f"{year + 1} 年 1 月")
        path.write_text(edited, encoding="utf-8")
        paths.append(path)
    engine = make_engine(own_database_url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    try:
        outcomes = ingest_paths(factory, paths, workers=2, progress=False)
        assert {o.status for o in outcomes} == {"stored"}
        with factory() as session:
            flags = assert_current(session)
        # The same figures each year: 上年结转 is not the year before's 结转下年度 in six
        # columns, and 上一年项目数量 repeats instead of running on, in the 2019 and 2020 reports.
        by_report: dict[int, set[tuple[str, str]]] = {}
        for report, rule, key, *_ in flags:
            by_report.setdefault(report, set()).add((rule, key))
        assert len(by_report) == 2
        first, second = by_report.values()
        assert first == second
        assert sum(rule == "requests.carried_over" for rule, _ in first) == 6
        assert {rule for rule, _ in first} == {"requests.carried_over", "proactive.prev_items"}
    finally:
        engine.dispose()


def test_synth_stores_flags_at_a_low_rate(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'synth.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        synthesize(engine, reports=400, seed=5)
        with Session(engine) as session:
            flags = assert_current(session)
            reports = session.scalar(select(func.count()).select_from(Report)) or 0
        assert flags, "a seeded few reports break the running counts"
        assert len({report for report, *_ in flags}) < 0.1 * reports
    finally:
        engine.dispose()
