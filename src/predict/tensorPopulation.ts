/**
 * Low-order diagram values on a small-dimensional landscape with a finite (quadrature)
 * population, from per-datum derivative tensors measured by the jax-js oracle.
 *
 * For a handful of weights (the helix has `P = 3`) the gradient, Hessian and third-derivative
 * tensors of every population member are cheap to form, and every diagram of order ≤ 3 is a
 * contraction of them: the quadrature makes the expectation exact for losses polynomial in
 * the datum (docs/theory.md#exact-mode).
 *
 * @module
 */
import type { DiagramRecord } from "../diagrams/format.js";
import { BudgetExceededError, InvalidArgumentError } from "../errors.js";
import type { Landscape, Population } from "../landscapes/builtin.js";
import { LossOracle } from "../numerics/index.js";

/** Derivative tensors at `θ0` of every member of a finite population. */
export interface TensorPopulation {
  readonly P: number;
  readonly weights: Float64Array;
  /** Per member: gradient (`P`), Hessian (`P²`, row-major), third derivative (`P³`). */
  readonly g: readonly Float64Array[];
  readonly H: readonly Float64Array[];
  readonly J: readonly Float64Array[];
}

/**
 * Measures `∇l`, `∇²l`, `∇³l` of every quadrature member at `theta0` with the landscape's
 * jax-js loss (batched: `1 + P + P²` vmapped calls; with `order = 2` the third derivatives are
 * skipped and left zero).
 *
 * @throws InvalidArgumentError when the landscape has no quadrature population.
 */
export function measureTensors(landscape: Landscape, theta0: Float64Array = landscape.theta0(), order: 2 | 3 = 3): TensorPopulation {
  const pop: Population | undefined = landscape.quadrature;
  if (pop === undefined) throw new InvalidArgumentError("measureTensors", "landscape", "a landscape with a quadrature population", landscape.name);
  const P = landscape.dim;
  const M = pop.weights.length;
  const oracle = new LossOracle(landscape.loss, P, landscape.dataDim);
  try {
    const e = (a: number) => Float64Array.from({ length: P }, (_, i) => (i === a ? 1 : 0));
    const grads = oracle.gradients(theta0, pop.data);
    const hv = Array.from({ length: P }, (_, a) => oracle.hvps(theta0, pop.data, e(a)));
    const jv: Float64Array[][] =
      order === 3 ? Array.from({ length: P }, (_, a) => Array.from({ length: P }, (_, b) => oracle.directionalGradients(theta0, pop.data, [e(a), e(b)]))) : [];
    const g: Float64Array[] = [];
    const H: Float64Array[] = [];
    const J: Float64Array[] = [];
    for (let i = 0; i < M; i++) {
      g.push(grads.slice(i * P, (i + 1) * P));
      const h = new Float64Array(P * P);
      for (let a = 0; a < P; a++) for (let c = 0; c < P; c++) h[a * P + c] = hv[a][i * P + c];
      H.push(h);
      const j = new Float64Array(P * P * P);
      if (order === 3) for (let a = 0; a < P; a++) for (let b = 0; b < P; b++) for (let c = 0; c < P; c++) j[(a * P + b) * P + c] = jv[a][b][i * P + c];
      J.push(j);
    }
    return { P, weights: Float64Array.from(pop.weights), g, H, J };
  } finally {
    oracle.dispose();
  }
}

/** Weighted means `G = E∇l`, `H = E∇²l`, `J = E∇³l` and the covariance `C = E[g gᵀ] − G Gᵀ`. */
export function populationMoments(pop: TensorPopulation): { G: Float64Array; H: Float64Array; J: Float64Array; C: Float64Array } {
  const { P, weights } = pop;
  const G = new Float64Array(P);
  const H = new Float64Array(P * P);
  const J = new Float64Array(P * P * P);
  const M2 = new Float64Array(P * P);
  weights.forEach((w, i) => {
    for (let a = 0; a < P; a++) G[a] += w * pop.g[i][a];
    for (let k = 0; k < P * P; k++) H[k] += w * pop.H[i][k];
    for (let k = 0; k < P * P * P; k++) J[k] += w * pop.J[i][k];
    for (let a = 0; a < P; a++) for (let b = 0; b < P; b++) M2[a * P + b] += w * pop.g[i][a] * pop.g[i][b];
  });
  const C = new Float64Array(P * P);
  for (let a = 0; a < P; a++) for (let b = 0; b < P; b++) C[a * P + b] = M2[a * P + b] - G[a] * G[b];
  return { G, H, J, C };
}

/** Largest number of tie-class → member maps averaged over in one value. */
const MAX_ASSIGNMENTS = 1_000_000;

/**
 * The exact value of a diagram (no powers of `η`) on the population: tied classes range over
 * the members with their weights, untied nodes use the mean tensors, and the root applies the
 * measured function's derivative `root(v_1..v_k) = ∇^k s(θ0)[v_1..v_k]` to its children.
 *
 * Non-root nodes may have at most 2 children (tensors up to `∇³l`), which covers every
 * diagram of order ≤ 3.
 *
 * @throws InvalidArgumentError for a node with more than 2 children or a tied root.
 * @throws BudgetExceededError for more than 10⁶ class assignments.
 */
export function tensorDiagramValue(
  diagram: Pick<DiagramRecord, "order" | "parents" | "ties">,
  pop: TensorPopulation,
  root: (vectors: readonly Float64Array[]) => number,
): number {
  const where = "tensorDiagramValue";
  const n = diagram.order + 1;
  const children: number[][] = Array.from({ length: n }, () => []);
  diagram.parents.forEach((p, i) => children[p].push(i + 1));
  for (let v = 1; v < n; v++) {
    if (children[v].length > 2) throw new InvalidArgumentError(where, "diagram", "nodes with at most 2 children (order ≤ 3)", children[v].length);
  }
  if (diagram.ties.some((t) => t.includes(0))) throw new InvalidArgumentError(where, "diagram", "untied at the root", JSON.stringify(diagram.ties));
  const classOf = new Array<number>(n).fill(-1);
  diagram.ties.forEach((t, c) => t.forEach((v) => (classOf[v] = c)));
  const K = diagram.ties.length;
  const M = pop.weights.length;
  if (M ** K > MAX_ASSIGNMENTS) throw new BudgetExceededError(where, `${M}^${K} class assignments exceed ${MAX_ASSIGNMENTS}`);
  const mean = populationMoments(pop);
  const P = pop.P;
  const apply = (v: number, member: number): Float64Array => {
    const kids = children[v].map((c) => vectorAt(c));
    const g = member < 0 ? mean.G : pop.g[member];
    const H = member < 0 ? mean.H : pop.H[member];
    const J = member < 0 ? mean.J : pop.J[member];
    const out = new Float64Array(P);
    if (kids.length === 0) out.set(g);
    else if (kids.length === 1) {
      for (let a = 0; a < P; a++) for (let c = 0; c < P; c++) out[c] += H[a * P + c] * kids[0][a];
    } else {
      for (let a = 0; a < P; a++) {
        for (let b = 0; b < P; b++) {
          const w = kids[0][a] * kids[1][b];
          if (w !== 0) for (let c = 0; c < P; c++) out[c] += J[(a * P + b) * P + c] * w;
        }
      }
    }
    return out;
  };
  const assignment = new Array<number>(K).fill(0);
  const vectorAt = (v: number): Float64Array => apply(v, classOf[v] < 0 ? -1 : assignment[classOf[v]]);
  let total = 0;
  const count = M ** K;
  for (let a = 0; a < count; a++) {
    let rest = a;
    let w = 1;
    for (let c = 0; c < K; c++) {
      assignment[c] = rest % M;
      rest = Math.floor(rest / M);
      w *= pop.weights[assignment[c]];
    }
    total += w * root(children[0].map((c) => vectorAt(c)));
  }
  return total;
}
