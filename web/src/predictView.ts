/**
 * View 2: the predicted test loss vs η (the exact η-series truncated at orders 1, 2, 3, …)
 * against SGD simulated live in a worker, with 95% intervals that shrink as runs accumulate.
 * The plot is Vega-Lite, compiled once; new points are streamed into the running view.
 *
 * @module
 */
import type { View } from "vega";
import { Rational } from "../../src/algebra/rational.js";
import type { TopLevelSpec } from "vega-lite";
import { esc } from "./html.js";
import type { SimPoint, SimRequest, SimResponse } from "./simProtocol.js";
import type { ExplorerState } from "./state.js";

/** 95% two-sided normal quantile. */
const Z95 = 1.959963984540054;

interface CurveRow {
  eta: number;
  loss: number;
  curve: string;
}

/** `Σ_{d ≤ order} c_d η^d`. */
function truncated(coefficients: readonly number[], eta: number, order: number): number {
  let s = 0;
  for (let d = order; d >= 0; d--) s = s * eta + coefficients[d];
  return s;
}

function spec(): TopLevelSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    width: "container",
    height: 300,
    autosize: { type: "fit-x", contains: "padding" },
    layer: [
      {
        data: { name: "curves" },
        mark: { type: "line", strokeWidth: 2 },
        encoding: {
          x: { field: "eta", type: "quantitative", title: "learning rate η" },
          y: { field: "loss", type: "quantitative", title: "expected test loss after T steps", scale: { zero: false } },
          color: { field: "curve", type: "nominal", title: "prediction", legend: { orient: "top-left" } },
          strokeDash: { field: "curve", type: "nominal", legend: null },
        },
      },
      {
        data: { name: "points" },
        mark: { type: "rule", strokeWidth: 2, color: "#222" },
        encoding: { x: { field: "eta", type: "quantitative" }, y: { field: "low", type: "quantitative" }, y2: { field: "high" } },
      },
      {
        data: { name: "points" },
        mark: { type: "point", filled: true, size: 45, color: "#222" },
        encoding: {
          x: { field: "eta", type: "quantitative" },
          y: { field: "mean", type: "quantitative" },
          tooltip: [
            { field: "eta", title: "η", format: ".3f" },
            { field: "mean", title: "measured mean", format: ".5f" },
            { field: "halfWidth", title: "95% ±", format: ".5f" },
            { field: "n", title: "runs" },
          ],
        },
      },
    ],
  };
}

export class PredictView {
  readonly #root: HTMLElement;
  #worker: Worker | null = null;
  #generation = 0;
  #coefficients: number[] = [];
  #exact: string[] = [];
  #view: View | null = null;
  #changeset: (typeof import("vega"))["changeset"] | null = null;
  #plotReady: Promise<void> | null = null;
  #paused = false;
  #stateKey = "";
  /** Every prediction curve; drawn clipped to the band the measurements occupy. */
  #curves: CurveRow[] = [];

  constructor(root: HTMLElement) {
    this.#root = root;
    root.innerHTML = `
      <div class="summary">
        <p id="predict-formula" class="equation"></p>
        <p id="predict-series" class="equation"></p>
        <div class="buttons">
          <button type="button" id="sim-toggle" aria-pressed="false">Pause simulation</button>
          <span id="sim-rate" class="readout" aria-live="off"></span>
        </div>
      </div>
      <div id="predict-plot" class="plot" role="img" aria-label="Predicted and measured test loss against the learning rate"></div>
      <p class="hint">Lines: the exact η-series of the expected test loss, truncated at each order (the engine's coefficients times exact
      diagram values on this landscape). Points: the mean test loss of SGD with the schedule on the left, each run on a fresh training
      set of N points x ~ N(0, 1); bars are 95% intervals. Where the series has converged the points sit on the highest-order line.</p>
      <div class="table-wrap"><table id="sim-table"><thead><tr>
        <th scope="col">η</th><th scope="col" title="Mean test loss over the runs so far">measured</th>
        <th scope="col" title="Half-width of the 95% interval, 1.96 · standard error">95% ±</th>
        <th scope="col" title="Prediction of the highest order shown">predicted</th><th scope="col" title="(measured − predicted) / standard error">z</th>
        <th scope="col">runs</th></tr></thead><tbody></tbody></table></div>`;
    root.querySelector("#sim-toggle")!.addEventListener("click", () => this.#toggle());
  }

  async update(state: ExplorerState, _changedAt: number): Promise<void> {
    // Only the controls that change the experiment restart it (switching tabs does not).
    const key = JSON.stringify({ ...state, view: "predict" });
    if (key === this.#stateKey && this.#worker !== null) {
      if (!this.#paused) this.#post({ kind: "resume" });
      return;
    }
    this.#stateKey = key;
    this.#generation++;
    this.#coefficients = [];
    this.#worker?.terminate();
    this.#worker = new Worker(new URL("./simWorker.ts", import.meta.url), { type: "module" });
    this.#worker.onmessage = (ev: MessageEvent<SimResponse>) => this.#receive(ev.data, state);
    this.#paused = false;
    this.#renderToggle();
    this.#post({ kind: "start", state, generation: this.#generation });
    const note = state.loss === "train" ? " (this view measures the test loss; the loss control applies to the diagrams view)" : "";
    this.#root.querySelector("#predict-series")!.textContent = `computing the exact series…${note}`;
    await this.#ensurePlot();
  }

  pause(): void {
    if (this.#worker !== null) this.#post({ kind: "pause" });
  }

  #post(m: SimRequest): void {
    this.#worker?.postMessage(m);
  }

  #toggle(): void {
    this.#paused = !this.#paused;
    this.#post({ kind: this.#paused ? "pause" : "resume" });
    this.#renderToggle();
  }

  #renderToggle(): void {
    const b = this.#root.querySelector<HTMLButtonElement>("#sim-toggle")!;
    b.textContent = this.#paused ? "Resume simulation" : "Pause simulation";
    b.setAttribute("aria-pressed", String(this.#paused));
  }

  /** Builds the plot once (concurrent callers share the same promise). */
  #ensurePlot(): Promise<void> {
    this.#plotReady ??= (async () => {
      const container = this.#root.querySelector<HTMLElement>("#predict-plot")!;
      // Vega is most of the page's weight: loaded only when this view is first shown.
      const [vega, vl] = await Promise.all([import("vega"), import("vega-lite")]);
      this.#changeset = vega.changeset;
      this.#view = new vega.View(vega.parse(vl.compile(spec()).spec), { renderer: "svg", container, hover: true });
      await this.#view.runAsync();
    })();
    return this.#plotReady;
  }

  #receive(m: SimResponse, state: ExplorerState): void {
    if (m.generation !== this.#generation) return;
    if (m.kind === "error") {
      this.#root.querySelector("#predict-series")!.textContent = `⚠ ${m.message}`;
      return;
    }
    if (m.kind === "prediction") {
      this.#exact = [...m.coefficients];
      this.#coefficients = m.coefficients.map((c) => Rational.parse(c).toNumber());
      this.#root.querySelector("#predict-formula")!.textContent = `Landscape: ${m.formula}. T = ${m.T} steps.`;
      this.#root.querySelector("#predict-series")!.textContent =
        m.coefficients.length === 0
          ? "No in-page prediction on this landscape: its diagram values are estimated from samples (npx sgd-diagrams compare); the points are SGD measured live."
          : `E[test loss] = ${seriesText(m.coefficients)} + O(η^${m.coefficients.length})`;
      const curves: CurveRow[] = [];
      const top = m.coefficients.length - 1;
      for (let order = 1; order <= top; order++) {
        for (let i = 0; i <= 60; i++) {
          const eta = (state.etaMax * i) / 60;
          curves.push({ eta, loss: truncated(this.#coefficients, eta, order), curve: `order ${order}` });
        }
      }
      this.#curves = curves;
      void this.#ensurePlot().then(() => this.#replace("curves", curves));
      return;
    }
    this.#showPoints(m.points, m.runs, m.runsPerSecond);
  }

  #showPoints(points: readonly SimPoint[], runs: number, perSecond: number): void {
    const top = this.#coefficients.length - 1;
    const rows = points.filter((p) => p.n >= 2);
    if (rows.length > 0) {
      // Keep the axis on the measurements: a divergent truncated series would flatten them.
      const lows = rows.map((p) => p.mean - Z95 * p.stderr);
      const highs = rows.map((p) => p.mean + Z95 * p.stderr);
      const lo = Math.min(...lows);
      const hi = Math.max(...highs);
      const pad = Math.max(hi - lo, 1e-3 * Math.abs(hi)) * 0.6;
      void this.#replace("curves", this.#curves.filter((c) => c.loss >= lo - pad && c.loss <= hi + pad));
    }
    void this.#replace(
      "points",
      rows.map((p) => ({ eta: p.eta, mean: p.mean, low: p.mean - Z95 * p.stderr, high: p.mean + Z95 * p.stderr, halfWidth: Z95 * p.stderr, n: p.n })),
    );
    this.#root.querySelector("#sim-rate")!.textContent = `${runs.toLocaleString("en")} runs (each at all ${points.length} rates) · ${perSecond.toFixed(0)} runs/s in this browser`;
    const body = this.#root.querySelector<HTMLTableSectionElement>("#sim-table tbody")!;
    body.innerHTML = rows
      .map((p) => {
        const predicted = top >= 1 ? truncated(this.#coefficients, p.eta, top) : NaN;
        const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(5) : "—");
        const z = (p.mean - predicted) / p.stderr;
        return `<tr data-eta="${p.eta}" data-mean="${p.mean}" data-stderr="${p.stderr}" data-predicted="${predicted}" data-n="${p.n}">` +
          `<td>${p.eta.toFixed(4)}</td><td>${p.mean.toFixed(5)}</td><td>${(Z95 * p.stderr).toFixed(5)}</td>` +
          `<td title="order ${top}: ${esc(this.#exact.join(", "))}">${fmt(predicted)}</td><td>${Number.isFinite(z) ? z.toFixed(2) : "—"}</td>` +
          `<td>${p.n}${p.diverged > 0 ? ` (+${p.diverged} diverged)` : ""}</td></tr>`;
      })
      .join("");
  }

  async #replace(name: string, rows: object[]): Promise<void> {
    if (this.#view === null || this.#changeset === null) return;
    await this.#view.change(name, this.#changeset().remove(() => true).insert(rows)).runAsync();
  }
}

/** `1/2 − 8η + 68η^2 …` from exact coefficients (zero terms left out). */
export function seriesText(coefficients: readonly string[]): string {
  const terms: string[] = [];
  coefficients.forEach((c, d) => {
    if (c === "0") return;
    const negative = c.startsWith("-");
    const abs = negative ? c.slice(1) : c;
    const power = d === 0 ? "" : d === 1 ? "η" : `η^${d}`;
    const body = d === 0 ? abs : abs === "1" ? power : `${abs.includes("/") ? `(${abs})` : abs}·${power}`;
    terms.push(terms.length === 0 ? (negative ? `−${body}` : body) : `${negative ? "−" : "+"} ${body}`);
  });
  return terms.length === 0 ? "0" : terms.join(" ");
}
