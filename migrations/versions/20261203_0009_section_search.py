"""Full-text search over report parts: an FTS5 table on SQLite, a tsvector with a GIN index on
PostgreSQL, filled with the parts already stored

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-10 09:00:00

The words are made as app/search.py made them when this was written (NFKC, OpenCC t2s, lower
case, jieba over runs of letters and digits, dictionary words inside longer ones), frozen here
so that the migration runs as written whatever the app becomes.
"""

import logging
import re
import unicodedata
from collections.abc import Sequence

import jieba
import opencc
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_RUN = re.compile(r"[^\W_]+")
_CJK = "\u3400-\u9fff\uf900-\ufaff"
_SPACE_IN_CJK = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")
_PARTS_PER_REPORT = 8
_MAX_POSITION = 16383
_MAX_WORD = 100
_BATCH = 2000


class _Words:
    def __init__(self) -> None:
        jieba.setLogLevel(logging.WARNING)
        self.tokenizer = jieba.Tokenizer()
        self.tokenizer.initialize()
        self.converter = opencc.OpenCC("t2s")
        self.cache: dict[str, list[str]] = {}

    def words(self, value: str) -> list[str]:
        value = self.converter.convert(unicodedata.normalize("NFKC", value)).lower()
        value = _SPACE_IN_CJK.sub("", value)
        found: list[str] = []
        for run in _RUN.findall(value):
            cut = self.cache.get(run)
            if cut is None:
                cut = [w for w in self.tokenizer.cut(run) if len(w) <= _MAX_WORD]
                if len(self.cache) < 200_000:
                    self.cache[run] = cut
            found += cut
        return found

    def inner(self, word: str) -> list[str]:
        found = []
        for size in (2, 3):
            if len(word) > size:
                for start in range(len(word) - size + 1):
                    piece = word[start : start + size]
                    if self.tokenizer.FREQ.get(piece):
                        found.append(piece)
        return found


def _quoted(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def _fill(connection: sa.Connection) -> None:
    made = _Words()
    postgres = connection.dialect.name == "postgresql"
    last = (-1, -1)
    while True:
        rows = connection.execute(
            sa.text(
                "SELECT report_id, number, text FROM section "
                "WHERE report_id > :r OR (report_id = :r AND number > :n) "
                "ORDER BY report_id, number LIMIT :batch"
            ),
            {"r": last[0], "n": last[1], "batch": _BATCH},
        ).all()
        if not rows:
            return
        last = (rows[-1][0], rows[-1][1])
        out = []
        for report_id, number, value in rows:
            words = made.words(value)
            parts = [(i, p) for i, w in enumerate(words) for p in made.inner(w)]
            if postgres:
                positions: dict[str, list[str]] = {}
                for i, w in enumerate(words):
                    positions.setdefault(w, []).append(f"{min(i + 1, _MAX_POSITION)}A")
                for i, p in parts:
                    positions.setdefault(p, []).append(f"{min(i + 1, _MAX_POSITION)}B")
                vector = " ".join(f"{_quoted(w)}:{','.join(ps)}" for w, ps in positions.items())
                out.append({"r": report_id, "n": number, "v": vector})
            else:
                out.append(
                    {
                        "k": report_id * _PARTS_PER_REPORT + number,
                        "w": " ".join(words),
                        "p": " ".join(p for _, p in parts),
                    }
                )
        if postgres:
            statement = "INSERT INTO section_search VALUES (:r, :n, CAST(:v AS tsvector))"
        else:
            statement = "INSERT INTO section_search (rowid, words, parts) VALUES (:k, :w, :p)"
        connection.execute(sa.text(statement), out)


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "postgresql":
        op.create_table(
            "section_search",
            sa.Column("report_id", sa.Integer(), nullable=False),
            sa.Column("number", sa.SmallInteger(), nullable=False),
            sa.Column("words", postgresql.TSVECTOR(), nullable=False),
            sa.ForeignKeyConstraint(
                ["report_id"],
                ["report.id"],
                name="fk_section_search_report_id_report",
                ondelete="CASCADE",
            ),
            sa.PrimaryKeyConstraint("report_id", "number", name="pk_section_search"),
        )
        _fill(connection)
        # Built once over the filled table: faster than keeping it while rows arrive.
        op.execute("CREATE INDEX ix_section_search_words ON section_search USING gin (words)")
    else:
        op.execute(
            "CREATE VIRTUAL TABLE section_search USING fts5("
            "words, parts, tokenize = 'unicode61 remove_diacritics 0')"
        )
        _fill(connection)


def downgrade() -> None:
    op.execute("DROP TABLE section_search")
