/**
 * Exact population statistics at initialisation, shared by the main job and the real-data
 * experiments: the oracle and exact means a prediction uses (untied leaves and roots as
 * population means, so `c0` and `c1` carry no sampling error), the gradient moments
 * `|G|²`, `E|g|²`, and per-datum values at `θ0` for zero-mean control variates. Each
 * population pass is computed once per process and model.
 *
 * @module
 */
import type { SeriesSpec } from "../predict/estimateSeries.js";
import { type ReplicatedOptions, sampleDiagramValuesReplicated } from "../predict/replicatedValues.js";
import type { DerivativeOracle } from "../landscapes/derivativeOracle.js";
import { LogisticModel } from "../landscapes/logistic.js";
import { meanOracleGradient } from "../simulate/gdc.js";

/** What the statistics need of a model: its oracle at `θ0`, the population `0..size−1`, the fixed test sample. */
export interface PopulationModel {
  readonly oracle: DerivativeOracle<number>;
  readonly theta0: Float64Array;
  readonly populationSize: number;
  readonly testSet: readonly number[];
}

/** Population passes of a model (per `θ0`, population size and test sample), computed once per process. */
const populationPasses = new WeakMap<Float64Array, Map<string, Float64Array>>();

/** `compute()` once per model and `what`. */
export function populationPass(m: PopulationModel, what: string, compute: () => Float64Array): Float64Array {
  let memo = populationPasses.get(m.theta0);
  if (memo === undefined) populationPasses.set(m.theta0, (memo = new Map()));
  const key = `${what}|${m.populationSize}|${m.testSet.length}|${m.testSet[0]}`;
  let v = memo.get(key);
  if (v === undefined) memo.set(key, (v = compute()));
  return v;
}

const populationOf = (m: PopulationModel): number[] => Array.from({ length: m.populationSize }, (_, i) => i);

/** The population's mean gradient `G` at `θ0`. */
export function populationGradient(m: PopulationModel): Float64Array {
  return populationPass(m, "mean gradient", () => meanOracleGradient(m.oracle, m.theta0, populationOf(m), []));
}

/** The test sample's mean gradient `G_S` at `θ0`. */
export function testGradient(m: PopulationModel): Float64Array {
  return populationPass(m, "test gradient", () => meanOracleGradient(m.oracle, m.theta0, m.testSet, []));
}

/** `[|G|², E|g|²]` at `θ0` over the population (`G` the mean gradient). */
export function gradientMoments(m: PopulationModel): Float64Array {
  const o = m.oracle;
  const sq = (v: Float64Array) => v.reduce((s, x) => s + x * x, 0);
  return populationPass(m, "gradient moments", () => {
    const population = populationOf(m);
    const G = new Float64Array(o.dim);
    let e = 0;
    // Per-datum gradients in chunks (batched when the oracle offers it).
    for (let i = 0; i < population.length; i += 256) {
      const chunk = population.slice(i, i + 256);
      const rows = o.directionalGradients !== undefined ? o.directionalGradients(m.theta0, chunk, []) : null;
      chunk.forEach((x, k) => {
        const g = rows !== null ? rows.subarray(k * o.dim, (k + 1) * o.dim) : o.directionalGradient(m.theta0, x, []);
        e += sq(g) / population.length;
        for (let j = 0; j < g.length; j++) G[j] += g[j] / population.length;
      });
    }
    return Float64Array.of(sq(G), e);
  });
}

/**
 * Per datum of the population at `θ0`: its loss (`"loss"`) or `G_S·∇l_x` (`"test slope"`, `G_S`
 * the test sample's mean gradient), and their population mean (exact).
 */
export function perDatumAtInit(m: PopulationModel, what: "loss" | "test slope"): { values: Float64Array; mean: number } {
  const values = populationPass(m, what, () => directionalAtInit(m, populationOf(m), what === "loss" ? [] : [testGradient(m)]));
  return { values, mean: meanOf(values) };
}

/** The test sample's mean loss at `θ0` (one batched pass, once per model). */
export function testSampleLossAtInit(m: PopulationModel): number {
  return meanOf(populationPass(m, "test-sample loss", () => directionalAtInit(m, m.testSet, [])));
}

/** Per point, the directional derivative at `θ0` along `dirs`, batched when the oracle can. */
function directionalAtInit(m: PopulationModel, points: readonly number[], dirs: readonly Float64Array[]): Float64Array {
  const o = m.oracle;
  return o.directionalDerivatives !== undefined ? o.directionalDerivatives(m.theta0, points, dirs) : Float64Array.from(points, (x) => o.directionalDerivative(m.theta0, x, dirs));
}

function meanOf(values: Float64Array): number {
  let mean = 0;
  for (const v of values) mean += v / values.length;
  return mean;
}

/**
 * Per training set, a zero-mean control variate at `θ0` (training sets i.i.d. from the
 * population; the population means are exact):
 * - `"loss"`: the set's mean loss minus the population's;
 * - `"test slope"`: `G_S·(ḡ − G)` (`ḡ` the set's mean gradient, `G` the population's, `G_S` the
 *   test sample's) — `−ηT` times it is the first-order fluctuation of the test loss after SGD/GD;
 * - `"train slope"`: `|ḡ|² − E|ḡ|²` with `E|ḡ|² = |G|² + (E|g|² − |G|²)/N` — `−ηT` times it is the
 *   first-order fluctuation of the final train loss beyond the set's loss at init (one gradient
 *   per training datum).
 */
export function setVariates(m: PopulationModel, sets: readonly (readonly number[])[], what: "loss" | "test slope" | "train slope"): Float64Array {
  if (what === "train slope") {
    const [G2, Eg2] = gradientMoments(m);
    const sq = (v: Float64Array) => v.reduce((s, x) => s + x * x, 0);
    return Float64Array.from(sets, (set) => sq(meanOracleGradient(m.oracle, m.theta0, set, [])) - (G2 + (Eg2 - G2) / set.length));
  }
  const { values, mean } = perDatumAtInit(m, what);
  return Float64Array.from(sets, (set) => set.reduce((s, x) => s + values[x], 0) / set.length - mean);
}

/** The oracle and exact means a prediction uses (see {@link estimationOracle}). */
export interface EstimationOracle {
  readonly oracle: DerivativeOracle<number>;
  readonly theta0: Float64Array;
  readonly options: ReplicatedOptions<number>;
  /** Mean `∇^{k+1} l[v_1..v_k, ·]` over `xs`. */
  mean(xs: readonly number[], dirs: Float64Array[]): Float64Array;
}

/** Test data per replica for the root contractions of tied diagrams (see `ReplicatedOptions.testBlock`). */
const TEST_BLOCK = 4;

/**
 * The untied leaves and roots of the diagrams (hence `c0`, `c1`, `G_S`, `G_D`) as exact
 * population means; untied internal nodes stay batch means (a population pass per node and
 * tuple would cost more than the variance they add, small next to the tied diagrams').
 * Logistic regression: the oracle frozen at `θ0` (per-datum softmax cached), with which a pass
 * over the population costs milliseconds. Other models (jax-js): their own oracle, one
 * population pass for the mean gradient (LeNet on MNIST: ~10 s).
 */
export function estimationOracle(m: PopulationModel): EstimationOracle {
  const point = m.oracle instanceof LogisticModel ? m.oracle.at(m.theta0) : undefined;
  const oracle: DerivativeOracle<number> = point ?? m.oracle;
  const theta0 = point?.theta ?? m.theta0;
  const mean = (xs: readonly number[], dirs: Float64Array[]): Float64Array => meanOracleGradient(oracle, theta0, xs, dirs);
  const exact = { train: populationOf(m), test: m.testSet, internal: false, trainGradient: populationGradient(m) };
  return { oracle, theta0, options: { testBlock: TEST_BLOCK, testGradient: testGradient(m), exact }, mean };
}

/**
 * The train loss's order-1 tied diagram, `E_x[∇l_x·∇l_x]` (root and child on one datum), is
 * the population mean of `|g_x|²`: one pass over the population (shared with the control
 * variates) makes it exact, hence the train loss's and the gap's `c1`. Its sampled values are
 * replaced by that constant in place (a constant column adds no variance).
 */
export function exactTiedPair(specs: readonly SeriesSpec[], values: number[][][], m: PopulationModel): void {
  specs.forEach((spec, s) => {
    if (spec.loss !== "train") return;
    const j = spec.diagrams.findIndex((r) => r.order === 1 && r.ties.length === 1 && r.ties[0].length === 2);
    if (j < 0) return;
    const Eg2 = gradientMoments(m)[1];
    for (const row of values[s]) row[j] = Eg2;
  });
}

/**
 * Unbiased per-tuple values at `θ0` of every diagram of `specs` (`values[spec][tuple][diagram]`):
 * `tuples` independent tuples, tie classes replicated `replicates` times, untied internal nodes
 * batch means of `batch` data, untied leaves and roots exact population means where the oracle
 * makes that cheap ({@link estimationOracle}), and the train loss's tied pair exact
 * ({@link exactTiedPair}). The one sampler of the main job's prediction and the figures' banks.
 * `select` evaluates only some tuples (a shard's, see `shard.ts`), the others drawn but left out.
 */
export function sampleValuesAtInit(
  m: PopulationModel,
  specs: readonly SeriesSpec[],
  sizes: { readonly tuples: number; readonly batch: number; readonly replicates: number },
  seed: number,
  onProgress?: (done: number, total: number) => void,
  est: EstimationOracle = estimationOracle(m),
  select?: (tuple: number) => boolean,
): number[][][] {
  const values = sampleDiagramValuesReplicated(
    {
      oracle: est.oracle,
      theta0: est.theta0,
      drawTrain: (r) => r.int(m.populationSize),
      drawTest: (r) => m.testSet[r.int(m.testSet.length)],
    },
    specs,
    sizes.tuples,
    seed,
    sizes.batch,
    sizes.replicates,
    onProgress,
    select === undefined ? est.options : { ...est.options, select },
  );
  exactTiedPair(specs, values, m);
  return values;
}
