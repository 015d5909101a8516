"""Subtotals the 三 table does not print: group rows and the 法人或其他组织 column.

They are served only when asked for and always marked derived, so they are never mistaken for
printed cells. A subtotal is given only when every part of it was printed as a number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from app.catalog import REQUEST_COLUMNS, REQUEST_ROWS

ORG_COLUMNS = ("commercial", "research", "social_org", "legal_service", "other_org")
_READABLE = ("number", "inferred")


@dataclass(frozen=True, slots=True)
class DerivedCell:
    table: str
    row: str
    col: str
    value: float
    status: str


def _group(prefix: str) -> tuple[str, ...]:
    return tuple(r.key for r in REQUEST_ROWS if r.key.startswith(prefix))


GROUP_ROWS: dict[str, tuple[str, ...]] = {
    "denied": _group("denied_"),
    "unavailable": _group("unavailable_"),
    "not_processed": _group("not_processed_"),
    "other": _group("other_"),
}


def derive_request_subtotals(
    cells: Mapping[tuple[str, str], tuple[float | None, str]], printed_rows: set[str]
) -> list[DerivedCell]:
    """`cells` maps (row, col) of the requests table to (value, status)."""

    def total(parts: list[tuple[str, str]]) -> tuple[float, str] | None:
        found = [cells.get(p) for p in parts]
        if not found or any(f is None or f[0] is None or f[1] not in _READABLE for f in found):
            return None
        values = [f[0] for f in found if f is not None and f[0] is not None]
        inferred = any(f is not None and f[1] == "inferred" for f in found)
        return sum(values), "inferred" if inferred else "number"

    derived: list[DerivedCell] = []
    columns = [c.key for c in REQUEST_COLUMNS]
    for group, rows in GROUP_ROWS.items():
        # `other` is printed in 2019 reports; only the 2021 sub-rows need summing.
        if group == "other" and "other" in printed_rows:
            continue
        present = [r for r in rows if r in printed_rows]
        if not present:
            continue
        for col in columns:
            result = total([(r, col) for r in present])
            if result is not None:
                derived.append(DerivedCell("requests", group, col, result[0], result[1]))
    for row in sorted(printed_rows, key=_row_order):
        result = total([(row, c) for c in ORG_COLUMNS])
        if result is not None:
            derived.append(DerivedCell("requests", row, "legal_person", result[0], result[1]))
    return derived


_ORDER = {r.key: i for i, r in enumerate(REQUEST_ROWS)}


def _row_order(row: str) -> int:
    return _ORDER.get(row, len(_ORDER))
