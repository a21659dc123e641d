// The state-machine graph: the server gives nodes, clusters (Parallel branches, Map item
// processors) and edges, the same graph as `flow-task graph`; elkjs (Eclipse Layout Kernel,
// installed by npm, served by this server) computes the layout; this module draws it as SVG.
import { h, put } from "./dom.js";

const CHAR = 7.4;          // px per character of the 13px label font (measured, roughly)
const NODE_H = 38;
const PSEUDO = 22;         // the start and end circles

export async function drawGraph(container, graph, { onSelect, selected }) {
  if (typeof window.ELK === "undefined") {
    container.appendChild(h("p", { class: "error" },
      "The graph layout library (elkjs) is not installed: run scripts/bootstrap, then reload."));
    return null;
  }
  const elk = new window.ELK();
  const layout = await elk.layout(toElk(graph));
  const byId = new Map(graph.nodes.map((node) => [node.id, node]));
  const svg = h("svg", {
    class: "graph", width: layout.width, height: layout.height,
    viewBox: `0 0 ${layout.width} ${layout.height}`, role: "img", "aria-label": "state machine graph",
  });
  svg.appendChild(h("defs", {},
    marker("arrow", "#6b7280"), marker("arrow-taken", "#1d4ed8"), marker("arrow-catch", "#c62828")));
  const clusterLayer = h("g", { class: "clusters" });
  const edgeLayer = h("g", { class: "edges" });
  const nodeLayer = h("g", { class: "nodes" });
  put(svg, clusterLayer, edgeLayer, nodeLayer);

  const walk = (elkNode) => {
    for (const child of elkNode.children || []) {
      if (child.id.startsWith("c_")) {
        const cluster = graph.clusters.find((c) => c.id === child.id);
        put(clusterLayer, 
          h("rect", { class: "cluster", x: child.x, y: child.y, width: child.width, height: child.height, rx: 8 }),
          h("text", { class: "cluster-label", x: child.x + 8, y: child.y + 15 }, cluster ? cluster.label : ""));
        walk(child);
      } else if (child.id === "_start" || child.id === "_end") {
        nodeLayer.appendChild(h("g", { class: `pseudo ${child.id.slice(1)}` },
          h("circle", { cx: child.x + PSEUDO / 2, cy: child.y + PSEUDO / 2, r: PSEUDO / 2 - 1 }),
          h("title", {}, child.id.slice(1))));
      } else {
        nodeLayer.appendChild(stateNode(child, byId.get(child.id), onSelect, selected));
      }
    }
  };
  walk(layout);
  const taken = new Set((graph.taken || []).map(([a, b]) => `${a}\u0000${b}`));
  for (const edge of layout.edges || []) {
    const data = edge.data;
    const isTaken = taken.has(`${data.source}\u0000${data.target}`);
    for (const section of edge.sections || []) {
      const points = [section.startPoint, ...(section.bendPoints || []), section.endPoint];
      const d = points.map((p, i) => `${i ? "L" : "M"}${p.x},${p.y}`).join(" ");
      const kind = data.kind;
      edgeLayer.appendChild(h("path", {
        class: `edge edge-${kind}${isTaken ? " taken" : ""}`, d,
        "marker-end": `url(#${isTaken ? "arrow-taken" : kind === "catch" ? "arrow-catch" : "arrow"})`,
        dataset: { source: data.source, target: data.target },
      }));
    }
    for (const label of edge.labels || []) {
      edgeLayer.appendChild(h("text", { class: "edge-label", x: label.x, y: label.y + 10 },
        label.text, h("title", {}, data.label)));
    }
  }
  container.appendChild(h("div", { class: "graph-scroll" }, svg));
  return svg;
}

function marker(id, color) {
  return h("marker", { id, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" },
    h("path", { d: "M0,0 L10,5 L0,10 z", fill: color }));
}

function stateNode(box, node, onSelect, selected) {
  const outcome = node.outcome || "not_run";
  const classes = ["state", `outcome-${outcome}`, `type-${node.type.toLowerCase()}`];
  if (node.retries) classes.push("retried");
  if (node.name === selected) classes.push("selected");
  const g = h("g", {
    class: classes.join(" "), tabindex: 0, role: "button",
    "aria-label": `${node.name}: ${outcome.replace("_", " ")}`,
    dataset: { state: node.name, outcome, nodeId: node.id },
  });
  const shape = node.type === "Choice"
    ? h("rect", { x: box.x, y: box.y, width: box.width, height: box.height, rx: 17 })
    : h("rect", { x: box.x, y: box.y, width: box.width, height: box.height, rx: 5 });
  const container = node.type === "Map" || node.type === "Parallel";
  put(g, shape,
    h("text", { x: box.x + box.width / 2, y: box.y + box.height / 2 + (container ? 8 : 4), "text-anchor": "middle" }, node.name),
    h("title", {}, `${node.name} (${node.type}): ${outcome.replace("_", " ")}` +
      (node.retries ? `, retried ${node.retries}×` : "")));
  if (node.retries) {
    g.appendChild(h("text", { class: "retry-badge", x: box.x + box.width - 4, y: box.y + 11, "text-anchor": "end" },
      `↻${node.retries}`));
  }
  if (container) {
    g.appendChild(h("text", { class: "type-badge", x: box.x + 5, y: box.y + 11 }, node.type === "Map" ? "Map" : "Parallel"));
  }
  const choose = () => onSelect && onSelect(node.name);
  g.addEventListener("click", choose);
  g.addEventListener("keydown", (event) => { if (event.key === "Enter" || event.key === " ") { event.preventDefault(); choose(); } });
  return g;
}

function toElk(graph) {
  const nodes = new Map();
  const root = {
    id: "root",
    layoutOptions: {
      "elk.algorithm": "layered",
      "elk.direction": "DOWN",
      "elk.hierarchyHandling": "INCLUDE_CHILDREN",
      "elk.json.edgeCoords": "ROOT",
      "elk.json.shapeCoords": "ROOT",
      "elk.layered.spacing.nodeNodeBetweenLayers": "36",
      "elk.spacing.nodeNode": "28",
      "elk.spacing.edgeLabel": "4",
      "elk.edgeRouting": "ORTHOGONAL",
      "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
    },
    children: [],
    edges: [],
  };
  const container = (clusterId) => (clusterId ? nodes.get(clusterId) : root);
  for (const cluster of graph.clusters) {
    const elkCluster = {
      id: cluster.id, children: [],
      layoutOptions: { "elk.padding": "[top=26,left=12,bottom=12,right=12]" },
    };
    nodes.set(cluster.id, elkCluster);
  }
  for (const cluster of graph.clusters) container(cluster.parent).children.push(nodes.get(cluster.id));
  root.children.push({ id: "_start", width: PSEUDO, height: PSEUDO });
  for (const node of graph.nodes) {
    const width = Math.max(90, Math.ceil(node.name.length * CHAR) + 30);
    container(node.cluster).children.push({ id: node.id, width, height: NODE_H });
  }
  root.children.push({ id: "_end", width: PSEUDO, height: PSEUDO });
  graph.edges.forEach((edge, i) => {
    const text = edge.label.length > 34 ? edge.label.slice(0, 33) + "…" : edge.label;
    root.edges.push({
      id: `e${i}`, sources: [edge.source], targets: [edge.target], data: edge,
      labels: text ? [{ text, width: Math.ceil(text.length * 6.2) + 4, height: 13 }] : [],
    });
  });
  return root;
}
