"""`gkstats ingest` killed with SIGKILL stores no report in part and none twice, and resumes.

A short `python -m bench crash`, with the same cycles and checks (bench/crash.py); the command
killed alone, whose workers must follow it; and the checks themselves (bench/_invariants.py) held
to finding what a partial write would leave. All run on a database of their own, which the ingest
subprocesses commit to: a SQLite file, or, when TEST_DATABASE_URL names a PostgreSQL database, a
schema made for the test there.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import sessionmaker

from app.bulk import STORE_BATCH, ingest_paths
from app.cells import TABLE_CODES
from app.db import make_engine
from app.models import (
    Agency,
    CellRollup,
    Document,
    Report,
    ReportCheck,
    ReportTable,
    Section,
)
from bench._invariants import expect_files, find_violations, summarize
from bench._reports import write_reports
from bench.crash import (
    AFTER_COMMIT,
    DURING_COMMIT,
    RANDOM,
    Cycle,
    Pace,
    Target,
    Workload,
    complete,
    crash_cycle,
)

# Two whole transactions and part of a third: the first run is killed right after its first
# commit, the second during one, the third at a random moment.
DOCUMENTS = 2 * STORE_BATCH + 76


@pytest.mark.crash
def test_killed_runs_resume_with_nothing_partial_or_twice(
    own_database_url: str, tmp_path: Path
) -> None:
    workload = Workload(tmp_path / "reports")
    workload.top_up(DOCUMENTS)
    engine = make_engine(own_database_url)
    log = tmp_path / "ingest.log"
    pace, rng = Pace(), random.Random(2019)
    try:
        cycles: list[Cycle] = []
        for number, moment in enumerate((AFTER_COMMIT, DURING_COMMIT, RANDOM), start=1):
            stored = cycles[-1].run.stored_after if cycles else 0
            target = (
                Target(AFTER_COMMIT, commit=1)
                if moment == AFTER_COMMIT
                else pace.target(moment, DOCUMENTS - stored, rng)
            )
            cycle = crash_cycle(
                number, engine, own_database_url, workload, target, workers=2, log=log
            )
            pace.learn(cycle.run)
            assert summarize(cycle.violations) == [], (cycle.run, log.read_text())
            cycles.append(cycle)
        done = complete(engine, own_database_url, workload, workers=2)
    finally:
        engine.dispose()

    first = cycles[0].run
    assert first.killed and first.landed == "after a commit"
    assert first.stored_after == STORE_BATCH
    assert summarize(done.violations) == []
    assert done.rerun == f"0 stored, {DOCUMENTS} unchanged, 0 failed ({DOCUMENTS} documents)"


@pytest.mark.crash
def test_the_workers_follow_the_command_killed_alone(own_database_url: str, tmp_path: Path) -> None:
    # `kill -9` of the command's own process, as an operator or the OOM killer would. Its
    # workers must not outlive it: they were started after it connected to the database, and
    # whatever keeps that connection open keeps the killed transaction, and on PostgreSQL its
    # locks, which the next run would wait on for ever.
    workload = Workload(tmp_path / "reports")
    workload.top_up(64)  # a transaction of them all, stored once the workers have parsed them
    engine = make_engine(own_database_url)
    log = tmp_path / "ingest.log"
    try:
        target = Target(DURING_COMMIT, commit=1, alone=True)
        cycle = crash_cycle(1, engine, own_database_url, workload, target, workers=2, log=log)
        assert cycle.run.killed
        assert summarize(cycle.violations) == [], (cycle.run, log.read_text())
        done = complete(engine, own_database_url, workload, workers=2)
    finally:
        engine.dispose()
    assert summarize(done.violations) == []


def test_the_checks_find_what_a_partial_write_would_leave(
    own_database_url: str, tmp_path: Path
) -> None:
    paths = write_reports(tmp_path / "reports", 8)
    revised = tmp_path / "reports" / "000000-revised.txt"
    revised.write_bytes(paths[0].read_bytes() + "\n附：更正。\n".encode())
    paths.append(revised)
    expected = expect_files(paths)
    engine = make_engine(own_database_url)
    try:
        factory = sessionmaker(bind=engine, expire_on_commit=False)
        assert {o.status for o in ingest_paths(factory, paths, workers=1, progress=False)} == {
            "stored"
        }
        assert find_violations(engine, expected) == []

        with engine.begin() as conn:
            reports = list(conn.scalars(select(Report.id).order_by(Report.id)))
            first, second, third, fourth = reports[1:5]
            conn.execute(
                delete(ReportTable).where(
                    ReportTable.report_id == first,
                    ReportTable.table_code == TABLE_CODES["reviews"],
                )
            )
            conn.execute(delete(Section).where(Section.report_id == second, Section.number == 1))
            conn.execute(update(Report).where(Report.id == third).values(checks_passed=0))
            rule = conn.scalar(select(ReportCheck.rule).where(ReportCheck.report_id == fourth))
            conn.execute(
                delete(ReportCheck).where(ReportCheck.report_id == fourth, ReportCheck.rule == rule)
            )
            conn.execute(update(Report).where(Report.id == reports[0]).values(is_current=True))
            conn.execute(update(Report).where(Report.id == reports[-1]).values(revision=5))
            conn.execute(
                update(CellRollup)
                .where(CellRollup.grain == "country", CellRollup.metric == "requests.new.total")
                .values(value_sum=CellRollup.value_sum + 1)
            )
            conn.execute(
                insert(Document).values(
                    sha256="0" * 64, media_type="text/plain", size=1, content=b"x"
                )
            )
            conn.execute(insert(Agency).values(name="青禾市无报告局", region_candidates=[]))

        found = {v.invariant for v in find_violations(engine, expected)}
    finally:
        engine.dispose()
    assert found >= {
        "report with other cells",
        "report with other sections",
        "report with other checks summary",
        "report with other checks",
        "report with other check results",
        "not exactly one current report",
        "revisions not numbered 1..n",
        "cell_rollup row unlike a rebuild",
        "document without a report",
        "agency without a report",
    }
