"""GET /stats/rank, /stats/coverage and /stats/keys against what the stored rows say."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Agency, Report
from tests.stats.conftest import add_report, expected_groups


@pytest.mark.parametrize("by", ["agency", "province", "city", "county"])
@pytest.mark.parametrize("metric", ["requests.new.total", "disclosure_rate"])
def test_rank_orders_by_the_metric(
    client: TestClient, session: Session, dataset: list[Report], by: str, metric: str
) -> None:
    expected = expected_groups(session, [metric], [by], year_from=2020, year_to=2020)
    ranked = sorted(
        ((v.values[metric], key[0]) for key, v in expected.items() if key[0] is not None),
        key=lambda vk: (-vk[0], vk[1]) if vk[0] is not None else (0, 0),
    )
    ranked = [(v, k) for v, k in ranked if v is not None]
    answer = client.get(
        "/api/v1/stats/rank", params={"metric": metric, "by": by, "year": 2020, "limit": 3}
    ).json()
    assert answer["total"] == len(ranked)
    field = "agency" if by == "agency" else "region"
    got = [(i["value"], i[field]["id" if by == "agency" else "code"]) for i in answer["items"]]
    assert [k for _, k in got] == [k for _, k in ranked[:3]]
    assert [v for v, _ in got] == pytest.approx([v for v, _ in ranked[:3]])
    assert [i["rank"] for i in answer["items"]] == list(range(1, len(got) + 1))
    bottom = client.get(
        "/api/v1/stats/rank", params={"metric": metric, "by": by, "year": 2020, "order": "asc"}
    ).json()
    values = [i["value"] for i in bottom["items"]]
    assert values == sorted(values)


def test_rank_csv(client: TestClient, dataset: list[Report]) -> None:
    response = client.get(
        "/api/v1/stats/rank",
        params={"metric": "requests.new.total", "by": "county", "year": 2020},
        headers={"Accept": "text/csv"},
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "rank",
        "county_code",
        "county_name",
        "requests.new.total",
        "reports",
        "requests.new.total.missing",
    ]


def test_coverage_lists_regions_without_reports(client: TestClient, session: Session) -> None:
    key = ("requests", "new", "total")
    add_report(session, "佳木斯市向阳区人民政府", 2020, {key: 1}, region="230803")
    add_report(session, "佳木斯市向阳区教育局", 2021, {key: 1}, region="230803")
    session.add(Agency(name="佳木斯市前进区教育局", region_code="230804", region_candidates=[]))
    add_report(session, "某某机关", 2020, {key: 1})
    session.commit()
    answer = client.get(
        "/api/v1/stats/coverage", params={"level": "county", "region": "230800"}
    ).json()
    rows = {
        (i["region"]["code"] if i["region"] else None, i["year"]): (
            i["agencies"],
            i["reports"],
        )
        for i in answer["items"]
    }
    assert rows[("230803", 2020)] == (2, 1)
    assert rows[("230803", 2021)] == (2, 1)
    assert rows[("230804", 2020)] == (1, 0)
    assert rows[("230811", 2021)] == (0, 0)
    assert (None, 2020) not in rows  # the unplaced agency is not under 佳木斯市
    everywhere = client.get("/api/v1/stats/coverage", params={"year": 2020}).json()
    by_region = {i["region"]["code"] if i["region"] else None: i for i in everywhere["items"]}
    assert by_region[None]["reports"] == 1
    assert by_region["230000"]["reports"] == 1
    assert by_region["110000"]["reports"] == 0
    assert everywhere["total"] == len(by_region)


def test_coverage_counts_failing_checks(
    client: TestClient, session: Session, dataset: list[Report]
) -> None:
    current = list(session.scalars(select(Report).where(Report.is_current, ~Report.synthetic)))
    answer = client.get("/api/v1/stats/coverage", params={"limit": 1000}).json()
    assert sum(i["reports"] for i in answer["items"]) == len(current)
    assert sum(i["reports_failing"] for i in answer["items"]) == sum(
        1 for r in current if r.checks_failed > 0
    )


def test_keys_say_which_years_have_data(client: TestClient, dataset: list[Report]) -> None:
    answer = client.get("/api/v1/stats/keys").json()
    keys = {k["key"]: k for k in answer["items"]}
    assert keys["requests.new.total"]["formats"] == ["2019", "2021"]
    assert keys["requests.new.total"]["years"] == {"2019": [2019, 2020, 2021], "2021": [2021, 2022]}
    assert keys["proactive.procurement.amount"]["formats"] == ["2019"]
    assert set(keys["proactive.procurement.amount"]["years"]) == {"2019"}
    assert keys["proactive.rules.made"]["years"] == {}
    assert keys["disclosure_rate"]["kind"] == "ratio"
    assert keys["disclosure_rate"]["description"]
    csv_answer = client.get("/api/v1/stats/keys", params={"output": "csv"})
    assert csv_answer.text.lstrip("\ufeff").startswith("key,kind,formats,years_2019")
