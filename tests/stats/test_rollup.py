"""The rollups stay what a rebuild from scratch would make, through revisions, moves and
withdrawals."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Agency, CellRollup, ReportRollup, RollupReport
from app.rollup import rebuild_rollups, refresh_rollups_for_agency
from tests.stats.conftest import add_report, expected_groups
from tests.stats.test_aggregate import METRICS, aggregate, assert_matches

Snapshot = dict[tuple[Any, ...], tuple[Any, ...]]


def snapshot(session: Session) -> tuple[Snapshot, Snapshot, Snapshot]:
    def rows(model: Any, values: list[str]) -> Snapshot:
        table = model.__table__
        keys = [c.name for c in table.primary_key.columns]
        found = {}
        for row in session.execute(select(table)).mappings():
            found[tuple(row[k] for k in keys)] = tuple(
                round(row[v], 6) if isinstance(row[v], float) else row[v] for v in values
            )
        return found

    return (
        rows(CellRollup, ["value_sum", "denominator_sum", "reports_with_value"]),
        rows(ReportRollup, ["reports", "reports_failing"]),
        rows(RollupReport, ["agency_id", "year", "province_code", "county_code", "agency_kind"]),
    )


def test_kept_rollups_equal_a_rebuild(session: Session, dataset: list[Any]) -> None:
    agency = session.scalar(select(Agency).where(Agency.name == "佳木斯市前进区人民政府"))
    assert agency is not None
    agency.region_code = "230811"
    refresh_rollups_for_agency(session, agency.id)
    add_report(session, "佳木斯市前进区人民政府", 2019, {("requests", "new", "total"): 3})
    session.flush()
    kept = snapshot(session)
    assert all(v[2] > 0 for v in kept[0].values())  # emptied rows were removed
    rebuild_rollups(session)
    assert snapshot(session) == kept


def patch(client: TestClient, agency_id: int, body: dict[str, Any], **headers: str) -> Any:
    return client.patch(f"/api/v1/agencies/{agency_id}", json=body, headers=headers)


def test_patch_moves_an_agency_and_its_reports(
    client: TestClient, session: Session, auth: dict[str, str]
) -> None:
    key = ("requests", "new", "total")
    report = add_report(session, "某某机关", 2020, {key: 9})
    add_report(session, "某某机关", 2021, {key: 4})
    add_report(session, "佳木斯市向阳区人民政府", 2020, {key: 1}, region="230803")
    session.commit()
    agency_id = report.agency_id
    params = {"metric": "requests.new.total", "group_by": "county"}

    def by_county() -> dict[str | None, Any]:
        items = client.get("/api/v1/stats/aggregate", params=params).json()["items"]
        return {
            i["county"]["code"] if i["county"] else None: i["values"]["requests.new.total"]
            for i in items
        }

    assert by_county() == {"230803": 1, None: 13}
    response = patch(client, agency_id, {"region_code": "230803"}, **auth)
    assert response.status_code == 200, response.text
    assert response.json()["region"]["code"] == "230803"
    assert by_county() == {"230803": 14}
    assert patch(client, agency_id, {"kind": "department"}, **auth).json()["kind"] == "department"
    kinds = client.get(
        "/api/v1/stats/aggregate",
        params={"metric": "requests.new.total", "group_by": "agency_kind"},
    ).json()["items"]
    assert {i["agency_kind"]: i["values"]["requests.new.total"] for i in kinds} == {
        "department": 13,
        "people_government": 1,
    }
    assert patch(client, agency_id, {"region_code": "230804"}, **auth).status_code == 200
    assert by_county() == {"230803": 1, "230804": 13}
    expected = expected_groups(session, ["requests.new.total"], ["county"])
    assert {k[0]: v.values["requests.new.total"] for k, v in expected.items()} == by_county()
    assert patch(client, agency_id, {"region_code": None}, **auth).json()["region"] is None
    assert by_county() == {"230803": 1, None: 13}


def test_patch_is_checked_and_authorised(
    client: TestClient, session: Session, auth: dict[str, str]
) -> None:
    report = add_report(session, "某某机关", 2020, {})
    session.commit()
    agency_id = report.agency_id
    assert patch(client, agency_id, {"region_code": "230803"}).status_code == 401
    unknown = patch(client, agency_id, {"region_code": "999999"}, **auth)
    assert unknown.status_code == 422
    assert unknown.json()["error"]["code"] == "unprocessable"
    assert patch(client, agency_id, {"kind": "planet"}, **auth).status_code == 422
    assert patch(client, agency_id, {"name": "x"}, **auth).status_code == 422
    assert patch(client, 999999, {"kind": "other"}, **auth).status_code == 404


def test_withdrawals_keep_rollups_equal_a_rebuild(
    client: TestClient, session: Session, auth: dict[str, str], dataset: list[Any]
) -> None:
    agencies = {a.id: a.name for a in session.scalars(select(Agency))}
    revised = [
        r for r in dataset if agencies[r.agency_id] == "佳木斯市向阳区人民政府" and r.year == 2020
    ]
    assert len(revised) == 2
    withdrawn = [
        revised[-1],  # the current revision: the one before it is counted again
        *(r for r in dataset if agencies[r.agency_id] == "黑龙江省教育厅"),  # only revisions
        *(r for r in dataset if r.synthetic),
        dataset[0],
    ]
    for report in withdrawn:
        response = client.delete(f"/api/v1/reports/{report.id}", headers=auth)
        assert response.status_code == 200, response.text
    session.expire_all()
    kept = snapshot(session)
    assert all(v[2] > 0 for v in kept[0].values())  # emptied rows were removed
    rebuild_rollups(session)
    assert snapshot(session) == kept
    for group_by in (["year", "province"], ["year", "county"], ["agency_kind"]):
        for include_synthetic in (False, True):
            answer = aggregate(
                client,
                metric=METRICS,
                group_by=",".join(group_by),
                include_synthetic=include_synthetic,
            )
            expected = expected_groups(
                session, METRICS, group_by, include_synthetic=include_synthetic
            )
            assert_matches(answer, expected, group_by)
