import { existsSync, mkdirSync, readFileSync, writeFileSync, appendFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { coefficientTable } from "../diagrams/table.js";
import { BudgetExceededError, InvalidArgumentError, UsageError } from "../errors.js";
import { type DatasetName, loadDataset } from "../landscapes/datasets.js";
import type { DerivativeOracle } from "../landscapes/derivativeOracle.js";
import { createImageModel } from "../landscapes/imageModels.js";
import { LogisticModel } from "../landscapes/logistic.js";
import { initNumerics, isNumericsReady } from "../numerics/index.js";
import { chainMomentSamples, resummedChainTail } from "../predict/chainResummation.js";
import { evaluateSeries, type EstimatedSeries, seriesFromValues, type SeriesSpec } from "../predict/estimateSeries.js";
import { bilinearQuadrature } from "../predict/lanczosNodes.js";
import { sampleDiagramValuesReplicated } from "../predict/replicatedValues.js";
import { odeFitWithUncertainty } from "../predict/odeFit.js";
import { type EstimationOracle, estimationOracle, exactTiedPair, setVariates } from "../harness/populationStats.js";
import { type Schedule, stepCount } from "../schedule/schedule.js";
import { BatchedTrainer } from "../simulate/batchedTrainer.js";
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
  /**
   * Train with this optimizer instead of the schedule's SGD (`setupForConfig` in
   * optimizerSetup.ts builds it; absent = the schedule). Part of {@link configKey}, so
   * checkpoints of different optimizers never mix; run `r`'s training set is the same for all.
   */
  readonly optimizer?: {
    readonly name: "sgd" | "gd" | "gdc" | "hessian" | "ode" | "sde";
    /** GDC: multiple of `β = η(N−1)/(4N)`. */
    readonly betaScale?: number;
    /** Hessian update: `λ`. */
    readonly lambda?: number;
    /** ODE/SDE: sub-steps per SGD step. */
    readonly substeps?: number;
  };
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
    // 60 tuples × 10 replicas of every tie class (untied parts exact or batch means of 10):
    // standard errors of c1..c3 at or below those of the former 200 × 64 batch-mean design.
    tuples: 60,
    batch: 10,
    testSize: 1000,
    seed: 0,
  };
}

/**
 * Estimator sizes for the models whose derivatives run on jax-js, where the logistic defaults
 * (analytic derivatives) would take far too long: `predict --model lenet` takes a few minutes
 * on one core with these (LeNet: ~1–2 s per tuple for the order-3 test loss).
 */
export const JAX_MODEL_DEFAULTS: Readonly<Pick<MainJobConfig, "tuples" | "batch">> = Object.freeze({ tuples: 100, batch: 16 });

/** The defaults of a model: {@link defaultMainJobConfig}, with {@link JAX_MODEL_DEFAULTS} for LeNet and MLP. */
export function modelDefaults(model: ModelName): Partial<MainJobConfig> {
  return model === "logistic" ? {} : { model, ...JAX_MODEL_DEFAULTS };
}

/** Starts jax-js when the config's model needs it (LeNet, MLP); call before {@link setupModel}. */
export async function prepareModelNumerics(c: Pick<MainJobConfig, "model">): Promise<void> {
  if (c.model !== "logistic") await initNumerics();
}

/** One run of a simulation: its training set and the generator that then draws its batches. */
export interface RunSpec {
  readonly trainSet: readonly number[];
  readonly rng: Rng;
}

/**
 * Many runs trained at once (LeNet/MLP: lanes of one jax-js computation), exactly as
 * `train` would train them one by one (to float rounding).
 */
export interface BatchedRuns {
  /**
   * The `train` function this batches. A simulation uses {@link BatchedRuns.train} only while
   * `setup.train` is this very function, so a setup that replaces `train` (e.g.
   * `{ ...setup, train: other }`) falls back to training run by run.
   */
  readonly batches: ModelSetup["train"];
  /** Runs per call that fill the trainer's lanes for `etaCount` learning rates. */
  runsPerCall(etaCount: number): number;
  /** `result[i]` is `batches(runs[i].trainSet, etas, runs[i].rng)`. */
  train(runs: readonly RunSpec[], etas: readonly number[]): RunResult[][];
}

export interface ModelSetup {
  readonly oracle: DerivativeOracle<number>;
  readonly theta0: Float64Array;
  readonly populationSize: number;
  readonly testSet: readonly number[];
  train(trainSet: readonly number[], etas: readonly number[], rng: Rng): RunResult[];
  /** Optional batched training of many runs (see {@link BatchedRuns}). */
  readonly trainRuns?: BatchedRuns;
}

/**
 * Loads the data, builds the model at its init and draws the fixed held-out test sample.
 *
 * - `logistic`: the analytic model (`initSeed` 0: zero init; `k ≥ 1`: standard-normal weights
 *   from seed `k`, as in the real-data experiments), trained exactly in kernel coordinates.
 * - `lenet`, `mlp` (32 hidden units): `createImageModel` on jax-js at `theta0(initSeed)`
 *   (standard-normal weights from seed `initSeed`, the Xavier init of its parameterization, as
 *   the real-data experiments' logistic `initSeed ≥ 1`). Its float64 oracle serves the
 *   predictions (with batched `meanDirectionalGradient`/`meanDirectionalDerivative`); runs
 *   train with {@link BatchedTrainer} in float32, many runs × η at once ({@link BatchedRuns}).
 *   jax-js must be initialised first (`await initNumerics()`).
 *
 * @throws InvalidArgumentError for a test size outside `[1, data size]`.
 * @throws UsageError for LeNet/MLP before `initNumerics()` has completed.
 */
export function setupModel(c: MainJobConfig): ModelSetup {
  const data = loadDataset(c.data);
  const testRng = new Rng(c.seed * 7919 + 17);
  if (c.testSize < 1 || c.testSize > data.size) {
    throw new InvalidArgumentError("setupModel", "testSize", `an integer in [1, ${data.size}]`, c.testSize);
  }
  const testSet = Array.from(testRng.permutation(data.size).slice(0, c.testSize));
  if (c.model !== "logistic") {
    if (!(MODELS as readonly string[]).includes(c.model)) throw new InvalidArgumentError("setupModel", "model", `one of ${MODELS.join(", ")}`, c.model);
    if (!isNumericsReady()) throw new UsageError(`setupModel: the ${c.model} model runs on jax-js; await initNumerics() (or prepareModelNumerics) before setupModel`);
    const model = createImageModel(c.model, data);
    const theta0 = model.theta0(c.initSeed);
    const trainer = new BatchedTrainer(model);
    const train: ModelSetup["train"] = (set, etas, rng) => trainer.train(theta0, [set], testSet, c.schedule, etas, [rng])[0];
    const trainRuns: BatchedRuns = {
      batches: train,
      runsPerCall: (etaCount) => trainer.runsPerGroup(etaCount),
      train: (runs, etas) =>
        trainer.train(
          theta0,
          runs.map((r) => r.trainSet),
          testSet,
          c.schedule,
          etas,
          runs.map((r) => r.rng),
        ),
    };
    return { oracle: model, theta0, populationSize: data.size, testSet, train, trainRuns };
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
  const est = estimationOracle(setup);
  // Tie classes are replicated `batch` times per tuple (one datum each); untied parts are
  // exact population means where the oracle makes that cheap, else batch means.
  const values = sampleDiagramValuesReplicated(
    {
      oracle: est.oracle,
      theta0: est.theta0,
      drawTrain: (r) => r.int(setup.populationSize),
      drawTest: (r) => setup.testSet[r.int(setup.testSet.length)],
    },
    specs,
    c.tuples,
    rng.int(2 ** 31),
    c.batch,
    c.batch,
    onProgress,
    est.options,
  );
  exactTiedPair(specs, values, setup);
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
  const resummed = resummedChainCorrection(c, setup, est);
  const withResummed = rows.map((r, i) => {
    const corr = resummed?.[i];
    if (corr === undefined) return r;
    const poly = r.polynomial[c.order];
    return { ...r, resummed: { value: poly.value + corr.value, stderr: Math.hypot(poly.stderr, corr.stderr), n: poly.n } };
  });
  const diagramCount = specs.reduce((s, x) => s + x.diagrams.length, 0);
  return { quantity: c.loss, T, coefficients, rows: withResummed, diagramCount, seconds: (performance.now() - t0) / 1000 };
}



/** Highest power of `H` estimated by independent-batch chains (beyond it: Lanczos quadrature). */
const MAX_CHAIN_POWER = 24;

/**
 * `G_S·[f(H) − p(H)]·G_D` at every η, where `f(h) = −(1 − (1 − ηh)^T)/h` sums the untied
 * chains of vanilla SGD to all orders and `p` is its truncation at the prediction's order
 * (already in the polynomial). `f` is a polynomial of degree `T − 1`: for `T − 1 ≤ 24` the
 * moments `G_S·H^j·G_D` are estimated without bias by independent chains of batch HVPs (a
 * fresh batch per power; `G_S` exact, `G_D` exact or per chain), and the chains give the
 * error bar. Longer schedules use Lanczos quadrature of a batch-mean Hessian (nodes shared by
 * every η), two independent halves giving the error bar.
 * Returns null for schedules other than one epoch of batch-1 SGD, or for the train loss/gap.
 */
function resummedChainCorrection(c: MainJobConfig, setup: ModelSetup, est: EstimationOracle): Estimate[] | null {
  const s = c.schedule;
  if (c.loss !== "test" || s.kind !== "sgd" || s.batch !== 1 || s.epochs !== 1 || s.momentum !== undefined || s.etaScale !== undefined) return null;
  const T = s.N;
  const rng = new Rng(c.seed * 15485863 + 5);
  const draw = (n: number) => Array.from({ length: n }, () => rng.int(setup.populationSize));
  const GS = est.options.testGradient ?? est.mean(setup.testSet, []);
  if (T - 1 <= MAX_CHAIN_POWER) {
    const chains = 8;
    const hBatch = 8;
    const matvec = (v: Float64Array) => est.mean(draw(hBatch), [v]);
    const exactGD = est.options.exact?.trainGradient;
    if (exactGD !== undefined) return resummedChainTail(chainMomentSamples(matvec, GS, exactGD, T - 1, chains), T, c.order, c.etas);
    // G_D from its own draws per chain (two chains share one, averaged), so chains stay independent.
    const samples = Array.from({ length: chains }, () => {
      const [a, b] = chainMomentSamples(matvec, GS, est.mean(draw(128), []), T - 1, 2);
      return a.map((x, j) => (x + b[j]) / 2);
    });
    return resummedChainTail(samples, T, c.order, c.etas);
  }
  const halves = [0, 1].map(() => {
    const GD = est.mean(draw(1000), []);
    const hBatch = draw(500);
    const quad = bilinearQuadrature((v) => est.mean(hBatch, [v]), GS, GD, 12);
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
      return quad((h) => (Math.abs(eta * h) < 1e-8 ? poly(h) + 0 : -(1 - (1 - eta * h) ** T) / h) - poly(h));
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
  /**
   * Whether the measured means use the zero-mean control variates of {@link controlVariates}
   * (the train loss: training-set loss at θ0; the test loss: its first-order fluctuation; the
   * gap: both). Always, once there are runs.
   */
  readonly controlVariate: boolean;
  readonly rows: readonly SimulationRow[];
  readonly runsDone: number;
  readonly runsRequested: number;
  readonly resumedFrom: number;
  readonly interrupted: boolean;
  readonly seconds: number;
}

/** Stable text of a config for naming its output (everything but the run and estimator counts). */
export function configKey(c: MainJobConfig): string {
  return fnv1a(JSON.stringify({ ...c, runs: undefined, tuples: undefined, batch: undefined }));
}

/**
 * Stable text of what determines the simulated runs, naming their checkpoint: {@link configKey}
 * without the measured quantity and the order (each run records test and train losses), so
 * `--loss test|train|gap` and every `--order` share one set of runs.
 */
export function simulationKey(c: MainJobConfig): string {
  return fnv1a(JSON.stringify({ ...c, runs: undefined, tuples: undefined, batch: undefined, loss: undefined, order: undefined }));
}

function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, "0");
}

/** Options of {@link simulateMainJob}. */
export interface SimulateMainJobOptions {
  /** JSON-lines file of finished runs: appended to, and resumed from. */
  readonly checkpoint?: string;
  readonly onProgress?: (done: number, total: number) => void;
  /** Asked before each chunk of runs; `true` stops (finished runs stay in the checkpoint). */
  readonly shouldStop?: () => boolean;
}

/**
 * Simulates `c.runs` paired runs (each: a training set of N i.i.d. draws from the data set,
 * trained at every η), appending each finished run to `checkpoint` (JSON lines) so that an
 * interrupted simulation resumes where it stopped. Runs are seeded by their index, so the
 * result does not depend on how often it was interrupted.
 *
 * A setup with batched training ({@link ModelSetup.trainRuns}) trains chunks of
 * {@link simulationChunkSize} runs at once ({@link simulationChunks}); each run of a chunk is
 * written to the checkpoint when the chunk finishes, and `shouldStop` is asked between chunks.
 */
export function simulateMainJob(c: MainJobConfig, setup: ModelSetup, options: SimulateMainJobOptions = {}): SimulationResult {
  if (c.runs < 2) throw new InvalidArgumentError("simulateMainJob", "runs", "at least 2", c.runs);
  const t0 = performance.now();
  const state = { done: readCheckpoint(options.checkpoint), interrupted: false };
  const resumedFrom = state.done.length;
  for (const _ of simulationSteps(c, setup, options, state));
  return summarise(c, setup, state.done, resumedFrom, state.interrupted, t0);
}

/** {@link simulateMainJob} yielding to the event loop after every chunk (so Ctrl-C is heard). */
async function simulateMainJobAsync(c: MainJobConfig, setup: ModelSetup, options: SimulateMainJobOptions): Promise<SimulationResult> {
  if (c.runs < 2) throw new InvalidArgumentError("simulateMainJob", "runs", "at least 2", c.runs);
  const t0 = performance.now();
  const state = { done: readCheckpoint(options.checkpoint), interrupted: false };
  const resumedFrom = state.done.length;
  for (const _ of simulationSteps(c, setup, options, state)) await new Promise((resolve) => setImmediate(resolve));
  return summarise(c, setup, state.done, resumedFrom, state.interrupted, t0);
}

/** Trains the remaining runs chunk by chunk, checkpointing each; yields after every chunk. */
function* simulationSteps(
  c: MainJobConfig,
  setup: ModelSetup,
  options: SimulateMainJobOptions,
  state: { done: RunResult[][]; interrupted: boolean },
): Generator<void> {
  for (const [from, to] of simulationChunks(state.done.length, c.runs, simulationChunkSize(c, setup))) {
    if (options.shouldStop?.() === true) {
      state.interrupted = true;
      return;
    }
    runChunk(c, setup, from, to).forEach((results, i) => {
      state.done.push(results);
      if (options.checkpoint !== undefined) appendFileSync(options.checkpoint, JSON.stringify({ run: from + i, results }) + "\n");
    });
    options.onProgress?.(to, c.runs);
    yield;
  }
}

/** Run `r`'s training set (N i.i.d. draws) and the generator, seeded by `r` alone, that then draws its batches. */
export function runSpec(c: MainJobConfig, setup: ModelSetup, r: number): RunSpec {
  const rng = new Rng(c.seed * 1_000_003 + r);
  const trainSet = Array.from({ length: c.schedule.N }, () => rng.int(setup.populationSize));
  return { trainSet, rng };
}

/** Run `r`: its own seeded training set (N i.i.d. draws) trained at every η (paired). */
export function runOne(c: MainJobConfig, setup: ModelSetup, r: number): RunResult[] {
  const { trainSet, rng } = runSpec(c, setup, r);
  return setup.train(trainSet, c.etas, rng);
}

/** The setup's batched training, if it still batches the setup's `train` (see {@link BatchedRuns.batches}). */
function batchedRuns(setup: ModelSetup): BatchedRuns | undefined {
  const b = setup.trainRuns;
  return b !== undefined && b.batches === setup.train ? b : undefined;
}

/** Runs trained per chunk: the batched trainer's runs per call, else 1. */
export function simulationChunkSize(c: MainJobConfig, setup: ModelSetup): number {
  return Math.max(1, batchedRuns(setup)?.runsPerCall(c.etas.length) ?? 1);
}

/**
 * The chunks `[from, to)` covering runs `start..runs−1`, with boundaries at the multiples of
 * `size` (only the first chunk of a resumed simulation may be shorter), so that which runs
 * train together depends neither on the number of workers nor on where most resumptions start.
 */
export function simulationChunks(start: number, runs: number, size: number): [number, number][] {
  const out: [number, number][] = [];
  for (let from = start; from < runs; ) {
    const to = Math.min(runs, (Math.floor(from / size) + 1) * size);
    out.push([from, to]);
    from = to;
  }
  return out;
}

/** Runs `from..to−1` ({@link runOne} each, or one batched call). */
export function runChunk(c: MainJobConfig, setup: ModelSetup, from: number, to: number): RunResult[][] {
  const runs = Array.from({ length: to - from }, (_, i) => from + i);
  const batched = batchedRuns(setup);
  if (batched === undefined) return runs.map((r) => runOne(c, setup, r));
  return batched.train(
    runs.map((r) => runSpec(c, setup, r)),
    c.etas,
  );
}

/**
 * {@link simulateMainJob} across worker threads (one per core by default). Results do not
 * depend on the number of workers: run `r` is seeded by `r` alone, the chunks of runs trained
 * together are fixed ({@link simulationChunks}) and handed out whole, and runs are written to
 * the checkpoint in order as soon as they are contiguous. With one worker, or when the compiled
 * worker script is not available (running from TypeScript sources), runs on this thread,
 * yielding to the event loop between chunks so that `shouldStop` (Ctrl-C) takes effect.
 */
export async function simulateMainJobParallel(
  c: MainJobConfig,
  setup: ModelSetup,
  options: SimulateMainJobOptions & { workers?: number } = {},
): Promise<SimulationResult> {
  const script = fileURLToPath(new URL("./simulateWorker.js", import.meta.url));
  const workers = Math.max(1, options.workers ?? 2);
  if (workers === 1 || !existsSync(script)) return simulateMainJobAsync(c, setup, options);
  if (c.runs < 2) throw new InvalidArgumentError("simulateMainJob", "runs", "at least 2", c.runs);
  const t0 = performance.now();
  const done = readCheckpoint(options.checkpoint);
  const resumedFrom = done.length;
  const pending = new Map<number, RunResult[]>();
  const chunks = simulationChunks(done.length, c.runs, simulationChunkSize(c, setup));
  if (chunks.length === 0) return summarise(c, setup, done, resumedFrom, false, t0);
  const shares = Array.from({ length: Math.min(workers, chunks.length) }, (_, w) => chunks.filter((_, i) => i % workers === w));
  let interrupted = false;
  await new Promise<void>((resolve, reject) => {
    let finished = 0;
    const pool = shares.map((share) => new Worker(script, { workerData: { config: c, chunks: share } }));
    const poll = setInterval(() => {
      if (options.shouldStop?.() === true && !interrupted) {
        interrupted = true;
        clearInterval(poll);
        Promise.all(pool.map((w) => w.terminate())).then(() => resolve(), reject);
      }
    }, 100);
    for (const w of pool) {
      w.on("message", (m: { from?: number; results?: RunResult[][]; done?: boolean }) => {
        if (m.done === true) {
          if (++finished === pool.length) {
            clearInterval(poll);
            resolve();
          }
          return;
        }
        m.results!.forEach((results, i) => pending.set(m.from! + i, results));
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
  return summarise(c, setup, done, resumedFrom, interrupted, t0);
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

/**
 * Zero-mean control variates of the runs, from their training sets at `θ0` (each training set
 * is i.i.d. from the population, and the population means below are exact):
 * - `trainOffset[r]`: the training set's mean loss at `θ0` minus the population mean loss — highly
 *   correlated with the run's final train loss at small η;
 * - `testSlope[r]`: `(1/N)·Σ_n G_S·(∇l_{x_n} − G)` at `θ0` (`G_S` the test sample's mean gradient,
 *   `G` the population's) — `−ηT·testSlope[r]` is the run's first-order fluctuation of the test
 *   loss for one-pass, batch and multi-epoch SGD and GD;
 * - `trainSlope[r]`: `|ḡ_r|² − E|ḡ|²` — `−ηT` times it is the train loss's first-order fluctuation
 *   beyond the training set's loss at init (see `setVariates`).
 * Subtracting any fixed multiple of a zero-mean variate keeps a mean unbiased; these remove
 * most of the spread over training sets. Costs one pass over the population (losses, or
 * directional derivatives along `G_S`).
 */
export function controlVariates(c: MainJobConfig, setup: ModelSetup, runs: number, which: "train" | "test" | "trainSlope"): Float64Array {
  const sets = Array.from({ length: runs }, (_, r) => runSpec(c, setup, r).trainSet);
  return setVariates(setup, sets, which === "train" ? "loss" : which === "test" ? "test slope" : "train slope");
}

function summarise(c: MainJobConfig, setup: ModelSetup, done: RunResult[][], resumedFrom: number, interrupted: boolean, t0: number): SimulationResult {
  const T = stepCount(c.schedule);
  const offsets = c.loss === "test" || done.length === 0 ? null : controlVariates(c, setup, done.length, "train");
  const trainSlope = offsets === null ? null : controlVariates(c, setup, done.length, "trainSlope");
  const slopes = c.loss === "train" || done.length === 0 ? null : controlVariates(c, setup, done.length, "test");
  const rows = c.etas.map((eta, i): SimulationRow => {
    const vals: number[] = [];
    let diverged = 0;
    let firstStep = Infinity;
    for (const [r, run] of done.entries()) {
      const res = run[i];
      if (res.diverged !== undefined) {
        diverged++;
        firstStep = Math.min(firstStep, res.diverged);
        continue;
      }
      const train = res.train - (offsets?.[r] ?? 0) + eta * T * (trainSlope?.[r] ?? 0);
      const test = res.test + eta * T * (slopes?.[r] ?? 0);
      vals.push(c.loss === "test" ? test : c.loss === "train" ? train : test - train);
    }
    const n = vals.length;
    const mean = n === 0 ? NaN : vals.reduce((s, x) => s + x, 0) / n;
    const sd = n < 2 ? NaN : Math.sqrt(vals.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1));
    return { eta, etaT: eta * T, mean, ci95: (Z_95 * sd) / Math.sqrt(n), runs: n, diverged, firstDivergedStep: Number.isFinite(firstStep) ? firstStep : -1 };
  });
  return {
    quantity: c.loss,
    controlVariate: offsets !== null || slopes !== null,
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
    // Where the higher orders change the prediction by less than the combined interval,
    // "closer than order 1" is decided by noise (the measurement's or the estimates'), not by
    // the theory.
    rec.orderDifferenceResolved = Math.abs(pr.polynomial[order].value - pr.polynomial[1].value) > halfWidth;
    return rec;
  });
  const small = rows.filter((r) => (r.etaT as number) <= etaTMax + 1e-12);
  const inside = small.filter((r) => r.withinInterval === true).length;
  const better = small.filter((r) => r.betterThanOrder1 === true).length;
  const pass = small.length > 0 && inside === small.length && better === small.length;
  const verdict =
    `order-${order} ${p.quantity} prediction within the 95% interval for ${inside}/${small.length} η with ηT ≤ ${etaTMax}, ` +
    `closer than order 1 for ${better}/${small.length}; over all η: within for ${rows.filter((r) => r.withinInterval === true).length}/${rows.length}`;
  const unresolved = small.filter((r) => r.orderDifferenceResolved === false).length;
  const notes = [
    unresolved > 0 ? `at ${unresolved}/${small.length} of those η, orders 1 and ${order} differ by less than the combined 95% interval (measurement and prediction; there "closer" is decided by noise)` : "",
    s.controlVariate ? "measured means use zero-mean control variates from each run's training set at θ0 (unbiased; see controlVariates)" : "",
  ].filter((x) => x !== "");
  return { rows, verdict: notes.length === 0 ? verdict : `${verdict}\nnote: ${notes.join("; ")}`, pass };
}

/** Ensures the output folder and returns the checkpoint path for this config. */
export function checkpointPath(outDir: string, c: MainJobConfig): string {
  const dir = join(outDir, "checkpoints");
  mkdirSync(dir, { recursive: true });
  return join(dir, `simulate-${simulationKey(c)}.jsonl`);
}

/** Writes text to a file, creating folders. */
export function writeOutput(path: string, text: string | Buffer): void {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, text);
}

export { BudgetExceededError };
