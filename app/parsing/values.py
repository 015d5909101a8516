"""Cell values: tell a printed value from a label and read it as a count, a change or an amount."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from app.catalog import ValueKind
from app.parsing.model import CellStatus

_DASHES = str.maketrans({"−": "-", "–": "-", "—": "-", "－": "-", "―": "-", "／": "/"})
_NOT_APPLICABLE = frozenset({"/", "-", "--"})
_NUMBER = re.compile(
    r"(?P<sign>[+-]|增加|减少|增|减|減)?"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?P<unit>万元|元|件|条|个|项)?"
)


@dataclass(frozen=True, slots=True)
class CellValue:
    value: int | Decimal | None
    status: CellStatus
    unit: str | None = None
    problem: str | None = None  # why a printed value could not be read


# Tables repeat the same few cell texts ("0", "1") hundreds of times.
@lru_cache(maxsize=4096)
def _compact(raw: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", raw)).translate(_DASHES)


@lru_cache(maxsize=4096)
def is_value_text(raw: str) -> bool:
    """True when a printed cell is a value (number, signed change, amount or a dash)."""
    text = _compact(raw)
    if not text:
        return False
    return text in _NOT_APPLICABLE or _NUMBER.fullmatch(text) is not None


# A reading is immutable, so one is shared by every cell printing the same text in a column of
# the same kind.
@lru_cache(maxsize=4096)
def read_value(raw: str, kind: ValueKind) -> CellValue:
    """Read one printed cell for a column of the given kind."""
    text = _compact(raw)
    if not text:
        return CellValue(None, "blank")
    if text in _NOT_APPLICABLE:
        return CellValue(None, "not_applicable")
    match = _NUMBER.fullmatch(text)
    if match is None:
        return CellValue(None, "unreadable", problem=f"{raw!r} is not a number")
    sign, unit = match.group("sign"), match.group("unit")
    number = match.group("num").replace(",", "")
    negative = sign in ("-", "减", "減", "减少")
    if len(number) > 1 and number.startswith("0") and not number.startswith("0."):
        return CellValue(None, "unreadable", problem=f"{raw!r} looks like cells run together")
    if kind == "amount":
        if negative:
            return CellValue(None, "unreadable", problem=f"{raw!r} is a negative amount")
        try:
            return CellValue(Decimal(number), "number", unit if unit in ("元", "万元") else None)
        except InvalidOperation:
            return CellValue(None, "unreadable", problem=f"{raw!r} is not a number")
    if "." in number or unit in ("元", "万元"):
        return CellValue(None, "unreadable", problem=f"{raw!r} is not a whole count")
    if kind == "count" and sign is not None and sign != "+":
        return CellValue(None, "unreadable", problem=f"{raw!r} is a negative count")
    value = int(number)
    return CellValue(-value if negative else value, "number", unit)
