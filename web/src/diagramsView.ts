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

export class DiagramsView {
  readonly #root: HTMLElement;
  readonly #engine: EngineClient;
  #rows: DiagramRecord[] = [];
  #state: ExplorerState | null = null;
  #hovered = -1;

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
    const tbody = root.querySelector("tbody")!;
    const onRow = (ev: Event) => {
      const tr = (ev.target as HTMLElement).closest("tr");
      if (tr?.dataset.index !== undefined) void this.#showEmbeddings(Number(tr.dataset.index));
    };
    tbody.addEventListener("mouseover", onRow);
    tbody.addEventListener("focusin", onRow);
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
    table.tBodies[0].innerHTML = answer.rows.map((r, i) => rowHtml(r, i)).join("");
    const vars = answer.polynomialVariables;
    const varText = vars === null ? "" : ` Polynomial variables: ${Object.entries(vars).map(([k, v]) => `${k} = ${v}`).join(", ")}.`;
    this.#root.querySelector("#equation")!.textContent =
      `E[${state.loss} loss after T = ${answer.T} steps] = Σ coefficient · η^order · value + O(η^${state.order + 1}).${varText}`;
    this.#root.querySelector("#cli-command")!.textContent = answer.command;
    const ms = performance.now() - changedAt;
    status.textContent = `T = ${answer.T} steps · ${answer.rows.length} diagrams with a non-zero coefficient up to order ${state.order} · table updated ${ms.toFixed(0)} ms after the change (engine ${answer.engineMs.toFixed(0)} ms)`;
    // For the end-to-end tests: which controls this table belongs to, and how long it took.
    table.dataset.query = queryFromState({ ...state, view: "diagrams" });
    table.dataset.latencyMs = ms.toFixed(1);
    table.dataset.engineMs = answer.engineMs.toFixed(1);
    if (this.#rows.length > 0) void this.#showEmbeddings(Math.min(1, this.#rows.length - 1));
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

function rowHtml(r: DiagramRecord, i: number): string {
  const svg = renderDiagramsSvg([{ order: r.order, parents: r.parents, ties: r.ties, caption: "" }], 1);
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
