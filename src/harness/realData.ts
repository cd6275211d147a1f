/**
 * Shared machinery of the real-data experiments (figures 2, 4, 6–10, 14): models with their
 * fixed held-out test sample, paired training runs with any {@link Optimizer}, a *bank* of
 * diagram values measured once per model and reused for every schedule's prediction, and the
 * prediction curves (polynomial orders and autonomous-ODE fit).
 *
 * @module
 */
import { Rational } from "../algebra/rational.js";
import type { LossKind } from "../diagrams/coefficient.js";
import type { DiagramRecord } from "../diagrams/format.js";
import { coefficientTable } from "../diagrams/table.js";
import { InternalError, InvalidArgumentError } from "../errors.js";
import { type DatasetName, type ImageDataset, loadDataset } from "../landscapes/datasets.js";
import type { DerivativeOracle } from "../landscapes/derivativeOracle.js";
import { LogisticModel } from "../landscapes/logistic.js";
import { initNumerics } from "../numerics/index.js";
import { type EstimatedSeries, evaluateSeries, seriesFromValues } from "../predict/estimateSeries.js";
import { lanczosNodes } from "../predict/lanczosNodes.js";
import { sampleDiagramValuesReplicated } from "../predict/replicatedValues.js";
import { odeFitWithUncertainty } from "../predict/odeFit.js";
import { type Schedule, sgdSchedule, stepCount } from "../schedule/schedule.js";
import type { RunResult } from "../simulate/logisticKernel.js";
import { LogisticOptimizerTrainer } from "../simulate/logisticOptimizers.js";
import { LogisticSparseTrainer } from "../simulate/logisticSparse.js";
import { momentumOf, stepRates } from "../simulate/trainingSteps.js";
import { meanOracleGradient } from "../simulate/gdc.js";
import { type Optimizer, sgdOptimizer, trainWithOptimizer } from "../simulate/optimizers.js";
import { type Estimate, Z_95 } from "../stats/estimate.js";
import { Rng } from "../stats/rng.js";
import { type Checkpoint, runChunks, unitSeed } from "./checkpoint.js";
import { estimationOracle, exactTiedPair, perDatumAtInit, setVariates } from "./populationStats.js";
import type { ExperimentContext } from "./experiment.js";
import { type MainJobConfig, type ModelName, type RunSpec, setupModel } from "../mainJob/mainJob.js";

/** Which model: data set, architecture, init seed and (logistic only) input resolution. */
export interface RealModelSpec {
  readonly data: DatasetName;
  readonly model: ModelName;
  /**
   * Init seed. Logistic: 0 is the zero init of experiments.md, `k ≥ 1` standard-normal
   * weights (the Xavier init of this parameterization) from seed `k`. Other models: as
   * `setupModel`.
   */
  readonly initSeed: number;
  /** Logistic only: images mean-pooled to `resolution × resolution` (28, 14, 7 or 4). @defaultValue 28 */
  readonly resolution?: number;
}

/** A model ready to train and to measure. */
export interface RealModel {
  readonly spec: RealModelSpec;
  readonly label: string;
  readonly oracle: DerivativeOracle<number>;
  readonly theta0: Float64Array;
  readonly dim: number;
  readonly populationSize: number;
  readonly testSet: readonly number[];
  /** Trains on `trainSet` with `optimizer` at every η (paired), final test/train losses. */
  train(trainSet: readonly number[], optimizer: Optimizer, etas: readonly number[], rng: Rng): RunResult[];
  /**
   * Optional: trains many runs at once, `result[i] = train(runs[i].trainSet, optimizer, etas,
   * runs[i].rng)` (to float rounding); `null` when `optimizer` has no batched trainer.
   */
  trainRuns?(runs: readonly RunSpec[], optimizer: Optimizer, etas: readonly number[]): RunResult[][] | null;
}

/** Short label, e.g. `"mnist logistic init 0"` or `"fashion logistic 14×14 init 2"`. */
export function modelLabel(s: RealModelSpec): string {
  const res = s.resolution !== undefined && s.resolution !== 28 ? ` ${s.resolution}×${s.resolution}` : "";
  return `${s.data} ${s.model}${res} init ${s.initSeed}`;
}

/** Whether `--models` (see {@link ExperimentContext.models}) keeps the model with this label. */
export function labelSelected(models: readonly string[] | undefined, label: string): boolean {
  if (models === undefined) return true;
  const l = label.toLowerCase();
  return models.some((m) => l.includes(m.toLowerCase()));
}

/** The specs that `ctx.models` keeps (all of them without `--models`). */
export function selectModels<T extends { readonly spec: RealModelSpec } | RealModelSpec>(ctx: ExperimentContext, specs: readonly T[]): T[] {
  return specs.filter((s) => labelSelected(ctx.models, modelLabel("spec" in s ? s.spec : s)));
}

const POOLS = [28, 14, 7, 4];
const pooledCache = new Map<string, ImageDataset>();

/** The data set with every image mean-pooled to `side × side` (`side` divides 28). */
export function pooledDataset(data: ImageDataset, side: number): ImageDataset {
  if (!POOLS.includes(side)) throw new InvalidArgumentError("pooledDataset", "side", `one of ${POOLS.join(", ")}`, side);
  if (side === 28) return data;
  const key = `${data.name}:${side}`;
  const hit = pooledCache.get(key);
  if (hit !== undefined) return hit;
  const f = 28 / side;
  const out = new Float32Array(data.size * side * side);
  for (let i = 0; i < data.size; i++) {
    for (let r = 0; r < 28; r++) {
      for (let c = 0; c < 28; c++) out[i * side * side + Math.floor(r / f) * side + Math.floor(c / f)] += data.pixels[i * 784 + r * 28 + c] / (f * f);
    }
  }
  const ds: ImageDataset = { ...data, features: side * side, pixels: out };
  pooledCache.set(key, ds);
  return ds;
}

const modelCache = new Map<string, RealModel | null>();

/** Starts jax-js when any of the models is not logistic (whose derivatives are analytic). */
export async function prepareNumerics(specs: readonly RealModelSpec[]): Promise<void> {
  if (specs.some((s) => s.model !== "logistic")) await initNumerics();
}

/**
 * Loads (once per process) the model of `spec` with a fixed held-out test sample of
 * `testSize` images (the same sample as `setupModel` for the same `testSeed`). Logistic models
 * train exactly in kernel or sparse coordinates for every optimizer; other architectures go
 * through `setupModel` (SGD family) and the generic oracle trainer (GDC, Hessian update).
 *
 * @returns `null` when the architecture is not available yet.
 */
export function loadRealModel(spec: RealModelSpec, testSize: number, testSeed: number): RealModel | null {
  const key = JSON.stringify([spec, testSize, testSeed]);
  if (modelCache.has(key)) return modelCache.get(key)!;
  const model = spec.model === "logistic" ? logisticModel(spec, testSize, testSeed) : otherModel(spec, testSize, testSeed);
  modelCache.set(key, model);
  return model;
}

function testSample(size: number, testSize: number, testSeed: number): number[] {
  if (!(Number.isInteger(testSize) && testSize >= 1 && testSize <= size)) {
    throw new InvalidArgumentError("loadRealModel", "testSize", `an integer in [1, ${size}]`, testSize);
  }
  return Array.from(new Rng(testSeed * 7919 + 17).permutation(size).slice(0, testSize));
}

function logisticModel(spec: RealModelSpec, testSize: number, testSeed: number): RealModel {
  const data = pooledDataset(loadDataset(spec.data), spec.resolution ?? 28);
  const model = new LogisticModel(data);
  const theta0 = model.theta0(spec.initSeed);
  const testSet = testSample(data.size, testSize, testSeed);
  let kernel: LogisticOptimizerTrainer | null = null;
  let sparse: LogisticSparseTrainer | null = null;
  return {
    spec,
    label: modelLabel(spec),
    oracle: model,
    theta0,
    dim: model.dim,
    populationSize: data.size,
    testSet,
    train(trainSet, optimizer, etas, rng) {
      // Kernel coordinates are cheapest for few training points; θ-space (sparse) for many.
      if (optimizer.kind === "sgd" && trainSet.length > 40) {
        sparse ??= new LogisticSparseTrainer(model, theta0, testSet);
        return sparse.run(trainSet, optimizer.schedule, etas, rng);
      }
      kernel ??= new LogisticOptimizerTrainer(model, theta0, testSet);
      return kernel.run(trainSet, optimizer, etas, rng);
    },
  };
}

function otherModel(spec: RealModelSpec, testSize: number, testSeed: number): RealModel | null {
  const config = (schedule: Schedule): MainJobConfig => ({
    data: spec.data,
    model: spec.model,
    initSeed: spec.initSeed,
    schedule,
    etas: [0.01],
    order: 3,
    loss: "test",
    runs: 2,
    tuples: 2,
    batch: 1,
    testSize,
    seed: testSeed,
  });
  let base: ReturnType<typeof setupModel>;
  try {
    base = setupModel(config(sgdSchedule(10)));
  } catch (e) {
    if (e instanceof InvalidArgumentError) return null;
    throw e;
  }
  const bySchedule = new Map<string, ReturnType<typeof setupModel>>();
  const forSchedule = (schedule: Schedule): ReturnType<typeof setupModel> => {
    const k = JSON.stringify(schedule);
    let s = bySchedule.get(k);
    if (s === undefined) bySchedule.set(k, (s = setupModel(config(schedule))));
    return s;
  };
  return {
    spec,
    label: modelLabel(spec),
    oracle: base.oracle,
    theta0: base.theta0,
    dim: base.oracle.dim,
    populationSize: base.populationSize,
    testSet: base.testSet,
    train(trainSet, optimizer, etas, rng) {
      if (optimizer.kind !== "sgd") return trainWithOptimizer(base.oracle, base.theta0, trainSet, base.testSet, optimizer, etas, rng);
      return forSchedule(optimizer.schedule).train(trainSet, etas, rng);
    },
    trainRuns(runs, optimizer, etas) {
      if (optimizer.kind !== "sgd") return null;
      const batched = forSchedule(optimizer.schedule).trainRuns;
      return batched === undefined ? null : batched.train(runs, etas);
    },
  };
}

// ---------------------------------------------------------------------------------------
// Diagram-value bank

/** Per-tuple values of a set of diagrams on one model, shared by every schedule's prediction. */
export interface DiagramBank {
  /** `(loss, canonical key)` of each column. */
  readonly columns: readonly { readonly loss: LossKind; readonly key: string }[];
  /** `values[t][j]`: column `j` on tuple `t`. */
  readonly values: readonly (readonly number[])[];
  readonly tuples: number;
  readonly batch: number;
}

const tableCache = new Map<string, DiagramRecord[]>();

/** {@link coefficientTable} memoised by schedule (exact coefficients; cheap to keep). */
export function cachedTable(schedule: Schedule, order: number, loss: LossKind): DiagramRecord[] {
  const key = JSON.stringify([schedule, order, loss]);
  let t = tableCache.get(key);
  if (t === undefined) tableCache.set(key, (t = coefficientTable(schedule, order, loss, { polynomial: false })));
  return t;
}

/**
 * Measures, once, every diagram of orders `0..order` for `loss` (all of them, so that the
 * bank serves any schedule): `tuples` independent tuples of data (tie classes averaged over
 * `replicates` replicas, untied internal nodes batch means of `batch` data), unbiased per
 * tuple (see `sampleDiagramValuesReplicated`). Untied leaves and roots are exact population
 * means and the train loss's tied pair `E|g|²` is exact (see `estimationOracle`,
 * `exactTiedPair`), so `c0` and `c1` carry no sampling error.
 */
export function sampleDiagramBank(
  model: RealModel,
  loss: LossKind,
  order: number,
  tuples: number,
  batch: number,
  seed: number,
  onProgress?: (done: number, total: number) => void,
  replicates = Math.min(8, batch),
): DiagramBank {
  const diagrams = coefficientTable(sgdSchedule(2), order, loss, { includeZero: true, polynomial: false });
  const est = estimationOracle(model);
  const specs = [{ loss, diagrams }];
  const raw = sampleDiagramValuesReplicated(
    {
      oracle: est.oracle,
      theta0: est.theta0,
      drawTrain: (r) => r.int(model.populationSize),
      drawTest: (r) => model.testSet[r.int(model.testSet.length)],
    },
    specs,
    tuples,
    seed,
    batch,
    replicates,
    onProgress,
    est.options,
  );
  exactTiedPair(specs, raw, model);
  return { columns: diagrams.map((d) => ({ loss, key: d.key })), values: raw[0], tuples, batch };
}

/** Columns of two banks side by side, tuple by tuple (equal numbers of tuples). */
export function combineBanks(a: DiagramBank, b: DiagramBank): DiagramBank {
  if (a.tuples !== b.tuples) throw new InvalidArgumentError("combineBanks", "b.tuples", `${a.tuples}`, b.tuples);
  return { columns: [...a.columns, ...b.columns], values: a.values.map((row, t) => [...row, ...b.values[t]]), tuples: a.tuples, batch: a.batch };
}

/** Sizes of a bank. */
export interface BankSizes {
  readonly order: number;
  readonly tuples: number;
  readonly batch: number;
  /** Replicas of each tie class per tuple (≤ batch). @defaultValue min(8, batch) */
  readonly replicates?: number;
}

const bankMemo = new Map<string, DiagramBank>();

/**
 * Caps on the estimator sizes for jax-js models (LeNet, MLP), whose derivatives cost ~1000×
 * the analytic logistic ones per datum (LeNet: a tuple of 16 takes ~2–5 s for the test bank,
 * ~8 s for the train bank), so that a full-size experiment measures their statistics in
 * minutes, not hours; their error bars grow accordingly (and are reported).
 */
export const JAX_MODEL_ESTIMATOR_CAPS = { tuples: 60, batch: 16, replicates: 8, gradBatch: 1000, hessBatch: 200, steps: 10 } as const;

/** `sizes`, capped by {@link JAX_MODEL_ESTIMATOR_CAPS} for non-logistic models. */
export function estimatorSizesFor(model: RealModel, sizes: BankSizes): BankSizes {
  if (model.spec.model === "logistic") return sizes;
  const c = JAX_MODEL_ESTIMATOR_CAPS;
  const batch = Math.min(sizes.batch, c.batch);
  return { ...sizes, tuples: Math.min(sizes.tuples, c.tuples), batch, replicates: Math.min(sizes.replicates ?? 8, c.replicates, batch) };
}

function chainSizesFor(model: RealModel, s: { gradBatch: number; hessBatch: number; steps: number }): { gradBatch: number; hessBatch: number; steps: number } {
  if (model.spec.model === "logistic") return s;
  const c = JAX_MODEL_ESTIMATOR_CAPS;
  return { gradBatch: Math.min(s.gradBatch, c.gradBatch), hessBatch: Math.min(s.hessBatch, c.hessBatch), steps: Math.min(s.steps, c.steps) };
}

/**
 * The bank of `model` for `loss` (and, for `"gap"`, both losses), computed once per process
 * and saved in the experiment's checkpoint; its seed depends only on the base seed, the
 * model and the sizes, so every experiment that needs the same bank gets the same numbers.
 */
export function modelBank(cp: Checkpoint, ctx: ExperimentContext, model: RealModel, quantity: Quantity, requested: BankSizes): DiagramBank {
  const sizes = estimatorSizesFor(model, requested);
  const one = (loss: LossKind): DiagramBank => {
    const replicates = Math.min(sizes.replicates ?? 8, sizes.batch);
    const key = `bank5:${model.label}:test=${model.testSet.length}:${loss}:o${sizes.order}:n${sizes.tuples}:b${sizes.batch}:r${replicates}`;
    const memoKey = `${ctx.seed}|${key}`;
    const hit = bankMemo.get(memoKey) ?? cp.get<DiagramBank>(key);
    if (hit !== undefined) {
      bankMemo.set(memoKey, hit);
      if (!cp.has(key)) cp.set(key, hit);
      return hit;
    }
    const label = `diagram values: ${model.label} (${loss})`;
    const bank = sampleDiagramBank(model, loss, sizes.order, sizes.tuples, sizes.batch, unitSeed(ctx.seed, key), (d, n) => ctx.progress(label, d, n), replicates);
    bankMemo.set(memoKey, bank);
    cp.set(key, bank);
    return bank;
  };
  if (quantity === "gap") return combineBanks(one("test"), one("train"));
  return one(quantity);
}

/**
 * The η-series of the test loss, train loss or gap (test − train) after `schedule`, from
 * the bank's values and the engine's exact coefficients.
 * @throws InternalError when the bank lacks a diagram the schedule needs.
 */
export function bankSeries(bank: DiagramBank, schedule: Schedule, order: number, quantity: "test" | "train" | "gap"): EstimatedSeries {
  const index = new Map(bank.columns.map((c, j) => [`${c.loss}|${c.key}`, j]));
  const part = (loss: LossKind, sign: 1 | -1) => {
    const diagrams = cachedTable(schedule, order, loss);
    const cols = diagrams.map((d) => {
      const j = index.get(`${loss}|${d.key}`);
      if (j === undefined) throw new InternalError(`bankSeries: the bank has no ${loss} diagram ${d.key}`);
      return j;
    });
    return { spec: { loss, diagrams }, values: bank.values.map((row) => cols.map((j) => row[j])), sign };
  };
  const parts = quantity === "gap" ? [part("test", 1), part("train", -1)] : [part(quantity, 1)];
  return seriesFromValues(parts, order);
}

/** `a − b` of two series measured on the same tuples (per-tuple, so covariances count). */
export function seriesDifference(a: EstimatedSeries, b: EstimatedSeries): EstimatedSeries {
  const samples = a.samples.map((s, k) => s.map((x, t) => x - b.samples[k][t]));
  const coefficients = samples.map((s) => {
    const n = s.length;
    const mean = s.reduce((p, x) => p + x, 0) / n;
    const sd = Math.sqrt(s.reduce((p, x) => p + (x - mean) ** 2, 0) / (n - 1));
    return { value: mean, stderr: sd / Math.sqrt(n), n };
  });
  return { coefficients, samples };
}

/** The value of one diagram (by loss and structure) with its standard error, from the bank. */
export function bankDiagramValue(bank: DiagramBank, loss: LossKind, key: string): Estimate {
  const j = bank.columns.findIndex((c) => c.loss === loss && c.key === key);
  if (j < 0) throw new InternalError(`bankDiagramValue: no ${loss} diagram ${key}`);
  const xs = bank.values.map((r) => r[j]);
  const n = xs.length;
  const mean = xs.reduce((p, x) => p + x, 0) / n;
  const sd = Math.sqrt(xs.reduce((p, x) => p + (x - mean) ** 2, 0) / (n - 1));
  return { value: mean, stderr: sd / Math.sqrt(n), n };
}

// ---------------------------------------------------------------------------------------
// Prediction curves

/** One η of a predicted curve. */
export interface CurvePoint {
  readonly eta: number;
  /** Polynomial predictions of orders 0..order (index k uses c_0..c_k), with standard errors. */
  readonly poly: readonly Estimate[];
  /** Autonomous-ODE fit of degree `min(3, order)` with a 95% band (applications.md §G). */
  readonly ode: { readonly value: number; readonly lower: number; readonly upper: number };
}

/** Polynomial and ODE-fit predictions of `series` at every η. */
export function predictCurve(series: EstimatedSeries, etas: readonly number[], order: number, seed: number, odeDegree: 1 | 2 | 3 = Math.min(3, order) as 1 | 2 | 3): CurvePoint[] {
  const c = series.coefficients;
  let band: { central: number; lower: number; upper: number }[];
  try {
    const fit = odeFitWithUncertainty(
      c.slice(0, odeDegree + 1).map((e) => e.value),
      c.slice(0, odeDegree + 1).map((e) => e.stderr),
      300,
      seed,
      etas,
      { degree: odeDegree },
    );
    band = fit.band.map((b) => ({ central: b.central, lower: b.lower, upper: b.upper }));
  } catch (e) {
    if (!(e instanceof InvalidArgumentError)) throw e;
    band = etas.map(() => ({ central: NaN, lower: NaN, upper: NaN }));
  }
  return etas.map((eta, i) => ({
    eta,
    poly: Array.from({ length: order + 1 }, (_, k) => evaluateSeries(series, eta, k)),
    ode: { value: band[i].central, lower: band[i].lower, upper: band[i].upper },
  }));
}

// ---------------------------------------------------------------------------------------
// Paired training runs

/** Results of paired runs: `results[run][optimizer][eta]`. */
export interface PairedRuns {
  readonly results: readonly (readonly (readonly RunResult[])[])[];
  readonly etas: readonly number[];
  /**
   * Per run, the train loss at initialisation on that run's training set minus its
   * expectation (the population mean): a control variate with known mean 0 that
   * {@link measured} subtracts from train losses and gaps.
   */
  readonly initTrainOffset: readonly number[];
  /**
   * Per run, `G_S·(ḡ_r − G)` at `θ0` (`ḡ_r` the training set's mean gradient, `G` the
   * population's, `G_S` the test sample's; exact population means): mean 0 over training sets.
   * `−ηW·testSlope[r]` is the run's first-order fluctuation of the test loss (`W` the
   * optimizer's {@link firstOrderWeight}), which {@link measured} removes.
   */
  readonly testSlope: readonly number[];
  /**
   * Per run, `|ḡ_r|² − E|ḡ|²` at `θ0` (`E|ḡ|² = |G|² + (E|g|² − |G|²)/N`, exact): mean 0;
   * `−ηW` times it is the first-order fluctuation of the train loss beyond `initTrainOffset`.
   * Computed on first use (one gradient per training datum).
   */
  trainSlope(): readonly number[];
  /** `firstOrderWeight` of each optimizer at each η: `weights[o][i]`. */
  readonly weights: readonly (readonly number[])[];
}

/**
 * `W` with `θ_T = θ0 − ηW·g + O(η²)` when every step sees the same gradient `g`: the sum of
 * the step-rate multipliers, each carried by heavy-ball momentum `β` for the remaining steps
 * (`v ← βv − η r_t g`, `θ ← θ + v`): `W = Σ_t r_t (1 − β^{T−t})/(1 − β)`. For a schedule that
 * uses every datum equally often, the first-order term of a run's loss is `−ηW·∇L·ḡ_r`.
 */
export function firstOrderWeight(schedule: Schedule): number {
  const rates = stepRates(schedule);
  const beta = momentumOf(schedule);
  let v = 0;
  let w = 0;
  for (const r of rates) {
    v = beta * v + r;
    w += v;
  }
  return w;
}

/** The training sets and batch-order seeds of one chunk of paired runs (a function of the chunk's seed only). */
function chunkSets(seed: number, n: number, N: number, populationSize: number): { trainSet: number[]; orderSeed: number }[] {
  return Array.from({ length: n }, (_, r) => {
    const rng = new Rng(seed + r * 7_919);
    const trainSet = Array.from({ length: N }, () => rng.int(populationSize));
    return { trainSet, orderSeed: rng.int(2 ** 31) };
  });
}

interface RunChunk {
  readonly runs: RunResult[][][];
}

/**
 * `runs` paired runs, each on its own i.i.d. training set of `N` images, trained with every
 * optimizer at every η (same training set; the batch-order stream is the same seed for every
 * optimizer). Saved in chunks of `chunk` runs in the checkpoint under `key`; returns `null`
 * when interrupted (the finished chunks stay saved).
 */
export function pairedRuns(
  cp: Checkpoint,
  ctx: ExperimentContext,
  key: string,
  model: RealModel,
  N: number,
  optimizers: readonly Optimizer[] | ((eta: number) => readonly Optimizer[]),
  etas: readonly number[],
  runs: number,
  chunk: number,
  label = key,
): PairedRuns | null {
  const count = Math.ceil(runs / chunk);
  const chunks = runChunks(
    cp,
    ctx,
    key,
    count,
    (i, seed): RunChunk => {
      const n = Math.min(chunk, runs - i * chunk);
      const out: RunResult[][][] = [];
      const sets = chunkSets(seed, n, N, model.populationSize);
      // Models with a batched trainer (LeNet, MLP) train the whole chunk at once per optimizer;
      // each run gets the same batch-order stream as it would run by run.
      const batched =
        typeof optimizers === "function" || model.trainRuns === undefined
          ? null
          : optimizers.map((o) => model.trainRuns!(sets.map((x) => ({ trainSet: x.trainSet, rng: new Rng(x.orderSeed) })), o, etas));
      for (let r = 0; r < n; r++) {
        const { trainSet, orderSeed } = sets[r];
        if (batched !== null) {
          out.push(batched.map((res, o) => res?.[r] ?? model.train(trainSet, (optimizers as readonly Optimizer[])[o], etas, new Rng(orderSeed))));
        } else if (typeof optimizers === "function") {
          // Optimizers that depend on η (e.g. η-specific schedules): one η at a time.
          const perEta = etas.map((eta) => optimizers(eta).map((o) => model.train(trainSet, o, [eta], new Rng(orderSeed))[0]));
          out.push(perEta[0].map((_, o) => perEta.map((row) => row[o])));
        } else {
          out.push(optimizers.map((o) => model.train(trainSet, o, etas, new Rng(orderSeed))));
        }
      }
      return { runs: out };
    },
    label,
  );
  if (chunks === null) return null;
  // The training sets again (resumed chunks store only their results): same seeds as above.
  const sets = Array.from({ length: count }, (_, i) => chunkSets(unitSeed(ctx.seed, `${key}#${i}`), Math.min(chunk, runs - i * chunk), N, model.populationSize).map((x) => x.trainSet)).flat();
  const testSlope = Array.from(setVariates(model, sets, "test slope"));
  let trainSlope: number[] | undefined;
  const weightsAt = (os: readonly Optimizer[]) => os.map((o) => firstOrderWeight(o.schedule));
  const weights =
    typeof optimizers === "function"
      ? (() => {
          const perEta = etas.map((eta) => weightsAt(optimizers(eta)));
          return perEta[0].map((_, o) => perEta.map((w) => w[o]));
        })()
      : weightsAt(optimizers).map((w) => etas.map(() => w));
  return {
    results: chunks.flatMap((c) => c.runs),
    etas,
    initTrainOffset: Array.from(setVariates(model, sets, "loss")),
    testSlope,
    trainSlope: () => (trainSlope ??= Array.from(setVariates(model, sets, "train slope"))),
    weights,
  };
}

/**
 * Largest `ηW` at which {@link measured} removes the first-order fluctuations: beyond it the
 * linear term no longer tracks a run's fluctuation and adding `ηW ×` a zero-mean variate
 * would only add variance. A fixed rule (not chosen from the data), so means stay unbiased.
 */
export const CONTROL_VARIATE_MAX_ETA_W = 2;

/** The multiple of the slope variates that {@link measured} adds: `ηW` up to {@link CONTROL_VARIATE_MAX_ETA_W}, else 0. */
export function firstOrderMultiplier(etaW: number): number {
  return etaW <= CONTROL_VARIATE_MAX_ETA_W ? etaW : 0;
}

/** Which number of a run is measured. */
export type Quantity = "test" | "train" | "gap";

function valueOf(p: PairedRuns, run: number, o: number, i: number, q: Quantity): number | null {
  const r = p.results[run][o][i];
  if (r.diverged !== undefined) return null;
  // Minus zero-mean control variates from the run's training set at θ0 (its train loss at init
  // and the first-order fluctuations, see PairedRuns): same expectation, much less variance.
  const ew = firstOrderMultiplier(p.etas[i] * p.weights[o][i]);
  const test = r.test + ew * p.testSlope[run];
  if (q === "test") return test;
  const train = r.train - p.initTrainOffset[run] + ew * p.trainSlope()[run];
  return q === "train" ? train : test - train;
}

/** Mean ± 95% half-width over runs of optimizer `o` at η index `i` (diverged runs counted apart). */
export function measured(p: PairedRuns, o: number, i: number, q: Quantity): { mean: number; ci95: number; stderr: number; runs: number; diverged: number } {
  const xs: number[] = [];
  let diverged = 0;
  for (let run = 0; run < p.results.length; run++) {
    const v = valueOf(p, run, o, i, q);
    if (v === null) diverged++;
    else xs.push(v);
  }
  return { ...meanCi(xs), diverged };
}

/** Paired difference (optimizer `a` − optimizer `b`) at η index `i` over runs where both finished. */
export function pairedDiff(p: PairedRuns, a: number, b: number, i: number, q: Quantity, runs?: readonly number[]): { mean: number; ci95: number; stderr: number; runs: number } {
  const xs: number[] = [];
  for (const r of runs ?? p.results.map((_, k) => k)) {
    const x = valueOf(p, r, a, i, q);
    const y = valueOf(p, r, b, i, q);
    if (x !== null && y !== null) xs.push(x - y);
  }
  return meanCi(xs);
}

export function meanCi(xs: readonly number[]): { mean: number; ci95: number; stderr: number; runs: number } {
  const n = xs.length;
  const mean = n === 0 ? NaN : xs.reduce((s, x) => s + x, 0) / n;
  const sd = n < 2 ? NaN : Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1));
  const stderr = sd / Math.sqrt(n);
  return { mean, ci95: Z_95 * stderr, stderr, runs: n };
}

/** Whether a prediction `value ± se` agrees with a measurement `mean ± ci95` (both errors combined). */
export function agrees(pred: Estimate, meas: { mean: number; ci95: number }): boolean {
  const half = Math.sqrt(meas.ci95 ** 2 + (Z_95 * pred.stderr) ** 2);
  return Math.abs(pred.value - meas.mean) <= half;
}

/** The SGD optimizer of `N` points, `E` epochs, optionally with per-step rate `1/E`. */
export function epochOptimizer(N: number, epochs: number, scaled: boolean, shuffle = false): Optimizer {
  const T = N * epochs;
  return sgdOptimizer(
    sgdSchedule(N, { epochs, shuffle, ...(scaled && epochs > 1 ? { etaScale: new Array<Rational>(T).fill(Rational.of(1, epochs)) } : {}) }),
  );
}

/** `T` of an optimizer's schedule. */
export function optimizerSteps(o: Optimizer): number {
  return stepCount(o.schedule);
}

// ---------------------------------------------------------------------------------------
// Exact constant terms

const initialLossCache = new Map<string, { test: number; population: number }>();

/**
 * The loss at initialisation averaged exactly over the fixed test sample and over the whole
 * population (data set). The series' constant term `c0` is exact this way (the sampled one
 * is noisy for a random init): test `c0` = test-sample mean, train `c0` = population mean,
 * gap `c0` = their difference.
 */
export function initialLosses(model: RealModel): { test: number; population: number } {
  const key = `${model.label}|${model.testSet.length}|${model.testSet[0]}`;
  let hit = initialLossCache.get(key);
  if (hit === undefined) {
    const mean = (xs: Iterable<number>, n: number) => {
      let s = 0;
      for (const x of xs) s += model.oracle.directionalDerivative(model.theta0, x, []);
      return s / n;
    };
    hit = { test: mean(model.testSet, model.testSet.length), population: perDatumAtInit(model, "loss").mean };
    initialLossCache.set(key, hit);
  }
  return hit;
}

/** `series` with its constant term replaced by the exact `c0` (standard error 0). */
export function withExactC0(series: EstimatedSeries, c0: number): EstimatedSeries {
  const samples = series.samples.map((s, k) => (k === 0 ? new Float64Array(s.length).fill(c0) : s));
  const coefficients = series.coefficients.map((c, k) => (k === 0 ? { value: c0, stderr: 0, n: c.n } : c));
  return { coefficients, samples };
}

/** {@link bankSeries} with the exact constant term of {@link initialLosses}. */
export function modelSeries(model: RealModel, bank: DiagramBank, schedule: Schedule, order: number, quantity: Quantity): EstimatedSeries {
  const init = initialLosses(model);
  const c0 = quantity === "test" ? init.test : quantity === "train" ? init.population : init.test - init.population;
  return withExactC0(bankSeries(bank, schedule, order, quantity), c0);
}

/** Bank sizes shared by every real-data experiment (so that one process measures each bank once). */
export const REAL_BANK_SIZES: { readonly quick: BankSizes; readonly full: BankSizes } = {
  quick: { order: 3, tuples: 100, batch: 32, replicates: 8 },
  full: { order: 3, tuples: 400, batch: 64, replicates: 16 },
};

/** Held-out test sample sizes shared by every real-data experiment. */
export const REAL_TEST_SIZE = { quick: 500, full: 1000 } as const;

// ---------------------------------------------------------------------------------------
// Resummation of the untied chains (applications.md §A)

/** Gauss quadrature of `G_S·f(H)·G_D` (polarised: nodes of `G_S ± G_D`), one per independent half. */
export interface ChainQuadrature {
  readonly halves: readonly { readonly plus: { nodes: number[]; weights: number[] }; readonly minus: { nodes: number[]; weights: number[] } }[];
}

/**
 * Measures the spectral quadrature needed to sum the untied chains of vanilla SGD to all
 * orders: `G_S` the exact test-sample mean gradient, `G_D` a mean gradient over `gradBatch`
 * population draws, `H` a mean Hessian over `hessBatch` draws (HVPs only), Lanczos with
 * `steps` steps; two independent halves give the error bar. Saved in the checkpoint.
 */
export function chainQuadrature(cp: Checkpoint, ctx: ExperimentContext, model: RealModel, requested: { gradBatch: number; hessBatch: number; steps: number }): ChainQuadrature {
  const sizes = chainSizesFor(model, requested);
  const key = `chains:${model.label}:test=${model.testSet.length}:${sizes.gradBatch}:${sizes.hessBatch}:${sizes.steps}`;
  return cp.unit(key, () => {
    const rng = new Rng(unitSeed(ctx.seed, key));
    const GS = meanOracleGradient(model.oracle, model.theta0, model.testSet, []);
    const halves = [0, 1].map(() => {
      const gBatch = Array.from({ length: sizes.gradBatch }, () => rng.int(model.populationSize));
      const hBatch = Array.from({ length: sizes.hessBatch }, () => rng.int(model.populationSize));
      const GD = meanOracleGradient(model.oracle, model.theta0, gBatch, []);
      const matvec = (v: Float64Array) => meanOracleGradient(model.oracle, model.theta0, hBatch, [v]);
      return {
        plus: lanczosNodes(matvec, GS.map((x, i) => x + GD[i]), sizes.steps),
        minus: lanczosNodes(matvec, GS.map((x, i) => x - GD[i]), sizes.steps),
      };
    });
    ctx.progress(`chain resummation: ${model.label}`, 1, 1);
    return { halves };
  });
}

/**
 * The correction that turns the order-`order` polynomial of vanilla SGD (`T` steps, test loss)
 * into the resummed prediction: `G·[f(H) − p(H)]·G` with `f(h) = −(1 − (1 − ηh)^T)/h` (every
 * untied chain, to all orders) and `p` its truncation at `order` (already in the polynomial).
 */
export function resummedCorrection(q: ChainQuadrature, T: number, etas: readonly number[], order: number): Estimate[] {
  return etas.map((eta) => {
    const binom = (d: number) => {
      let r = 1;
      for (let i = 0; i < d; i++) r = (r * (T - i)) / (i + 1);
      return r;
    };
    const p = (h: number) => {
      let acc = 0;
      for (let d = 1; d <= order; d++) acc += (-eta) ** d * binom(d) * h ** (d - 1);
      return acc;
    };
    // f − p = Σ_{d > order} (−η)^d C(T, d) h^{d−1}: summed term by term where T|ηh| is small
    // (the closed form would cancel), in closed form elsewhere.
    const f = (h: number) => {
      if (T * Math.abs(eta * h) < 0.5) {
        let acc = 0;
        for (let d = order + 1; d <= Math.min(T, order + 80); d++) acc += (-eta) ** d * binom(d) * h ** (d - 1);
        return acc;
      }
      return ((1 - eta * h) ** T - 1) / h - p(h);
    };
    const val = (n: { nodes: number[]; weights: number[] }) => n.nodes.reduce((s, x, j) => s + n.weights[j] * f(x), 0);
    const halves = q.halves.map((h) => (val(h.plus) - val(h.minus)) / 4);
    return { value: (halves[0] + halves[1]) / 2, stderr: Math.abs(halves[0] - halves[1]) / 2, n: 2 };
  });
}
