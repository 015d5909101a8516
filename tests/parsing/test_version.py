"""The parser's version follows its reading: a change to what the parser returns for our own
documents fails here until PARSER_VERSION is bumped, so `gkstats reparse` finds the reports the
change concerns."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import orjson

from app.parsing.document import media_type_for, parse_document
from app.parsing.version import PARSER_VERSION, is_older
from tests.conftest import EXAMPLES

FIXTURES = Path(__file__).parent / "fixtures"
DOCUMENTS = sorted(
    [
        *EXAMPLES.glob("*.txt"),
        *EXAMPLES.glob("*.md"),
        *FIXTURES.glob("*.txt"),
        *FIXTURES.glob("*.md"),
    ]
)
# The digest of the parser's reading of DOCUMENTS at each version.
READINGS = {
    "1": "4d11bd7ff91e7433352184e109d120d95f15818764c139d0b67fe1da1d893d4b",
    # 2: the preamble kept, wrapped lines rejoined, agency and year from the whole document
    "2": "fc9189c1a51d07f2147f2a98676c30ba345627296cab588874b6632e9362245e",
}


def reading_digest() -> str:
    digest = hashlib.sha256()
    for path in DOCUMENTS:
        media_type = media_type_for(path.name, None)
        assert media_type is not None
        parsed = parse_document(path.read_bytes(), media_type)
        digest.update(path.name.encode())
        digest.update(orjson.dumps(dataclasses.asdict(parsed), default=str))
    return digest.hexdigest()


def test_the_version_follows_the_reading() -> None:
    assert len(DOCUMENTS) >= 6
    assert READINGS.get(PARSER_VERSION) == reading_digest(), (
        "the parser reads our documents differently now: bump PARSER_VERSION in "
        "app/parsing/version.py and pin the new digest in READINGS, so that "
        "`gkstats reparse` reads the stored reports again"
    )


def test_older_versions() -> None:
    assert is_older("0")
    assert not is_older(PARSER_VERSION)
    assert not is_older(str(int(PARSER_VERSION) + 1))
    assert not is_older("synthetic")
