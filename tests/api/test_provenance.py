"""Where a report's agency and year were read, served with the report."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import post_document

# A page cut before its title: the agency only in the compiling office, the year in the period.
UNTITLED = """一、总体情况
本报告是根据《中华人民共和国政府信息公开条例》要求,由青禾市云岭区松溪镇人民政府党政办公室编制。
本报告中所列数据的统计期限为2022年1月1日至2022年12月31日。
二、主动公开政府信息情况
第二十条第(一)项 | |||
信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |
规章 | 0 | 0 | 0 |
行政规范性文件 | 1 | 0 | 9 |
三、收到和处理政府信息公开申请情况
四、政府信息公开行政复议、行政诉讼情况
五、存在的主要问题及改进情况
六、其他需要报告的事项
""".encode()


def test_prose_and_period_are_recorded_and_served(client: TestClient) -> None:
    response = post_document(client, UNTITLED, filename="untitled.txt")
    assert response.status_code == 201, response.text
    report = response.json()
    assert report["agency"]["name"] == "青禾市云岭区松溪镇人民政府"
    assert report["year"] == 2022
    assert report["provenance"] == {"agency": "prose", "year": "period"}
    again = client.get(f"/api/v1/reports/{report['id']}").json()
    assert again["provenance"] == {"agency": "prose", "year": "period"}


def test_what_the_user_gives_is_recorded_as_given(client: TestClient) -> None:
    response = post_document(client, UNTITLED, agency="青禾市云岭区松溪镇人民政府", year="2022")
    assert response.status_code == 201, response.text
    assert response.json()["provenance"] == {"agency": "given", "year": "given"}


def test_the_file_name_stands_in_when_the_text_names_no_one(client: TestClient) -> None:
    silent = UNTITLED.replace(
        "由青禾市云岭区松溪镇人民政府党政办公室编制".encode(), "由我镇编制".encode()
    )
    refused = post_document(client, silent)
    assert refused.status_code == 422
    assert "could not find the agency name" in refused.json()["error"]["message"]
    named = post_document(
        client, silent, filename="青禾市云岭区松溪镇人民政府2022年政府信息公开工作年度报告.txt"
    )
    assert named.status_code == 201, named.text
    assert named.json()["provenance"] == {"agency": "filename", "year": "period"}
