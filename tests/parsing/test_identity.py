"""Agency and year from everything a report says, in the layouts of the real corpus.

The agencies and numbers are our own; the sentences follow how real reports word them: a report
cut before its title (the first part opens the page), a mirror in traditional characters with
pinyin glosses, prose that names a superior or another year.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from fpdf import FPDF

from app.parsing.document import parse_document
from app.parsing.extract.docx import docx_properties
from app.parsing.extract.html import html_titles
from app.parsing.extract.pdf import pdf_properties
from app.parsing.identity import DocumentClues
from app.parsing.model import ParsedReport, Provenance
from app.parsing.text import parse_text

# The parts and a pipe-row table, as the partial pages of the corpus print them.
_REST = """二、主动公开政府信息情况
第二十条第(一)项 | |||
信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |
规章 | 0 | 0 | 0 |
行政规范性文件 | 2 | 0 | 17 |
三、收到和处理政府信息公开申请情况
四、政府信息公开行政复议、行政诉讼情况
五、存在的主要问题及改进情况
六、其他需要报告的事项
"""


def _report(opening: str, title: str = "") -> str:
    head = f"{title}\n" if title else ""
    return f"{head}一、总体情况\n{opening}\n{_REST}"


def _parse(opening: str, title: str = "", clues: DocumentClues | None = None) -> ParsedReport:
    return parse_text(_report(opening, title), clues)


def test_compiled_by_and_period_name_agency_and_year() -> None:
    parsed = _parse(
        "本报告是根据《中华人民共和国政府信息公开条例》(以下简称《条例》)要求,"
        "由青禾市云岭区松溪镇人民政府党政办公室编制。本报告中所列数据的统计期限为"
        "2022年1月1日至2022年12月31日。\n如对本报告有任何疑问,请与松溪镇人民政府党政办公室"
        "联系。(地址:云岭区松溪镇府前路8号,电话:0000-5550188)"
    )
    assert (parsed.agency, parsed.year) == ("青禾市云岭区松溪镇人民政府", 2022)
    assert parsed.provenance == Provenance(agency="prose", year="period")


def test_now_publishing_names_agency_and_year() -> None:
    parsed = _parse(
        "根据《中华人民共和国政府信息公开条例》规定,现公布青禾市云岭区统计局2023年政府信息"
        "公开工作年度报告。本报告由总体情况、主动公开政府信息情况等六部分组成。"
    )
    assert (parsed.agency, parsed.year) == ("青禾市云岭区统计局", 2023)
    assert parsed.provenance == Provenance(agency="prose", year="prose")


def test_opening_sentence_names_the_agency() -> None:
    parsed = _parse(
        "根据《中华人民共和国政府信息公开条例》,特将本年度我处信息公开工作形成如下总结报告。"
        "本报告所列数据的统计期限自2021年1月1日起至2021年12月31日止。\n"
        "2021年,云岭区松溪街道办事处全面贯彻落实《条例》,主动公开各类政府信息88条。"
    )
    assert (parsed.agency, parsed.year) == ("云岭区松溪街道办事处", 2021)


def test_a_name_alone_above_the_parts_is_the_heading() -> None:
    parsed = parse_text(
        "青禾市云岭区林业和草原局\n2022年,青禾市云岭区林业和草原局贯彻落实《条例》。"
        "本年度报告中所列数据的统计期限为2022年1月1日至2022年12月31日。\n"
        + _report("1.主动公开方面:办理许可事项3项。")
    )
    assert (parsed.agency, parsed.year) == ("青禾市云岭区林业和草原局", 2022)
    assert parsed.provenance == Provenance(agency="title", year="period")


def test_traditional_characters_and_pinyin_glosses() -> None:
    parsed = _parse(
        "根據(jù)《中華人民共和國政府信息公開條例》規(guī)定,向社會公布2021年本級政府信息公開工作"
        "年度報告。本報告中所列數(shù)據(jù)的統(tǒng)計時限為2021年1月1日至2021年12月31日。"
        "如需咨詢,請與雲嶺區松溪鎮(zhèn)人民政府黨政辦公室聯(lián)系(郵編:000001;"
        "聯(lián)系電話:0000-5550177)。"
    )
    assert (parsed.agency, parsed.year) == ("云岭区松溪镇人民政府", 2021)
    assert parsed.provenance == Provenance(agency="prose", year="period")
    assert parsed.period_start is not None and parsed.period_start.year == 2021


@pytest.mark.parametrize(
    "opening",
    [
        "2023年,我局认真梳理,主动公开政府信息50条。",
        "本报告由本局办公室编制。我镇2023年主动公开信息25条。",
        "汇报我镇2023年政府信息公开工作。",
    ],
    ids=["we-the-bureau", "this-office", "our-town"],
)
def test_self_references_are_not_names(opening: str) -> None:
    assert _parse(opening).agency is None


def test_a_level_word_without_a_place_is_not_a_name() -> None:
    parsed = _parse("根据《条例》规定,现公布区统计局2023年政府信息公开工作年度报告。")
    assert parsed.agency is None
    assert parsed.year == 2023
    assert any("'区统计局'" in w and "names no place" in w for w in parsed.warnings)


def test_our_town_with_the_year_gives_the_year_only() -> None:
    parsed = _parse(
        "本报告是根据《条例》要求,现结合我镇实际,从总体情况等六个方面汇报我镇2023年"
        "政府信息公开工作。"
    )
    assert (parsed.agency, parsed.year) == (None, 2023)
    assert parsed.provenance == Provenance(agency=None, year="prose")


def test_agencies_that_disagree_are_both_refused() -> None:
    parsed = _parse(
        "本报告由青禾市云岭区水务局编制。如对本报告有疑问,请与青禾市云岭区林业局办公室联系。"
    )
    assert parsed.agency is None
    assert any(w.startswith("agency not taken") for w in parsed.warnings)


def test_years_that_disagree_are_both_refused() -> None:
    parsed = _parse(
        "现公布青禾市云岭区水务局2023年政府信息公开工作年度报告。"
        "对照2022年度政府信息公开工作年度报告,本年新增公开事项12项。"
    )
    assert parsed.agency == "青禾市云岭区水务局"
    assert parsed.year is None
    assert any(w.startswith("report year not taken") for w in parsed.warnings)


@pytest.mark.parametrize(
    "opening",
    [
        # A superior's requirement about a year is not this report's year or author.
        "按照云岭区政务公开办关于2021年度政府信息公开工作年度报告编制的要求,我局做了统计。",
        # The name of another document.
        "参照《青禾市人民政府2021年政府信息公开工作年度报告》的体例编写本报告。",
        # A superior's office, in a sentence about its guidance.
        "在上级指导下,由青禾市云岭区政务公开办公室统一编制。",
        # Last year's figures and the publication date.
        "我局2020年主动公开行政许可33项。发布日期:2022-01-29。",
    ],
    ids=["superior-requirement", "quoted-document", "superior-office", "other-years"],
)
def test_other_bodies_and_other_years_are_not_taken(opening: str) -> None:
    parsed = _parse(opening)
    assert (parsed.agency, parsed.year) == (None, None)


def test_the_title_outranks_prose_and_period() -> None:
    parsed = _parse(
        "本报告由青禾市云岭区水务局办公室编制。统计期限为2023年1月1日至2023年12月31日。",
        title="青禾市云岭区水务局2023年政府信息公开工作年度报告",
    )
    assert (parsed.agency, parsed.year) == ("青禾市云岭区水务局", 2023)
    assert parsed.provenance == Provenance(agency="title", year="title")


def test_a_title_year_that_the_period_contradicts_is_kept_with_a_warning() -> None:
    parsed = _parse(
        "统计期限为2022年1月1日至2022年12月31日。",
        title="青禾市云岭区水务局2023年政府信息公开工作年度报告",
    )
    assert parsed.year == 2023
    assert any("statistics period is 2022" in w for w in parsed.warnings)


_SILENT = "本年度,我局坚持以公开为常态、不公开为例外。"


def test_properties_stand_in_for_an_unnamed_report() -> None:
    clues = DocumentClues(properties=("青禾市云岭区水务局2023年政府信息公开工作年度报告",))
    parsed = _parse(_SILENT, clues=clues)
    assert (parsed.agency, parsed.year) == ("青禾市云岭区水务局", 2023)
    assert parsed.provenance == Provenance(agency="metadata", year="metadata")


def test_properties_that_name_no_one_give_nothing() -> None:
    clues = DocumentClues(properties=("政府信息公开工作年度报告", "王某"))
    assert _parse(_SILENT, clues=clues).agency is None


def test_the_file_name_is_the_last_resort() -> None:
    clues = DocumentClues(filename="青禾市云岭区水务局2023年政府信息公开工作年度报告.txt")
    parsed = _parse(_SILENT, clues=clues)
    assert (parsed.agency, parsed.year) == ("青禾市云岭区水务局", 2023)
    assert parsed.provenance == Provenance(agency="filename", year="filename")
    assert _parse(_SILENT, clues=DocumentClues(filename="report-2023.txt")).year is None


def test_prose_outranks_properties_and_file_name() -> None:
    clues = DocumentClues(
        properties=("青禾市云岭区林业局2021年政府信息公开工作年度报告",),
        filename="青禾市云岭区林业局2021年政府信息公开工作年度报告.pdf",
    )
    parsed = _parse("现公布青禾市云岭区水务局2023年政府信息公开工作年度报告。", clues=clues)
    assert (parsed.agency, parsed.year) == ("青禾市云岭区水务局", 2023)


def _docx(core: str | None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(
            "word/document.xml",
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            "<w:body>"
            + "".join(
                f"<w:p><w:r><w:t>{line}</w:t></w:r></w:p>" for line in _report(_SILENT).splitlines()
            )
            + "</w:body></w:document>",
        )
        if core is not None:
            archive.writestr("docProps/core.xml", core)
    return buffer.getvalue()


_CORE = (
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
    'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
    "<dc:title>青禾市云岭区水务局2023年政府信息公开工作年度报告</dc:title>"
    "<dc:subject>政务公开</dc:subject><dc:creator>王某</dc:creator></cp:coreProperties>"
)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_word_core_properties_are_read() -> None:
    assert docx_properties(_docx(_CORE)) == (
        "青禾市云岭区水务局2023年政府信息公开工作年度报告",
        "政务公开",
    )
    assert docx_properties(_docx(None)) == ()
    assert docx_properties(_docx("<not xml")) == ()
    parsed = parse_document(_docx(_CORE), DOCX)
    assert parsed.provenance == Provenance(agency="metadata", year="metadata")


def test_pdf_title_is_read() -> None:
    pdf = FPDF()
    pdf.set_title("青禾市云岭区水务局2023年政府信息公开工作年度报告")
    pdf.set_subject("年度报告")
    pdf.add_page()
    data = bytes(pdf.output())
    assert pdf_properties(data) == ("青禾市云岭区水务局2023年政府信息公开工作年度报告", "年度报告")


def test_html_title_and_headings_are_read() -> None:
    page = (
        "<html><head><title>青禾市云岭区水务局2023年政府信息公开工作年度报告-云岭区人民政府"
        "</title></head><body><h1>政务公开</h1><h2> 年度 报告 </h2><p>正文</p></body></html>"
    )
    assert html_titles(page) == (
        "青禾市云岭区水务局2023年政府信息公开工作年度报告-云岭区人民政府",
        "政务公开",
        "年度 报告",
    )
    body = "".join(f"<p>{line}</p>" for line in _report(_SILENT).splitlines())
    parsed = parse_document(page.replace("<p>正文</p>", body).encode(), "text/html")
    assert (parsed.agency, parsed.year) == ("青禾市云岭区水务局", 2023)
    assert parsed.provenance == Provenance(agency="metadata", year="metadata")
