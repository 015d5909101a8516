"""Every report document of the real corpus, ingested with no hints: who and when, never wrong.

A document that prints its agency and year anywhere is stored under them; one that does not is
refused with the reason. What the corpus's truth.json (else manifest.tsv) names is the reference:
a name written with 某 ("某区统计局") or noted as inferred (推断, from the URL) is one the
document does not print, and so is a year it leaves unknown.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from app.errors import NotAReport
from app.ingest import ingest_document
from app.parsing.document import media_type_for
from tests.conftest import shared_path

pytestmark = pytest.mark.shared

CORPUS = shared_path("corpus")
NOT_REPORTS = {"README.md", "manifest.tsv", "truth.json", "template-2021.docx"}
# Places that lead a full name and that reports leave out ("洪泽区人民政府" for
# "淮安市洪泽区人民政府"), and the one abbreviation the corpus prints in place of a full name:
# the Shanghai report calls itself 上海市科委 throughout and never spells 科学技术委员会 out.
_LEADING_PLACE = re.compile(r"^[\u4e00-\u9fff]{2,8}?(?:市|县|区|新区)")
_ABBREVIATIONS = {"上海市科委": "上海市科学技术委员会"}


def _references() -> dict[str, tuple[str | None, int | None]]:
    """Per file: the agency and year the corpus names, or None where the document does not."""
    manifest = CORPUS / "manifest.tsv"
    with manifest.open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream, delimiter="\t"))
    truth = json.loads((CORPUS / "truth.json").read_text("utf-8"))
    by_file: dict[str, tuple[str, object, str]] = {
        row["file"]: (row["agency"], row["year"], row["notes"]) for row in rows
    }
    for entry in truth.values():
        for name in entry["files"]:
            notes = by_file[name][2] if name in by_file else ""
            by_file[name] = (entry["agency"], entry["year"], notes)
    references: dict[str, tuple[str | None, int | None]] = {}
    for name, (agency, year, _notes) in by_file.items():
        if name in NOT_REPORTS:
            continue
        printed = agency if "某" not in agency and "推断" not in agency else None
        references[name] = (
            printed.split("(", 1)[0] if printed else None,
            int(str(year)) if str(year).isdigit() else None,
        )
    return references


def same_agency(stored: str, reference: str) -> bool:
    """The stored name is the reference's, or the reference less the places leading it."""
    stored = _ABBREVIATIONS.get(stored, stored)
    shorter = reference
    while True:
        if stored in (shorter, shorter.removesuffix("人民政府")):
            return True
        match = _LEADING_PLACE.match(shorter)
        if match is None or match.end() == len(shorter):
            return False
        shorter = shorter[match.end() :]


def test_the_reference_comparison_is_strict() -> None:
    assert same_agency("洪泽区人民政府", "淮安市洪泽区人民政府")
    assert same_agency("大五里镇", "迁安市大五里镇人民政府")
    assert not same_agency("洪泽区人民政府", "淮安市人民政府")
    assert not same_agency("区统计局", "青禾市云岭区统计局")
    assert not same_agency("两城镇人民政府", "微山县两城镇")


def test_every_report_document_stores_its_own_agency_and_year(session: Session) -> None:
    references = _references()
    assert len(references) == 31
    stored: dict[str, tuple[str, int]] = {}
    refused: dict[str, str] = {}
    for name in sorted(references):
        path: Path = CORPUS / name
        media = media_type_for(name, None)
        assert media is not None
        try:
            result = ingest_document(session, path.read_bytes(), media, filename=name)
        except NotAReport as exc:
            refused[name] = exc.message
            continue
        report = result.report
        session.refresh(report, ["agency"])
        stored[name] = (report.agency.name, report.year)
    for name, (agency_name, stored_year) in stored.items():
        reference_agency, reference_year = references[name]
        assert reference_agency is not None, f"{name}: stored {agency_name!r}, not printed"
        assert same_agency(agency_name, reference_agency), (name, agency_name, reference_agency)
        assert stored_year == reference_year, (name, stored_year, reference_year)
    for name, (agency, year) in references.items():
        if agency is not None and year is not None:
            assert name in stored, (
                f"{name} prints {agency} {year} but was refused: {refused.get(name)}"
            )
        else:
            assert name in refused, name
            missing = "agency name" if agency is None else "report year"
            assert f"could not find the {missing}" in refused[name], refused[name]
    assert len(stored) >= 22
