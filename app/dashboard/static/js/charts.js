// Chart options shared by the views. A missing value is drawn as a gap ("-"), never as 0.

import { formatNumber, t } from "./i18n.js";

export const gap = (value) => (value === null || value === undefined ? "-" : value);

const isRate = (metric) => metric.endsWith("_rate");

export function axisFor(metric) {
  return isRate(metric)
    ? { type: "value", axisLabel: { formatter: (v) => `${Math.round(v * 100)}%` } }
    : { type: "value" };
}

export function valueText(metric, value) {
  return formatNumber(value, { rate: isRate(metric) });
}

// A bar per group; each datum carries what a click needs (`code` or `agency`) and its missing.
export function barsOption({ names, data, metric, horizontal = false }) {
  const category = {
    type: "category",
    data: names,
    axisLabel: { interval: 0, rotate: horizontal ? 0 : 40 },
  };
  const values = axisFor(metric);
  return {
    grid: { left: horizontal ? 200 : 60, right: 30, top: 30, bottom: horizontal ? 30 : 90 },
    tooltip: {
      trigger: "item",
      formatter: (p) =>
        `${p.name}<br>${p.value === "-" ? t("missing") : valueText(metric, p.value)}` +
        (p.data.missing ? `<br>${t("missing")}: ${p.data.missing}` : ""),
    },
    xAxis: horizontal ? values : category,
    yAxis: horizontal ? { ...category, inverse: true } : values,
    series: [{ type: "bar", name: metric, data, label: { show: horizontal, position: "right" } }],
  };
}

export function linesOption({ years, series }) {
  const rates = series.filter((s) => isRate(s.metric));
  const counts = series.filter((s) => !isRate(s.metric));
  const axes = [];
  if (counts.length) axes.push({ type: "value" });
  if (rates.length) axes.push(axisFor("x_rate"));
  return {
    grid: { left: 60, right: 60, top: 40, bottom: 40 },
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    xAxis: { type: "category", data: years.map(String) },
    yAxis: axes,
    series: series.map((s) => ({
      type: "line",
      name: s.name,
      id: s.metric,
      yAxisIndex: isRate(s.metric) && counts.length ? 1 : 0,
      connectNulls: false,
      data: s.data.map(gap),
    })),
  };
}
