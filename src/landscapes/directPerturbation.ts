import { Rational, factorial } from "../algebra/rational.js";
// Type-only: the oracle reads a schedule's fields but none of the diagram engine's code.
import type { Schedule } from "../schedule/schedule.js";
import { BudgetExceededError, InvalidArgumentError, requireInt } from "../errors.js";
import { type Monomial, type PolynomialLandscape, partialDerivative } from "./polynomialLandscape.js";
import {
  type SeriesField,
  type TruncatedSeries,
  constantSeries,
  float64Field,
  rationalField,
  seriesAdd,
  seriesAddEtaTimes,
  seriesMul,
  seriesScale,
} from "./truncatedSeries.js";

/** Which function of the final weights is measured (docs/theory.md#setting). */
export type MeasuredLoss = "test" | "train";

/** Options of {@link perturbationSeries}; every field is optional. */
export interface PerturbationOptions {
  /**
   * Largest number of (training set, shuffle orders) combinations averaged over:
   * `M^N`, times `(N!)^epochs` for a shuffled schedule. Above it the call throws
   * `BudgetExceededError` instead of running for hours.
   * @defaultValue 200000
   */
  maxRuns?: number;
}

/** Largest order accepted (the series arrays are dense in the order). */
const MAX_ORDER = 32;
const DEFAULT_MAX_RUNS = 200_000;
const WHERE = "perturbationSeries";

/**
 * Direct perturbation of the update rule (docs/theory.md#verification): the coefficients `c_0..c_order`
 * of `E[s(θ_T)] = Σ_k c_k η^k + O(η^{order+1})`, computed without diagrams.
 *
 * The weights are truncated power series in `η`; every step applies the schedule's update
 * `θ ← θ − η r_t (1/|b_t|) Σ_{n∈b_t} ∇l_{x_n}(θ)` (with momentum β:
 * `v ← βv − η r_t ḡ_t`, `θ ← θ + v`, `v_0 = 0`; `r_t = etaScale[t]`, default 1) to those
 * series. The expectation is an exact average over every training set — `N`-tuples of
 * population indices drawn i.i.d. uniformly with replacement, all `M^N` of them — and, for a
 * shuffled `sgd` schedule, over an independent uniform permutation of each epoch. The
 * measured `s` is the test loss `E_{x} l_x(θ_T)` over the population, or the train loss
 * `(1/N) Σ_n l_{x_n}(θ_T)`.
 *
 * Note the sign convention: these are the plain coefficients of `η^k`; docs/theory.md#expansion-rule writes
 * the same expansion as `Σ_d (−1)^d η^d c_d`.
 *
 * ## Method
 * Depth-first over the draws: a training index's datum is chosen at the first step that
 * uses it (and a shuffled epoch's order at the epoch's first step), so runs that share a
 * prefix of draws share the work of that prefix. Gradients are differentiated symbolically
 * once; evaluating a monomial on series-valued weights multiplies cached truncated powers.
 *
 * @param field - the scalar arithmetic; omit for exact {@link Rational} arithmetic.
 * @throws InvalidArgumentError for an invalid order, loss or schedule, or a landscape whose
 *   parts disagree on `dim`.
 * @throws BudgetExceededError when the number of runs exceeds `options.maxRuns`.
 * @example
 * ```ts
 * const l = randomPolynomialLandscape({ seed: 1 });
 * perturbationSeries(l, sgdSchedule(3), 2, "test"); // [c0, c1, c2] as Rationals
 * ```
 */
export function perturbationSeries(
  landscape: PolynomialLandscape,
  schedule: Schedule,
  order: number,
  loss: MeasuredLoss,
): Rational[];
export function perturbationSeries<F>(
  landscape: PolynomialLandscape,
  schedule: Schedule,
  order: number,
  loss: MeasuredLoss,
  field: SeriesField<F>,
  options?: PerturbationOptions,
): F[];
export function perturbationSeries<F>(
  landscape: PolynomialLandscape,
  schedule: Schedule,
  order: number,
  loss: MeasuredLoss,
  field?: SeriesField<F>,
  options: PerturbationOptions = {},
): F[] | Rational[] {
  if (field === undefined) return run(landscape, schedule, order, loss, rationalField, options);
  return run(landscape, schedule, order, loss, field, options);
}

/** {@link perturbationSeries} in exact rational arithmetic. */
export function perturbationSeriesExact(
  landscape: PolynomialLandscape,
  schedule: Schedule,
  order: number,
  loss: MeasuredLoss,
  options: PerturbationOptions = {},
): Rational[] {
  return run(landscape, schedule, order, loss, rationalField, options);
}

/**
 * {@link perturbationSeries} in float64 arithmetic (coefficients converted once with
 * `toNumber()`); much faster than exact arithmetic, agrees with it to rounding.
 */
export function perturbationSeriesFloat(
  landscape: PolynomialLandscape,
  schedule: Schedule,
  order: number,
  loss: MeasuredLoss,
  options: PerturbationOptions = {},
): number[] {
  return run(landscape, schedule, order, loss, float64Field, options);
}

/** A polynomial with coefficients already in the working field. */
type FieldPoly<F> = { coef: F; powers: readonly number[] }[];

/** How the batches of a schedule are produced (shuffled epochs are drawn during the run). */
interface Plan {
  readonly N: number;
  readonly T: number;
  /** Fixed batches of every step, or `null` for shuffled SGD. */
  readonly batches: readonly (readonly number[])[] | null;
  readonly batchSize: number;
  readonly stepsPerEpoch: number;
  readonly rates: readonly Rational[];
  readonly momentum: Rational | null;
}

function run<F>(
  landscape: PolynomialLandscape,
  schedule: Schedule,
  order: number,
  loss: MeasuredLoss,
  field: SeriesField<F>,
  options: PerturbationOptions,
): F[] {
  requireInt(order, WHERE, "order", 0, MAX_ORDER);
  if (loss !== "test" && loss !== "train") throw new InvalidArgumentError(WHERE, "loss", '"test" or "train"', loss);
  const maxRuns = options.maxRuns ?? DEFAULT_MAX_RUNS;
  if (!(maxRuns >= 1)) throw new InvalidArgumentError(WHERE, "options.maxRuns", "a number ≥ 1", maxRuns);
  checkLandscape(landscape);
  const plan = makePlan(schedule);
  const { N, T } = plan;
  const M = landscape.population.length;
  const dim = landscape.dim;

  const runs = M ** N * (plan.batches === null ? Number(factorial(N)) ** (T / plan.stepsPerEpoch) : 1);
  if (!(runs <= maxRuns)) {
    const shuffles = plan.batches === null ? ` × (${N}!)^${T / plan.stepsPerEpoch} epoch orders` : "";
    throw new BudgetExceededError(WHERE, `averaging over ${M}^${N} training sets${shuffles} = ${runs} runs exceeds maxRuns = ${maxRuns}`);
  }

  const toField = (p: readonly Monomial[]): FieldPoly<F> => p.map((m) => ({ coef: field.fromRational(m.coef), powers: m.powers }));
  const lossPolys = landscape.population.map(toField);
  const gradPolys = landscape.population.map((d) => Array.from({ length: dim }, (_, i) => toField(partialDerivative(d, i))));
  const theta0 = landscape.theta0.map((t) => constantSeries(field, field.fromRational(t), order));
  const zeroVector = Array.from({ length: dim }, () => constantSeries(field, field.zero, order));
  const stepFactor = plan.rates.map((r, t) => field.fromRational(r.neg().div(Rational.int(batchSizeAt(plan, t)))));
  const beta = plan.momentum === null ? null : field.fromRational(plan.momentum);
  const invM = field.fromRational(Rational.of(1, M));
  const invN = field.fromRational(Rational.of(1, N));
  const permutations = plan.batches === null ? allPermutations(N) : [];
  const invPerms = plan.batches === null ? field.fromRational(Rational.of(1n, factorial(N))) : field.one;

  type Vec = TruncatedSeries<F>[];

  /** Averages `f(x)` over the population: the datum of a fresh i.i.d. draw. */
  const averageOverData = (f: (x: number) => TruncatedSeries<F>): TruncatedSeries<F> => {
    let sum = constantSeries(field, field.zero, order);
    for (let x = 0; x < M; x++) sum = seriesAdd(field, sum, f(x));
    return seriesScale(field, invM, sum);
  };

  const lossAtEnd = (theta: Vec, data: readonly number[]): TruncatedSeries<F> => {
    const powers = new PowerCache(field, theta);
    if (loss === "test") return averageOverData((x) => evaluateOnSeries(field, lossPolys[x], powers, order));
    const unassigned = data.indexOf(-1);
    if (unassigned >= 0) return averageOverData((x) => lossAtEnd(theta, withDatum(data, unassigned, x)));
    let sum = constantSeries(field, field.zero, order);
    for (const x of data) sum = seriesAdd(field, sum, evaluateOnSeries(field, lossPolys[x], powers, order));
    return seriesScale(field, invN, sum);
  };

  const step = (t: number, theta: Vec, velocity: Vec, data: readonly number[], perm: readonly number[] | null): TruncatedSeries<F> => {
    const batch = plan.batches !== null ? plan.batches[t] : shuffledBatch(plan, t, perm!);
    const unassigned = batch.find((n) => data[n] < 0);
    if (unassigned !== undefined) return averageOverData((x) => step(t, theta, velocity, withDatum(data, unassigned, x), perm));
    const powers = new PowerCache(field, theta);
    const gradSum: Vec = Array.from({ length: dim }, (_, i) => {
      let s = constantSeries(field, field.zero, order);
      for (const n of batch) s = seriesAdd(field, s, evaluateOnSeries(field, gradPolys[data[n]][i], powers, order));
      return s;
    });
    let nextTheta: Vec;
    let nextVelocity = velocity;
    if (beta === null) {
      nextTheta = theta.map((th, i) => seriesAddEtaTimes(field, th, stepFactor[t], gradSum[i]));
    } else {
      // heavy ball: v ← βv − η r_t ḡ, θ ← θ + v
      nextVelocity = velocity.map((v, i) => seriesAddEtaTimes(field, seriesScale(field, beta, v), stepFactor[t], gradSum[i]));
      nextTheta = theta.map((th, i) => seriesAdd(field, th, nextVelocity[i]));
    }
    return atStep(t + 1, nextTheta, nextVelocity, data, perm);
  };

  const atStep = (t: number, theta: Vec, velocity: Vec, data: readonly number[], perm: readonly number[] | null): TruncatedSeries<F> => {
    if (t === T) return lossAtEnd(theta, data);
    if (plan.batches === null && t % plan.stepsPerEpoch === 0) {
      // A fresh uniform order for every epoch, independent of the data and of other epochs.
      let sum = constantSeries(field, field.zero, order);
      for (const p of permutations) sum = seriesAdd(field, sum, step(t, theta, velocity, data, p));
      return seriesScale(field, invPerms, sum);
    }
    return step(t, theta, velocity, data, perm);
  };

  return atStep(0, theta0, zeroVector, new Array<number>(N).fill(-1), null);
}

/** Lazily computed truncated powers `θ_j^p` of a series-valued weight vector. */
class PowerCache<F> {
  readonly #field: SeriesField<F>;
  readonly #theta: TruncatedSeries<F>[];
  readonly #powers: TruncatedSeries<F>[][];
  constructor(field: SeriesField<F>, theta: TruncatedSeries<F>[]) {
    this.#field = field;
    this.#theta = theta;
    this.#powers = theta.map((th) => [constantSeries(field, field.one, th.length - 1), th]);
  }
  get(j: number, p: number): TruncatedSeries<F> {
    const c = this.#powers[j];
    while (c.length <= p) c.push(seriesMul(this.#field, c[c.length - 1], this.#theta[j]));
    return c[p];
  }
}

function evaluateOnSeries<F>(field: SeriesField<F>, poly: FieldPoly<F>, powers: PowerCache<F>, order: number): TruncatedSeries<F> {
  let sum = constantSeries(field, field.zero, order);
  for (const m of poly) {
    let term: TruncatedSeries<F> | null = null;
    m.powers.forEach((p, j) => {
      if (p === 0) return;
      const pj = powers.get(j, p);
      term = term === null ? pj : seriesMul(field, term, pj);
    });
    const contribution = term === null ? constantSeries(field, m.coef, order) : seriesScale(field, m.coef, term);
    sum = seriesAdd(field, sum, contribution);
  }
  return sum;
}

function withDatum(data: readonly number[], n: number, x: number): number[] {
  const out = [...data];
  out[n] = x;
  return out;
}

function batchSizeAt(plan: Plan, t: number): number {
  return plan.batches === null ? plan.batchSize : plan.batches[t].length;
}

function shuffledBatch(plan: Plan, t: number, perm: readonly number[]): readonly number[] {
  const j = t % plan.stepsPerEpoch;
  return perm.slice(j * plan.batchSize, (j + 1) * plan.batchSize);
}

function allPermutations(n: number): number[][] {
  const out: number[][] = [];
  const rec = (prefix: number[], rest: number[]): void => {
    if (rest.length === 0) out.push(prefix);
    rest.forEach((r, i) => rec([...prefix, r], [...rest.slice(0, i), ...rest.slice(i + 1)]));
  };
  rec([], Array.from({ length: n }, (_, i) => i));
  return out;
}

/**
 * Builds the batches straight from the schedule's definition (docs/theory.md#setting) rather than
 * reusing the schedule module's helpers, so that the oracle stays independent.
 */
function makePlan(s: Schedule): Plan {
  const N = requireInt(s?.N, WHERE, "schedule.N", 1, 1_000_000);
  let batches: number[][];
  let batchSize = 0;
  let stepsPerEpoch = 0;
  switch (s.kind) {
    case "sgd": {
      batchSize = requireInt(s.batch, WHERE, "schedule.batch", 1, N);
      if (N % batchSize !== 0) throw new InvalidArgumentError(WHERE, "schedule.batch", `a divisor of N = ${N}`, batchSize);
      const epochs = requireInt(s.epochs, WHERE, "schedule.epochs", 1, 1_000_000);
      stepsPerEpoch = N / batchSize;
      if (s.shuffle) return finishPlan(s, N, epochs * stepsPerEpoch, null, batchSize, stepsPerEpoch);
      batches = [];
      for (let e = 0; e < epochs; e++) {
        for (let j = 0; j < stepsPerEpoch; j++) batches.push(Array.from({ length: batchSize }, (_, i) => j * batchSize + i));
      }
      break;
    }
    case "gd": {
      const T = requireInt(s.T, WHERE, "schedule.T", 0, 1_000_000);
      batches = Array.from({ length: T }, () => Array.from({ length: N }, (_, n) => n));
      break;
    }
    case "custom":
      batches = s.batches.map((b, t) => {
        if (b.length === 0 || b.some((n) => !Number.isInteger(n) || n < 0 || n >= N)) {
          throw new InvalidArgumentError(WHERE, `schedule.batches[${t}]`, `a non-empty list of indices in 0..${N - 1}`, [...b]);
        }
        return [...b];
      });
      break;
    default:
      throw new InvalidArgumentError(WHERE, "schedule.kind", '"sgd", "gd" or "custom"', (s as { kind?: unknown }).kind);
  }
  return finishPlan(s, N, batches.length, batches, batchSize, stepsPerEpoch);
}

function finishPlan(
  s: Schedule,
  N: number,
  T: number,
  batches: number[][] | null,
  batchSize: number,
  stepsPerEpoch: number,
): Plan {
  const rates = s.etaScale ?? new Array<Rational>(T).fill(Rational.ONE);
  if (rates.length !== T) throw new InvalidArgumentError(WHERE, "schedule.etaScale", `a list of T = ${T} rates`, rates.length);
  const momentum = s.momentum === undefined || s.momentum.isZero() ? null : s.momentum;
  if (momentum !== null && (momentum.sign() < 0 || momentum.compare(Rational.ONE) >= 0)) {
    throw new InvalidArgumentError(WHERE, "schedule.momentum", "in [0, 1)", momentum.toString());
  }
  return { N, T, batches, batchSize, stepsPerEpoch, rates, momentum };
}

function checkLandscape(l: PolynomialLandscape): void {
  if (l.theta0.length !== l.dim) throw new InvalidArgumentError(WHERE, "landscape.theta0", `a vector of length dim = ${l.dim}`, l.theta0.length);
  if (l.population.length === 0) throw new InvalidArgumentError(WHERE, "landscape.population", "non-empty", 0);
  l.population.forEach((d, x) =>
    d.forEach((m, j) => {
      if (m.powers.length !== l.dim) {
        throw new InvalidArgumentError(WHERE, `landscape.population[${x}][${j}].powers`, `of length dim = ${l.dim}`, m.powers.length);
      }
    }),
  );
}
