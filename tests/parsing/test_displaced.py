"""Values that plain PDF text prints away from their places: placed only when no doubt remains."""

from __future__ import annotations

from app.parsing.displaced import _row_major, review_readings
from app.parsing.tokens import Token, tokenize


def reviews_from_runs(tokens: list[Token]) -> list[Token | None] | None:
    """The cells every reading the arithmetic keeps agrees on."""
    found = review_readings(tokens)
    return None if found is None else found.cells(list(found.readings))


def _stream(*pieces: str) -> list[str]:
    """One cell per line, blank lines between blocks, as pdftotext prints without -layout."""
    lines: list[str] = []
    for piece in pieces:
        lines.extend([*piece.split(" "), ""] if piece[0].isdigit() else [piece, ""])
    return lines


def _column(*values: str) -> list[str]:
    return [*values, ""]


def test_column_blocks_are_turned_back_into_rows() -> None:
    # One row printed across, then two rows printed column by column (seven blocks of two).
    lines = ["（二）部分公开", ""]
    lines.extend(v for value in "3000003" for v in (value, ""))
    for first, second in [("2", "5")] + [("0", "0")] * 5 + [("2", "5")]:
        lines.extend(_column(first, second))
    ordered = _row_major(tokenize(lines))
    assert ordered is not None
    assert [t.text for t in ordered] == list("3000003") + list("2000002") + list("5000005")


def test_blocks_of_unequal_height_are_no_column_layout() -> None:
    lines = ["（二）部分公开", ""]
    for block in [("2", "5")] * 6 + [("2",)]:
        lines.extend(_column(*block))
    assert _row_major(tokenize(lines)) is None


def test_out_of_order_runs_whose_totals_fit_any_row_stay_unplaced() -> None:
    # Printed 3 2 1 0 6 | 1 0 0 0 1 | 2 0 0 1 3; the three groups fit any of the three rows.
    tokens = tokenize(
        _stream("3 2 1 0", "总计", "2 0 0 1", "总计", "6", "结果", "1 0 0 0 1", "总计", "3")
    )
    placed = reviews_from_runs(tokens)
    assert placed is not None
    assert [placed[i] for i in (4, 9, 14)] == [None, None, None]


def test_totals_every_order_agrees_on_are_kept_even_when_they_contradict_their_parts() -> None:
    # The report prints 4 and 1 in the first row but a total of 0: read as printed, not fixed.
    tokens = tokenize(_stream("4 1 0 0 0 0 0 0 0 0 2 0 0 0", "总计", "0"))
    placed = reviews_from_runs(tokens)
    assert placed is not None
    assert [t.text if t else None for t in (placed[4], placed[9], placed[14])] == ["0"] * 3
    assert placed[0] is None  # 4 or 0, depending on which run came first


def test_runs_in_a_unique_order_are_read_whole() -> None:
    tokens = tokenize(_stream("1 1 0 0 2 1 0 0 0 1 2 0 1 0", "总计", "3"))
    placed = reviews_from_runs(tokens)
    assert placed is not None
    printed = [t.text if t else None for t in placed]
    assert "".join(str(p) for p in printed) == "110021000120103"
