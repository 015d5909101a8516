"""Each view in a real browser: the figures drawn are the API's answers (read from the chart
objects in the page, not from pixels), choosing and drilling down work, no console error
occurs, and a report shows every cell status distinctly."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest
from selenium.webdriver import Chrome
from selenium.webdriver.common.actions.action_builder import ActionBuilder
from selenium.webdriver.common.by import By
from selenium.webdriver.support.select import Select

from tests.browser.conftest import (
    SCREENSHOTS,
    Dashboard,
    attr,
    console_errors,
    open_view,
    screenshot,
    wait_ready,
)

pytestmark = pytest.mark.browser

CHART_SERIES = """
const box = document.querySelector(`[data-chart="${arguments[0]}"]`);
const option = echarts.getInstanceByDom(box).getOption();
return {
  categories: [].concat(option.xAxis, option.yAxis).filter((a) => a.type === "category")[0].data,
  series: option.series.map((s) => ({
    id: s.id ?? null,
    values: s.data.map((d) => (d !== null && typeof d === "object" ? d.value : d)),
  })),
};
"""


def chart(browser: Chrome, name: str) -> dict[str, Any]:
    drawn: dict[str, Any] = browser.execute_script(CHART_SERIES, name)
    return drawn


def panel_api(browser: Chrome, name: str) -> str:
    url = attr(browser.find_element(By.CSS_SELECTOR, f'[data-panel="{name}"]'), "data-api")
    assert url.startswith("/api/v1/")
    return url


def drawn(values: list[Any]) -> list[Any]:
    """ECharts draws a missing value as "-": a gap, never a 0."""
    return [None if v == "-" else v for v in values]


def query_of(browser: Chrome) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(browser.current_url).query).items()}


# The report's heading and its six parts of prose: no table to offer as CSV.
WITHOUT_CSV = {"report-summary", "report-sections"}

VIEWS = {
    "overview": "view=overview",
    "trend": "view=trend&metric=requests.granted.total",
    "outcomes": "view=outcomes",
    "breakdown": "view=breakdown",
    "rank": "view=rank&by=province",
    "quality": "view=quality",
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_view_draws_without_console_errors(
    browser: Chrome, dashboard: Dashboard, lang: str
) -> None:
    views = dict(VIEWS)
    views["report"] = f"view=report&id={dashboard.statuses_report}"
    views["report-inferred"] = f"view=report&id={dashboard.inferred_report}"
    nav = {"zh": "概览", "en": "Overview"}[lang]
    for name, query in views.items():
        open_view(browser, dashboard, f"{query}&lang={lang}" if lang == "en" else query)
        assert browser.find_element(By.CSS_SELECTOR, 'nav.views [data-view="overview"]').text == nav
        assert not browser.find_elements(By.CSS_SELECTOR, ".message.error"), name
        for box in browser.find_elements(By.CSS_SELECTOR, "[data-chart]"):
            assert box.get_attribute("data-drawn") == "1", (name, box.get_attribute("data-chart"))
        for link in browser.find_elements(By.CSS_SELECTOR, "footer.source a.api-url"):
            assert link.text.startswith("/api/v1/"), name
        for part in browser.find_elements(By.CSS_SELECTOR, "section.panel"):
            if attr(part, "data-panel") in WITHOUT_CSV:
                continue
            links = part.find_elements(By.CSS_SELECTOR, "a.csv")
            assert links, attr(part, "data-panel")
            for link in links:
                href = attr(link, "href")
                if not href.startswith("blob:"):  # the API's own CSV, else one written by the page
                    answer = httpx2.get(href)
                    assert answer.status_code == 200, href
                    assert answer.headers["content-type"].startswith("text/csv"), href
        assert console_errors(browser) == [], name
        assert screenshot(browser, f"{lang}/{name}").stat().st_size > 10_000
    print(f"screenshots in {SCREENSHOTS / lang}")


def test_overview_draws_the_api_answers(browser: Chrome, dashboard: Dashboard) -> None:
    open_view(browser, dashboard, "view=overview")
    # Only synthetic reports are placed in regions here, so the demo set is shown, and said so.
    assert browser.find_element(By.CSS_SELECTOR, ".demo-badge").is_displayed()

    headline = dashboard.api(panel_api(browser, "overview-headline"))
    group = headline["items"][0]
    for card in browser.find_elements(By.CSS_SELECTOR, '[data-panel="overview-headline"] .card'):
        metric = attr(card, "data-metric")
        shown = attr(card, "data-value")
        expected = group["values"][metric]
        assert (float(shown) if shown else None) == pytest.approx(expected), metric

    coverage = dashboard.api(panel_api(browser, "overview-coverage"))
    for card in browser.find_elements(By.CSS_SELECTOR, '[data-panel="overview-coverage"] .card'):
        field = attr(card, "data-field")
        assert int(attr(card, "data-value")) == sum(i[field] for i in coverage["items"])

    trend = dashboard.api(panel_api(browser, "overview-trend"))
    lines = chart(browser, "overview-trend")
    assert lines["categories"] == [str(g["year"]) for g in trend["items"]]
    for series in lines["series"]:
        assert drawn(series["values"]) == [g["values"][series["id"]] for g in trend["items"]]

    below = dashboard.api(panel_api(browser, "overview-below"))
    bars = chart(browser, "overview-below")
    expected = {g["province"]["name"]: g["values"]["requests.new.total"] for g in below["items"]}
    assert dict(zip(bars["categories"], drawn(bars["series"][0]["values"]), strict=True)) == {
        name: expected[name] for name in bars["categories"]
    }


def test_choose_region_metric_and_years(browser: Chrome, dashboard: Dashboard) -> None:
    open_view(browser, dashboard, "view=trend")
    provinces = dashboard.api(
        "/api/v1/stats/aggregate?metric=requests.new.total&group_by=province&include_synthetic=true"
    )["items"]
    busiest = max((g for g in provinces if g["province"]), key=lambda g: g["reports"])
    province = busiest["province"]["code"]
    region = Select(browser.find_element(By.CSS_SELECTOR, ".controls select[name=region]"))
    region.select_by_value(province)
    wait_ready(browser)
    Select(browser.find_element(By.CSS_SELECTOR, "select[name=metric]")).select_by_value(
        "requests.granted.total"
    )
    wait_ready(browser)
    years = Select(browser.find_element(By.CSS_SELECTOR, "select[name=year_from]"))
    first, second = [attr(o, "value") for o in years.options][1:3]
    years.select_by_value(first)
    wait_ready(browser)
    Select(browser.find_element(By.CSS_SELECTOR, "select[name=year_to]")).select_by_value(second)
    wait_ready(browser)

    assert query_of(browser) == {
        "view": "trend",
        "region": province,
        "metric": "requests.granted.total",
        "year_from": first,
        "year_to": second,
    }
    api = panel_api(browser, "trend")
    asked = {k: v[0] for k, v in parse_qs(urlsplit(api).query).items()}
    assert asked["region"] == province
    assert asked["metric"] == "requests.granted.total"
    assert (asked["year_from"], asked["year_to"]) == (first, second)
    answer = dashboard.api(api)
    lines = chart(browser, "trend")
    assert lines["categories"] == [str(g["year"]) for g in answer["items"]]
    assert set(lines["categories"]) <= {first, second}
    expected = [g["values"]["requests.granted.total"] for g in answer["items"]]
    assert drawn(lines["series"][0]["values"]) == expected
    # The view is a link: opened afresh, it shows the same.
    browser.get(browser.current_url)
    wait_ready(browser)
    assert panel_api(browser, "trend") == api
    assert console_errors(browser) == []


CLICK_TARGET = """
const box = document.querySelector('[data-chart="breakdown"]');
const chart = echarts.getInstanceByDom(box);
const data = chart.getOption().series[0].data;
let best = -1;
data.forEach((d, i) => {
  if (d.value !== "-" && (best < 0 || d.value > data[best].value)) best = i;
});
const [x, y] = chart.convertToPixel({ seriesIndex: 0 }, [data[best].value / 2, best]);
window.scrollTo(0, box.getBoundingClientRect().top + window.scrollY + y - 200);
const rect = box.getBoundingClientRect();
return { x: Math.round(rect.left + x), y: Math.round(rect.top + y), datum: data[best] };
"""


def click_largest_bar(browser: Chrome) -> dict[str, Any]:
    """A real mouse click, at the bar's place in the window."""
    target: dict[str, Any] = browser.execute_script(CLICK_TARGET)
    actions = ActionBuilder(browser)
    pointer = actions.pointer_action
    pointer.move_to_location(target["x"], target["y"])  # type: ignore[no-untyped-call]
    pointer.click()
    actions.perform()
    wait_ready(browser)
    datum: dict[str, Any] = target["datum"]
    return datum


def test_drill_down_from_the_country_to_a_report(browser: Chrome, dashboard: Dashboard) -> None:
    open_view(browser, dashboard, "view=breakdown")
    path: list[str] = []
    for _ in range(4):
        answer = dashboard.api(panel_api(browser, "breakdown"))
        level = answer["group_by"][0]
        bars = chart(browser, "breakdown")
        names = [
            (g[level] or {}).get("name") if level != "agency" else g["agency"]["name"]
            for g in answer["items"]
        ]
        metric = answer["metrics"][0]
        assert {n for n in names if n} <= set(bars["categories"])
        values = [g["values"][metric] for g in answer["items"]]
        assert sorted(map(str, drawn(bars["series"][0]["values"]))) == sorted(map(str, values))
        datum = click_largest_bar(browser)
        if level == "agency":
            assert query_of(browser)["view"] == "report"
            report = dashboard.api(f"/api/v1/reports/{query_of(browser)['id']}")
            assert report["agency"]["id"] == datum["agency"]
            break
        path.append(datum["code"])
        assert query_of(browser)["region"] == datum["code"]
        crumbs = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "nav.crumbs a")]
        assert len(crumbs) >= 2
    else:
        pytest.fail(f"no agency level reached below {path}")
    assert console_errors(browser) == []


STYLE = """
const s = getComputedStyle(arguments[0]);
return [s.backgroundColor, s.backgroundImage, s.fontStyle, s.borderTopStyle, s.color].join("|");
"""


def test_report_page_shows_statuses_and_failing_checks(
    browser: Chrome, dashboard: Dashboard
) -> None:
    open_view(browser, dashboard, "view=quality&demo=0")
    failing = browser.find_element(By.CSS_SELECTOR, '[data-panel="quality-failing"]')
    failing.find_element(By.LINK_TEXT, f"#{dashboard.statuses_report}").click()
    wait_ready(browser)
    assert query_of(browser)["id"] == str(dashboard.statuses_report)

    looks: dict[str, set[str]] = {}
    for report in (dashboard.statuses_report, dashboard.inferred_report):
        open_view(browser, dashboard, f"view=report&id={report}")
        for cell in browser.find_elements(By.CSS_SELECTOR, "table.printed td.cell"):
            if "check-fail" in (cell.get_attribute("class") or ""):
                continue
            looks.setdefault(attr(cell, "data-status"), set()).add(
                browser.execute_script(STYLE, cell)
            )
    statuses = {"number", "blank", "not_applicable", "inferred", "unreadable", "absent"}
    assert set(looks) == statuses
    for status, styles in looks.items():
        assert len(styles) == 1, (status, styles)
    assert len({next(iter(s)) for s in looks.values()}) == len(statuses), looks

    open_view(browser, dashboard, f"view=report&id={dashboard.statuses_report}")
    checks = dashboard.api(f"/api/v1/reports/{dashboard.statuses_report}/checks")
    failed = [c for c in checks["items"] if c["result"] == "fail"]
    assert failed
    rows = browser.find_elements(By.CSS_SELECTOR, "table.failing tbody tr")
    assert len(rows) == len(failed)
    for row, check in zip(rows, failed, strict=True):
        texts = [td.text for td in row.find_elements(By.TAG_NAME, "td")]
        assert texts[0] == check["rule"]
        assert texts[3] == _number(check["left"]) and texts[4] == _number(check["right"])
    marked = {
        cell.get_attribute("data-key")
        for cell in browser.find_elements(By.CSS_SELECTOR, "td.cell.check-fail")
    }
    assert marked == {key for c in failed for key in c["cells"]} - _absent(dashboard, failed)
    outline = browser.execute_script(
        "return getComputedStyle(arguments[0]).outlineStyle",
        browser.find_element(By.CSS_SELECTOR, "td.cell.check-fail"),
    )
    assert outline == "solid"
    sections = browser.find_elements(By.CSS_SELECTOR, "article.section")
    assert [s.get_attribute("data-number") for s in sections] == ["0", "1", "2", "3", "4", "5", "6"]
    document = attr(browser.find_element(By.CSS_SELECTOR, "a.document"), "href")
    assert document.endswith(f"/api/v1/reports/{dashboard.statuses_report}/document")
    assert console_errors(browser) == []


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    return str(int(value)) if float(value).is_integer() else str(value)


def _absent(dashboard: Dashboard, failed: list[dict[str, Any]]) -> set[str]:
    """Cells a failing check names that the report did not print: nothing to mark."""
    cells = dashboard.api(f"/api/v1/reports/{dashboard.statuses_report}/cells")
    printed = {f"{c['table']}.{c['row']}.{c['col']}" for c in cells["items"]}
    return {key for c in failed for key in c["cells"]} - printed
