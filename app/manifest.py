"""Manifests: a CSV file with one row per document and what is known about it, as a crawl
leaves them (`gkstats ingest --manifest list.csv`).

Columns, by header name: `path` (the document's file, relative to the manifest's folder),
`url` (where it was fetched from, for a row without a path), `agency`, `year`, `region` (a
GB/T 2260 code) and `source_url`. Only `path` or `url` is needed; a value left empty is not
known. Values are hints, with the rules of the upload parameters (see `Hints`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.bulk import Hints
from app.models import Region

COLUMNS = ("path", "url", "agency", "year", "region", "source_url")
FIRST_YEAR, LAST_YEAR = 1990, 2100  # the years the API accepts


class ManifestError(ValueError):
    """The manifest as a whole cannot be read: no rows are ingested."""


@dataclass(frozen=True, slots=True)
class ManifestRow:
    line: int  # where the row starts in the file, counting the header as line 1
    path: Path | None
    url: str | None
    hints: Hints


@dataclass(frozen=True, slots=True)
class RowError:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.message}"


def read_manifest(manifest: Path) -> tuple[list[ManifestRow], list[RowError]]:
    """The rows of a manifest, and the rows that cannot be used with the reason for each."""
    try:
        data = manifest.read_bytes()
    except OSError as exc:
        raise ManifestError(f"cannot read {manifest}: {exc.strerror or exc}") from exc
    reader = csv.DictReader(io.StringIO(_decode(data), newline=""))
    header = [name.strip().lower() for name in reader.fieldnames or []]
    unknown = [name for name in header if name not in COLUMNS]
    if unknown or not {"path", "url"} & set(header):
        raise ManifestError(
            f"{manifest}: expected a header row naming the columns {', '.join(COLUMNS)} "
            f"(path or url needed; the others as known)"
            + (f", not {', '.join(map(repr, unknown))}" if unknown else "")
        )
    reader.fieldnames = header
    rows: list[ManifestRow] = []
    errors: list[RowError] = []
    line = reader.line_num
    for record in reader:
        start, line = line + 1, reader.line_num
        values = {k: (v or "").strip() for k, v in record.items() if k in COLUMNS}
        if not any(values.values()):
            continue  # a blank line
        row = _row(start, values, manifest.parent)
        if isinstance(row, RowError):
            errors.append(row)
        else:
            rows.append(row)
    return rows, errors


def unknown_regions(session: Session, rows: Iterable[ManifestRow]) -> list[RowError]:
    """Rows naming a region code that is not a known GB/T 2260 code."""
    wanted = {row.hints.region for row in rows if row.hints.region}
    known = set(session.scalars(select(Region.code).where(Region.code.in_(wanted))))
    return [
        RowError(row.line, "region", f"{row.hints.region!r} is not a known GB/T 2260 code")
        for row in rows
        if row.hints.region and row.hints.region not in known
    ]


def document_path(row: ManifestRow) -> Path:
    """The file holding a row's document.

    A row giving only a URL is not fetched here: that is `gkstats ingest URL`'s work, and this
    is where fetching plugs in.
    """
    if row.path is None:
        raise ValueError(
            f"{row.url} is a URL: documents are fetched by `gkstats ingest URL`; "
            "give the path of a downloaded copy in the path column"
        )
    return row.path


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise ManifestError(
            f"the manifest is neither UTF-8 nor GB18030 text (byte {exc.start} cannot be read)"
        ) from exc


def _row(line: int, values: dict[str, str], folder: Path) -> ManifestRow | RowError:
    path, url = values.get("path", ""), values.get("url", "")
    if not path and not url:
        return RowError(line, "path", "missing: give the document's file (or its url)")
    for column in ("url", "source_url"):
        if values.get(column) and not _is_web_address(values[column]):
            return RowError(line, column, f"{values[column]!r} is not an http(s) address")
    year: int | None = None
    if text := values.get("year", ""):
        if not text.isdigit() or not FIRST_YEAR <= int(text) <= LAST_YEAR:
            return RowError(
                line, "year", f"{text!r} is not a year between {FIRST_YEAR} and {LAST_YEAR}"
            )
        year = int(text)
    region = values.get("region") or None
    if region is not None and not (len(region) == 6 and region.isdigit()):
        return RowError(line, "region", f"{region!r} is not a six-digit GB/T 2260 code")
    agency = values.get("agency") or None
    if agency is not None and not 2 <= len(agency) <= 200:
        return RowError(line, "agency", f"{agency!r} is not an agency's name (2 to 200 characters)")
    hints = Hints(agency, year, region, values.get("source_url") or url or None)
    return ManifestRow(line, folder / path if path else None, url or None, hints)


def _is_web_address(text: str) -> bool:
    parts = urlsplit(text)
    return parts.scheme in ("http", "https") and bool(parts.hostname)
