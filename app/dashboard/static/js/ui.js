// Building blocks of every view: elements, panels that name their API request, charts, tables.

import { csvUrl } from "./api.js";
import { lang, t } from "./i18n.js";

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// A panel: a title, its content, and the exact request it was drawn from with its CSV.
export function panel(name, title, urls, ...content) {
  const sources = (Array.isArray(urls) ? urls : [urls]).filter(Boolean);
  const footer = el(
    "footer",
    { class: "source" },
    sources.map((url) => {
      const csv = csvUrl(url);
      return el(
        "div",
        {},
        el("span", { class: "verb", text: `${t("api")} GET` }),
        " ",
        el("a", { href: url, class: "api-url", text: decodeURIComponent(url) }),
        csv ? [" · ", el("a", { href: csv, class: "csv", download: "", text: t("csv") })] : null,
      );
    }),
  );
  return el(
    "section",
    { class: "panel", dataset: { panel: name, api: sources[0] ?? "" } },
    el("h2", { text: title }),
    ...content,
    footer,
  );
}

// A list with no CSV of its own in the API gets one written here from the rows shown.
export function localCsv(headers, rows, filename) {
  const quote = (value) => {
    const text = value === null || value === undefined ? "" : String(value);
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  const body = [headers, ...rows].map((row) => row.map(quote).join(",")).join("\r\n");
  const blob = new Blob(["\ufeff", body, "\r\n"], { type: "text/csv;charset=utf-8" });
  return el("a", {
    class: "csv",
    href: URL.createObjectURL(blob),
    download: filename,
    text: t("csv"),
  });
}

const charts = new Set();

export function chart(name, option, { height = 320, onClick } = {}) {
  const box = el("div", { class: "chart", dataset: { chart: name } });
  box.style.height = `${height}px`;
  // Drawn once the box is in the page, so that ECharts measures its real width.
  requestAnimationFrame(() => {
    const instance = echarts.init(box, null, { locale: lang() === "en" ? "EN" : "ZH" });
    instance.setOption({ animation: !navigator.webdriver, ...option });
    if (onClick) instance.on("click", onClick);
    charts.add(instance);
    box.dataset.drawn = "1";
  });
  return box;
}

export function disposeCharts() {
  for (const instance of charts) instance.dispose();
  charts.clear();
}

window.addEventListener("resize", () => {
  for (const instance of charts) instance.resize();
});

export function table(headers, rows, { class: className } = {}) {
  return el(
    "table",
    { class: className ?? "data" },
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        headers.map((h) => el("th", { text: h })),
      ),
    ),
    el(
      "tbody",
      {},
      rows.map((row) =>
        el(
          "tr",
          {},
          row.map((cell) =>
            cell instanceof Node ? el("td", {}, cell) : el("td", { text: cell ?? "" }),
          ),
        ),
      ),
    ),
  );
}

export function select(name, options, current, onChange) {
  return el(
    "label",
    { class: "control" },
    el("span", { text: t(name) }),
    el(
      "select",
      { name, onchange: (event) => onChange(event.target.value) },
      options.map(([value, text]) =>
        el("option", { value, text, selected: String(value) === String(current) }),
      ),
    ),
  );
}

export function message(kind, text) {
  return el("p", { class: `message ${kind}`, text });
}
