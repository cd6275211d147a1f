/**
 * The prediction view's worker: the exact η-series of the test loss on a 1-D landscape (the
 * engine's coefficients times exact diagram values), then SGD runs on fresh training sets,
 * forever, posting the running means a few times a second. Pausing stops the loop.
 *
 * @module
 */
import { oneDimSeries } from "../../src/experiments/oneDimSeries.js";
import { stepCount } from "../../src/schedule/schedule.js";
import { trainDirect } from "../../src/simulate/directTrainer.js";
import { MeanAccumulator } from "../../src/stats/estimate.js";
import { Rng } from "../../src/stats/rng.js";
import { oneDimLandscape, oneDimOracle, TEST } from "./oneDimLandscapes.js";
import type { SimPoint, SimRequest, SimResponse } from "./simProtocol.js";
import { type ExplorerState, predictionEtas, scheduleOf } from "./state.js";

const post = (m: SimResponse) => (self as unknown as { postMessage(m: SimResponse): void }).postMessage(m);

/** Time spent per burst of runs before reporting (keeps the plot live without flooding it). */
const BURST_MS = 120;

let generation = -1;
let running = false;
let job: { state: ExplorerState; step: () => void } | null = null;

function start(state: ExplorerState, gen: number): void {
  generation = gen;
  const schedule = scheduleOf(state);
  const land = oneDimLandscape(state.landscape);
  const order = Math.max(3, state.order);
  const series = oneDimSeries(land.model, schedule, order);
  post({ kind: "prediction", generation: gen, coefficients: series.coefficients.map(String), T: stepCount(schedule), formula: land.formula });
  const etas = predictionEtas(state);
  const oracle = oneDimOracle(land.model);
  const theta0 = Float64Array.of(land.model.theta0);
  const acc = etas.map(() => new MeanAccumulator());
  const diverged = etas.map(() => 0);
  const rng = new Rng(20261205 + gen);
  let runs = 0;
  let busyMs = 0;
  const step = () => {
    if (!running || generation !== gen) return;
    const t0 = performance.now();
    do {
      const train = Array.from(rng.normals(schedule.N));
      const results = trainDirect(oracle, theta0, train, [TEST], schedule, etas, rng);
      results.forEach((r, k) => (r.diverged === undefined ? acc[k].push(r.test) : diverged[k]++));
      runs++;
    } while (performance.now() - t0 < BURST_MS);
    busyMs += performance.now() - t0;
    const points: SimPoint[] = etas.map((eta, k) => ({
      eta,
      mean: acc[k].mean,
      stderr: acc[k].count >= 2 ? acc[k].estimate().stderr : NaN,
      n: acc[k].count,
      diverged: diverged[k],
    }));
    post({ kind: "points", generation: gen, points, runs, runsPerSecond: runs / (busyMs / 1000) });
    setTimeout(step, 0); // yield so that pause and new settings get through
  };
  job = { state, step };
  running = true;
  step();
}

self.onmessage = (ev: MessageEvent<SimRequest>) => {
  const m = ev.data;
  try {
    if (m.kind === "start") start(m.state, m.generation);
    else if (m.kind === "pause") running = false;
    else if (m.kind === "resume" && job !== null && !running) {
      running = true;
      job.step();
    }
  } catch (e) {
    post({ kind: "error", generation: m.kind === "start" ? m.generation : generation, message: e instanceof Error ? e.message : String(e) });
  }
};
