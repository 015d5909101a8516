"""The parts of a report, the preamble then 一、总体情况 … 六、其他需要报告的事项, and their prose.

Every printed line of prose lands in a part. Parts 二, 三 and 四 also hold the statistics tables,
whose lines are not prose and are left out of the part's text (the tables are read from the
tokens, app/parsing/tables.py). A line there is kept when it is a sentence (it holds 。；： and is
not a table row) or a heading that is not a table label; it is table matter, left out, when it
is a table row (tab, pipe or layout columns), holds no Chinese, is a table label (a catalog row
or a group such as （三）不予公开) or is no wider than a table cell. A line that is none of these
is left out too, and named in a warning, so that nothing is dropped unsaid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.catalog import PREAMBLE, SECTIONS, TABLES
from app.parsing.model import ParsedSection
from app.parsing.normalize import collapse_spaces, fold, is_page_number, strip_numbering
from app.parsing.templates import is_row_label

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
_TABLE_LINE = re.compile(r"[\t|]")
_TABLE_ROW = re.compile(r"[\t|]|\S[ \u3000]{2,}\S|勾稽关系")
_SENTENCE_MARKS = ("。", "：", "；", ":", ";")
_MIN_SENTENCE = 8
_CJK = re.compile(r"[\u4e00-\u9fff]")
_CLAUSE_MARK = re.compile(r"[，、。；：,;:]")
# A line of no more Chinese characters than this, and no sentence, is a table cell or header.
_CELL_WIDTH = 8
# Labels of the groups of table 三's rows, printed like headings (（三）不予公开).
_GROUP_LABELS = ("办理结果", "不予公开", "无法提供", "不予处理", "其他处理", "申请人情况")
# Sub-headings that open the problems part where its own heading was lost (Shanghai PDFs).
_PROBLEMS_SUBHEADING = re.compile(r"^[(（]一[)）]\s*\S*问题")
_WARNED_LINES = 10
_LABEL_PIECE = 20
_LABEL_RUN = 6
_ROW_LABELS = tuple(
    strip_numbering(fold(row.label_zh)) for table in TABLES.values() for row in table.rows
)
_TITLES = "|".join(
    fold(t) for t in (*(s.title_zh for s in SECTIONS), *(t.title_zh for t in TABLES.values()))
)


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
        return _with_problems(lines, numbered)
    by_words = _headings(lines, by_numeral=False)
    return _with_problems(lines, by_words if len(by_words) > len(numbered) else numbered)


def _with_problems(lines: list[str], headings: list[Heading]) -> list[Heading]:
    """The headings, with part 五 found by its first sub-heading (（一）主要问题) when its own
    heading is missing: Shanghai's PDFs print the tables as 一/二/三 and lose the 四、 before the
    problems in conversion. Only after the part before it, and before part 六."""
    if not headings or any(h.number == 5 for h in headings):
        return headings
    before = [h for h in headings if h.number < 5]
    after = [h for h in headings if h.number > 5]
    start = before[-1].line + 1 if before else 0
    end = after[0].line if after else len(lines)
    for index in range(start, end):
        line = collapse_spaces(lines[index])
        if (
            len(line) <= _MAX_HEADING_LENGTH
            and _PROBLEMS_SUBHEADING.match(line)
            and "。" not in line
        ):
            return [*before, Heading(5, index, line), *after]
    return headings


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


def _is_sentence(line: str) -> bool:
    return (
        len(line) >= _MIN_SENTENCE
        and any(mark in line for mark in _SENTENCE_MARKS)
        and not _TABLE_ROW.search(line)
    )


def _is_table_label(line: str) -> bool:
    folded = fold(line)
    core = strip_numbering(folded)
    if is_row_label(folded) or any(word in core for word in _GROUP_LABELS):
        return True
    # A piece of a label broken over lines (正、行政机关不再处理其政府信): shares a run of words
    # with a catalog label that no part title holds.
    if len(core) > _LABEL_PIECE:
        return False
    runs = (core[i : i + _LABEL_RUN] for i in range(len(core) - _LABEL_RUN + 1))
    return any(run in label for run in runs if run not in _TITLES for label in _ROW_LABELS)


def _is_prose(line: str) -> bool:
    """A sentence, or a heading printed among the tables (Shanghai's own 五、政府信息管理)."""
    if _is_sentence(line):
        return True
    return (
        _HEADING.match(line) is not None
        and len(line) <= _MAX_HEADING_LENGTH
        and not _TABLE_ROW.search(line)
        and not _is_table_label(line)
    )


def _is_table_matter(line: str) -> bool:
    """Cells, labels and headers: no wider than a cell, a table row or label, or words without
    a mark between them (信息内容本年处理决定数量): prose runs to a comma within a few words."""
    return (
        len(_CJK.findall(line)) <= _CELL_WIDTH
        or _TABLE_ROW.search(line) is not None
        or _CLAUSE_MARK.search(line) is None
        or _is_table_label(line)
    )


def _printed(lines: list[str]) -> list[str]:
    return [line.strip() for line in lines if line.strip() and not is_page_number(line)]


def section_texts(
    lines: list[str], headings: list[Heading]
) -> tuple[list[ParsedSection], list[str]]:
    """The preamble (what comes before the first part, when anything does) and the parts found,
    with warnings naming lines of parts 二–四 that are neither prose nor table matter.

    Lines are told apart as printed, before their spaces are collapsed: layout columns show there.
    """
    sections: list[ParsedSection] = []
    warnings: list[str] = []
    if headings:
        preamble = _printed(lines[: headings[0].line])
        if preamble:
            text = "\n".join(map(collapse_spaces, preamble))
            sections.append(ParsedSection(PREAMBLE.number, PREAMBLE.key, "", text))
    for position, heading in enumerate(headings):
        end = headings[position + 1].line if position + 1 < len(headings) else len(lines)
        body = _printed(lines[heading.line + 1 : end])
        if heading.number in (2, 3, 4):
            unsure = [line for line in body if not _is_prose(line) and not _is_table_matter(line)]
            body = [line for line in body if _is_prose(line)]
            if unsure:
                warnings.append(_left_out(heading.number, [collapse_spaces(u) for u in unsure]))
        spec = SECTIONS[heading.number - 1]
        text = "\n".join(map(collapse_spaces, body))
        sections.append(ParsedSection(heading.number, spec.key, heading.title, text))
    return sections, warnings


def _left_out(number: int, lines: list[str]) -> str:
    named = "".join(f"「{line}」" for line in lines[:_WARNED_LINES])
    more = f" and {len(lines) - _WARNED_LINES} more" if len(lines) > _WARNED_LINES else ""
    return (
        f"part {number}: {len(lines)} line(s) printed among the tables are neither sentences nor "
        f"table labels; left out of the part's text: {named}{more}"
    )
