"""Table 四 printed in pieces: the report's own prose and header titles choose among readings.

The fixture is our fictional agency's report as plain pdftotext prints it: the values come out
as 5 2 3 1 | 1 0 2 0 | 11 | 2 1 0 1 4 | 3 between header words, so the row totals fit any of
the three rows, and part 一 states the reconsideration and lawsuit figures in words.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from app.catalog import REVIEW_COLUMNS
from app.parsing.displaced import review_readings, settle_readings
from app.parsing.model import ParsedReport
from app.parsing.prose_figures import StatedCases, StatedReviews, stated_reviews
from app.parsing.text import parse_text
from app.parsing.tokens import tokenize

FIXTURE = Path(__file__).parent / "fixtures" / "reviews" / "pieces_out_of_order.txt"
PRINTED: dict[str, list[int]] = json.loads(
    FIXTURE.with_name(FIXTURE.name + ".expected.json").read_text(encoding="utf-8")
)["reviews"]
GROUPS = tuple(PRINTED)

PROSE_RECONSIDERATION = "政府信息公开行政复议 １１\n-1-\n\n件"
PROSE = (
    "政府信息公开行政复议 １１\n-1-\n\n件，其中结果维持 5 件，结果纠正 2 件，其他结果 3 件，尚\n"
    "未审结 1 件；政府信息公开行政诉讼 7 件，其中结果维持 3\n件，结果纠正 1 件，其他结果 2 件，"
    "尚未审结 1 件。"
)
TITLE_BEFORE_RUN = "其他\n\n复议后起诉\n\n尚未"
HEADER_TOP = "行政诉讼\n未经复议直接起诉\n"


def _report(*changes: tuple[str, str]) -> ParsedReport:
    text = FIXTURE.read_text(encoding="utf-8")
    for old, new in changes:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return parse_text(text)


def _reviews(report: ParsedReport) -> dict[str, list[object]]:
    cells = {(c.row, c.col): c for c in report.cells if c.table == "reviews"}
    for cell in cells.values():
        assert cell.status == ("inferred" if cell.value is not None else "unreadable")
    return {g: [cells[g, col.key].value for col in REVIEW_COLUMNS] for g in GROUPS}


def _never_asked() -> StatedReviews:
    pytest.fail("the prose was read although the arithmetic left no doubt")


def _stream(*pieces: str) -> list[str]:
    """One cell per line, blank lines between, as pdftotext prints without -layout."""
    lines: list[str] = []
    for piece in pieces:
        cells = piece.split(" ") if piece[0].isdigit() else [piece]
        for cell in cells:
            lines.extend([cell, ""])
    return lines


def _pieces(before_second: str = "结果") -> list[str]:
    """The fixture's pieces, with only the header words before the second piece kept."""
    return _stream(
        "总计", "5 2 3 1", before_second, "1 0 2 0", "总计", "11", "维持", "2 1 0 1 4", "总计", "3"
    )


# --- whole reports -------------------------------------------------------------------------


def test_prose_and_the_title_before_a_piece_place_every_cell() -> None:
    report = _report()
    assert _reviews(report) == PRINTED
    [note] = [w for w in report.warnings if w.startswith("reviews:")]
    assert "行政复议 11 件" in note
    assert "复议后起诉 printed before 1 0 2 0" in note


def test_prose_pins_reconsideration_and_lawsuits_stay_open_without_a_title() -> None:
    # 复议后起诉 printed with the other group titles at the top: no piece is titled on its own.
    report = _report(
        (TITLE_BEFORE_RUN, "其他\n\n尚未"), (HEADER_TOP, "行政诉讼\n未经复议直接起诉\n复议后起诉\n")
    )
    reviews = _reviews(report)
    assert reviews["reconsideration"] == PRINTED["reconsideration"]
    assert reviews["litigation_direct"] == [None] * 5
    assert reviews["litigation_after_reconsideration"] == [None] * 5
    assert any("the figures the prose states" in w for w in report.warnings)
    assert any("10 of 15 could not be placed" in w for w in report.warnings)


def test_prose_that_fits_no_reading_is_ignored_with_a_warning() -> None:
    report = _report((PROSE_RECONSIDERATION, "政府信息公开行政复议 12\n-1-\n\n件"))
    # Without the prose the title leaves two readings (reconsideration first or second).
    assert _reviews(report) == {g: [None] * 5 for g in GROUPS}
    assert any(
        "行政复议 12 件" in w and "fits no reading" in w and "not used" in w
        for w in report.warnings
    )
    assert not any("printed before" in w for w in report.warnings)


def test_a_title_that_leaves_two_readings_places_nothing() -> None:
    # No prose figures: 复议后起诉 fixes one group, but 行政复议 and 直接起诉 may still swap.
    report = _report((PROSE, "依法办理行政复议、行政诉讼案件。"))
    assert _reviews(report) == {g: [None] * 5 for g in GROUPS}
    assert any("15 of 15 could not be placed" in w for w in report.warnings)


def test_the_lawsuit_figures_alone_also_pin_reconsideration() -> None:
    # Only the right reading's two lawsuit rows add up to 行政诉讼 7 件 (3/1/2/1); that pins
    # reconsideration, and the title before 1 0 2 0 then places the lawsuits.
    report = _report((PROSE, "政府信息公开行政诉讼 7 件，其中结果维持 3 件，尚未审结 1 件。"))
    assert _reviews(report) == PRINTED


# --- the prose reader ----------------------------------------------------------------------


def test_figures_are_read_across_line_breaks_page_numbers_and_full_width_digits() -> None:
    stated = stated_reviews(FIXTURE.read_text(encoding="utf-8"))
    assert stated.reconsideration == StatedCases((5, 2, 3, 1, 11))
    assert stated.litigation == StatedCases((3, 1, 2, 1, 7))


def test_a_total_without_parts_constrains_only_the_total() -> None:
    stated = stated_reviews("全年共有行政诉讼案件 3 件、行政复议案件 2 件，均已结案。")
    assert stated.reconsideration == StatedCases((None, None, None, None, 2))
    assert stated.litigation == StatedCases((None, None, None, None, 3))
    assert stated.allows([1, 1, 0, 0, 2, 2, 0, 0, 0, 2, 1, 0, 0, 0, 1])
    assert not stated.allows([1, 1, 0, 0, 2, 2, 0, 0, 0, 2, 0, 0, 0, 0, 0])


def test_statements_that_conflict_state_nothing() -> None:
    text = "本年行政复议 4 件，其中结果维持 4 件。另有行政复议 6 件尚未审结。行政诉讼 1 件。"
    stated = stated_reviews(text)
    assert stated.reconsideration is None
    assert stated.litigation == StatedCases((None, None, None, None, 1))


def test_lawsuits_are_the_two_lawsuit_groups_together() -> None:
    stated = StatedReviews(litigation=StatedCases((3, 1, 2, 1, 7)))
    assert stated.allows(
        [0] * 5 + PRINTED["litigation_direct"] + PRINTED["litigation_after_reconsideration"]
    )
    assert stated.allows(
        [0] * 5 + PRINTED["litigation_after_reconsideration"] + PRINTED["litigation_direct"]
    )
    assert not stated.allows([0] * 5 + PRINTED["litigation_direct"] * 2)


def test_a_report_without_such_sentences_states_nothing() -> None:
    assert not stated_reviews(
        "本局全年未发生因政府信息公开引起的行政复议、行政诉讼。"
    ).states_anything


# --- readings from the pieces --------------------------------------------------------------


def _settled(
    lines: list[str], stated: Callable[[], StatedReviews]
) -> tuple[list[int | None], list[str]]:
    found = review_readings(tokenize(lines))
    assert found is not None
    orders, notes = settle_readings(found, stated)
    return [int(t.text) if t else None for t in found.cells(orders)], notes


def test_prose_is_not_read_when_the_arithmetic_leaves_one_reading() -> None:
    cells, notes = _settled(_stream("1 1 0 0 2 1 0 0 0 1 2 0 1 0", "总计", "3"), _never_asked)
    assert cells == [1, 1, 0, 0, 2, 1, 0, 0, 0, 1, 2, 0, 1, 0, 3]
    assert notes == []


def test_prose_is_not_used_on_a_table_that_contradicts_itself() -> None:
    # No order makes the rows add up; readings the arithmetic rejected are never chosen among.
    cells, notes = _settled(_stream("4 1 0 0 0 0 0 0 0 0 2 0 0 0", "总计", "0"), _never_asked)
    assert cells[0] is None and notes == []


def test_prose_narrows_to_the_readings_it_agrees_with() -> None:
    stated = StatedReviews(reconsideration=StatedCases((5, 2, 3, 1, 11)))
    cells, notes = _settled(_pieces(), lambda: stated)
    assert cells[:5] == PRINTED["reconsideration"]
    assert cells[5:] == [None] * 10
    assert notes and "行政复议 11 件" in notes[0]


@pytest.mark.parametrize(
    ("words", "titled"),
    [
        ("复议后起诉", 2),  # contains 复议, yet is not 行政复议
        ("未经复议直接起诉", 1),
        ("行政复议", 0),
        ("行政诉讼", None),  # heads both lawsuit groups: names neither
        ("政府信息公开行政复议、行政诉讼情况", None),  # the table's own title
    ],
)
def test_the_words_before_a_piece_name_its_group(words: str, titled: int | None) -> None:
    found = review_readings(tokenize(_pieces(words)))
    assert found is not None
    assert [run.titled for run in found.runs] == [None, titled, None, None, None]


def test_a_stretch_naming_two_groups_titles_no_piece() -> None:
    lines = _pieces("复议后起诉")
    at = lines.index("复议后起诉")
    lines[at:at] = ["未经复议直接起诉", ""]
    found = review_readings(tokenize(lines))
    assert found is not None
    assert all(run.titled is None for run in found.runs)


def test_the_title_decides_only_what_the_prose_left_open() -> None:
    stated = StatedReviews(reconsideration=StatedCases((5, 2, 3, 1, 11)))
    cells, notes = _settled(_pieces("复议后起诉"), lambda: stated)
    assert cells == [n for g in GROUPS for n in PRINTED[g]]
    assert "复议后起诉 printed before 1 0 2 0" in notes[-1]


def test_a_title_contradicting_the_prose_places_nothing_more() -> None:
    # The prose pins 5 2 3 1 11 as reconsideration; a title claiming that piece for 复议后起诉
    # leaves no reading, so the lawsuits stay open rather than follow either.
    stated = StatedReviews(reconsideration=StatedCases((5, 2, 3, 1, 11)))
    lines = _stream(
        "复议后起诉", "5 2 3 1", "结果", "1 0 2 0", "总计", "11", "维持", "2 1 0 1 4", "总计", "3"
    )
    cells, notes = _settled(lines, lambda: stated)
    assert cells[:5] == PRINTED["reconsideration"]
    assert cells[5:] == [None] * 10
    assert not any("printed before" in n for n in notes)
