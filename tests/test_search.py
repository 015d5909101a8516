"""Words of a search: segmenting, simplified forms, the query's syntax and the snippets."""

from __future__ import annotations

import pytest

from app.errors import EmptyQuery
from app.search import fts5_match, indexed, parse_query, snippet, tsquery_literal, words

# Reports written for these tests: a fictional city's agencies, their prose our own.
HEALTH_2021 = """青禾市云岭区卫生健康委员会2021年政府信息公开工作年度报告
一、总体情况
2021年，本委围绕疫情防控和健康服务，及时发布疫情防控信息187条，依申请公开工作平稳有序。
二、主动公开政府信息情况
主动公开卫生健康政策文件12件，公开医疗机构执业许可信息。
三、收到和处理政府信息公开申请情况
全年收到政府信息公开申请31件，均按期答复。
四、政府信息公开行政复议、行政诉讼情况
本年度未发生政府信息公开行政复议案件。
五、存在的主要问题及改进情况
个人信息保护审查还不够细致。下一步将完善个人信息保护制度，加强工作人员培训。
六、其他需要报告的事项
本年度未收取信息处理费。
""".encode()

TRANSPORT_2022 = """青禾市云岭区交通运输局2022年政府信息公开工作年度报告
一、总体情况
2022年，本局持续推进政务公开，加强政府网站建设，完善政务新媒体管理。
二、主动公开政府信息情况
公开道路运输行政许可决定86件。
三、收到和处理政府信息公开申请情况
全年收到政府信息公开申请9件。
四、政府信息公开行政复议、行政诉讼情况
发生政府信息公开行政复议案件1件，结果维持。
五、存在的主要问题及改进情况
政策解读形式较为单一，下一步将丰富解读方式。
六、其他需要报告的事项
本局高度重视数据安全，落实网络安全责任制。
""".encode()

# Printed in traditional characters, as some mirrored reports are.
EDUCATION_2022 = """青禾市云嶺區教育局2022年政府信息公開工作年度報告
一、總體情況
2022年，本局做好疫情防控期間的信息發布，加強網站建設和數據安全管理。
五、存在的主要問題及改進情況
個人信息保護工作仍需加強，將開展專題培訓。
""".encode()


def test_words_are_simplified_and_segmented() -> None:
    assert words("加強疫情防控信息發布") == ["加强", "疫情", "防控", "信息", "发布"]
    # Spaces between Chinese characters (PDF extraction) do not split words; Latin is lower case.
    assert words("政 务 公 开 COVID-19") == ["政务", "公开", "covid", "19"]
    entry = indexed("数据安全")
    assert entry.words == ["数据安全"]
    assert [p for _, p in entry.parts] == ["数据", "安全"]


def test_query_syntax() -> None:
    query = parse_query('疫情防控  "個人信息 保護"  -數據安全 -"行政 复议" 公开')
    assert query.include == (("疫情", "防控"), ("个人信息", "保护"), ("公开",))
    assert query.exclude == (("数据安全",), ("行政复议",))
    assert fts5_match(query) == (
        '(words : "疫情 防控" AND words : "个人信息 保护" AND {words parts} : "公开") '
        'NOT ({words parts} : "数据安全" OR {words parts} : "行政复议")'
    )
    assert tsquery_literal(query) == (
        "(('疫情':A <-> '防控':A) & ('个人信息':A <-> '保护':A) & '公开') "
        "& !('数据安全' | '行政复议')"
    )


@pytest.mark.parametrize(
    "hostile",
    ['" OR x', "NEAR(a b)", "a* ^b", "x:y", "'; DROP TABLE report; --", "a & !b | c <-> d"],
)
def test_query_syntax_of_the_engines_is_only_text(hostile: str) -> None:
    query = parse_query(hostile)
    for term in (*query.include, *query.exclude):
        assert all(word.isalnum() for word in term)


@pytest.mark.parametrize("empty", ["", "   ", "，。！", "-疫情", '-"数据 安全"', '""'])
def test_a_query_without_a_word_to_find_is_refused(empty: str) -> None:
    with pytest.raises(EmptyQuery):
        parse_query(empty)


def test_snippet_marks_the_words_in_the_printed_text() -> None:
    text = "總體情況\n" + "本局工作有序。" * 20 + "做好疫情防控期間的信息發布。" + "其他。" * 40
    shown, marks = snippet(text, parse_query("疫情防控 发布").highlighted)
    assert shown.startswith("…做好") and shown.endswith("…")
    assert [shown[s:e] for s, e in marks] == ["疫情防控", "發布"]
    assert len(shown) <= 122


def test_snippet_of_text_whose_simplified_form_is_longer() -> None:
    text = "㈠ 信息公開\n開展培訓"  # ㈠ becomes "(一)" under NFKC
    shown, marks = snippet(text, parse_query("培训").highlighted)
    assert [shown[s:e] for s, e in marks] == ["培訓"]
