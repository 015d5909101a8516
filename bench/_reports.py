"""Distinct text reports generated from the two example reports, for bulk-ingest benchmarks.

Each report keeps its template's tables (so it passes its checks) and gets its own fictional,
numbered agency and a year of its own: the same inputs always give the same documents.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
TEMPLATE_AGENCY = "青禾市云岭区数据资源管理局"
TEMPLATE_SHORT = "云岭区数据资源管理局"
BUREAUS = ("数据资源管理局", "市场监督管理局", "交通运输局", "自然资源局", "卫生健康委员会")


@dataclass(frozen=True, slots=True)
class Template:
    filename: str
    year: int
    years: tuple[int, ...]  # the years an agency reports in this layout


TEMPLATES = (
    Template("2020-qinghe-yunling-data-bureau.txt", 2020, (2019, 2020)),
    Template("2023-qinghe-yunling-data-bureau.md", 2023, (2021, 2022, 2023, 2024)),
)
SLOTS = [(template, year) for template in TEMPLATES for year in template.years]
_YEAR = re.compile(r"(?<!\d)20\d\d(?!\d)")


def agency_name(index: int) -> str:
    district, bureau = divmod(index, len(BUREAUS))
    return f"青禾市第{district + 1}区{BUREAUS[bureau]}"


def _rewrite(text: str, template: Template, agency: str, year: int) -> str:
    short = agency.removeprefix("青禾市")
    text = text.replace(TEMPLATE_AGENCY, agency).replace(TEMPLATE_SHORT, short)
    shift = year - template.year
    return _YEAR.sub(lambda m: str(int(m.group()) + shift), text)


def generate_reports(count: int, start: int = 0) -> Iterator[tuple[str, bytes]]:
    """`count` distinct reports as (file name, bytes): six years per agency, two layouts.

    Reports are numbered from `start`; two different numbers never share an agency and a
    year, so no report revises another, and report number n is the same document every time,
    so `start` also continues a folder written before."""
    texts = {t.filename: (EXAMPLES / t.filename).read_text(encoding="utf-8") for t in TEMPLATES}
    for number in range(start, start + count):
        agency_index, slot = divmod(number, len(SLOTS))
        template, year = SLOTS[slot]
        text = _rewrite(texts[template.filename], template, agency_name(agency_index), year)
        suffix = Path(template.filename).suffix
        yield f"{number:06d}-{year}{suffix}", text.encode("utf-8")


def write_reports(folder: Path, count: int, start: int = 0) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, data in generate_reports(count, start):
        path = folder / name
        path.write_bytes(data)
        paths.append(path)
    return paths
