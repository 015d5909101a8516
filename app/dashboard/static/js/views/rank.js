// The top and the bottom agencies or regions for a metric in a year.

import { get, getJson } from "../api.js";
import { barsOption, valueText } from "../charts.js";
import { metricLabel, regionName } from "../context.js";
import { t } from "../i18n.js";
import { go } from "../state.js";
import { chart, el, message, panel, select, table } from "../ui.js";
import { metricPicker } from "./metrics.js";

export const needs = ["region", "year"];

const BY = ["agency", "province", "city", "county"];

export async function render(state, context) {
  const metric = state.metric ?? "disclosure_rate";
  const by = BY.includes(state.by) ? state.by : "agency";
  const ask = (order) =>
    getJson("/stats/rank", {
      ...context.scope,
      metric,
      year: context.year,
      by,
      order,
      limit: 10,
    });
  const [picker, top, bottom] = await Promise.all([
    metricPicker(context, metric),
    ask("desc"),
    ask("asc"),
  ]);
  const name = metricLabel(context, metric);
  const who = (item) => (item.agency ? item.agency.name : item.region.name);
  const open = async ({ data: datum }) => {
    if (datum.code) go({ view: "overview", region: datum.code });
    else if (datum.agency) {
      const found = await get(`/api/v1/agencies/${datum.agency}/reports/${context.year}`);
      go({ view: "report", id: found.id });
    }
  };
  const side = (key, { url, body }) =>
    panel(
      `rank-${key}`,
      `${t(key)} ${body.items.length} · ${name}`,
      url,
      !body.items.length
        ? message("info", t("no_data"))
        : chart(
            `rank-${key}`,
            barsOption({
              names: body.items.map(who),
              data: body.items.map((item) => ({
                value: item.value,
                missing: item.missing,
                code: item.region?.code ?? null,
                agency: item.agency?.id ?? null,
              })),
              metric,
              horizontal: true,
            }),
            { height: 60 + 28 * Math.max(body.items.length, 1), onClick: open },
          ),
      table(
        ["#", t(by === "agency" ? "agency" : "region"), t("value"), t("reports")],
        body.items.map((item) => [
          item.rank,
          who(item),
          valueText(metric, item.value),
          item.reports,
        ]),
      ),
    );
  return [
    el("h1", { text: `${regionName(context)} · ${context.year} · ${t("rank_title")}` }),
    el(
      "div",
      { class: "view-controls" },
      picker,
      select(
        "by",
        BY.map((b) => [b, t(`by_${b}`)]),
        by,
        (value) => go({ by: value }),
      ),
    ),
    el("div", { class: "two" }, side("top", top), side("bottom", bottom)),
  ];
}
