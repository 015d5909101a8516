"""Report metadata from its text: title, agency, year, period, contact, source and region clues."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from app.parsing.model import RegionHints
from app.parsing.normalize import collapse_spaces, to_simplified

_HEADER_FIELD = re.compile(r"^(标题|发布机构|原文链接|来源)\s*[:：]\s*(.*)$")
_TITLE_WORDS = re.compile(r"(?:政府信息公开|政务公开|信息公开).{0,12}报告")
_YEAR_IN_TITLE = re.compile(r"((?:19|20)\d{2})\s*年")
_YEAR_IN_TEXT = re.compile(r"((?:19|20)\d{2})\s*年度")
_AGENCY_END = re.compile(r"(?:19|20)\d{2}年|年度|政府信息公开|政务公开|信息公开")
_LEADING_YEAR = re.compile(r"^(?:19|20)\d{2}年度?")
_PERIOD = re.compile(
    r"统计(?:期限|时限|周期|期间|时间|区间)[^。\n]{0,12}?"
    r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*(?:起)?\s*(?:至|到|—|-|－|~)\s*"
    r"(?:((?:19|20)\d{2})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*日"
)
_PHONE = re.compile(r"(?:联系)?电\s*话\s*[:：]?\s*((?:0\d{2,3}\s*[-—－]\s*)?\d{7,8})")
_PLACE = re.compile(r"[\u4e00-\u9fff]{1,10}?(?:自治区|自治州|自治县|省|市|区|县|州|盟|旗)")
_TITLE_SCAN_LINES = 30
_MAX_TITLE_LENGTH = 80
_MAX_AGENCY_LINE = 24


@dataclass(frozen=True, slots=True)
class Metadata:
    title: str | None
    agency: str | None
    year: int | None
    period_start: date | None
    period_end: date | None
    publisher: str | None
    contact_phone: str | None
    source_url: str | None
    region_hints: RegionHints


def _crawler_header(lines: list[str]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in lines[:12]:
        match = _HEADER_FIELD.match(line.strip())
        if match and match.group(2).strip():
            fields.setdefault(match.group(1), match.group(2).strip())
    return fields


def find_title(lines: list[str]) -> str | None:
    """The heading line naming the report; a title broken over two lines is joined."""
    # Mirrors in traditional characters print 政府信息公開…報告.
    content = [
        to_simplified(collapse_spaces(line.lstrip("#"))) for line in lines[: _TITLE_SCAN_LINES * 3]
    ]
    content = [line for line in content if line][:_TITLE_SCAN_LINES]
    for index, line in enumerate(content):
        if len(line) > _MAX_TITLE_LENGTH or not _TITLE_WORDS.search(line.replace(" ", "")):
            continue
        if "。" in line or "，" in line:
            continue
        # "淮安市人民政府\n2024 年政府信息公开工作年度报告": the agency sits on the line above.
        starts_with_year = _LEADING_YEAR.match(line.replace(" ", "")) is not None
        if starts_with_year and index > 0 and len(content[index - 1]) <= _MAX_AGENCY_LINE:
            line = f"{content[index - 1]} {line}"
        return line
    for index, line in enumerate(content[:-1]):
        joined = line + content[index + 1]
        if len(joined) <= _MAX_TITLE_LENGTH and "。" not in joined and _TITLE_WORDS.search(joined):
            return f"{line}{content[index + 1]}"
    return None


def agency_from_title(title: str) -> str | None:
    compact = title.replace(" ", "").lstrip("#")
    match = _AGENCY_END.search(compact)
    if match is None:
        return None
    agency = compact[: match.start()]
    if not agency:
        rest = _LEADING_YEAR.sub("", compact)
        end = re.search(r"政府信息公开|政务公开|信息公开", rest)
        agency = rest[: end.start()] if end else ""
    agency = agency.removesuffix("关于").removesuffix("的")
    return agency or None


def find_period(text: str) -> tuple[date | None, date | None]:
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


def place_names(agency: str | None) -> tuple[str, ...]:
    if not agency:
        return ()
    return tuple(dict.fromkeys(_PLACE.findall(agency)))


def _tidy_phone(printed: str) -> str:
    return re.sub(r"\s", "", printed).replace("—", "-").replace("－", "-")


def read_metadata(lines: list[str], text: str) -> Metadata:
    header = _crawler_header(lines)
    title = header.get("标题") or find_title(lines)
    title = collapse_spaces(title) if title else None
    agency = agency_from_title(title) if title else None
    year_match = _YEAR_IN_TITLE.search(title) if title else None
    year_match = year_match or _YEAR_IN_TEXT.search(text)
    start, end = find_period(text)
    year = int(year_match.group(1)) if year_match else (start.year if start else None)
    phone_match = _PHONE.search(text)
    phone = _tidy_phone(phone_match.group(1)) if phone_match else None
    area_code = phone.split("-", 1)[0] if phone and "-" in phone else None
    url = header.get("原文链接")
    source_url = url if url and url.startswith(("http://", "https://")) else None
    domain = urlsplit(source_url).hostname if source_url else None
    return Metadata(
        title=title,
        agency=agency,
        year=year,
        period_start=start,
        period_end=end,
        publisher=header.get("发布机构"),
        contact_phone=phone,
        source_url=source_url,
        region_hints=RegionHints(place_names(agency), area_code, domain),
    )
