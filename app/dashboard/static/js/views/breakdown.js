// One metric across the regions below the one shown (province → city → county → agencies).
// A click drills down; below a county, it opens the agency's report for the year.

import { get, getJson } from "../api.js";
import { barsOption, gap, valueText } from "../charts.js";
import { childLevel, groupName, metricLabel, regionName } from "../context.js";
import { t } from "../i18n.js";
import { go } from "../state.js";
import { chart, el, message, panel, table } from "../ui.js";
import { metricPicker } from "./metrics.js";

export const needs = ["region", "year"];

export async function render(state, context) {
  const metric = state.metric ?? "requests.new.total";
  const level = childLevel(context.region);
  const [picker, { url, body }] = await Promise.all([
    metricPicker(context, metric),
    getJson("/stats/aggregate", {
      ...context.scope,
      metric,
      group_by: level,
      year: context.year,
      limit: 1000,
    }),
  ]);
  const groups = [...body.items].sort(
    (a, b) => (b.values[metric] ?? -Infinity) - (a.values[metric] ?? -Infinity),
  );
  const names = groups.map((g) => groupName(g, level));
  const data = groups.map((g) => ({
    value: gap(g.values[metric]),
    missing: g.missing[metric],
    code: level === "agency" ? null : (g[level]?.code ?? null),
    agency: level === "agency" ? g.agency.id : null,
  }));
  const open = async ({ data: datum }) => {
    if (datum.code) go({ region: datum.code });
    else if (datum.agency) {
      const found = await get(`/api/v1/agencies/${datum.agency}/reports/${context.year}`);
      go({ view: "report", id: found.id });
    }
  };
  const name = metricLabel(context, metric);
  return [
    el("h1", { text: `${regionName(context)} · ${context.year} · ${name}` }),
    el("div", { class: "view-controls" }, picker),
    panel(
      "breakdown",
      `${t("breakdown_of")} · ${name}`,
      url,
      el("p", { class: "note", text: t("drill_hint") }),
      groups.length
        ? chart("breakdown", barsOption({ names, data, metric, horizontal: true }), {
            height: Math.max(240, 26 * groups.length + 60),
            onClick: open,
          })
        : message("info", t("no_data")),
      table(
        [t(level === "agency" ? "agency" : "region"), t("value"), t("reports"), t("missing")],
        groups.map((g, i) => [
          names[i],
          valueText(metric, g.values[metric]),
          g.reports,
          g.missing[metric],
        ]),
      ),
      el("p", { class: "note", text: t("missing_note") }),
    ),
  ];
}
