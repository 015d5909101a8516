"""Reading a fetched HTML page: its text encoding, the hints it gives about the report it
holds (title, agency, year, date), the report attachments it links, and a listing's links."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import unquote, urljoin, urlsplit

import lxml.html
from charset_normalizer import from_bytes
from lxml import etree

from app.parsing.identity import agency_from_title

ATTACHMENT_SUFFIXES = (".pdf", ".docx", ".doc", ".wps", ".xls", ".xlsx")
# Words that name an annual report in a link's text or file name.
_REPORT_WORDS = ("年度报告", "年报", "年度工作报告")
_NEXT_PAGE = ("下一页", "下页", "后页", "下一頁")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_:.-]+)", re.I)
# Government sites built on TRS and similar systems write their pager with a script:
# createPageHTML(pages, current, "index", "html") for index.html, index_1.html, …
_SCRIPT_PAGER = re.compile(
    r"createPageHTML\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?\d+['\"]?\s*,\s*['\"]([\w-]+)['\"]\s*,"
    r"\s*['\"](\w+)['\"]"
)
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_DATE = re.compile(r"((?:19|20)\d{2})[-年/.](\d{1,2})[-月/.](\d{1,2})")
_DATE_LABEL = re.compile(r"(?:发布|成文|公开)(?:日期|时间)\s*[:：]?\s*")
_TITLE_SPLIT = re.compile(r"\s*[_|｜]\s*|\s+-\s+")
# Codecs that the labels of Chinese pages name and their supersets, which decode the same text
# and the characters the smaller sets lack (GB2312 pages often hold GBK characters).
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "euc-cn": "gb18030", "ascii": "utf-8"}


@dataclass(frozen=True, slots=True)
class PageHints:
    """What a web page says about the report it holds or links: used where the document itself
    does not print it, never over what it prints."""

    page_url: str
    title: str | None = None
    agency: str | None = None
    year: int | None = None
    published: date | None = None


@dataclass(frozen=True, slots=True)
class Link:
    url: str
    text: str


def decode_page(body: bytes, content_type: str = "") -> str:
    """The page's text, in the charset `page_charset` finds."""
    return body.decode(page_charset(body, content_type), "replace")


def page_charset(body: bytes, content_type: str = "") -> str:
    """The charset its Content-Type or `<meta charset>` names when the bytes decode in it, else
    the one the bytes themselves point to."""
    declared = []
    header = _HEADER_CHARSET.search(content_type)
    if header:
        declared.append(header.group(1))
    meta = _META_CHARSET.search(body[:4096])
    if meta:
        declared.append(meta.group(1).decode("ascii", "replace"))
    for label in declared:
        codec = _codec(label)
        if codec is None:
            continue
        try:
            body.decode(codec)
        except UnicodeDecodeError:
            continue  # the label lies: the bytes are in another charset
        return codec
    for codec in ("utf-8", "gb18030"):
        try:
            body.decode(codec)
        except UnicodeDecodeError:
            continue
        return codec
    best = from_bytes(body).best()
    return best.encoding if best is not None else "utf-8"


def _codec(label: str) -> str | None:
    try:
        name = codecs.lookup(label.strip().lower()).name
    except LookupError:
        return None
    return _SUPERSETS.get(name.replace("_", "-"), name)


def parse_html(text: str, url: str) -> lxml.html.HtmlElement:
    try:
        root = lxml.html.document_fromstring(text or "<html></html>", base_url=url)
    except (etree.ParserError, ValueError):
        root = lxml.html.document_fromstring("<html></html>", base_url=url)
    return root


def links(root: lxml.html.HtmlElement, url: str) -> list[Link]:
    """Every `<a href>` of the page as an absolute http(s) address, with its text, in order."""
    base = url
    for element in root.iterfind(".//base[@href]"):
        base = urljoin(url, element.get("href", ""))
        break
    found: list[Link] = []
    for anchor in root.iterfind(".//a[@href]"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        absolute = urljoin(base, href).split("#", 1)[0]
        if urlsplit(absolute).scheme in ("http", "https"):
            text = " ".join((anchor.text_content() or "").split()) or anchor.get("title", "")
            found.append(Link(absolute, text))
    return found


def _suffix(url: str) -> str:
    path = urlsplit(url).path.lower()
    return next((s for s in ATTACHMENT_SUFFIXES if path.endswith(s)), "")


def names_a_report(link: Link) -> bool:
    name = unquote(urlsplit(link.url).path.rsplit("/", 1)[-1])
    return any(word in link.text or word in name for word in _REPORT_WORDS)


def report_attachment(page_links: list[Link]) -> Link | None:
    """The attachment that holds the report: a document link named like an annual report;
    the only document link, when the page links just one."""
    documents = [link for link in page_links if _suffix(link.url)]
    named = [link for link in documents if names_a_report(link)]
    if named:
        return named[0]
    return documents[0] if len(documents) == 1 else None


def hints(root: lxml.html.HtmlElement, url: str) -> PageHints:
    title = _meta(root, "ArticleTitle") or _heading(root) or _page_title(root)
    year_match = _YEAR.search(title) if title else None
    return PageHints(
        page_url=url,
        title=title,
        # Only the report's own title names the agency that reports: the site's publisher
        # (ContentSource) is often the government above it, and a wrong agency is worse
        # than none.
        agency=agency_from_title(title) if title and "报告" in title else None,
        year=int(year_match.group(1)) if year_match and "报告" in (title or "") else None,
        published=_published(root),
    )


def _meta(root: lxml.html.HtmlElement, name: str) -> str | None:
    for element in root.iterfind(".//meta[@name]"):
        if (element.get("name") or "").lower() == name.lower():
            content = " ".join((element.get("content") or "").split())
            return content or None
    return None


def _heading(root: lxml.html.HtmlElement) -> str | None:
    for tag in ("h1", "h2"):
        for element in root.iterfind(f".//{tag}"):
            text = " ".join(element.text_content().split())
            if "报告" in text and len(text) <= 80:
                return text
    return None


def _page_title(root: lxml.html.HtmlElement) -> str | None:
    element = root.find(".//title")
    if element is None:
        return None
    text = " ".join(element.text_content().split())
    # "XX年度报告_青禾市云岭区人民政府": the site's name follows the page's.
    parts = [p for p in _TITLE_SPLIT.split(text) if p]
    with_report = [p for p in parts if "报告" in p]
    return (with_report or parts or [None])[0]


def _published(root: lxml.html.HtmlElement) -> date | None:
    for candidate in (_meta(root, "PubDate"), _meta(root, "firstpublishedtime")):
        if candidate and (found := _date(candidate)):
            return found
    body = " ".join(root.text_content().split())
    label = _DATE_LABEL.search(body)
    return _date(body[label.end() : label.end() + 24]) if label else None


def _date(text: str) -> date | None:
    match = _DATE.search(text)
    if match is None:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def report_links(page_links: list[Link]) -> list[Link]:
    """A listing's links to reports: named like an annual report. They may lead to other
    hosts (a county's listing linking its bureaus' sites); every fetch is guarded."""
    seen: set[str] = set()
    found = []
    for link in page_links:
        if names_a_report(link) and link.url not in seen:
            seen.add(link.url)
            found.append(link)
    return found


def next_pages(root: lxml.html.HtmlElement, page_links: list[Link], url: str) -> list[str]:
    """The listing's further pages: 下一页 links, and the pages a script pager names."""
    pages = [link.url for link in page_links if link.text.strip() in _NEXT_PAGE]
    for script in root.iterfind(".//script"):
        match = _SCRIPT_PAGER.search(script.text or "")
        if match:
            count, name, extension = int(match.group(1)), match.group(2), match.group(3)
            pages += [urljoin(url, f"{name}_{n}.{extension}") for n in range(1, count)]
    return list(dict.fromkeys(pages))
