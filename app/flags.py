"""What does not add up over time: plausibility flags between an agency's reports of two
consecutive years.

A flag is for a person to look at, never a correction: no stored value changes. Each flag names
its rule, what was expected from the year before and what the report says. A rule is skipped
where a value it needs is not a number (blank, not applicable, unreadable or not printed):
a blank is never read as 0.

The rules:

* `requests.carried_over`: 上年结转 (carried over) of each applicant column equals the year
  before's 结转下年度继续办理 (carried forward).
* `proactive.in_force` (2021 format, both years): 现行有效件数 = the year before's 现行有效件数
  + this year's 本年制发件数 − 本年废止件数, for 规章 and 规范性文件.
* `proactive.prev_items` (2019 format, both years): 上一年项目数量 = the year before's
  上一年项目数量 + its 本年增/减, for each row that prints them.
* `jump`: a headline count at least JUMP_FACTOR times larger or smaller than the year before,
  when the larger of the two is at least JUMP_FLOOR (small counts swing by nature).

The flags of every current report are stored (`report_flag`), against its agency's current
report of the year before. A write changes the flags of the reports of the agency and year it
wrote and of that agency's year after (whose year before it changed): `refresh_flags` computes
exactly those again. `rebuild_flags` computes an agency's (or every agency's) flags afresh.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Literal, TypeVar, get_args

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from app.catalog import REQUEST_COLUMNS
from app.cells import load_cells
from app.models import CellRow, Report, ReportFlag

JUMP_FACTOR = 10.0
JUMP_FLOOR = 100.0
JUMP_KEYS = (
    "requests.new.total",
    "requests.processed_total.total",
    "reviews.reconsideration.total",
    "reviews.litigation_direct.total",
    "reviews.litigation_after_reconsideration.total",
)
IN_FORCE_ROWS = ("rules", "normative_docs")
PREV_ITEMS_ROWS = ("licensing", "other_services", "penalties", "enforcement", "fees")

Cells = Mapping[str, CellRow]  # by table.row.col
FlagRule = Literal["requests.carried_over", "proactive.in_force", "proactive.prev_items", "jump"]
RULES: tuple[FlagRule, ...] = get_args(FlagRule)
# Every cell a rule reads: only these are loaded to compute stored flags.
FLAG_KEYS: tuple[str, ...] = tuple(
    dict.fromkeys(
        [
            *(
                f"requests.{row}.{c.key}"
                for row in ("carried_over", "carried_forward")
                for c in REQUEST_COLUMNS
            ),
            *(
                f"proactive.{row}.{col}"
                for row in IN_FORCE_ROWS
                for col in ("in_force", "issued", "repealed")
            ),
            *(
                f"proactive.{row}.{col}"
                for row in PREV_ITEMS_ROWS
                for col in ("prev_items", "change")
            ),
            *JUMP_KEYS,
        ]
    )
)
# Pairs of reports whose flags are computed together: a few thousand cells per statement.
_PAIRS_PER_BATCH = 400


@dataclass(frozen=True, slots=True)
class Flag:
    rule: str
    key: str  # the cell of this year's report the flag is about
    expected: float  # from the year before (and this year's own cells, for running counts)
    found: float
    sources: tuple[str, ...]  # the cells `expected` was computed from, `previous:` for last year
    message: str


def plausibility_flags(previous: Cells, current: Cells) -> list[Flag]:
    return [
        *_carried_over(previous, current),
        *_in_force(previous, current),
        *_prev_items(previous, current),
        *_jumps(previous, current),
    ]


def _number(cells: Cells, key: str) -> float | None:
    cell = cells.get(key)
    return cell.value if cell is not None and cell.status in ("number", "inferred") else None


def _carried_over(previous: Cells, current: Cells) -> Iterator[Flag]:
    for column in REQUEST_COLUMNS:
        key = f"requests.carried_over.{column.key}"
        before_key = f"requests.carried_forward.{column.key}"
        found, expected = _number(current, key), _number(previous, before_key)
        if found is None or expected is None or found == expected:
            continue
        yield Flag(
            "requests.carried_over",
            key,
            expected,
            found,
            (f"previous:{before_key}",),
            f"carried over {_show(found)} but the year before carried forward {_show(expected)}",
        )


def _in_force(previous: Cells, current: Cells) -> Iterator[Flag]:
    for row in IN_FORCE_ROWS:
        key = f"proactive.{row}.in_force"
        issued, repealed = f"proactive.{row}.issued", f"proactive.{row}.repealed"
        found, before = _number(current, key), _number(previous, key)
        made, dropped = _number(current, issued), _number(current, repealed)
        if found is None or before is None or made is None or dropped is None:
            continue
        expected = before + made - dropped
        if found == expected:
            continue
        yield Flag(
            "proactive.in_force",
            key,
            expected,
            found,
            (f"previous:{key}", issued, repealed),
            f"in force {_show(found)}, but the year before's {_show(before)} + {_show(made)} "
            f"issued − {_show(dropped)} repealed = {_show(expected)}",
        )


def _prev_items(previous: Cells, current: Cells) -> Iterator[Flag]:
    for row in PREV_ITEMS_ROWS:
        key, change = f"proactive.{row}.prev_items", f"proactive.{row}.change"
        found, before, moved = (
            _number(current, key),
            _number(previous, key),
            _number(previous, change),
        )
        if found is None or before is None or moved is None:
            continue
        expected = before + moved
        if found == expected:
            continue
        yield Flag(
            "proactive.prev_items",
            key,
            expected,
            found,
            (f"previous:{key}", f"previous:{change}"),
            f"items last year {_show(found)}, but the year before's {_show(before)} with its "
            f"change {_show(moved, signed=True)} = {_show(expected)}",
        )


def _jumps(previous: Cells, current: Cells) -> Iterator[Flag]:
    for key in JUMP_KEYS:
        found, before = _number(current, key), _number(previous, key)
        if found is None or before is None or max(found, before) < JUMP_FLOOR:
            continue
        low, high = sorted((found, before))
        if low > 0 and high / low < JUMP_FACTOR:
            continue
        yield Flag(
            "jump",
            key,
            before,
            found,
            (f"previous:{key}",),
            f"{_show(found)} against {_show(before)} the year before: a change of "
            f"{JUMP_FACTOR:g} times or more",
        )


def _show(value: float, *, signed: bool = False) -> str:
    text = f"{value:g}"
    return f"+{text}" if signed and value > 0 else text


# --- stored flags

T = TypeVar("T")


def batched(items: Iterable[T], size: int) -> Iterator[tuple[T, ...]]:
    it = iter(items)
    while chunk := tuple(islice(it, size)):
        yield chunk


def refresh_flags(session: Session, written: Iterable[tuple[int, int]]) -> None:
    """Compute again the stored flags a write changed, in the caller's transaction.

    `written` holds the (agency id, year) of each report the write stored, superseded,
    withdrawn or moved (both places, for a move). The flags of those agencies' reports of those
    years and of the year after are replaced; no other report's flags change.
    """
    targets = {(agency, year + step) for agency, year in written for step in (0, 1)}
    for agencies in batched(sorted({agency for agency, _ in targets}), 500):
        reports = session.execute(
            select(Report.id, Report.agency_id, Report.year, Report.is_current).where(
                Report.agency_id.in_(agencies)
            )
        ).all()
        stale = [r.id for r in reports if (r.agency_id, r.year) in targets]
        for ids in batched(stale, 500):
            session.execute(delete(ReportFlag).where(ReportFlag.report_id.in_(ids)))
        current = {(r.agency_id, r.year): r.id for r in reports if r.is_current}
        pairs = [
            (current[agency, year - 1], report_id)
            for (agency, year), report_id in current.items()
            if (agency, year) in targets and (agency, year - 1) in current
        ]
        _store_flags(session, pairs)


def rebuild_flags(session: Session, agency_ids: Iterable[int] | None = None) -> int:
    """Compute every stored flag of the agencies given (all agencies when None) afresh, from
    their current reports' cells, a few hundred agencies at a time; the number stored."""
    if agency_ids is None:
        session.execute(delete(ReportFlag))
        agency_ids = session.scalars(
            select(Report.agency_id).where(Report.is_current.is_(True)).distinct()
        ).all()
    stored = 0
    for chunk in batched(sorted(agency_ids), 500):
        ids = select(Report.id).where(Report.agency_id.in_(chunk))
        session.execute(delete(ReportFlag).where(ReportFlag.report_id.in_(ids)))
        current = {
            (r.agency_id, r.year): r.id
            for r in session.execute(
                select(Report.id, Report.agency_id, Report.year).where(
                    Report.is_current.is_(True), Report.agency_id.in_(chunk)
                )
            )
        }
        pairs = [
            (current[agency, year - 1], report_id)
            for (agency, year), report_id in sorted(current.items())
            if (agency, year - 1) in current
        ]
        stored += _store_flags(session, pairs)
    return stored


def _store_flags(session: Session, pairs: Sequence[tuple[int, int]]) -> int:
    """Store the flags of each (previous report, report) pair; the number stored."""
    stored = 0
    for batch in batched(pairs, _PAIRS_PER_BATCH):
        cells = _flag_cells(session, {i for pair in batch for i in pair})
        rows = [
            {
                "report_id": report_id,
                "rule": f.rule,
                "cell_key": f.key,
                "previous_report_id": previous_id,
                "expected": f.expected,
                "found": f.found,
                "sources": list(f.sources),
                "message": f.message,
            }
            for previous_id, report_id in batch
            for f in plausibility_flags(cells.get(previous_id, {}), cells.get(report_id, {}))
        ]
        if rows:
            session.execute(insert(ReportFlag), rows)
        stored += len(rows)
    return stored


def _flag_cells(session: Session, report_ids: Collection[int]) -> dict[int, dict[str, CellRow]]:
    """The cells the rules read, of each report, by table.row.col."""
    wanted = set(FLAG_KEYS)
    return {
        report_id: {
            key: cell for cell in cells if (key := f"{cell.table}.{cell.row}.{cell.col}") in wanted
        }
        for report_id, cells in load_cells(session.connection(), report_ids).items()
    }
