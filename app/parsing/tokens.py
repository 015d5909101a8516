"""Table text to a stream of cells: labels, values, empty cells and row breaks, in any layout."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal, NamedTuple

from app.parsing.glued import glued_pieces, split_row_label
from app.parsing.normalize import fold
from app.parsing.templates import is_row_label
from app.parsing.values import is_value_text

TokenKind = Literal["label", "value", "empty", "break"]


# A named tuple rather than a frozen dataclass: a report makes hundreds of tokens, and a tuple
# is built in a third of the time.
class Token(NamedTuple):
    kind: TokenKind
    text: str  # as printed, stripped
    folded: str  # normalize.fold(text) for labels, "" otherwise
    line: int
    # From a flattened line whose cells ran together: value boundaries are not printed.
    glued: bool = False


_WIDE_GAP = re.compile(r"[ \u3000\u00a0]{2,}")
_ANY_SPACE = re.compile(r"[ \u3000\u00a0]+")
_RULE_CELL = re.compile(r"[-=:_—－\s]{3,}")
_PAGE_NUMBER = re.compile(r"[-—－]\s*\d{1,3}\s*[-—－]|第\s*\d{1,3}\s*页(?:\s*共\s*\d{1,3}\s*页)?")
_HEADING_MARKS = re.compile(r"^#{1,6}\s*")
# A line this long with no cell separators is a whole flattened report: split it on every space.
_FLATTENED_LINE = 400


def _uses_trailing_pipes(lines: list[str]) -> bool:
    """True when cells are printed one per line, each closed by a pipe ("0 |").

    Then a line holding a lone pipe is an empty cell; in other layouts it only separates cells.
    """
    closed = sum(
        1
        for line in lines
        if line.rstrip().endswith("|") and line.count("|") == 1 and line.strip() != "|"
    )
    return closed >= 3


def _is_flattened(line: str) -> bool:
    return len(line) > _FLATTENED_LINE and "\t" not in line and "|" not in line


def _split_line(line: str) -> list[str]:
    if "\t" in line:
        return line.split("\t")
    if "|" in line:
        return line.split("|")
    return _WIDE_GAP.split(line)


def _flattened_tokens(line: str, number: int) -> list[Token]:
    """Tokens of a whole report run onto one line: every space and digit run is a boundary."""
    pieces: list[tuple[str, bool]] = []
    for chunk in _ANY_SPACE.split(line):
        if chunk:
            pieces.extend([(chunk, True)] if is_value_text(chunk) else glued_pieces(chunk))
    tokens: list[Token] = []
    for index, (text, is_value) in enumerate(pieces):
        if is_value:
            tokens.append(Token("value", text, "", number, glued=True))
            continue
        if _RULE_CELL.fullmatch(text):
            continue
        header = ""
        if index + 1 < len(pieces) and pieces[index + 1][1]:
            header, text = split_row_label(text, is_row_label)
        if header:
            tokens.append(Token("label", header, fold(header), number, glued=True))
        tokens.append(Token("label", text, fold(text), number, glued=True))
    return tokens


# (kind, text, folded) of one token a cell holds; the line number is added per occurrence.
_Piece = tuple[TokenKind, str, str]


# Tables print the same cells ("0", the row labels) in report after report: each distinct
# cell text is classified once.
@lru_cache(maxsize=4096)
def _cell_pieces(cell: str) -> tuple[_Piece, ...]:
    """The tokens of one non-empty cell; none for rules and page numbers."""
    if _RULE_CELL.fullmatch(cell) or _PAGE_NUMBER.fullmatch(cell):
        return ()
    if is_value_text(cell):
        return (("value", cell, ""),)
    parts = _ANY_SPACE.split(cell)
    # "行政许可 97" or "0 1 1 0 2": values that only single spaces keep apart from the label.
    first_value = len(parts)
    while first_value > 0 and is_value_text(parts[first_value - 1]):
        first_value -= 1
    pieces: list[_Piece] = []
    if first_value > 0:
        label = " ".join(parts[:first_value]) if first_value < len(parts) else cell
        pieces.append(("label", label, fold(label)))
    pieces.extend(("value", part, "") for part in parts[first_value:])
    return tuple(pieces)


_EMPTY_CELL: tuple[_Piece, ...] = (("empty", "", ""),)


# Table rows repeat from report to report too ("0\t0\t0", "总计\t…"): each distinct line is
# split and classified once.
@lru_cache(maxsize=4096)
def _line_pieces(line: str) -> tuple[_Piece, ...]:
    """The tokens of a stripped line of cells (not blank, not only pipes, not flattened)."""
    cells = [cell.strip() for cell in _split_line(line)]
    while cells and not cells[-1]:
        cells.pop()
    start = 0
    while start < len(cells) and not cells[start]:
        start += 1
    pieces: list[_Piece] = []
    for cell in cells[start:]:
        pieces.extend(_cell_pieces(cell) if cell else _EMPTY_CELL)
    return tuple(pieces)


def tokenize(lines: list[str]) -> list[Token]:
    """Every cell of the given lines in reading order, classified."""
    lone_pipe_is_empty = _uses_trailing_pipes(lines)
    tokens: list[Token] = []
    for number, raw_line in enumerate(lines):
        line = raw_line.strip()
        if line.startswith("#"):
            line = _HEADING_MARKS.sub("", line)
        if not line:
            continue
        if not line.replace("|", "").strip():
            if line == "|":
                if lone_pipe_is_empty:
                    tokens.append(Token("empty", "", "", number))
            else:
                tokens.append(Token("break", line, "", number))
            continue
        if _is_flattened(line):
            tokens.extend(_flattened_tokens(line, number))
            continue
        tokens.extend(
            Token(kind, text, folded, number) for kind, text, folded in _line_pieces(line)
        )
    return tokens
