"""The search index kept current: by `gkstats reparse`, by `gkstats synth`, and filled by its
migration for a database that already holds reports."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, func, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from app.db import make_engine
from app.ingest import ingest_document
from app.migrate import alembic_config, upgrade
from app.models import Section
from app.reparse import reparse_reports
from app.search import SearchFilter, index_parts, parse_query, rebuild_index, search
from app.synth import synthesize
from tests.conftest import EXAMPLES
from tests.test_reparse import REPORT_2020, read_by_older_parser, store


def _found(session: Session, q: str) -> set[tuple[int, int]]:
    hits, total = search(session.connection(), parse_query(q), SearchFilter(), limit=1000, offset=0)
    assert total == len(hits)
    return {(h.report_id, h.number) for h in hits}


def test_a_reread_indexes_the_parts_anew(
    session_factory: sessionmaker[Session], session: Session
) -> None:
    report = store(session, REPORT_2020)
    assert _found(session, "健康码") == {(report, 1)}
    # As an older parser might have read part 一: other words, indexed as they were.
    session.execute(
        update(Section)
        .where(Section.report_id == report, Section.number == 1)
        .values(text="旧的读法没有这个词语")
    )
    parts = session.execute(select(Section.report_id, Section.number, Section.text)).all()
    index_parts(session.connection(), [report], [(r, n, t) for r, n, t in parts])
    read_by_older_parser(session, report)
    session.commit()
    assert _found(session, "健康码") == set()
    assert _found(session, "读法") == {(report, 1)}

    (outcome,) = reparse_reports(session_factory, workers=1, progress=False)
    assert outcome.status == "changed" and 1 in outcome.changes.sections
    session.expire_all()
    assert _found(session, "健康码") == {(report, 1)}
    assert _found(session, "读法") == set()


def test_rebuilding_the_index_gives_what_writes_kept(session: Session) -> None:
    store(session, REPORT_2020)
    store(session, EXAMPLES / "2023-qinghe-yunling-data-bureau.md")
    queries = ("疫情 公开", "数据 开放", '"政务 服务"', "公开 -疫情", "申请")
    before = {q: _found(session, q) for q in queries}
    assert all(before.values())
    assert rebuild_index(session.connection(), batch=3) == session.scalar(
        select(func.count()).select_from(Section)
    )
    assert {q: _found(session, q) for q in queries} == before


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_the_migration_fills_the_index_of_a_database_holding_reports(engine: Engine) -> None:
    example = REPORT_2020.read_bytes()
    with engine.connect() as conn:
        outer = conn.begin()  # DDL is transactional on both databases: nothing stays
        try:
            session = Session(bind=conn, join_transaction_mode="create_savepoint")
            report = ingest_document(session, example, "text/plain").report.id
            session.commit()
            expected = _found(session, "疫情 公开")
            assert expected
            config = alembic_config(connection=conn)
            command.downgrade(config, "0008")
            assert "section_search" not in {
                name for (name,) in conn.execute(text(_TABLES[conn.dialect.name]))
            }
            command.upgrade(config, "head")
            assert _found(session, "疫情 公开") == expected
            assert {r for r, _ in expected} == {report}
        finally:
            outer.rollback()


_TABLES = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'table'",
    "postgresql": "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()",
}


def test_synth_writes_six_parts_of_prose_and_indexes_them(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'synth.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        synthesize(engine, reports=60, seed=3)
        with Session(engine) as session:
            numbers = session.execute(
                select(Section.number, func.count(), func.min(func.length(Section.text)))
                .group_by(Section.number)
                .order_by(Section.number)
            ).all()
            assert [(n, c) for n, c, _ in numbers] == [(n, 60) for n in range(1, 7)]
            assert all(shortest >= 10 for _, _, shortest in numbers)
            common, rare = _found(session, "政务公开"), _found(session, "交通运输 养老服务")
            assert len(common) > 10 * max(len(rare), 1)
            both = _found(session, "数据安全 个人信息保护")
            assert both == _found(session, "數據安全 個人信息保護")
            # What synth indexed in bulk is what a rebuild from the parts gives.
            kept = {q: _found(session, q) for q in ("政务公开", "培训 -疫情", '"专题 培训"')}
            rebuild_index(session.connection())
            assert {q: _found(session, q) for q in kept} == kept
    finally:
        engine.dispose()
