"""Label normalisation: fold the many printed forms of a table label into one comparable string."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Traditional characters seen in mirrored reports, limited to what the labels and headings use.
_TRADITIONAL = (
    "數據請結轉開與處辦規範許項報務計總機關構會業組織體況動複復議訴訟維糾審費額單萬廢現發製條內"
    "為類過執詢無補後確訪舉權護國險穩屬強罰採購決減實際證應當繳納還對則準標書給職責領導區縣鎮鄉"
    "門題問進義統時間聯繫電話號稱簡網頁載級歸檔維負責預設獲係於"
)
_SIMPLIFIED = (
    "数据请结转开与处办规范许项报务计总机关构会业组织体况动复复议诉讼维纠审费额单万废现发制条内"
    "为类过执询无补后确访举权护国险稳属强罚采购决减实际证应当缴纳还对则准标书给职责领导区县镇乡"
    "门题问进义统时间联系电话号称简网页载级归档维负责预设获系于"
)
_TO_SIMPLIFIED = str.maketrans(_TRADITIONAL, _SIMPLIFIED)
# str.translate looks up every character of a string that is not ASCII; most text holds no
# traditional character, and a regex search says so at C speed.
_ANY_TRADITIONAL = re.compile(f"[{_TRADITIONAL}]")

# Pinyin glosses that some mirror sites insert after characters: 數(shù).
_PINYIN_GLOSS = re.compile(r"\([a-zü\u00e0-\u00fc\u0101-\u01dc]{1,8}\)")
_QUOTES = re.compile(r"[\"'“”‘’「」『』〝〞]")
# Leading numbering: 一、 （一） (三) 1. 1、 1． and combinations such as "三、（一）".
_NUMBERING = re.compile(
    r"^(?:[(（]?[一二三四五六七八九十]{1,3}[)）、.．]|[(（]\d{1,2}[)）]|\d{1,2}[.、．])+"
)
_PARENTHETICAL = re.compile(r"\([^()]{0,80}\)")
_TYPOS = (("只记", "只计"), ("行政止公开", "行政法规禁止公开"), ("其它", "其他"))


def to_simplified(text: str) -> str:
    """The text with the traditional characters reports use replaced by simplified ones."""
    return text.translate(_TO_SIMPLIFIED) if _ANY_TRADITIONAL.search(text) else text


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """NFKC, simplified characters, no glosses, no spaces, no quotes: for comparing labels."""
    text = to_simplified(unicodedata.normalize("NFKC", text))
    text = _PINYIN_GLOSS.sub("", text)
    text = "".join(text.split())  # no whitespace at all
    text = _QUOTES.sub("", text)
    for wrong, right in _TYPOS:
        text = text.replace(wrong, right)
    return text


def strip_numbering(folded: str) -> str:
    """The label without its leading outline numbers (一、 （三） 2.)."""
    return _NUMBERING.sub("", folded)


def strip_parentheticals(folded: str) -> str:
    """The label without bracketed notes, e.g. Hubei's definitions appended to labels."""
    return _PARENTHETICAL.sub("", folded)


def has_numbering(folded: str) -> bool:
    return _NUMBERING.match(folded) is not None


def collapse_spaces(text: str) -> str:
    """One space for every run of whitespace, none at the ends."""
    # str.split() and \s agree on what whitespace is; splitting is several times quicker.
    return " ".join(text.split())


# Where a printed line may begin a heading or a list item: never glued onto the line before.
_ITEM_START = re.compile(
    r"^(?:#{1,6}\s|[-*+>]\s|[一二三四五六七八九十]{1,3}\s*[、.．]|[(（][一二三四五六七八九十\d]{1,3}[)）]"
    r"|\d{1,2}\s*[、.．](?!\d)|[①-⑳])"
)
# A tab, a pipe or a wide gap inside the line (pdftotext -layout columns): a table row.
_TABLE_MARKS = re.compile(r"[\t|]|\S[ \u3000]{2,}\S")
_PAGE_NUMBER = re.compile(
    r"^[-—－]\s*\d{1,3}\s*[-—－]$|^第\s*\d{1,3}\s*页(?:\s*共\s*\d{1,3}\s*页)?$"
)
# A line that ends with one of these ends its sentence, so the paragraph may end there too.
_SENTENCE_END = ("。", "！", "？", "；", "：", "!", "?", ";", ":")
_CLAUSE_MARKS = re.compile(r"[，。；：,;:]")
_MIN_CJK_OF_PROSE = 8
# A line this much narrower than the text's measure was not broken by the measure.
_FULL_LINE_SLACK = 6
# Fewer full-measure lines than this: the text was not wrapped at a measure at all.
_MIN_WRAPPED_LINES = 3


def display_width(text: str) -> int:
    """Columns the text takes in print: two for a wide (CJK) character, one otherwise."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def is_page_number(line: str) -> bool:
    return _PAGE_NUMBER.match(line.strip()) is not None


def _cjk_count(text: str) -> int:
    return sum(1 for char in text if "\u4e00" <= char <= "\u9fff")


def _measure(lines: list[str]) -> int | None:
    """The width the text was wrapped at, or None when its prose lines show no common measure.

    The 80th percentile of the widths of prose-like lines: most lines of a wrapped paragraph
    fill the measure, and a few overfull ones (a closing bracket kept on the line) are skipped.
    """
    widths = sorted(
        display_width(line.strip())
        for line in lines
        if not _TABLE_MARKS.search(line.strip()) and _cjk_count(line) >= _MIN_CJK_OF_PROSE
    )
    if not widths:
        return None
    measure = widths[(len(widths) * 4) // 5]
    full = sum(1 for width in widths if width >= measure - _FULL_LINE_SLACK)
    return measure if full >= _MIN_WRAPPED_LINES else None


def _is_wrapped(line: str, measure: int) -> bool:
    """A line that the measure broke mid-sentence: it fills the line and does not end a sentence."""
    stripped = line.strip()
    if not stripped or _TABLE_MARKS.search(stripped) or stripped.endswith(_SENTENCE_END):
        return False
    if _ITEM_START.match(stripped) and not _CLAUSE_MARKS.search(stripped):
        return False  # a heading, however long: its text starts on the next line
    return display_width(stripped) >= measure - _FULL_LINE_SLACK


def _continues(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not _TABLE_MARKS.search(stripped) and not _ITEM_START.match(stripped)


def _glue(left: str, right: str) -> str:
    # Chinese runs on without a space; two Latin words or numbers broken apart keep one.
    if left[-1:].isascii() and left[-1:].isalnum() and right[:1].isascii() and right[:1].isalnum():
        return f"{left} {right}"
    return left + right


def _next_printed(lines: list[str], start: int) -> int | None:
    return next((i for i in range(start, len(lines)) if lines[i].strip()), None)


def unwrap_lines(lines: list[str]) -> list[str]:
    """Lines with hard-wrapped paragraphs (PDF text, PDF-to-Markdown) joined back into one line.

    A line is joined to the one before when that one fills the text's measure and does not end a
    sentence, and this one is not a heading, a list item or a table row. A page number between
    the two (a paragraph running over a page) is dropped with the break. Text that was not wrapped
    at a measure (HTML, Word, crawler text) comes back as it is.
    """
    measure = _measure(lines)
    if measure is None:
        return lines
    joined: list[str] = []
    index = 0
    while index < len(lines):
        line = last = lines[index].strip()
        index += 1
        while _is_wrapped(last, measure):
            following = _next_printed(lines, index)
            # Across blank lines only when a page number shows they are a page break.
            page_break = following is not None and is_page_number(lines[following])
            if following is not None and following > index and not page_break:
                break
            if following is not None and page_break:
                following = _next_printed(lines, following + 1)
            if following is None or not _continues(lines[following]):
                break
            last = lines[following].strip()
            line = _glue(line, last)
            index = following + 1
        joined.append(line)
    return joined
