"""Agencies are placed in the region tree on ingest, and one agency keeps one identity."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import EXAMPLES, post_document, shared_path

EXAMPLE = EXAMPLES / "2020-qinghe-yunling-data-bureau.txt"
AGENCY = "青禾市云岭区数据资源管理局"


def with_title(agency: str, year: int | None = 2020) -> bytes:
    text = EXAMPLE.read_text("utf-8")
    title = text.splitlines()[0]
    new_title = f"# {agency} {year} 年 政府信息公开工作年度报告" if year else f"# {agency}"
    return text.replace(title, new_title, 1).replace(AGENCY, agency).encode()


def test_agency_is_placed_by_its_name(client: TestClient) -> None:
    report = post_document(client, with_title("淮安市洪泽区青禾测试局")).json()
    region = report["agency"]["region"]
    assert region == {"code": "320813", "name": "洪泽区", "level": "county"}
    under_city = client.get("/api/v1/reports", params={"region": "320800"}).json()
    assert [r["id"] for r in under_city["items"]] == [report["id"]]
    under_province = client.get("/api/v1/agencies", params={"region": "320000"}).json()
    assert under_province["total"] == 1


def test_shorter_and_fuller_names_are_one_agency(client: TestClient) -> None:
    full = post_document(client, with_title("淮安市洪泽区青禾测试局", 2020)).json()
    short = post_document(client, with_title("洪泽区青禾测试局", 2021)).json()
    assert short["agency"]["id"] == full["agency"]["id"]
    years = client.get(f"/api/v1/agencies/{full['agency']['id']}").json()["years"]
    assert years == [2020, 2021]


def test_ambiguous_place_stays_unplaced_with_candidates(client: TestClient) -> None:
    report = post_document(client, with_title("朝阳区青禾测试局")).json()
    assert report["agency"]["region"] is None
    agency = client.get(f"/api/v1/agencies/{report['agency']['id']}").json()
    assert len(agency["region_candidates"]) >= 2
    unplaced = client.get("/api/v1/agencies", params={"unplaced": True}).json()
    assert [a["id"] for a in unplaced["items"]] == [agency["id"]]


def test_explicit_region_places_a_new_agency(client: TestClient) -> None:
    report = post_document(client, with_title("朝阳区青禾测试局"), region="110105").json()
    assert report["agency"]["region"]["code"] == "110105"


def test_explicit_region_conflicting_with_placement_is_422(client: TestClient) -> None:
    post_document(client, with_title("淮安市洪泽区青禾测试局", 2020))
    response = post_document(client, with_title("淮安市洪泽区青禾测试局", 2021), region="110105")
    assert response.status_code == 422
    assert "PATCH /api/v1/agencies/" in response.json()["error"]["message"]


def test_agency_and_year_given_for_a_document_without_a_title(client: TestClient) -> None:
    text = EXAMPLE.read_text("utf-8").split("\n", 1)[1]  # the title line cut off
    text = text.replace("2020 年", "本").replace("2020年", "本年")
    refused = post_document(client, text.encode())
    assert refused.status_code == 422
    assert "year=" in refused.json()["error"]["message"]  # the contact names the agency
    stored = post_document(client, text.encode(), agency="青禾市云岭区档案局", year="2020")
    assert stored.status_code == 201, stored.text
    assert stored.json()["agency"]["name"] == "青禾市云岭区档案局"
    assert stored.json()["year"] == 2020


def test_given_name_overriding_the_printed_one_is_warned(client: TestClient) -> None:
    stored = post_document(client, EXAMPLE.read_bytes(), agency="青禾市云岭区数据局").json()
    assert stored["agency"]["name"] == "青禾市云岭区数据局"
    assert any(AGENCY in w for w in stored["warnings"])


CORPUS_PLACES = {
    "101.txt": ("350000", "平潭"),
    "105.txt": ("350000", "平潭"),
    "022.pdf": ("320800", "淮安市"),
    "023.pdf": ("320800", "洪泽区"),
    "024.txt": ("320800", "洪泽区"),
    "111.html": ("321300", "沭阳县"),
    "109.md": ("310000", "上海市"),
}
KINDS = {
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".html": "text/html",
    ".pdf": "application/pdf",
}


@pytest.mark.shared
@pytest.mark.parametrize("name", sorted(CORPUS_PLACES))
def test_corpus_agencies_are_placed(client: TestClient, name: str) -> None:
    path = shared_path("corpus", name)
    report = post_document(client, path.read_bytes(), KINDS[path.suffix]).json()
    region = report["agency"]["region"]
    assert region is not None, report["agency"]
    ancestor, place = CORPUS_PLACES[name]
    assert region["name"].startswith(place)
    path_codes = [r["code"] for r in client.get(f"/api/v1/regions/{region['code']}").json()["path"]]
    assert ancestor in path_codes


@pytest.mark.shared
def test_one_agency_across_the_corpus_years(client: TestClient) -> None:
    ids = {
        post_document(client, shared_path("corpus", n).read_bytes(), "application/pdf").json()[
            "agency"
        ]["id"]
        for n in ("023.pdf", "024.pdf")
    }
    assert len(ids) == 1
