"""The parser's version, stored with every report so that reports read by an older parser can
be found and read again (`gkstats reparse`).

Bump it (1 → 2 → …) with any change to what the parser returns for a document;
tests/parsing/test_version.py pins the parser's reading of the examples to this number and fails,
saying so, when the reading changes and the number does not.
"""

from __future__ import annotations

PARSER_VERSION = "2"


def is_older(version: str) -> bool:
    """Whether a stored report was read by an earlier parser than this one.

    Versions are whole numbers; anything else (synthetic reports say "synthetic") was not read
    by this parser at all, so it is never older.
    """
    return version.isdigit() and int(version) < int(PARSER_VERSION)
