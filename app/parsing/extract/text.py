"""Whitespace and joining rules shared by the extractors, tuned for Chinese text."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

# Non-breaking, ideographic and typographic spaces all print as a blank; zero-width marks and
# soft hyphens print as nothing. Regexes, not str.translate, which looks up every character of a
# string that is not ASCII.
_SPACE_LIKE = re.compile(
    "[\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000\t\r\n\f\v]"
)
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")

# CJK ideographs and punctuation, kana, fullwidth forms, CJK compatibility ideographs.
CJK_CLASS = "\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
_CJK = re.compile(f"[{CJK_CLASS}]")
_SPACES = re.compile(r" {2,}")
_SPACE_BETWEEN_CJK = re.compile(f"(?<=[{CJK_CLASS}]) +(?=[{CJK_CLASS}])")
# A line break inside source text between two Chinese characters is layout, not a word gap.
_BREAK_BETWEEN_CJK = re.compile(f"(?<=[{CJK_CLASS}])[ \t]*[\r\n][ \t\r\n]*(?=[{CJK_CLASS}])")


def is_cjk(char: str) -> bool:
    return bool(_CJK.match(char))


def clean_inline(raw: str) -> str:
    """Source text as it prints on one line: odd spaces folded, runs collapsed, ends stripped."""
    # The break rule needs a line break, and most text has none.
    text = _BREAK_BETWEEN_CJK.sub("", raw) if "\n" in raw or "\r" in raw else raw
    text = _INVISIBLE.sub("", _SPACE_LIKE.sub(" ", text))
    return _SPACES.sub(" ", text).strip()


# Tables print the same cells ("0", padded numbers, row labels) over and over.
@lru_cache(maxsize=4096)
def clean_cell(raw: str) -> str:
    """A table cell's text: like clean_inline, and no blanks between Chinese characters.

    Word-exported labels are spread over spans, lines and padding ("商业 企业", "自 然 人");
    a label reads the same without them.
    """
    return _SPACE_BETWEEN_CJK.sub("", clean_inline(raw))


def join_fragments(fragments: Iterable[str]) -> str:
    """Join cleaned pieces of one label: nothing between Chinese text, a blank between words.

    Used where a cell's text was broken by <br>, paragraphs or runs ("本年新" + "制作数量").
    """
    joined = ""
    for fragment in fragments:
        if not fragment:
            continue
        if joined and not (is_cjk(joined[-1]) or is_cjk(fragment[0])):
            joined += " "
        joined += fragment
    return joined
