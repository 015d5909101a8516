"""Who published a report and for which year, from everything the document says about itself.

Each source gives at most one reading of the agency and of the year; the most trusted source that
gives one wins. The order, most trusted first:

- title: the report's own heading, written to name it ("XX局2023年政府信息公开工作年度报告").
- period: the statistics period ("统计期限为2023年1月1日至2023年12月31日") is a formal date range
  of the year reported on; it never names the agency.
- prose: set phrases of the opening and closing paragraphs ("由XX编制", "现公布XX2023年…报告",
  "请与XX联系", "2023年，XX贯彻…"). Free text also names superiors and other years, so a prose
  reading is taken only when every phrase that gives one agrees.
- metadata: PDF and Word properties and HTML <title>/headings are often left over from a
  template or name the website, so they come after what the report itself prints.
- filename: whoever saved the file chose it; trusted least.

What the caller gives (agency=, year=) overrides all of them; app/ingest.py applies it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import PurePath
from typing import TypeVar

import opencc

from app.parsing.model import Provenance, Source

T = TypeVar("T")

_YEAR = r"((?:19|20)\d{2})"
_TITLE_WORDS = re.compile(r"(?:政府信息公开|政务公开|信息公开).{0,12}报告")
_YEAR_IN_TITLE = re.compile(_YEAR + r"年")
_AGENCY_END = re.compile(r"(?:19|20)\d{2}年|年度|政府信息公开|政务公开|信息公开")
_PINYIN_GLOSS = re.compile(r"\([a-zü\u00e0-\u00fc\u0101-\u01dc]{1,8}\)")
_INLINE_SPACE = re.compile(r"[ \t\u00a0\u3000]+")

# An agency's name ends with the kind of body it is.
_SUFFIX = (
    r"(?:人民政府|政府|管理委员会|管委会|委员会|办事处|办公室|局|委|办|厅|署|院|中心|所|镇|乡|街道)"
)
_NAME = r"(?P<name>[\u4e00-\u9fff]{2,30}?" + _SUFFIX + r")"
# The office of a township or bureau that compiles the report is not the publishing agency; a
# government's general office (人民政府办公室) is an agency of its own and keeps its name.
_INNER_OFFICE = re.compile(
    r"(?:(?:党政|党政综合|综合|政务公开|信息公开)办公室|党政办|(?<=[局委镇乡处])办公室)$"
)
# 我局, 本机关, 该县…: references, not names. A name that starts with a bare level word
# (区统计局, 县政府, 市科委) names no place, so it could be any district's or county's office.
_NOT_A_NAME = re.compile(r"^(?:我|本|贵|该|各|上级|省|市|区|县|镇|乡|州|旗|盟|街道)")
_NOT_IN_A_NAME = re.compile(r"关于|要求|通知|指导|的|和其他|或")
_AGENCY_PHRASES = (
    re.compile(r"由" + _NAME + r"(?:负责)?(?:组织)?编制"),
    re.compile(r"现(?:予)?公布" + _NAME + _YEAR + r"年度?(?:政府信息公开|政务公开)"),
    re.compile(r"(?:请|可)(?:与|联系)" + _NAME + r"(?:联系|咨询)"),
    re.compile(
        r"(?:^|\n)"
        + _YEAR
        + r"年度?[,，]"
        + _NAME
        + r"(?=贯彻|全面|认真|深入|坚持|积极|进一步|严格|按照|根据|紧紧|围绕|不断|持续|扎实)"
    ),
)
_YEAR_PHRASES = (
    re.compile(
        _YEAR + r"年度?(?:本级|本机关|本单位|我[局镇乡委办区县市处])?"
        r"(?:政府信息公开|政务公开|信息公开)(?:工作)?(?:年度)?报告"
    ),
    re.compile(
        r"(?:汇报|报告|总结)(?:我|本)[局镇乡委办区县市处]"
        + _YEAR
        + r"年度?(?:政府信息公开|政务公开)工作"
    ),
)
# Sentences that point at a superior body or at another document are no evidence of who wrote
# this one.
_OTHER_BODY = re.compile(r"上级|转发|指导下|印发")
_PERIOD = re.compile(
    r"统计(?:期限|时限|周期|期间|时间|区间)[^。\n]{0,12}?"
    + _YEAR
    + r"年(\d{1,2})月(\d{1,2})日(?:起)?(?:至|到|—|-|－|~)"
    r"(?:" + _YEAR + r"年)?(\d{1,2})月(\d{1,2})日"
)
_HEADING_LINES = 6
_WHOLE_NAME = re.compile(_NAME)
_ENDS_AS_AGENCY = re.compile(_SUFFIX + "$")
_BARE_LEVEL = re.compile(r"^(?:省|市|区|县|镇|乡|州|旗|盟)")


@dataclass(frozen=True, slots=True)
class DocumentClues:
    """What is known of a document beyond its text: its properties and its file name."""

    # PDF and Word title and subject, HTML <title> and headings.
    properties: tuple[str, ...] = ()
    filename: str | None = None


@dataclass(frozen=True, slots=True)
class Identity:
    agency: str | None
    year: int | None
    provenance: Provenance
    period_start: date | None
    period_end: date | None
    notes: tuple[str, ...]  # why a reading was refused, or where sources disagree


@lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def readable(text: str) -> str:
    """The text in simplified characters, half-width forms and without pinyin glosses or the
    spaces that PDF extraction puts between characters."""
    text = _converter().convert(unicodedata.normalize("NFKC", text))
    text = _PINYIN_GLOSS.sub("", text)
    return _INLINE_SPACE.sub("", text)


def valid_name(name: str) -> str | None:
    """The agency's name, or None when the words are a reference rather than a name."""
    name = name.strip().removesuffix("关于").removesuffix("的")
    if len(name) < 3 or _NOT_A_NAME.match(name) or _NOT_IN_A_NAME.search(name):
        return None
    return name


def agency_from_title(title: str) -> str | None:
    """The words before the year or the report's name in a title line, if they name someone."""
    compact = readable(title).lstrip("#")
    match = _AGENCY_END.search(compact)
    if match is None:
        return None
    agency = compact[: match.start()]
    if not agency:
        rest = re.sub(r"^(?:19|20)\d{2}年度?", "", compact)
        end = re.search(r"政府信息公开|政务公开|信息公开", rest)
        agency = rest[: end.start()] if end else ""
    return valid_name(agency)


def year_from_title(title: str) -> int | None:
    match = _YEAR_IN_TITLE.search(readable(title))
    return int(match.group(1)) if match else None


def _heading_agency(lines: list[str]) -> str | None:
    """A line at the top that is nothing but an agency's name, printed above the report."""
    content = [readable(line).lstrip("#") for line in lines[: _HEADING_LINES * 3]]
    for line in [c for c in content if c][:_HEADING_LINES]:
        if _WHOLE_NAME.fullmatch(line):
            return valid_name(line)
    return None


def find_period(text: str) -> tuple[date | None, date | None]:
    """The statistics period, in simplified or traditional characters."""
    match = _PERIOD.search(text)
    if match is None:
        return None, None
    start_year, start_month, start_day, end_year, end_month, end_day = match.groups()
    try:
        start = date(int(start_year), int(start_month), int(start_day))
        end = date(int(end_year or start_year), int(end_month), int(end_day))
    except ValueError:
        return None, None
    return (start, end) if start <= end else (None, None)


def _sentence(text: str, start: int, end: int) -> str:
    left = max(text.rfind(mark, 0, start) for mark in "。\n")
    right = min((i for i in (text.find(mark, end) for mark in "。\n") if i >= 0), default=len(text))
    return text[left + 1 : right]


def _quoted(text: str, start: int) -> bool:
    """Whether a position lies inside 《…》: the name of another document, not this report."""
    return text.rfind("《", 0, start) > text.rfind("》", 0, start)


def _agreed(readings: list[str], what: str, notes: list[str]) -> str | None:
    """The one reading all phrases agree on; a shorter form of a fuller name agrees with it."""
    distinct = sorted(set(readings), key=len, reverse=True)
    if not distinct:
        return None
    fullest = distinct[0]
    if all(fullest.endswith(other) for other in distinct):
        return fullest
    notes.append(f"{what} not taken: the text names more than one ({'、'.join(distinct)})")
    return None


def prose_agency(text: str, notes: list[str]) -> str | None:
    readings: list[str] = []
    for pattern in _AGENCY_PHRASES:
        for match in pattern.finditer(text):
            start, end = match.span()
            if _quoted(text, start) or _OTHER_BODY.search(_sentence(text, start, end)):
                continue
            printed = _INNER_OFFICE.sub("", match.group("name"))
            name = valid_name(printed)
            if name is not None and _ENDS_AS_AGENCY.search(name):
                readings.append(name)
            elif _BARE_LEVEL.match(printed):
                notes.append(
                    f"agency not taken: the text calls it {printed!r}, which names no place"
                )
    return _agreed(readings, "agency", notes)


def prose_year(text: str, notes: list[str]) -> int | None:
    readings: list[str] = []
    for pattern in _YEAR_PHRASES:
        for match in pattern.finditer(text):
            start = match.start()
            if _quoted(text, start) or "关于" in text[max(0, start - 8) : start]:
                continue
            readings.append(match.group(1))
    year = _agreed(readings, "report year", notes)
    return int(year) if year else None


def _title_like(value: str) -> tuple[str | None, int | None]:
    """Agency and year of a string that names the report, as a title would."""
    compact = readable(value)
    if not _TITLE_WORDS.search(compact):
        return None, None
    return agency_from_title(compact), year_from_title(compact)


def _first(readings: list[tuple[T | None, Source]]) -> tuple[T | None, Source | None]:
    """The reading of the most trusted source that gives one, and that source."""
    for value, source in readings:
        if value is not None:
            return value, source
    return None, None


def read_identity(
    title: str | None, lines: list[str], text: str, clues: DocumentClues | None = None
) -> Identity:
    """The agency and year of a report from its title, text, properties and file name."""
    clues = clues or DocumentClues()
    plain = readable(text)
    notes: list[str] = []
    # A PDF's or Markdown's lines break inside the sentence that states the period.
    start, end = find_period(plain.replace("\n", ""))
    title_agency = (agency_from_title(title) if title else None) or _heading_agency(lines)
    title_year = year_from_title(title) if title else None
    meta = [_title_like(p) for p in clues.properties]
    meta_agency = next((a for a, _ in meta if a), None)
    meta_year = next((y for _, y in meta if y), None)
    stem = PurePath(clues.filename).stem if clues.filename else None
    file_agency, file_year = _title_like(stem) if stem else (None, None)
    period_year = start.year if start and end and start.year == end.year else None
    agency_readings: list[tuple[str | None, Source]] = [
        (title_agency, "title"),
        (prose_agency(plain, notes), "prose"),
        (meta_agency, "metadata"),
        (file_agency, "filename"),
    ]
    agency, agency_source = _first(agency_readings)
    year_readings: list[tuple[int | None, Source]] = [
        (title_year, "title"),
        (period_year, "period"),
        (prose_year(plain, notes), "prose"),
        (meta_year, "metadata"),
        (file_year, "filename"),
    ]
    year, year_source = _first(year_readings)
    if title_year and period_year and title_year != period_year:
        notes.append(f"the title says {title_year} but the statistics period is {period_year}")
    return Identity(
        agency=agency,
        year=year,
        provenance=Provenance(agency_source, year_source),
        period_start=start,
        period_end=end,
        notes=tuple(notes),
    )
