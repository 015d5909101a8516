"""Words of Chinese text, and the word-level diff built on them."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from app.words import word_diff, words


def test_two_character_words_are_words() -> None:
    found = words("本年度数据安全和个人信息保护存在不足，疫情期间公开不及时。")
    for word in ("数据安全", "个人信息", "疫情", "公开"):
        assert word in found


def test_a_changed_phrase_is_deleted_and_inserted_whole() -> None:
    pieces = word_diff("二是数据开放不及时。", "二是个人信息保护不到位。")
    assert [(p.op, p.text) for p in pieces][:1] == [("equal", "二是")]
    assert any(p.op == "delete" and "数据开放" in p.text for p in pieces)
    assert any(p.op == "insert" and "个人信息保护" in p.text for p in pieces)
    assert word_diff("相同。", "相同。") == [type(pieces[0])("equal", "相同。")]
    assert word_diff("", "") == []


CHINESE = st.text(alphabet="公开申请数据安全个人信息保护疫情不及时到位。，一二三 ", max_size=40)


@settings(max_examples=60, deadline=None)
@given(CHINESE, CHINESE)
def test_the_diff_rebuilds_both_texts(before: str, after: str) -> None:
    pieces = word_diff(before, after)
    assert "".join(p.text for p in pieces if p.op != "insert") == before
    assert "".join(p.text for p in pieces if p.op != "delete") == after
