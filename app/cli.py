"""The `gkstats` command: migrate the database, ingest documents, serve the API."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

from app.bulk import Outcome, default_workers, ingest_paths

SUFFIXES = (".txt", ".text", ".md", ".markdown", ".html", ".htm", ".shtml", ".pdf", ".docx")


def find_documents(paths: Sequence[str]) -> Iterator[Path]:
    """Files named directly, and the report documents inside folders (recursively, sorted)."""
    for name in paths:
        path = Path(name)
        if path.is_dir():
            yield from sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES
            )
        else:
            yield path


def positive_int(text: str) -> int:
    number = int(text)
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a positive number, not {text}")
    return number


def is_web_address(name: str) -> bool:
    return name.startswith(("http://", "https://"))


def cmd_ingest(args: argparse.Namespace) -> int:
    from app.db import get_sessionmaker

    if args.manifest is not None:
        if args.paths:
            print("give PATHs or --manifest, not both", file=sys.stderr)
            return 2
        return _ingest_manifest(args)
    if not args.paths:
        print("give PATHs, URLs or --manifest", file=sys.stderr)
        return 2
    if any(map(is_web_address, args.paths)):
        from app.fetch.cli import ingest_addresses

        return ingest_addresses(args)
    documents = list(find_documents(args.paths))
    if not documents:
        print("no documents found", file=sys.stderr)
        return 1
    show_bar = not args.quiet and sys.stderr.isatty()
    outcomes: list[Outcome] = ingest_paths(
        get_sessionmaker(),
        documents,
        region=args.region,
        agency=args.agency,
        year=args.year,
        workers=args.workers,
        progress=show_bar,
    )
    return _summarize(outcomes, args.verbose)


def _ingest_manifest(args: argparse.Namespace) -> int:
    from app.db import get_sessionmaker
    from app.manifest import ManifestError, document_path, read_manifest, unknown_regions

    manifest = Path(args.manifest)
    try:
        rows, errors = read_manifest(manifest)
    except ManifestError as exc:
        print(exc, file=sys.stderr)
        return 1
    factory = get_sessionmaker()
    with factory() as session:
        errors += unknown_regions(session, rows)
    refused = {error.line for error in errors}
    outcomes = [
        Outcome(Path(f"{manifest} line {e.line}"), "failed", f"column {e.column}: {e.message}")
        for e in sorted(errors, key=lambda e: e.line)
    ]
    paths = []
    hints = []
    for row in rows:
        if row.line in refused:
            continue
        try:
            paths.append(document_path(row))
        except ValueError as exc:
            outcomes.append(
                Outcome(Path(f"{manifest} line {row.line}"), "failed", f"column url: {exc}")
            )
            continue
        hints.append(row.hints)
    if paths:
        outcomes += ingest_paths(
            factory,
            paths,
            workers=args.workers,
            progress=not args.quiet and sys.stderr.isatty(),
            hints=hints,
        )
    return _summarize(outcomes, args.verbose)


def _summarize(outcomes: list[Outcome], verbose: bool) -> int:
    return summarize([(o.status, str(o.path), o.detail) for o in outcomes], verbose, "documents")


def summarize(outcomes: Sequence[tuple[str, str, str]], verbose: bool, things: str) -> int:
    """Print what an ingest did, each (status, what, detail): the counts, each failure with
    its reason (and with `verbose` every line); 1 when any failed."""
    if verbose:
        for status, what, detail in outcomes:
            print(f"{status:9} {what}  {detail}")
    counts = Counter(status for status, _, _ in outcomes)
    print(
        f"{counts['stored']} stored, {counts['unchanged']} unchanged, "
        f"{counts['failed']} failed ({len(outcomes)} {things})"
    )
    for status, what, detail in outcomes:
        if status == "failed":
            print(f"  failed: {what}: {detail}", file=sys.stderr)
    return 1 if counts["failed"] else 0


def _workers_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--workers",
        type=positive_int,
        default=default_workers(),
        metavar="N",
        help="processes parsing documents (default: the CPU count, at most 4)",
    )


def cmd_reparse(args: argparse.Namespace) -> int:
    from app.db import get_sessionmaker
    from app.reparse import reparse_reports

    outcomes = reparse_reports(
        get_sessionmaker(),
        every_version=args.all,
        dry_run=args.dry_run,
        workers=args.workers,
        progress=not args.quiet and sys.stderr.isatty(),
    )
    changed = [o for o in outcomes if o.status == "changed"]
    if args.verbose:
        for outcome in outcomes:
            print(f"{outcome.status:9} report {outcome.report_id}  {outcome.detail}")
    counts = Counter(o.status for o in outcomes)
    would = "would change" if args.dry_run else "changed"
    print(
        f"{counts['changed']} {would}, {counts['unchanged']} unchanged, "
        f"{counts['failed']} failed ({len(outcomes)} reports re-read)"
    )
    if changed:
        moved = Counter(name for o in changed for name in o.changes.fields)
        values = sum(o.changes.values for o in changed)
        statuses = sum(o.changes.statuses for o in changed)
        print(
            f"  {values} values, {statuses} statuses, {moved['agency']} agencies, "
            f"{moved['year']} years {'would change' if args.dry_run else 'changed'}"
        )
    if args.dry_run:
        print("  dry run: nothing was written")
    for outcome in outcomes:
        if outcome.status == "failed":
            print(
                f"  failed: report {outcome.report_id} (its stored reading is kept): "
                f"{outcome.detail}",
                file=sys.stderr,
            )
    return 1 if counts["failed"] else 0


def cmd_crawl(args: argparse.Namespace) -> int:
    from app.fetch.cli import crawl_site

    return crawl_site(args)


def cmd_migrate(args: argparse.Namespace) -> int:
    from app.migrate import upgrade

    upgrade(revision=args.revision)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from app.serve import serve

    serve(args.host, args.port, args.workers)
    return 0


def cmd_synth(args: argparse.Namespace) -> int:
    from app.db import get_engine
    from app.synth import synthesize, synthetic_reports

    engine = get_engine()
    if args.if_empty and (present := synthetic_reports(engine)):
        print(f"{present} synthetic reports already stored; none added")
        return 0
    summary = synthesize(engine, reports=args.reports, seed=args.seed)
    print(summary)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gkstats",
        description="Government information-disclosure annual reports as data. "
        "The database is the one DATABASE_URL names.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    migrate = commands.add_parser("migrate", help="apply the database migrations")
    migrate.add_argument("revision", nargs="?", default="head")
    migrate.set_defaults(run=cmd_migrate)

    ingest = commands.add_parser(
        "ingest", help="ingest report documents (files, folders or web addresses)"
    )
    ingest.add_argument("paths", nargs="*", metavar="PATH|URL")
    ingest.add_argument(
        "--manifest",
        metavar="CSV",
        help="a CSV file, one row per document: path, url, agency, year, region, source_url",
    )
    ingest.add_argument("--region", help="GB/T 2260 code to place new agencies under")
    ingest.add_argument("--agency", help="the agency's name, for documents that do not print it")
    ingest.add_argument("--year", type=int, help="the report year, for documents without one")
    ingest.add_argument("-v", "--verbose", action="store_true", help="one line per document")
    ingest.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    _workers_option(ingest)
    ingest.set_defaults(run=cmd_ingest)

    reparse = commands.add_parser(
        "reparse", help="read stored documents again where an older parser read them"
    )
    reparse.add_argument(
        "--all", action="store_true", help="every stored document, whichever parser read it"
    )
    reparse.add_argument(
        "--dry-run", action="store_true", help="say what would change; write nothing"
    )
    reparse.add_argument("-v", "--verbose", action="store_true", help="one line per report")
    reparse.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    _workers_option(reparse)
    reparse.set_defaults(run=cmd_reparse)
    crawl = commands.add_parser(
        "crawl", help="ingest every report a site's listing of annual reports links"
    )
    crawl.add_argument("url", metavar="URL", help="the listing page (a 年报 column)")
    crawl.add_argument("--region", help="GB/T 2260 code to place new agencies under")
    crawl.add_argument(
        "--delay",
        type=float,
        default=1.0,
        metavar="S",
        help="seconds between two requests to the same host (default 1; robots.txt's "
        "Crawl-delay when longer)",
    )
    crawl.add_argument(
        "--max-pages", type=positive_int, default=200, metavar="N", help="listing pages at most"
    )
    crawl.add_argument("-v", "--verbose", action="store_true", help="one line per report")
    crawl.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    crawl.set_defaults(run=cmd_crawl)

    synth = commands.add_parser(
        "synth", help="generate synthetic reports for benchmarks (marked synthetic)"
    )
    synth.add_argument("--reports", type=int, required=True, metavar="N")
    synth.add_argument("--seed", type=int, default=2019)
    synth.add_argument(
        "--if-empty",
        action="store_true",
        help="add nothing when synthetic reports are already stored (the demo set of make run)",
    )
    synth.set_defaults(run=cmd_synth)

    serve = commands.add_parser("serve", help="serve the HTTP API with uvicorn")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--workers",
        type=positive_int,
        default=1,
        metavar="N",
        help="server processes, each with its own listening socket (SO_REUSEPORT)",
    )
    serve.set_defaults(run=cmd_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    code: int = args.run(args)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
