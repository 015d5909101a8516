"""`gkstats ingest --manifest`: one row per document with what is known about it; a bad row is
refused with its line and column, the other rows are ingested."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, sessionmaker

from app import cli
from app.manifest import ManifestError, read_manifest
from app.models import Agency, Report
from tests.conftest import EXAMPLES

REPORT_2020 = EXAMPLES / "2020-qinghe-yunling-data-bureau.txt"
REPORT_2023 = EXAMPLES / "2023-qinghe-yunling-data-bureau.md"
CENTRE = "青禾市云岭区大数据中心"
SOURCE = "https://www.yunling.example.gov.cn/xxgk/2020.html"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    docs = tmp_path / "crawl" / "docs"
    docs.mkdir(parents=True)
    (docs / "2020.txt").write_bytes(REPORT_2020.read_bytes())
    (docs / "2023.md").write_bytes(REPORT_2023.read_bytes())
    # A page cut before its title: the crawl knows whose report it is and for which year.
    untitled = REPORT_2020.read_text(encoding="utf-8").split("\n", 1)[1]
    (docs / "untitled.txt").write_text(untitled.replace("2020", "2021"), encoding="utf-8")
    return tmp_path / "crawl"


@pytest.fixture
def ingest(
    session_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> sessionmaker[Session]:
    monkeypatch.setattr("app.db.get_sessionmaker", lambda: session_factory)
    return session_factory


def write(folder: Path, lines: list[str], encoding: str = "utf-8-sig") -> Path:
    manifest = folder / "list.csv"
    manifest.write_text("\n".join(lines) + "\n", encoding=encoding)
    return manifest


def test_rows_are_ingested_with_their_hints_and_bad_rows_named(
    ingest: sessionmaker[Session],
    session: Session,
    folder: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    manifest = write(
        folder,
        [
            "path,url,agency,year,region,source_url",
            f"docs/2020.txt,,,,,{SOURCE}",
            f"docs/untitled.txt,,{CENTRE},2021,,",
            "docs/2023.md,,,,110101,",
            "docs/2020.txt,,,20x1,,",
            ",,,,,",
            ",,,2022,,",
            ",https://www.yunling.example.gov.cn/xxgk/2022.pdf,,,,",
            "docs/missing.txt,,,,999999,",
        ],
    )

    assert cli.main(["ingest", "--manifest", str(manifest), "--workers", "2", "-v"]) == 1
    out, err = capsys.readouterr()
    assert "3 stored, 0 unchanged, 4 failed (7 documents)" in out
    assert f"{manifest} line 5: column year: '20x1' is not a year between 1990 and 2100" in err
    assert f"{manifest} line 7: column path: missing: give the document's file" in err
    assert f"{manifest} line 8: column url: https://www.yunling.example.gov.cn/xxgk/2022.pdf" in err
    assert "fetched by `gkstats ingest URL`" in err
    assert f"{manifest} line 9: column region: '999999' is not a known GB/T 2260 code" in err

    reports = {
        (r.agency.name, r.year): r
        for r in session.scalars(
            select(Report).join(Agency).options(joinedload(Report.agency))
        ).unique()
    }
    assert set(reports) == {
        ("青禾市云岭区数据资源管理局", 2020),
        (CENTRE, 2021),
        ("青禾市云岭区数据资源管理局", 2023),
    }
    assert reports["青禾市云岭区数据资源管理局", 2020].source_url == SOURCE
    assert reports["青禾市云岭区数据资源管理局", 2023].source_url is None
    agency = session.scalar(select(Agency).where(Agency.name == "青禾市云岭区数据资源管理局"))
    assert agency is not None and agency.region_code == "110101"

    again = write(folder, ["path", "docs/2023.md"])
    assert cli.main(["ingest", "--manifest", str(again), "--quiet"]) == 0
    out, _ = capsys.readouterr()
    assert "0 stored, 1 unchanged, 0 failed (1 documents)" in out


def test_gb18030_manifest(ingest: sessionmaker[Session], session: Session, folder: Path) -> None:
    manifest = write(folder, ["path,agency", f"docs/untitled.txt,{CENTRE}"], encoding="gb18030")
    assert cli.main(["ingest", "--manifest", str(manifest), "--quiet"]) == 0
    assert session.scalar(select(Agency.name).join(Report, Report.agency_id == Agency.id)) == CENTRE


def test_a_manifest_without_its_columns_is_refused(folder: Path) -> None:
    with pytest.raises(ManifestError, match="path or url needed"):
        read_manifest(write(folder, ["file,name", "docs/2020.txt,x"]))
    with pytest.raises(ManifestError, match="not 'agencyname'"):
        read_manifest(write(folder, ["path,agencyname", "docs/2020.txt,x"]))


def test_rows_are_read_relative_to_the_manifest(folder: Path) -> None:
    rows, errors = read_manifest(write(folder, ["path,year", "docs/2020.txt,2020"]))
    assert errors == []
    (row,) = rows
    assert (row.line, row.path, row.hints.year) == (2, folder / "docs" / "2020.txt", 2020)
