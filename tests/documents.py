"""Documents written for tests from the example report: the same fictional agency's layouts,
edited so that every cell status and a failing check occur."""

from __future__ import annotations

from tests.conftest import EXAMPLES

EXAMPLE_2020 = EXAMPLES / "2020-qinghe-yunling-data-bureau.txt"

# (line number, as printed, as edited): each edit gives one kind of cell.
_EDITS = (
    (1, "数据资源管理局", "统计局"),  # another agency, so that the examples stay current
    (23, "规章\t2\t2\t7", "规章\t2\t/\t7"),  # not_applicable
    (24, "规范性文件\t5\t4\t18", "规范性文件\t5\t\t18"),  # blank
    (45, "\t426", "\t430"),  # new requests no longer add up: failing checks
    (46, "\t\t\t5\t4\t1\t1\t2\t2\t15", "\t\t\t5\t4\t1\t15"),  # 4 figures for 7 columns: unreadable
)


def statuses_document() -> bytes:
    """青禾市云岭区统计局's 2020 report: a not-applicable, a blank and an unreadable row of
    cells, and new requests whose total does not add up."""
    lines = EXAMPLE_2020.read_text(encoding="utf-8").split("\n")
    for number, printed, edited in _EDITS:
        assert printed in lines[number - 1], f"line {number} of {EXAMPLE_2020.name} changed"
        lines[number - 1] = lines[number - 1].replace(printed, edited)
    return "\n".join(lines).encode()


# Columns collapsed into one per line: only the total can be placed, and it is inferred.
INFERRED_DOCUMENT = """青禾市云岭区审计局2019年政府信息公开工作年度报告
三、收到和处理政府信息公开申请情况
（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） |
一、本年新收政府信息公开申请数量 |
5 |
2 |
7 |
||||||
四、政府信息公开行政复议、行政诉讼情况
""".encode()


def earlier_year_document() -> bytes:
    """青禾市云岭区统计局's 2019 report: the example's figures, all adding up (its 2020 report,
    `statuses_document`, then fails checks that pass here)."""
    text = EXAMPLE_2020.read_text(encoding="utf-8").replace("数据资源管理局", "统计局", 1)
    text = text.replace("2021 年 1 月 22 日", "2020 年 1 月 20 日").replace("2020", "2019")
    return text.encode()
