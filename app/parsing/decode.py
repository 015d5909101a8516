"""Bytes to text: UTF-8 (with or without BOM) or GB18030, control characters removed."""

from __future__ import annotations

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


def decode_text(data: bytes) -> str:
    """Decode a text document and clean it; raise ParseError when it is not readable text."""
    return clean_text(decode_bytes(data))


def decode_bytes(data: bytes) -> str:
    """Decode a text document as it is, for callers that clean it themselves (parse_text)."""
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
