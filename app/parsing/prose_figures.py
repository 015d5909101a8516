"""Review figures a report states in its prose, for choosing among readings of table 四.

Part 一 often repeats table 四 in words: "政府信息公开行政复议 351 件，其中结果维持 72 件，…，尚未
审结 37 件；政府信息公开行政诉讼 46 件，其中结果维持 25 件，…". Such figures never fill a cell:
they only tell apart readings of the table that its own arithmetic already allows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# Page numbers that plain PDF text prints inside a sentence cut by a page break.
_PAGE_NUMBER = re.compile(
    r"^[ \t]*(?:[-—－][ \t]*\d{1,3}[ \t]*[-—－]|第[ \t]*\d{1,3}[ \t]*页.*)$", re.M
)
_SPACES = re.compile(r"\s+")
# Between the case kind and its count: "案件", "共", "数为"; never a number or a clause mark.
_GAP = r"[^\d，,。；;：:、]{0,4}?"
_STATEMENTS = {
    "reconsideration": re.compile(rf"行政复议{_GAP}(\d+)件"),
    "litigation": re.compile(rf"行政诉讼{_GAP}(\d+)件"),
}
_CLAUSE_END = re.compile(r"[；;。]|行政复议|行政诉讼")
_CLAUSE_LENGTH = 80
# The table's columns, in its order, as the prose names them.
_PARTS = tuple(
    re.compile(rf"{words}[^\d，,；;。]{{0,6}}?(\d+)件")
    for words in ("维持", "纠正", "其他", "(?:未审结|未结|审理中)")
)


@dataclass(frozen=True, slots=True)
class StatedCases:
    """Upheld, corrected, other, pending and total as stated; None where the prose is silent."""

    figures: tuple[int | None, ...]

    def allows(self, values: Sequence[int]) -> bool:
        return all(s is None or s == v for s, v in zip(self.figures, values, strict=True))


@dataclass(frozen=True, slots=True)
class StatedReviews:
    """Reconsiderations, and lawsuits of both kinds together, as the prose states them."""

    reconsideration: StatedCases | None = None
    litigation: StatedCases | None = None

    @property
    def states_anything(self) -> bool:
        return self.reconsideration is not None or self.litigation is not None

    def allows(self, reading: Sequence[int]) -> bool:
        """Whether table 四's fifteen values, in catalog order, agree with the prose."""
        lawsuits = [reading[5 + i] + reading[10 + i] for i in range(5)]
        return (self.reconsideration is None or self.reconsideration.allows(reading[:5])) and (
            self.litigation is None or self.litigation.allows(lawsuits)
        )

    def describe(self) -> str:
        parts = [
            f"{title} {cases.figures[-1]} 件"
            for title, cases in (("行政复议", self.reconsideration), ("行政诉讼", self.litigation))
            if cases is not None
        ]
        return "，".join(parts)


def stated_reviews(text: str) -> StatedReviews:
    """The review figures stated anywhere in the text.

    Sentences run across lines, page breaks and spaces. A kind stated twice in ways that
    disagree is left out: the prose then does not say which figure is meant.
    """
    # No NFKC pass over the whole text: \d and int() already read full-width digits.
    flat = _SPACES.sub("", _PAGE_NUMBER.sub("", text))
    found: dict[str, StatedCases | None] = {}
    for kind, pattern in _STATEMENTS.items():
        for match in pattern.finditer(flat):
            cases = _cases(flat, match)
            found[kind] = _merged(found[kind], cases) if kind in found else cases
    return StatedReviews(found.get("reconsideration"), found.get("litigation"))


def _cases(flat: str, match: re.Match[str]) -> StatedCases:
    clause = flat[match.end() : match.end() + _CLAUSE_LENGTH]
    end = _CLAUSE_END.search(clause)
    if end is not None:
        clause = clause[: end.start()]
    parts = [_first_count(pattern, clause) for pattern in _PARTS]
    return StatedCases((*parts, int(match.group(1))))


def _first_count(pattern: re.Pattern[str], clause: str) -> int | None:
    match = pattern.search(clause)
    return int(match.group(1)) if match else None


def _merged(left: StatedCases | None, right: StatedCases) -> StatedCases | None:
    if left is None:
        return None
    merged: list[int | None] = []
    for a, b in zip(left.figures, right.figures, strict=True):
        if a is not None and b is not None and a != b:
            return None
        merged.append(a if a is not None else b)
    return StatedCases(tuple(merged))
