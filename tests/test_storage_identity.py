"""Migration 0012 (cells packed a row per report and table) changes no answer, byte for byte.

A database at 0008 is filled through plain SQL with the rows of reports stored by today's code
(the examples, reports with every kind of cell: decimals, 万元, raw text with spaces or
full-width digits, unreadable and inferred cells, and a few hundred synthetic reports), cells
as rows of `cell`. Upgraded to 0012, it answers every read of cells exactly as the database the
rows came from; downgraded, its `cell` rows are the ones it was filled with; upgraded again, it
answers the same once more. Runs on SQLite, and on PostgreSQL (scratch schemas) when
TEST_DATABASE_URL names one.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from app.catalog import Format, column_of
from app.config import Settings
from app.db import make_engine
from app.ingest import ingest_document, store_parsed
from app.migrate import downgrade, upgrade
from app.models import Agency, Report
from app.parsing import ParsedCell, ParsedReport
from app.parsing.model import CellStatus
from app.rollup import rebuild_rollups
from app.synth import synthesize
from tests.conftest import API_KEY, EXAMPLES
from tests.stats.conftest import AGENCIES, add_report, random_cells
from tests.test_migrations_upgrade import insert_rows, rows_at, scratch_database

__all__ = ["scratch_database"]  # the fixture, used here by name

SYNTHETIC = 300
EDGE_AGENCY = "青禾市云岭区数据资源局"

# (table, row, col) → (value, raw, status, unit) for the cells a plain report does not have.
EDGES: dict[tuple[str, str, str], tuple[Any, str, CellStatus, str | None]] = {
    ("proactive", "rules", "made"): (3, " 3 ", "number", None),
    ("proactive", "rules", "published"): (12, "１２", "number", None),
    ("proactive", "licensing", "change"): (-4, "减少4", "number", None),
    ("proactive", "fees", "prev_items"): (None, "—", "not_applicable", None),
    ("proactive", "procurement", "items"): (1_234_567, "1,234,567", "number", None),
    ("proactive", "procurement", "amount"): (
        Decimal("160.5964"),
        "160.5964万元",
        "number",
        "万元",
    ),
    ("requests", "new", "social_org"): (None, "", "blank", None),
    ("requests", "new", "other_org"): (None, "12O", "unreadable", None),
    ("requests", "new", "total"): (9, "9", "inferred", None),
    ("requests", "granted", "total"): (127, "127件", "number", "件"),
    ("reviews", "reconsideration", "pending"): (None, "见附表", "unreadable", None),
}


def edge_report(rng: random.Random, year: int) -> ParsedReport:
    fmt: Format = "2019" if year < 2021 else "2021"
    cells = []
    for (table, row, col), value in random_cells(rng, fmt).items():
        edge = EDGES.get((table, row, col))
        if edge is not None and column_of(table, row, col, fmt) is not None:
            cells.append(ParsedCell(table, row, col, *edge))
        elif value is None:
            cells.append(ParsedCell(table, row, col, None, "", "blank"))
        else:
            cells.append(ParsedCell(table, row, col, value, str(value), "number"))
    return ParsedReport(
        format=fmt,
        agency=EDGE_AGENCY,
        year=year,
        title=f"{EDGE_AGENCY}{year}年政府信息公开工作年度报告",
        period_start=None,
        period_end=None,
        publisher=None,
        contact_phone=None,
        sections=(),
        cells=tuple(cells),
    )


@pytest.fixture(scope="module")
def source(scratch_database: Callable[[], str]) -> Iterator[Engine]:
    """A database at head holding every kind of cell."""
    url = scratch_database()
    upgrade(url)
    engine = make_engine(url)
    rng = random.Random(20261204)
    with Session(engine) as session:
        for example, media_type in (
            ("2020-qinghe-yunling-data-bureau.txt", "text/plain"),
            ("2023-qinghe-yunling-data-bureau.md", "text/markdown"),
        ):
            ingest_document(session, (EXAMPLES / example).read_bytes(), media_type)
        for year in (2019, 2020, 2021, 2022):
            data = f"edges {year}".encode()
            store_parsed(session, data, "text/plain", edge_report(rng, year), region_code="230803")
        for name, region in AGENCIES:
            for year in (2020, 2021, 2022):
                fmt: Format = "2019" if year < 2021 else "2021"
                add_report(session, name, year, random_cells(rng, fmt), fmt=fmt, region=region)
        session.commit()
    synthesize(engine, reports=SYNTHETIC, seed=11)
    with Session(engine) as session:  # the rollups as a rebuild gives them, for both sides
        rebuild_rollups(session)
        session.commit()
    yield engine
    engine.dispose()


def cell_reads(engine: Engine) -> list[str]:
    """Every read that serves cells or sums of them, for the reports of this database."""
    with engine.connect() as conn:
        real = conn.scalars(select(Report.id).where(Report.synthetic.is_(False))).all()
        synthetic = conn.scalars(
            select(Report.id).where(Report.synthetic.is_(True)).order_by(Report.id).limit(25)
        ).all()
        agencies = conn.scalars(select(Agency.id).order_by(Agency.id).limit(40)).all()
        years = conn.scalars(select(Report.year).distinct().order_by(Report.year)).all()
    metrics = (
        "metric=requests.new.total&metric=proactive.procurement.amount"
        "&metric=proactive.fees.amount_wan_yuan&metric=disclosure_rate&metric=denial_rate"
        "&metric=reconsideration_correction_rate&metric=litigation_correction_rate"
    )
    paths = [
        "/api/v1/reports?unreadable_cells=true&limit=1000",
        "/api/v1/reports?unreadable_cells=true&include_superseded=true&synthetic=true",
        "/api/v1/stats/keys",
        "/api/v1/stats/keys?include_synthetic=true",
        "/api/v1/stats/coverage?level=county&include_synthetic=true",
    ]
    for synthetic_too in ("", "&include_synthetic=true"):
        for group_by in ("year", "year,province", "year,city", "year,county", "agency", "format"):
            paths.append(f"/api/v1/stats/aggregate?{metrics}&group_by={group_by}{synthetic_too}")
            if "year" in group_by:
                paths.append(
                    f"/api/v1/stats/aggregate?{metrics}&group_by={group_by}"
                    f"&compare=previous_year{synthetic_too}"
                )
        paths.append(f"/api/v1/stats/aggregate?{metrics}&region=230803{synthetic_too}")
        paths.append(f"/api/v1/stats/aggregate.csv?{metrics}&group_by=agency{synthetic_too}")
        for year in years:
            for by, metric in (
                ("agency", "requests.new.total"),
                ("county", "disclosure_rate"),
                ("agency", "proactive.procurement.amount"),
            ):
                paths.append(
                    f"/api/v1/stats/rank?metric={metric}&year={year}&by={by}&limit=50"
                    f"{synthetic_too}"
                )
    for agency_id in agencies:
        paths.append(f"/api/v1/stats/aggregate?{metrics}&agency_id={agency_id}&group_by=year")
        paths.append(f"/api/v1/agencies/{agency_id}/compare")
        paths.append(f"/api/v1/agencies/{agency_id}/compare.csv")
    for report_id in (*real, *synthetic):
        base = f"/api/v1/reports/{report_id}"
        paths += [
            f"{base}/cells",
            f"{base}/cells?include_derived=true",
            f"{base}/cells?table=requests&col=total",
            f"{base}/cells?include_derived=true&row=denied",
            f"{base}/cells.csv?include_derived=true",
            f"{base}/checks",
            f"{base}/flags",
            *(f"{base}/tables/{table}" for table in ("proactive", "requests", "reviews")),
            f"{base}/tables/proactive.csv",
        ]
    return paths


def answers(engine: Engine, paths: list[str]) -> dict[str, tuple[int, str, bytes]]:
    from app.main import create_app

    url = engine.url.render_as_string(hide_password=False)
    settings = Settings(database_url=url, api_keys=frozenset({API_KEY}))
    app = create_app(settings, sessionmaker(bind=engine, expire_on_commit=False))
    found: dict[str, tuple[int, str, bytes]] = {}
    with TestClient(app) as client:
        for path in paths:
            response = client.get(path)
            found[path] = (
                response.status_code,
                response.headers.get("content-type", ""),
                response.content,
            )
    return found


def cell_rows(engine: Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return sorted(
            tuple(row)
            for row in conn.execute(
                text(
                    "SELECT report_id, table_key, row_key, col_key, value, raw, status, unit"
                    " FROM cell"
                )
            )
        )


def test_cells_packed_by_0012_answer_byte_for_byte_as_before(
    source: Engine, scratch_database: Callable[[], str]
) -> None:
    paths = cell_reads(source)
    expected = answers(source, paths)
    assert sum(status == 200 for status, _, _ in expected.values()) > 0.95 * len(paths)
    old_url = scratch_database()
    upgrade(old_url, "0008")
    old = make_engine(old_url)
    try:
        rows = rows_at(source, old)
        assert "cell" in rows and "report_table" not in rows
        insert_rows(old, rows)
        filled = cell_rows(old)
        assert len(filled) > 199 * SYNTHETIC
        assert {row[6] for row in filled} == {
            "number",
            "blank",
            "not_applicable",
            "inferred",
            "unreadable",
        }

        upgrade(old_url, "0012")
        assert answers(old, paths) == expected

        downgrade(old_url, "0008")
        assert cell_rows(old) == filled

        upgrade(old_url, "0012")
        assert answers(old, paths) == expected
    finally:
        old.dispose()
