// One report: its three tables as printed with each cell's status, its arithmetic checks with
// both sides of every failing equation, its six parts, its revisions and the original document.

import { API, getJson } from "../api.js";
import { label, t } from "../i18n.js";
import { link } from "../state.js";
import { el, localCsv, message, panel, table } from "../ui.js";

export const needs = [];

const TABLES = ["proactive", "requests", "reviews"];
const STATUSES = ["number", "blank", "not_applicable", "inferred", "unreadable", "absent"];

export async function render(state) {
  if (!state.id) return [message("error", t("no_data"))];
  const base = `/reports/${encodeURIComponent(state.id)}`;
  const [report, checks, sections, revisions, flags, ...tables] = await Promise.all([
    getJson(base),
    getJson(`${base}/checks`),
    getJson(`${base}/sections`),
    getJson(`${base}/revisions`),
    getJson(`${base}/flags`),
    ...TABLES.map((key) => getJson(`${base}/tables/${key}`)),
  ]);
  const failing = checks.body.items.filter((check) => check.result === "fail");
  const failingCells = new Map();
  for (const check of failing) {
    for (const key of check.cells) failingCells.set(key, check);
  }
  const r = report.body;
  return [
    el("h1", { text: r.title ?? `${r.agency.name} ${r.year}` }),
    panel(
      "report-summary",
      `${r.agency.name} · ${r.year}`,
      report.url,
      table(
        [t("format"), t("checks"), t("region"), t("ingested_at"), t("original_document")],
        [
          [
            r.format,
            `${t("checks_passed")} ${r.checks.passed} · ${t("checks_failed")} ${r.checks.failed} · ${t("checks_na")} ${r.checks.not_assessable}`,
            r.agency.region ? r.agency.region.name : "—",
            r.ingested_at,
            el("a", {
              href: `${API}${base}/document`,
              class: "document",
              text: r.source.filename ?? t("original_document"),
            }),
          ],
        ],
      ),
      r.synthetic ? el("p", { class: "demo-note", text: t("demo_badge") }) : null,
    ),
    legend(),
    ...tables.map((answer) => tablePanel(answer, failingCells)),
    checksPanel(checks, failing),
    flagsPanel(flags),
    sectionsPanel(sections),
    revisionsPanel(revisions, r.id),
  ];
}

function legend() {
  return el(
    "div",
    { class: "legend", "aria-label": t("status_legend") },
    el("span", { text: `${t("status_legend")}: ` }),
    STATUSES.map((status) =>
      el("span", {
        class: `cell status-${status}`,
        dataset: { status },
        text: t(`status_${status}`),
      }),
    ),
    el("span", { class: "cell check-fail", text: t("cell_check_fail") }),
  );
}

function cellNode(cell, failingCells) {
  if (!cell)
    return el("td", {
      class: "cell status-absent",
      dataset: { status: "absent" },
      title: t("status_absent"),
    });
  const key = `${cell.table}.${cell.row}.${cell.col}`;
  const check = failingCells.get(key);
  const shown =
    cell.status === "number" || cell.status === "inferred"
      ? String(cell.value)
      : cell.status === "blank"
        ? ""
        : cell.raw || "/";
  return el("td", {
    class: `cell status-${cell.status}${check ? " check-fail" : ""}`,
    dataset: { key, status: cell.status, value: cell.value ?? "" },
    title: `${key} · ${t(`status_${cell.status}`)}${cell.raw ? ` · “${cell.raw}”` : ""}${check ? ` · ${check.message}` : ""}`,
    text: shown,
  });
}

// Rows with the same columns share one header, as the printed table does.
function tablePanel({ url, body }, failingCells) {
  const blocks = [];
  for (const row of body.rows) {
    const columns = row.columns.map((c) => c.key).join(",");
    if (!blocks.length || blocks.at(-1).columns !== columns) blocks.push({ columns, rows: [] });
    blocks.at(-1).rows.push(row);
  }
  const printed = el(
    "table",
    { class: "printed", dataset: { table: body.table } },
    blocks.map((block) => [
      el(
        "thead",
        {},
        el(
          "tr",
          {},
          el("th", {}),
          block.rows[0].columns.map((c) => el("th", { text: label(c) })),
        ),
      ),
      el(
        "tbody",
        {},
        block.rows.map((row) =>
          el(
            "tr",
            { dataset: { row: row.key } },
            el("th", { text: label(row) }),
            row.cells.map((cell) => cellNode(cell, failingCells)),
          ),
        ),
      ),
    ]),
  );
  return panel(`report-table-${body.table}`, label(body, "title"), url, printed);
}

function checksPanel({ url, body }, failing) {
  const row = (check) => [
    check.rule,
    check.scope,
    t(
      check.result === "fail"
        ? "checks_failed"
        : check.result === "pass"
          ? "checks_passed"
          : "checks_na",
    ),
    check.left ?? "—",
    check.right ?? "—",
    check.difference ?? "—",
    check.message,
  ];
  const headers = ["rule", "scope", t("checks"), t("left"), t("right"), t("difference"), ""];
  return panel(
    "report-checks",
    `${t("report_checks")} · ${t("checks_failed")} ${failing.length}`,
    url,
    failing.length ? table(headers, failing.map(row), { class: "data failing" }) : null,
    el(
      "details",
      {},
      el("summary", { text: `${t("report_checks")} (${body.items.length})` }),
      table(headers, body.items.map(row)),
    ),
    localCsv(
      ["rule", "scope", "result", "left", "right", "difference", "message"],
      body.items.map((c) => [c.rule, c.scope, c.result, c.left, c.right, c.difference, c.message]),
      `report-${body.report_id}-checks.csv`,
    ),
  );
}

function flagsPanel({ url, body }) {
  const headers = [t("flag_rule"), "key", t("flag_expected"), t("flag_found"), ""];
  const rows = body.items.map((f) => [f.rule, f.key, f.expected, f.found, f.message]);
  const previous =
    body.previous_report_id === null
      ? el("p", { class: "note", text: t("flags_no_previous") })
      : el(
          "p",
          { class: "note" },
          el("a", {
            href: link({ id: body.previous_report_id }),
            text: `${t("flags_previous")} #${body.previous_report_id}`,
          }),
        );
  return panel(
    "report-flags",
    `${t("report_flags")} (${body.items.length})`,
    url,
    previous,
    body.items.length ? table(headers, rows, { class: "data flags" }) : null,
    localCsv(headers, rows, `report-${body.report_id}-flags.csv`),
  );
}

function sectionsPanel({ url, body }) {
  return panel(
    "report-sections",
    t("report_sections"),
    url,
    body.items.map((section) =>
      el(
        "article",
        { class: "section", dataset: { number: section.number } },
        // The preamble (part 0) has no printed title.
        el("h3", { text: section.title || t("preamble") }),
        el("p", { text: section.text }),
      ),
    ),
  );
}

function revisionsPanel({ url, body }, shownId) {
  const rows = body.items.map((r) => [
    r.id,
    r.revision,
    r.ingested_at,
    r.is_current,
    r.withdrawn_at,
    r.withdrawal_reason,
    r.source.filename,
    r.source.sha256,
  ]);
  const headers = ["id", "revision", "ingested_at", "is_current", "withdrawn_at", "reason"];
  return panel(
    "report-revisions",
    t("report_revisions"),
    url,
    table(
      [t("revision"), t("ingested_at"), "", t("original_document")],
      body.items.map((r) => [
        r.id === shownId
          ? `${r.revision}`
          : el("a", { href: link({ id: r.id }), text: String(r.revision) }),
        r.ingested_at,
        r.withdrawn_at
          ? `${t("withdrawn")}: ${r.withdrawal_reason ?? ""}`
          : r.is_current
            ? t("current")
            : t("superseded"),
        el("a", {
          href: `${API}/reports/${r.id}/document`,
          text: r.source.filename ?? String(r.id),
        }),
      ]),
    ),
    localCsv([...headers, "filename", "sha256"], rows, `report-${shownId}-revisions.csv`),
  );
}
