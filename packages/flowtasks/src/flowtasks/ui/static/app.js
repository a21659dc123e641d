// The page: a hash router over two views, the runs list and one run.
//   #/local                          runs of a source (filters in the query: ?flow=&status=&q=)
//   #/local/runs/<id>                one run (?state=<name> selects a state)
import { api, clear, h } from "./dom.js";
import { showList } from "./list.js";
import { showRun } from "./run.js";

const main = document.getElementById("main");
const crumbs = document.getElementById("crumbs");
let sources = ["local"];
export const session = { csrf: "", actions: [] }; // from GET /api/sources
let current = null; // the shown view's stop(), if it polls

export function navigate(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

export function setCrumbs(...parts) {
  clear(crumbs);
  parts.forEach((part, i) => {
    if (i) crumbs.appendChild(h("span", { class: "sep" }, "›"));
    crumbs.appendChild(part.href ? h("a", { href: part.href }, part.text) : h("span", {}, part.text));
  });
}

function parse() {
  const raw = location.hash.replace(/^#\/?/, "");
  const [path, query] = raw.split("?", 2);
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  return { parts, query: new URLSearchParams(query || "") };
}

async function route() {
  if (current) { current(); current = null; }
  const { parts, query } = parse();
  const source = parts[0] && sources.includes(parts[0]) ? parts[0] : sources[0];
  if (parts.length >= 3 && parts[1] === "runs") {
    current = await showRun(main, source, parts[2], query);
  } else {
    current = await showList(main, source, query);
  }
}

async function start() {
  try {
    const info = await api("/api/sources");
    sources = info.sources;
    session.csrf = info.csrf;
    session.actions = info.actions || [];
    document.body.dataset.graphLayout = info.graph_layout ? "elk" : "missing";
    const picker = document.getElementById("source-picker");
    if (sources.length > 1) {
      const select = h("select", { "aria-label": "source", id: "source" },
        sources.map((name) => h("option", { value: name }, name)));
      select.addEventListener("change", () => navigate(`#/${encodeURIComponent(select.value)}`));
      picker.appendChild(h("label", {}, "source ", select));
    }
  } catch (error) {
    clear(main).appendChild(h("p", { class: "error" }, `Cannot reach the server: ${error.message}`));
    return;
  }
  window.addEventListener("hashchange", route);
  route();
}

start();
