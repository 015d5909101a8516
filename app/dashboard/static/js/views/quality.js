// What needs a person's attention: reports whose arithmetic fails, agencies not placed in a
// region (so left out of every regional figure), and reports with cells that could not be read.

import { getJson } from "../api.js";
import { t } from "../i18n.js";
import { link } from "../state.js";
import { el, localCsv, panel, table } from "../ui.js";

export const needs = ["region", "any_year"];

export async function render(state, context) {
  const scope = {
    region: context.scope.region,
    year: state.year,
    synthetic: context.demo ? undefined : "false",
    limit: 100,
  };
  const [failing, unreadable, unplaced] = await Promise.all([
    getJson("/reports", { ...scope, failing_checks: true }),
    getJson("/reports", { ...scope, unreadable_cells: true }),
    getJson("/agencies", { unplaced: true, limit: 100 }),
  ]);
  return [
    el("h1", { text: `${t("view_quality")} · ${state.year ?? t("all_years")}` }),
    reportsPanel("quality-failing", t("quality_failing"), failing),
    agenciesPanel(unplaced),
    reportsPanel("quality-unreadable", t("quality_unreadable"), unreadable),
  ];
}

function reportsPanel(name, title, { url, body }) {
  const headers = ["id", t("agency"), t("year_col"), t("format"), t("checks_failed")];
  const rows = body.items.map((r) => [r.id, r.agency.name, r.year, r.format, r.checks.failed]);
  return panel(
    name,
    `${title} (${body.total})`,
    url,
    table(
      headers,
      body.items.map((r, i) => [
        el("a", { href: link({ view: "report", id: r.id }), text: `#${r.id}` }),
        ...rows[i].slice(1),
      ]),
    ),
    localCsv(headers, rows, `gkstats-${name}.csv`),
  );
}

function agenciesPanel({ url, body }) {
  const headers = ["id", t("agency"), t("candidates"), t("year_col")];
  const rows = body.items.map((a) => [
    a.id,
    a.name,
    a.region_candidates.join(" "),
    a.years.join(" "),
  ]);
  return panel(
    "quality-unplaced",
    `${t("quality_unplaced")} (${body.total})`,
    url,
    el(
      "p",
      { class: "note" },
      el("a", {
        href: "/docs#/agencies/patch_agency_api_v1_agencies__agency_id__patch",
        text: t("unplaced_fix"),
      }),
    ),
    table(headers, rows),
    localCsv(headers, rows, "gkstats-unplaced-agencies.csv"),
  );
}
