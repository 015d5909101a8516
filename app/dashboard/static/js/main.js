// The dashboard's frame: header, shared controls, and one view at a time, chosen by the URL.

import { apiUrl, get } from "./api.js";
import { loadContext } from "./context.js";
import { setLanguage, t } from "./i18n.js";
import { go, link, listen, readState } from "./state.js";
import { disposeCharts, el, message, select } from "./ui.js";
import * as breakdown from "./views/breakdown.js";
import * as outcomes from "./views/outcomes.js";
import * as overview from "./views/overview.js";
import * as quality from "./views/quality.js";
import * as rank from "./views/rank.js";
import * as report from "./views/report.js";
import * as trend from "./views/trend.js";

const VIEWS = { overview, trend, outcomes, breakdown, rank, quality, report };
const MENU = ["overview", "trend", "outcomes", "breakdown", "rank", "quality"];

let renderCount = 0;

async function render(state) {
  const current = ++renderCount;
  document.body.dataset.ready = "0";
  setLanguage(state.lang);
  const view = VIEWS[state.view] ?? overview;
  renderHeader(state);
  const main = document.getElementById("view");
  const controls = document.querySelector(".controls");
  disposeCharts();
  main.replaceChildren(message("loading", t("loading")));
  controls.replaceChildren();
  try {
    const context = await loadContext(state);
    if (current !== renderCount) return;
    document.querySelector(".demo-badge").hidden = !context.demo;
    document.querySelector("input[name=demo]").checked = context.demo;
    controls.replaceChildren(...sharedControls(view.needs ?? [], state, context));
    const content = await view.render(state, context);
    if (current !== renderCount) return;
    main.replaceChildren(...content);
  } catch (error) {
    if (current !== renderCount) return;
    main.replaceChildren(message("error", `${t("error")}: ${error.message}`));
  }
  // Charts draw on the next frame; the page is ready once they have.
  requestAnimationFrame(() =>
    requestAnimationFrame(() => {
      if (current !== renderCount) return;
      document.body.dataset.ready = "1";
      // For bench/dashboard.py: milliseconds from navigation until this view was drawn.
      document.body.dataset.readyAt = String(Math.round(performance.now()));
    }),
  );
}

function renderHeader(state) {
  document.title = `gkstats · ${t(`view_${state.view}`)}`;
  for (const node of document.querySelectorAll("[data-i18n]"))
    node.textContent = t(node.dataset.i18n);
  const nav = document.querySelector("nav.views");
  nav.replaceChildren(
    ...MENU.map((name) =>
      el("a", {
        href: link({ view: name, id: undefined }),
        class: name === state.view ? "active" : null,
        dataset: { view: name },
        text: t(`view_${name}`),
        onclick: (event) => {
          event.preventDefault();
          go({ view: name, id: undefined });
        },
      }),
    ),
  );
  const button = document.querySelector("button.lang");
  button.textContent = t("lang_switch");
  button.onclick = () => go({ lang: state.lang === "en" ? undefined : "en" });
  document.querySelector("input[name=demo]").onchange = (event) =>
    go({ demo: event.target.checked ? "1" : "0" });
}

function sharedControls(needs, state, context) {
  const nodes = [];
  if (needs.includes("region")) nodes.push(regionControl(context));
  if (needs.includes("year")) {
    const years = context.years.length ? context.years : [context.year];
    nodes.push(
      select(
        "year",
        years.map((y) => [y, y]),
        context.year,
        (y) => go({ year: y }),
      ),
    );
  }
  if (needs.includes("any_year")) {
    const years = [["", t("all_years")], ...context.years.map((y) => [y, y])];
    nodes.push(select("year", years, state.year ?? "", (y) => go({ year: y || undefined })));
  }
  return nodes;
}

// 全国 › 江苏省 › 淮安市, then a choice among the children of the region shown.
function regionControl(context) {
  const path = context.region ? context.region.path : [];
  const crumbs = [
    el("a", { href: link({ region: undefined }), text: t("country"), onclick: follow(undefined) }),
    ...path.map((step) =>
      el("a", { href: link({ region: step.code }), text: step.name, onclick: follow(step.code) }),
    ),
  ];
  const children = context.region ? context.region.children : null;
  const nav = el("nav", { class: "crumbs", "aria-label": t("region") });
  crumbs.forEach((crumb, index) => nav.append(...(index ? [" › ", crumb] : [crumb])));
  const control = el("div", { class: "control region" }, el("span", { text: t("region") }), nav);
  if (children === null || children.length) {
    const choose = el(
      "select",
      {
        name: "region",
        onchange: (event) => event.target.value && go({ region: event.target.value }),
      },
      el("option", { value: "", text: "…" }),
    );
    control.append(choose);
    const fill = (items) =>
      choose.append(...items.map((c) => el("option", { value: c.code, text: c.name })));
    if (children) fill(children);
    else {
      // Without the list the breadcrumb still works; the failure is shown, not thrown.
      get(apiUrl("/regions", { level: "province", limit: 100 }))
        .then((page) => fill(page.items))
        .catch((error) => control.append(message("error", error.message)));
    }
  }
  return control;
}

function follow(code) {
  return (event) => {
    event.preventDefault();
    go({ region: code });
  };
}

listen(render);
render(readState());
