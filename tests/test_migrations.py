"""The migrations: one head, upgrade → downgrade → upgrade, and models that match them."""

from __future__ import annotations

import ast

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, func, inspect, select, text
from sqlalchemy.orm import Session

from app.cells import decode_table
from app.ingest import ingest_document
from app.migrate import alembic_config
from app.models import Base, Region, Report, ReportCheck, Section
from app.regions.data import load_regions
from app.search import include_name
from tests.conftest import EXAMPLES, REPO


def test_single_head() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1


def test_models_match_migrations(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_name": include_name}
        )
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_upgrade_downgrade_upgrade(engine: Engine) -> None:
    tables = set(Base.metadata.tables)
    with engine.connect() as conn:
        config = alembic_config(connection=conn)
        command.downgrade(config, "base")
        conn.commit()
        assert not tables & set(inspect(conn).get_table_names())
        command.upgrade(config, "head")
        conn.commit()
        assert tables <= set(inspect(conn).get_table_names())


def test_withdrawal_columns_go_and_come_back_without_losing_rows(engine: Engine) -> None:
    example = (EXAMPLES / "2020-qinghe-yunling-data-bureau.txt").read_bytes()
    with engine.connect() as conn:
        outer = conn.begin()  # DDL is transactional on both databases: nothing stays
        try:
            session = Session(bind=conn, join_transaction_mode="create_savepoint")
            ingest_document(session, example, "text/plain")
            session.commit()
            counts = [_cell_count(conn), conn.scalar(select(func.count()).select_from(Section))]
            assert all(counts)
            config = alembic_config(connection=conn)
            command.downgrade(config, "0004")
            columns = {c["name"] for c in inspect(conn).get_columns("report")}
            assert not columns & {"withdrawn_at", "withdrawal_reason"}
            # Dropping the columns must not rebuild the report table, which would cascade.
            section_count = conn.scalar(select(func.count()).select_from(Section))
            assert [_cell_count(conn), section_count] == counts
            command.upgrade(config, "head")
            assert session.scalar(select(Report.withdrawn_at)) is None
        finally:
            outer.rollback()


def _cell_count(conn: Connection) -> int:
    """Cells stored: rows of `cell` before 0012, packed in `report_table` since."""
    if "cell" in inspect(conn).get_table_names():
        return int(conn.scalar(text("SELECT count(*) FROM cell")) or 0)
    rows = conn.execute(text("SELECT table_code, statuses, cell_values, texts FROM report_table"))
    return sum(len(decode_table(c, bytes(s), bytes(v), t)) for c, s, v, t in rows)


def _row_counts(conn: Connection) -> list[int | None]:
    return [
        *(conn.scalar(select(func.count()).select_from(m)) for m in (Report, Section)),
        _cell_count(conn),
        conn.scalar(select(func.count()).select_from(ReportCheck)),
    ]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_each_downgrade_and_upgrade_keeps_the_reports_and_their_rows(engine: Engine) -> None:
    example = (EXAMPLES / "2020-qinghe-yunling-data-bureau.txt").read_bytes()
    script = ScriptDirectory.from_config(alembic_config())
    revisions = [r.revision for r in script.walk_revisions()]  # head first
    with engine.connect() as conn:
        outer = conn.begin()  # DDL is transactional on both databases: nothing stays
        try:
            session = Session(bind=conn, join_transaction_mode="create_savepoint")
            ingest_document(session, example, "text/plain")
            session.commit()
            counts = _row_counts(conn)
            assert all(counts)
            config = alembic_config(connection=conn)
            for revision in revisions[1:]:
                command.downgrade(config, revision)
                assert _row_counts(conn) == counts, f"rows lost going down to {revision}"
            for revision in reversed(revisions[:-1]):
                command.upgrade(config, revision)
                assert _row_counts(conn) == counts, f"rows lost going up to {revision}"
        finally:
            outer.rollback()


def test_the_migrated_region_tree_is_the_packaged_one(engine: Engine) -> None:
    """The migrations load a frozen copy of regions.csv; when the packaged one changes, this
    fails until a new migration brings databases up to it."""
    with engine.connect() as conn:
        migrated = {
            (r.code, r.name, r.level, r.kind, r.parent_code, tuple(r.former_names))
            for r in conn.execute(select(Region))
        }
    packaged = {
        (r.code, r.name, r.level, r.kind, r.parent_code, r.former_names) for r in load_regions()
    }
    assert len(migrated) == len(load_regions())
    assert migrated == packaged


def test_migrations_import_nothing_from_the_app() -> None:
    """A migration must run as written on a database of its revision, whatever app/ becomes."""
    for path in sorted((REPO / "migrations" / "versions").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            assert not any(n == "app" or n.startswith("app.") for n in names), path.name
