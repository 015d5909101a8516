"""The three statistics tables: where they are, which format they print, and their cells."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from app.catalog import (
    PROACTIVE,
    REQUESTS,
    REVIEW_COLUMNS,
    REVIEW_ROWS,
    Column,
    Format,
    Row,
)
from app.parsing.align import RowReading, Run, align_rows, read_row, row_run
from app.parsing.displaced import (
    review_readings,
    row_after_values,
    row_before_label,
    rows_in_sequence,
    settle_readings,
)
from app.parsing.model import ParsedCell
from app.parsing.prose_figures import stated_reviews
from app.parsing.run_tables import (
    is_glued,
    read_glued_requests,
    read_glued_reviews,
    read_glued_row,
)
from app.parsing.templates import PROACTIVE_TEMPLATES, REQUEST_TEMPLATES, RowTemplate
from app.parsing.tokens import Token
from app.parsing.values import CellValue, read_value

_FORMAT_2019_HEADERS = ("新制作", "新公开数量", "上一年项目", "采购项目", "采购总金额")
_FORMAT_2021_HEADERS = ("制发件数", "废止件数", "现行有效", "本年处理决定", "收费金额")
_REQUESTS_ANCHORS = ("勾稽关系", "申请人情况", "本年新收")
_REVIEW_VALUES = len(REVIEW_ROWS) * len(REVIEW_COLUMNS)


@dataclass(frozen=True, slots=True)
class Regions:
    """Token ranges [start, end) of each table; None when the table is not in the text."""

    proactive: tuple[int, int] | None
    requests: tuple[int, int] | None
    reviews: tuple[int, int] | None


@dataclass(slots=True)
class TableResult:
    cells: list[ParsedCell] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _first(tokens: list[Token], start: int, needles: tuple[str, ...]) -> int | None:
    for i in range(start, len(tokens)):
        folded = tokens[i].folded
        if tokens[i].kind == "label" and any(n in folded for n in needles):
            return i
    return None


def find_regions(tokens: list[Token]) -> Regions:
    proactive_start = _first(tokens, 0, ("第二十条",))
    requests_start = _first(tokens, proactive_start or 0, _REQUESTS_ANCHORS)
    after_requests = requests_start if requests_start is not None else (proactive_start or 0)
    reviews_start = _first(tokens, after_requests + 1, ("复议",))
    end = len(tokens)
    reviews_end = end
    if reviews_start is not None:
        reviews_end = _first(tokens, reviews_start + 1, ("存在的主要问题", "五、")) or end
    proactive = None
    if proactive_start is not None:
        proactive_end = next((i for i in (requests_start, reviews_start) if i is not None), end)
        proactive = (proactive_start, proactive_end)
    requests = None
    if requests_start is not None:
        requests = (requests_start, reviews_start if reviews_start is not None else end)
    reviews = (reviews_start, reviews_end) if reviews_start is not None else None
    return Regions(proactive, requests, reviews)


def format_from_headers(tokens: list[Token], region: tuple[int, int] | None) -> Format | None:
    """The format the 二 table's column headers print, if they say."""
    if region is None:
        return None
    old = new = 0
    for token in tokens[region[0] : region[1]]:
        old += any(h in token.folded for h in _FORMAT_2019_HEADERS)
        new += any(h in token.folded for h in _FORMAT_2021_HEADERS)
    if old == new:
        return None
    return "2019" if old > new else "2021"


def format_from_requests(tokens: list[Token], region: tuple[int, int] | None) -> Format | None:
    """The format the 三 table's （六） rows print, if they say."""
    if region is None:
        return None
    picks = align_rows(REQUEST_TEMPLATES, tokens[region[0] : region[1]])
    if "other_no_correction" in picks or "other_no_fee" in picks:
        return "2021"
    if "other" in picks and "processed_total" in picks:
        return "2019"
    return None


def _cells(table: str, row: str, reading: RowReading) -> list[ParsedCell]:
    return [
        ParsedCell(table, row, col, value.value, raw, value.status, value.unit)
        for col, (raw, value) in reading.cells.items()
    ]


def _problems(table: str, row: str, reading: RowReading) -> list[str]:
    notes = [f"{table}: {reading.warning}"] if reading.warning else []
    notes.extend(
        f"{table}.{row}.{col}: {value.problem}"
        for col, (_, value) in reading.cells.items()
        if value.problem
    )
    return notes


def read_proactive(tokens: list[Token], region: tuple[int, int], fmt: Format) -> TableResult:
    result = TableResult()
    window = tokens[region[0] : region[1]]
    picks = _anywhere(PROACTIVE_TEMPLATES, window, align_rows(PROACTIVE_TEMPLATES, window))
    for row in PROACTIVE.rows:
        if fmt not in row.formats:
            continue
        index = picks.get(row.key)
        if index is None:
            result.warnings.append(f"proactive: row {row.key} ({row.label_zh}) not found")
            continue
        columns = PROACTIVE.columns_for(row, fmt)
        run = row_run(window, index, len(window))
        before = _values_before(window, index, picks, len(columns))
        if is_glued(run):
            reading = read_glued_row(row.key, run, columns)
        elif not run.cells and before is not None:
            reading = _inferred(read_row(row.key, before, columns, total_last=False))
        else:
            reading = read_row(row.key, run, columns, total_last=False)
        result.cells.extend(_cells("proactive", row.key, reading))
        result.warnings.extend(_problems("proactive", row.key, reading))
    return result


def _values_before(
    window: list[Token], index: int, picks: dict[str, int], width: int
) -> Run | None:
    """The values just before a row label, when they follow a header rather than another row.

    Plain PDF text prints a one-row block's value before its label:
    "本年处理决定数量 550 行政许可".
    """
    start = index
    while start > 0 and window[start - 1].kind == "value":
        start -= 1
    if index - start != width or start == 0 or start - 1 in picks.values():
        return None
    return Run(tuple(window[start:index]), True)


def _anywhere(
    templates: tuple[RowTemplate, ...], window: list[Token], picks: dict[str, int]
) -> dict[str, int]:
    """Rows the in-order alignment missed, found wherever their label is printed.

    Table 二's rows have labels no other row shares; a report that prints part of the table
    again elsewhere (a PDF converted to text and Markdown) still names each row once.
    """
    taken = set(picks.values())
    found = dict(picks)
    for template in templates:
        if template.key in found:
            continue
        index = next(
            (
                i
                for i, token in enumerate(window)
                if i not in taken and token.kind == "label" and template.matches(token.folded)
            ),
            None,
        )
        if index is not None:
            found[template.key] = index
            taken.add(index)
    return found


def read_requests(tokens: list[Token], region: tuple[int, int], fmt: Format) -> TableResult:
    result = TableResult()
    window = tokens[region[0] : region[1]]
    picks = align_rows(REQUEST_TEMPLATES, window)
    runs = {key: row_run(window, index, len(window)) for key, index in picks.items()}
    has_sub_rows = any(
        any(t.kind == "value" for t in runs[k].cells)
        for k in ("other_no_correction", "other_no_fee", "other_misc")
        if k in runs
    )
    single_other = fmt == "2021" and not has_sub_rows
    rows = REQUESTS.printed_rows(fmt, single_other=single_other)
    readings: dict[str, RowReading] = {}
    if any(is_glued(run) for run in runs.values()):
        readings, notes = read_glued_requests(rows, runs, REQUESTS.columns)
        result.warnings.extend(notes)
    else:
        for row in REQUESTS.rows:
            if row.key in runs:
                readings[row.key] = read_row(
                    row.key, runs[row.key], REQUESTS.columns, total_last=True
                )
        variants = [rows]
        if fmt == "2021":
            variants.append(REQUESTS.printed_rows(fmt, single_other=not single_other))
        rows, displaced = _displaced_rows(window, picks, runs, variants, readings)
        readings.update(displaced)
    for row in rows:
        reading = readings.get(row.key)
        if reading is None:
            result.warnings.append(f"requests: row {row.key} ({row.label_zh}) not found")
            continue
        result.cells.extend(_cells("requests", row.key, reading))
        result.warnings.extend(_problems("requests", row.key, reading))
    return result


def _displaced_rows(
    window: list[Token],
    picks: dict[str, int],
    runs: dict[str, Run],
    variants: list[tuple[Row, ...]],
    readings: dict[str, RowReading],
) -> tuple[tuple[Row, ...], dict[str, RowReading]]:
    """Rows recovered from values printed away from their labels (see displaced.py).

    `variants` are the row lists the table may print (the 2021 （六） as one row or three);
    the first is the one its labels suggest.
    """
    rows = variants[0]
    unread = {
        row.key
        for row in rows
        if row.key not in readings
        or readings[row.key].warning
        or not any(v.status == "number" for _, v in readings[row.key].cells.values())
    }
    if not unread:
        return rows, {}
    for variant in variants:
        found = rows_in_sequence(window, variant)
        if found is None:
            continue
        recovered = {
            k: read_row(k, run, REQUESTS.columns, total_last=True) for k, run in found.items()
        }
        settled = [k for k in found if k in readings and not readings[k].warning]
        if all(_same(readings[k], recovered[k]) for k in settled):
            return variant, {k: _inferred(v) for k, v in recovered.items() if k not in settled}
    found = row_before_label(window, picks, rows, unread)
    found.update(row_after_values(window, runs, rows, unread - set(found)))
    return rows, {
        k: _inferred(read_row(k, run, REQUESTS.columns, total_last=True))
        for k, run in found.items()
    }


def _same(left: RowReading, right: RowReading) -> bool:
    return {k: v.value for k, (_, v) in left.cells.items()} == {
        k: v.value for k, (_, v) in right.cells.items()
    }


def _inferred(reading: RowReading) -> RowReading:
    """The same cells, marked as placed by the table's arithmetic rather than by their label."""
    cells = {
        key: (raw, replace(value, status="inferred") if value.status == "number" else value)
        for key, (raw, value) in reading.cells.items()
    }
    return RowReading(cells, reading.warning)


def read_reviews(tokens: list[Token], region: tuple[int, int], text: str) -> TableResult:
    """Table 四: one printed run of 15 values, in the catalog's row-major order.

    `text` is the whole report, whose prose may state the table's figures; it is read only
    when the values are printed in pieces whose order the table's arithmetic leaves open.
    """
    result = TableResult()
    window = tokens[region[0] : region[1]]
    runs = _value_runs(window)
    columns = tuple(
        Column(f"{row.key}.{col.key}", col.label_zh, col.label_en, col.kind)
        for row in REVIEW_ROWS
        for col in REVIEW_COLUMNS
    )
    if not runs:
        result.warnings.append("table 四 (reviews): no values printed")
        return result
    glued = [run for run in runs if is_glued(run) and _digit_count(run) >= _REVIEW_VALUES]
    fitting = [run for run in runs if _REVIEW_VALUES <= len(run.cells) <= _REVIEW_VALUES + 2]
    if glued and len(glued) == 1:
        reading = read_glued_reviews(glued[0], columns)
        if reading.warning:
            result.warnings.append(f"reviews: {reading.warning}")
    elif len(fitting) != 1 and (found := review_readings(window)) is not None:
        orders, notes = settle_readings(found, lambda: stated_reviews(text))
        result.warnings.extend(f"reviews: {note}" for note in notes)
        reading = _placed_reviews(found.cells(orders), columns, runs)
        if reading.warning:
            result.warnings.append(f"reviews: {reading.warning}")
    elif len(fitting) != 1:
        printed = " ".join(t.text for run in runs for t in run.cells if t.text)
        reading = RowReading({c.key: (printed, CellValue(None, "unreadable")) for c in columns})
        result.warnings.append(
            "table 四 (reviews): the 15 values are not printed together; "
            "the table could not be read"
        )
    else:
        reading = read_row("reviews", fitting[0], columns, total_last=False)
        if reading.warning:
            result.warnings.append(f"reviews: {reading.warning}")
    for key, (raw, value) in reading.cells.items():
        row, col = key.split(".")
        result.cells.append(
            ParsedCell("reviews", row, col, value.value, raw, value.status, value.unit)
        )
        if value.problem:
            result.warnings.append(f"reviews.{key}: {value.problem}")
    return result


def _placed_reviews(
    placed: list[Token | None], columns: tuple[Column, ...], runs: list[Run]
) -> RowReading:
    """Cells every reading of the out-of-order runs agrees on; the rest unreadable."""
    printed = " ".join(t.text for run in runs for t in run.cells if t.text)
    cells: dict[str, tuple[str, CellValue]] = {}
    for column, token in zip(columns, placed, strict=True):
        if token is None:
            cells[column.key] = (printed, CellValue(None, "unreadable"))
        else:
            value = read_value(token.text, column.kind)
            status = "inferred" if value.status == "number" else value.status
            cells[column.key] = (token.text, replace(value, status=status))
    unsure = sum(token is None for token in placed)
    warning = (
        f"table 四's values are printed out of order; {unsure} of 15 could not be placed"
        if unsure
        else None
    )
    return RowReading(cells, warning)


def _value_runs(window: list[Token]) -> list[Run]:
    runs: list[Run] = []
    current: list[Token] = []
    for token in [*window, Token("break", "", "", -1)]:
        if token.kind in ("value", "empty"):
            current.append(token)
            continue
        while current and current[0].kind == "empty":
            current.pop(0)
        while current and current[-1].kind == "empty":
            current.pop()
        if current:
            runs.append(Run(tuple(current), True))
        current = []
    return runs


def _digit_count(run: Run) -> int:
    return sum(len(token.text) for token in run.cells if token.text.isdigit())
