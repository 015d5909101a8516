"""Upgrading old databases: a database made at any earlier revision and filled with reports as
that revision's schema allows answers the API, once upgraded, as a database made at head with
the same rows does.

The rows come from reports stored at head (the two examples and reports with chosen cells in
placed and unplaced agencies, revisions, a withdrawal, a synthetic report); each older database
receives the tables and columns its revision has. The reference at head receives the same rows
and counts them with today's `rebuild_rollups`, so the migrations' own rebuild is held to it.
Runs on SQLite, and on PostgreSQL (scratch schemas) when TEST_DATABASE_URL names one.
"""

from __future__ import annotations

import os
import random
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient
from sqlalchemy import Engine, MetaData, insert, inspect, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from app.catalog import Format
from app.cells import load_cells
from app.config import Settings
from app.db import make_engine
from app.flags import rebuild_flags
from app.ingest import ingest_document
from app.migrate import alembic_config, upgrade
from app.models import CellRow
from app.rollup import rebuild_rollups
from app.withdraw import withdraw_report
from tests.conftest import API_KEY, EXAMPLES
from tests.stats.conftest import AGENCIES, add_report, random_cells

_SCRIPT = ScriptDirectory.from_config(alembic_config())
HEAD = _SCRIPT.get_current_head()
OLDER = sorted(r.revision for r in _SCRIPT.walk_revisions() if r.revision != HEAD)

# Parents before children, so each foreign key holds as rows arrive. The region tree is not
# copied: the migrations load it.
TABLES = (
    "document",
    "agency",
    "report",
    "section",
    "cell",
    "report_table",
    "report_check",
    "rollup_report",
    "cell_rollup",
    "report_rollup",
    "agency_rollup_block",
    "agency_rollup",
    "report_flag",
)
ROLLUPS = ("rollup_report", "cell_rollup", "report_rollup", "agency_rollup_block", "agency_rollup")


@pytest.fixture(scope="module")
def scratch_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[], str]]:
    """Makes empty databases: SQLite files, or PostgreSQL schemas dropped afterwards."""
    url = os.environ.get("TEST_DATABASE_URL", "")
    if make_url(url or "sqlite://").get_backend_name() != "postgresql":
        folder = tmp_path_factory.mktemp("upgrade")
        yield lambda: f"sqlite:///{folder / f'{uuid.uuid4().hex}.sqlite3'}"
        return
    admin = make_engine(url)
    schemas: list[str] = []

    def new_schema() -> str:
        schema = f"upgrade_{uuid.uuid4().hex[:12]}"
        with admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        schemas.append(schema)
        return (
            make_url(url)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )

    try:
        yield new_schema
    finally:
        with admin.begin() as conn:
            for schema in schemas:
                conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(scope="module")
def source(scratch_database: Callable[[], str]) -> Iterator[Engine]:
    """A database at head holding the reports every older database is filled from."""
    url = scratch_database()
    upgrade(url)
    engine = make_engine(url)
    rng = random.Random(20261203)
    with Session(engine) as session:
        for example, media_type in (
            ("2020-qinghe-yunling-data-bureau.txt", "text/plain"),
            ("2023-qinghe-yunling-data-bureau.md", "text/markdown"),
        ):
            ingest_document(session, (EXAMPLES / example).read_bytes(), media_type)
        for name, region in AGENCIES:
            for year in (2020, 2022):
                fmt: Format = "2019" if year < 2021 else "2021"
                add_report(session, name, year, random_cells(rng, fmt), fmt=fmt, region=region)
        add_report(session, AGENCIES[0][0], 2022, random_cells(rng, "2021"))  # revision 2
        mistaken = add_report(session, AGENCIES[4][0], 2022, random_cells(rng, "2021"))
        withdraw_report(session, mistaken, "another agency's report")
        add_report(
            session, "合成测试局", 2021, random_cells(rng, "2021"), region="230804", synthetic=True
        )
        # Consecutive years, so that reports are flagged against the year before.
        for name, region in AGENCIES[:3]:
            jump = {**random_cells(rng, "2021"), ("requests", "new", "total"): 4000}
            add_report(session, name, 2021, jump, region=region)
        session.commit()
    yield engine
    engine.dispose()


def rows_at(source: Engine, old: Engine) -> dict[str, list[dict[str, Any]]]:
    """The source's rows as the `old` database can hold them: its tables, its columns."""
    tables = set(inspect(old).get_table_names())
    with old.connect() as conn:
        regions = set(conn.scalars(text("SELECT code FROM region")))
    held = MetaData()
    source_tables = set(inspect(source).get_table_names())
    held.reflect(bind=source, only=[t for t in TABLES if t in tables & source_tables])
    found: dict[str, list[dict[str, Any]]] = {}
    with source.connect() as conn:
        for name in TABLES:
            if name not in tables:
                continue
            if name == "cell" and name not in source_tables:
                # Before 0012 cells were rows of their own: unpacked from report_table.
                ids = conn.scalars(text("SELECT id FROM report")).all()
                found[name] = [
                    {"report_id": report_id, **_cell_columns(cell)}
                    for report_id, cells in load_cells(conn, ids).items()
                    for cell in cells
                ]
                continue
            columns = [c["name"] for c in inspect(old).get_columns(name)]
            query = select(*(held.tables[name].c[c] for c in columns))
            found[name] = [dict(row) for row in conn.execute(query).mappings()]
        version = conn.scalar(text("SELECT version FROM data_version"))
    for agency in found["agency"]:
        # Before the region tree is loaded (0001), no agency can be placed.
        if agency["region_code"] not in regions:
            agency["region_code"] = None
    if "data_version" in tables:
        found["data_version"] = [{"id": 1, "version": version}]
    return found


def _cell_columns(cell: CellRow) -> dict[str, Any]:
    names = {"table": "table_key", "row": "row_key", "col": "col_key"}
    return {names.get(field, field): value for field, value in cell._asdict().items()}


def insert_rows(target: Engine, rows: dict[str, list[dict[str, Any]]]) -> None:
    tables = MetaData()
    tables.reflect(bind=target, only=list(rows))
    with target.begin() as conn:
        for name, table_rows in rows.items():
            if name == "data_version":  # the migrations made its one row
                conn.execute(update(tables.tables[name]).values(table_rows[0]))
            elif table_rows:
                conn.execute(insert(tables.tables[name]), table_rows)


RATES = "metric=disclosure_rate&metric=denial_rate&metric=reconsideration_correction_rate"
METRICS = f"metric=requests.new.total&{RATES}&metric=litigation_correction_rate"
BY_PROVINCE = (
    "/api/v1/stats/aggregate?metric=requests.new.total&metric=disclosure_rate"
    "&group_by=year,province"
)
READS = (
    "/api/v1/reports",
    "/api/v1/reports?include_superseded=true&limit=1000",
    "/api/v1/agencies",
    "/api/v1/agencies?unplaced=true",
    "/api/v1/stats/coverage",
    "/api/v1/stats/coverage?include_synthetic=true",
    "/api/v1/flags?limit=1000&include_synthetic=true",
    BY_PROVINCE,
    *(
        f"/api/v1/stats/aggregate?{METRICS}&group_by={group_by}{synthetic}"
        for group_by in ("year", "year,province", "year,city", "year,county", "agency_kind,format")
        for synthetic in ("", "&include_synthetic=true")
    ),
)
REPORT_READS = ("", "/cells?include_derived=true", "/sections", "/checks", "/revisions", "/flags")


def api_answers(engine: Engine) -> dict[str, Any]:
    """The JSON of READS, and of REPORT_READS for every report stored, by path."""
    from app.main import create_app

    url = engine.url.render_as_string(hide_password=False)
    settings = Settings(database_url=url, api_keys=frozenset({API_KEY}))
    app = create_app(settings, sessionmaker(bind=engine, expire_on_commit=False))
    answers: dict[str, Any] = {}
    with TestClient(app) as client:

        def read(path: str) -> None:
            response = client.get(path)
            assert response.status_code == 200, (path, response.text)
            answers[path] = response.json()

        for path in READS:
            read(path)
        for report in answers["/api/v1/reports?include_superseded=true&limit=1000"]["items"]:
            for suffix in REPORT_READS:
                read(f"/api/v1/reports/{report['id']}{suffix}")
    return answers


def rollup_rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as conn:
        return {
            table: sorted(
                tuple(round(v, 6) if isinstance(v, float) else v for v in row)
                for row in conn.execute(text(f"SELECT * FROM {table}"))
            )
            for table in ROLLUPS
        }


@pytest.mark.parametrize("revision", OLDER)
def test_an_old_database_upgraded_answers_as_one_made_at_head(
    revision: str, source: Engine, scratch_database: Callable[[], str]
) -> None:
    old_url, reference_url = scratch_database(), scratch_database()
    upgrade(old_url, revision)
    old = make_engine(old_url)
    upgrade(reference_url)
    reference = make_engine(reference_url)
    try:
        rows = rows_at(source, old)
        insert_rows(old, rows)
        upgrade(old_url)

        # The same rows as head holds them: cells packed in report_table rather than `cell`.
        at_head = {k: v for k, v in rows.items() if k != "cell"}
        if "cell" in rows:
            at_head["report_table"] = rows_at(source, reference)["report_table"]
        insert_rows(reference, at_head)
        if not set(ROLLUPS) <= set(rows):
            with Session(reference) as session:
                rebuild_rollups(session)
                session.commit()
        if "report_flag" not in rows:
            with Session(reference) as session:
                rebuild_flags(session)
                session.commit()

        upgraded = rollup_rows(old)
        assert all(upgraded.values())
        assert upgraded == rollup_rows(reference)
        answers = api_answers(old)
        assert answers == api_answers(reference)
        everything = answers["/api/v1/reports?include_superseded=true&limit=1000"]["items"]
        assert len(everything) == len(rows["report"])
        assert len(answers[BY_PROVINCE]["items"]) > 1
        assert answers["/api/v1/flags?limit=1000&include_synthetic=true"]["total"] > 0
    finally:
        old.dispose()
        reference.dispose()
