// Requests to the public API. Every URL the dashboard draws from is built here, so the page can
// show it under the chart it fed, and each answer is fetched once per page load.

export const API = "/api/v1";

export class ApiError extends Error {
  constructor(url, status, body) {
    super(body?.error?.message ?? `${status} from ${url}`);
    this.url = url;
    this.status = status;
  }
}

export function apiUrl(path, params = {}) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === "" || value === false) continue;
    for (const item of Array.isArray(value) ? value : [value]) query.append(name, String(item));
  }
  const text = query.toString();
  return `${API}${path}${text ? `?${text}` : ""}`;
}

// The same question as a spreadsheet: the API's own CSV for stats and tables.
export function csvUrl(url) {
  const [path, query] = url.split("?");
  const stats = path.startsWith(`${API}/stats/`);
  if (stats || /\/reports\/\d+\/(tables\/\w+|cells)$/.test(path)) {
    return `${path}.csv${query ? `?${query}` : ""}`;
  }
  return null;
}

const answers = new Map();

export function get(url) {
  if (!answers.has(url)) {
    const answer = fetch(url, { headers: { Accept: "application/json" } }).then(
      async (response) => {
        const body = await response.json().catch(() => null);
        if (!response.ok) throw new ApiError(url, response.status, body);
        return body;
      },
    );
    answer.catch(() => answers.delete(url));
    answers.set(url, answer);
  }
  return answers.get(url);
}

export function getJson(path, params) {
  const url = apiUrl(path, params);
  return get(url).then((body) => ({ url, body }));
}
