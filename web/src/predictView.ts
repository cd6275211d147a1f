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
import type { Estimated, EstimatedPrediction, SimPoint, SimRequest, SimResponse } from "./simProtocol.js";
import type { ExplorerState } from "./state.js";

/** 95% two-sided normal quantile. */
const Z95 = 1.959963984540054;

interface CurveRow {
  eta: number;
  loss: number;
  curve: string;
  /** 95% band of an estimated prediction (absent for the exact series). */
  low?: number;
  high?: number;
}

/** `Σ_{d ≤ order} c_d η^d`. */
function truncated(coefficients: readonly number[], eta: number, order: number): number {
  let s = 0;
  for (let d = order; d >= 0; d--) s = s * eta + coefficients[d];
  return s;
}

/** One legend for lines and bands: opaque line symbols (a band's opacity would fade them). */
const LEGEND = { orient: "top-left", symbolType: "stroke", symbolOpacity: 1, symbolStrokeWidth: 2.5 } as const;

function spec(): TopLevelSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    width: "container",
    height: 300,
    // resize: re-fit when the axis labels change width as data stream in (else the y labels are clipped).
    autosize: { type: "fit-x", contains: "padding", resize: true },
    layer: [
      {
        data: { name: "curves" },
        transform: [{ filter: "isValid(datum.low)" }],
        mark: { type: "area", opacity: 0.18 },
        encoding: {
          x: { field: "eta", type: "quantitative" },
          y: { field: "low", type: "quantitative" },
          y2: { field: "high" },
          // The same legend as the lines' (a `legend: null` here would make Vega-Lite drop the merged one).
          color: { field: "curve", type: "nominal", title: "prediction", legend: LEGEND },
        },
      },
      {
        data: { name: "curves" },
        mark: { type: "line", strokeWidth: 2 },
        encoding: {
          x: { field: "eta", type: "quantitative", title: "learning rate η" },
          y: { field: "loss", type: "quantitative", title: "expected test loss after T steps", scale: { zero: false } },
          color: { field: "curve", type: "nominal", title: "prediction", legend: LEGEND },
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
  /** The estimated prediction (MNIST), by η of its grid: highest-order value and standard error. */
  #estimatedAt = new Map<number, { value: number; stderr: number }>();
  /** When the current experiment started (for the time to the first predicted curve). */
  #startedAt = 0;
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
        <p id="predict-series" class="equation" aria-live="polite"></p>
        <p id="predict-method" class="hint"></p>
        <div class="buttons">
          <button type="button" id="sim-toggle" aria-pressed="false">Pause simulation</button>
          <span id="sim-rate" class="readout" aria-live="off"></span>
        </div>
      </div>
      <div id="predict-plot" class="plot" role="img" aria-label="Predicted and measured test loss against the learning rate"></div>
      <p class="hint" id="predict-hint"></p>
      <div class="table-wrap"><table id="sim-table"><thead><tr>
        <th scope="col">η</th><th scope="col" title="Mean test loss over the runs so far">measured</th>
        <th scope="col" title="Half-width of the 95% interval, 1.96 · standard error">95% ±</th>
        <th scope="col" title="Prediction of the highest order shown (MNIST: the resummed one where available)">predicted</th><th scope="col" title="(measured − predicted) / standard error of the difference (the prediction's own error included where it is estimated)">z</th>
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
    this.#startedAt = performance.now();
    this.#coefficients = [];
    this.#estimatedAt = new Map();
    this.#curves = [];
    void this.#replace("curves", []);
    void this.#replace("points", []);
    this.#root.querySelector("#sim-table tbody")!.innerHTML = "";
    this.#root.querySelector("#sim-rate")!.textContent = "";
    this.#root.querySelector("#predict-method")!.textContent = "";
    delete this.#root.querySelector<HTMLElement>("#predict-plot")!.dataset.curveMs;
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
    if (m.kind === "progress") {
      this.#root.querySelector("#predict-formula")!.textContent = `Landscape: ${m.formula}. T = ${m.T} steps.`;
      this.#root.querySelector("#predict-series")!.textContent =
        m.done === 0
          ? "predicting: exact coefficients of the diagrams and population means at the init…"
          : `predicting: diagram values on ${m.done} of ${m.total} data tuples…`;
      return;
    }
    if (m.kind === "prediction") {
      this.#root.querySelector("#predict-formula")!.textContent = `Landscape: ${m.formula}. T = ${m.T} steps.`;
      const curves = m.estimated !== undefined ? this.#estimatedCurves(m.estimated) : this.#exactCurves(m.coefficients, state);
      this.#curves = curves;
      void this.#ensurePlot()
        .then(() => this.#replace("curves", curves))
        .then(() => {
          const ms = performance.now() - this.#startedAt;
          this.#root.querySelector<HTMLElement>("#predict-plot")!.dataset.curveMs = ms.toFixed(0);
        });
      return;
    }
    this.#showPoints(m.points, m.runs, m.runsPerSecond);
  }

  #hint(estimated: boolean): void {
    this.#root.querySelector("#predict-hint")!.textContent = estimated
      ? "Lines: the predicted expected test loss, truncated at orders 1, 2, 3, and resummed; shaded: their 95% intervals. Points: the mean " +
        "test loss of SGD with the schedule on the left, each run on N digits drawn afresh from the page's 2000 (the CLI's model and " +
        "trainer); bars are 95% intervals of the mean over the runs so far. z compares the two, both uncertainties included."
      : "Lines: the exact η-series of the expected test loss, truncated at each order (the engine's coefficients times exact diagram " +
        "values on this landscape). Points: the mean test loss of SGD with the schedule on the left, each run on a fresh training set of " +
        "N points x ~ N(0, 1); bars are 95% intervals. Where the series has converged the points sit on the highest-order line.";
  }

  /** The exact series of a 1-D landscape, truncated at orders 1..top. */
  #exactCurves(coefficients: readonly string[], state: ExplorerState): CurveRow[] {
    this.#exact = [...coefficients];
    this.#coefficients = coefficients.map((c) => Rational.parse(c).toNumber());
    this.#root.querySelector("#predict-series")!.textContent = `E[test loss] = ${seriesText(coefficients)} + O(η^${coefficients.length})`;
    this.#root.querySelector("#predict-method")!.textContent = "";
    this.#hint(false);
    const curves: CurveRow[] = [];
    const top = coefficients.length - 1;
    for (let order = 1; order <= top; order++) {
      for (let i = 0; i <= 60; i++) {
        const eta = (state.etaMax * i) / 60;
        curves.push({ eta, loss: truncated(this.#coefficients, eta, order), curve: `order ${order}` });
      }
    }
    return curves;
  }

  /** The CLI's prediction from estimated diagram values: orders 1..3 and the resummed curve, with 95% bands. */
  #estimatedCurves(e: EstimatedPrediction): CurveRow[] {
    this.#exact = [];
    this.#coefficients = e.coefficients.map((c) => c.value);
    const top = e.coefficients.length - 1;
    const series = this.#root.querySelector<HTMLElement>("#predict-series")!;
    series.textContent = `E[test loss] ≈ ${estimatedSeriesText(e.coefficients)} + O(η^${top + 1})`;
    series.dataset.coefficients = JSON.stringify(e.coefficients);
    const resummed = e.rows.some((r) => r.resummed !== null);
    this.#hint(true);
    this.#root.querySelector("#predict-method")!.textContent =
      `Predicted as npx sgd-diagrams predict does (seed ${e.seed}): the exact coefficients of ${e.diagramCount} diagrams times their values at the init, ` +
      `estimated without bias on ${e.tuples} independent data tuples (${e.replicas} replicas of each tied datum per tuple) drawn from the page's digits; ` +
      `computed in ${e.seconds.toFixed(1)} s in this browser. The ± and the shaded bands are 95% intervals of that estimate (1.96 standard errors over the tuples): ` +
      `a new seed would move the curves within them. ` +
      (resummed
        ? "Resummed: order 3 with the chains of Hessians summed to all orders (one epoch of batch-1 SGD)."
        : "No resummed curve for this schedule (the library resums one epoch of batch-1 SGD without momentum or per-step rates).");
    const curves: CurveRow[] = [];
    const band = (x: { value: number; stderr: number }, curve: string, eta: number): CurveRow => ({
      eta,
      loss: x.value,
      curve,
      low: x.value - Z95 * x.stderr,
      high: x.value + Z95 * x.stderr,
    });
    for (const r of e.rows) {
      for (let order = 1; order <= top; order++) curves.push(band(r.polynomial[order], `order ${order}`, r.eta));
      if (r.resummed !== null) curves.push(band(r.resummed, "resummed", r.eta));
      const best = r.resummed ?? r.polynomial[top];
      this.#estimatedAt.set(r.eta, { value: best.value, stderr: best.stderr });
    }
    return curves;
  }

  /** The prediction at a measured η, with its standard error (0 for the exact series). */
  #predictionAt(eta: number): { value: number; stderr: number } {
    const top = this.#coefficients.length - 1;
    if (this.#estimatedAt.size > 0) {
      // The measured η lie on the grid (up to rounding of k·η_max/8 vs i·η_max/64).
      let best: { value: number; stderr: number } = { value: NaN, stderr: NaN };
      let gap = Infinity;
      for (const [x, v] of this.#estimatedAt) if (Math.abs(x - eta) < gap) [gap, best] = [Math.abs(x - eta), v];
      return best;
    }
    return { value: top >= 1 ? truncated(this.#coefficients, eta, top) : NaN, stderr: 0 };
  }

  #showPoints(points: readonly SimPoint[], runs: number, perSecond: number): void {
    const rows = points.filter((p) => p.n >= 2);
    if (rows.length > 0) {
      // Keep the axis on the measurements: a divergent truncated series would flatten them.
      const lows = rows.map((p) => p.mean - Z95 * p.stderr);
      const highs = rows.map((p) => p.mean + Z95 * p.stderr);
      const lo = Math.min(...lows);
      const hi = Math.max(...highs);
      const pad = Math.max(hi - lo, 1e-3 * Math.abs(hi)) * 0.6;
      void this.#replace("curves", this.#curves.filter((c) => c.loss >= lo - pad && c.loss <= hi + pad));
      // (a curve's band may reach beyond the kept range; the lines stay on the measurements' scale)
    }
    void this.#replace(
      "points",
      rows.map((p) => ({ eta: p.eta, mean: p.mean, low: p.mean - Z95 * p.stderr, high: p.mean + Z95 * p.stderr, halfWidth: Z95 * p.stderr, n: p.n })),
    );
    this.#root.querySelector("#sim-rate")!.textContent = `${runs.toLocaleString("en")} runs (each at all ${points.length} rates) · ${perSecond.toFixed(0)} runs/s in this browser`;
    const body = this.#root.querySelector<HTMLTableSectionElement>("#sim-table tbody")!;
    body.innerHTML = rows
      .map((p) => {
        const { value: predicted, stderr: predictedStderr } = this.#predictionAt(p.eta);
        const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(5) : "—");
        const z = (p.mean - predicted) / Math.hypot(p.stderr, predictedStderr);
        const what = this.#estimatedAt.size > 0 ? `estimated, ± ${(Z95 * predictedStderr).toFixed(6)} (95%)` : `order ${top}: ${esc(this.#exact.join(", "))}`;
        return `<tr data-eta="${p.eta}" data-mean="${p.mean}" data-stderr="${p.stderr}" data-predicted="${predicted}" data-predicted-stderr="${predictedStderr}" data-n="${p.n}">` +
          `<td>${p.eta.toFixed(4)}</td><td>${p.mean.toFixed(5)}</td><td>${(Z95 * p.stderr).toFixed(5)}</td>` +
          `<td title="${what}">${fmt(predicted)}</td><td>${Number.isFinite(z) ? z.toFixed(2) : "—"}</td>` +
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

/** `2.30259 − 0.02958(±0.00000)·η + …` from estimated coefficients, each with its 95% half-width. */
export function estimatedSeriesText(coefficients: readonly Estimated[]): string {
  const digits = (x: number) => (x === 0 ? "0" : x.toPrecision(4));
  return coefficients
    .map((c, d) => {
      const power = d === 0 ? "" : d === 1 ? "·η" : `·η^${d}`;
      // Coefficients computed from exact population means carry only rounding noise: no ±.
      const pm = c.stderr > 1e-9 * Math.abs(c.value) ? `(±${digits(Z95 * c.stderr)})` : "";
      const body = `${digits(Math.abs(c.value))}${pm}${power}`;
      return d === 0 ? (c.value < 0 ? `−${body}` : body) : `${c.value < 0 ? "−" : "+"} ${body}`;
    })
    .join(" ");
}
