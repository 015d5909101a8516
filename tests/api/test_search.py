"""Search through HTTP, on the database the suite runs on: the same queries give the same hits
on SQLite and on PostgreSQL."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.models import Region
from tests.conftest import post_document
from tests.test_search import EDUCATION_2022, HEALTH_2021, TRANSPORT_2022


def _search(client: TestClient, q: str, **params: Any) -> dict[str, Any]:
    response = client.get("/api/v1/search", params={"q": q, **params})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _found(client: TestClient, q: str, **params: Any) -> set[tuple[str, int]]:
    """(agency, part) of every hit."""
    body = _search(client, q, **params)
    assert body["total"] == len(body["items"])
    return {(h["agency"]["name"][-5:], h["section"]["number"]) for h in body["items"]}


@pytest.fixture
def reports(client: TestClient) -> dict[str, int]:
    ids = {}
    for name, document in (
        ("health", HEALTH_2021),
        ("transport", TRANSPORT_2022),
        ("education", EDUCATION_2022),
    ):
        response = post_document(client, document)
        assert response.status_code == 201, response.text
        ids[name] = response.json()["id"]
    return ids


HEALTH, TRANSPORT, EDUCATION = "健康委员会", "交通运输局", "岭区教育局"


@pytest.mark.usefixtures("reports")
def test_two_character_words(client: TestClient) -> None:
    assert _found(client, "疫情") == {(HEALTH, 1), (EDUCATION, 1)}
    # 公开 is a word of 依申请公开 and 政务公开; never found in 公开栏-like compounds by accident.
    assert _found(client, "公开 疫情") == {(HEALTH, 1)}
    assert _found(client, "培训") == {(HEALTH, 5), (EDUCATION, 5)}
    assert _found(client, "不存在的词语") == set()


@pytest.mark.usefixtures("reports")
def test_a_word_inside_a_longer_word(client: TestClient) -> None:
    # 数据安全 and 网络安全 are dictionary words: 安全 is found inside both.
    assert _found(client, "安全") == {(TRANSPORT, 6), (EDUCATION, 1)}
    assert _found(client, "数据安全") == {(TRANSPORT, 6), (EDUCATION, 1)}


@pytest.mark.usefixtures("reports")
def test_phrases_and_exclusions(client: TestClient) -> None:
    assert _found(client, '"疫情防控信息"') == {(HEALTH, 1)}
    assert _found(client, "疫情防控信息") == {(HEALTH, 1)}  # several words: a phrase of them
    # Both words are in the education report's part, but not one after the other.
    assert _found(client, '"疫情 信息"') == set()
    assert _found(client, "疫情 信息") == {(HEALTH, 1), (EDUCATION, 1)}
    assert _found(client, "疫情 -网站") == {(HEALTH, 1)}
    assert _found(client, '网站 -"数据安全管理"') == {(TRANSPORT, 1)}
    assert _found(client, "网站建设 -疫情 -政务") == set()


@pytest.mark.usefixtures("reports")
def test_traditional_and_simplified_find_each_other(client: TestClient) -> None:
    assert _found(client, "个人信息保护") == {(HEALTH, 5), (EDUCATION, 5)}
    assert _found(client, "個人信息保護") == {(HEALTH, 5), (EDUCATION, 5)}
    assert _found(client, "網站建設") == {(TRANSPORT, 1), (EDUCATION, 1)}


@pytest.mark.usefixtures("reports")
def test_hits_carry_the_report_and_a_highlighted_snippet(client: TestClient) -> None:
    body = _search(client, "發布 疫情")
    assert body["total"] == 2 and body["limit"] == 100 and body["offset"] == 0
    ranks = [h["rank"] for h in body["items"]]
    assert ranks == sorted(ranks, reverse=True)
    education = next(h for h in body["items"] if h["agency"]["name"].endswith(EDUCATION))
    assert education["year"] == 2022
    assert education["section"] == {"number": 1, "key": "overview", "title": "一、總體情況"}
    snippet = education["snippet"]
    assert "本局做好疫情防控期間的信息發布" in snippet
    assert [snippet[s:e] for s, e in education["highlights"]] == ["疫情", "發布"]
    health = next(h for h in body["items"] if h["agency"]["name"].endswith(HEALTH))
    assert [health["snippet"][s:e] for s, e in health["highlights"]] == ["疫情", "发布", "疫情"]


@pytest.mark.usefixtures("reports")
def test_filters_and_pages(client: TestClient) -> None:
    assert _found(client, "公开", section=6) == set()
    assert _found(client, "信息", section=5) == {(HEALTH, 5), (EDUCATION, 5)}
    assert _found(client, "疫情", year_from=2022) == {(EDUCATION, 1)}
    assert _found(client, "疫情", year_to=2021) == {(HEALTH, 1)}
    assert _found(client, "疫情", agency_kind="department") == {(HEALTH, 1), (EDUCATION, 1)}
    assert _found(client, "疫情", agency_kind="people_government") == set()
    assert _found(client, "疫情", synthetic=True) == set()
    everything = _search(client, "信息")
    first = _search(client, "信息", limit=2)
    second = _search(client, "信息", limit=2, offset=2)
    assert first["total"] == second["total"] == everything["total"] > 2
    keys = [(h["report_id"], h["section"]["number"]) for h in everything["items"]]
    assert [(h["report_id"], h["section"]["number"]) for h in first["items"]] == keys[:2]
    assert [(h["report_id"], h["section"]["number"]) for h in second["items"]] == keys[2:4]
    assert _search(client, "信息", offset=1000)["items"] == []


def test_region_filter_includes_everything_under_the_code(
    client: TestClient, session: Session
) -> None:
    session.add_all(
        [
            Region(code="990000", name="测试省", level="province", parent_code=None),
            Region(code="990100", name="测试市", level="city", parent_code="990000"),
            Region(code="990102", name="测试区", level="county", parent_code="990100"),
        ]
    )
    session.commit()
    assert post_document(client, HEALTH_2021, region="990102").status_code == 201
    assert post_document(client, EDUCATION_2022).status_code == 201
    for code in ("990000", "990100", "990102"):
        assert _found(client, "疫情", region=code) == {(HEALTH, 1)}
    assert _found(client, "疫情", region="110000") == set()
    unknown = client.get("/api/v1/search", params={"q": "疫情", "region": "990199"})
    assert unknown.status_code == 422


@pytest.mark.parametrize("q", ["", "，。", "-疫情", '-"数据 安全"'])
def test_a_query_with_nothing_to_find_is_422(client: TestClient, q: str) -> None:
    response = client.get("/api/v1/search", params={"q": q})
    assert response.status_code == 422
    assert response.json()["error"]["code"] in {"empty_query", "validation_error"}


def test_the_empty_query_error_says_why(client: TestClient) -> None:
    body = client.get("/api/v1/search", params={"q": "-疫情"}).json()
    assert body["error"]["code"] == "empty_query"
    assert "-word excludes" in body["error"]["message"]


def test_only_current_revisions_are_found(client: TestClient, auth: dict[str, str]) -> None:
    first = post_document(client, TRANSPORT_2022).json()
    assert _found(client, "政策解读") == {(TRANSPORT, 5)}
    revised = TRANSPORT_2022.decode().replace("政策解读形式较为单一", "公开目录更新不及时")
    second = post_document(client, revised.encode()).json()
    assert second["revision"] == 2
    assert _found(client, "政策解读") == set()
    assert {h["report_id"] for h in _search(client, "目录")["items"]} == {second["id"]}
    withdrawn = client.delete(f"/api/v1/reports/{second['id']}", headers=auth)
    assert withdrawn.status_code == 200
    assert {h["report_id"] for h in _search(client, "政策解读")["items"]} == {first["id"]}
    assert _found(client, "目录") == set()


@pytest.mark.usefixtures("reports")
def test_csv_marks_the_matches(client: TestClient) -> None:
    response = client.get("/api/v1/search.csv", params={"q": "个人信息保护"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {r["section"] for r in rows} == {"5"}
    assert any("【个人信息保护】" in r["snippet"] for r in rows)
    assert any("【個人信息保護】" in r["snippet"] for r in rows)
    xlsx = client.get("/api/v1/search.xlsx", params={"q": "个人信息保护"})
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
