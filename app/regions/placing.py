"""Place an agency in the region tree from its name, phone area code and web domain; pure.

Names. The agency's name is scanned left to right for place names, taking the longest at each
position: current full names (淮安市, 洪泽区), zone aliases (平潭综合实验区), former names
(洪泽县, 襄樊市) and, for provinces and prefecture-level units only, short forms (淮安, 江苏).
A short form is indexed only when no other province or city shares it and no county outside
its own subtree does (so 淮安 stays, since 淮安区 lies inside 淮安市, but 朝阳 goes, since
北京's 朝阳区 does not lie inside 辽宁's 朝阳市); it is skipped when a character that would make
it part of another word follows (淮安路, 长春街道). Two-character names (沛县, 城区) count only at
the start of the name or directly after another place name, since elsewhere they are as often
parts of ordinary words. Text in brackets is ignored.

Each place name found narrows the candidates: the first gives every unit bearing that name; a
later one keeps the units below the current candidates (淮安市 then 洪泽区 gives 洪泽区 under
淮安市), or, if it names one of their ancestors, keeps the candidates under it. A place unrelated
to the candidates so far ends the scan: the first-named place owns the agency (淮安市驻上海办事处).
A name some unit bears now outranks the same text as another unit's former name. One candidate
left means placed (method "name"); several mean unplaced with the candidates listed, never a
guess (朝阳区教育局).

Then the phone area code (``area_codes.csv``: prefecture-level units whose code is certain; a
code may serve several, 0728 仙桃/潜江/天门) keeps the candidates inside a unit with that code,
and the source domain keeps those inside the unit its labels spell in pinyin: the short name
(huaian, shuyang), the full name (xiongxian), or initials of the parent or province before the
unit's initials or short name (szft 深圳福田, hbqj 湖北潜江, yynanhu 岳阳南湖). Methods then read
"name+phone", "name+domain" or "name+phone+domain". With no place in the name, a domain alone
can place the agency (method "domain"); an area code alone cannot, since it names only a city.
"none" means unplaced.

Agency kinds, after brackets are removed and in this order: 人民法院, 人民检察院, 人民代表大会
and 政治协商会议 bodies are "other"; a name ending in 街道, 街道办事处 or 街道办, or holding
乡/镇/苏木 + (人民)政府, is "township_street"; 人民政府办公室/办公厅 (also 政府办公室/办公厅)
is "government_office"; any other name holding 人民政府 is "people_government"; 管委会 and
管理委员会 are "other"; a name ending in 局, 委员会, 委, 厅, 办公室, 办, 中心 or 署 is
"department"; anything else is "other".
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Literal
from urllib.parse import urlsplit

from app.regions.data import RegionRecord, load_regions

AgencyKind = Literal[
    "people_government", "government_office", "department", "township_street", "other"
]

AREA_CODES_FILE = "area_codes.csv"

# After one of these a short form is the start of another word, not a place.
_SHORT_FORM_BREAKERS = frozenset("路街道镇乡村里巷区县市州盟旗省")
_BRACKETED = re.compile(r"[(（【\[][^)）】\]]*[)）】\]]")
_DOMAIN_NOISE = frozenset({"www", "gov", "cn", "com", "net", "org", "edu", "http", "https"})
_MIN_DOMAIN_KEY = 4


@dataclass(frozen=True, slots=True)
class Placement:
    code: str | None
    candidates: tuple[str, ...]
    method: str


@dataclass(frozen=True, slots=True)
class _NameEntry:
    current: frozenset[str]
    former: frozenset[str]
    short_form: bool


@dataclass(frozen=True, slots=True)
class _Token:
    current: frozenset[str]
    former: frozenset[str]


@dataclass(frozen=True, slots=True)
class RegionIndex:
    """Lookups built once from a region list; ``place_agency`` only reads them."""

    # code -> (code, parent, grandparent, ...)
    lineage: dict[str, tuple[str, ...]]
    names: dict[str, _NameEntry]
    name_lengths: tuple[int, ...]
    area_codes: dict[str, frozenset[str]]
    domain_keys: dict[str, frozenset[str]]


def _lineages(regions: Sequence[RegionRecord]) -> dict[str, tuple[str, ...]]:
    parents = {region.code: region.parent_code for region in regions}
    lineage: dict[str, tuple[str, ...]] = {}
    for code in parents:
        chain = [code]
        parent = parents[code]
        while parent is not None:
            chain.append(parent)
            parent = parents.get(parent)
        lineage[code] = tuple(chain)
    return lineage


def _short_forms(
    regions: Sequence[RegionRecord], lineage: dict[str, tuple[str, ...]]
) -> dict[str, str]:
    holders: defaultdict[str, list[RegionRecord]] = defaultdict(list)
    for region in regions:
        for text in {region.short_name, region.name, *region.aliases}:
            if text:
                holders[text].append(region)
    shorts: dict[str, str] = {}
    for region in regions:
        short = region.short_name
        if region.level == "county" or len(short) < 2 or short == region.name:
            continue
        others = [other for other in holders[short] if other.code != region.code]
        if all(other.level == "county" and region.code in lineage[other.code] for other in others):
            shorts[short] = region.code
    return shorts


def _name_entries(
    regions: Sequence[RegionRecord], lineage: dict[str, tuple[str, ...]]
) -> dict[str, _NameEntry]:
    current: defaultdict[str, set[str]] = defaultdict(set)
    former: defaultdict[str, set[str]] = defaultdict(set)
    for region in regions:
        for text in (region.name, *region.aliases):
            current[text].add(region.code)
        for text in region.former_names:
            former[text].add(region.code)
    shorts = _short_forms(regions, lineage)
    entries: dict[str, _NameEntry] = {}
    for text in current.keys() | former.keys():
        entries[text] = _NameEntry(
            frozenset(current.get(text, ())), frozenset(former.get(text, ())), short_form=False
        )
    for text, code in shorts.items():
        if text not in entries:
            entries[text] = _NameEntry(frozenset({code}), frozenset(), short_form=True)
    return entries


def _read_area_codes(known: Iterable[str]) -> dict[str, frozenset[str]]:
    known_codes = set(known)
    text = resources.files("app.regions").joinpath(AREA_CODES_FILE).read_text(encoding="utf-8")
    table: defaultdict[str, set[str]] = defaultdict(set)
    for row in csv.DictReader(io.StringIO(text)):
        if row["region_code"] in known_codes:
            table[row["area_code"]].add(row["region_code"])
    return {area: frozenset(codes) for area, codes in table.items()}


def _initials(syllables: Sequence[str]) -> str:
    return "".join(syllable[0] for syllable in syllables if syllable)


def _short_syllables(region: RegionRecord) -> list[str]:
    syllables = region.pinyin.split()
    if region.short_name and region.name.startswith(region.short_name):
        return syllables[: len(region.short_name)]
    return syllables


def _domain_keys(
    regions: Sequence[RegionRecord], lineage: dict[str, tuple[str, ...]]
) -> dict[str, frozenset[str]]:
    by_code = {region.code: region for region in regions}
    keys: defaultdict[str, set[str]] = defaultdict(set)
    for region in regions:
        if not region.pinyin:
            continue
        short = _short_syllables(region)
        own = {"".join(short), "".join(region.pinyin.split())}
        for ancestor in lineage[region.code][1:]:
            prefix = _initials(_short_syllables(by_code[ancestor]))
            own |= {prefix + _initials(short), prefix + "".join(short)}
        for key in own:
            if len(key) >= _MIN_DOMAIN_KEY and len(short) >= 2:
                keys[key].add(region.code)
    return {key: frozenset(codes) for key, codes in keys.items()}


def build_index(regions: Sequence[RegionRecord]) -> RegionIndex:
    lineage = _lineages(regions)
    names = _name_entries(regions, lineage)
    return RegionIndex(
        lineage=lineage,
        names=names,
        name_lengths=tuple(sorted({len(text) for text in names}, reverse=True)),
        area_codes=_read_area_codes(lineage),
        domain_keys=_domain_keys(regions, lineage),
    )


@cache
def default_index() -> RegionIndex:
    return build_index(load_regions())


@lru_cache(maxsize=8)
def _index_for(regions: tuple[RegionRecord, ...]) -> RegionIndex:
    return build_index(regions)


def _strip_brackets(name: str) -> str:
    return _BRACKETED.sub("", name)


def _scan_names(text: str, index: RegionIndex) -> list[_Token]:
    tokens: list[_Token] = []
    position, previous_end = 0, 0
    while position < len(text):
        for length in index.name_lengths:
            piece = text[position : position + length]
            entry = index.names.get(piece) if len(piece) == length else None
            if entry is None:
                continue
            after = text[position + length : position + length + 1]
            if entry.short_form and after and after in _SHORT_FORM_BREAKERS:
                continue
            if length <= 2 and position not in (0, previous_end):
                continue
            tokens.append(_Token(entry.current, entry.former))
            position += length
            previous_end = position
            break
        else:
            position += 1
    return tokens


def _below(codes: frozenset[str], above: set[str], index: RegionIndex) -> set[str]:
    return {code for code in codes if not above.isdisjoint(index.lineage[code][1:])}


def _within(codes: Iterable[str], areas: frozenset[str] | set[str], index: RegionIndex) -> set[str]:
    return {code for code in codes if not areas.isdisjoint(index.lineage[code])}


def _narrow(tokens: Sequence[_Token], index: RegionIndex) -> set[str]:
    candidates: set[str] | None = None
    for token in tokens:
        if candidates is None:
            candidates = set(token.current or token.former)
            continue
        below = _below(token.current, candidates, index) or _below(token.former, candidates, index)
        if below:
            candidates = below
            continue
        above = _within(candidates, token.current, index) or _within(
            candidates, token.former, index
        )
        if not above:
            break
        candidates = above
    return candidates or set()


def _topmost(codes: set[str], index: RegionIndex) -> set[str]:
    return {code for code in codes if codes.isdisjoint(index.lineage[code][1:])}


def _host_labels(source_domain: str) -> list[str]:
    host = urlsplit(source_domain if "//" in source_domain else f"//{source_domain}").hostname
    if not host:
        return []
    return [label for label in host.lower().split(".") if label not in _DOMAIN_NOISE]


def _domain_regions(source_domain: str, index: RegionIndex) -> set[str]:
    """The units the host names, read from the right (parent) to the left (child)."""
    candidates: set[str] | None = None
    for label in reversed(_host_labels(source_domain)):
        codes = index.domain_keys.get(label)
        if not codes:
            continue
        if candidates is None:
            candidates = _topmost(set(codes), index)
            continue
        below = _below(codes, candidates, index)
        if below:
            candidates = _topmost(below, index)
    return candidates or set()


def _normalise_area_code(phone_area_code: str) -> str:
    digits = "".join(char for char in phone_area_code if char.isdigit())
    return digits if digits.startswith("0") else f"0{digits}"


def _placement(candidates: set[str], method: str) -> Placement:
    ordered = tuple(sorted(candidates))
    if len(ordered) == 1:
        return Placement(ordered[0], ordered, method)
    return Placement(None, ordered, "none")


def place_agency(
    name: str,
    *,
    phone_area_code: str | None = None,
    source_domain: str | None = None,
    regions: Sequence[RegionRecord] | None = None,
) -> Placement:
    index = default_index() if regions is None else _index_for(tuple(regions))
    candidates = _narrow(_scan_names(_strip_brackets(name), index), index)
    if not candidates:
        if source_domain:
            return _placement(_domain_regions(source_domain, index), "domain")
        return Placement(None, (), "none")
    method = "name"
    if len(candidates) > 1 and phone_area_code:
        areas = index.area_codes.get(_normalise_area_code(phone_area_code), frozenset())
        if by_phone := _within(candidates, areas, index):
            candidates, method = by_phone, f"{method}+phone"
    if len(candidates) > 1 and source_domain:
        by_domain = _within(candidates, _domain_regions(source_domain, index), index)
        if by_domain:
            candidates, method = by_domain, f"{method}+domain"
    return _placement(candidates, method)


_OTHER_BODIES = ("人民法院", "人民检察院", "人民代表大会", "政治协商会议")
_TOWNSHIP_GOVERNMENT = re.compile(r"(乡|镇|苏木)(人民)?政府")
_STREET_ENDINGS = ("街道", "街道办事处", "街道办")
_OFFICE = re.compile(r"政府办公(室|厅)$")
_ZONE_COMMITTEES = ("管委会", "管理委员会")
_DEPARTMENT_ENDINGS = ("局", "委员会", "委", "厅", "办公室", "办", "中心", "署")


def agency_kind(name: str) -> AgencyKind:
    text = _strip_brackets(name).strip()
    if any(body in text for body in _OTHER_BODIES):
        return "other"
    if text.endswith(_STREET_ENDINGS) or _TOWNSHIP_GOVERNMENT.search(text):
        return "township_street"
    if _OFFICE.search(text):
        return "government_office"
    if "人民政府" in text:
        return "people_government"
    if any(committee in text for committee in _ZONE_COMMITTEES):
        return "other"
    if text.endswith(_DEPARTMENT_ENDINGS):
        return "department"
    return "other"
