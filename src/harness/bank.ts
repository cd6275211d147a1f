/**
 * The diagram-value *bank* of a model: every diagram of orders `0..order` measured once on
 * one model (saved in the experiment's checkpoint) and reused for every schedule's prediction;
 * the exact constant terms; the spectral quadrature of the resummed chains.
 *
 * @module
 */
import type { LossKind } from "../diagrams/coefficient.js";
import type { DiagramRecord } from "../diagrams/format.js";
import { coefficientTable } from "../diagrams/table.js";
import { InternalError, InvalidArgumentError } from "../errors.js";
import { withExactC0 } from "../predict/curve.js";
import { type EstimatedSeries, seriesFromValues } from "../predict/estimateSeries.js";
import { lanczosNodes } from "../predict/lanczosNodes.js";
import type { ChainQuadrature } from "../predict/resummedCorrection.js";
import { type Schedule, sgdSchedule } from "../schedule/schedule.js";
import { meanOracleGradient } from "../simulate/gdc.js";
import { type Estimate, estimateMean } from "../stats/estimate.js";
import { Rng } from "../stats/rng.js";
import { type Checkpoint, unitSeed } from "./checkpoint.js";
import type { Quantity } from "./controlVariates.js";
import type { ExperimentContext } from "./experiment.js";
import type { Model } from "./model.js";
import { perDatumAtInit, sampleValuesAtInit } from "./populationStats.js";

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
  model: Model,
  loss: LossKind,
  order: number,
  tuples: number,
  batch: number,
  seed: number,
  onProgress?: (done: number, total: number) => void,
  replicates = Math.min(8, batch),
): DiagramBank {
  const diagrams = coefficientTable(sgdSchedule(2), order, loss, { includeZero: true, polynomial: false });
  const raw = sampleValuesAtInit(model, [{ loss, diagrams }], { tuples, batch, replicates }, seed, onProgress);
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
export function estimatorSizesFor(model: Model, sizes: BankSizes): BankSizes {
  if (model.spec.model === "logistic") return sizes;
  const c = JAX_MODEL_ESTIMATOR_CAPS;
  const batch = Math.min(sizes.batch, c.batch);
  return { ...sizes, tuples: Math.min(sizes.tuples, c.tuples), batch, replicates: Math.min(sizes.replicates ?? 8, c.replicates, batch) };
}

function chainSizesFor(model: Model, s: { gradBatch: number; hessBatch: number; steps: number }): { gradBatch: number; hessBatch: number; steps: number } {
  if (model.spec.model === "logistic") return s;
  const c = JAX_MODEL_ESTIMATOR_CAPS;
  return { gradBatch: Math.min(s.gradBatch, c.gradBatch), hessBatch: Math.min(s.hessBatch, c.hessBatch), steps: Math.min(s.steps, c.steps) };
}

/**
 * The bank of `model` for `loss` (and, for `"gap"`, both losses), computed once per process
 * and saved in the experiment's checkpoint; its seed depends only on the base seed, the
 * model and the sizes, so every experiment that needs the same bank gets the same numbers.
 */
export function modelBank(cp: Checkpoint, ctx: ExperimentContext, model: Model, quantity: Quantity, requested: BankSizes): DiagramBank {
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


/** The value of one diagram (by loss and structure) with its standard error, from the bank. */
export function bankDiagramValue(bank: DiagramBank, loss: LossKind, key: string): Estimate {
  const j = bank.columns.findIndex((c) => c.loss === loss && c.key === key);
  if (j < 0) throw new InternalError(`bankDiagramValue: no ${loss} diagram ${key}`);
  return estimateMean(bank.values.map((r) => r[j]));
}

const initialLossCache = new Map<string, { test: number; population: number }>();

/**
 * The loss at initialisation averaged exactly over the fixed test sample and over the whole
 * population (data set). The series' constant term `c0` is exact this way (the sampled one
 * is noisy for a random init): test `c0` = test-sample mean, train `c0` = population mean,
 * gap `c0` = their difference.
 */
export function initialLosses(model: Model): { test: number; population: number } {
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

/** {@link bankSeries} with the exact constant term of {@link initialLosses}. */
export function modelSeries(model: Model, bank: DiagramBank, schedule: Schedule, order: number, quantity: Quantity): EstimatedSeries {
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

/**
 * Measures the spectral quadrature needed to sum the untied chains of vanilla SGD to all
 * orders: `G_S` the exact test-sample mean gradient, `G_D` a mean gradient over `gradBatch`
 * population draws, `H` a mean Hessian over `hessBatch` draws (HVPs only), Lanczos with
 * `steps` steps; two independent halves give the error bar. Saved in the checkpoint.
 */
export function chainQuadrature(cp: Checkpoint, ctx: ExperimentContext, model: Model, requested: { gradBatch: number; hessBatch: number; steps: number }): ChainQuadrature {
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

