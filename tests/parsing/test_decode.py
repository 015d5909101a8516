import pytest

from app.parsing.decode import decode_bytes, decode_text
from app.parsing.model import ParseError

SAMPLE = "一、总体情况\n本局主动公开信息 12 条。"


def test_utf8_with_bom_crlf_and_controls() -> None:
    data = b"\xef\xbb\xbf" + SAMPLE.replace("\n", "\r\n").encode() + b"\x00\x07\t"
    assert decode_text(data) == SAMPLE + "\t"


def test_gb18030() -> None:
    assert decode_text(SAMPLE.encode("gb18030")) == SAMPLE


def test_undecodable_bytes_raise_a_readable_error() -> None:
    with pytest.raises(ParseError, match="could not decode"):
        decode_text(bytes([0x81, 0x30, 0xFF, 0xFF]) * 50)


def test_a_declared_charset_is_read_when_the_bytes_are_not_utf8() -> None:
    text = "本機關2023年度政府資訊公開"
    assert decode_bytes(text.encode("big5"), "big5") == text
    assert decode_bytes(text.encode("utf-8"), "big5") == text  # the label lies: UTF-8 wins
    assert decode_bytes("本机关".encode("gbk"), "gbk") == "本机关"  # the GB family needs none
    assert decode_bytes(text.encode("utf-16"), "utf-16") == text  # before any NUL is dropped
    assert decode_bytes("本机关".encode(), "no-such-charset") == "本机关"
