"""`gkstats ingest URL…` and `gkstats crawl URL`: the command line's side of fetching."""

from __future__ import annotations

import argparse
import sys

from app.cli import summarize
from app.config import get_settings
from app.fetch.client import Fetcher
from app.fetch.crawl import UrlOutcome, crawl, ingest_url, summary_lines


def _fetcher(delay: float = 0.0) -> Fetcher:
    settings = get_settings()
    return Fetcher(
        allowed_hosts=settings.fetch_allowed_hosts,
        max_bytes=settings.max_upload_bytes,
        timeout=settings.fetch_timeout_seconds,
        delay=delay,
    )


def ingest_addresses(args: argparse.Namespace) -> int:
    """Ingest web addresses (and nothing else) one by one; 1 when any failed."""
    from app.db import get_sessionmaker

    urls = [name for name in args.paths if name.startswith(("http://", "https://"))]
    if len(urls) != len(args.paths):
        print("give either files and folders or web addresses, not both", file=sys.stderr)
        return 2
    outcomes: list[UrlOutcome] = []
    with _fetcher() as fetcher, get_sessionmaker()() as session:
        for url in urls:
            outcomes.append(
                ingest_url(
                    session,
                    fetcher,
                    url,
                    region=args.region,
                    agency=args.agency,
                    year=args.year,
                )
            )
    rows = [(o.status, o.url, o.detail) for o in outcomes]
    return summarize(rows, args.verbose, "addresses")


def crawl_site(args: argparse.Namespace) -> int:
    """Crawl a listing; 1 when any report failed, 130 when interrupted (run again to resume)."""
    from app.db import get_sessionmaker

    show_bar = not args.quiet and sys.stderr.isatty()
    with _fetcher(args.delay) as fetcher:
        try:
            summary = crawl(
                get_sessionmaker(),
                fetcher,
                args.url,
                region=args.region,
                max_pages=args.max_pages,
                progress=show_bar,
            )
        except Exception as exc:
            message = getattr(exc, "message", None) or str(exc)
            print(f"the listing {args.url} could not be read: {message}", file=sys.stderr)
            return 1
    if args.verbose:
        for outcome in summary.outcomes:
            print(f"{outcome.status:9} {outcome.url}  {outcome.detail}")
    for line in summary_lines(summary):
        print(line, file=sys.stderr if line.startswith("  failed") else sys.stdout)
    if summary.interrupted:
        return 130
    return 1 if summary.count("failed") else 0
