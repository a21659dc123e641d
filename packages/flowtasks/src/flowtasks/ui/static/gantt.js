// The timeline: one row a state visit (in the order entered), each attempt a bar coloured by
// how it ended, the wait before a retry hatched. Times are relative to the start of the run.
import { clear, formatDuration, h, put } from "./dom.js";

const MAX_ROWS = 400;

export function drawGantt(container, timeline, { onSelect }) {
  const rows = timeline.rows;
  const span = Math.max(1, timeline.end_ms);
  const pct = (ms) => `${(100 * ms) / span}%`;
  const box = h("div", { class: "gantt", id: "gantt" },
    h("div", { class: "gantt-row muted" }, h("span", {}, "state"), h("span", {}, `0 – ${formatDuration(timeline.end_ms)}`), h("span", {}, "took")));
  for (const row of rows.slice(0, MAX_ROWS)) {
    const track = h("div", { class: "gantt-track" });
    for (const delay of row.delays || []) {
      track.appendChild(h("div", { class: "gantt-bar delay", title: `waiting ${delay.seconds} s before the retry`,
        style: { left: pct(delay.start_ms), width: pct(delay.end_ms - delay.start_ms) } }));
    }
    for (const attempt of row.attempts) {
      const end = attempt.end_ms === null ? timeline.end_ms : attempt.end_ms;
      track.appendChild(h("div", { class: `gantt-bar attempt-${attempt.outcome}`,
        title: `${row.name}: ${attempt.error || attempt.outcome} (${formatDuration(end - attempt.start_ms)})`,
        style: { left: pct(attempt.start_ms), width: pct(Math.max(0, end - attempt.start_ms)) } }));
    }
    const line = h("div", { class: "gantt-row", role: "button", tabindex: 0, dataset: { state: row.name } },
      h("span", { class: "gantt-name", title: row.label || row.name, style: { paddingLeft: `${row.depth * 12}px` } }, row.label || row.name),
      track,
      h("span", { class: "gantt-dur" }, row.end_ms === null ? "running" : formatDuration(row.end_ms - row.start_ms)));
    line.addEventListener("click", () => onSelect(row.name));
    box.appendChild(line);
  }
  if (rows.length > MAX_ROWS) {
    box.appendChild(h("p", { class: "muted" }, `… and ${rows.length - MAX_ROWS} more rows (Map iterations are summarised: open a Map state to page through them).`));
  }
  container.appendChild(box);
}
