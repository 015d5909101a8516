"""The canonical table, row and column keys of both report formats: the public contract.

Pure data, shared by the parser, the checks and the API. Keys and printed labels follow the
official 2019 (国办公开办函〔2019〕60号) and 2021 (国办公开办函〔2021〕30号) layouts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Format = Literal["2019", "2021"]
FORMATS: tuple[Format, ...] = ("2019", "2021")
BOTH: tuple[Format, ...] = FORMATS

TableKey = Literal["proactive", "requests", "reviews"]

# What a column holds decides how its values are read and rendered.
ValueKind = Literal["count", "change", "amount"]


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label_zh: str
    label_en: str
    kind: ValueKind = "count"


@dataclass(frozen=True, slots=True)
class Row:
    key: str
    label_zh: str
    label_en: str
    formats: tuple[Format, ...]
    # Row-specific columns (table 二); empty means the table's shared columns.
    columns: tuple[Column, ...] = ()


@dataclass(frozen=True, slots=True)
class Table:
    key: str
    part: int
    title_zh: str
    title_en: str
    rows: tuple[Row, ...]
    columns: tuple[Column, ...] = ()

    def printed_rows(self, fmt: Format, *, single_other: bool = False) -> tuple[Row, ...]:
        """The rows a complete table of this format prints, in order.

        `single_other` is the 2021 variant that keeps the 2019 single （六）其他处理 row.
        """
        rows = []
        for row in self.rows:
            if fmt not in row.formats:
                continue
            if self.key == "requests" and fmt == "2021":
                if row.key == "other" and not single_other:
                    continue
                if row.key.startswith("other_") and single_other:
                    continue
            rows.append(row)
        return tuple(rows)

    def label_for(self, row: Row, fmt: Format) -> str:
        if self.key == "proactive" and fmt == "2021":
            return PROACTIVE_LABELS_2021.get(row.key, row.label_zh)
        return row.label_zh

    def columns_for(self, row: Row, fmt: Format) -> tuple[Column, ...]:
        if self.key == "proactive":
            return PROACTIVE_COLUMNS[fmt][row.key]
        return row.columns or self.columns

    def row(self, key: str) -> Row | None:
        return next((r for r in self.rows if r.key == key), None)


REQUEST_COLUMNS = (
    Column("natural_person", "自然人", "Natural persons"),
    Column("commercial", "商业企业", "Commercial enterprises"),
    Column("research", "科研机构", "Research institutions"),
    Column("social_org", "社会公益组织", "Public-interest organisations"),
    Column("legal_service", "法律服务机构", "Legal service providers"),
    Column("other_org", "其他", "Other organisations"),
    Column("total", "总计", "Total"),
)

REQUEST_ROWS = (
    Row("new", "一、本年新收政府信息公开申请数量", "New requests received this year", BOTH),
    Row("carried_over", "二、上年结转政府信息公开申请数量", "Carried over from last year", BOTH),
    Row("granted", "（一）予以公开", "Granted", BOTH),
    Row(
        "partially_granted",
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
        "Partially granted",
        BOTH,
    ),
    Row("denied_state_secret", "（三）1.属于国家秘密", "Denied: state secret", BOTH),
    Row(
        "denied_law_prohibited",
        "（三）2.其他法律行政法规禁止公开",
        "Denied: prohibited by other laws and regulations",
        BOTH,
    ),
    Row(
        "denied_security_stability",
        "（三）3.危及“三安全一稳定”",
        "Denied: endangers security or stability",
        BOTH,
    ),
    Row(
        "denied_third_party",
        "（三）4.保护第三方合法权益",
        "Denied: protects third-party rights",
        BOTH,
    ),
    Row(
        "denied_internal_affairs",
        "（三）5.属于三类内部事务信息",
        "Denied: internal affairs information",
        BOTH,
    ),
    Row(
        "denied_process_info",
        "（三）6.属于四类过程性信息",
        "Denied: process information",
        BOTH,
    ),
    Row(
        "denied_enforcement_file",
        "（三）7.属于行政执法案卷",
        "Denied: administrative enforcement file",
        BOTH,
    ),
    Row("denied_inquiry", "（三）8.属于行政查询事项", "Denied: administrative inquiry", BOTH),
    Row(
        "unavailable_not_held",
        "（四）1.本机关不掌握相关政府信息",
        "Unavailable: not held by this agency",
        BOTH,
    ),
    Row(
        "unavailable_needs_creation",
        "（四）2.没有现成信息需要另行制作",
        "Unavailable: would need to be created",
        BOTH,
    ),
    Row(
        "unavailable_unclear",
        "（四）3.补正后申请内容仍不明确",
        "Unavailable: still unclear after correction",
        BOTH,
    ),
    Row(
        "not_processed_complaint",
        "（五）1.信访举报投诉类申请",
        "Not processed: petition, report or complaint",
        BOTH,
    ),
    Row("not_processed_duplicate", "（五）2.重复申请", "Not processed: duplicate request", BOTH),
    Row(
        "not_processed_publication",
        "（五）3.要求提供公开出版物",
        "Not processed: asks for a publication",
        BOTH,
    ),
    Row(
        "not_processed_excessive",
        "（五）4.无正当理由大量反复申请",
        "Not processed: excessive repeated requests",
        BOTH,
    ),
    Row(
        "not_processed_confirmation",
        "（五）5.要求行政机关确认或重新出具已获取信息",
        "Not processed: asks to confirm or reissue information already obtained",
        BOTH,
    ),
    Row("other", "（六）其他处理", "Otherwise handled", BOTH),
    Row(
        "other_no_correction",
        "（六）1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "Otherwise handled: applicant did not correct in time",
        ("2021",),
    ),
    Row(
        "other_no_fee",
        "（六）2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        "Otherwise handled: applicant did not pay the fee in time",
        ("2021",),
    ),
    Row("other_misc", "（六）3.其他", "Otherwise handled: other", ("2021",)),
    Row("processed_total", "（七）总计", "Total processed", BOTH),
    Row("carried_forward", "四、结转下年度继续办理", "Carried forward to next year", BOTH),
)

# The outcome rows that （七）总计 sums, per format (the 2021 single-（六） variant uses `other`).
OUTCOME_ROWS_2019 = tuple(
    r.key
    for r in REQUEST_ROWS[2:]
    if r.key not in {"processed_total", "carried_forward"} and "2019" in r.formats
)
OUTCOME_ROWS_2021 = tuple(
    r.key for r in REQUEST_ROWS[2:] if r.key not in {"processed_total", "carried_forward", "other"}
)

_RULES_2019 = (
    Column("made", "本年新制作数量", "Made this year"),
    Column("published", "本年新公开数量", "Published this year"),
    Column("total_public", "对外公开总数量", "Total public"),
)
_ITEMS_2019 = (
    Column("prev_items", "上一年项目数量", "Items last year"),
    Column("change", "本年增/减", "Change this year", "change"),
    Column("decisions", "处理决定数量", "Decisions"),
)
_FEES_2019 = _ITEMS_2019[:2]
_PROCUREMENT_2019 = (
    Column("items", "采购项目数量", "Procurement items"),
    Column("amount", "采购总金额", "Procurement amount (unit as printed)", "amount"),
)
_RULES_2021 = (
    Column("issued", "本年制发件数", "Issued this year"),
    Column("repealed", "本年废止件数", "Repealed this year"),
    Column("in_force", "现行有效件数", "In force"),
)
_DECISIONS_2021 = (Column("decisions", "本年处理决定数量", "Decisions this year"),)
_FEES_2021 = (
    Column(
        "amount_wan_yuan",
        "本年收费金额（单位：万元）",
        "Fees charged this year (10,000 yuan)",
        "amount",
    ),
)

PROACTIVE_COLUMNS: dict[Format, dict[str, tuple[Column, ...]]] = {
    "2019": {
        "rules": _RULES_2019,
        "normative_docs": _RULES_2019,
        "licensing": _ITEMS_2019,
        "other_services": _ITEMS_2019,
        "penalties": _ITEMS_2019,
        "enforcement": _ITEMS_2019,
        "fees": _FEES_2019,
        "procurement": _PROCUREMENT_2019,
    },
    "2021": {
        "rules": _RULES_2021,
        "normative_docs": _RULES_2021,
        "licensing": _DECISIONS_2021,
        "penalties": _DECISIONS_2021,
        "enforcement": _DECISIONS_2021,
        "fees": _FEES_2021,
    },
}

PROACTIVE_ROWS = (
    Row("rules", "规章", "Rules", BOTH),
    Row("normative_docs", "规范性文件", "Normative documents", BOTH),
    Row("licensing", "行政许可", "Administrative licensing", BOTH),
    Row("other_services", "其他对外管理服务事项", "Other external management services", ("2019",)),
    Row("penalties", "行政处罚", "Administrative penalties", BOTH),
    Row("enforcement", "行政强制", "Administrative enforcement", BOTH),
    Row("fees", "行政事业性收费", "Administrative fees", BOTH),
    Row("procurement", "政府集中采购", "Centralised government procurement", ("2019",)),
)

# Printed 2021 label where it differs from 2019.
PROACTIVE_LABELS_2021 = {"normative_docs": "行政规范性文件"}

REVIEW_COLUMNS = (
    Column("upheld", "结果维持", "Upheld"),
    Column("corrected", "结果纠正", "Corrected"),
    Column("other", "其他结果", "Other outcome"),
    Column("pending", "尚未审结", "Pending"),
    Column("total", "总计", "Total"),
)

REVIEW_ROWS = (
    Row("reconsideration", "行政复议", "Administrative reconsideration", BOTH),
    Row(
        "litigation_direct",
        "行政诉讼·未经复议直接起诉",
        "Litigation without prior reconsideration",
        BOTH,
    ),
    Row(
        "litigation_after_reconsideration",
        "行政诉讼·复议后起诉",
        "Litigation after reconsideration",
        BOTH,
    ),
)

PROACTIVE = Table("proactive", 2, "主动公开政府信息情况", "Proactive disclosure", PROACTIVE_ROWS)
REQUESTS = Table(
    "requests",
    3,
    "收到和处理政府信息公开申请情况",
    "Requests received and handled",
    REQUEST_ROWS,
    REQUEST_COLUMNS,
)
REVIEWS = Table(
    "reviews",
    4,
    "政府信息公开行政复议、行政诉讼情况",
    "Administrative reconsideration and litigation",
    REVIEW_ROWS,
    REVIEW_COLUMNS,
)

TABLES: dict[str, Table] = {t.key: t for t in (PROACTIVE, REQUESTS, REVIEWS)}


@dataclass(frozen=True, slots=True)
class SectionSpec:
    number: int
    key: str
    title_zh: str
    title_en: str


# What a report prints before 一、总体情况: its title, the law it follows, the period covered.
# Number 0, so that the six parts keep their printed numbers.
PREAMBLE = SectionSpec(0, "preamble", "前言", "Preamble")

SECTIONS = (
    SectionSpec(1, "overview", "总体情况", "Overview"),
    SectionSpec(2, "proactive", "主动公开政府信息情况", "Proactive disclosure"),
    SectionSpec(3, "requests", "收到和处理政府信息公开申请情况", "Requests received and handled"),
    SectionSpec(
        4, "reviews", "政府信息公开行政复议、行政诉讼情况", "Reconsideration and litigation"
    ),
    SectionSpec(5, "problems", "存在的主要问题及改进情况", "Main problems and improvements"),
    SectionSpec(6, "other_matters", "其他需要报告的事项", "Other matters to report"),
)


def column_of(table: str, row: str, col: str, fmt: Format) -> Column | None:
    """The column definition for a cell key in a format, or None when the format lacks it."""
    t = TABLES.get(table)
    if t is None:
        return None
    r = t.row(row)
    if r is None or fmt not in r.formats:
        return None
    return next((c for c in t.columns_for(r, fmt) if c.key == col), None)


def cell_keys(fmt: Format, *, single_other: bool = False) -> list[tuple[str, str, str]]:
    """Every (table, row, col) a complete report of this format prints, in printed order."""
    return [
        (table.key, row.key, col.key)
        for table in TABLES.values()
        for row in table.printed_rows(fmt, single_other=single_other)
        for col in table.columns_for(row, fmt)
    ]
