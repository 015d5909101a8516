"""Ruled tables on a PDF page: grids rebuilt from border lines, merged cells found from gaps."""

from __future__ import annotations

import itertools
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from app.parsing.extract.text import clean_cell, is_cjk, join_fragments

# Border lines are at most this thick; positions closer than the tolerance are one line.
_RULE_THICKNESS = 2.5
_MIN_RULE_LENGTH = 4.0
_TOLERANCE = 3.0
_MAX_GRID_SLOTS = 20_000
_WORD_GAP = 0.25


@dataclass(frozen=True, slots=True)
class Char:
    left: float
    bottom: float
    right: float
    top: float
    text: str

    @property
    def height(self) -> float:
        return self.top - self.bottom

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def center(self) -> float:
        return (self.left + self.right) / 2


@dataclass(frozen=True, slots=True)
class Segment:
    """A thin filled rectangle or stroked line: a candidate table border."""

    left: float
    bottom: float
    right: float
    top: float

    @property
    def horizontal(self) -> bool:
        return self.right - self.left >= self.top - self.bottom

    @property
    def is_rule(self) -> bool:
        width, height = self.right - self.left, self.top - self.bottom
        return min(width, height) <= _RULE_THICKNESS and max(width, height) >= _MIN_RULE_LENGTH

    @property
    def position(self) -> float:
        """Where the line lies across its length: y for a horizontal line, x for a vertical one."""
        if self.horizontal:
            return (self.top + self.bottom) / 2
        return (self.left + self.right) / 2

    def touches(self, other: Segment) -> bool:
        return (
            self.left - _TOLERANCE <= other.right
            and other.left - _TOLERANCE <= self.right
            and self.bottom - _TOLERANCE <= other.top
            and other.bottom - _TOLERANCE <= self.top
        )


class RuledTable:
    """A grid of column edges `xs` (left to right) and row edges `ys` (top to bottom)."""

    def __init__(self, xs: list[float], ys: list[float], segments: Sequence[Segment]) -> None:
        self.xs = xs
        self.ys = ys
        self._descending_ys = [-y for y in ys]
        self._owner = self._merge_cells(segments)

    def contains(self, char: Char) -> bool:
        return (
            self.xs[0] - 1 <= char.center <= self.xs[-1] + 1
            and self.ys[-1] - 1 <= char.middle <= self.ys[0] + 1
        )

    def rows(self, chars: Iterable[Char]) -> list[tuple[float, list[str]]]:
        """Each grid row's top and cells; a merged cell's text sits in its top-left slot."""
        by_cell: dict[tuple[int, int], list[Char]] = {}
        for char in chars:
            by_cell.setdefault(self._owner[self._slot(char)], []).append(char)
        rows: list[tuple[float, list[str]]] = []
        for row in range(len(self.ys) - 1):
            cells = []
            for column in range(len(self.xs) - 1):
                if self._owner[(row, column)] != (row, column):
                    cells.append("")
                else:
                    cells.append(_cell_text(by_cell.get((row, column), [])))
            rows.append((self.ys[row], cells))
        return rows

    def _slot(self, char: Char) -> tuple[int, int]:
        column = min(max(bisect_left(self.xs, char.center) - 1, 0), len(self.xs) - 2)
        row = min(max(bisect_left(self._descending_ys, -char.middle) - 1, 0), len(self.ys) - 2)
        return row, column

    def _merge_cells(self, segments: Sequence[Segment]) -> dict[tuple[int, int], tuple[int, int]]:
        # Neighbouring slots with no border drawn between them belong to one printed cell.
        horizontals = [segment for segment in segments if segment.horizontal]
        verticals = [segment for segment in segments if not segment.horizontal]
        row_count, column_count = len(self.ys) - 1, len(self.xs) - 1
        parent = {(r, c): (r, c) for r in range(row_count) for c in range(column_count)}

        def find(slot: tuple[int, int]) -> tuple[int, int]:
            while parent[slot] != slot:
                parent[slot] = parent[parent[slot]]
                slot = parent[slot]
            return slot

        def union(first: tuple[int, int], second: tuple[int, int]) -> None:
            root_a, root_b = find(first), find(second)
            if root_a != root_b:
                parent[max(root_a, root_b)] = min(root_a, root_b)

        for row in range(row_count):
            middle = (self.ys[row] + self.ys[row + 1]) / 2
            for column in range(column_count - 1):
                if not _crossed(verticals, self.xs[column + 1], middle):
                    union((row, column), (row, column + 1))
        for column in range(column_count):
            middle = (self.xs[column] + self.xs[column + 1]) / 2
            for row in range(row_count - 1):
                if not _crossed(horizontals, self.ys[row + 1], middle):
                    union((row, column), (row + 1, column))
        return {slot: find(slot) for slot in parent}


def _crossed(rules: Sequence[Segment], position: float, across: float) -> bool:
    """Whether a rule lies at `position` and spans the point `across` along its length."""
    for rule in rules:
        if abs(rule.position - position) > _TOLERANCE:
            continue
        start, end = (rule.left, rule.right) if rule.horizontal else (rule.bottom, rule.top)
        if start - _TOLERANCE <= across <= end + _TOLERANCE:
            return True
    return False


def find_tables(segments: Sequence[Segment]) -> list[RuledTable]:
    """Tables of at least two rows and two columns formed by touching border lines."""
    tables: list[RuledTable] = []
    for group in _touching_groups(segments):
        xs = _cluster(segment.position for segment in group if not segment.horizontal)
        ys = _cluster((segment.position for segment in group if segment.horizontal), reverse=True)
        if len(xs) < 3 or len(ys) < 3 or (len(xs) - 1) * (len(ys) - 1) > _MAX_GRID_SLOTS:
            continue  # a frame, an underline or a drawing, not a table
        tables.append(RuledTable(xs, ys, group))
    return tables


def _touching_groups(segments: Sequence[Segment]) -> list[list[Segment]]:
    parent = list(range(len(segments)))

    def find(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    ordered = sorted(range(len(segments)), key=lambda index: segments[index].left)
    for position, index in enumerate(ordered):
        segment = segments[index]
        for other_index in ordered[position + 1 :]:
            other = segments[other_index]
            if other.left - _TOLERANCE > segment.right:
                break
            if segment.touches(other):
                parent[find(other_index)] = find(index)
    groups: dict[int, list[Segment]] = {}
    for index, segment in enumerate(segments):
        groups.setdefault(find(index), []).append(segment)
    return list(groups.values())


def _cluster(positions: Iterable[float], reverse: bool = False) -> list[float]:
    clustered: list[list[float]] = []
    for position in sorted(positions):
        if clustered and position - clustered[-1][-1] <= _TOLERANCE:
            clustered[-1].append(position)
        else:
            clustered.append([position])
    centers = [sum(group) / len(group) for group in clustered]
    return centers[::-1] if reverse else centers


def group_into_lines(chars: list[Char]) -> list[list[Char]]:
    """Characters in rows by vertical overlap, top to bottom, each row left to right."""
    bands: list[list[Char]] = []
    band_bottom = band_top = 0.0
    for char in sorted(chars, key=lambda char: -char.middle):
        if bands and band_bottom <= char.middle <= band_top:
            bands[-1].append(char)
            continue
        bands.append([char])
        band_bottom, band_top = char.bottom, char.top
    for band in bands:
        band.sort(key=lambda char: char.left)
    return bands


def _cell_text(chars: list[Char]) -> str:
    fragments = []
    for band in group_into_lines(chars):
        height = max(char.height for char in band)
        text = band[0].text
        for before, after in itertools.pairwise(band):
            gap = after.left - before.right
            if gap > _WORD_GAP * height and not (is_cjk(before.text) or is_cjk(after.text)):
                text += " "
            text += after.text
        fragments.append(clean_cell(text))
    return clean_cell(join_fragments(fragments))
