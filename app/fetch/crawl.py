"""Fetching reports by address, one at a time or a whole site's listing of them.

A crawl walks a listing page (a 政府信息公开年报 column) and its further pages, then fetches
each report linked, one request at a time with a delay between two to the same host, within
what each host's robots.txt allows. Every address fetched is remembered with its validators,
so a later crawl asks only whether each changed (304) and stored reports are not fetched
again: a crawl stopped part way (Ctrl-C) picks up where it stopped.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from sqlalchemy.orm import Session, sessionmaker
from tqdm import tqdm

from app.errors import ApiError
from app.fetch.client import Fetcher
from app.fetch.document import fetch_report, prepare_fetched
from app.fetch.guard import FetchFailed, FetchRefused
from app.fetch.page import Link, decode_page, links, next_pages, parse_html, report_links
from app.fetch.store import previous_fetch, remember_failure, store_fetched, stored_report

ROBOTS_AGENT = "gkstats"


@dataclass(frozen=True, slots=True)
class UrlOutcome:
    url: str
    status: str  # stored, unchanged, failed
    detail: str


def ingest_url(
    session: Session,
    fetcher: Fetcher,
    url: str,
    *,
    region: str | None = None,
    agency: str | None = None,
    year: int | None = None,
    conditional: bool = False,
) -> UrlOutcome:
    """Fetch, parse and store the report at `url`, in a transaction of its own.

    `conditional`: ask the server whether the page (and its attachment) changed since the last
    fetch remembered, and download nothing when it did not.
    """
    known = previous_fetch(session, url) if conditional else None
    try:
        document = fetch_report(fetcher, url, known[0] if known else None)
        if document is None:
            assert known is not None
            return UrlOutcome(url, "unchanged", f"report {known[1]} (not modified)")
        report_id = stored_report(session, document)
        if report_id is not None:
            return UrlOutcome(url, "unchanged", f"report {report_id}")
        prepared = prepare_fetched(document.data, document.media_type, agency, year, document.hints)
        report_id, created = store_fetched(session, document, prepared, region)
    except ApiError as exc:
        session.rollback()
        remember_failure(session, url, f"{exc.code}: {exc.message}")
        return UrlOutcome(url, "failed", f"{exc.code}: {exc.message}")
    return UrlOutcome(url, "stored" if created else "unchanged", f"report {report_id}")


@dataclass
class CrawlSummary:
    listing_pages: int = 0
    found: int = 0
    outcomes: list[UrlOutcome] = field(default_factory=list)
    requests: int = 0
    documents_downloaded: int = 0  # report pages and attachments received in full (200)
    interrupted: bool = False
    reports_done: int = 0

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)


class Robots:
    """Each host's robots.txt, read once through the guarded fetcher."""

    def __init__(self, fetcher: Fetcher) -> None:
        self._fetcher = fetcher
        self._parsers: dict[str, RobotFileParser] = {}

    def allows(self, url: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        parser = self._parsers.get(origin)
        if parser is None:
            parser = self._parsers[origin] = self._read(origin)
        return parser.can_fetch(ROBOTS_AGENT, url)

    def _read(self, origin: str) -> RobotFileParser:
        parser = RobotFileParser(f"{origin}/robots.txt")
        try:
            fetched = self._fetcher.get(f"{origin}/robots.txt")
        except FetchRefused:
            # The host is one no fetch may reach: its reports are refused, with that reason.
            parser.parse([])
            return parser
        except FetchFailed as exc:
            # RFC 9309: no robots.txt (4xx) allows everything; a server that cannot say
            # (5xx, unreachable) allows nothing for now.
            status = exc.http_status
            parser.parse(
                []
                if status is not None and 400 <= status < 500
                else ["User-agent: *", "Disallow: /"]
            )
            return parser
        parser.parse(decode_page(fetched.body, fetched.content_type).splitlines())
        delay = parser.crawl_delay(ROBOTS_AGENT) or parser.crawl_delay("*")
        if delay is not None and float(delay) > self._fetcher.delay:
            self._fetcher.delay = float(delay)
        return parser


def find_reports(
    fetcher: Fetcher, robots: Robots, start: str, max_pages: int, summary: CrawlSummary
) -> list[Link]:
    """The report links of a listing and of its further pages on the same host, in order."""
    host = urlsplit(start).hostname or ""
    queue, seen = deque([start]), {start}
    found: dict[str, Link] = {}
    while queue and summary.listing_pages < max_pages:
        url = queue.popleft()
        if not robots.allows(url):
            summary.outcomes.append(UrlOutcome(url, "failed", "disallowed by robots.txt"))
            continue
        try:
            page = fetcher.get(url)
        except ApiError as exc:
            if url == start:
                raise
            summary.outcomes.append(UrlOutcome(url, "failed", f"{exc.code}: {exc.message}"))
            continue
        summary.listing_pages += 1
        root = parse_html(decode_page(page.body, page.content_type), page.url)
        page_links = links(root, page.url)
        for link in report_links(page_links):
            found.setdefault(link.url, link)
        for further in next_pages(root, page_links, page.url):
            if urlsplit(further).hostname == host and further not in seen:
                seen.add(further)
                queue.append(further)
    return list(found.values())


def crawl(
    session_factory: sessionmaker[Session],
    fetcher: Fetcher,
    start: str,
    *,
    region: str | None = None,
    max_pages: int = 200,
    progress: bool = True,
) -> CrawlSummary:
    """Find the reports a listing links and ingest each; stops cleanly on Ctrl-C."""
    summary = CrawlSummary()
    robots = Robots(fetcher)
    try:
        reports = find_reports(fetcher, robots, start, max_pages, summary)
        summary.found = len(reports)
        before = fetcher.downloads
        with (
            session_factory() as session,
            tqdm(total=len(reports), unit="report", disable=not progress) as bar,
        ):
            for link in reports:
                if robots.allows(link.url):
                    outcome = ingest_url(
                        session,
                        fetcher,
                        link.url,
                        region=region,
                        conditional=True,
                    )
                else:
                    outcome = UrlOutcome(link.url, "failed", "disallowed by robots.txt")
                summary.outcomes.append(outcome)
                summary.documents_downloaded = fetcher.downloads - before
                summary.reports_done += 1
                bar.update()
    except KeyboardInterrupt:
        summary.interrupted = True
    summary.requests = fetcher.requests
    return summary


def summary_lines(summary: CrawlSummary) -> list[str]:
    """What a crawl did, for people: counts first, then each failure and its reason."""
    stored, unchanged, failed = (summary.count(s) for s in ("stored", "unchanged", "failed"))
    lines = [
        f"{summary.found} reports found on {summary.listing_pages} listing pages: "
        f"{stored} stored, {unchanged} unchanged, {failed} failed",
        f"{summary.requests} requests, {summary.documents_downloaded} documents downloaded"
        + (
            " (nothing new: every report was already stored)"
            if unchanged and not stored and not summary.documents_downloaded
            else ""
        ),
    ]
    if summary.interrupted:
        lines.append(
            f"interrupted after {summary.reports_done} of {summary.found} reports: run the "
            "same command again to go on (what was fetched is remembered)"
        )
    lines += [f"  failed: {o.url}: {o.detail}" for o in summary.outcomes if o.status == "failed"]
    return lines
