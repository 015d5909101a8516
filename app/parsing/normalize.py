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
