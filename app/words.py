"""Chinese text as words, segmented by jieba, and a word-level diff of two texts.

Chinese has no spaces between words: a character diff marks half-words, a line diff marks whole
paragraphs. jieba's dictionary loads once per process, on first use (about a second), into a
tokenizer of our own so that nothing else's settings reach it.
"""

from __future__ import annotations

import difflib
import logging
from dataclasses import dataclass
from functools import cache
from typing import Literal

import jieba

DiffOp = Literal["equal", "delete", "insert"]


@dataclass(frozen=True, slots=True)
class DiffPiece:
    op: DiffOp
    text: str


@cache
def _tokenizer() -> jieba.Tokenizer:
    jieba.setLogLevel(logging.WARNING)  # it announces each dictionary load at INFO
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def words(text: str) -> list[str]:
    tokens: list[str] = _tokenizer().lcut(text)
    return tokens


def word_diff(before: str, after: str) -> list[DiffPiece]:
    """What changed from `before` to `after`, word by word: equal runs, deletions, insertions
    (a replacement is a deletion then an insertion). Joining the equal and deleted pieces gives
    `before`; joining the equal and inserted pieces gives `after`."""
    old, new = words(before), words(after)
    pieces: list[DiffPiece] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pieces.append(DiffPiece("equal", "".join(old[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(DiffPiece("delete", "".join(old[i1:i2])))
        if j2 > j1:
            pieces.append(DiffPiece("insert", "".join(new[j1:j2])))
    return pieces
