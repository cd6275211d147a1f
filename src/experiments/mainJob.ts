import { existsSync, mkdirSync, readFileSync, writeFileSync, appendFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { coefficientTable } from "../diagrams/table.js";
import { BudgetExceededError, InvalidArgumentError } from "../errors.js";
import { type DatasetName, loadDataset } from "../landscapes/datasets.js";
import type { DerivativeOracle } from "../landscapes/derivativeOracle.js";
import { LogisticModel } from "../landscapes/logistic.js";
import { evaluateSeries, type EstimatedSeries, sampleDiagramValues, seriesFromValues, type SeriesSpec } from "../predict/estimateSeries.js";
import { lanczosBilinearForm } from "../predict/lanczos.js";
import { odeFitWithUncertainty } from "../predict/odeFit.js";
import { type Schedule, stepCount } from "../schedule/schedule.js";
import { LogisticKernelTrainer, type RunResult } from "../simulate/logisticKernel.js";
import { type Estimate, Z_95 } from "../stats/estimate.js";
import { Rng } from "../stats/rng.js";

export const MODELS = ["logistic", "lenet", "mlp"] as const;
export type ModelName = (typeof MODELS)[number];
export type MeasuredQuantity = "test" | "train" | "gap";

/** Everything that determines a prediction or a simulation (hashed for resumable output). */
export interface MainJobConfig {
  readonly data: DatasetName;
  readonly model: ModelName;
  readonly initSeed: number;
  readonly schedule: Schedule;
  readonly etas: readonly number[];
  readonly order: number;
  readonly loss: MeasuredQuantity;
  /** Simulated runs (paired across η). */
  readonly runs: number;
  /** Independent data tuples for the diagram-value estimates. */
  readonly tuples: number;
  /** Batch size per tie-class slot within a tuple (batch means for untied nodes). */
  readonly batch: number;
  /** Size of the fixed held-out test sample (the test distribution). */
  readonly testSize: number;
  readonly seed: number;
}

/** The README's default: MNIST logistic, T = N = 10, ηT up to 2, order 3, 2000 paired runs. */
export function defaultMainJobConfig(schedule: Schedule): MainJobConfig {
  return {
    data: "mnist",
    model: "logistic",
    initSeed: 0,
    schedule,
    etas: [0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2],
    order: 3,
    loss: "test",
    runs: 2000,
    tuples: 200,
    batch: 64,
    testSize: 1000,
    seed: 0,
  };
}

export interface ModelSetup {
  readonly oracle: DerivativeOracle<number>;
  readonly theta0: Float64Array;
  readonly populationSize: number;
  readonly testSet: readonly number[];
  train(trainSet: readonly number[], etas: readonly number[], rng: Rng): RunResult[];
}

/** Loads the data, builds the model at its init and draws the fixed held-out test sample. */
export function setupModel(c: MainJobConfig): ModelSetup {
  const data = loadDataset(c.data);
  const testRng = new Rng(c.seed * 7919 + 17);
  if (c.testSize < 1 || c.testSize > data.size) {
    throw new InvalidArgumentError("setupModel", "testSize", `an integer in [1, ${data.size}]`, c.testSize);
  }
  const testSet = Array.from(testRng.permutation(data.size).slice(0, c.testSize));
  if (c.model !== "logistic") {
    throw new InvalidArgumentError("setupModel", "model", 'one of the available models: "logistic" (LeNet and MLP are being added)', c.model);
  }
  const model = new LogisticModel(data);
  const theta0 = model.theta0(c.initSeed);
  const trainer = new LogisticKernelTrainer(model, theta0, testSet);
  return { oracle: model, theta0, populationSize: data.size, testSet, train: (set, etas, rng) => trainer.run(set, c.schedule, etas, rng) };
}

/** One η of a prediction. */
export interface PredictionRow {
  readonly eta: number;
  readonly etaT: number;
  /** Polynomial predictions of orders 0..order (index k uses c_0..c_k). */
  readonly polynomial: readonly Estimate[];
  /** `|c_k η^k| / |Σ_{j≥1} c_j η^j|` for the last included order (how far from converged). */
  readonly lastTermRatio: number;
  /** Autonomous-ODE extrapolation (applications.md §G) with a 95% band. */
  readonly ode: { value: number; lower: number; upper: number; form: string };
  /**
   * Resummed prediction (applications.md §A): the order-`order` polynomial with its untied
   * chains replaced by their sum to all orders, `−G·H⁻¹(I − (I − ηH)^T)·G` (vanilla SGD, test
   * loss); null where not available.
   */
  readonly resummed: Estimate | null;
}

export interface PredictionResult {
  readonly quantity: MeasuredQuantity;
  readonly T: number;
  /** `c_k ± se`. */
  readonly coefficients: readonly Estimate[];
  readonly rows: readonly PredictionRow[];
  readonly diagramCount: number;
  readonly seconds: number;
}

/**
 * Predicts the test loss, train loss or gap after the schedule at every η from statistics at
 * initialisation: exact diagram coefficients × unbiased diagram-value estimates.
 */
export function predictMainJob(c: MainJobConfig, setup: ModelSetup, onProgress?: (done: number, total: number) => void): PredictionResult {
  const t0 = performance.now();
  const needs: ("test" | "train")[] = c.loss === "gap" ? ["test", "train"] : [c.loss];
  const specs: SeriesSpec[] = needs.map((loss) => ({ loss, diagrams: coefficientTable(c.schedule, c.order, loss) }));
  const rng = new Rng(c.seed * 104729 + 3);
  const values = sampleDiagramValues(
    {
      oracle: setup.oracle,
      theta0: setup.theta0,
      drawTrain: (r) => r.int(setup.populationSize),
      drawTest: (r) => setup.testSet[r.int(setup.testSet.length)],
    },
    specs,
    c.tuples,
    rng.int(2 ** 31),
    onProgress,
    c.batch,
  );
  const series: EstimatedSeries = seriesFromValues(
    specs.map((spec, i) => ({ spec, values: values[i], sign: (i === 0 ? 1 : -1) as 1 | -1 })),
    c.order,
  );
  const coefficients = series.coefficients;
  const T = stepCount(c.schedule);
  const odeOrder = Math.min(3, c.order);
  const ode = odeFitWithUncertainty(
    coefficients.slice(0, odeOrder + 1).map((e) => e.value),
    coefficients.slice(0, odeOrder + 1).map((e) => e.stderr),
    400,
    c.seed + 11,
    c.etas,
  );
  const rows = c.etas.map((eta, i): PredictionRow => {
    const polynomial = Array.from({ length: c.order + 1 }, (_, k) => evaluateSeries(series, eta, k));
    const change = polynomial[c.order].value - coefficients[0].value;
    const last = coefficients[c.order].value * eta ** c.order;
    const band = ode.band[i];
    return {
      eta,
      etaT: eta * T,
      polynomial,
      lastTermRatio: change === 0 ? 0 : Math.abs(last / change),
      ode: { value: band.central, lower: band.lower, upper: band.upper, form: ode.central.form },
      resummed: null,
    };
  });
  const resummed = resummedChainCorrection(c, setup);
  const withResummed = rows.map((r, i) => {
    const corr = resummed?.[i];
    if (corr === undefined) return r;
    const poly = r.polynomial[c.order];
    return { ...r, resummed: { value: poly.value + corr.value, stderr: Math.hypot(poly.stderr, corr.stderr), n: poly.n } };
  });
  const diagramCount = specs.reduce((s, x) => s + x.diagrams.length, 0);
  return { quantity: c.loss, T, coefficients, rows: withResummed, diagramCount, seconds: (performance.now() - t0) / 1000 };
}

/**
 * `G_S·[f(H) − p(H)]·G_D` at every η, where `f(h) = −(1 − (1 − ηh)^T)/h` sums the untied
 * chains of vanilla SGD to all orders and `p` is its truncation at the prediction's order
 * (already in the polynomial). `H` is a batch-mean Hessian (HVPs only), the bilinear form is
 * taken by Lanczos quadrature; two independent halves of the data give the error bar.
 * Returns null for schedules other than one epoch of batch-1 SGD, or for the train loss/gap.
 */
function resummedChainCorrection(c: MainJobConfig, setup: ModelSetup): Estimate[] | null {
  const s = c.schedule;
  if (c.loss !== "test" || s.kind !== "sgd" || s.batch !== 1 || s.epochs !== 1 || s.momentum !== undefined || s.etaScale !== undefined) return null;
  const T = s.N;
  const o = setup.oracle;
  const mean = (xs: number[], dirs: Float64Array[]): Float64Array => {
    if (o.meanDirectionalGradient !== undefined) return o.meanDirectionalGradient(setup.theta0, xs, dirs);
    const out = new Float64Array(o.dim);
    for (const x of xs) {
      const g = o.directionalGradient(setup.theta0, x, dirs);
      for (let j = 0; j < g.length; j++) out[j] += g[j] / xs.length;
    }
    return out;
  };
  const rng = new Rng(c.seed * 15485863 + 5);
  const GS = mean([...setup.testSet], []);
  const halves = [0, 1].map(() => {
    const gBatch = Array.from({ length: 1000 }, () => rng.int(setup.populationSize));
    const hBatch = Array.from({ length: 500 }, () => rng.int(setup.populationSize));
    const GD = mean(gBatch, []);
    const matvec = (v: Float64Array) => mean(hBatch, [v]);
    return c.etas.map((eta) => {
      const binom = (d: number) => {
        let r = 1;
        for (let i = 0; i < d; i++) r = (r * (T - i)) / (i + 1);
        return r;
      };
      const poly = (h: number) => {
        let acc = 0;
        for (let d = 1; d <= c.order; d++) acc += (-1) ** d * eta ** d * binom(d) * h ** (d - 1);
        return acc;
      };
      const f = (h: number) => (Math.abs(eta * h) < 1e-8 ? poly(h) + 0 : -(1 - (1 - eta * h) ** T) / h) - poly(h);
      return lanczosBilinearForm(matvec, GS, GD, f, 12);
    });
  });
  return c.etas.map((_, i) => ({ value: (halves[0][i] + halves[1][i]) / 2, stderr: Math.abs(halves[0][i] - halves[1][i]) / 2, n: 2 }));
}

/** Measured mean at one η over the finished runs. */
export interface SimulationRow {
  readonly eta: number;
  readonly etaT: number;
  readonly mean: number;
  readonly ci95: number;
  readonly runs: number;
  readonly diverged: number;
  /** Earliest step at which a run diverged (−1 when none did). */
  readonly firstDivergedStep: number;
}

export interface SimulationResult {
  readonly quantity: MeasuredQuantity;
  readonly rows: readonly SimulationRow[];
  readonly runsDone: number;
  readonly runsRequested: number;
  readonly resumedFrom: number;
  readonly interrupted: boolean;
  readonly seconds: number;
}

/** Stable text of a config for naming its checkpoint. */
export function configKey(c: MainJobConfig): string {
  const s = JSON.stringify({ ...c, runs: undefined, tuples: undefined, batch: undefined });
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, "0");
}

/**
 * Simulates `c.runs` paired runs (each: a training set of N i.i.d. draws from the data set,
 * trained at every η), appending each finished run to `checkpoint` (JSON lines) so that an
 * interrupted simulation resumes where it stopped. Runs are seeded by their index, so the
 * result does not depend on how often it was interrupted.
 */
export function simulateMainJob(
  c: MainJobConfig,
  setup: ModelSetup,
  options: { checkpoint?: string; onProgress?: (done: number, total: number) => void; shouldStop?: () => boolean } = {},
): SimulationResult {
  if (c.runs < 2) throw new InvalidArgumentError("simulateMainJob", "runs", "at least 2", c.runs);
  const t0 = performance.now();
  const done = readCheckpoint(options.checkpoint);
  const resumedFrom = done.length;
  let interrupted = false;
  for (let r = done.length; r < c.runs; r++) {
    if (options.shouldStop?.() === true) {
      interrupted = true;
      break;
    }
    const results = runOne(c, setup, r);
    done.push(results);
    if (options.checkpoint !== undefined) appendFileSync(options.checkpoint, JSON.stringify({ run: r, results }) + "\n");
    options.onProgress?.(r + 1, c.runs);
  }
  return summarise(c, done, resumedFrom, interrupted, t0);
}

/** Run `r`: its own seeded training set (N i.i.d. draws) trained at every η (paired). */
export function runOne(c: MainJobConfig, setup: ModelSetup, r: number): RunResult[] {
  const rng = new Rng(c.seed * 1_000_003 + r);
  const trainSet = Array.from({ length: c.schedule.N }, () => rng.int(setup.populationSize));
  return setup.train(trainSet, c.etas, rng);
}

/**
 * {@link simulateMainJob} across worker threads (one per core by default). Results do not
 * depend on the number of workers: run `r` is seeded by `r` alone, and runs are written to
 * the checkpoint in order as soon as they are contiguous. Falls back to one thread when the
 * compiled worker script is not available (running from TypeScript sources).
 */
export async function simulateMainJobParallel(
  c: MainJobConfig,
  setup: ModelSetup,
  options: { checkpoint?: string; onProgress?: (done: number, total: number) => void; shouldStop?: () => boolean; workers?: number } = {},
): Promise<SimulationResult> {
  const script = fileURLToPath(new URL("./simulateWorker.js", import.meta.url));
  const workers = Math.max(1, options.workers ?? 2);
  if (workers === 1 || !existsSync(script)) return simulateMainJob(c, setup, options);
  if (c.runs < 2) throw new InvalidArgumentError("simulateMainJob", "runs", "at least 2", c.runs);
  const t0 = performance.now();
  const done = readCheckpoint(options.checkpoint);
  const resumedFrom = done.length;
  const pending = new Map<number, RunResult[]>();
  const todo = Array.from({ length: c.runs - done.length }, (_, i) => done.length + i);
  if (todo.length === 0) return summarise(c, done, resumedFrom, false, t0);
  const shares = Array.from({ length: Math.min(workers, todo.length) }, (_, w) => todo.filter((_, i) => i % workers === w));
  let interrupted = false;
  await new Promise<void>((resolve, reject) => {
    let finished = 0;
    const pool = shares.map((runs) => new Worker(script, { workerData: { config: c, runs } }));
    const poll = setInterval(() => {
      if (options.shouldStop?.() === true && !interrupted) {
        interrupted = true;
        clearInterval(poll);
        Promise.all(pool.map((w) => w.terminate())).then(() => resolve(), reject);
      }
    }, 100);
    for (const w of pool) {
      w.on("message", (m: { run?: number; results?: RunResult[]; done?: boolean }) => {
        if (m.done === true) {
          if (++finished === pool.length) {
            clearInterval(poll);
            resolve();
          }
          return;
        }
        pending.set(m.run!, m.results!);
        while (pending.has(done.length)) {
          const results = pending.get(done.length)!;
          pending.delete(done.length);
          if (options.checkpoint !== undefined) appendFileSync(options.checkpoint, JSON.stringify({ run: done.length, results }) + "\n");
          done.push(results);
        }
        options.onProgress?.(done.length + pending.size, c.runs);
      });
      w.on("error", (e) => {
        clearInterval(poll);
        void Promise.all(pool.map((x) => x.terminate()));
        reject(e);
      });
    }
  });
  return summarise(c, done, resumedFrom, interrupted, t0);
}

function readCheckpoint(path: string | undefined): RunResult[][] {
  const done: RunResult[][] = [];
  if (path === undefined || !existsSync(path)) return done;
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (line.trim() === "") continue;
    try {
      const rec = JSON.parse(line) as { run: number; results: RunResult[] };
      if (rec.run === done.length) done.push(rec.results);
    } catch {
      break; // a torn last line from an interruption: drop it and redo that run
    }
  }
  return done;
}

function summarise(c: MainJobConfig, done: RunResult[][], resumedFrom: number, interrupted: boolean, t0: number): SimulationResult {
  const T = stepCount(c.schedule);
  const rows = c.etas.map((eta, i): SimulationRow => {
    const vals: number[] = [];
    let diverged = 0;
    let firstStep = Infinity;
    for (const run of done) {
      const res = run[i];
      if (res.diverged !== undefined) {
        diverged++;
        firstStep = Math.min(firstStep, res.diverged);
        continue;
      }
      vals.push(c.loss === "test" ? res.test : c.loss === "train" ? res.train : res.test - res.train);
    }
    const n = vals.length;
    const mean = n === 0 ? NaN : vals.reduce((s, x) => s + x, 0) / n;
    const sd = n < 2 ? NaN : Math.sqrt(vals.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1));
    return { eta, etaT: eta * T, mean, ci95: (Z_95 * sd) / Math.sqrt(n), runs: n, diverged, firstDivergedStep: Number.isFinite(firstStep) ? firstStep : -1 };
  });
  return {
    quantity: c.loss,
    rows,
    runsDone: done.length,
    runsRequested: c.runs,
    resumedFrom,
    interrupted,
    seconds: (performance.now() - t0) / 1000,
  };
}

/** Side-by-side rows of a comparison and the verdict of issue 4. */
export interface ComparisonResult {
  readonly rows: readonly Record<string, number | string | boolean>[];
  readonly verdict: string;
  readonly pass: boolean;
}

/**
 * Compares predictions with measurements: for ηT ≤ `etaTMax`, is the order-`order`
 * prediction inside the measured 95% interval, and is its error smaller than order 1's?
 */
export function compareMainJob(p: PredictionResult, s: SimulationResult, order: number, etaTMax = 0.5): ComparisonResult {
  const rows = p.rows.map((pr, i) => {
    const sr = s.rows[i];
    const rec: Record<string, number | string | boolean> = { eta: pr.eta, etaT: pr.etaT, measured: sr.mean, measuredCi95: sr.ci95, runs: sr.runs, diverged: sr.diverged };
    for (let k = 1; k <= order; k++) {
      rec[`order${k}`] = pr.polynomial[k].value;
      rec[`order${k}Se`] = pr.polynomial[k].stderr;
    }
    rec.ode = pr.ode.value;
    if (pr.resummed !== null) rec.resummed = pr.resummed.value;
    rec.lastTermRatio = pr.lastTermRatio;
    const err = (k: number) => Math.abs(pr.polynomial[k].value - sr.mean);
    // The prediction's own error adds to the measurement's; combine both in the interval.
    const halfWidth = Math.sqrt(sr.ci95 ** 2 + (Z_95 * pr.polynomial[order].stderr) ** 2);
    rec.withinInterval = err(order) <= halfWidth;
    rec.betterThanOrder1 = err(order) < err(1);
    return rec;
  });
  const small = rows.filter((r) => (r.etaT as number) <= etaTMax + 1e-12);
  const inside = small.filter((r) => r.withinInterval === true).length;
  const better = small.filter((r) => r.betterThanOrder1 === true).length;
  const pass = small.length > 0 && inside === small.length && better === small.length;
  const verdict =
    `order-${order} ${p.quantity} prediction within the 95% interval for ${inside}/${small.length} η with ηT ≤ ${etaTMax}, ` +
    `closer than order 1 for ${better}/${small.length}; over all η: within for ${rows.filter((r) => r.withinInterval === true).length}/${rows.length}`;
  return { rows, verdict, pass };
}

/** Ensures the output folder and returns the checkpoint path for this config. */
export function checkpointPath(outDir: string, c: MainJobConfig): string {
  const dir = join(outDir, "checkpoints");
  mkdirSync(dir, { recursive: true });
  return join(dir, `simulate-${configKey(c)}.jsonl`);
}

/** Writes text to a file, creating folders. */
export function writeOutput(path: string, text: string | Buffer): void {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, text);
}

export { BudgetExceededError };
