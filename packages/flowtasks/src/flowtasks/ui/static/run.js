// One run: header, graph coloured by outcome (path taken in bold), state panel, Gantt timeline,
// Map iterations paged. A run still RUNNING is polled and redrawn when its version changes.
//   ?state=NAME   the selected state
//   ?scope=PATH   a Map iteration looked into: "ProcessFiles[3]" (nested: "A[1]/B[0]")
import { api, clear, formatDuration, formatTime, h, post, put, statusBadge } from "./dom.js";
import { navigate, session, setCrumbs } from "./app.js";
import { drawGraph } from "./graph.js";
import { drawGantt } from "./gantt.js";
import { jsonBlock } from "./json.js";

const POLL_MS = 1000;
const ITER_PAGE = 50;

export async function showRun(main, source, runId, query) {
  const base = `/api/${encodeURIComponent(source)}/runs/${encodeURIComponent(runId)}`;
  const here = `#/${encodeURIComponent(source)}/runs/${encodeURIComponent(runId)}`;
  const selected = query.get("state") || "";
  const scope = query.get("scope") || "";
  setCrumbs({ text: `runs (${source})`, href: `#/${encodeURIComponent(source)}` }, { text: runId });
  const link = (changes) => {
    const params = new URLSearchParams({ state: selected, scope });
    for (const [key, value] of Object.entries(changes)) params.set(key, value);
    for (const key of [...params.keys()]) if (!params.get(key)) params.delete(key);
    const qs = params.toString();
    return `${here}${qs ? "?" + qs : ""}`;
  };

  let view;
  try {
    view = await api(`${base}${scope ? "?scope=" + encodeURIComponent(scope) : ""}`);
  } catch (error) {
    clear(main).appendChild(h("p", { class: "error", id: "run-error" }, error.message));
    return null;
  }
  const summary = view.summary;
  const status = summary.status === "RUNNING" && summary.alive === false ? "INTERRUPTED" : summary.status;
  const graphCard = h("section", { class: "card", id: "graph-card" }, h("h2", {}, "Graph"));
  const panel = h("section", { class: "card panel", id: "state-panel" });
  const timeline = h("section", { class: "card", id: "timeline" }, h("h2", {}, "Timeline"));
  put(clear(main), 
    h("div", { class: "run-head" },
      h("h1", {}, summary.flow), statusBadge(status), h("span", { class: "muted" }, runId),
      h("span", {}, "started ", formatTime(summary.started)),
      summary.duration_ms !== null ? h("span", {}, "took ", formatDuration(summary.duration_ms)) : null,
      h("span", { class: "muted" }, `${view.event_count} events`),
      summary.redriven ? h("span", { class: "muted" }, `redriven ${formatTime(summary.redriven)}`) : null,
      redriveButton(source, runId, summary, base)),
    summary.error ? h("div", { class: "run-error", id: "run-failure" },
      h("strong", {}, summary.error), summary.cause ? `: ${summary.cause}` : "") : null,
    scope ? scopeBar(scope, link) : null,
    h("div", { class: "run-body" }, graphCard, panel),
    timeline);

  const select = (name) => navigate(link({ state: name }));
  await drawGraph(graphCard, view.graph, { onSelect: select, selected });
  graphCard.appendChild(legend());
  if (view.timeline) drawGantt(timeline, view.timeline, { onSelect: select });
  else timeline.appendChild(h("p", { class: "muted" }, "No timeline for this run."));

  if (selected) {
    await showState(panel, base, selected, scope, link);
  } else {
    put(panel, h("h2", {}, "Run"), h("p", { class: "muted" }, "Click a state to see its input, output, errors and retries."),
      jsonBlock("Input", view.input), summary.status === "SUCCEEDED" ? jsonBlock("Output", view.output) : null);
  }

  let stopped = false;
  let timer = null;
  if (summary.status === "RUNNING" && summary.alive !== false) {
    const poll = async () => {
      try {
        const { version } = await api(`${base}/version`);
        if (stopped) return;
        if (version !== view.version) { navigate(location.hash); return; }
      } catch (error) { /* the run folder may be rewritten right now: try again */ }
      if (!stopped) timer = setTimeout(poll, POLL_MS);
    };
    timer = setTimeout(poll, POLL_MS);
  }
  return () => { stopped = true; clearTimeout(timer); };
}

const REDRIVABLE = ["FAILED", "TIMED_OUT", "ABORTED"];

function redriveButton(source, runId, summary, base) {
  if (!session.actions.includes(source) || !REDRIVABLE.includes(summary.status)) return null;
  const button = h("button", { type: "button", id: "redrive",
    title: "Run it again from the states that did not succeed (flow-task run --redrive, waits skipped)" }, "Redrive");
  const note = h("span", { class: "muted", id: "redrive-note" });
  button.addEventListener("click", async () => {
    if (!window.confirm(`Redrive run ${runId} from the states that did not succeed?`)) return;
    button.disabled = true;
    note.textContent = "redriving…";
    let before;
    try {
      before = (await api(`${base}/version`)).version;
      await post(`${base}/redrive`, session.csrf);
    } catch (error) {
      note.textContent = error.message;
      button.disabled = false;
      return;
    }
    for (let i = 0; i < 100; i++) { // the redrive starts in its own process: wait for it
      await new Promise((resolve) => setTimeout(resolve, 200));
      const { version } = await api(`${base}/version`);
      if (version !== before) break;
    }
    navigate(location.hash);
  });
  return h("span", {}, button, " ", note);
}

function scopeBar(scope, link) {
  const parts = scope.split("/");
  return h("div", { class: "scope-bar", id: "scope-bar" },
    h("span", {}, "Looking into ", h("strong", {}, describeScopePath(scope))),
    h("a", { href: link({ scope: parts.slice(0, -1).join("/"), state: parts[parts.length - 1].replace(/\[\d+\]$/, "") }) },
      "back to the Map"));
}

function describeScope(part) {
  const match = /^(.*)\[(\d+)\]$/.exec(part);
  return match ? `${match[1]}, iteration ${match[2]}` : part;
}

function legend() {
  return h("div", { class: "legend" }, [
    ["succeeded", "succeeded"], ["failed", "failed"], ["caught", "failed, caught"],
    ["running", "running"], ["not_run", "not run"],
  ].map(([status, text]) => statusBadge(text.toUpperCase().replace(", ", " · ")).cloneNode(true))
    .map((badge, i) => { badge.className = `badge status-${["succeeded", "failed", "caught", "running", "not_run"][i]}`; return badge; }),
  h("span", { class: "muted" }, "↻N: retried N times · bold blue arrows: the path taken"));
}

async function showState(panel, base, name, scope, link) {
  let state;
  const params = new URLSearchParams({ scope });
  try {
    state = await api(`${base}/states/${encodeURIComponent(name)}?${params}`);
  } catch (error) {
    put(panel, h("h2", {}, name), h("p", { class: "error" }, error.message));
    return;
  }
  put(panel, h("h2", { id: "state-name" }, `${state.name} `, h("span", { class: "muted" }, `(${state.type})`)),
    statusBadge(state.outcome.toUpperCase()));
  if (state.in_iterations) panel.appendChild(inIterations(state, scope, link));
  if (state.visits.length === 0) {
    if (!state.in_iterations) panel.appendChild(h("p", { class: "muted" }, "This state did not run."));
    panel.appendChild(jsonBlock("Definition", state.definition, { open: 1 }));
    return;
  }
  const body = h("div", { id: "visit" });
  if (state.visits.length > 1) {
    const tabs = h("div", { class: "visit-tabs", role: "group", "aria-label": "times entered" });
    state.visits.forEach((visit, i) => {
      const button = h("button", { type: "button", "aria-pressed": i === state.visits.length - 1 ? "true" : "false" },
        `#${i + 1} ${visit.outcome}`);
      button.addEventListener("click", () => {
        for (const b of tabs.children) b.setAttribute("aria-pressed", "false");
        button.setAttribute("aria-pressed", "true");
        showVisit(clear(body), visit, state, base, scope, link);
      });
      tabs.appendChild(button);
    });
    put(panel, h("p", { class: "muted" }, `Entered ${state.visits.length} times.`), tabs);
  }
  panel.appendChild(body);
  showVisit(body, state.visits[state.visits.length - 1], state, base, scope, link);
  panel.appendChild(jsonBlock("Definition", state.definition, { open: 0 }));
}

function inIterations(state, scope, link) {
  const info = state.in_iterations;
  const box = h("div", { id: "in-iterations" },
    h("p", {}, `Runs inside a Map: entered ${info.runs} times across its iterations` +
      (info.retries ? `, retried ${info.retries} times in all.` : ".")),
    h("div", { class: "iter-summary" }, Object.entries(info.counts).map(([status, count]) => {
      const badge = statusBadge(`${status} ${count}`);
      badge.className = `badge status-${status}`;
      return badge;
    })));
  if (info.failed.length) {
    box.appendChild(h("p", {}, "Where it failed (open an iteration to see its input and error):"));
    box.appendChild(h("ul", { class: "failed-iterations" }, info.failed.map((item) =>
      h("li", {}, h("a", { href: link({ scope: item.scope, state: state.name }) }, describeScopePath(item.scope)),
        ` ${item.outcome}: ${item.error || ""}`))));
  } else {
    box.appendChild(h("p", { class: "muted" }, "Open the Map state to page through its iterations."));
  }
  return box;
}

function describeScopePath(scope) {
  return scope.split("/").map(describeScope).join(" › ");
}

function showVisit(body, visit, state, base, scope, link) {
  put(body, h("dl", {},
    h("dt", {}, "Entered"), h("dd", {}, formatTime(visit.entered)),
    h("dt", {}, "Duration"), h("dd", {}, visit.duration_ms === null ? "still running" : formatDuration(visit.duration_ms)),
    visit.attempts.length ? [h("dt", {}, "Attempts"), h("dd", { id: "attempt-count" }, String(visit.attempts.length))] : null));
  if (visit.error) {
    body.appendChild(h("div", { class: "run-error", id: "state-error" },
      h("strong", { class: "error-name" }, visit.error),
      visit.cause ? h("div", { class: "cause" }, visit.cause) : null));
  }
  if (visit.attempts.length > 1 || visit.attempts.some((a) => a.error)) {
    body.appendChild(h("table", { class: "attempts", id: "attempts" },
      h("thead", {}, h("tr", {}, ["#", "result", "took", "then"].map((t) => h("th", {}, t)))),
      h("tbody", {}, visit.attempts.map((attempt, i) => h("tr", {},
        h("td", {}, String(i + 1)),
        h("td", {}, attempt.error ? h("span", { class: "error" }, attempt.error, attempt.cause ? `: ${attempt.cause}` : "") : "succeeded"),
        h("td", {}, attempt.duration_ms === null ? "" : formatDuration(attempt.duration_ms)),
        h("td", {}, attempt.retry_in_seconds !== null && attempt.retry_in_seconds !== undefined
          ? `retried after ${attempt.retry_in_seconds} s` : ""))))));
  }
  if (visit.catcher) {
    body.appendChild(h("p", { id: "catcher" }, "Caught by the catcher for ",
      h("code", {}, (visit.catcher.error_equals || []).join(", ")), " → ", h("strong", {}, visit.catcher.next)));
  }
  if (visit.branches && visit.branches.length) {
    body.appendChild(h("div", { id: "branches" }, h("h3", {}, "Branches"),
      h("table", { class: "iterations" }, h("tbody", {}, visit.branches.map((branch) =>
        h("tr", {}, h("td", {}, `branch ${branch.index + 1}`), h("td", {}, statusBadge(branch.status)),
          h("td", {}, branch.states.join(" → "))))))));
  }
  if (visit.map) body.appendChild(iterationsPanel(visit.map, state, base, scope, link));
  body.appendChild(jsonBlock("Input", visit.input));
  if (visit.output !== undefined && visit.output !== null) body.appendChild(jsonBlock("Output", visit.output));
  if (visit.variables && Object.keys(visit.variables).length) body.appendChild(jsonBlock("Variables assigned", visit.variables));
}

function iterationsPanel(map, state, base, scope, link) {
  const box = h("div", { id: "iterations" }, h("h3", {}, `Iterations (${map.total})`));
  const counts = h("div", { class: "iter-summary" });
  for (const [status, count] of Object.entries(map.counts)) counts.appendChild(statusBadge(`${status} ${count}`));
  const filter = h("select", { "aria-label": "iteration status", id: "iteration-status" },
    h("option", { value: "" }, "every iteration"),
    Object.keys(map.counts).map((status) => h("option", { value: status }, status)));
  const table = h("table", { class: "iterations" }, h("thead", {}, h("tr", {}, ["#", "status", "took", "error"].map((t) => h("th", {}, t)))));
  const rows = h("tbody", {});
  table.appendChild(rows);
  const pager = h("div", { class: "pager" });
  put(box, counts, h("label", {}, "Show ", filter), table, pager);
  let offset = 0;
  const load = async () => {
    const params = new URLSearchParams({ scope, offset, limit: ITER_PAGE, visit: map.visit });
    if (filter.value) params.set("status", filter.value);
    let page;
    try {
      page = await api(`${base}/states/${encodeURIComponent(state.name)}/iterations?${params}`);
    } catch (error) {
      clear(rows).appendChild(h("tr", {}, h("td", { colspan: 4, class: "error" }, error.message)));
      return;
    }
    clear(rows);
    for (const item of page.items) {
      const inner = `${scope ? scope + "/" : ""}${state.name}[${item.index}]`;
      const tr = h("tr", { dataset: { index: item.index }, tabindex: 0 },
        h("td", {}, h("a", { href: link({ scope: inner, state: item.first_state || "" }) }, String(item.index))),
        h("td", {}, statusBadge(item.status)),
        h("td", {}, formatDuration(item.duration_ms)),
        h("td", { class: "error-cell" }, item.error || ""));
      tr.addEventListener("click", (event) => { if (event.target.tagName !== "A") navigate(link({ scope: inner, state: item.first_state || "" })); });
      rows.appendChild(tr);
    }
    clear(pager);
    const pages = Math.max(1, Math.ceil(page.total / ITER_PAGE));
    const at = Math.floor(offset / ITER_PAGE);
    put(pager, 
      h("button", { type: "button", disabled: at === 0, onclick: () => { offset -= ITER_PAGE; load(); } }, "‹ previous"),
      h("span", { id: "iteration-page" }, ` ${page.total ? offset + 1 : 0}–${offset + page.items.length} of ${page.total} `),
      h("button", { type: "button", disabled: at + 1 >= pages, onclick: () => { offset += ITER_PAGE; load(); } }, "next ›"));
  };
  filter.addEventListener("change", () => { offset = 0; load(); });
  load();
  return box;
}
