// What is shown lives in the URL's query, so every view can be linked and bookmarked.

const KEYS = [
  "view",
  "region",
  "year",
  "year_from",
  "year_to",
  "metric",
  "by",
  "id",
  "lang",
  "demo",
];

export function readState() {
  const query = new URLSearchParams(location.search);
  const state = {};
  for (const key of KEYS) {
    const value = query.get(key);
    if (value !== null && value !== "") state[key] = value;
  }
  state.view ??= "overview";
  return state;
}

export function stateUrl(state) {
  const query = new URLSearchParams();
  for (const key of KEYS) {
    if (state[key] !== undefined && state[key] !== null && state[key] !== "") {
      query.set(key, state[key]);
    }
  }
  return `${location.pathname}?${query}`;
}

let onChange = () => {};

export function listen(render) {
  onChange = render;
  window.addEventListener("popstate", () => onChange(readState()));
}

export function go(changes, { replace = false } = {}) {
  const next = { ...readState(), ...changes };
  for (const [key, value] of Object.entries(changes)) if (value === undefined) delete next[key];
  const url = stateUrl(next);
  if (replace) history.replaceState(null, "", url);
  else history.pushState(null, "", url);
  onChange(readState());
}

export function link(changes) {
  const next = { ...readState(), ...changes };
  for (const [key, value] of Object.entries(changes)) if (value === undefined) delete next[key];
  return stateUrl(next);
}
