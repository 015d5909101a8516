// Any catalog metric or rate over the years, for a region.

import { getJson } from "../api.js";
import { linesOption, valueText } from "../charts.js";
import { metricLabel, regionName } from "../context.js";
import { t } from "../i18n.js";
import { go } from "../state.js";
import { chart, el, message, panel, select, table } from "../ui.js";
import { metricPicker } from "./metrics.js";

export const needs = ["region"];

export async function render(state, context) {
  const metric = state.metric ?? "disclosure_rate";
  const all = context.years;
  const from = Number(state.year_from ?? all[0] ?? context.year);
  const to = Number(state.year_to ?? all.at(-1) ?? context.year);
  const [picker, answer] = await Promise.all([
    metricPicker(context, metric),
    getJson("/stats/aggregate", {
      ...context.scope,
      metric,
      group_by: "year",
      year_from: from,
      year_to: to,
      limit: 1000,
    }),
  ]);
  const { url, body } = answer;
  const years = body.items.map((g) => g.year);
  const name = metricLabel(context, metric);
  const series = [{ metric, name, data: body.items.map((g) => g.values[metric]) }];
  const choices = all.map((y) => [y, y]);
  return [
    el("h1", { text: `${regionName(context)} · ${name}` }),
    el(
      "div",
      { class: "view-controls" },
      picker,
      select("year_from", choices, from, (y) => go({ year_from: y })),
      select("year_to", choices, to, (y) => go({ year_to: y })),
    ),
    panel(
      "trend",
      `${t("trend_of")} · ${name}`,
      url,
      years.length ? chart("trend", linesOption({ years, series })) : message("info", t("no_data")),
      table(
        [t("year_col"), t("value"), t("reports"), t("missing")],
        body.items.map((g) => [
          g.year,
          valueText(metric, g.values[metric]),
          g.reports,
          g.missing[metric],
        ]),
      ),
      el("p", { class: "note", text: t("missing_note") }),
    ),
  ];
}
