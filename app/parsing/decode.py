"""Bytes to text: UTF-8 (with or without BOM) or GB18030, control characters removed."""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from app.parsing.model import ParseError

# C0 controls and DEL, except tab and newline (CR is handled by line normalisation first).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROLS = "".join(char for char in map(chr, range(0x80)) if _CONTROL.match(char))


def clean_text(text: str) -> str:
    """Normalise line ends and drop control characters that carry no text."""
    text = text.lstrip("\ufeff")
    # Most documents have neither: looking for each character is far quicker than a regex pass
    # over a page of Chinese text.
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if any(control in text for control in _CONTROLS):
        text = _CONTROL.sub("", text)
    return text


# Charsets the decoding below reads without being told: GBK and GB2312 text is GB18030 text.
_KNOWN = frozenset({"utf-8", "utf-8-sig", "gb18030", "gbk", "gb2312", "ascii"})


def decode_text(data: bytes, charset: str | None = None) -> str:
    """Decode a text document and clean it; raise ParseError when it is not readable text."""
    return clean_text(decode_bytes(data, charset))


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Decode a text document as it is, for callers that clean it themselves (parse_text).

    `charset`, declared with the document (a page stored as published in Big5, say), is read
    when the bytes are not UTF-8; UTF-8 and the GB family need no declaration.
    """
    if charset is not None and _codec_name(charset) not in _KNOWN:
        for codec in ("utf-8-sig", charset):
            try:
                return data.decode(codec)
            except (UnicodeDecodeError, LookupError):
                continue
    # NULs are dropped before decoding: some exports pad text with them.
    data = data.replace(b"\x00", b"")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    best = from_bytes(data).best()
    if best is not None and best.encoding not in ("utf_8", "gb18030"):
        try:
            return data.decode(best.encoding)
        except (UnicodeDecodeError, LookupError):
            pass
    raise ParseError(
        "could not decode the document as UTF-8 or GB18030 text; save it as UTF-8 and send it again"
    )


def _codec_name(label: str) -> str:
    try:
        return codecs.lookup(label).name
    except LookupError:
        return label.lower()
