"""A web address to a document to parse: the page itself, or the report it links."""

from __future__ import annotations

import codecs
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from urllib.parse import urlsplit

from app.convert import CONVERTIBLE_SUFFIXES, CONVERTIBLE_TYPES, DOCX, STORED_TYPES, XLSX
from app.errors import NotAReport, UnsupportedMediaType
from app.fetch.client import Fetched, Fetcher, Validators
from app.fetch.page import (
    ATTACHMENT_SUFFIXES,
    PageHints,
    hints,
    links,
    page_charset,
    parse_html,
    report_attachment,
)
from app.ingest import PreparedReport
from app.parsing.document import media_type_for, sniff
from app.parsing.model import RegionHints

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word 97, WPS and Excel 97 files
# A row label every format of table 三 prints: a page holding it holds the report itself.
_TABLE_MARK = "本年新收"
# Charsets the parser reads without being told (GBK and GB2312 text is GB18030 text).
_READ_AS_IS = frozenset({"utf-8", "gb18030", "gbk", "gb2312", "ascii"})


class ScannedDocument(NotAReport):
    code = "scanned_document"


@dataclass(frozen=True, slots=True)
class Previous:
    """What an earlier fetch of a page gave, to ask whether it changed."""

    page: Validators
    document_url: str | None
    document: Validators


@dataclass(frozen=True, slots=True)
class FetchedDocument:
    url: str  # the address asked for; the page's own may differ after redirects
    page: Fetched
    attachment: Fetched | None  # the report's document, when the page links it
    data: bytes  # what is parsed and stored
    media_type: str
    filename: str | None
    hints: PageHints
    fetched_at: datetime

    @property
    def page_url(self) -> str:
        return self.page.url

    @property
    def document_url(self) -> str:
        return (self.attachment or self.page).url


def fetch_report(
    fetcher: Fetcher,
    url: str,
    previous: Previous | None = None,
) -> FetchedDocument | None:
    """The report at `url`: the page's own text, or the attachment it links. None when
    `previous` still holds for the page and its document (nothing was downloaded again)."""
    page = fetcher.get(url, previous.page if previous else None)
    if page.not_modified:
        assert previous is not None
        if previous.document_url in (None, page.url):
            return None
        attachment = fetcher.get(previous.document_url, previous.document)
        if attachment.not_modified:
            return None
        page = fetcher.get(url)  # the document changed: read the page's hints again
    fetched_at = datetime.now(UTC)
    media = _media_type(page)
    if media != "text/html":
        data, media = _stored_form(page, media)
        name = page.filename
        return FetchedDocument(url, page, None, data, media, name, PageHints(page.url), fetched_at)
    charset = page_charset(page.body, page.content_type)
    text = page.body.decode(charset, "replace")
    root = parse_html(text, page.url)
    page_hints = hints(root, page.url)
    linked = report_attachment(links(root, page.url))
    if linked is not None and _TABLE_MARK not in root.text_content():
        known = previous.document if previous and previous.document_url == linked.url else None
        attachment = fetcher.get(linked.url, known)
        if attachment.not_modified:
            return None
        data, media = _stored_form(attachment, _media_type(attachment))
        name = attachment.filename
        return FetchedDocument(url, page, attachment, data, media, name, page_hints, fetched_at)
    name = page.filename
    media = "text/html"
    if codecs.lookup(charset).name not in _READ_AS_IS:
        # Stored as published; the charset goes with it, as the parser does not guess it.
        media = f"text/html; charset={charset}"
    return FetchedDocument(url, page, None, page.body, media, name, page_hints, fetched_at)


def _media_type(fetched: Fetched) -> str:
    kind = sniff(fetched.body)
    if fetched.body.startswith(_OLE):
        return "application/x-ole"
    if kind in ("pdf", "docx", "xlsx", "html"):
        return {"pdf": "application/pdf", "docx": DOCX, "xlsx": XLSX, "html": "text/html"}[kind]
    declared = media_type_for(fetched.filename, fetched.content_type) or "text/plain"
    return declared


def _stored_form(fetched: Fetched, media: str) -> tuple[bytes, str]:
    """The bytes to store, as fetched, and the media type they are stored under; an old Word,
    WPS or Excel file is converted where it is parsed (app/convert.py)."""
    if media != "application/x-ole" and media not in CONVERTIBLE_TYPES:
        return fetched.body, media
    suffix = _suffix(fetched) or CONVERTIBLE_TYPES.get(media, "")
    if suffix not in CONVERTIBLE_SUFFIXES:
        raise UnsupportedMediaType(
            f"{fetched.url} is an Office 97 file whose kind its name does not tell "
            f"({suffix or 'no suffix'}); a Word (.doc), WPS (.wps) or Excel (.xls) report is read"
        )
    return fetched.body, STORED_TYPES[suffix]


def _suffix(fetched: Fetched) -> str:
    for name in (fetched.filename or "", urlsplit(fetched.url).path):
        lower = name.lower()
        for suffix in ATTACHMENT_SUFFIXES:
            if lower.endswith(suffix):
                return suffix
    return ""


def prepare_fetched(
    data: bytes, media_type: str, agency: str | None, year: int | None, page: PageHints
) -> PreparedReport:
    """Parse and check a fetched document (in a worker), the page standing in for the agency,
    year and title where the document does not print them, and naming its source."""
    from app.ingest import parse_for_ingest, prepare
    from app.parsing.document import parse_document

    try:
        parsed = parse_for_ingest(data, media_type, agency=agency, year=year)
    except NotAReport as first:
        if media_type == "application/pdf":
            _refuse_scans(data, first)
        try:
            printed = parse_document(data, media_type)
        except Exception:
            raise first from None
        page_agency = None if agency or printed.agency else page.agency
        page_year = None if year or printed.year else page.year
        if page_agency is None and page_year is None:
            raise
        parsed = parse_for_ingest(
            data, media_type, agency=agency or page_agency, year=year or page_year
        )
        taken = [w for w, v in (("agency", page_agency), ("year", page_year)) if v is not None]
        warning = f"{' and '.join(taken)} taken from the web page's title, {page.title!r}"
        parsed = replace(parsed, warnings=(*parsed.warnings, warning))
    hints_ = parsed.region_hints
    domain = urlsplit(page.page_url).hostname
    parsed = replace(
        parsed,
        title=parsed.title or page.title,
        source_url=page.page_url,
        region_hints=RegionHints(hints_.place_names, hints_.phone_area_code, domain),
    )
    return prepare(parsed)


def _refuse_scans(data: bytes, error: NotAReport) -> None:
    """A clearer refusal for a PDF whose pages are pictures: its tables cannot be read."""
    import pypdfium2 as pdfium  # type: ignore[import-untyped]
    import pypdfium2.raw as pdfium_c  # type: ignore[import-untyped]

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        return
    try:
        pictured = 0
        characters = 0
        for index in range(len(document)):
            page = document[index]
            try:
                images = page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=2)
                pictured += any(True for _ in images)
                textpage = page.get_textpage()
                characters += textpage.count_chars()
                textpage.close()
            finally:
                page.close()
        pages = len(document)
    finally:
        document.close()
    if pictured and characters < 200 * pages:
        raise ScannedDocument(
            f"the PDF is scanned: {pictured} of its {pages} pages are pictures with no text "
            "layer, so its tables are pictures that cannot be read without OCR; find the "
            "report's text (its web page, a Word file or a PDF with text) instead",
        ) from error
