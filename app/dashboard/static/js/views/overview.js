// Overview of a region and year: headline figures against the year before, coverage, the
// trend of new requests and the disclosure rate, and the regions below.

import { getJson } from "../api.js";
import { barsOption, gap, linesOption, valueText } from "../charts.js";
import { childLevel, groupName, metricLabel, regionName } from "../context.js";
import { formatNumber, t } from "../i18n.js";
import { go } from "../state.js";
import { chart, el, message, panel } from "../ui.js";

export const needs = ["region", "year"];

const HEADLINE = [
  "requests.new.total",
  "disclosure_rate",
  "reconsideration_correction_rate",
  "litigation_correction_rate",
];

export async function render(state, context) {
  const level = childLevel(context.region);
  const [headline, coverage, below] = await Promise.all([
    getJson("/stats/aggregate", {
      ...context.scope,
      metric: HEADLINE,
      group_by: "year",
      year: context.year,
      compare: "previous_year",
    }),
    getJson("/stats/coverage", {
      level: level === "agency" ? "county" : level,
      region: context.scope.region,
      include_synthetic: context.scope.include_synthetic,
      year: context.year,
      limit: 1000,
    }),
    getJson("/stats/aggregate", {
      ...context.scope,
      metric: "requests.new.total",
      group_by: level,
      year: context.year,
      limit: 1000,
    }),
  ]);
  return [
    el("h1", { text: `${regionName(context)} · ${context.year}` }),
    headlinePanel(headline, context),
    coveragePanel(coverage),
    trendPanel(context),
    belowPanel(below, level, context),
  ];
}

function headlinePanel({ url, body }, context) {
  const group = body.items[0];
  const cards = HEADLINE.map((metric) => {
    const value = group ? group.values[metric] : null;
    const change = group?.change?.[metric];
    const rate = metric.endsWith("_rate");
    let delta = t("no_previous");
    if (change !== null && change !== undefined) {
      const sign = change > 0 ? "+" : "";
      delta = rate
        ? `${sign}${(change * 100).toFixed(1)} pp`
        : `${sign}${formatNumber(change)}` +
          (group.change_pct[metric] === null
            ? ""
            : ` (${sign}${group.change_pct[metric].toFixed(1)}%)`);
    }
    return el(
      "div",
      { class: "card", dataset: { metric, value: value ?? "" } },
      el("div", { class: "card-label", text: metricLabel(context, metric) }),
      el("div", { class: "card-value", text: valueText(metric, value) }),
      el("div", { class: "card-change", text: `${t("vs_previous")} ${delta}` }),
      group && group.missing[metric]
        ? el("div", { class: "card-missing", text: `${t("missing")}: ${group.missing[metric]}` })
        : null,
    );
  });
  return panel("overview-headline", t("headline"), url, el("div", { class: "cards" }, cards));
}

function coveragePanel({ url, body }) {
  const sum = (field) => body.items.reduce((total, item) => total + item[field], 0);
  const figures = [
    ["agencies", t("agencies_known"), sum("agencies")],
    ["reports", t("reports_present"), sum("reports")],
    ["reports_failing", t("reports_failing"), sum("reports_failing")],
  ];
  return panel(
    "overview-coverage",
    t("coverage"),
    url,
    el(
      "div",
      { class: "cards" },
      figures.map(([field, text, value]) =>
        el(
          "div",
          { class: "card", dataset: { field, value } },
          el("div", { class: "card-label", text }),
          el("div", { class: "card-value", text: formatNumber(value) }),
        ),
      ),
    ),
  );
}

function trendPanel(context) {
  const { url, body } = context.series;
  const years = body.items.map((g) => g.year);
  const series = body.metrics.map((metric) => ({
    metric,
    name: metricLabel(context, metric),
    data: body.items.map((g) => g.values[metric]),
  }));
  const drawn = years.length
    ? chart("overview-trend", linesOption({ years, series }))
    : message("info", t("no_data"));
  return panel("overview-trend", t("trend_of"), url, drawn);
}

function belowPanel({ url, body }, level, context) {
  const groups = [...body.items].sort(
    (a, b) => (b.values["requests.new.total"] ?? -1) - (a.values["requests.new.total"] ?? -1),
  );
  const shown = groups.slice(0, 40);
  const data = shown.map((g) => ({
    value: gap(g.values["requests.new.total"]),
    missing: g.missing["requests.new.total"],
    code: g[level]?.code ?? null,
    agency: level === "agency" ? g.agency.id : null,
  }));
  const open = (params) => {
    const datum = params.data;
    if (datum.code) go({ region: datum.code });
  };
  return panel(
    "overview-below",
    `${t("breakdown_of")} · ${metricLabel(context, "requests.new.total")}`,
    url,
    shown.length
      ? chart(
          "overview-below",
          barsOption({
            names: shown.map((g) => groupName(g, level)),
            data,
            metric: "requests.new.total",
          }),
          { onClick: open },
        )
      : message("info", t("no_data")),
  );
}
