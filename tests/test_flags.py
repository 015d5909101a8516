"""Each plausibility rule, on pairs of years written to trip it and not to trip it."""

from __future__ import annotations

from app.catalog import REQUEST_COLUMNS
from app.flags import JUMP_FACTOR, JUMP_FLOOR, Flag, plausibility_flags
from app.models import CellRow


def cells(values: dict[str, float | None]) -> dict[str, CellRow]:
    found = {}
    for key, value in values.items():
        table, row, col = key.split(".")
        status = "blank" if value is None else "number"
        raw = "" if value is None else f"{value:g}"
        found[key] = CellRow(table, row, col, value, raw, status, None)
    return found


def rules(found: list[Flag]) -> list[tuple[str, str]]:
    return [(f.rule, f.key) for f in found]


def test_carried_over_against_last_years_carried_forward() -> None:
    before = cells({f"requests.carried_forward.{c.key}": 3 for c in REQUEST_COLUMNS})
    same = cells({f"requests.carried_over.{c.key}": 3 for c in REQUEST_COLUMNS})
    assert plausibility_flags(before, same) == []
    moved = cells({"requests.carried_over.total": 4, "requests.carried_over.commercial": 3})
    found = plausibility_flags(before, moved)
    assert rules(found) == [("requests.carried_over", "requests.carried_over.total")]
    assert (found[0].expected, found[0].found) == (3, 4)
    assert found[0].sources == ("previous:requests.carried_forward.total",)
    assert plausibility_flags(before, cells({"requests.carried_over.total": None})) == []


def test_in_force_runs_on_from_last_year() -> None:
    before = cells({"proactive.rules.in_force": 20})
    adds_up = cells(
        {"proactive.rules.in_force": 23, "proactive.rules.issued": 5, "proactive.rules.repealed": 2}
    )
    assert plausibility_flags(before, adds_up) == []
    off = cells(
        {"proactive.rules.in_force": 25, "proactive.rules.issued": 5, "proactive.rules.repealed": 2}
    )
    found = plausibility_flags(before, off)
    assert rules(found) == [("proactive.in_force", "proactive.rules.in_force")]
    assert (found[0].expected, found[0].found) == (23, 25)
    unreadable = dict(off)
    unreadable["proactive.rules.issued"] = off["proactive.rules.issued"]._replace(
        value=None, status="unreadable"
    )
    assert plausibility_flags(before, unreadable) == []


def test_prev_items_runs_on_from_last_year() -> None:
    before = cells({"proactive.licensing.prev_items": 14, "proactive.licensing.change": 3})
    assert plausibility_flags(before, cells({"proactive.licensing.prev_items": 17})) == []
    found = plausibility_flags(before, cells({"proactive.licensing.prev_items": 14}))
    assert rules(found) == [("proactive.prev_items", "proactive.licensing.prev_items")]
    assert (found[0].expected, found[0].found) == (17, 14)
    assert "+3" in found[0].message


def test_a_jump_of_the_stated_factor() -> None:
    high = JUMP_FLOOR * JUMP_FACTOR
    before = cells({"requests.new.total": JUMP_FLOOR})
    assert plausibility_flags(before, cells({"requests.new.total": high - 1})) == []
    found = plausibility_flags(before, cells({"requests.new.total": high}))
    assert rules(found) == [("jump", "requests.new.total")]
    down = plausibility_flags(cells({"requests.new.total": high}), before)
    assert rules(down) == [("jump", "requests.new.total")]
    small = cells({"requests.new.total": JUMP_FLOOR / 10})
    assert plausibility_flags(small, cells({"requests.new.total": JUMP_FLOOR - 1})) == []
    from_zero = plausibility_flags(cells({"requests.new.total": 0}), before)
    assert rules(from_zero) == [("jump", "requests.new.total")]
