"""The region tree shipped with the package: one frozen record per row of ``regions.csv``."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal, cast

RegionLevel = Literal["province", "city", "county"]
RegionKind = Literal["division", "zone"]

LEVELS: tuple[RegionLevel, ...] = ("province", "city", "county")
KINDS: tuple[RegionKind, ...] = ("division", "zone")
REGIONS_FILE = "regions.csv"
# A GB/T 2260 code as the API takes it: six digits.
REGION_CODE_PATTERN = r"^\d{6}$"


@dataclass(frozen=True, slots=True)
class RegionRecord:
    code: str
    name: str
    level: RegionLevel
    parent_code: str | None
    former_names: tuple[str, ...]
    short_name: str = ""
    aliases: tuple[str, ...] = ()
    # Toneless syllables of ``name``, one per character, space-separated.
    pinyin: str = ""
    kind: RegionKind = "division"


def _split(cell: str) -> tuple[str, ...]:
    return tuple(part for part in cell.split("|") if part)


def parse_regions(text: str) -> tuple[RegionRecord, ...]:
    records = []
    for row in csv.DictReader(io.StringIO(text)):
        level, kind = row["level"], row["kind"]
        if level not in LEVELS or kind not in KINDS:
            raise ValueError(f"region {row['code']}: bad level {level!r} or kind {kind!r}")
        records.append(
            RegionRecord(
                code=row["code"],
                name=row["name"],
                level=cast(RegionLevel, level),
                parent_code=row["parent_code"] or None,
                former_names=_split(row["former_names"]),
                short_name=row["short_name"],
                aliases=_split(row["aliases"]),
                pinyin=row["pinyin"],
                kind=cast(RegionKind, kind),
            )
        )
    return tuple(records)


@cache
def load_regions() -> tuple[RegionRecord, ...]:
    text = resources.files("app.regions").joinpath(REGIONS_FILE).read_text(encoding="utf-8")
    return parse_regions(text)
