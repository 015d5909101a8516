"""The first acceptance document: the seed report in ../shared/seed."""

from collections import Counter
from datetime import date

import pytest

from app.parsing.text import parse_text
from tests.conftest import shared_path

SEED = shared_path("seed", "000_f4133f615d5c2536.txt")

pytestmark = pytest.mark.shared


def test_seed_report() -> None:
    report = parse_text(SEED.read_text(encoding="utf-8"))
    assert report.agency == "前进区营商环境建设监督局"
    assert report.year == 2020
    assert report.format == "2019"
    assert report.title == "前进区营商环境建设监督局 2020 年 政府信息公开工作年度报告"
    assert (report.period_start, report.period_end) == (date(2020, 3, 1), date(2020, 12, 31))
    assert report.contact_phone == "0454-8839267"
    assert report.region_hints.place_names == ("前进区",)
    assert report.region_hints.phone_area_code == "0454"
    tables = Counter(c.table for c in report.cells)
    assert tables == {"requests": 161, "proactive": 22, "reviews": 15}
    assert {(c.value, c.status) for c in report.cells} == {(0, "number")}
    assert [s.number for s in report.sections] == [0, 1, 2, 3, 4, 5, 6]
    assert [s.title for s in report.sections] == [
        "",
        "一、总体情况",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及改进情况",
        "六、其他需要报告的事项",
    ]
    assert all(report.sections[i].text for i in (0, 1, 5, 6))
    assert "内容及图解" in report.sections[1].text
    extra = [w for w in report.warnings if "8 values printed for 7 columns" in w]
    assert len(extra) == 2
    assert any("row other:" in w for w in extra)
    assert any("row processed_total:" in w for w in extra)
