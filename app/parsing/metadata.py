"""Report metadata from its text: title, agency, year, period, contact, source and region clues."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from app.parsing.identity import DocumentClues, read_identity
from app.parsing.model import Provenance, RegionHints
from app.parsing.normalize import collapse_spaces, to_simplified

_HEADER_FIELD = re.compile(r"^(标题|发布机构|原文链接|来源)\s*[:：]\s*(.*)$")
_TITLE_WORDS = re.compile(r"(?:政府信息公开|政务公开|信息公开).{0,12}报告")
_LEADING_YEAR = re.compile(r"^(?:19|20)\d{2}年度?")
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
    provenance: Provenance
    period_start: date | None
    period_end: date | None
    publisher: str | None
    contact_phone: str | None
    source_url: str | None
    region_hints: RegionHints
    notes: tuple[str, ...]  # readings of the agency or year refused, or sources that disagree


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


def place_names(agency: str | None) -> tuple[str, ...]:
    if not agency:
        return ()
    return tuple(dict.fromkeys(_PLACE.findall(agency)))


def _tidy_phone(printed: str) -> str:
    return re.sub(r"\s", "", printed).replace("—", "-").replace("－", "-")


def read_metadata(lines: list[str], text: str, clues: DocumentClues | None = None) -> Metadata:
    header = _crawler_header(lines)
    title = header.get("标题") or find_title(lines)
    title = collapse_spaces(title) if title else None
    identity = read_identity(title, lines, text, clues)
    agency = identity.agency
    phone_match = _PHONE.search(text)
    phone = _tidy_phone(phone_match.group(1)) if phone_match else None
    area_code = phone.split("-", 1)[0] if phone and "-" in phone else None
    url = header.get("原文链接")
    source_url = url if url and url.startswith(("http://", "https://")) else None
    domain = urlsplit(source_url).hostname if source_url else None
    return Metadata(
        title=title,
        agency=agency,
        year=identity.year,
        provenance=identity.provenance,
        period_start=identity.period_start,
        period_end=identity.period_end,
        publisher=header.get("发布机构"),
        contact_phone=phone,
        source_url=source_url,
        region_hints=RegionHints(place_names(agency), area_code, domain),
        notes=identity.notes,
    )
