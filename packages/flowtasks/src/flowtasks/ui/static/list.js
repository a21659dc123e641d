// The runs list: newest first, filtered by flow, status and text, paged; refreshed every
// 2 seconds so new runs (and the end of running ones) appear.
import { api, clear, formatDuration, formatTime, h, put, statusBadge } from "./dom.js";
import { navigate, setCrumbs } from "./app.js";

const PAGE = 100;
const REFRESH_MS = 2000;

export async function showList(main, source, query) {
  setCrumbs({ text: `runs (${source})` });
  const filters = {
    flow: query.get("flow") || "",
    status: query.get("status") || "",
    q: query.get("q") || "",
    offset: Number(query.get("offset") || 0),
  };
  const flowSelect = h("select", { id: "filter-flow", "aria-label": "flow" });
  const statusSelect = h("select", { id: "filter-status", "aria-label": "status" });
  const text = h("input", { id: "filter-text", type: "search", placeholder: "id, flow or error",
    "aria-label": "search", value: filters.q });
  const count = h("span", { class: "muted", id: "run-count" });
  const body = h("tbody", { id: "runs-body" });
  const pager = h("div", { class: "pager", id: "pager" });
  const table = h("table", { class: "runs", id: "runs" },
    h("thead", {}, h("tr", {}, ["Run", "Flow", "Status", "Started", "Duration", "Error"]
      .map((title) => h("th", {}, title)))),
    body);
  put(clear(main), 
    h("div", { class: "filters" },
      h("label", {}, "Flow ", flowSelect), h("label", {}, "Status ", statusSelect),
      h("label", {}, "Search ", text), count),
    table, pager);

  const go = (changes) => {
    const next = { ...filters, offset: 0, ...changes };
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(next)) if (value) params.set(key, value);
    const qs = params.toString();
    navigate(`#/${encodeURIComponent(source)}${qs ? "?" + qs : ""}`);
  };
  flowSelect.addEventListener("change", () => go({ flow: flowSelect.value }));
  statusSelect.addEventListener("change", () => go({ status: statusSelect.value }));
  let typing = null;
  text.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(() => go({ q: text.value.trim() }), 300);
  });

  let stopped = false;
  let timer = null;
  let lastKey = "";
  async function load() {
    const params = new URLSearchParams({ limit: PAGE, offset: filters.offset });
    for (const key of ["flow", "status", "q"]) if (filters[key]) params.set(key, filters[key]);
    let page;
    try {
      page = await api(`/api/${encodeURIComponent(source)}/runs?${params}`);
    } catch (error) {
      clear(body).appendChild(h("tr", {}, h("td", { colspan: 6, class: "error" }, error.message)));
      return;
    }
    if (stopped) return;
    fillSelect(flowSelect, "every flow", page.flows, filters.flow);
    fillSelect(statusSelect, "every status", Object.keys(page.statuses), filters.status,
      (status) => `${status} (${page.statuses[status]})`);
    const key = JSON.stringify(page.runs.map((run) => [run.id, run.status, run.alive]));
    count.textContent = `${page.total} run${page.total === 1 ? "" : "s"}`;
    if (key !== lastKey) {
      lastKey = key;
      clear(body);
      if (page.runs.length === 0) {
        body.appendChild(h("tr", {}, h("td", { colspan: 6, class: "muted" },
          page.total === 0 && !filters.flow && !filters.status && !filters.q
            ? "No saved runs yet: `flow-task run FLOW` saves one." : "No run matches these filters.")));
      }
      for (const run of page.runs) body.appendChild(row(source, run));
    }
    clear(pager);
    if (page.total > PAGE) {
      const pages = Math.ceil(page.total / PAGE);
      const at = Math.floor(filters.offset / PAGE);
      put(pager, 
        h("button", { type: "button", disabled: at === 0, onclick: () => go({ ...filters, offset: (at - 1) * PAGE }) }, "‹ newer"),
        h("span", {}, ` page ${at + 1} of ${pages} `),
        h("button", { type: "button", disabled: at + 1 >= pages, onclick: () => go({ ...filters, offset: (at + 1) * PAGE }) }, "older ›"));
    }
  }
  await load();
  const tick = async () => { await load(); if (!stopped) timer = setTimeout(tick, REFRESH_MS); };
  timer = setTimeout(tick, REFRESH_MS);
  return () => { stopped = true; clearTimeout(timer); };
}

function fillSelect(select, everyLabel, values, chosen, label = (v) => v) {
  const wanted = JSON.stringify([values, chosen, values.map(label)]);
  if (select.dataset.filled === wanted) return;
  select.dataset.filled = wanted;
  clear(select).appendChild(h("option", { value: "" }, everyLabel));
  const all = chosen && !values.includes(chosen) ? [...values, chosen] : values;
  for (const value of all) {
    select.appendChild(h("option", { value, selected: value === chosen }, label(value)));
  }
}

function row(source, run) {
  const href = `#/${encodeURIComponent(source)}/runs/${encodeURIComponent(run.id)}`;
  const status = run.status === "RUNNING" && run.alive === false ? "INTERRUPTED" : run.status;
  return h("tr", { class: `run status-${status.toLowerCase()}`, dataset: { runId: run.id } },
    h("td", {}, h("a", { href, class: "run-link" }, run.id)),
    h("td", {}, run.flow),
    h("td", {}, statusBadge(status, status === "INTERRUPTED" ? "its flow-task process is gone" : null)),
    h("td", {}, formatTime(run.started)),
    h("td", { class: "num" }, formatDuration(run.duration_ms)),
    h("td", { class: "error-cell", title: run.cause || null }, run.error || ""));
}
