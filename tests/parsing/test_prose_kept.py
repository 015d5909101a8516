"""Every sentence of every corpus text document is kept in its report's sections.

A *sentence line* is a printed line (a flattened report, one line over 400 characters, is first
cut into sentences after each 。 and before each part heading) that

- holds at least 8 Chinese characters;
- is not a table row: no tab or pipe, no gap of two spaces or more between two characters
  (pdftotext -layout columns), no 勾稽关系 note (nor its wrapped tail, 第三项加第四项), and no
  label of a statistics table. A label is short (numbering and spaces removed, at most 40
  characters, no 。, holding no part or table title) and holds a catalog row label of four
  characters or more or a printed group label such as 本年度办理结果, begins with one's first
  six characters, or, broken over lines (at most 20 characters), shares six characters running
  with one, not counting runs a title holds;
- and holds a mark of a sentence or of a clause in one (。；：，、), or is a heading (一、… or
  （一）…, at most 48 characters). A line hard-wrapped mid-sentence counts: its words must be kept
  as much as the line that ends the sentence.

A piece of a flattened report that holds three catalog labels or more is a table, not a sentence.

It is kept when, with all whitespace removed, it is part of the report's sections (titles and
texts run together, whitespace removed): wrapping and spacing differ, the words do not. A line
the report's warnings name as left out is accounted for, not lost.
`-s` prints kept / all per file and in total.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.catalog import SECTIONS, TABLES
from app.parsing.decode import decode_text
from app.parsing.document import media_type_for, parse_document
from app.parsing.extract.html import html_to_text
from app.parsing.normalize import fold, strip_numbering
from tests.conftest import shared_path

CORPUS = shared_path("corpus")

pytestmark = pytest.mark.shared

_CJK = re.compile(r"[\u4e00-\u9fff]")
_TABLE_ROW = re.compile(r"[\t|]|\S[ \u3000]{2,}\S|勾稽关系|第三项加第四项")
_HEADING = re.compile(
    r"^(?:[一二三四五六七八九十]{1,2}[、.．]|[(（][一二三四五六七八九十]{1,2}[)）])"
)
_FLATTENED = 400
_CUT = re.compile(r"(?<=。)|(?=[一二三四五六]、)")
_MIN_CJK = 8
_MAX_HEADING = 48
_SHARED_RUN = 6
_LABEL_PIECE = 20
_SHORTEST_LABEL = 4
_LONGEST_LABEL = 40
_GROUP_LABELS = ("本年度办理结果", "申请人情况", "不予公开", "无法提供", "不予处理", "其他处理")


def _labels() -> tuple[str, ...]:
    rows = [row.label_zh for table in TABLES.values() for row in table.rows]
    return tuple(strip_numbering(fold(label)) for label in (*rows, *_GROUP_LABELS))


_LABELS = _labels()
_LONG_LABELS = tuple(
    {label for label in _LABELS if len(label) >= _SHORTEST_LABEL}
    | {fold(c.label_zh) for t in TABLES.values() for c in t.columns if len(c.label_zh) >= 4}
)
_MARKS = re.compile(r"[。；：，、;:,]")
_LABELS_OF_A_TABLE = 3
_TITLES = tuple(
    fold(t) for t in (*(s.title_zh for s in SECTIONS), *(t.title_zh for t in TABLES.values()))
)


def _runs(text: str) -> set[str]:
    return {text[i : i + _SHARED_RUN] for i in range(len(text) - _SHARED_RUN + 1)}


def _is_table_label(unit: str) -> bool:
    core = strip_numbering(fold(unit))
    if len(core) > _LONGEST_LABEL or "。" in core or any(title in core for title in _TITLES):
        return False
    if any(
        (len(label) >= _SHORTEST_LABEL and label in core)
        or core[:_SHARED_RUN] == label[:_SHARED_RUN]
        for label in _LABELS
    ):
        return True
    if len(core) > _LABEL_PIECE:
        return False
    runs = {run for run in _runs(core) if not any(run in title for title in _TITLES)}
    return any(run in label for run in runs for label in _LABELS)


def _is_sentence(unit: str) -> bool:
    bare = "".join(unit.split())
    if len(_CJK.findall(bare)) < _MIN_CJK or _TABLE_ROW.search(unit.strip()):
        return False
    if _is_table_label(bare):
        return False
    if sum(1 for label in _LONG_LABELS if label in fold(bare)) >= _LABELS_OF_A_TABLE:
        return False
    heading = _HEADING.match(bare) is not None and len(bare) <= _MAX_HEADING
    return _MARKS.search(bare) is not None or heading


def sentence_lines(text: str) -> list[str]:
    units: list[str] = []
    for line in text.split("\n"):
        units.extend(_CUT.split(line) if len(line) > _FLATTENED else [line])
    return [unit.strip() for unit in units if _is_sentence(unit)]


def _corpus_names() -> list[str]:
    if not CORPUS.exists():
        return []
    names = sorted(path.name for path in CORPUS.glob("*.txt"))
    return [*names, "109.md", "111.html"]


def _text(path: Path) -> str:
    data = path.read_bytes()
    return html_to_text(decode_text(data)) if path.suffix == ".html" else decode_text(data)


def kept_of(name: str) -> tuple[list[str], list[str]]:
    """The sentence lines of a corpus document, and those missing from its sections."""
    path = CORPUS / name
    media_type = media_type_for(name, None)
    assert media_type is not None
    report = parse_document(path.read_bytes(), media_type)
    sections = "".join("".join((s.title + s.text).split()) for s in report.sections)
    warned = "".join("".join(w.split()) for w in report.warnings)
    lines = sentence_lines(_text(path))
    bare = ["".join(line.split()) for line in lines]
    return lines, [line for line, b in zip(lines, bare, strict=True) if b not in sections + warned]


@pytest.mark.parametrize("name", _corpus_names())
def test_every_sentence_line_is_in_the_sections(name: str) -> None:
    lines, missing = kept_of(name)
    print(f"{name}: {len(lines) - len(missing)}/{len(lines)}")
    assert missing == []


def test_the_corpus_has_sentences_to_keep() -> None:
    """The definition finds sentences in every document, flattened ones too."""
    counts = {name: len(kept_of(name)[0]) for name in _corpus_names()}
    total = sum(counts.values())
    print(f"sentence lines in the corpus: {total}")
    assert all(counts.values()), [name for name, count in counts.items() if not count]
