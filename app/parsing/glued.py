"""Cells run together: a whole report on one line, labels and digit runs with no separators.

Crawlers that flatten a page to one line drop the table's cell borders, so "规章000规范性文件
898989" and "1.属于国家秘密00000002.其他…" reach us as text. This module cuts such text into
label and value tokens; which digits belong to which column is decided later, from the table's
own arithmetic (runs.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from app.parsing.normalize import fold
from app.parsing.templates import may_hold_row_label

# A printed value inside running text: digits, decimals, an optional unit written in the cell.
_VALUE = re.compile(r"\d+(?:\.\d+)?(?:万元|元)?")
# A digit run followed by "2." or "3、" and text: its last digit numbers the next label.
_NUMBERING_AFTER = re.compile(r"[.、．](?=[^\d\s])")
# Outline numbers that open a row label: （三） 一、 2. 3、
_OUTLINE = re.compile(
    r"[（(][一二三四五六七八九十]{1,3}[)）]|[一二三四五六七八九十]{1,3}、|\d[.、．]"
)
_MIN_SUFFIX = 2
_MAX_SUFFIX = 70


def glued_pieces(cell: str) -> list[tuple[str, bool]]:
    """(text, is_value) pieces of one space-free stretch of flattened text, in order."""
    pieces: list[tuple[str, bool]] = []
    label = ""
    position = 0
    for match in _VALUE.finditer(cell):
        start, end = match.span()
        text = match.group()
        if start < position:
            continue
        numbering = ""
        if _NUMBERING_AFTER.match(cell, end) and "." not in text and text.isdigit():
            numbering, text = text[-1], text[:-1]
        label += cell[position:start]
        if text:
            if label:
                pieces.append((label, False))
            pieces.append((text, True))
            label = ""
        label += numbering
        position = end
    label += cell[position:]
    if label:
        pieces.append((label, False))
    return pieces


def split_row_label(label: str, is_row_label: Callable[[str], bool]) -> tuple[str, str]:
    """("header text", "row label") for a glued label that ends with a table row's label.

    "…对外公开总数量规章" becomes ("…对外公开总数量", "规章"): the shortest matching tail,
    because the text before it is the table's header run into the label; the tail then reaches
    back to the outline number opening it ("（三）不予公开1.属于国家秘密" → "1.属于国家秘密").
    """
    if not may_hold_row_label(fold(label)):
        return "", label
    for length in range(_MIN_SUFFIX, min(len(label), _MAX_SUFFIX) + 1):
        start = len(label) - length
        if not is_row_label(fold(label[start:])):
            continue
        opening = [m.start() for m in _OUTLINE.finditer(label, 0, start + 1)]
        if opening and is_row_label(fold(label[opening[-1] :])):
            start = opening[-1]
        return label[:start], label[start:]
    return "", label
