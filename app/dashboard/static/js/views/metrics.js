// The metric picker: every catalog key and rate that /api/v1/stats/keys lists.

import { getJson } from "../api.js";
import { metricLabel } from "../context.js";
import { go } from "../state.js";
import { select } from "../ui.js";

export async function metricPicker(context, current) {
  const { body } = await getJson("/stats/keys", {
    include_synthetic: context.scope.include_synthetic,
  });
  const options = body.items
    .filter((item) => item.kind === "ratio" || item.reports > 0 || item.key === current)
    .map((item) => [item.key, `${metricLabel(context, item.key)} (${item.key})`]);
  return select("metric", options, current, (metric) => go({ metric }));
}
