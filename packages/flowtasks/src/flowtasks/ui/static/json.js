// JSON shown folded: objects and arrays are <details> elements (the first level open), long
// arrays are shown 100 items at a time, every value is text. A Copy button puts the JSON text
// on the clipboard.
import { h, put } from "./dom.js";

const PAGE = 100;

export function jsonBlock(label, value, options = {}) {
  const text = value === undefined ? "" : JSON.stringify(value, null, 2);
  const copy = h("button", {
    type: "button", class: "copy", title: `Copy ${label} as JSON`,
    onclick: async (event) => {
      const button = event.currentTarget;
      try {
        await navigator.clipboard.writeText(text);
        button.textContent = "Copied";
      } catch (e) {
        fallbackCopy(text);
        button.textContent = "Copied";
      }
      setTimeout(() => { button.textContent = "Copy"; }, 1500);
    },
  }, "Copy");
  return h("section", { class: "json-block", "data-label": label },
    h("div", { class: "json-head" }, h("span", { class: "json-label" }, label), copy),
    h("div", { class: "json-tree" }, node(value, options.open ?? 1, null)));
}

function fallbackCopy(text) {
  const area = h("textarea", { class: "offscreen" });
  area.value = text;
  document.body.appendChild(area);
  area.select();
  try { document.execCommand("copy"); } finally { area.remove(); }
}

function node(value, openDepth, key) {
  const keyPart = key === null ? null : h("span", { class: "json-key" }, JSON.stringify(key), ": ");
  if (value === null || typeof value !== "object") {
    return h("div", { class: "json-leaf" }, keyPart, leaf(value));
  }
  const isArray = Array.isArray(value);
  const entries = isArray ? value.map((v, i) => [i, v]) : Object.entries(value);
  const summary = isArray ? `[${entries.length} item${entries.length === 1 ? "" : "s"}]`
    : `{${entries.length} key${entries.length === 1 ? "" : "s"}}`;
  if (entries.length === 0) {
    return h("div", { class: "json-leaf" }, keyPart, h("span", { class: "json-punct" }, isArray ? "[]" : "{}"));
  }
  const details = h("details", { class: "json-node", open: openDepth > 0 },
    h("summary", {}, keyPart, h("span", { class: "json-punct" }, summary)));
  const body = h("div", { class: "json-children" });
  details.appendChild(body);
  let shown = 0;
  const more = () => {
    for (const [k, v] of entries.slice(shown, shown + PAGE)) {
      body.appendChild(node(v, openDepth - 1, isArray ? null : k));
    }
    shown = Math.min(entries.length, shown + PAGE);
    if (shown < entries.length) {
      const button = h("button", { type: "button", class: "more" },
        `show ${Math.min(PAGE, entries.length - shown)} more of ${entries.length - shown}`);
      button.addEventListener("click", () => { button.remove(); more(); });
      body.appendChild(button);
    }
  };
  // children are built when first opened: a 10,000-item array costs nothing until looked at
  if (details.open) more();
  else details.addEventListener("toggle", () => { if (details.open && shown === 0) more(); });
  return details;
}

function leaf(value) {
  const type = value === null ? "null" : typeof value;
  return h("span", { class: `json-${type}` }, JSON.stringify(value));
}
