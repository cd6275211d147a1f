/**
 * The prediction view's worker: SGD runs on fresh training sets, forever, posting the running
 * means a few times a second (pausing stops the loop), and — on the 1-D landscapes — the exact
 * η-series of the test loss (the engine's coefficients times exact diagram values).
 *
 * - 1-D landscapes: training sets of N points x ~ N(0, 1), the library's direct trainer, the
 *   exact test loss.
 * - MNIST logistic regression: the CLI's model and trainer (`LogisticModel`,
 *   `LogisticKernelTrainer`) on the page's 2000-digit subset: training sets of N digits drawn
 *   from it, test loss on a fixed sample of 1000 of them (the CLI's default test size and
 *   draw); first the CLI's prediction from statistics at the init ({@link mnistPrediction}),
 *   with progress.
 *
 * @module
 */
import { oneDimSeries } from "../../src/predict/oneDimSeries.js";
import { LogisticModel } from "../../src/landscapes/logistic.js";
import { type Schedule, stepCount } from "../../src/schedule/schedule.js";
import { trainDirect } from "../../src/simulate/directTrainer.js";
import { LogisticKernelTrainer, type RunResult } from "../../src/simulate/logisticKernel.js";
import { MeanAccumulator } from "../../src/stats/estimate.js";
import { Rng } from "../../src/stats/rng.js";
import { mnistPrediction, mnistPredictionConfig, mnistTestSet } from "./mnistPrediction.js";
import { decodeSubset } from "./mnistSubset.js";
import { oneDimLandscape, type OneDimLandscapeName, oneDimOracle, TEST } from "./oneDimLandscapes.js";
import type { SimPoint, SimRequest, SimResponse } from "./simProtocol.js";
import { type ExplorerState, predictionEtas, scheduleOf } from "./state.js";

const post = (m: SimResponse) => (self as unknown as { postMessage(m: SimResponse): void }).postMessage(m);

/** Time spent per burst of runs before reporting (keeps the plot live without flooding it). */
const BURST_MS = 120;
/** Held-out test images of the MNIST view (the CLI's default `--test-size`). */
const MNIST_TEST_SIZE = 1000;

let generation = -1;
let running = false;
let resume: (() => void) | null = null;

/** One run of SGD at every η (common random numbers across η), from a fresh training set. */
type RunOnce = (rng: Rng) => RunResult[];

function oneDimJob(name: OneDimLandscapeName, state: ExplorerState, schedule: Schedule, gen: number): RunOnce {
  const land = oneDimLandscape(name);
  const series = oneDimSeries(land.model, schedule, Math.max(3, state.order));
  post({ kind: "prediction", generation: gen, coefficients: series.coefficients.map(String), T: stepCount(schedule), formula: land.formula });
  const oracle = oneDimOracle(land.model);
  const theta0 = Float64Array.of(land.model.theta0);
  const etas = predictionEtas(state);
  return (rng) => trainDirect(oracle, theta0, Array.from(rng.normals(schedule.N)), [TEST], schedule, etas, rng);
}

let mnist: Promise<LogisticModel> | null = null;

async function mnistJob(state: ExplorerState, schedule: Schedule, gen: number): Promise<RunOnce> {
  mnist ??= fetch(new URL(/* @vite-ignore */ "../mnist-subset.bin", import.meta.url))
    .then((r) => {
      if (!r.ok) throw new Error(`could not load the MNIST subset (${r.status})`);
      return r.arrayBuffer();
    })
    .then((b) => new LogisticModel(decodeSubset(b)));
  const model = await mnist;
  const size = model.data.size;
  const config = mnistPredictionConfig(schedule, state.etaMax, MNIST_TEST_SIZE);
  const testSet = mnistTestSet(model, config);
  const T = stepCount(schedule);
  const formula = `multinomial logistic regression on ${size} MNIST digits (zero init), test loss on ${MNIST_TEST_SIZE} of them`;
  // The prediction first (a few seconds), then the runs: they would only slow each other down.
  post({ kind: "progress", generation: gen, done: 0, total: config.tuples, formula, T });
  const estimated = mnistPrediction(model, config, (done, total) => post({ kind: "progress", generation: gen, done, total, formula, T }));
  post({ kind: "prediction", generation: gen, coefficients: [], T, formula, estimated });
  const trainer = new LogisticKernelTrainer(model, model.theta0(config.initSeed), testSet);
  const etas = predictionEtas(state);
  return (rng) => trainer.run(Array.from({ length: schedule.N }, () => rng.int(size)), schedule, etas, rng);
}

async function start(state: ExplorerState, gen: number): Promise<void> {
  generation = gen;
  running = false;
  const schedule = scheduleOf(state);
  const name = state.landscape;
  const runOnce = name === "mnist-logistic" ? await mnistJob(state, schedule, gen) : oneDimJob(name, state, schedule, gen);
  if (generation !== gen) return;
  const etas = predictionEtas(state);
  const acc = etas.map(() => new MeanAccumulator());
  const diverged = etas.map(() => 0);
  const rng = new Rng(20261205 + gen);
  let runs = 0;
  let busyMs = 0;
  const step = () => {
    if (!running || generation !== gen) return;
    const t0 = performance.now();
    do {
      runOnce(rng).forEach((r, k) => (r.diverged === undefined ? acc[k].push(r.test) : diverged[k]++));
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
  resume = () => {
    running = true;
    step();
  };
  resume();
}

self.onmessage = (ev: MessageEvent<SimRequest>) => {
  const m = ev.data;
  const fail = (e: unknown) =>
    post({ kind: "error", generation: m.kind === "start" ? m.generation : generation, message: e instanceof Error ? e.message : String(e) });
  try {
    if (m.kind === "start") start(m.state, m.generation).catch(fail);
    else if (m.kind === "pause") running = false;
    else if (m.kind === "resume" && !running) resume?.();
  } catch (e) {
    fail(e);
  }
};
