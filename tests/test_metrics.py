"""Metrics: a report's measures as computed beside the parse (`report_measures`) and as read
back from its stored cells (`load_values`, `value_measures`) agree."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy.orm import Session

from app.cells import load_values
from app.ingest import parse_for_ingest, prepare, store_parsed
from app.metrics import METRIC_FORMATS, RATIOS, Measure, value_measures
from tests.conftest import EXAMPLES

DOCUMENTS = (
    ("2020-qinghe-yunling-data-bureau.txt", "text/plain"),
    ("2023-qinghe-yunling-data-bureau.md", "text/markdown"),
)


def stored_measures(session: Session, report_id: int) -> list[Measure]:
    return sorted(value_measures(load_values(session.connection(), [report_id])[report_id]))


@pytest.mark.parametrize(("name", "media_type"), DOCUMENTS)
@pytest.mark.parametrize("blank", [None, "requests.granted.total", "reviews.reconsideration.total"])
def test_measures_computed_beside_the_parse_and_read_back_agree(
    session: Session, name: str, media_type: str, blank: str | None
) -> None:
    data = (EXAMPLES / name).read_bytes()
    parsed = parse_for_ingest(data, media_type)
    if blank is not None:  # a blank component leaves its rate out
        cells = tuple(
            replace(c, value=None, raw="", status="blank")
            if f"{c.table}.{c.row}.{c.col}" == blank
            else c
            for c in parsed.cells
        )
        parsed = replace(parsed, cells=cells)
    report = store_parsed(session, data, media_type, parsed).report
    in_python = sorted(prepare(parsed).measures)
    assert in_python == stored_measures(session, report.id)
    assert {m for m, _, _ in in_python} <= METRIC_FORMATS.keys()
    assert (blank is None) == all(name in {m for m, _, _ in in_python} for name in RATIOS)
