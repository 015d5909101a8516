"""Ingest many documents: parsed in worker processes, stored in this one.

Documents whose bytes are already stored are found by hash, a batch at a time, and never parsed.
The rest are parsed (and checked) in a process pool, a chunk per task, while this process stores
the chunks already parsed, in the order the documents were given: revisions come out as a
one-by-one ingest would number them. A transaction stores up to STORE_BATCH documents with one
statement per table, and the stats rollups are refreshed once for them all. Should any of them
fail, that transaction is rolled back and its documents are stored one transaction each, so a
failure stores nothing of that document and is reported alone.
"""

from __future__ import annotations

import copyreg
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field, fields, replace
from itertools import groupby, islice
from pathlib import Path
from typing import Any, TypeAlias, TypeVar
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from tqdm import tqdm

from app.errors import ApiError
from app.ingest import NewDocument, PreparedReport
from app.parsing.document import media_type_for
from app.parsing.model import ParsedReport, RegionHints

UNKNOWN_TYPE = "unknown file type (expected .txt .md .html .pdf .docx)"
MAX_DEFAULT_WORKERS = 4
LOOKUP_BATCH = 64  # documents read, hashed and looked up per query
CHUNK = 8  # documents per task sent to a worker
CHUNKS_PER_WORKER = 2  # tasks kept queued per worker, so none waits while this process stores
STORE_BATCH = 512  # documents per transaction

T = TypeVar("T")

# What parsing a document gives: its report, checked and ready to store, or why it is not one.
Parsed: TypeAlias = PreparedReport | str


@dataclass(frozen=True, slots=True)
class Outcome:
    path: Path
    status: str  # stored, unchanged, failed
    detail: str


@dataclass(frozen=True, slots=True)
class Hints:
    """What is known about a document beside its bytes (a manifest row, the command's options).

    As the upload parameters: `agency` and `year` stand in for what the document does not print
    (see `parse_for_ingest`), `region` places a new agency, and `source_url` is recorded where
    the document prints none.
    """

    agency: str | None = None
    year: int | None = None
    region: str | None = None
    source_url: str | None = None


@dataclass(frozen=True, slots=True)
class _Document:
    path: Path
    media_type: str
    data: bytes
    digest: str
    hints: Hints = field(default_factory=Hints)


_Entry: TypeAlias = tuple[int, _Document, Parsed]


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, MAX_DEFAULT_WORKERS))


def ingest_paths(
    session_factory: sessionmaker[Session],
    paths: Sequence[Path],
    *,
    region: str | None = None,
    agency: str | None = None,
    year: int | None = None,
    workers: int | None = None,
    progress: bool = True,
    hints: Sequence[Hints] | None = None,
) -> list[Outcome]:
    """Ingest these files in order; one outcome per path, in the same order.

    `agency` and `year` stand in for what documents do not print (see `parse_for_ingest`).
    `hints`, one per path, say so for each document instead.
    """
    from app.ingest import sha256_hex

    workers = default_workers() if workers is None else max(1, workers)
    if len(paths) <= 1:
        workers = 1
    if hints is not None and len(hints) != len(paths):
        raise ValueError("hints are given one per path")
    given = Hints(agency, year, region)
    outcomes: dict[int, Outcome] = {}
    stored: dict[str, int] = {}  # digest → report id, for documents stored by this run
    with (
        _pool(workers) as pool,
        session_factory() as session,
        tqdm(total=len(paths), unit="doc", disable=not progress) as bar,
    ):

        def finish(index: int, outcome: Outcome) -> None:
            outcomes[index] = outcome
            bar.update()

        queue: deque[tuple[list[tuple[int, _Document]], Future[list[Parsed]]]] = deque()
        parsed: list[_Entry] = []

        def store(batch: list[_Entry]) -> None:
            for index, outcome in _store_batch(session, batch, stored):
                finish(index, outcome)

        def store_ready(keep: int) -> None:
            while len(queue) > keep:
                parsed.extend(_parsed_entries(queue))
                while len(parsed) >= STORE_BATCH:
                    store(parsed[:STORE_BATCH])
                    del parsed[:STORE_BATCH]

        # Enough parsing queued to keep the workers busy while a whole batch is stored.
        window = -(-STORE_BATCH // CHUNK) + workers * CHUNKS_PER_WORKER
        for batch in _batched(enumerate(paths), LOOKUP_BATCH):
            to_parse: list[tuple[int, _Document]] = []
            for index, path in batch:
                read = _read(path, sha256_hex, given if hints is None else hints[index])
                if isinstance(read, Outcome):
                    finish(index, read)
                else:
                    to_parse.append((index, read))
            known = _stored_reports(session, {doc.digest for _, doc in to_parse} - stored.keys())
            fresh = []
            for index, doc in to_parse:
                report_id = known.get(doc.digest)
                if report_id is None:
                    fresh.append((index, doc))
                else:
                    finish(index, Outcome(doc.path, "unchanged", f"report {report_id}"))
            for chunk in _batched(fresh, CHUNK):
                work = [
                    (d.data, d.media_type, d.hints.agency, d.hints.year, d.path.name)
                    for _, d in chunk
                ]
                queue.append((chunk, pool.submit(parse_documents, work)))
                store_ready(keep=window)
        store_ready(keep=0)
        if parsed:
            store(parsed)
    return [outcomes[i] for i in range(len(paths))]


def parse_documents(
    work: Sequence[tuple[bytes, str, str | None, int | None, str | None]],
) -> list[Parsed]:
    """Parse and check documents: pure, so it runs in any process."""
    return [_parse(*item) for item in work]


def _parse(
    data: bytes, media_type: str, agency: str | None, year: int | None, filename: str | None
) -> Parsed:
    from app.ingest import parse_for_ingest, prepare

    try:
        parsed = parse_for_ingest(data, media_type, agency=agency, year=year, filename=filename)
    except ApiError as exc:
        return exc.message
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return prepare(parsed)


def _read(path: Path, digest_of: Callable[[bytes], str], hints: Hints) -> _Document | Outcome:
    media_type = media_type_for(path.name, None)
    if media_type is None:
        return Outcome(path, "failed", UNKNOWN_TYPE)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return Outcome(path, "failed", f"cannot read: {exc.strerror or exc}")
    return _Document(path, media_type, data, digest_of(data), hints)


def _stored_reports(session: Session, digests: set[str]) -> dict[str, int]:
    from app.models import Document, Report

    if not digests:
        return {}
    rows = session.execute(
        select(Document.sha256, Report.id)
        .join(Report, Report.document_id == Document.id)
        .where(Document.sha256.in_(digests))
    )
    return {digest: report_id for digest, report_id in rows}


def _parsed_entries(
    queue: deque[tuple[list[tuple[int, _Document]], Future[list[Parsed]]]],
) -> Iterator[_Entry]:
    chunk, future = queue.popleft()
    try:
        results = future.result()
    except Exception as exc:  # a worker died: its documents fail, with the reason
        results = [f"{type(exc).__name__}: {exc}"] * len(chunk)
    for (index, doc), parsed in zip(chunk, results, strict=True):
        yield index, doc, parsed


def _store_batch(
    session: Session, entries: list[_Entry], stored: dict[str, int]
) -> list[tuple[int, Outcome]]:
    """Store documents in one transaction, one statement per table for them all. Should any
    of them fail, the transaction is rolled back and each is stored in a transaction of its
    own, so a bad document is reported alone and the others are stored."""
    from app.ingest import store_many

    if len(entries) == 1:
        index, doc, parsed = entries[0]
        return [(index, _store_alone(session, doc, parsed, stored))]
    outcomes: dict[int, Outcome] = {}
    repeats: list[tuple[int, _Document]] = []  # bytes given earlier in this batch
    storing: list[tuple[int, _Document, NewDocument]] = []
    digests: set[str] = set()
    for index, doc, parsed in entries:
        outcome = _unstorable(doc, parsed, stored)
        if outcome is not None:
            outcomes[index] = outcome
        elif doc.digest in digests:
            repeats.append((index, doc))
        else:
            assert not isinstance(parsed, str)
            new = _new_document(doc, parsed)
            storing.append((index, doc, new))
            digests.add(doc.digest)
    try:
        ids = []
        # One statement per table for each run of documents placed alike, in the order given.
        for region, run in groupby(storing, key=lambda item: item[1].hints.region):
            ids += store_many(session, [new for _, _, new in run], region_code=region)
        session.commit()
    except Exception:
        session.rollback()
        session.expunge_all()
        return [(i, _store_alone(session, doc, p, stored)) for i, doc, p in entries]
    session.expunge_all()
    for (index, doc, _), report_id in zip(storing, ids, strict=True):
        stored[doc.digest] = report_id
        outcomes[index] = Outcome(doc.path, "stored", f"report {report_id}")
    for index, doc in repeats:
        outcomes[index] = Outcome(doc.path, "unchanged", f"report {stored[doc.digest]}")
    return [(index, outcomes[index]) for index, _, _ in entries]


def _unstorable(doc: _Document, parsed: Parsed, stored: Mapping[str, int]) -> Outcome | None:
    if doc.digest in stored:  # the same bytes earlier in this run
        return Outcome(doc.path, "unchanged", f"report {stored[doc.digest]}")
    if isinstance(parsed, str):
        return Outcome(doc.path, "failed", parsed)
    return None


def _store_alone(
    session: Session, doc: _Document, parsed: Parsed, stored: dict[str, int]
) -> Outcome:
    """Store one document in a transaction of its own, as `gkstats ingest FILE` always has."""
    from app.ingest import store_many

    outcome = _unstorable(doc, parsed, stored)
    if outcome is not None:
        return outcome
    assert not isinstance(parsed, str)
    try:
        new = _new_document(doc, parsed)
        (report_id,) = store_many(session, [new], region_code=doc.hints.region)
        session.commit()
    except ApiError as exc:
        session.rollback()
        return Outcome(doc.path, "failed", exc.message)
    except Exception as exc:
        session.rollback()
        return Outcome(doc.path, "failed", f"{type(exc).__name__}: {exc}")
    finally:
        session.expunge_all()
    stored[doc.digest] = report_id
    return Outcome(doc.path, "stored", f"report {report_id}")


def _new_document(doc: _Document, prepared: PreparedReport) -> NewDocument:
    header = prepared.header
    url = doc.hints.source_url
    if url and header.source_url is None:  # the document does not say where it was published
        domain = header.region_hints.source_domain or urlsplit(url).hostname
        header = replace(
            header, source_url=url, region_hints=replace(header.region_hints, source_domain=domain)
        )
        prepared = replace(prepared, header=header)
    return NewDocument(doc.data, doc.digest, doc.media_type, prepared, doc.path.name)


class _Inline(Executor):
    """Runs each task at once in this process: one document, or one worker asked for."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            future.set_exception(exc)
        return future


def worker_pool(workers: int) -> Executor:
    """Processes to parse documents in, or this process alone when one worker is asked for."""
    return _pool(workers)


def _pool(workers: int) -> Executor:
    if workers <= 1:
        return _Inline()
    return ProcessPoolExecutor(workers, initializer=_start_worker)


def _start_worker() -> None:
    _register_reducers()
    _exit_with_parent()


def _exit_with_parent() -> None:
    # A worker is forked after this process has connected to the database, so it holds the
    # connection too, and an idle worker waits for work for ever. Killed alone (kill -9, the
    # OOM killer), this process would leave its workers keeping its transaction open, and on
    # PostgreSQL its locks, which the next ingest would wait on. So a worker goes with it.
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_when_gone, args=(parent,), daemon=True).start()


def _exit_when_gone(parent: multiprocessing.process.BaseProcess) -> None:
    parent.join()  # returns once the parent has exited
    os._exit(1)


def _register_reducers() -> None:
    # Frozen slotted dataclasses unpickle field by field through object.__setattr__; rebuilt
    # through their constructors they unpickle in half the time, and the unpickling happens in
    # the storing process, which is the one every document waits for.
    for cls in (PreparedReport, ParsedReport, RegionHints):
        if all(f.init for f in fields(cls)):
            copyreg.pickle(cls, _by_constructor)


def _by_constructor(obj: Any) -> tuple[type[Any], tuple[Any, ...]]:
    cls = type(obj)
    return cls, tuple(getattr(obj, f.name) for f in fields(cls))


def _batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch
