"""`gkstats ingest` against a real database file: stored, unchanged and failed documents."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from app import cli, config, db
from app.migrate import upgrade
from app.models import Report
from tests.conftest import EXAMPLES


@pytest.fixture
def sqlite_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    for cached in (config.get_settings, db.get_engine, db.get_sessionmaker):
        cached.cache_clear()
    upgrade(url)
    yield url
    db.get_engine().dispose()
    for cached in (config.get_settings, db.get_engine, db.get_sessionmaker):
        cached.cache_clear()


def count_reports(url: str) -> int:
    engine = create_engine(url)
    with engine.connect() as conn:
        count = conn.scalar(select(func.count()).select_from(Report)) or 0
    engine.dispose()
    return count


def test_ingest_folder_then_again(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "docs"
    shutil.copytree(EXAMPLES, folder)
    (folder / "notes.txt").write_text("随便写的几句话，不是年度报告。", encoding="utf-8")

    assert cli.main(["ingest", str(folder)]) == 1
    out, err = capsys.readouterr()
    assert "2 stored, 0 unchanged, 1 failed (3 documents)" in out
    assert "notes.txt" in err
    assert count_reports(sqlite_url) == 2

    assert cli.main(["ingest", "--quiet", *map(str, sorted(EXAMPLES.glob("*.txt")))]) == 0
    out, _ = capsys.readouterr()
    assert "0 stored, 1 unchanged, 0 failed (1 documents)" in out
    assert count_reports(sqlite_url) == 2


def test_ingest_unknown_file_type(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    odd = tmp_path / "report.xyz"
    odd.write_bytes(b"hello")
    assert cli.main(["ingest", str(odd)]) == 1
    _, err = capsys.readouterr()
    assert "unknown file type" in err
    assert count_reports(sqlite_url) == 0


def test_agency_and_year_for_a_document_without_a_title(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (EXAMPLES / "2020-qinghe-yunling-data-bureau.txt").read_text("utf-8")
    untitled = tmp_path / "cut.txt"
    untitled.write_text(text.split("\n", 1)[1].replace("2020 年", "本"), encoding="utf-8")
    assert cli.main(["ingest", "--quiet", str(untitled)]) == 1
    _, err = capsys.readouterr()
    assert "year=" in err  # the agency is still named in the contact paragraph
    assert (
        cli.main(
            ["ingest", "--quiet", "--agency", "青禾市云岭区档案局", "--year", "2020", str(untitled)]
        )
        == 0
    )
    assert count_reports(sqlite_url) == 1


def synthetic_count(url: str) -> int:
    engine = create_engine(url)
    with engine.connect() as conn:
        count = conn.scalar(select(func.count()).where(Report.synthetic.is_(True))) or 0
    engine.dispose()
    return count


def test_synth_if_empty_adds_the_demo_set_once(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["synth", "--reports", "30", "--seed", "1", "--if-empty"]) == 0
    assert synthetic_count(sqlite_url) == 30
    assert cli.main(["synth", "--reports", "30", "--seed", "1", "--if-empty"]) == 0
    out, _ = capsys.readouterr()
    assert "30 synthetic reports already stored; none added" in out
    assert synthetic_count(sqlite_url) == 30
    assert cli.main(["synth", "--reports", "5"]) == 0
    assert synthetic_count(sqlite_url) == 35
