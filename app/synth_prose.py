"""Prose for synthetic reports: the six parts, written from sentence templates and vocabularies
of disclosure topics, combined by a seeded random stream.

Topics are drawn with skewed weights, so some words are in most reports and others in few,
and a search over synthetic reports finds very different numbers of hits for different words.
A few hundred characters per part.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from app.catalog import SECTIONS

# Disclosure topics, the most frequent first (weights fall off as 1/rank).
TOPICS: tuple[str, ...] = (
    "政务公开",
    "依申请公开",
    "政策解读",
    "疫情防控",
    "网站建设",
    "政务新媒体",
    "数据安全",
    "个人信息保护",
    "行政复议",
    "财政预决算",
    "重大建设项目",
    "公共资源配置",
    "社会救助",
    "食品药品监管",
    "环境保护",
    "安全生产",
    "乡村振兴",
    "营商环境",
    "双随机一公开",
    "政府采购",
    "规范性文件清理",
    "保密审查",
    "政务服务",
    "公共数据开放",
    "教育招生",
    "医疗卫生",
    "住房保障",
    "就业创业",
    "养老服务",
    "交通运输",
)
_TOPIC_WEIGHTS = tuple(1.0 / (rank + 1) for rank in range(len(TOPICS)))

CHANNELS = (
    "门户网站",
    "政务新媒体",
    "政务服务中心公开栏",
    "档案馆查阅点",
    "新闻发布会",
    "政务服务热线",
    "图书馆查阅点",
)
MEASURES = (
    "健全工作机制",
    "完善发布流程",
    "压实主体责任",
    "加强审核把关",
    "规范目录编制",
    "强化督促检查",
    "优化栏目设置",
    "提升解读质量",
)
PROBLEMS = (
    "公开内容不够全面",
    "信息更新不够及时",
    "政策解读形式较为单一",
    "依申请公开答复文书不够规范",
    "工作人员业务能力有待提高",
    "栏目设置不够合理",
    "互动回应不够充分",
)
PLANS = (
    "组织开展专题培训",
    "加强日常监督检查",
    "完善考核评价机制",
    "丰富政策解读形式",
    "优化网站栏目设置",
    "规范答复文书格式",
    "加强与公众互动交流",
)

# Templates of each part; {t} a topic, {c} a channel, {m} a measure, {p} a problem, {q} a
# plan, {n} a number. Parts 二 to 四 are mostly tables in a report: a few sentences of prose.
TEMPLATES: dict[int, tuple[str, ...]] = {
    1: (
        "{y}年，本机关坚持以公开为常态、不公开为例外，围绕{t}和{t2}工作，{m}，各项任务有序推进。",
        "全年通过{c}发布{t}相关信息{n}条，及时回应社会关切。",
        "结合{t}工作实际，{m}，推动政府信息公开工作规范化、标准化。",
        "在{t}方面，本机关{m}，群众满意度进一步提升。",
        "围绕{t}重点领域，做好信息发布和政策解读工作，全年发布解读材料{n}篇。",
        "主要负责同志专题研究{t}工作{n2}次，将公开任务分解到科室、明确到人。",
    ),
    2: (
        "本年度通过{c}主动公开政府信息{n}条，其中{t}类信息{n2}条。",
        "重点做好{t}信息公开，{m}。",
        "及时更新{t}和{t2}专栏，公开内容涵盖政策文件和办事指南。",
    ),
    3: (
        "本年度收到的政府信息公开申请主要涉及{t}和{t2}等方面，均在法定期限内答复。",
        "对涉及{t}的申请，{m}，依法依规作出答复。",
        "通过{c}受理申请{n2}件，申请内容集中在{t}领域。",
    ),
    4: (
        "本年度因政府信息公开引起的行政复议、行政诉讼案件{n2}件，主要涉及{t}信息。",
        "针对复议纠正的案件，本机关{m}，切实提高答复质量。",
        "未发生因{t}信息公开被纠错的情况。",
    ),
    5: (
        "一是{p}，特别是{t}方面的信息。",
        "二是{p2}。",
        "下一步，本机关将{q}，做好{t}信息公开。",
        "针对{t}工作中的不足，将{q}，{m}。",
    ),
    6: (
        "本年度未收取信息处理费。",
        "按照上级要求，做好{t}领域基层政务公开标准化规范化工作。",
        "认真办理人大代表建议和政协委员提案中涉及{t}的内容，并按规定公开办理结果。",
        "本年度共组织{t}专题培训{n2}次，参训人员{n}人次。",
    ),
}
SENTENCES_PER_PART = {1: (4, 7), 2: (2, 4), 3: (2, 4), 4: (1, 3), 5: (3, 5), 6: (2, 4)}


def _pick(rng: random.Random, values: Sequence[str]) -> str:
    return values[int(rng.random() * len(values))]


def _topic(rng: random.Random) -> str:
    return rng.choices(TOPICS, _TOPIC_WEIGHTS)[0]


def _sentence(rng: random.Random, template: str, year: int) -> str:
    return template.format(
        y=year,
        t=_topic(rng),
        t2=_topic(rng),
        c=_pick(rng, CHANNELS),
        m=_pick(rng, MEASURES),
        p=_pick(rng, PROBLEMS),
        p2=_pick(rng, PROBLEMS),
        q=_pick(rng, PLANS),
        n=5 + int(rng.random() * 300),
        n2=1 + int(rng.random() * 12),
    )


def report_parts(rng: random.Random, year: int) -> list[tuple[int, str, str, str]]:
    """The six parts of one report: (number, key, title as printed, text)."""
    parts = []
    for spec in SECTIONS:
        templates = TEMPLATES[spec.number]
        low, high = SENTENCES_PER_PART[spec.number]
        count = low + int(rng.random() * (high - low + 1))
        chosen = rng.sample(templates, min(count, len(templates)))
        if count > len(templates):
            chosen += [_pick(rng, templates) for _ in range(count - len(templates))]
        text = "".join(_sentence(rng, t, year) for t in chosen)
        title = f"{'一二三四五六'[spec.number - 1]}、{spec.title_zh}"
        parts.append((spec.number, spec.key, title, text))
    return parts
