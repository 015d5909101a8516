"""Documents far larger than any annual report, for the parser's size bounds.

Each is under the 20 MB upload limit yet holds far more than a report does: a million table
rows, hundreds of pages, a hundred thousand table cells. All are written for this project (the
fictional agency of examples/, made-up numbers), deterministic, and built in well under a second
or two.
"""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

TITLE = "青禾市云岭区数据资源管理局2020年政府信息公开工作年度报告"
# The standard PDF fonts have no Chinese glyphs and no CJK font can be assumed installed, so
# the PDF's text is ASCII: its page count is what it tests.
PDF_TITLE = "Qinghe Yunling Data Resources Bureau 2020 annual report on government information"
DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _numbers(row: int, columns: int = 7) -> list[int]:
    """A row of made-up counts, the last the sum of the others, like a row of table 三."""
    counts = [(row * (column + 3) + column * 7) % 29 for column in range(columns - 1)]
    return [*counts, sum(counts)]


def million_row_text(rows: int = 1_000_000) -> bytes:
    """About 19 MB of text: a report title, then a million tab-separated rows of counts.

    A distinct block of 1,000 rows is repeated, so building it costs a join, not a million
    formats.
    """
    block_rows = min(rows, 1_000)
    block = "".join(
        "\t".join(str(value) for value in _numbers(row)) + "\n" for row in range(block_rows)
    ).encode()
    repeats, rest = divmod(rows, block_rows)
    head = f"{TITLE}\n三、收到和处理政府信息公开申请情况\n".encode()
    return head + block * repeats + block[: _offset_of_row(block, rest)]


def _offset_of_row(block: bytes, row: int) -> int:
    offset = 0
    for _ in range(row):
        offset = block.index(b"\n", offset) + 1
    return offset


def many_page_pdf(pages: int = 200) -> bytes:
    """A PDF of `pages` pages, each a title line and 45 rows of seven counts (real text)."""
    from fpdf import FPDF  # the test extra; only this generator needs it

    pdf = FPDF(unit="pt", format="A4")
    pdf.set_font("Courier", size=10)
    pdf.set_auto_page_break(False)
    for page in range(pages):
        pdf.add_page()
        pdf.text(40, 50, f"{PDF_TITLE} - page {page + 1}")
        for line in range(45):
            values = _numbers(page * 45 + line)
            # Courier is fixed-width: padded columns line up as a printed table's would.
            pdf.text(40, 80 + 16 * line, "".join(f"{value:<10}" for value in values))
    return bytes(pdf.output())


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/'
    'vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/>'
    "</Relationships>"
)


def _paragraph(text: str) -> str:
    return f"<w:p><w:r><w:t>{escape(text)}</w:t></w:r></w:p>"


def huge_docx(cells: int = 100_000, *, paragraphs: int = 0, columns: int = 10) -> bytes:
    """A Word document: the report title, `paragraphs` of prose, a table of `cells` cells.

    The table has `columns` cells a row. The XML is written as strings, as Word writes it
    (prefix `w:`): python-docx would take minutes over a table this size.
    """
    rows, rest = divmod(cells, columns)
    distinct = [
        "<w:tr>" + "".join(f"<w:tc>{_paragraph(str(v))}</w:tc>" for v in _numbers(row, columns))
        + "</w:tr>"
        for row in range(min(rows, 500))
    ]  # fmt: skip
    body = [_paragraph(TITLE)]
    body.extend(
        _paragraph(f"本局全年按季度更新政府信息公开目录（第{n + 1}项）。")
        for n in range(paragraphs)
    )
    body += [_paragraph("三、收到和处理政府信息公开申请情况"), "<w:tbl>"]
    if distinct:
        body.extend(distinct[row % len(distinct)] for row in range(rows))
    if rest:
        body.append("<w:tr>" + f"<w:tc>{_paragraph('0')}</w:tc>" * rest + "</w:tr>")
    body.append("</w:tbl>")
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{_W}"><w:body>{"".join(body)}</w:body></w:document>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("word/document.xml", document)
    return buffer.getvalue()


def large_html_table(rows: int = 100_000) -> bytes:
    """An HTML page: the report title, then one table of `rows` rows of a label and seven counts.

    About 10 MB and 800,000 cells: a report page holds a few hundred.
    """
    distinct = [
        f"<tr><td>第{row % 30 + 1}项</td>"
        + "".join(f"<td>{value}</td>" for value in _numbers(row))
        + "</tr>\n"
        for row in range(min(rows, 1_000))
    ]
    table = "".join(distinct[row % len(distinct)] for row in range(rows)) if distinct else ""
    page = (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        f"<title>{TITLE}</title></head>\n<body>\n<h1>{TITLE}</h1>\n"
        f"<h2>三、收到和处理政府信息公开申请情况</h2>\n<table>\n{table}</table>\n</body></html>\n"
    )
    return page.encode()
