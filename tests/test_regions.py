"""The shipped region tree and the placing of agencies in it."""

from __future__ import annotations

import csv
from collections import Counter
from importlib import resources

import pytest

from app.regions import RegionRecord, agency_kind, load_regions, place_agency
from app.regions.placing import AgencyKind

REGIONS = load_regions()
BY_CODE = {region.code: region for region in REGIONS}

# Codes checked against the generated regions.csv (GB/T 2260, 2024 list).
JIANGSU, HUAIAN, HONGZE, SUQIAN, SHUYANG = "320000", "320800", "320813", "321300", "321322"
SHANGHAI, BEIJING = "310000", "110000"
BEIJING_CHAOYANG, CHANGCHUN_CHAOYANG = "110105", "220104"
HEILONGJIANG, JIAMUSI, QIANJIN = "230000", "230800", "230804"
FUJIAN, FUZHOU, PINGTAN = "350000", "350100", "350128"
HUBEI, QIANJIANG = "420000", "429005"


def test_codes_are_unique_six_digit_strings() -> None:
    codes = [region.code for region in REGIONS]
    assert len(codes) == len(set(codes))
    assert all(len(code) == 6 and code.isdigit() for code in codes)


def test_every_parent_exists_one_level_up() -> None:
    for region in REGIONS:
        if region.level == "province":
            assert region.parent_code is None, region
            continue
        assert region.parent_code is not None, region
        parent = BY_CODE[region.parent_code]
        if region.level == "city":
            assert parent.level == "province", region
        else:
            assert parent.level in ("province", "city"), region


def test_levels_have_plausible_sizes() -> None:
    counts = Counter(region.level for region in REGIONS)
    assert counts["province"] == 34
    assert 320 <= counts["city"] <= 340
    assert 2800 <= counts["county"] <= 2900


def test_no_pseudo_units() -> None:
    assert not {"市辖区", "县", "直辖县"} & {region.name for region in REGIONS}


def test_municipality_districts_hang_from_the_municipality() -> None:
    assert BY_CODE[BEIJING].level == "province"
    assert BY_CODE[BEIJING_CHAOYANG].parent_code == BEIJING
    assert BY_CODE["310115"].name == "浦东新区"
    assert BY_CODE["310115"].parent_code == SHANGHAI


def test_province_governed_county_hangs_from_the_province() -> None:
    assert BY_CODE[QIANJIANG].name == "潜江市"
    assert BY_CODE[QIANJIANG].parent_code == HUBEI


def test_jiamusi_qianjin() -> None:
    assert BY_CODE[HEILONGJIANG].name == "黑龙江省"
    assert BY_CODE[JIAMUSI] == RegionRecord(
        code=JIAMUSI,
        name="佳木斯市",
        level="city",
        parent_code=HEILONGJIANG,
        former_names=(),
        short_name="佳木斯",
        pinyin="jia mu si shi",
    )
    assert BY_CODE[QIANJIN].name == "前进区"
    assert BY_CODE[QIANJIN].parent_code == JIAMUSI


def test_former_names_are_kept() -> None:
    assert "洪泽县" in BY_CODE[HONGZE].former_names
    assert "襄樊市" in BY_CODE["420600"].former_names


def test_zones_are_marked_and_placed_under_their_parent() -> None:
    zones = {region.name: region for region in REGIONS if region.kind == "zone"}
    assert zones["西咸新区"].parent_code == "610000"
    assert zones["南湖新区"].parent_code == "430600"
    assert all(zone.code[2:4] == "00" for zone in zones.values())
    assert "平潭综合实验区" in BY_CODE[PINGTAN].aliases


def test_area_codes_point_at_known_units() -> None:
    text = resources.files("app.regions").joinpath("area_codes.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    assert rows
    for row in rows:
        assert row["area_code"].startswith("0"), row
        assert BY_CODE[row["region_code"]].name == row["name"], row


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("淮安市人民政府", HUAIAN),
        ("淮安市洪泽区人民政府", HONGZE),
        ("江苏省淮安市洪泽区人民政府", HONGZE),
        ("洪泽县人民政府", HONGZE),
        ("沭阳县发展和改革局", SHUYANG),
        ("上海市科学技术委员会", SHANGHAI),
        ("平潭综合实验区", PINGTAN),
        ("平潭综合实验区(管委会;全区汇总)", PINGTAN),
        ("北京市朝阳区教育局", BEIJING_CHAOYANG),
        ("潜江市周矶街道办事处", QIANJIANG),
        ("吉林省吉林市人民政府", "220200"),
        ("阳泉市城区教育局", "140302"),
        ("淮安市驻上海办事处", HUAIAN),
    ],
)
def test_place_by_name(name: str, code: str) -> None:
    placement = place_agency(name)
    assert (placement.code, placement.method) == (code, "name")


def test_shuyang_sits_under_suqian() -> None:
    assert BY_CODE[SHUYANG].parent_code == SUQIAN
    assert BY_CODE[SUQIAN].parent_code == JIANGSU


def test_pingtan_zone_resolves_under_fujian() -> None:
    assert BY_CODE[PINGTAN].parent_code == FUZHOU
    assert BY_CODE[FUZHOU].parent_code == FUJIAN


def test_qianjin_with_and_without_phone() -> None:
    name = "前进区营商环境建设监督局"
    assert place_agency(name, phone_area_code="0454").code == QIANJIN
    holders = [region.code for region in REGIONS if "前进区" in (region.name, *region.former_names)]
    bare = place_agency(name)
    if len(holders) == 1:
        assert bare.code == QIANJIN
    else:
        assert bare.code is None
        assert QIANJIN in bare.candidates


def test_ambiguous_district_is_listed_not_guessed() -> None:
    placement = place_agency("朝阳区教育局")
    assert placement.code is None
    assert placement.method == "none"
    assert {BEIJING_CHAOYANG, CHANGCHUN_CHAOYANG} <= set(placement.candidates)


def test_phone_area_code_settles_an_ambiguous_district() -> None:
    placement = place_agency("朝阳区教育局", phone_area_code="0431")
    assert (placement.code, placement.method) == (CHANGCHUN_CHAOYANG, "name+phone")


def test_unknown_area_code_leaves_it_unplaced() -> None:
    assert place_agency("朝阳区教育局", phone_area_code="0000").code is None


def test_two_character_county_needs_a_boundary() -> None:
    assert place_agency("江苏沛县人民政府").code == "320322"
    assert place_agency("提高沛县").code is None


def test_generic_district_names_stay_unplaced() -> None:
    placement = place_agency("城区教育局")
    assert placement.code is None
    assert len(placement.candidates) >= 3


@pytest.mark.parametrize(
    ("domain", "code"),
    [
        ("www.pingtan.gov.cn", PINGTAN),
        ("shuyang.gov.cn", SHUYANG),
        ("https://www.hbqj.gov.cn/zj/zfxxgk/", QIANJIANG),
        ("https://www.szft.gov.cn/bmxx/", "440304"),
        ("yynanhu.yueyang.gov.cn", "430001"),
        ("http://js.changchun.gov.cn/zcbm/", "220100"),
    ],
)
def test_place_by_domain_when_the_name_has_no_place(domain: str, code: str) -> None:
    placement = place_agency("某局", source_domain=domain)
    assert (placement.code, placement.method) == (code, "domain")


def test_domain_settles_an_ambiguous_name() -> None:
    placement = place_agency("朝阳区教育局", source_domain="http://js.changchun.gov.cn/a")
    assert (placement.code, placement.method) == (CHANGCHUN_CHAOYANG, "name+domain")


def test_ambiguous_pinyin_is_not_guessed() -> None:
    # weishan is both 微山县 (山东) and 巍山县 (云南).
    placement = place_agency("某局", source_domain="www.weishan.gov.cn")
    assert placement.code is None
    assert len(placement.candidates) == 2


def test_nothing_to_go_on() -> None:
    assert place_agency("某区统计局") == place_agency("某区统计局", phone_area_code="0517")
    assert place_agency("某区统计局").method == "none"


def test_custom_region_list() -> None:
    regions = [
        RegionRecord("900000", "甲省", "province", None, ()),
        RegionRecord("900100", "乙市", "city", "900000", ("丙市",)),
    ]
    assert place_agency("丙市财政局", regions=regions).code == "900100"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("淮安市人民政府", "people_government"),
        ("淮安市洪泽区人民政府", "people_government"),
        ("淮安市人民政府办公室", "government_office"),
        ("江苏省人民政府办公厅", "government_office"),
        ("沭阳县发展和改革局", "department"),
        ("上海市科学技术委员会", "department"),
        ("北京市教育委", "department"),
        ("江苏省教育厅", "department"),
        ("淮安市政务服务中心", "department"),
        ("微山县两城镇人民政府", "township_street"),
        ("雄县某乡人民政府", "township_street"),
        ("潜江市周矶街道办事处", "township_street"),
        ("平潭综合实验区管委会", "other"),
        ("淮安经济技术开发区管理委员会", "other"),
        ("平潭综合实验区(管委会;全区汇总)", "other"),
        ("淮安市中级人民法院", "other"),
    ],
)
def test_agency_kind(name: str, kind: AgencyKind) -> None:
    assert agency_kind(name) == kind
