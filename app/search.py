"""Full-text search over the parts of current reports, in the database's own engine.

Chinese has no spaces, so text is made into words here, the same way when a part is indexed
and when a query is read: NFKC, traditional → simplified (OpenCC t2s), lower case, then jieba
(app/words.py) over each run of letters and digits. The index holds those words joined by
spaces, which each engine then takes one by one: an FTS5 table with the `unicode61` tokenizer
on SQLite, a `tsvector` built from quoted lexemes with a GIN index on PostgreSQL (its own
parser is never used on Chinese, as it depends on the server's locale).

Each part is indexed twice over: `words`, the words in order (phrases are consecutive words),
and `parts`, the dictionary words inside longer ones (数据 and 安全 in 数据安全), as jieba's
search mode finds them, so that a two-character word is found inside a longer word. A single
word matches either; a phrase matches `words` only. On PostgreSQL `parts` are lexemes of
weight B at the position of the word they are in, `words` weight A.

The index is keyed by (report, part) and holds every stored report; only current reports are
answered, by a join at query time, so a revision or a withdrawal needs no change to it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import opencc
from sqlalchemy import Connection, select, text

from app.errors import EmptyQuery
from app.models import Agency, Report, Section
from app.words import _tokenizer

TABLE = "section_search"
# SQLite: the FTS5 table and the tables FTS5 keeps beside it.
SQLITE_TABLES = frozenset(
    {TABLE, *(f"{TABLE}_{s}" for s in ("data", "idx", "content", "docsize", "config"))}
)


def include_name(name: str | None, type_: str, parent_names: dict[str, Any]) -> bool:
    """For Alembic's comparison with the models: the index is made by its migration alone,
    as its tables differ by engine."""
    return not (type_ == "table" and name in SQLITE_TABLES)


# FTS5 rows are keyed by one integer: report id × 8 + part number (0 to 6).
PARTS_PER_REPORT = 8
# PostgreSQL keeps positions up to this one; later words share it (phrases past it are missed).
MAX_POSITION = 16383
MAX_WORD = 100  # longer runs (a pasted digest, say) are not words anyone searches for

_RUN = re.compile(r"[^\W_]+")
_CJK = "\u3400-\u9fff\uf900-\ufaff"
_SPACE_IN_CJK = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")
_QUERY_TERM = re.compile(r'(-?)(?:"([^"]*)"?|(\S+))')
_QUOTES = str.maketrans({"“": '"', "”": '"', "「": '"', "」": '"', "\u3000": " "})


@lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def simplified(value: str) -> str:
    """The text as it is searched: NFKC, simplified characters, lower case, and without the
    spaces PDF extraction leaves between Chinese characters."""
    value = _converter().convert(unicodedata.normalize("NFKC", value)).lower()
    return _SPACE_IN_CJK.sub("", value)


@lru_cache(maxsize=200_000)
def _cut(run: str) -> tuple[str, ...]:
    # Text is cut into runs at punctuation and spaces, as jieba itself does, so the runs of a
    # part repeat across reports and the cache spares segmenting them again.
    return tuple(w for w in _tokenizer().cut(run) if len(w) <= MAX_WORD)


def words(value: str) -> list[str]:
    """The searchable words of a text, in order."""
    return [w for run in _RUN.findall(simplified(value)) for w in _cut(run)]


@lru_cache(maxsize=50_000)
def inner_words(word: str) -> tuple[str, ...]:
    """Dictionary words of two and three characters inside a longer word (jieba's search
    mode): 数据 and 安全 in 数据安全."""
    if len(word) <= 2:
        return ()
    known = _tokenizer().FREQ
    found = []
    for size in (2, 3):
        if len(word) > size:
            for start in range(len(word) - size + 1):
                piece = word[start : start + size]
                if known.get(piece):
                    found.append(piece)
    return tuple(found)


@dataclass(frozen=True, slots=True)
class IndexedText:
    words: list[str]
    parts: list[tuple[int, str]]  # (index of the word it is in, inner word)


def indexed(value: str) -> IndexedText:
    found = words(value)
    parts = [(i, p) for i, w in enumerate(found) for p in inner_words(w)]
    return IndexedText(found, parts)


def tsvector_literal(entry: IndexedText) -> str:
    """The tsvector of a part, as text for a cast: every lexeme quoted, with its positions."""
    positions: dict[str, list[str]] = {}
    for i, w in enumerate(entry.words):
        positions.setdefault(w, []).append(f"{min(i + 1, MAX_POSITION)}A")
    for i, p in entry.parts:
        positions.setdefault(p, []).append(f"{min(i + 1, MAX_POSITION)}B")
    return " ".join(f"{_quoted(w)}:{','.join(ps)}" for w, ps in positions.items())


def _quoted(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


# --- keeping the index


def index_parts(
    connection: Connection, report_ids: Iterable[int], parts: Sequence[tuple[int, int, str]]
) -> None:
    """Index the reports' parts, given as (report id, part number, text), in place of what the
    index held for them: after reports are stored, or their parts rewritten by a re-read."""
    reports = sorted(set(report_ids))
    if not reports:
        return
    if connection.dialect.name == "postgresql":
        connection.execute(
            text(f"DELETE FROM {TABLE} WHERE report_id = ANY(:ids)"), {"ids": reports}
        )
    else:
        connection.exec_driver_sql(
            f"DELETE FROM {TABLE} WHERE rowid >= ? AND rowid < ?",
            [(r * PARTS_PER_REPORT, (r + 1) * PARTS_PER_REPORT) for r in reports],
        )
    insert_index_rows(connection, parts)


def insert_index_rows(connection: Connection, parts: Sequence[tuple[int, int, str]]) -> None:
    """Add parts not yet indexed (a bulk load: `gkstats synth`)."""
    if not parts:
        return
    if connection.dialect.name == "postgresql":
        copy_index_rows(connection, parts)
        return
    rows = []
    for report_id, number, value in parts:
        entry = indexed(value)
        rows.append(
            (
                report_id * PARTS_PER_REPORT + number,
                " ".join(entry.words),
                " ".join(p for _, p in entry.parts),
            )
        )
    connection.exec_driver_sql(f"INSERT INTO {TABLE} (rowid, words, parts) VALUES (?, ?, ?)", rows)


def copy_index_rows(connection: Connection, parts: Sequence[tuple[int, int, str]]) -> None:
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f"COPY {TABLE} (report_id, number, words) FROM STDIN") as copy:
        for report_id, number, value in parts:
            copy.write_row((report_id, number, tsvector_literal(indexed(value))))


def rebuild_index(connection: Connection, batch: int = 2000) -> int:
    """Index every stored part again; how many."""
    connection.exec_driver_sql(f"DELETE FROM {TABLE}")
    done = 0
    last = (-1, -1)
    while True:
        rows = connection.execute(
            text(
                "SELECT report_id, number, text FROM section "
                "WHERE report_id > :r OR (report_id = :r AND number > :n) "
                "ORDER BY report_id, number LIMIT :batch"
            ),
            {"r": last[0], "n": last[1], "batch": batch},
        ).all()
        if not rows:
            return done
        insert_index_rows(connection, [(r, n, t) for r, n, t in rows])
        done += len(rows)
        last = (rows[-1][0], rows[-1][1])


# --- reading a query


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """Terms that must all be present, and terms that must not be. A term is a word or a
    phrase: words that must follow one another."""

    include: tuple[tuple[str, ...], ...]
    exclude: tuple[tuple[str, ...], ...]

    @property
    def highlighted(self) -> tuple[str, ...]:
        """What is marked in a snippet, longest first: each included term as it reads, and
        its words (a phrase may be printed with spaces or punctuation between them)."""
        found = {"".join(t) for t in self.include} | {w for t in self.include for w in t}
        return tuple(sorted(found, key=lambda w: (-len(w), w)))


def parse_query(q: str) -> SearchQuery:
    """Words separated by spaces must all be present; "…" is a phrase; -word or -"…" must be
    absent. A term made of several words (疫情防控 is 疫情 + 防控) is a phrase of them."""
    include: list[tuple[str, ...]] = []
    exclude: list[tuple[str, ...]] = []
    for match in _QUERY_TERM.finditer(unicodedata.normalize("NFKC", q).translate(_QUOTES)):
        minus, quoted, bare = match.groups()
        term = tuple(words(quoted if quoted is not None else bare))
        if not term:
            continue
        target = exclude if minus else include
        if term not in target:
            target.append(term)
    if not include:
        raise EmptyQuery(
            "the query has no word to look for: give at least one word that is not excluded "
            '(words are separated by spaces, "…" is a phrase, -word excludes a word)'
        )
    return SearchQuery(tuple(include), tuple(exclude))


def fts5_match(query: SearchQuery) -> str:
    """The FTS5 MATCH expression. Every word is quoted: words hold only letters and digits,
    so no query can reach FTS5's own syntax."""

    def term(t: tuple[str, ...]) -> str:
        if len(t) == 1:
            return f'{{words parts}} : "{t[0]}"'
        return f'words : "{" ".join(t)}"'

    found = " AND ".join(term(t) for t in query.include)
    if not query.exclude:
        return found
    return f"({found}) NOT ({' OR '.join(term(t) for t in query.exclude)})"


def tsquery_literal(query: SearchQuery) -> str:
    """The tsquery, as text for a cast (never through to_tsquery's parser)."""

    def term(t: tuple[str, ...]) -> str:
        if len(t) == 1:
            return _quoted(t[0])
        return "(" + " <-> ".join(f"{_quoted(w)}:A" for w in t) + ")"

    found = " & ".join(term(t) for t in query.include)
    if not query.exclude:
        return found
    return f"({found}) & !({' | '.join(term(t) for t in query.exclude)})"


# --- answering


@dataclass(frozen=True, slots=True)
class SearchFilter:
    region_column: str | None = None  # rollup_report's column for the region's level
    region_code: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    section: int | None = None
    agency_kind: str | None = None
    synthetic: bool | None = None


@dataclass(frozen=True, slots=True)
class Hit:
    report_id: int
    number: int
    rank: float
    year: int
    agency_id: int
    agency_name: str
    report_title: str | None
    key: str
    title: str
    snippet: str
    highlights: list[tuple[int, int]]


def _conditions(filters: SearchFilter, params: dict[str, Any], number: str) -> list[str]:
    where = ["r.is_current"]
    if filters.year_from is not None:
        where.append("r.year >= :year_from")
        params["year_from"] = filters.year_from
    if filters.year_to is not None:
        where.append("r.year <= :year_to")
        params["year_to"] = filters.year_to
    if filters.synthetic is not None:
        where.append("r.synthetic = :synthetic")
        params["synthetic"] = filters.synthetic
    if filters.section is not None:
        where.append(f"{number} = :section")
        params["section"] = filters.section
    if filters.region_column is not None:
        where.append(f"rr.{filters.region_column} = :region")
        params["region"] = filters.region_code
    if filters.agency_kind is not None:
        where.append("rr.agency_kind = :agency_kind")
        params["agency_kind"] = filters.agency_kind
    return where


def _matches(
    connection: Connection, query: SearchQuery, filters: SearchFilter
) -> tuple[str, dict[str, Any]]:
    """The FROM … WHERE of the matching parts, selecting report_id, number and rank."""
    params: dict[str, Any] = {}
    rollup = filters.region_column is not None or filters.agency_kind is not None
    join_rollup = " JOIN rollup_report rr ON rr.report_id = r.id" if rollup else ""
    if connection.dialect.name == "postgresql":
        params["q"] = tsquery_literal(query)
        where = _conditions(filters, params, "s.number")
        sql = (
            "SELECT s.report_id, s.number, ts_rank_cd(s.words, CAST(:q AS tsquery)) AS rank "
            f"FROM {TABLE} s JOIN report r ON r.id = s.report_id{join_rollup} "
            f"WHERE s.words @@ CAST(:q AS tsquery) AND {' AND '.join(where)}"
        )
    else:
        params["q"] = fts5_match(query)
        where = _conditions(filters, params, f"s.rowid % {PARTS_PER_REPORT}")
        sql = (
            f"SELECT s.rowid / {PARTS_PER_REPORT} AS report_id, "
            f"s.rowid % {PARTS_PER_REPORT} AS number, -bm25({TABLE}, 1.0, 0.5) AS rank "
            f"FROM {TABLE} s JOIN report r ON r.id = s.rowid / {PARTS_PER_REPORT}{join_rollup} "
            f"WHERE {TABLE} MATCH :q AND {' AND '.join(where)}"
        )
    return sql, params


def search(
    connection: Connection,
    query: SearchQuery,
    filters: SearchFilter,
    *,
    limit: int,
    offset: int,
) -> tuple[list[Hit], int]:
    """One page of matching parts of current reports, best first, and how many match."""
    sql, params = _matches(connection, query, filters)
    # One pass over the matches gives the page and, beside each row, how many there are.
    rows = connection.execute(
        text(
            f"SELECT report_id, number, rank, count(*) OVER () AS total FROM ({sql}) m "
            "ORDER BY rank DESC, report_id, number LIMIT :limit OFFSET :offset"
        ),
        {**params, "limit": limit, "offset": offset},
    ).all()
    if not rows:  # past the end, or nothing matches: the count alone
        total = connection.execute(text(f"SELECT count(*) FROM ({sql}) m"), params).scalar_one()
        return [], total
    total = rows[0].total
    page = [(row.report_id, row.number, row.rank) for row in rows]
    details = {
        (row.report_id, row.number): row
        for row in connection.execute(
            select(
                Section.report_id,
                Section.number,
                Section.key,
                Section.title,
                Section.text,
                Report.year,
                Report.title.label("report_title"),
                Agency.id.label("agency_id"),
                Agency.name.label("agency_name"),
            )
            .join(Report, Report.id == Section.report_id)
            .join(Agency, Agency.id == Report.agency_id)
            .where(
                Section.report_id.in_({r for r, _, _ in page}),
                Section.number.in_({n for _, n, _ in page}),
            )
        )
    }
    terms = query.highlighted
    hits = []
    for report_id, number, rank in page:
        row = details[(report_id, number)]
        shown, marks = snippet(row.text, terms)
        hits.append(
            Hit(
                report_id=report_id,
                number=number,
                rank=float(rank),
                year=row.year,
                agency_id=row.agency_id,
                agency_name=row.agency_name,
                report_title=row.report_title,
                key=row.key,
                title=row.title,
                snippet=shown,
                highlights=marks,
            )
        )
    return hits, total


# --- snippets

SNIPPET_BEFORE = 30  # characters of context before the first match
SNIPPET_LENGTH = 120
ELLIPSIS = "…"


def _searchable_with_origin(value: str) -> tuple[str, list[int]]:
    """The text as `simplified` makes it, and for each of its characters the index of the
    character of `value` it comes from."""
    pieces = [unicodedata.normalize("NFKC", c).lower() for c in value]
    origin = [i for i, piece in enumerate(pieces) for _ in piece]
    joined = "".join(pieces)
    converted = _converter().convert(joined)
    if len(converted) != len(joined):
        converted = joined
    kept = [k for k in range(len(converted)) if not _dropped_space(converted, k)]
    return "".join(converted[k] for k in kept), [origin[k] for k in kept]


def _dropped_space(value: str, k: int) -> bool:
    if not value[k].isspace():
        return False
    before = value[:k].rstrip()[-1:]
    after = value[k:].lstrip()[:1]
    return bool(before and after and _SPACE_IN_CJK.fullmatch(before + " " + after))


def snippet(value: str, terms: Sequence[str]) -> tuple[str, list[tuple[int, int]]]:
    """A window of `value` around the first place a term appears, and where each term appears
    in it: [start, end) offsets into the snippet, in characters (code points)."""
    searchable = _converter().convert(unicodedata.normalize("NFKC", value)).lower()
    origin = None
    if len(searchable) != len(value) or _SPACE_IN_CJK.search(searchable):
        searchable, origin = _searchable_with_origin(value)
    spans: list[tuple[int, int]] = []
    for term in terms:
        start = searchable.find(term)
        while start >= 0:
            end = start + len(term)
            span = (start, end) if origin is None else (origin[start], origin[end - 1] + 1)
            if not any(s < span[1] and span[0] < e for s, e in spans):
                spans.append(span)
            start = searchable.find(term, end)
    spans.sort()
    first = spans[0][0] if spans else 0
    begin = max(first - SNIPPET_BEFORE, 0)
    # Start at a line or sentence when one begins shortly before the window.
    for mark in ("\n", "。"):
        cut = value.rfind(mark, begin, first)
        if cut >= 0:
            begin = cut + 1
            break
    end = min(begin + SNIPPET_LENGTH, len(value))
    lead = ELLIPSIS if begin > 0 else ""
    tail = ELLIPSIS if end < len(value) else ""
    shown = lead + value[begin:end].replace("\n", " ") + tail
    shift = len(lead) - begin
    marks = [(s + shift, e + shift) for s, e in spans if s >= begin and e <= end]
    return shown, marks


def marked(shown: str, highlights: Sequence[tuple[int, int]]) -> str:
    """The snippet with each match in 【】, for spreadsheets."""
    out, last = [], 0
    for start, end in highlights:
        out += [shown[last:start], "【", shown[start:end], "】"]
        last = end
    out.append(shown[last:])
    return "".join(out)
