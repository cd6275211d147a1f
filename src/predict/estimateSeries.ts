import { Rational } from "../algebra/rational.js";
import type { LossKind } from "../diagrams/coefficient.js";
import { childrenOf, makeDiagram, tieClassOf } from "../diagrams/diagram.js";
import type { DiagramRecord } from "../diagrams/format.js";
import { InsufficientSamplesError, InvalidArgumentError, requireInt } from "../errors.js";
import type { DerivativeOracle } from "../landscapes/derivativeOracle.js";
import type { Estimate } from "../stats/estimate.js";
import { Rng } from "../stats/rng.js";

/** Where the data of an estimate come from. */
export interface EstimationSetup<X> {
  readonly oracle: DerivativeOracle<X>;
  readonly theta0: Float64Array;
  /** A datum from the training distribution `D`. */
  drawTrain(rng: Rng): X;
  /** A datum from the test distribution (the root of test-loss diagrams). */
  drawTest(rng: Rng): X;
}

/** One loss kind's diagrams with their exact coefficients. */
export interface SeriesSpec {
  readonly loss: LossKind;
  readonly diagrams: readonly DiagramRecord[];
}

/**
 * Per-tuple unbiased values of diagrams (docs/theory.md#estimators): a *tuple* is a set of independent
 * data, one per tie class (and a test datum for a test-loss root), so every diagram's
 * value on a tuple is an unbiased estimate of its expected contraction — distinct classes
 * never share a sample (a U-statistic), and `E[g]·E[g]` is never estimated by `|mean g|²`.
 * Values are computed bottom-up with directional derivatives, never forming `P^k` tensors.
 *
 * `values[s][t][j]` is diagram `j` of series `s` on tuple `t`. Series on one tuple share
 * data, so a combination's error bar is taken from its per-tuple values (covariances
 * included).
 */
export function sampleDiagramValues<X>(
  setup: EstimationSetup<X>,
  specs: readonly SeriesSpec[],
  tuples: number,
  seed: number,
  onProgress?: (done: number, total: number) => void,
  batch = 1,
): number[][][] {
  requireInt(tuples, "sampleDiagramValues", "tuples", 2, 1e9);
  requireInt(batch, "sampleDiagramValues", "batch", 1, 1e6);
  const rng = new Rng(seed);
  const plans = specs.map((s) => s.diagrams.map((r) => planDiagram(r, s.loss)));
  const maxClasses = Math.max(1, ...plans.flat().map((p) => p.classes));
  const out: number[][][] = specs.map(() => []);
  for (let t = 0; t < tuples; t++) {
    // One batch per class slot (and one of test data); different slots are independent.
    const train: X[][] = Array.from({ length: maxClasses }, () => Array.from({ length: batch }, () => setup.drawTrain(rng)));
    const test: X[] = Array.from({ length: batch }, () => setup.drawTest(rng));
    const ctx = new TupleContext(setup, train, test);
    plans.forEach((ps, s) => out[s].push(ps.map((p) => ctx.evaluate(p))));
    onProgress?.(t + 1, tuples);
  }
  return out;
}

interface Plan {
  readonly order: number;
  readonly children: number[][];
  /** Datum slot of each node: `-1` for the test data, else a class slot of training data. */
  readonly slot: number[];
  /** Whether the node is alone in its tie class (then its tensor may be a batch mean). */
  readonly alone: boolean[];
  readonly classes: number;
}

function planDiagram(r: DiagramRecord, loss: LossKind): Plan {
  const d = makeDiagram(r.parents, r.ties);
  const cls = tieClassOf(d); // root's class is 0
  if (loss === "test" && d.ties.some((c) => c[0] === 0)) {
    throw new InvalidArgumentError("sampleDiagramValues", "diagram", "untied at the root for the test loss", JSON.stringify(r.ties));
  }
  const slot = cls.map((c, v) => (loss === "test" && v === 0 ? -1 : c));
  const size = new Map<number, number>();
  for (const c of cls) size.set(c, (size.get(c) ?? 0) + 1);
  const alone = cls.map((c) => size.get(c) === 1);
  return { order: d.order, children: childrenOf(d), slot, alone, classes: Math.max(...cls) + 1 };
}

/**
 * Evaluates diagrams on one tuple of batches. A node alone in its tie class enters the
 * contraction linearly, so its tensor is replaced by the batch mean over its slot (unbiased,
 * with ~batch-fold less variance); nodes of a tie class share the slot's first datum.
 */
class TupleContext<X> {
  readonly #grads = new Map<X, Float64Array>();
  readonly #meanGrads = new Map<number, Float64Array>();
  constructor(
    readonly setup: EstimationSetup<X>,
    readonly train: X[][],
    readonly test: X[],
  ) {}

  #data(p: Plan, v: number): X[] {
    const all = p.slot[v] === -1 ? this.test : this.train[p.slot[v]];
    return p.alone[v] ? all : all.slice(0, 1);
  }

  #grad(x: X): Float64Array {
    let g = this.#grads.get(x);
    if (g === undefined) this.#grads.set(x, (g = this.setup.oracle.directionalGradient(this.setup.theta0, x, [])));
    return g;
  }

  #vector(p: Plan, v: number): Float64Array {
    const kids = p.children[v];
    const data = this.#data(p, v);
    if (kids.length === 0) {
      if (data.length === 1) return this.#grad(data[0]);
      let g = this.#meanGrads.get(p.slot[v]);
      if (g === undefined) this.#meanGrads.set(p.slot[v], (g = this.#mean(data, [])));
      return g;
    }
    return this.#mean(data, kids.map((c) => this.#vector(p, c)));
  }

  #rootGrad: Float64Array | undefined;
  #rootData: X[] | undefined;
  /** Mean gradient over the root's test batch (shared by every diagram whose root has one child). */
  #meanRootGradient(data: X[]): Float64Array {
    if (this.#rootGrad === undefined || this.#rootData !== data) {
      this.#rootGrad = this.#mean(data, []);
      this.#rootData = data;
    }
    return this.#rootGrad;
  }

  #mean(data: X[], vs: Float64Array[]): Float64Array {
    const o = this.setup.oracle;
    if (o.meanDirectionalGradient !== undefined) return o.meanDirectionalGradient(this.setup.theta0, data, vs);
    return mean(data.map((x) => (vs.length === 0 ? this.#grad(x) : o.directionalGradient(this.setup.theta0, x, vs))));
  }

  evaluate(p: Plan): number {
    const vs = p.children[0].map((c) => this.#vector(p, c));
    const data = this.#data(p, 0);
    if (vs.length === 1 && data.length > 1) {
      // ∇l[v] = ⟨mean gradient, v⟩: the batch's mean gradient is shared by every such root.
      const g = this.#meanRootGradient(data);
      const last = vs[0];
      let dot = 0;
      for (let j = 0; j < g.length; j++) dot += g[j] * last[j];
      return dot;
    }
    let s = 0;
    for (const x of data) s += this.setup.oracle.directionalDerivative(this.setup.theta0, x, vs);
    return s / data.length;
  }
}

function mean(vs: readonly Float64Array[]): Float64Array {
  if (vs.length === 1) return vs[0];
  const out = new Float64Array(vs[0].length);
  for (const v of vs) for (let j = 0; j < out.length; j++) out[j] += v[j];
  for (let j = 0; j < out.length; j++) out[j] /= vs.length;
  return out;
}

/** The series `Σ_k c_k η^k` of one loss (or a difference of losses) with per-tuple samples. */
export interface EstimatedSeries {
  /** `c_k` estimates with standard errors, `k = 0..order`. */
  readonly coefficients: readonly Estimate[];
  /** Per-tuple samples of each `c_k` (for error bars of any combination). */
  readonly samples: readonly Float64Array[];
}

/**
 * Combines per-tuple diagram values with exact coefficients into per-tuple samples of
 * each `c_k`; `sign` lets a gap be formed as test − train on shared tuples.
 */
export function seriesFromValues(
  parts: readonly { spec: SeriesSpec; values: number[][]; sign: 1 | -1 }[],
  order: number,
): EstimatedSeries {
  const n = parts[0].values.length;
  const samples = Array.from({ length: order + 1 }, () => new Float64Array(n));
  for (const { spec, values, sign } of parts) {
    if (values.length !== n) throw new InvalidArgumentError("seriesFromValues", "values", `${n} tuples in every part`, values.length);
    spec.diagrams.forEach((r, j) => {
      if (r.order > order) return;
      const c = sign * Rational.parse(r.coefficient).toNumber();
      for (let t = 0; t < n; t++) samples[r.order][t] += c * values[t][j];
    });
  }
  return { coefficients: samples.map((s) => meanEstimate(s)), samples };
}

/** The prediction `Σ_{k≤order} c_k η^k` with its standard error (per-tuple, so covariances count). */
export function evaluateSeries(series: EstimatedSeries, eta: number, order: number = series.samples.length - 1): Estimate {
  const n = series.samples[0].length;
  const per = new Float64Array(n);
  for (let k = 0; k <= order; k++) {
    const w = eta ** k;
    const s = series.samples[k];
    for (let t = 0; t < n; t++) per[t] += w * s[t];
  }
  return meanEstimate(per);
}

/**
 * Relative accuracy of one float64 diagram value, a systematic error that averaging over tuples
 * does not shrink. The jax-js image models (accurate float64 transcendentals) agree with the
 * exact `cpu` policy to ≤ 5e−16 relative in losses, gradients, Hessian-vector products and
 * third-order vectors `∇³l[v,w,·]`, and scalar contractions to ~1e−15 of their Cauchy–Schwarz
 * bound (`imageModels.test.ts`); 1e−14 leaves room for the contractions and sums of a diagram.
 * (With jax-js's own float32-accurate `exp`/`log`/`tanh` this error was ~1e−7.)
 */
export const DIAGRAM_VALUE_RELATIVE_ERROR = 1e-14;

/**
 * Mean with a standard error that includes the numerical error: the statistical one and
 * `DIAGRAM_VALUE_RELATIVE_ERROR · mean|x|` (plus the summation's rounding) in quadrature, so a
 * coefficient that is the same for every tuple (such as `c0`, an exact population mean) reports
 * its numerical uncertainty instead of ~1e−16.
 */
function meanEstimate(xs: Float64Array): Estimate {
  const n = xs.length;
  if (n < 2) throw new InsufficientSamplesError("meanEstimate", n, 2);
  let mean = 0;
  let meanAbs = 0;
  for (const x of xs) {
    mean += x;
    meanAbs += Math.abs(x);
  }
  mean /= n;
  meanAbs /= n;
  let ss = 0;
  for (const x of xs) ss += (x - mean) ** 2;
  const numerical = (DIAGRAM_VALUE_RELATIVE_ERROR + n * Number.EPSILON) * meanAbs;
  return { value: mean, stderr: Math.hypot(Math.sqrt(ss / (n - 1) / n), numerical), n };
}
