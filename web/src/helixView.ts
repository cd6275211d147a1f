/**
 * View 3: the thermodynamic engine (the helix landscape, α = 0). Particles run SGD from the
 * origin; the valley u = v = 0 is a line of minima of the mean loss, yet because the noise
 * axis lags the stiff Hessian axis by π/4 the particles drift along it. The predicted mean
 * position is the library's resummed entropic drift, from the helix's moments at θ = 0.
 *
 * @module
 */
import { entropicDrift } from "../../src/predict/resummation.js";
import { helixGradient } from "../../src/simulate/helixSgd.js";
import { MeanAccumulator } from "../../src/stats/estimate.js";
import { Rng } from "../../src/stats/rng.js";
import type { ExplorerState } from "./state.js";

const Z95 = 1.959963984540054;
const PARTICLES = 300;
const STEPS_PER_FRAME = 40;
const ETAS = [0.02, 0.05, 0.1] as const;

/**
 * The helix's moments at θ = 0 (α = 0), as derived in src/landscapes/builtin.ts and checked
 * there against the jax-js oracle: `H = diag(2, 1, 0)`, `C = ½[[1, −1, 0], [−1, 1, 0], 0]`,
 * `J_uvz = 1` and its permutations.
 */
const H = [
  [2, 0, 0],
  [0, 1, 0],
  [0, 0, 0],
];
const C = [
  [0.5, -0.5, 0],
  [-0.5, 0.5, 0],
  [0, 0, 0],
];
const J: number[][][] = Array.from({ length: 3 }, (_, a) =>
  Array.from({ length: 3 }, (_, b) => Array.from({ length: 3 }, (_, c) => (new Set([a, b, c]).size === 3 ? 1 : 0))),
);

/** Predicted `E[z_t]`: the resummed entropic drift (applications' §H) after `t` steps. */
export function predictedZ(eta: number, t: number): number {
  return t === 0 ? 0 : entropicDrift(C, H, J, eta, t)[2];
}

export class HelixView {
  readonly #root: HTMLElement;
  readonly #canvas: HTMLCanvasElement;
  #eta = 0.05;
  #theta = new Float64Array(3 * PARTICLES);
  #t = 0;
  #rng = new Rng(7);
  #frame = 0;
  #running = false;
  #history: { t: number; measured: number; predicted: number }[] = [];

  constructor(root: HTMLElement) {
    this.#root = root;
    root.innerHTML = `
      <p class="lede">The loss <code>½[u² + v² + (cos z·u + sin z·v)²] + x·(cos(z−π/4)·u + sin(z−π/4)·v)</code> has a valley of minima along z
      (u = v = 0): at every z the mean loss is the same. But the gradient noise (the x term) points π/4 behind the stiff direction of
      the curvature, and the two turn with z: the noise kicks each particle off the valley and the curvature pulls it back at an angle,
      so on average it climbs along z, steadily. The calculus predicts the speed: the order-3 diagram that pairs the noise covariance C
      with the third derivative J, its propagators resummed (the <em>entropic drift</em>).</p>
      <div class="buttons">
        <label>η <select id="helix-eta">${ETAS.map((e) => `<option value="${e}">${e}</option>`).join("")}</select></label>
        <button type="button" id="helix-toggle" aria-pressed="false">Pause</button>
        <button type="button" id="helix-restart">Restart</button>
      </div>
      <canvas id="helix-canvas" width="900" height="360" aria-label="Particles doing SGD on the helix; horizontal axis z along the valley"></canvas>
      <p id="helix-readout" class="readout" aria-live="off"></p>
      <p class="hint">Each dot is one SGD run (${PARTICLES} runs, one fresh datum x ~ N(0, 1) per step): horizontal position z along the valley,
      vertical the offset from the valley along the noise axis (magnified). Black line: measured mean z with its 95% band (grey);
      red dashed line: predicted mean z. Below: both against the step count.</p>`;
    this.#canvas = root.querySelector<HTMLCanvasElement>("#helix-canvas")!;
    root.querySelector<HTMLSelectElement>("#helix-eta")!.value = String(this.#eta);
    root.querySelector("#helix-eta")!.addEventListener("change", (ev) => {
      this.#eta = Number((ev.target as HTMLSelectElement).value);
      this.#restart();
    });
    root.querySelector("#helix-toggle")!.addEventListener("click", () => (this.#running ? this.pause() : this.#start()));
    root.querySelector("#helix-restart")!.addEventListener("click", () => this.#restart());
  }

  async update(_state: ExplorerState, _changedAt: number): Promise<void> {
    if (!this.#running) this.#start();
  }

  pause(): void {
    this.#running = false;
    cancelAnimationFrame(this.#frame);
    this.#renderToggle();
  }

  #start(): void {
    this.#running = true;
    this.#renderToggle();
    const tick = () => {
      if (!this.#running) return;
      this.#advance(STEPS_PER_FRAME);
      this.#draw();
      this.#frame = requestAnimationFrame(tick);
    };
    this.#frame = requestAnimationFrame(tick);
  }

  #restart(): void {
    this.#theta.fill(0);
    this.#t = 0;
    this.#history = [];
    this.#rng = new Rng(7);
    this.#draw();
  }

  #renderToggle(): void {
    const b = this.#root.querySelector<HTMLButtonElement>("#helix-toggle")!;
    b.textContent = this.#running ? "Pause" : "Resume";
    b.setAttribute("aria-pressed", String(!this.#running));
  }

  #advance(steps: number): void {
    const g = new Float64Array(3);
    const th = this.#theta;
    for (let s = 0; s < steps; s++) {
      for (let r = 0; r < PARTICLES; r++) {
        const p = th.subarray(3 * r, 3 * r + 3);
        helixGradient(p, this.#rng.normal(), 0, g);
        p[0] -= this.#eta * g[0];
        p[1] -= this.#eta * g[1];
        p[2] -= this.#eta * g[2];
      }
    }
    this.#t += steps;
    if (this.#t % 400 === 0) this.#history.push({ t: this.#t, measured: this.#zStats().value, predicted: predictedZ(this.#eta, this.#t) });
  }

  #zStats(): { value: number; stderr: number } {
    const acc = new MeanAccumulator();
    for (let r = 0; r < PARTICLES; r++) acc.push(this.#theta[3 * r + 2]);
    return acc.estimate();
  }

  /** Slope of the measured mean z over the last 4000 steps, per 1000 steps. */
  #measuredSpeed(): string {
    const h = this.#history;
    if (h.length < 11) return "…";
    const a = h[h.length - 11];
    const b = h[h.length - 1];
    return ((1000 * (b.measured - a.measured)) / (b.t - a.t)).toFixed(4);
  }

  #draw(): void {
    const cv = this.#canvas;
    const ctx = cv.getContext("2d")!;
    const W = cv.width;
    const top = 200; // particle panel height; below it, mean z against time
    ctx.clearRect(0, 0, W, cv.height);
    const z = this.#zStats();
    const pred = predictedZ(this.#eta, this.#t);
    let zMin = Infinity;
    let zMax = -Infinity;
    for (let r = 0; r < PARTICLES; r++) {
      zMin = Math.min(zMin, this.#theta[3 * r + 2]);
      zMax = Math.max(zMax, this.#theta[3 * r + 2]);
    }
    const lo = Math.min(zMin, pred, 0) - 0.1;
    const hi = Math.max(zMax, pred, 0.5) + 0.1;
    const X = (v: number) => 40 + ((v - lo) / (hi - lo)) * (W - 60);
    // valley and axis
    ctx.strokeStyle = "#c8d6e5";
    ctx.lineWidth = 14;
    ctx.beginPath();
    ctx.moveTo(40, top / 2);
    ctx.lineTo(W - 20, top / 2);
    ctx.stroke();
    ctx.fillStyle = "#5b6570";
    ctx.font = "12px system-ui, sans-serif";
    ctx.fillText(`z (along the valley) — from ${lo.toFixed(2)} to ${hi.toFixed(2)}`, 40, top - 6);
    // particles: offset from the valley along the noise axis (cos(z−π/4), sin(z−π/4))
    ctx.fillStyle = "rgba(31, 95, 191, 0.55)";
    for (let r = 0; r < PARTICLES; r++) {
      const [u, v, zr] = [this.#theta[3 * r], this.#theta[3 * r + 1], this.#theta[3 * r + 2]];
      const off = (Math.cos(zr - Math.PI / 4) * u + Math.sin(zr - Math.PI / 4) * v) * 120;
      ctx.beginPath();
      ctx.arc(X(zr), top / 2 - Math.max(-90, Math.min(90, off)), 2.5, 0, 2 * Math.PI);
      ctx.fill();
    }
    // measured mean with 95% band, predicted mean
    ctx.fillStyle = "rgba(0,0,0,0.12)";
    ctx.fillRect(X(z.value - Z95 * z.stderr), 8, Math.max(1, X(z.value + Z95 * z.stderr) - X(z.value - Z95 * z.stderr)), top - 24);
    ctx.strokeStyle = "#111";
    ctx.lineWidth = 2;
    ctx.setLineDash([]);
    ctx.beginPath();
    ctx.moveTo(X(z.value), 8);
    ctx.lineTo(X(z.value), top - 16);
    ctx.stroke();
    ctx.strokeStyle = "#d62728";
    ctx.setLineDash([6, 4]);
    ctx.beginPath();
    ctx.moveTo(X(pred), 8);
    ctx.lineTo(X(pred), top - 16);
    ctx.stroke();
    ctx.setLineDash([]);
    // mean z against t
    const h = this.#history;
    const tMax = Math.max(4000, this.#t);
    const yMax = Math.max(0.05, ...h.map((p) => Math.max(p.measured, p.predicted))) * 1.1;
    const TX = (t: number) => 40 + (t / tMax) * (W - 60);
    const TY = (y: number) => cv.height - 20 - (y / yMax) * (cv.height - top - 40);
    ctx.strokeStyle = "#d9dee3";
    ctx.strokeRect(40, top + 20, W - 60, cv.height - top - 40);
    ctx.fillStyle = "#5b6570";
    ctx.fillText(`mean z against steps t (0 … ${tMax.toLocaleString("en")}); top ${yMax.toFixed(2)}`, 44, top + 34);
    const line = (key: "measured" | "predicted", colour: string, dash: number[]) => {
      ctx.strokeStyle = colour;
      ctx.setLineDash(dash);
      ctx.beginPath();
      h.forEach((p, i) => (i === 0 ? ctx.moveTo(TX(p.t), TY(p[key])) : ctx.lineTo(TX(p.t), TY(p[key]))));
      ctx.stroke();
    };
    line("measured", "#111", []);
    line("predicted", "#d62728", [6, 4]);
    ctx.setLineDash([]);
    const readout = this.#root.querySelector<HTMLElement>("#helix-readout")!;
    readout.textContent =
      `t = ${this.#t.toLocaleString("en")} steps · measured mean z = ${z.value.toFixed(4)} ± ${(Z95 * z.stderr).toFixed(4)} (95%, ${PARTICLES} runs) · ` +
      `predicted ${pred.toFixed(4)} · speed per 1000 steps: measured ${this.#measuredSpeed()}, predicted ${(predictedZ(this.#eta, this.#t + 1000) - pred).toFixed(4)}`;
    readout.dataset.t = String(this.#t);
    readout.dataset.measured = String(z.value);
    readout.dataset.stderr = String(z.stderr);
    readout.dataset.predicted = String(pred);
  }
}
