"""Spreadsheets read back as users read them (pandas), their rows compared with the JSON's."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

import openpyxl
import pandas as pd
import pytest

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def read_csv(body: bytes, text_columns: Iterable[str] = ()) -> pd.DataFrame:
    """As the README tells pandas users: codes named as text, or they become numbers."""
    dtype = dict.fromkeys(text_columns, str)
    return pd.read_csv(io.BytesIO(body), encoding="utf-8-sig", dtype=dtype)


def read_xlsx(body: bytes, text_columns: Iterable[str] = ()) -> pd.DataFrame:
    """The cells are typed, yet pandas takes text of digits for a number here too: codes named."""
    dtype = dict.fromkeys(text_columns, str)
    return pd.read_excel(io.BytesIO(body), engine="openpyxl", dtype=dtype)


def text_cells(body: bytes, column: int) -> list[str | None]:
    """The XLSX cells of a column below the header, each a str if stored as text."""
    sheet = openpyxl.load_workbook(io.BytesIO(body), read_only=True).worksheets[0]
    return [
        value if isinstance(value, str) else None
        for (value,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column, values_only=True)
    ]


def rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The frame's rows, an empty cell as None."""
    return [
        {str(key): None if pd.isna(value) else value for key, value in row.items()}
        for row in frame.astype(object).to_dict("records")
    ]


def assert_same_rows(
    frame: pd.DataFrame, expected: Sequence[dict[str, Any]], text_columns: Iterable[str]
) -> None:
    """The same headers and values as `expected`, each text column holding text (a code keeps
    its digits as written), and numbers within a float's printing of them."""
    if expected:
        assert list(frame.columns) == list(expected[0])
    got = rows(frame)
    assert len(got) == len(expected)
    for row, want in zip(got, expected, strict=True):
        assert row == pytest.approx(want, rel=1e-12), (row, want)
    for column in text_columns:
        assert all(isinstance(v, str) for v in frame[column] if not pd.isna(v)), column


def blank_as_none(value: Any) -> Any:
    """A spreadsheet has no empty text: "" reads back as an empty cell."""
    return None if value == "" else value
