"""The six parts of a report (一、总体情况 … 六、其他需要报告的事项): titles and prose."""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.catalog import SECTIONS
from app.parsing.model import ParsedSection
from app.parsing.normalize import collapse_spaces, fold

_NUMERALS = "一二三四五六"
_HEADING = re.compile(r"^#{0,6}\s*([一二三四五六七八九十])\s*[、.．,，]\s*\S")
_HEADING_MARKS = re.compile(r"^#{1,6}\s*")
# Words that identify each part's heading, in the order of the parts.
_KEYWORDS: tuple[tuple[str, ...], ...] = (
    ("总体情况", "基本情况", "概况", "概述", "总体"),
    ("主动公开",),
    ("申请",),
    ("复议", "诉讼"),
    ("问题", "改进", "整改"),
    ("其他", "需要报告"),
)
_MAX_HEADING_LENGTH = 48
_PAGE_NUMBER = re.compile(r"^[-—－]\s*\d{1,3}\s*[-—－]$")
_TABLE_LINE = re.compile(r"[\t|]")
_SENTENCE_MARKS = ("。", "：", "；", ":")


# Headings as they run inside a flattened report (a whole report on one line).
_INLINE_HEADINGS = (
    re.compile(r"一\s*、\s*(?:总体情况|基本情况|概述)"),
    re.compile(r"二\s*、\s*(?:行政机关)?主动公开政府信息(?:情况)?"),
    re.compile(r"三\s*、\s*(?:行政机关)?收到和处理政府信息公开申请(?:情况)?"),
    re.compile(r"四\s*、[^。，、\s]{0,16}?(?:复议|诉讼)[^。，\s]{0,16}?情况"),
    re.compile(r"五\s*、[^。，、\s]{0,16}?问题[^。，\s]{0,12}?(?:情况|措施)"),
    re.compile(r"六\s*、\s*其[他它]需要报告的事项"),
)
_MIN_LINE_HEADINGS = 3
# Fewer parts than this found by their numerals: try their words instead.
_MIN_NUMBERED = 4


@dataclass(frozen=True, slots=True)
class Heading:
    number: int
    line: int
    title: str


def split_flattened(lines: list[str]) -> list[str]:
    """Lines with the part headings on lines of their own, for reports flattened to one line."""
    if len(find_headings(lines)) >= _MIN_LINE_HEADINGS:
        return lines
    text = "\n".join(lines)
    cuts: list[tuple[int, int]] = []
    cursor = 0
    for pattern in _INLINE_HEADINGS:
        match = pattern.search(text, cursor)
        if match is not None:
            cuts.append((match.start(), match.end()))
            cursor = match.end()
    if len(cuts) < _MIN_LINE_HEADINGS:
        return lines
    pieces: list[str] = []
    previous = 0
    for start, end in cuts:
        pieces.extend((text[previous:start], text[start:end]))
        previous = end
    pieces.append(text[previous:])
    return "\n".join(pieces).split("\n")


def find_headings(lines: list[str]) -> list[Heading]:
    """The part headings, searched for in order so that table rows numbered 一、… are skipped.

    Some regions number their own parts (Shanghai: 二、工作机制保障 … then the tables as
    一/二/三); when the standard numbering finds few parts, they are found by their words alone.
    """
    numbered = _headings(lines, by_numeral=True)
    if len(numbered) >= _MIN_NUMBERED:
        return numbered
    by_words = _headings(lines, by_numeral=False)
    return by_words if len(by_words) > len(numbered) else numbered


def _headings(lines: list[str], *, by_numeral: bool) -> list[Heading]:
    headings: list[Heading] = []
    cursor = 0
    for number in range(1, 7):
        found = _find_heading(lines, cursor, number, by_numeral=by_numeral)
        if found is not None:
            headings.append(found)
            cursor = found.line + 1
    return headings


def _find_heading(lines: list[str], start: int, number: int, *, by_numeral: bool) -> Heading | None:
    numeral = _NUMERALS[number - 1]
    for index in range(start, len(lines)):
        line = lines[index].strip()
        if len(line) > _MAX_HEADING_LENGTH or _TABLE_LINE.search(line):
            continue
        match = _HEADING.match(line)
        if match is None or (by_numeral and match.group(1) != numeral):
            continue
        folded = fold(line)
        if any(word in folded for word in _KEYWORDS[number - 1]):
            return Heading(number, index, collapse_spaces(_HEADING_MARKS.sub("", line)))
    return None


def _is_prose(line: str) -> bool:
    if _TABLE_LINE.search(line) or "勾稽关系" in line:
        return False
    return any(mark in line for mark in _SENTENCE_MARKS) and len(line) >= 8


def section_texts(lines: list[str], headings: list[Heading]) -> list[ParsedSection]:
    sections: list[ParsedSection] = []
    for position, heading in enumerate(headings):
        end = headings[position + 1].line if position + 1 < len(headings) else len(lines)
        body = [collapse_spaces(line) for line in lines[heading.line + 1 : end]]
        body = [line for line in body if line and not _PAGE_NUMBER.match(line)]
        if heading.number in (2, 3, 4):
            body = [line for line in body if _is_prose(line)]
        spec = SECTIONS[heading.number - 1]
        sections.append(ParsedSection(heading.number, spec.key, heading.title, "\n".join(body)))
    return sections
