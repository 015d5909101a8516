"""docx_to_text on our Word fixture, the blank template, and malformed or hostile archives."""

from __future__ import annotations

import io
import zipfile

import pytest

from app.parsing.extract.docx import docx_to_text
from app.parsing.limits import DOCX_UNPACKED_BYTES
from app.parsing.model import ParseError
from tests.parsing.extract.extract_helpers import (
    CORPUS,
    FIXTURES,
    assert_report_tables,
)
from tests.parsing.extract.extract_report_values import TITLE


def _docx(document_xml: str, **extra: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", document_xml)
        for name, content in extra.items():
            archive.writestr(name, content)
    return buffer.getvalue()


_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def test_our_document_tables_come_out_as_grid_rows() -> None:
    text = docx_to_text((FIXTURES / "yunling-2023.docx").read_bytes())
    assert text.splitlines()[0] == TITLE
    assert_report_tables(text)


def test_merged_cells_expand_and_paragraph_tabs_stay_blanks() -> None:
    xml = f"""<w:document {_NS}><w:body>
      <w:p><w:r><w:t>一、总体</w:t><w:tab/><w:t>情况</w:t></w:r></w:p>
      <w:tbl>
        <w:tr><w:trPr><w:gridBefore w:val="1"/></w:trPr>
          <w:tc><w:tcPr><w:gridSpan w:val="2"/></w:tcPr><w:p><w:r><w:t>申请人</w:t></w:r></w:p>
            <w:p><w:r><w:t>情况</w:t></w:r></w:p></w:tc></w:tr>
        <w:tr><w:tc><w:tcPr><w:vMerge w:val="restart"/></w:tcPr>
            <w:p><w:r><w:t>三</w:t></w:r></w:p></w:tc>
          <w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc>
          <w:tc><w:p><w:r><w:t>2</w:t></w:r></w:p></w:tc></w:tr>
        <w:tr><w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc>
          <w:tc><w:p><w:r><w:t>3</w:t></w:r></w:p></w:tc>
          <w:tc><w:p><w:del><w:r><w:delText>9</w:delText></w:r></w:del></w:p></w:tc></w:tr>
      </w:tbl></w:body></w:document>"""
    assert docx_to_text(_docx(xml)).splitlines() == [
        "一、总体 情况",
        "\t申请人情况\t",
        "三\t1\t2",
        "\t3\t",
    ]


def test_zip_bomb_is_refused_before_reading() -> None:
    bomb = _docx(
        f"<w:document {_NS}><w:body/></w:document>",
        **{"word/media/x.bin": b"\0" * (DOCX_UNPACKED_BYTES.limit + 1)},
    )
    with pytest.raises(ParseError, match="limit"):
        docx_to_text(bomb)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not a zip at all", "not a valid DOCX"),
        (_docx("<x/>")[:200], "not a valid DOCX"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100,
            "encrypted Word document or an old .doc",
        ),
    ],
)
def test_malformed_input_is_an_error(data: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        docx_to_text(data)


def test_zip_without_word_document_is_an_error() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(ParseError, match=r"no word/document\.xml"):
        docx_to_text(buffer.getvalue())


def test_malformed_xml_and_entities_are_errors() -> None:
    with pytest.raises(ParseError, match="malformed"):
        docx_to_text(_docx("<w:document><w:body>"))
    laughs = (
        '<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        f"<w:document {_NS}><w:body><w:p><w:r><w:t>&b;</w:t></w:r></w:p></w:body></w:document>"
    )
    with pytest.raises(ParseError):
        docx_to_text(_docx(laughs))


@pytest.mark.shared
def test_blank_template_keeps_its_grid() -> None:
    text = docx_to_text((CORPUS / "template-2021.docx").read_bytes())
    rows = [line.split("\t") for line in text.splitlines() if "\t" in line]
    request_rows = [row for row in rows if len(row) == 10]
    assert len(request_rows) == 3 + 25
    assert any(row[0] == "三、本年度办理结果" and row[1] == "（一）予以公开" for row in rows)
