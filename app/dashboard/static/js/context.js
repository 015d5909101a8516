// What every view needs besides its own figures: labels, the region, the years with data, and
// whether the synthetic demo set is shown.

import { get, getJson } from "./api.js";
import { label, t } from "./i18n.js";

export const RATES = [
  "disclosure_rate",
  "denial_rate",
  "reconsideration_correction_rate",
  "litigation_correction_rate",
];

// Demo data is shown while no real report is placed in a region, or when the user asks.
async function showDemo(state) {
  if (state.demo === "1") return true;
  if (state.demo === "0") return false;
  const { body } = await getJson("/stats/aggregate", {
    metric: "requests.new.total",
    group_by: "province",
    limit: 1000,
  });
  return !body.items.some((group) => group.province !== null);
}

export async function loadContext(state) {
  // The years and the trend are asked for with and without the demo set while the choice is
  // made, so that the choice costs no round trip of its own.
  const series = (demo) =>
    getJson("/stats/aggregate", {
      region: state.region,
      include_synthetic: demo,
      metric: ["requests.new.total", "disclosure_rate"],
      group_by: "year",
      limit: 1000,
    });
  const candidates = state.demo === undefined ? [series(true), series(false)] : [];
  for (const candidate of candidates) candidate.catch(() => {}); // the one chosen is awaited
  const [catalog, demo, region] = await Promise.all([
    get("/api/v1/catalog"),
    showDemo(state),
    state.region ? get(`/api/v1/regions/${encodeURIComponent(state.region)}`) : null,
  ]);
  const chosen = await (candidates.length ? candidates[demo ? 0 : 1] : series(demo));
  const scope = { region: state.region, include_synthetic: demo };
  const years = chosen.body.items.map((group) => group.year).sort((a, b) => a - b);
  const year = Number(state.year ?? years.at(-1) ?? new Date().getFullYear() - 1);
  return { catalog, demo, region, scope, series: chosen, years, year, labels: cellLabels(catalog) };
}

function cellLabels(catalog) {
  const labels = new Map();
  for (const table of catalog.tables) {
    for (const row of table.rows) {
      for (const columns of Object.values(row.columns)) {
        for (const column of columns) {
          labels.set(`${table.key}.${row.key}.${column.key}`, { table, row, column });
        }
      }
    }
  }
  return labels;
}

export function metricLabel(context, key) {
  if (RATES.includes(key)) return t(key);
  const found = context.labels.get(key);
  if (!found) return key;
  const row = label(found.row);
  const column = label(found.column);
  return column === row ? row : `${row} · ${column}`;
}

// The level below a region, as a `group_by` of /stats/aggregate: agencies below a county.
export function childLevel(region) {
  if (!region) return "province";
  if (region.level === "county") return "agency";
  const levels = new Set(region.children.map((child) => child.level));
  if (levels.has("city")) return "city";
  return "county";
}

export function regionName(context) {
  return context.region ? context.region.name : t("country");
}

export function groupName(group, key) {
  const who = group[key];
  if (who === null || who === undefined) return t("not_below");
  return who.name ?? String(who);
}
