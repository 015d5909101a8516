"""The catalog's keys: the types that name them agree with the tables defined."""

from __future__ import annotations

from typing import get_args

from app.catalog import FORMATS, TABLES, Format, TableKey


def test_table_key_names_every_table() -> None:
    assert get_args(TableKey) == tuple(TABLES)


def test_format_names_every_format() -> None:
    assert get_args(Format) == FORMATS
