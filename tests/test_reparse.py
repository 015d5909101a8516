"""`gkstats reparse`: stored documents read again, reports updated in place with a record, the
rollups following, failures kept with their reason, dry runs and reruns that change nothing."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from app import cli
from app.cells import encode_cells, load_cells
from app.errors import ApiError
from app.ingest import ingest_document, parse_for_ingest
from app.models import DataVersion, Document, Report, ReportReread, ReportTable
from app.parsing.document import media_type_for
from app.parsing.version import PARSER_VERSION
from app.reparse import Reread, reparse_reports
from app.rollup import rebuild_rollups
from tests.conftest import EXAMPLES
from tests.stats.test_rollup import snapshot

REPORT_2020 = EXAMPLES / "2020-qinghe-yunling-data-bureau.txt"
REPORT_2023 = EXAMPLES / "2023-qinghe-yunling-data-bureau.md"
METRIC = "requests.new.natural_person"
CELL = ("requests", "new", "natural_person")
NOT_A_REPORT = "随便写的几句话，不是年度报告。".encode()


def store(session: Session, path: Path, **hints: Any) -> int:
    media_type = media_type_for(path.name, None)
    assert media_type is not None
    report_id = ingest_document(session, path.read_bytes(), media_type, **hints).report.id
    session.commit()
    return report_id


def read_by_older_parser(session: Session, report_id: int, **report: Any) -> None:
    """What an older parser would have stored: the report marked with its version, and
    whatever it read differently (`report` fields; the rollups counting what it read)."""
    session.execute(
        update(Report).where(Report.id == report_id).values(parser_version="0", **report)
    )
    rebuild_rollups(session)
    session.commit()


def misread_cell(session: Session, report_id: int, value: float, status: str) -> None:
    table = CELL[0]
    cells = [
        c._replace(value=value, raw=str(int(value)), status=status)
        if (c.table, c.row, c.col) == CELL
        else c
        for c in load_cells(session.connection(), [report_id], table)[report_id]
    ]
    [(code, unreadable, statuses, values, texts)] = encode_cells(cells)
    session.execute(
        update(ReportTable)
        .where(ReportTable.report_id == report_id, ReportTable.table_code == code)
        .values(unreadable=unreadable, statuses=statuses, cell_values=values, texts=texts)
    )


def stored_cell(session: Session, report_id: int) -> tuple[Any, ...]:
    table = CELL[0]
    [found] = [
        (c.value, c.status)
        for c in load_cells(session.connection(), [report_id], table)[report_id]
        if (c.table, c.row, c.col) == CELL
    ]
    return found


def total(client: TestClient, **params: Any) -> float:
    response = client.get("/api/v1/stats/aggregate", params={"metric": METRIC, **params})
    assert response.status_code == 200, response.text
    value: float = response.json()["totals"]["values"][METRIC]
    return value


def data_version(session: Session) -> int:
    return session.scalar(select(DataVersion.version)) or 0


def statuses(outcomes: list[Reread]) -> Counter[str]:
    return Counter(o.status for o in outcomes)


def test_a_changed_reading_updates_the_report_and_the_stats_follow(
    session_factory: sessionmaker[Session], session: Session, client: TestClient
) -> None:
    old = store(session, REPORT_2020)
    new = store(session, REPORT_2023)
    right = stored_cell(session, old)
    expected_total = total(client)
    misread_cell(session, old, 9999, "inferred")
    read_by_older_parser(session, old)
    read_by_older_parser(session, new)
    misread_total = total(client)
    assert misread_total == expected_total - right[0] + 9999
    etag = client.get("/api/v1/reports").headers["etag"]

    outcomes = reparse_reports(session_factory, workers=2, progress=False)

    assert [(o.report_id, o.status) for o in outcomes] == [(old, "changed"), (new, "unchanged")]
    changes = outcomes[0].changes
    assert (changes.values, changes.statuses, changes.fields, changes.sections) == (1, 1, {}, [])
    assert outcomes[0].detail.startswith("1 values, 1 statuses")
    session.expire_all()
    assert stored_cell(session, old) == right
    assert session.scalars(select(Report.parser_version)).all() == [PARSER_VERSION] * 2
    assert total(client) == expected_total
    kept = snapshot(session)
    rebuild_rollups(session)
    assert snapshot(session) == kept
    assert client.get("/api/v1/reports").headers["etag"] != etag

    # The report keeps its id and revision; the re-read is on record, with what it said before.
    revisions = client.get(f"/api/v1/reports/{old}/revisions").json()["items"]
    assert [(r["id"], r["revision"], r["is_current"]) for r in revisions] == [(old, 1, True)]
    assert revisions[0]["parser_version"] == PARSER_VERSION
    rereads = client.get(f"/api/v1/reports/{old}/rereads").json()
    assert rereads["report_id"] == old
    (record,) = rereads["items"]
    assert (record["parser_before"], record["parser_after"]) == ("0", PARSER_VERSION)
    key = ".".join(CELL)
    assert record["changes"]["cells"] == [
        [key, [9999, "inferred", "9999", None], [right[0], right[1], str(int(right[0])), None]]
    ]
    assert client.get(f"/api/v1/reports/{new}/rereads").json()["items"] == []

    again = reparse_reports(session_factory, workers=1, progress=False)
    assert again == []
    every = reparse_reports(session_factory, every_version=True, workers=1, progress=False)
    assert statuses(every) == {"unchanged": 2}
    assert session.scalar(select(func.count()).select_from(ReportReread)) == 1


def test_a_dry_run_writes_nothing(session_factory: sessionmaker[Session], session: Session) -> None:
    report_id = store(session, REPORT_2020)
    misread_cell(session, report_id, 9999, "inferred")
    read_by_older_parser(session, report_id)
    before = (data_version(session), snapshot(session))

    outcomes = reparse_reports(session_factory, dry_run=True, workers=1, progress=False)

    assert statuses(outcomes) == {"changed": 1}
    session.expire_all()
    assert stored_cell(session, report_id) == (9999, "inferred")
    assert session.scalar(select(Report.parser_version)) == "0"
    assert (data_version(session), snapshot(session)) == before
    assert session.scalar(select(func.count()).select_from(ReportReread)) == 0


def test_a_document_that_no_longer_parses_keeps_its_reading(
    session_factory: sessionmaker[Session], session: Session
) -> None:
    report_id = store(session, REPORT_2020)
    read_by_older_parser(session, report_id)
    kept = stored_cell(session, report_id)
    document_id = session.scalar(select(Report.document_id).where(Report.id == report_id))
    # As if the parser had lost what once let it read this document.
    session.execute(
        update(Document)
        .where(Document.id == document_id)
        .values(content="随便写的几句话，不是年度报告。".encode())
    )
    session.commit()

    (outcome,) = reparse_reports(session_factory, workers=1, progress=False)

    assert outcome.status == "failed"
    with pytest.raises(ApiError) as not_a_report:
        parse_for_ingest(NOT_A_REPORT, "text/plain")
    assert outcome.detail == not_a_report.value.message
    session.expire_all()
    assert stored_cell(session, report_id) == kept
    assert session.scalar(select(Report.parser_version)) == "0"
    # Still read by an older parser: the next run tries it again.
    assert [o.report_id for o in reparse_reports(session_factory, progress=False)] == [report_id]


def test_a_reading_with_another_year_moves_the_report(
    session_factory: sessionmaker[Session], session: Session, client: TestClient
) -> None:
    report_id = store(session, REPORT_2020)
    read_by_older_parser(session, report_id, year=2019)
    assert total(client, year=2019) > 0

    (outcome,) = reparse_reports(session_factory, workers=1, progress=False)

    assert outcome.status == "changed"
    assert outcome.changes.fields == {"year": (2019, 2020)}
    assert outcome.detail == "year 2019 → 2020"
    session.expire_all()
    report = session.get(Report, report_id)
    assert report is not None
    assert (report.year, report.revision, report.is_current) == (2020, 1, True)
    assert (
        client.get("/api/v1/stats/aggregate", params={"metric": METRIC, "year": 2019}).json()[
            "totals"
        ]["reports"]
        == 0
    )
    assert total(client, year=2020) > 0
    kept = snapshot(session)
    rebuild_rollups(session)
    assert snapshot(session) == kept


def test_an_agency_given_at_ingest_stays_given(
    session_factory: sessionmaker[Session], session: Session
) -> None:
    report_id = store(session, REPORT_2020, agency="青禾市云岭区大数据中心", year=2021)
    read_by_older_parser(session, report_id)

    (outcome,) = reparse_reports(session_factory, workers=1, progress=False)

    assert (outcome.status, outcome.detail) == ("unchanged", "")
    session.expire_all()
    report = session.get(Report, report_id)
    assert report is not None
    assert (report.year, report.parser_version) == (2021, PARSER_VERSION)


def test_the_command_says_what_changed(
    session_factory: sessionmaker[Session],
    session: Session,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr("app.db.get_sessionmaker", lambda: session_factory)
    old = store(session, REPORT_2020)
    misread_cell(session, old, 9999, "inferred")
    read_by_older_parser(session, old, year=2019)

    assert cli.main(["reparse", "--dry-run", "-v", "--workers", "1"]) == 0
    out, _ = capsys.readouterr()
    assert f"changed   report {old}  year 2019 → 2020; 1 values, 1 statuses" in out
    assert "1 would change, 0 unchanged, 0 failed (1 reports re-read)" in out
    assert "1 values, 1 statuses, 0 agencies, 1 years would change" in out
    assert "dry run: nothing was written" in out

    assert cli.main(["reparse", "--quiet"]) == 0
    out, _ = capsys.readouterr()
    assert "1 changed, 0 unchanged, 0 failed (1 reports re-read)" in out
    assert cli.main(["reparse"]) == 0
    out, _ = capsys.readouterr()
    assert "0 changed, 0 unchanged, 0 failed (0 reports re-read)" in out
