import { coefficientTable } from "../diagrams/table.js";
import type { LossKind } from "../diagrams/coefficient.js";
import { childrenOf, makeDiagram, tieClassOf } from "../diagrams/diagram.js";
import { InvalidArgumentError, requireInt } from "../errors.js";
import type { Landscape } from "../landscapes/builtin.js";
import { initNumerics, LossOracle } from "../numerics/index.js";
import { Rational } from "../algebra/rational.js";
import type { Schedule } from "../schedule/schedule.js";

/** Largest weight dimension for explicit derivative tensors (P^k entries each). */
export const MAX_TENSOR_DIM = 6;

/** The η-series of a built-in landscape over its quadrature population. */
export interface QuadratureSeriesResult {
  readonly coefficients: readonly number[];
  readonly terms: readonly { order: number; key: string; coefficient: string; value: number }[];
}

/**
 * The η-series `Σ c_k η^k` of the expected test/train loss on a built-in landscape, with
 * every diagram value an exact expectation over the landscape's quadrature population
 * (Gauss–Hermite: exact for losses polynomial in `x`, as all built-ins are), in float64.
 *
 * ## Method
 * The derivative tensors `∇^j l_x(θ0)` (`j ≤ order + 1`) are formed explicitly — the
 * landscapes have `P ≤ 6` weights — from mixed partials (jax-js nested jvp along basis
 * vectors, one vmapped call per multi-index over all quadrature nodes). A node alone in
 * its tie class enters linearly, so it takes the weighted mean tensor; tie classes with
 * several nodes are summed over the nodes (`16^{#ties}` terms).
 * @throws InvalidArgumentError for a landscape without quadrature or with `P > MAX_TENSOR_DIM`.
 */
export async function quadratureSeries(landscape: Landscape, schedule: Schedule, order: number, loss: LossKind): Promise<QuadratureSeriesResult> {
  requireInt(order, "quadratureSeries", "order", 0, 5);
  const pop = landscape.quadrature;
  if (pop === undefined) throw new InvalidArgumentError("quadratureSeries", "landscape", "a landscape with a quadrature population", landscape.name);
  const P = landscape.dim;
  if (P > MAX_TENSOR_DIM) throw new InvalidArgumentError("quadratureSeries", "landscape.dim", `at most ${MAX_TENSOR_DIM}`, P);
  await initNumerics();
  const oracle = new LossOracle(landscape.loss, P, landscape.dataDim);
  const theta0 = landscape.theta0();
  const M = pop.data.rows;
  // tensors[j][q]: full P^j array of ∇^j l at node q.
  const tensors: Float64Array[][] = [];
  for (let j = 0; j <= order + 1; j++) {
    const perNode = Array.from({ length: M }, () => new Float64Array(P ** j));
    for (const idx of multiIndices(P, j)) {
      const dirs = idx.map((i) => Float64Array.from({ length: P }, (_, k) => (k === i ? 1 : 0)));
      const vals = oracle.directionalDerivatives(theta0, pop.data, dirs);
      for (const perm of permutationsOf(idx)) {
        const flat = perm.reduce((s, i) => s * P + i, 0);
        for (let q = 0; q < M; q++) perNode[q][flat] = vals[q];
      }
    }
    tensors.push(perNode);
  }
  oracle.dispose();
  const w = pop.weights;
  const mean = tensors.map((perNode) => {
    const out = new Float64Array(perNode[0].length);
    perNode.forEach((t, q) => t.forEach((x, k) => (out[k] += w[q] * x)));
    return out;
  });
  const rows = coefficientTable(schedule, order, loss);
  const coefficients = new Array<number>(order + 1).fill(0);
  const terms = rows.map((r) => {
    const d = makeDiagram(r.parents, r.ties);
    const ch = childrenOf(d);
    const cls = tieClassOf(d);
    const size = new Map<number, number>();
    for (const c of cls) size.set(c, (size.get(c) ?? 0) + 1);
    const multi = [...size.entries()].filter(([, s]) => s > 1).map(([c]) => c);
    let value = 0;
    const assign = new Map<number, number>();
    const rec = (k: number, weight: number): void => {
      if (k === multi.length) {
        const tensorOf = (v: number, j: number) => (size.get(cls[v])! > 1 ? tensors[j][assign.get(cls[v])!] : mean[j]);
        const vec = (v: number): Float64Array => contract(tensorOf(v, ch[v].length + 1), ch[v].map(vec), P, true) as Float64Array;
        value += weight * (contract(tensorOf(0, ch[0].length), ch[0].map(vec), P, false) as number);
        return;
      }
      for (let q = 0; q < M; q++) {
        assign.set(multi[k], q);
        rec(k + 1, weight * w[q]);
      }
    };
    rec(0, 1);
    const c = Rational.parse(r.coefficient).toNumber();
    coefficients[r.order] += c * value;
    return { order: r.order, key: r.key, coefficient: r.coefficient, value };
  });
  return { coefficients, terms };
}

/** `T[v_1..v_k, ·]` (vector) or `T[v_1..v_k]` (scalar) for a full `P^j` tensor. */
function contract(t: Float64Array, vs: readonly Float64Array[], P: number, vector: boolean): Float64Array | number {
  let cur = t;
  for (const v of vs) {
    const rest = cur.length / P;
    const next = new Float64Array(rest);
    for (let i = 0; i < P; i++) {
      if (v[i] === 0) continue;
      for (let r = 0; r < rest; r++) next[r] += v[i] * cur[i * rest + r];
    }
    cur = next;
  }
  return vector ? cur : cur[0];
}

/** Sorted multi-indices of length `j` over `0..P-1`. */
function multiIndices(P: number, j: number): number[][] {
  const out: number[][] = [];
  const rec = (start: number, acc: number[]): void => {
    if (acc.length === j) {
      out.push([...acc]);
      return;
    }
    for (let i = start; i < P; i++) rec(i, [...acc, i]);
  };
  rec(0, []);
  return out;
}

/** Distinct permutations of a multiset. */
function permutationsOf(idx: readonly number[]): number[][] {
  if (idx.length <= 1) return [[...idx]];
  const out = new Map<string, number[]>();
  idx.forEach((x, i) => {
    for (const rest of permutationsOf([...idx.slice(0, i), ...idx.slice(i + 1)])) {
      const p = [x, ...rest];
      out.set(p.join(","), p);
    }
  });
  return [...out.values()];
}
