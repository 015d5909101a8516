"""DELETE /reports/{id}: a withdrawn revision is not served, the stats follow, nothing is lost."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app import withdraw as withdraw_module
from app.rollup import rebuild_rollups
from tests.api.test_errors import assert_error
from tests.conftest import EXAMPLES, post_document
from tests.stats.test_rollup import snapshot

EXAMPLE = EXAMPLES / "2020-qinghe-yunling-data-bureau.txt"
# The row of 三 whose last column is requests.new.total (426 in the example).
NEW_REQUESTS = "一、本年新收政府信息公开申请数量\t\t\t181\t81\t42\t40\t46\t36\t"


def revision_with(new_requests: int) -> bytes:
    """The example for the same agency and year with another requests.new.total."""
    text = EXAMPLE.read_text("utf-8")
    assert text.count(NEW_REQUESTS + "426\n") == 1
    return text.replace(NEW_REQUESTS + "426\n", f"{NEW_REQUESTS}{new_requests}\n").encode()


def post(client: TestClient, data: bytes, status: int = 201) -> dict[str, Any]:
    response = post_document(client, data)
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def withdraw(
    client: TestClient, report_id: int, auth: dict[str, str], **params: str
) -> dict[str, Any]:
    response = client.delete(f"/api/v1/reports/{report_id}", headers=auth, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def new_requests_by_year(client: TestClient) -> dict[int, Any]:
    answer = client.get(
        "/api/v1/stats/aggregate", params={"metric": "requests.new.total", "group_by": "year"}
    ).json()
    return {item["year"]: item["values"]["requests.new.total"] for item in answer["items"]}


def served_id(client: TestClient, agency_id: int, year: int = 2020) -> int | None:
    response = client.get(f"/api/v1/agencies/{agency_id}/reports/{year}")
    if response.status_code == 404:
        return None
    assert response.status_code == 200, response.text
    served: int = response.json()["id"]
    return served


def listed_ids(client: TestClient, **params: Any) -> list[int]:
    return [r["id"] for r in client.get("/api/v1/reports", params=params).json()["items"]]


def assert_rollups_as_rebuilt(session: Session) -> None:
    session.expire_all()
    kept = snapshot(session)
    rebuild_rollups(session)
    assert snapshot(session) == kept


def test_withdrawing_the_current_revision_serves_the_one_before(
    client: TestClient, session: Session, auth: dict[str, str]
) -> None:
    first = post(client, EXAMPLE.read_bytes())
    second = post(client, revision_with(500))
    assert second["revision"] == 2
    agency_id = second["agency"]["id"]
    assert served_id(client, agency_id) == second["id"]
    assert new_requests_by_year(client) == {2020: 500}

    withdrawn = withdraw(client, second["id"], auth, reason="  uploaded under the wrong agency ")
    assert withdrawn["id"] == second["id"]
    assert withdrawn["withdrawn_at"] is not None
    assert withdrawn["withdrawal_reason"] == "uploaded under the wrong agency"
    assert withdrawn["is_current"] is False

    assert served_id(client, agency_id) == first["id"]
    assert client.get(f"/api/v1/reports/{first['id']}").json()["is_current"] is True
    assert new_requests_by_year(client) == {2020: 426}
    assert listed_ids(client) == [first["id"]]
    assert client.get(f"/api/v1/agencies/{agency_id}").json()["years"] == [2020]
    assert_rollups_as_rebuilt(session)


def test_withdrawing_the_only_revision_leaves_no_current_report(
    client: TestClient, session: Session, auth: dict[str, str]
) -> None:
    report = post(client, EXAMPLE.read_bytes())
    agency_id = report["agency"]["id"]
    assert new_requests_by_year(client) == {2020: 426}

    withdrawn = withdraw(client, report["id"], auth)
    assert withdrawn["withdrawn_at"] is not None and withdrawn["withdrawal_reason"] is None

    assert served_id(client, agency_id) is None
    assert new_requests_by_year(client) == {}
    assert listed_ids(client) == []
    assert listed_ids(client, include_superseded=True) == [report["id"]]
    assert client.get(f"/api/v1/agencies/{agency_id}").json()["years"] == []
    assert_rollups_as_rebuilt(session)


def test_withdrawing_an_earlier_revision_leaves_the_current_one_alone(
    client: TestClient, session: Session, auth: dict[str, str]
) -> None:
    first = post(client, EXAMPLE.read_bytes())
    second = post(client, revision_with(500))
    withdrawn = withdraw(client, first["id"], auth)
    assert withdrawn["is_current"] is False and withdrawn["withdrawn_at"] is not None

    assert served_id(client, second["agency"]["id"]) == second["id"]
    assert new_requests_by_year(client) == {2020: 500}
    assert listed_ids(client) == [second["id"]]
    assert_rollups_as_rebuilt(session)


def test_the_newest_revision_not_withdrawn_is_served(
    client: TestClient, session: Session, auth: dict[str, str]
) -> None:
    first = post(client, EXAMPLE.read_bytes())
    second = post(client, revision_with(500))
    third = post(client, revision_with(600))
    agency_id = first["agency"]["id"]
    withdraw(client, second["id"], auth)
    assert served_id(client, agency_id) == third["id"]
    withdraw(client, third["id"], auth)
    assert served_id(client, agency_id) == first["id"]
    assert new_requests_by_year(client) == {2020: 426}
    assert_rollups_as_rebuilt(session)


def test_revisions_list_withdrawn_ones_as_withdrawn(
    client: TestClient, auth: dict[str, str]
) -> None:
    first = post(client, EXAMPLE.read_bytes())
    second = post(client, revision_with(500))
    withdraw(client, second["id"], auth, reason="wrong year")

    revisions = client.get(f"/api/v1/reports/{first['id']}/revisions").json()["items"]
    assert [(r["revision"], r["is_current"], r["withdrawal_reason"]) for r in revisions] == [
        (2, False, "wrong year"),
        (1, True, None),
    ]
    assert revisions[0]["withdrawn_at"] is not None and revisions[1]["withdrawn_at"] is None
    everything = client.get("/api/v1/reports", params={"include_superseded": True}).json()
    assert {r["id"]: r["withdrawn_at"] is not None for r in everything["items"]} == {
        first["id"]: False,
        second["id"]: True,
    }


def test_a_withdrawn_report_stays_readable(client: TestClient, auth: dict[str, str]) -> None:
    report = post(client, EXAMPLE.read_bytes())
    report_id = report["id"]
    cells_before = client.get(f"/api/v1/reports/{report_id}/cells").json()
    withdraw(client, report_id, auth)

    read = client.get(f"/api/v1/reports/{report_id}").json()
    assert read["withdrawn_at"] is not None and read["is_current"] is False
    document = client.get(f"/api/v1/reports/{report_id}/document")
    assert document.status_code == 200 and document.content == EXAMPLE.read_bytes()
    assert client.get(f"/api/v1/reports/{report_id}/cells").json() == cells_before
    for part in ("sections", "sections/1", "tables/requests", "checks"):
        assert client.get(f"/api/v1/reports/{report_id}/{part}").status_code == 200, part


def test_the_same_bytes_again_return_the_withdrawn_report(
    client: TestClient, auth: dict[str, str]
) -> None:
    report = post(client, EXAMPLE.read_bytes())
    withdrawn = withdraw(client, report["id"], auth)

    again = post(client, EXAMPLE.read_bytes(), status=200)
    assert again["id"] == report["id"]
    assert again["withdrawn_at"] == withdrawn["withdrawn_at"]
    assert again["is_current"] is False
    assert served_id(client, report["agency"]["id"]) is None


def test_a_new_document_afterwards_is_the_next_revision(
    client: TestClient, session: Session, auth: dict[str, str]
) -> None:
    post(client, EXAMPLE.read_bytes())
    second = post(client, revision_with(500))
    withdraw(client, second["id"], auth)

    third = post(client, revision_with(700))
    assert third["revision"] == 3 and third["is_current"] is True
    assert served_id(client, third["agency"]["id"]) == third["id"]
    assert new_requests_by_year(client) == {2020: 700}
    revisions = client.get(f"/api/v1/reports/{third['id']}/revisions").json()["items"]
    assert [(r["revision"], r["is_current"]) for r in revisions] == [
        (3, True),
        (2, False),
        (1, False),
    ]
    assert_rollups_as_rebuilt(session)


def test_withdrawing_needs_the_api_key(client: TestClient, auth: dict[str, str]) -> None:
    report = post(client, EXAMPLE.read_bytes())
    url = f"/api/v1/reports/{report['id']}"
    assert_error(client.delete(url), 401, "unauthorized")
    assert_error(client.delete(url, headers={"Authorization": "Bearer nope"}), 401, "unauthorized")
    # An unknown id says no more than a known one to a caller without the key.
    assert_error(client.delete("/api/v1/reports/999999"), 401, "unauthorized")
    assert client.get(url).json()["withdrawn_at"] is None
    assert served_id(client, report["agency"]["id"]) == report["id"]


def test_unknown_report_is_404(client: TestClient, auth: dict[str, str]) -> None:
    body = assert_error(client.delete("/api/v1/reports/999999", headers=auth), 404, "not_found")
    assert "999999" in body["error"]["message"]


def test_withdrawing_twice_is_409(client: TestClient, auth: dict[str, str]) -> None:
    report = post(client, EXAMPLE.read_bytes())
    first = withdraw(client, report["id"], auth, reason="first")
    again = client.delete(
        f"/api/v1/reports/{report['id']}", headers=auth, params={"reason": "second"}
    )
    body = assert_error(again, 409, "already_withdrawn")
    assert str(report["id"]) in body["error"]["message"]
    read = client.get(f"/api/v1/reports/{report['id']}").json()
    assert (read["withdrawn_at"], read["withdrawal_reason"]) == (first["withdrawn_at"], "first")


def test_reason_is_limited_to_500_characters(client: TestClient, auth: dict[str, str]) -> None:
    report = post(client, EXAMPLE.read_bytes())
    url = f"/api/v1/reports/{report['id']}"
    too_long = client.delete(url, headers=auth, params={"reason": "x" * 501})
    assert_error(too_long, 422, "validation_error")
    assert client.get(url).json()["withdrawn_at"] is None
    assert withdraw(client, report["id"], auth, reason="x" * 500)["withdrawal_reason"] == "x" * 500


def test_a_blank_reason_is_no_reason(client: TestClient, auth: dict[str, str]) -> None:
    report = post(client, EXAMPLE.read_bytes())
    assert withdraw(client, report["id"], auth, reason="   ")["withdrawal_reason"] is None


def test_etag_changes_after_a_withdrawal(client: TestClient, auth: dict[str, str]) -> None:
    report = post(client, EXAMPLE.read_bytes())
    url = f"/api/v1/reports/{report['id']}"
    etags = {path: client.get(path).headers["etag"] for path in ("/api/v1/reports", url)}
    assert client.get(url, headers={"If-None-Match": etags[url]}).status_code == 304

    withdraw(client, report["id"], auth)
    for path, etag in etags.items():
        changed = client.get(path, headers={"If-None-Match": etag})
        assert changed.status_code == 200, path
        assert changed.headers["etag"] != etag
    assert "etag" not in client.delete(url, headers=auth).headers


def test_a_failure_part_way_withdraws_nothing(
    client: TestClient, session: Session, auth: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    report = post(client, EXAMPLE.read_bytes())

    def fail(_session: Session) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(withdraw_module, "bump_data_version", fail)  # after the rollups moved
    response = client.delete(f"/api/v1/reports/{report['id']}", headers=auth)
    assert_error(response, 500, "internal_error")
    monkeypatch.undo()

    read = client.get(f"/api/v1/reports/{report['id']}").json()
    assert (read["withdrawn_at"], read["is_current"]) == (None, True)
    assert new_requests_by_year(client) == {2020: 426}
    assert_rollups_as_rebuilt(session)
