from decimal import Decimal

import pytest

from app.parsing.values import is_value_text, read_value


@pytest.mark.parametrize(
    ("raw", "kind", "value", "status", "unit"),
    [
        ("0", "count", 0, "number", None),
        ("１２", "count", 12, "number", None),
        (" 7 ", "count", 7, "number", None),
        ("", "count", None, "blank", None),
        ("/", "count", None, "not_applicable", None),
        ("-", "change", None, "not_applicable", None),
        ("—", "count", None, "not_applicable", None),
        ("－", "count", None, "not_applicable", None),
        ("+173", "change", 173, "number", None),
        ("减4", "change", -4, "number", None),
        ("減3", "change", -3, "number", None),
        ("增15", "change", 15, "number", None),
        ("-2", "change", -2, "number", None),
        ("251000元", "amount", Decimal("251000"), "number", "元"),
        ("160.5964万元", "amount", Decimal("160.5964"), "number", "万元"),
        ("52.15", "amount", Decimal("52.15"), "number", None),
        ("1,234", "count", 1234, "number", None),
    ],
)
def test_read_value(raw: str, kind: str, value: object, status: str, unit: str | None) -> None:
    read = read_value(raw, kind)
    assert (read.value, read.status, read.unit) == (value, status, unit)
    assert type(read.value) is type(value)


@pytest.mark.parametrize(
    ("raw", "kind"),
    [("约5", "count"), ("3.5", "count"), ("-2", "count"), ("000023", "count"), ("-1", "amount")],
)
def test_unreadable_values_say_why(raw: str, kind: str) -> None:
    read = read_value(raw, kind)
    assert read.status == "unreadable"
    assert read.value is None


def test_rule_lines_and_labels_are_not_values() -> None:
    assert not is_value_text("------")
    assert not is_value_text("1.")
    assert not is_value_text("规章")
    assert is_value_text("0 ")
