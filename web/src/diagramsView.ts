/**
 * View 1: the table of diagrams of the schedule the controls describe — each diagram drawn,
 * its exact coefficient (the same `p/q` strings as `diagrams --json`), its polynomial in the
 * schedule's parameters, its value expression; hovering or focusing a row draws its
 * embeddings into the space-time grid of a small schedule.
 *
 * @module
 */
import type { DiagramRecord } from "../../src/diagrams/format.js";
import { renderDiagramsSvg } from "../../src/plot/diagramSvg.js";
import type { EngineClient } from "./engineClient.js";
import { esc } from "./html.js";
import { type ExplorerState, queryFromState } from "./state.js";

const VALUE_HELP =
  "The diagram's value: each node is a derivative tensor of the loss of one datum (g gradient, H Hessian, J third derivative, Q fourth), " +
  "contracted along the edges; nodes with the same subscript use the same training point, other nodes independent ones; E[…] averages over data.";

/** Rows drawn at once; the rest are appended in batches of {@link MORE_ROWS}. */
const FIRST_ROWS = 60;
const MORE_ROWS = 150;

export class DiagramsView {
  readonly #root: HTMLElement;
  readonly #engine: EngineClient;
  #rows: DiagramRecord[] = [];
  #state: ExplorerState | null = null;
  #hovered = -1;
  #warmed = false;

  constructor(root: HTMLElement, engine: EngineClient) {
    this.#root = root;
    this.#engine = engine;
    root.innerHTML = `
      <div class="summary">
        <p id="status" aria-live="polite">computing…</p>
        <p class="equation" id="equation"></p>
        <p class="cli">Same table in a terminal: <code id="cli-command"></code></p>
      </div>
      <div class="table-and-picture">
        <div class="table-wrap">
          <table id="diagram-table" aria-describedby="equation">
            <thead><tr>
              <th scope="col" title="Time flows left to right; the open circle (root) is the measured loss after the last step; coloured bands tie nodes to one training point.">diagram</th>
              <th scope="col" title="Number of non-root nodes: the power of η.">order</th>
              <th scope="col" title="Exact rational: the diagram contributes coefficient · η^order · value to the expected loss.">coefficient</th>
              <th scope="col" title="The same coefficient as a polynomial in the schedule's parameters, where the engine has one.">polynomial</th>
              <th scope="col" title="${esc(VALUE_HELP)}">value</th>
              <th scope="col" title="Number of symmetries of the diagram (relabellings that keep it the same).">|Aut|</th>
            </tr></thead>
            <tbody></tbody>
          </table>
        </div>
        <aside id="embedding" aria-live="polite">
          <h2>Space-time picture</h2>
          <p class="hint">Hover or focus a row to see the diagram embedded in the grid of steps × training points: each node sits on a
          cell (step t, datum n ∈ batch t), parents strictly later, tied nodes on one datum. Σ weights / |Aut| gives the coefficient.</p>
          <div id="embedding-svg"></div>
          <p id="embedding-summary"></p>
        </aside>
      </div>`;
    const table = root.querySelector("table")!;
    const onRow = (ev: Event) => {
      const tr = (ev.target as HTMLElement).closest("tbody tr") as HTMLTableRowElement | null;
      if (tr?.dataset.index !== undefined) void this.#showEmbeddings(Number(tr.dataset.index));
    };
    table.addEventListener("mouseover", onRow);
    table.addEventListener("focusin", onRow);
  }

  /** Recomputes the table for `state`; `changedAt` is when the control moved (for the latency shown). */
  async update(state: ExplorerState, changedAt: number): Promise<void> {
    this.#state = state;
    const status = this.#root.querySelector<HTMLElement>("#status")!;
    status.textContent = `computing order ≤ ${state.order}…`;
    const answer = await this.#engine.request({ kind: "table", state }, (order, count) => {
      status.textContent = `computing: order ${order} done, ${count} diagrams so far…`;
    });
    if (answer === null || this.#state !== state) return; // superseded by a newer change
    if (answer.kind === "error") {
      status.textContent = `⚠ ${answer.message}`;
      status.dataset.error = "true";
      return;
    }
    if (answer.kind !== "table") return;
    delete status.dataset.error;
    this.#rows = answer.rows;
    this.#hovered = -1;
    const table = this.#root.querySelector<HTMLTableElement>("#diagram-table")!;
    // The first screenful is drawn at once; the rest follows in small tasks, so that a table
    // of hundreds of diagrams never holds up the page (or a newer change). A fresh tbody
    // replaces the old one whole (cheaper than emptying hundreds of rows in place).
    const r0 = performance.now();
    const body = document.createElement("tbody");
    body.innerHTML = answer.rows.slice(0, FIRST_ROWS).map((r, i) => rowHtml(r, i)).join("");
    table.replaceChild(body, table.tBodies[0]);
    table.dataset.renderMs = (performance.now() - r0).toFixed(1);
    const vars = answer.polynomialVariables;
    const varText = vars === null ? "" : ` Polynomial variables: ${Object.entries(vars).map(([k, v]) => `${k} = ${v}`).join(", ")}.`;
    this.#root.querySelector("#equation")!.textContent =
      `E[${state.loss} loss after T = ${answer.T} steps] = Σ coefficient · η^order · value + O(η^${state.order + 1}).${varText}`;
    this.#root.querySelector("#cli-command")!.textContent = answer.command;
    const ms = performance.now() - changedAt;
    status.textContent = `T = ${answer.T} steps · ${answer.rows.length} diagrams with a non-zero coefficient up to order ${state.order} · table updated ${ms.toFixed(0)} ms after the change (engine ${answer.engineMs.toFixed(0)} ms)`;
    table.dataset.latencyMs = ms.toFixed(1);
    table.dataset.engineMs = answer.engineMs.toFixed(1);
    // Until the worker picked the request up (queueing behind other work, thread wake-ups).
    table.dataset.waitMs = (answer.startedAt - (performance.timeOrigin + changedAt)).toFixed(1);
    delete table.dataset.query;
    for (let start = FIRST_ROWS; start < answer.rows.length; start += MORE_ROWS) {
      await new Promise((r) => setTimeout(r, 0));
      if (this.#state !== state) return; // a newer table is on its way
      body.insertAdjacentHTML("beforeend", answer.rows.slice(start, start + MORE_ROWS).map((r, i) => rowHtml(r, start + i)).join(""));
    }
    // For the end-to-end tests: which controls the complete table belongs to.
    table.dataset.query = queryFromState({ ...state, view: "diagrams" });
    table.dataset.completeMs = (performance.now() - changedAt).toFixed(1);
    if (this.#rows.length > 0) void this.#showEmbeddings(Math.min(1, this.#rows.length - 1));
    if (!this.#warmed) {
      // Let V8 optimise the engine while the reader looks at the first table.
      this.#warmed = true;
      void this.#engine.request({ kind: "warm" });
    }
  }

  /** Nothing runs in the background here (the engine worker stops on its own). */
  pause(): void {}

  async #showEmbeddings(index: number): Promise<void> {
    if (index === this.#hovered || this.#state === null) return;
    this.#hovered = index;
    const r = this.#rows[index];
    if (r === undefined) return;
    const answer = await this.#engine.request({
      kind: "embeddings",
      state: this.#state,
      diagram: { order: r.order, parents: r.parents, ties: r.ties, value: r.value, coefficient: r.coefficient, automorphisms: r.automorphisms },
    });
    if (answer === null || this.#hovered !== index) return;
    const svg = this.#root.querySelector<HTMLElement>("#embedding-svg")!;
    const summary = this.#root.querySelector<HTMLElement>("#embedding-summary")!;
    if (answer.kind === "embeddings") {
      svg.innerHTML = answer.svg;
      for (const pic of svg.querySelectorAll("svg")) cropToContent(pic);
      summary.textContent = answer.summary;
    } else if (answer.kind === "error") summary.textContent = `⚠ ${answer.message}`;
  }
}

/**
 * The library's space-time renderer draws on a page-wide canvas; crop each picture to what is
 * drawn on it (every element but the white background) so that it fills the side panel.
 */
function cropToContent(svg: SVGSVGElement): void {
  // Screen boxes (they include each group's transform), mapped back to viewBox units.
  const outer = svg.getBoundingClientRect();
  const vb = svg.viewBox.baseVal;
  if (outer.width === 0 || vb.width === 0) return;
  const scale = vb.width / outer.width;
  const background = svg.querySelector(":scope > rect");
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const el of svg.children) {
    if (!(el instanceof SVGGraphicsElement) || el === background) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    x0 = Math.min(x0, r.left);
    y0 = Math.min(y0, r.top);
    x1 = Math.max(x1, r.right);
    y1 = Math.max(y1, r.bottom);
  }
  if (!Number.isFinite(x0)) return;
  const pad = 4;
  const x = vb.x + (x0 - outer.left) * scale - pad;
  const y = vb.y + (y0 - outer.top) * scale - pad;
  svg.setAttribute("viewBox", `${x} ${y} ${(x1 - x0) * scale + 2 * pad} ${(y1 - y0) * scale + 2 * pad}`);
  svg.removeAttribute("width");
  svg.removeAttribute("height");
}

/** Drawings by canonical key: a diagram looks the same under every schedule. */
const PICTURES = new Map<string, string>();

/**
 * One row's drawing. Each drawing of the library carries its own blur filter under one id;
 * hundreds of elements sharing an id make removing a big table quadratic in the browser, so
 * the rows use a single filter defined once in the page (#diagram-fuzz, same blur).
 */
function picture(r: DiagramRecord): string {
  let svg = PICTURES.get(r.key);
  if (svg === undefined) {
    svg = renderDiagramsSvg([{ order: r.order, parents: r.parents, ties: r.ties, caption: "" }], 1)
      .replace(/<defs>[\s\S]*?<\/defs>/, "")
      .replaceAll("url(#fuzz)", "url(#diagram-fuzz)");
    PICTURES.set(r.key, svg);
  }
  return svg;
}

function rowHtml(r: DiagramRecord, i: number): string {
  const svg = picture(r);
  return (
    `<tr tabindex="0" data-index="${i}" data-key="${esc(r.key)}">` +
    `<td class="pic" aria-label="diagram ${esc(r.value)}">${svg}</td>` +
    `<td>${r.order}</td>` +
    `<td class="coef" title="contributes ${esc(r.coefficient)} · η^${r.order} · ${esc(r.value)}">${esc(r.coefficient)}</td>` +
    `<td class="poly" title="${esc(r.polynomial ?? "no polynomial form for this schedule")}">${esc(r.polynomial ?? "—")}</td>` +
    `<td class="value">${esc(r.value)}</td>` +
    `<td>${esc(r.automorphisms)}</td></tr>`
  );
}
