"""Example answers for the OpenAPI description, where a response model carries none of its own.

They show the example reports in examples/ (a fictional agency), cut to a few items; the
OpenAPI test checks each against its route's response model.
"""

from __future__ import annotations

from typing import Any

from app.schemas import REPORT_EXAMPLE

Responses = dict[int | str, dict[str, Any]]


def ok(example: Any) -> Responses:
    """The `responses` entry of a 200 answer with its JSON example."""
    return {200: {"content": {"application/json": {"example": example}}}}


REPORT_PAGE = {"items": [REPORT_EXAMPLE], "total": 1, "limit": 100, "offset": 0}

REREADS = {
    "report_id": 1,
    "items": [
        {
            "reread_at": "2026-11-29T09:00:00Z",
            "parser_before": "1",
            "parser_after": "2",
            "changes": {
                "fields": {"year": [2019, 2020]},
                "cells": [
                    [
                        "requests.new.natural_person",
                        [9, "inferred", "9", None],
                        [181, "number", "181", None],
                    ]
                ],
                "sections": [],
                "checks": [[30, 2, 4], [32, 0, 4]],
            },
        }
    ],
}

SECTIONS = {
    "report_id": 1,
    "items": [
        {
            "number": 0,
            "key": "preamble",
            "title": "",
            "text": "青禾市云岭区数据资源管理局2020年政府信息公开工作年度报告\n本报告根据……编制。",
        },
        {
            "number": 1,
            "key": "overview",
            "title": "一、总体情况",
            "text": "2020 年，云岭区数据资源管理局围绕“数字云岭”建设目标……",
        },
        {
            "number": 4,
            "key": "reviews",
            "title": "四、政府信息公开行政复议、行政诉讼情况",
            "text": "本年度本机关因政府信息公开工作被申请行政复议 7 件，被提起行政诉讼 11 件。",
        },
    ],
}

_NEW_TOTAL = {
    "table": "requests",
    "row": "new",
    "col": "total",
    "value": 426,
    "raw": "426",
    "status": "number",
    "unit": None,
    "derived": False,
}
_NEW_NATURAL_PERSON = {**_NEW_TOTAL, "col": "natural_person", "value": 181, "raw": "181"}

CELLS = {"report_id": 1, "format": "2019", "items": [_NEW_NATURAL_PERSON, _NEW_TOTAL], "total": 2}

TABLE = {
    "report_id": 1,
    "table": "requests",
    "title_zh": "收到和处理政府信息公开申请情况",
    "title_en": "Requests received and handled",
    "format": "2019",
    "rows": [
        {
            "key": "new",
            "label_zh": "一、本年新收政府信息公开申请数量",
            "label_en": "New requests received this year",
            "columns": [
                {"key": "natural_person", "label_zh": "自然人", "label_en": "Natural persons"},
                {"key": "total", "label_zh": "总计", "label_en": "Total"},
            ],
            "cells": [_NEW_NATURAL_PERSON, _NEW_TOTAL],
        }
    ],
}

CELLS_CSV = (
    "key,table,row,col,value,raw,status,unit,derived\n"
    "requests.new.natural_person,requests,new,natural_person,181,181,number,,False\n"
    "requests.new.total,requests,new,total,426,426,number,,False\n"
)

TABLE_CSV = (
    "row,label,自然人,总计\n"
    "new,一、本年新收政府信息公开申请数量,181,426\n"
    "carried_over,二、上年结转政府信息公开申请数量,0,15\n"
)

CHECKS = {
    "report_id": 1,
    "summary": {"passed": 40, "failed": 0, "not_assessable": 0},
    "items": [
        {
            "rule": "requests.balance",
            "table": "requests",
            "scope": "total",
            "result": "pass",
            "left": 441,
            "right": 441,
            "difference": None,
            "cells": [
                "requests.new.total",
                "requests.carried_over.total",
                "requests.processed_total.total",
                "requests.carried_forward.total",
            ],
            "message": "new + carried_over = processed_total + carried_forward = 441",
        }
    ],
}

AGENCY_PAGE = {
    "items": [
        {
            "id": 1,
            "name": "青禾市云岭区数据资源管理局",
            "region": None,
            "kind": "department",
            "region_candidates": [],
            "years": [2020, 2023],
        }
    ],
    "total": 1,
    "limit": 100,
    "offset": 0,
}

REGION_PAGE = {
    "items": [
        {
            "code": "230803",
            "name": "向阳区",
            "level": "county",
            "parent_code": "230800",
            "former_names": [],
        },
        {
            "code": "230804",
            "name": "前进区",
            "level": "county",
            "parent_code": "230800",
            "former_names": [],
        },
    ],
    "total": 10,
    "limit": 2,
    "offset": 0,
}

REGION = {
    "code": "230811",
    "name": "郊区",
    "level": "county",
    "parent_code": "230800",
    "former_names": ["永红区"],
    "path": [
        {"code": "230000", "name": "黑龙江省", "level": "province"},
        {"code": "230800", "name": "佳木斯市", "level": "city"},
        {"code": "230811", "name": "郊区", "level": "county"},
    ],
    "children": [],
}

AGGREGATE_CSV = (
    "year,reports,requests.new.total,requests.new.total.missing,disclosure_rate,"
    "disclosure_rate.missing\n"
    "2020,1,426,0,0.2511737089201878,0\n"
    "2023,1,456,0,0.2879120879120879,0\n"
)

RANK_CSV = (
    "rank,agency_id,agency_name,requests.new.total,reports,requests.new.total.missing\n"
    "1,1,青禾市云岭区数据资源管理局,426,1,0\n"
)

COVERAGE_CSV = (
    "region_code,region_name,year,agencies,reports,reports_failing,reports_flagged,flags\n"
    "230803,向阳区,2020,21,17,2,3,4\n"
    "230804,前进区,2020,12,12,0,1,1\n"
)

KEYS = {
    "items": [
        {
            "key": "requests.new.total",
            "kind": "cell",
            "formats": ["2019", "2021"],
            "years": {"2019": [2020], "2021": [2023]},
            "reports": 2,
            "description": None,
        },
        {
            "key": "disclosure_rate",
            "kind": "ratio",
            "formats": ["2019", "2021"],
            "years": {"2019": [2020], "2021": [2023]},
            "reports": 2,
            "description": "(granted + partially_granted) / processed_total, on the `total` column "
            "of 三",
        },
    ],
    "total": 2,
}

KEYS_CSV = (
    "key,kind,formats,years_2019,years_2021,reports\n"
    "requests.new.total,cell,2019 2021,2020,2023,2\n"
    "proactive.fees.amount_wan_yuan,cell,2021,,2023,1\n"
)

CATALOG = {
    "tables": [
        {
            "key": "proactive",
            "part": 2,
            "title_zh": "主动公开政府信息情况",
            "title_en": "Proactive disclosure",
            "rows": [
                {
                    "key": "rules",
                    "label_zh": "规章",
                    "label_en": "Rules",
                    "formats": ["2019", "2021"],
                    "columns": {
                        "2019": [
                            {
                                "key": "made",
                                "label_zh": "本年新制作数量",
                                "label_en": "Made this year",
                                "kind": "count",
                            }
                        ],
                        "2021": [
                            {
                                "key": "issued",
                                "label_zh": "本年制发件数",
                                "label_en": "Issued this year",
                                "kind": "count",
                            }
                        ],
                    },
                }
            ],
        }
    ],
    "sections": [{"number": 1, "key": "overview", "title_zh": "总体情况", "title_en": "Overview"}],
    "cell_statuses": ["number", "blank", "not_applicable", "inferred", "unreadable"],
    "formats": ["2019", "2021"],
}

HEALTH = {"status": "ok", "database": "postgresql"}

READY = {
    "status": "ready",
    "database": "postgresql",
    "revision": "0008",
    "reports": 1342,
    "data_version": 2718,
    "reads": "replica",
    "replica": {"status": "available", "data_version": 2716, "lag_versions": 2},
}

_CELL = {"value": 57, "raw": "57", "status": "number"}
COMPARISON = {
    "agency": {"id": 1, "name": "青禾市云岭区数据资源管理局", "region": None},
    "reports": [
        {"id": 1, "year": 2020, "format": "2019"},
        {"id": 2, "year": 2023, "format": "2021"},
    ],
    "cells": [
        {
            "key": "requests.new.total",
            "before": _CELL,
            "after": {"value": 64, "raw": "64", "status": "number"},
            "change": 7,
            "change_pct": 12.280702,
        },
        {
            "key": "requests.carried_over.total",
            "before": {"value": None, "raw": "", "status": "blank"},
            "after": {"value": 3, "raw": "3", "status": "number"},
            "change": None,
            "change_pct": None,
        },
    ],
    "one_format_only": [
        {
            "key": "proactive.procurement.amount",
            "year": 2020,
            "format": "2019",
            "value": 126.5,
            "raw": "126.5万元",
            "status": "number",
        }
    ],
    "rates": [{"name": "disclosure_rate", "before": 0.35, "after": 0.41, "change": 0.06}],
    "sections": [
        {
            "number": 5,
            "title_before": "五、存在的主要问题及改进情况",
            "title_after": "五、存在的主要问题及改进情况",
            "before": "一是数据开放不及时。",
            "after": "一是个人信息保护不到位。",
            "diff": [
                {"op": "equal", "text": "一是"},
                {"op": "delete", "text": "数据开放不及时"},
                {"op": "insert", "text": "个人信息保护不到位"},
                {"op": "equal", "text": "。"},
            ],
        }
    ],
    "checks": [
        {
            "rule": "requests.balance",
            "scope": "total",
            "table": "requests",
            "before": {"result": "pass", "left": 60.0, "right": 60.0},
            "after": {"result": "fail", "left": 67.0, "right": 62.0},
        }
    ],
}
COMPARISON_CSV = (
    "key,2020.value,2020.status,2023.value,2023.status,change,change_pct\r\n"
    "requests.new.total,57,number,64,number,7,12.280702\r\n"
    "requests.carried_over.total,,blank,3,number,,\r\n"
    "proactive.procurement.amount,126.5,number,,,,\r\n"
)

FLAGS = {
    "report_id": 2,
    "year": 2021,
    "previous_report_id": 1,
    "items": [
        {
            "rule": "requests.carried_over",
            "key": "requests.carried_over.total",
            "expected": 15,
            "found": 12,
            "sources": ["previous:requests.carried_forward.total"],
            "message": "carried over 12 but the year before carried forward 15",
        }
    ],
}

SEARCH_PAGE = {
    "items": [
        {
            "report_id": 1,
            "agency": {"id": 1, "name": "青禾市云岭区数据资源管理局"},
            "year": 2020,
            "report_title": "青禾市云岭区数据资源管理局2020年政府信息公开工作年度报告",
            "section": {"number": 1, "key": "overview", "title": "一、总体情况"},
            "snippet": "疫情防控期间，逐日更新健康码申领、数据核验和“不见面审批”办理指引，"
            "累计发布防控相关信息 63 条，回应群众关切。…",
            "highlights": [[0, 2], [30, 32]],
            "rank": 2.71,
        }
    ],
    "total": 1,
    "limit": 100,
    "offset": 0,
}

SEARCH_CSV = (
    "report_id,agency_id,agency,year,section,section_title,snippet,rank\n"
    "1,1,青禾市云岭区数据资源管理局,2020,1,一、总体情况,"
    "【疫情】防控期间，逐日更新健康码申领…累计发布【防控】相关信息 63 条…,2.71\n"
)

_FLAG_ITEM = {
    "report_id": 2,
    "agency": {"id": 1, "name": "青禾市云岭区数据资源管理局"},
    "year": 2021,
    "previous_report_id": 1,
    "previous_year": 2020,
    "rule": "requests.carried_over",
    "key": "requests.carried_over.total",
    "expected": 15,
    "found": 12,
    "sources": ["previous:requests.carried_forward.total"],
    "message": "carried over 12 but the year before carried forward 15",
}
FLAG_PAGE = {
    "items": [
        _FLAG_ITEM,
        {
            **_FLAG_ITEM,
            "rule": "jump",
            "key": "requests.new.total",
            "expected": 57,
            "found": 640,
            "sources": ["previous:requests.new.total"],
            "message": "640 against 57 the year before: a change of 10 times or more",
        },
    ],
    "total": 2,
    "limit": 100,
    "offset": 0,
}
FLAGS_CSV = (
    "report_id,agency_id,agency_name,year,previous_report_id,previous_year,rule,key,expected,"
    "found,sources,message\n"
    "2,1,青禾市云岭区数据资源管理局,2021,1,2020,requests.carried_over,"
    "requests.carried_over.total,15,12,previous:requests.carried_forward.total,"
    "carried over 12 but the year before carried forward 15\n"
)
