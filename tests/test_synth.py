"""Synthetic reports: real regions, sound arithmetic, determinism, and the stats benchmark."""

from __future__ import annotations

import json
import os
import random
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.engine import make_url

from app.catalog import cell_keys
from app.cells import load_cells
from app.checks import run_checks, summarize
from app.db import make_engine
from app.migrate import upgrade
from app.models import Agency, CellRow, Document, Region, Report, ReportRollup
from app.regions.data import load_regions
from app.regions.placing import agency_kind
from app.synth import SYNTHETIC_MARK, SynthSummary, report_cells, synthesize

REPORTS = 300
SEED = 7


def _fresh_engine(tmp_path: Path, name: str) -> Engine:
    url = f"sqlite:///{tmp_path / name}"
    upgrade(url)
    return make_engine(url)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, SynthSummary]]:
    engine = _fresh_engine(tmp_path_factory.mktemp("synth"), "synth.sqlite3")
    summary = synthesize(engine, reports=REPORTS, seed=SEED)
    yield engine, summary
    engine.dispose()


def _cells_by_report(engine: Engine) -> dict[int, list[CellRow]]:
    with engine.connect() as conn:
        ids = conn.scalars(select(Report.id)).all()
        return load_cells(conn, ids)


def _fingerprint(engine: Engine) -> tuple[Any, ...]:
    with engine.connect() as conn:
        totals: dict[tuple[str, str, str], float | None] = {}
        for cells in load_cells(conn, conn.scalars(select(Report.id)).all()).values():
            for c in cells:
                key = (c.table, c.row, c.col)
                if c.value is not None:
                    totals[key] = (totals.get(key) or 0.0) + c.value
                else:
                    totals.setdefault(key, None)
        sums = [(*key, totals[key]) for key in sorted(totals)]
        agencies = conn.execute(select(Agency.name, Agency.region_code).order_by(Agency.id)).all()
        reports = conn.execute(
            select(Report.agency_id, Report.year, Report.format).order_by(Report.id)
        ).all()
    return tuple(map(tuple, sums)), tuple(map(tuple, agencies)), tuple(map(tuple, reports))


def test_summary_counts_what_was_written(loaded: tuple[Engine, SynthSummary]) -> None:
    engine, summary = loaded
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Report)) == REPORTS
        assert conn.scalar(select(func.count()).select_from(Agency)) == summary.agencies
        ids = conn.scalars(select(Report.id)).all()
        assert sum(map(len, load_cells(conn, ids).values())) == summary.cells
        assert conn.scalar(select(func.count()).select_from(Document)) == REPORTS
    assert summary.reports == REPORTS
    assert f"{REPORTS} synthetic reports" in str(summary)


def test_reports_are_synthetic_current_first_revisions(
    loaded: tuple[Engine, SynthSummary],
) -> None:
    engine, _ = loaded
    with engine.connect() as conn:
        rows = conn.execute(select(Report.synthetic, Report.is_current, Report.revision)).all()
        documents = conn.execute(select(Document.sha256, Document.content)).all()
    assert set(map(tuple, rows)) == {(True, True, 1)}
    assert len({d.sha256 for d in documents}) == REPORTS
    assert all(d.content.decode().startswith("synthetic report ") for d in documents)


def test_every_cell_of_the_format_is_printed(loaded: tuple[Engine, SynthSummary]) -> None:
    engine, _ = loaded
    with engine.connect() as conn:
        formats = {r.id: r.format for r in conn.execute(select(Report.id, Report.format))}
    for report_id, cells in _cells_by_report(engine).items():
        fmt = formats[report_id]
        single_other = fmt == "2021" and any(c.row == "other" for c in cells)
        keys = [(c.table, c.row, c.col) for c in cells]
        assert sorted(keys) == sorted(cell_keys(fmt, single_other=single_other))


def test_checks_pass_unless_a_cell_is_missing(loaded: tuple[Engine, SynthSummary]) -> None:
    engine, _ = loaded
    with engine.connect() as conn:
        reports = {r.id: r for r in conn.execute(select(Report))}
    assessed_partly = 0
    for report_id, cells in _cells_by_report(engine).items():
        report = reports[report_id]
        results = run_checks(cells, report.format)
        counts = summarize(results)
        stored = (report.checks_passed, report.checks_failed, report.checks_not_assessable)
        assert stored == (counts["pass"], counts["fail"], counts["not_assessable"])
        assert counts["fail"] == 0
        missing = {
            f"{c.table}.{c.row}.{c.col}"
            for c in cells
            if c.status in ("blank", "unreadable") and c.table != "proactive"
        }
        for result in results:
            if result.result == "not_assessable":
                assert missing.intersection(result.cells), result.message
        assessed_partly += bool(counts["not_assessable"])
    assert assessed_partly < REPORTS * 0.2


def test_formats_follow_the_years(loaded: tuple[Engine, SynthSummary]) -> None:
    engine, _ = loaded
    with engine.connect() as conn:
        rows = conn.execute(select(Report.year, Report.format)).all()
    assert {year for year, _ in rows} <= set(range(2019, 2026))
    assert all(fmt == "2019" for year, fmt in rows if year < 2021)
    later = Counter(fmt for year, fmt in rows if year >= 2021)
    assert later["2021"] > 0.8 * sum(later.values())


def test_the_unusual_shapes_occur_in_a_large_sample() -> None:
    rng = random.Random(1)
    cells = [report_cells(rng, "2021", single_other=False) for _ in range(2000)]
    blanks = sum(any(c.status in ("blank", "unreadable") for c in report) for report in cells)
    amounts = [c for report in cells for c in report if c.col == "amount_wan_yuan" and c.value]
    assert 0.01 * 2000 < blanks < 0.06 * 2000
    assert any(isinstance(c.value, float) and not c.value.is_integer() for c in amounts)


def test_agencies_sit_in_real_regions_under_fictional_names(
    loaded: tuple[Engine, SynthSummary],
) -> None:
    engine, _ = loaded
    real = {r.code: r for r in load_regions()}
    with engine.connect() as conn:
        agencies = conn.execute(select(Agency)).all()
        stored_regions = set(conn.scalars(select(Region.code)))
    levels = Counter(real[a.region_code].level for a in agencies)
    for agency in agencies:
        assert agency.region_code in real and agency.region_code in stored_regions
        assert agency.name.startswith(real[agency.region_code].name + SYNTHETIC_MARK)
        assert agency.kind == agency_kind(agency.name)
    assert levels["county"] > levels["city"] > 0
    assert len({a.kind for a in agencies}) >= 4


def test_rollups_count_every_report(loaded: tuple[Engine, SynthSummary]) -> None:
    engine, _ = loaded
    with engine.connect() as conn:
        counted = conn.scalar(
            select(func.sum(ReportRollup.reports)).where(ReportRollup.grain == "country")
        )
    assert counted == REPORTS


def test_same_seed_same_data_and_a_second_run_adds_more(tmp_path: Path) -> None:
    first = _fresh_engine(tmp_path, "a.sqlite3")
    second = _fresh_engine(tmp_path, "b.sqlite3")
    try:
        synthesize(first, reports=40, seed=11)
        synthesize(second, reports=40, seed=11)
        assert _fingerprint(first) == _fingerprint(second)

        before = _fingerprint(first)
        synthesize(first, reports=25, seed=11)
        with first.connect() as conn:
            names = list(conn.scalars(select(Agency.name)))
            assert conn.scalar(select(func.count()).select_from(Report)) == 65
        assert len(names) == len(set(names))
        assert _fingerprint(first) != before
    finally:
        first.dispose()
        second.dispose()


@pytest.fixture
def postgres_schema() -> Iterator[str]:
    """A scratch schema in the PostgreSQL test database, dropped afterwards."""
    url = os.environ.get("TEST_DATABASE_URL", "")
    if make_url(url or "sqlite://").get_backend_name() != "postgresql":
        pytest.skip("TEST_DATABASE_URL does not name a PostgreSQL database")
    schema = f"synth_{uuid.uuid4().hex[:12]}"
    admin = make_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield (
            make_url(url)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def test_postgresql_copy_loads_the_same_data(postgres_schema: str, tmp_path: Path) -> None:
    upgrade(postgres_schema)
    engine = make_engine(postgres_schema)
    reference = _fresh_engine(tmp_path, "ref.sqlite3")
    try:
        synthesize(engine, reports=40, seed=11)
        synthesize(reference, reports=40, seed=11)
        assert _fingerprint(engine) == _fingerprint(reference)
        with engine.begin() as conn:
            # The sequences moved past the identifiers COPY wrote.
            next_id = conn.scalar(text("SELECT nextval(pg_get_serial_sequence('report', 'id'))"))
        assert next_id == 41
    finally:
        engine.dispose()
        reference.dispose()


def test_stats_benchmark_runs_end_to_end_on_sqlite(tmp_path: Path) -> None:
    from bench.stats import main

    argv = ["--reports", "50", "--databases", "sqlite", "--requests", "5"]
    status = main([*argv, "--threads", "2", "--seconds", "0.5", "--out", str(tmp_path)])
    results = json.loads((tmp_path / "stats.json").read_text(encoding="utf-8"))
    sqlite = results["databases"]["sqlite"]
    assert status == 0, sqlite
    assert sqlite["load"]["reports"] == 50
    assert sqlite["size_bytes"] > 0
    assert {lat["name"] for lat in sqlite["latency"]} >= {"aggregate year×province", "report cells"}
    assert all(lat["errors"] == 0 for lat in sqlite["latency"])
    assert sqlite["throughput"]["api_rps"] > 0 and sqlite["throughput"]["constant_rps"] > 0
