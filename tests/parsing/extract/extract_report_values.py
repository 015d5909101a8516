"""Our fictional report: the numbers every extractor fixture prints, by canonical key."""

from __future__ import annotations

AGENCY = "青禾市云岭区数据资源管理局"
YEAR = 2023
TITLE = f"{AGENCY}{YEAR}年政府信息公开工作年度报告"

PROACTIVE_ROWS: list[tuple[str, list[str]]] = [
    ("规章", ["2", "1", "9"]),
    ("行政规范性文件", ["12", "3", "47"]),
    ("行政许可", ["1358"]),
    ("行政处罚", ["86"]),
    ("行政强制", ["7"]),
    ("行政事业性收费", ["12.35"]),
]

# requests (三): row key, then 自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他, 总计.
REQUEST_ROWS: list[tuple[str, list[int]]] = [
    ("new", [40, 6, 1, 0, 2, 1]),
    ("carried_over", [3, 1, 0, 0, 0, 0]),
    ("granted", [20, 3, 1, 0, 1, 0]),
    ("partially_granted", [4, 1, 0, 0, 0, 0]),
    ("denied_state_secret", [1, 0, 0, 0, 0, 0]),
    ("denied_law_prohibited", [0, 0, 0, 0, 0, 0]),
    ("denied_security_stability", [0, 0, 0, 0, 0, 0]),
    ("denied_third_party", [2, 0, 0, 0, 0, 0]),
    ("denied_internal_affairs", [0, 0, 0, 0, 0, 0]),
    ("denied_process_info", [1, 0, 0, 0, 0, 0]),
    ("denied_enforcement_file", [0, 0, 0, 0, 0, 0]),
    ("denied_inquiry", [0, 0, 0, 0, 0, 0]),
    ("unavailable_not_held", [6, 1, 0, 0, 1, 0]),
    ("unavailable_needs_creation", [2, 0, 0, 0, 0, 0]),
    ("unavailable_unclear", [1, 0, 0, 0, 0, 0]),
    ("not_processed_complaint", [1, 0, 0, 0, 0, 0]),
    ("not_processed_duplicate", [1, 0, 0, 0, 0, 0]),
    ("not_processed_publication", [0, 0, 0, 0, 0, 0]),
    ("not_processed_excessive", [0, 0, 0, 0, 0, 0]),
    ("not_processed_confirmation", [0, 0, 0, 0, 0, 0]),
    ("other_no_correction", [1, 0, 0, 0, 0, 0]),
    ("other_no_fee", [0, 0, 0, 0, 0, 0]),
    ("other_misc", [1, 0, 0, 0, 0, 0]),
    ("processed_total", [41, 5, 1, 0, 2, 0]),
    ("carried_forward", [2, 2, 0, 0, 0, 1]),
]
REQUEST_COLUMNS = [
    "natural_person", "commercial", "research", "social_org", "legal_service", "other_org", "total"
]  # fmt: skip

# reviews (四): 结果维持, 结果纠正, 其他结果, 尚未审结, 总计 for 复议, 直接起诉, 复议后起诉.
REVIEW_NUMBERS = [2, 1, 0, 1, 4, 1, 0, 1, 0, 2, 0, 0, 0, 1, 1]


def request_row(key: str) -> list[str]:
    """A requests row as printed: six numbers and their total."""
    numbers = dict(REQUEST_ROWS)[key]
    return [str(number) for number in [*numbers, sum(numbers)]]


def expected_values() -> dict[str, int | str]:
    """Every printed value by its `table.row.col` key."""
    values: dict[str, int | str] = {}
    for key, numbers in REQUEST_ROWS:
        for column, number in zip(REQUEST_COLUMNS, [*numbers, sum(numbers)], strict=True):
            values[f"requests.{key}.{column}"] = number
    proactive = dict(PROACTIVE_ROWS)
    for row, label in (("rules", "规章"), ("normative_docs", "行政规范性文件")):
        for column, printed in zip(
            ("issued", "repealed", "in_force"), proactive[label], strict=True
        ):
            values[f"proactive.{row}.{column}"] = int(printed)
    values["proactive.licensing.decisions"] = int(proactive["行政许可"][0])
    values["proactive.penalties.decisions"] = int(proactive["行政处罚"][0])
    values["proactive.enforcement.decisions"] = int(proactive["行政强制"][0])
    values["proactive.fees.amount_wan_yuan"] = proactive["行政事业性收费"][0]
    review_rows = ("reconsideration", "litigation_direct", "litigation_after_reconsideration")
    review_columns = ("upheld", "corrected", "other", "pending", "total")
    for index, number in enumerate(REVIEW_NUMBERS):
        row, column = review_rows[index // 5], review_columns[index % 5]
        values[f"reviews.{row}.{column}"] = number
    return values
