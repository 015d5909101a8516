"""The parts of a report keep every sentence: the preamble, wrapped paragraphs, lost headings."""

from pathlib import Path

from app.parsing.document import parse_document
from app.parsing.normalize import unwrap_lines
from app.parsing.text import parse_text

FIXTURES = Path(__file__).parent / "fixtures"

WRAPPED_PARTS = {
    0: [
        "青禾市云岭区林业和草原局2023年政府信息公开工作年度报告",
        "本报告根据《中华人民共和国政府信息公开条例》和青禾市政务公开工作要求，"
        "由云岭区林业和草原局办公室编制。报告所列数据的统计期限为 2023 年 1 月 1 日至 "
        "2023 年 12 月 31 日。",
        "如对本报告有疑问，请与本局办公室联系（电话：0871-6612345）。",
    ],
    1: [
        "2023 年，云岭区林业和草原局围绕森林资源保护和林长制落实，持续推进政务公开标准化"
        "规范化建设，主动回应群众对林地审批、生态补偿和森林防火的关切，"
        "全年政府信息公开工作平稳有序。",
        "（一）主动公开情况。全年在区政府门户网站林草专栏发布各类信息 218 条，"
        "其中政策文件 12 条、政策解读 9 条、森林防火预警信息 46 条，"
        "及时公开公益林补偿资金发放情况。",
        "（二）依申请公开情况。全年受理政府信息公开申请 17 件，均在法定期限内答复，"
        "未发生因答复不当引发的复议或诉讼。",
    ],
    2: [
        "本年度新制发的两件规范性文件均同步发布了图文解读，"
        "方便林农和经营主体了解补偿标准与申报流程。"
    ],
    3: [
        "申请内容主要集中在林地征占用审批、采伐许可和生态公益林补偿标准三个方面，"
        "占全部申请的八成以上。"
    ],
    4: [],
    5: [
        # A line ending with ；or ： may end a paragraph (一是…；/二是…；): it is left so.
        "一是基层林业站信息报送不够及时，部分森林防火信息发布滞后；",
        "二是政策解读形式较为单一，图解和视频解读偏少。",
        "下一步，本局将重点做好以下工作：",
        "1. 建立林业站信息报送台账，按周通报报送情况。",
        "2. 每件重要政策文件至少配发一种图解或短视频解读，并在林区村组公开栏同步张贴。",
    ],
    6: [
        "本年度未收取信息处理费。本局按照《政府信息公开信息处理费管理办法》的规定，"
        "对申请人的申请均未达到收费标准。"
    ],
}


def test_a_hard_wrapped_report_comes_back_whole() -> None:
    data = (FIXTURES / "qinghe_2023_wrapped.md").read_bytes()
    report = parse_document(data, "text/markdown")
    parts = {s.number: s for s in report.sections}
    assert sorted(parts) == [0, 1, 2, 3, 4, 5, 6]
    for number, paragraphs in WRAPPED_PARTS.items():
        # Spaces around numbers broken at a line end are not restored; the words are.
        got = ["".join(line.split()) for line in parts[number].text.splitlines()]
        assert got == ["".join(p.split()) for p in paragraphs], number
    assert parts[0].key == "preamble" and parts[0].title == ""
    assert parts[5].title == "五、存在的主要问题及改进情况"
    assert not [w for w in report.warnings if w.startswith("part ")]


def test_the_preamble_is_a_part_of_its_own() -> None:
    text = "\n".join(
        [
            "青禾市云岭区水务局2022年政府信息公开工作年度报告",
            "本报告由云岭区水务局根据《中华人民共和国政府信息公开条例》编制。",
            "一、总体情况",
            "全年主动公开信息 35 条。",
            "六、其他需要报告的事项",
            "无。",
        ]
    )
    report = parse_text(text)
    preamble = report.sections[0]
    assert (preamble.number, preamble.key, preamble.title) == (0, "preamble", "")
    assert preamble.text.splitlines() == [
        "青禾市云岭区水务局2022年政府信息公开工作年度报告",
        "本报告由云岭区水务局根据《中华人民共和国政府信息公开条例》编制。",
    ]
    assert [s.number for s in report.sections] == [0, 1, 6]


def test_no_preamble_when_the_report_opens_with_its_first_part() -> None:
    report = parse_text("一、总体情况\n全年主动公开信息 35 条。\n六、其他需要报告的事项\n无。")
    assert [s.number for s in report.sections] == [1, 6]


def test_headings_and_list_items_are_not_glued_to_the_line_before() -> None:
    measure = "这一行文字排满了整行的宽度用来确定这份文本的版心宽度，"
    lines = [
        measure,
        measure,
        measure,
        "（二）依申请公开情况",
        measure,
        "1. 建立台账。",
        measure,
        "二、主动公开政府信息情况",
        measure,
        "| 规章 | 0 | 0 | 0 |",
    ]
    assert unwrap_lines(lines) == [
        measure * 3,
        "（二）依申请公开情况",
        measure,
        "1. 建立台账。",
        measure,
        "二、主动公开政府信息情况",
        measure,
        "| 规章 | 0 | 0 | 0 |",
    ]


def test_a_paragraph_ends_at_a_blank_line_unless_a_page_number_is_between() -> None:
    line = "这一行文字排满了整行的宽度用来确定这份文本的版心宽度"
    assert unwrap_lines([line, line, line, "", line]) == [line * 3, "", line]
    assert unwrap_lines([line, line, "", "- 2 -", "", line]) == [line * 3]


def test_text_not_wrapped_at_a_measure_is_left_as_it_is() -> None:
    lines = ["一、总体情况", "本局全年主动公开信息 40 条。", "二、主动公开政府信息情况"]
    assert unwrap_lines(lines) == lines


def test_the_problems_part_is_found_by_its_sub_heading_when_its_heading_is_lost() -> None:
    text = "\n".join(
        [
            "一、总体情况",
            "全年主动公开信息 35 条。",
            "二、主动公开政府信息情况",
            "三、收到和处理政府信息公开申请情况",
            "四、政府信息公开行政复议、行政诉讼情况",
            "（一）主要问题",
            "政策解读不够通俗。",
            "（二）改进情况",
            "下一步将增加图解。",
            "六、其他需要报告的事项",
            "无。",
        ]
    )
    parts = {s.number: s for s in parse_text(text).sections}
    assert parts[5].title == "（一）主要问题"
    assert parts[5].text.splitlines() == [
        "政策解读不够通俗。",
        "（二）改进情况",
        "下一步将增加图解。",
    ]
    assert parts[4].text == ""


def test_a_line_among_the_tables_that_is_neither_prose_nor_a_label_is_named() -> None:
    text = "\n".join(
        [
            "一、总体情况",
            "全年主动公开信息 35 条。",
            "三、收到和处理政府信息公开申请情况",
            "本年新收政府信息公开申请数量\t3\t0\t0\t0\t0\t0\t3",
            "申请集中在取水许可和河道管理范围划定两个方面，其次是防汛物资",
            "五、存在的主要问题及改进情况",
            "解读不够通俗。",
        ]
    )
    report = parse_text(text)
    parts = {s.number: s for s in report.sections}
    assert parts[3].text == ""
    named = [w for w in report.warnings if w.startswith("part 3:")]
    assert len(named) == 1
    assert "「申请集中在取水许可和河道管理范围划定两个方面，其次是防汛物资」" in named[0]
