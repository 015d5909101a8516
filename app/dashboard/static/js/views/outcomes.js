// How requests were handled, stacked by year: granted, partly granted, each reason for a
// denial, unavailable, not processed and other. Row labels come from the catalog.

import { getJson } from "../api.js";
import { gap } from "../charts.js";
import { regionName } from "../context.js";
import { label, t } from "../i18n.js";
import { chart, el, message, panel, table } from "../ui.js";

export const needs = ["region", "year"];

const GROUPS = [
  ["granted", ["granted"]],
  ["partially_granted", ["partially_granted"]],
  [
    "denied",
    [
      "state_secret",
      "law_prohibited",
      "security_stability",
      "third_party",
      "internal_affairs",
      "process_info",
      "enforcement_file",
      "inquiry",
    ].map((r) => `denied_${r}`),
  ],
  ["unavailable", ["not_held", "needs_creation", "unclear"].map((r) => `unavailable_${r}`)],
  [
    "not_processed",
    ["complaint", "duplicate", "publication", "excessive", "confirmation"].map(
      (r) => `not_processed_${r}`,
    ),
  ],
  ["other", ["other"]],
];
const ROWS = GROUPS.flatMap(([, rows]) => rows);

export async function render(state, context) {
  const requests = context.catalog.tables.find((table) => table.key === "requests");
  const rowLabel = (key) => label(requests.rows.find((row) => row.key === key));
  const metrics = ROWS.map((row) => `requests.${row}.total`);
  const { url, body } = await getJson("/stats/aggregate", {
    ...context.scope,
    metric: metrics,
    group_by: "year",
    limit: 1000,
  });
  const years = body.items.map((g) => g.year);
  const series = ROWS.map((row, index) => ({
    type: "bar",
    stack: "outcomes",
    id: metrics[index],
    name: rowLabel(row),
    emphasis: { focus: "series" },
    data: body.items.map((g) => gap(g.values[metrics[index]])),
  }));
  const option = {
    grid: { left: 60, right: 20, top: 20, bottom: 110 },
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true },
    legend: { type: "scroll", bottom: 0, left: 0, right: 0 },
    xAxis: { type: "category", data: years.map(String) },
    yAxis: { type: "value" },
    series,
  };
  const selected = body.items.find((g) => g.year === context.year);
  return [
    el("h1", { text: `${regionName(context)} · ${t("view_outcomes")}` }),
    panel(
      "outcomes",
      t("outcomes_title"),
      url,
      years.length ? chart("outcomes", option, { height: 480 }) : message("info", t("no_data")),
      selected
        ? table(
            [`${t("year_col")} ${context.year}`, t("value"), t("missing")],
            metrics.map((metric, index) => [
              rowLabel(ROWS[index]),
              selected.values[metric] ?? "—",
              selected.missing[metric],
            ]),
          )
        : el("p", { text: t("no_data") }),
      el("p", { class: "note", text: t("missing_note") }),
    ),
  ];
}
