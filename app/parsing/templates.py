"""How each catalog row is recognised among printed labels, for tables 二 and 三."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache

from app.parsing.normalize import strip_numbering, strip_parentheticals

LabelTest = Callable[[str], bool]

# Longer than this, a "label" is prose, not a table row.
MAX_LABEL_LENGTH = 70


@dataclass(frozen=True, slots=True)
class RowTemplate:
    key: str
    matches: LabelTest  # takes a folded label


# A row's test meets the same labels over and over (aligning rows, recovering displaced ones,
# and in report after report): each test remembers its answers.
_TEST_CACHE = 2048


def _contains(*needles: str) -> LabelTest:
    pattern = re.compile("|".join(map(re.escape, needles)))

    @lru_cache(maxsize=_TEST_CACHE)
    def test(folded: str) -> bool:
        return len(folded) <= MAX_LABEL_LENGTH and pattern.search(folded) is not None

    return test


@lru_cache(maxsize=4096)
def _core(folded: str) -> str:
    return strip_parentheticals(strip_numbering(folded))


def _is(pattern: str) -> LabelTest:
    compiled = re.compile(pattern)

    @lru_cache(maxsize=_TEST_CACHE)
    def test(folded: str) -> bool:
        return compiled.fullmatch(_core(folded)) is not None

    return test


REQUEST_TEMPLATES = (
    RowTemplate("new", _contains("本年新收")),
    RowTemplate("carried_over", _contains("上年结转")),
    RowTemplate("granted", _contains("予以公开")),
    RowTemplate("partially_granted", _contains("部分公开")),
    RowTemplate("denied_state_secret", _contains("国家秘密")),
    RowTemplate("denied_law_prohibited", _contains("其他法律", "法规禁止")),
    RowTemplate("denied_security_stability", _contains("三安全", "一稳定")),
    RowTemplate("denied_third_party", _contains("第三方")),
    RowTemplate("denied_internal_affairs", _contains("内部事务")),
    RowTemplate("denied_process_info", _contains("过程性")),
    RowTemplate("denied_enforcement_file", _contains("执法案卷")),
    RowTemplate("denied_inquiry", _contains("查询事项")),
    RowTemplate("unavailable_not_held", _contains("不掌握")),
    RowTemplate("unavailable_needs_creation", _contains("另行制作", "没有现成")),
    RowTemplate("unavailable_unclear", _contains("仍不明确", "补正后申请")),
    RowTemplate("not_processed_complaint", _contains("信访", "举报投诉")),
    RowTemplate("not_processed_duplicate", _contains("重复申请")),
    RowTemplate("not_processed_publication", _contains("出版物")),
    RowTemplate("not_processed_excessive", _contains("大量反复")),
    RowTemplate("not_processed_confirmation", _contains("确认或重新", "重新出具")),
    RowTemplate("other", _is(r"其他处理")),
    RowTemplate("other_no_correction", _contains("逾期不补", "无正当理由逾期")),
    RowTemplate("other_no_fee", _contains("收费通知", "缴纳费用")),
    RowTemplate("other_misc", _is(r"其他")),
    RowTemplate("processed_total", _is(r"总计")),
    RowTemplate("carried_forward", _contains("结转下年")),
)

PROACTIVE_TEMPLATES = (
    RowTemplate("rules", _is(r"规章")),
    RowTemplate("normative_docs", _is(r"(?:行政)?规范性文件")),
    RowTemplate("licensing", _is(r"行政许可")),
    RowTemplate("other_services", _is(r"其他对外管理服务事项")),
    RowTemplate("penalties", _is(r"行政处罚")),
    RowTemplate("enforcement", _is(r"行政强制")),
    RowTemplate("fees", _is(r"行政事业性收费")),
    RowTemplate("procurement", _is(r"政府集中采购")),
)

ALL_TEMPLATES = REQUEST_TEMPLATES + PROACTIVE_TEMPLATES


# Every word some row label needs: text holding none of them cannot end with a row label.
_ROW_WORDS = re.compile(
    "|".join(
        [
            "本年新收", "上年结转", "予以公开", "部分公开", "国家秘密", "其他法律", "法规禁止",
            "三安全", "一稳定", "第三方", "内部事务", "过程性", "执法案卷", "查询事项", "不掌握",
            "另行制作", "没有现成", "仍不明确", "补正后申请", "信访", "举报投诉", "重复申请",
            "出版物", "大量反复", "确认或重新", "重新出具", "其他", "逾期不补", "无正当理由逾期",
            "收费通知", "缴纳费用", "总计", "结转下年", "规章", "规范性文件", "行政许可",
            "行政处罚", "行政强制", "行政事业性收费", "政府集中采购",
        ]
    )
)  # fmt: skip


def may_hold_row_label(folded: str) -> bool:
    return _ROW_WORDS.search(folded) is not None


@lru_cache(maxsize=16384)
def is_row_label(folded: str) -> bool:
    return any(template.matches(folded) for template in ALL_TEMPLATES)


@cache
def row_matcher(templates: tuple[RowTemplate, ...]) -> Callable[[str], tuple[int, ...]]:
    """A folded label → the positions in `templates` of the rows it matches.

    Reports print the same labels over and over; each is tested against the rows once.
    """

    @lru_cache(maxsize=4096)
    def rows_matching(folded: str) -> tuple[int, ...]:
        if not may_hold_row_label(folded):  # most labels: one search instead of a test per row
            return ()
        return tuple(row for row, template in enumerate(templates) if template.matches(folded))

    return rows_matching
