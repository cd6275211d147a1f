/**
 * The main job's prediction: the test loss, train loss or gap after the schedule at every η
 * from statistics at initialisation (exact coefficients × unbiased diagram-value estimates),
 * with the ODE fit and the resummed chains.
 *
 * @module
 */
import { coefficientTable } from "../diagrams/table.js";
import { type EstimationOracle, estimationOracle, sampleValuesAtInit } from "../harness/populationStats.js";
import { chainMomentSamples, resummedChainTail } from "../predict/chainResummation.js";
import { evaluateSeries, type EstimatedSeries, seriesFromValues, type SeriesSpec } from "../predict/estimateSeries.js";
import { bilinearQuadrature } from "../predict/lanczosNodes.js";
import { odeFitWithUncertainty } from "../predict/odeFit.js";
import { chainTail, fromHalves } from "../predict/resummedCorrection.js";
import { ownsUnit, type Shard } from "../harness/shard.js";
import { stepCount } from "../schedule/schedule.js";
import type { Estimate } from "../stats/estimate.js";
import { namedSeed, namedStream } from "../stats/seeds.js";
import type { MainJobConfig, MeasuredQuantity } from "./config.js";
import type { ModelSetup } from "./setup.js";

/** One η of a prediction. */
export interface PredictionRow {
  readonly eta: number;
  readonly etaT: number;
  /** Polynomial predictions of orders 0..order (index k uses c_0..c_k). */
  readonly polynomial: readonly Estimate[];
  /** `|c_k η^k| / |Σ_{j≥1} c_j η^j|` for the last included order (how far from converged). */
  readonly lastTermRatio: number;
  /** Autonomous-ODE extrapolation (docs/theory.md#autonomous-ode-fits) with a 95% band. */
  readonly ode: { value: number; lower: number; upper: number; form: string };
  /**
   * Resummed prediction (docs/theory.md#resummation): the order-`order` polynomial with its untied
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
 * initialisation: exact diagram coefficients × unbiased diagram-value estimates. `tuples`: the
 * diagram values already sampled ({@link predictionTuples}; a merge of shards), else sampled here.
 */
export function predictMainJob(c: MainJobConfig, setup: ModelSetup, onProgress?: (done: number, total: number) => void, tuples?: number[][][]): PredictionResult {
  const t0 = performance.now();
  const specs = predictionSpecs(c);
  const est = estimationOracle(setup);
  const values = tuples ?? predictionTuples(c, setup, onProgress, undefined, est);
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
    namedSeed(c.seed, "ode fit"),
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

/** The diagrams a prediction estimates: the test or the train loss's, or both for the gap. */
function predictionSpecs(c: MainJobConfig): SeriesSpec[] {
  const needs: ("test" | "train")[] = c.loss === "gap" ? ["test", "train"] : [c.loss];
  return needs.map((loss) => ({ loss, diagrams: coefficientTable(c.schedule, c.order, loss) }));
}

/**
 * The per-tuple diagram values of a prediction, `values[spec][tuple][diagram]` (what
 * {@link predictMainJob} takes as `tuples`). With a shard, only its tuples (`t mod n = k`), in
 * order: tuple `t` draws the same data whichever process evaluates it.
 */
export function predictionTuples(c: MainJobConfig, setup: ModelSetup, onProgress?: (done: number, total: number) => void, shard?: Shard, est: EstimationOracle = estimationOracle(setup)): number[][][] {
  const rng = namedStream(c.seed, "diagram values");
  // Tie classes are replicated `batch` times per tuple (one datum each); untied parts are
  // exact population means where the oracle makes that cheap, else batch means.
  const select = shard === undefined ? undefined : (t: number) => ownsUnit(shard, t);
  return sampleValuesAtInit(setup, predictionSpecs(c), { tuples: c.tuples, batch: c.batch, replicates: c.batch }, rng.int(2 ** 31), onProgress, est, select);
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
  const rng = namedStream(c.seed, "chain resummation");
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
    return c.etas.map((eta) => quad(chainTail(eta, T, c.order)));
  });
  return c.etas.map((_, i) => fromHalves(halves[0][i], halves[1][i]));
}
