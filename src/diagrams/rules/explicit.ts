import { fallingFactorial, Rational } from "../../algebra/rational.js";
import { BudgetExceededError } from "../../errors.js";
import type { DiagramStructure } from "../structure.js";

/**
 * Embedding weights for an explicit list of batches with arbitrary edge weights
 * (momentum, per-step learning rates, custom schedules).
 *
 * `W = Σ_{injective class→index} Σ_{steps, child < parent} Π_nodes [n ∈ b_t]/|b_t| ·
 *  Π_edges K(t_child, t_parent)`, with the root at step `T`.
 *
 * ## Method
 * Indices with the same step membership are interchangeable ("index types"); sum over
 * maps class→type with falling-factorial multiplicities, and for each do a tree DP over
 * steps: `f_v(t) = member(v,t)·Π_children Σ_{s<t} K(s,t)·f_c(s)`.
 */
export interface ExplicitSchedule {
  readonly N: number;
  readonly batches: readonly (readonly number[])[];
  /** Weight of an edge from a node at step `s` to its parent at step `t > s` (root: `t = T`). */
  readonly edgeWeight: (s: number, t: number) => Rational;
}

/** Default work budget (class→type maps × nodes × T²) before refusing. */
export const EXPLICIT_BUDGET = 3e8;

/**
 * The work {@link explicitWeight} does for one diagram with `K` tie classes and `d` non-root
 * nodes on `T` steps whose indices fall into `types` membership types (shared with the
 * up-front estimate of a whole table, so both refuse the same diagrams).
 */
export function explicitWork(types: number, K: number, d: number, T: number): number {
  return d === 0 ? 1 : Math.pow(types, K) * d * T * T;
}

/** The work {@link stepAssignmentWeight} does for one diagram of order `d` on `T` steps. */
export function stepAssignmentWork(T: number, d: number): number {
  return Math.pow(T, d);
}

export function explicitWeight(st: DiagramStructure, s: ExplicitSchedule, budget = EXPLICIT_BUDGET): Rational {
  // The bare root has one embedding of weight 1: no edge weights are needed (building the
  // T² of them first cost minutes for long momentum schedules).
  if (st.d === 0) return Rational.ONE;
  const T = s.batches.length;
  // Index types by membership signature.
  const sig = new Map<string, number[]>();
  const stepsOf: number[][] = Array.from({ length: s.N }, () => []);
  s.batches.forEach((b, t) => b.forEach((n) => stepsOf[n].push(t)));
  for (let n = 0; n < s.N; n++) {
    const key = stepsOf[n].join(",");
    const arr = sig.get(key);
    if (arr === undefined) sig.set(key, [n]);
    else arr.push(n);
  }
  const types = [...sig.values()].filter((ns) => stepsOf[ns[0]].length > 0);
  const work = explicitWork(types.length, st.K, st.d, T);
  if (work > budget) {
    throw new BudgetExceededError(
      "explicitWeight",
      `this schedule needs about ${work.toExponential(1)} operations for one diagram (budget ${budget.toExponential(1)}); use fewer steps, data or a lower order`,
    );
  }
  const invSize = s.batches.map((b) => Rational.of(1, b.length));
  const K: Rational[][] = [];
  for (let a = 0; a < T; a++) {
    K.push([]);
    for (let t = a + 1; t <= T; t++) K[a][t] = s.edgeWeight(a, t);
  }
  const memberOf: boolean[][] = types.map((ns) => {
    const m = new Array<boolean>(T).fill(false);
    for (const t of stepsOf[ns[0]]) m[t] = true;
    return m;
  });
  let total = Rational.ZERO;
  const assign = new Array<number>(st.K).fill(0);
  const counts = new Array<number>(types.length).fill(0);
  const rec = (c: number, mult: bigint): void => {
    if (mult === 0n) return;
    if (c === st.K) {
      total = total.add(treeDp(st, assign, memberOf, invSize, K, T).mul(Rational.int(mult)));
      return;
    }
    for (let ty = 0; ty < types.length; ty++) {
      assign[c] = ty;
      counts[ty]++;
      rec(c + 1, mult * BigInt(types[ty].length - counts[ty] + 1));
      counts[ty]--;
    }
  };
  rec(0, 1n);
  return total;
}

function treeDp(
  st: DiagramStructure,
  assign: readonly number[],
  memberOf: readonly boolean[][],
  invSize: readonly Rational[],
  K: readonly Rational[][],
  T: number,
): Rational {
  const f: (Rational | null)[][] = new Array(st.d + 1);
  for (const v of st.postOrder) {
    if (v === 0) break;
    const member = memberOf[assign[st.cls[v]]];
    const row: (Rational | null)[] = new Array(T).fill(null);
    for (let t = 0; t < T; t++) {
      if (!member[t]) continue;
      let val: Rational | null = invSize[t];
      for (const c of st.children[v]) {
        const g = below(f[c], K, t);
        if (g === null) {
          val = null;
          break;
        }
        val = val.mul(g);
      }
      row[t] = val;
    }
    f[v] = row;
  }
  let out = Rational.ONE;
  for (const c of st.children[0]) {
    const g = below(f[c], K, T);
    if (g === null) return Rational.ZERO;
    out = out.mul(g);
  }
  return out;
}

/** `Σ_{s<t} K(s,t)·f(s)`, or null when it is an empty/zero sum. */
function below(f: readonly (Rational | null)[], K: readonly Rational[][], t: number): Rational | null {
  let acc: Rational | null = null;
  for (let s = 0; s < t; s++) {
    const fs = f[s];
    if (fs === null) continue;
    const term = fs.mul(K[s][t]);
    acc = acc === null ? term : acc.add(term);
  }
  return acc === null || acc.isZero() ? null : acc;
}

/**
 * Brute force over node→step maps, for schedules whose batches are random (shuffled
 * epochs) and whose edge weights are not uniform. `indexFactor(steps)` returns the
 * (expected) number of injective class→index maps compatible with the steps.
 */
export function stepAssignmentWeight(
  st: DiagramStructure,
  T: number,
  stepWeight: (t: number) => Rational,
  edgeWeight: (s: number, t: number) => Rational,
  indexFactor: (steps: readonly number[]) => Rational,
  budget = EXPLICIT_BUDGET,
): Rational {
  const work = stepAssignmentWork(T, st.d);
  if (work > budget) {
    throw new BudgetExceededError(
      "stepAssignmentWeight",
      `this schedule needs about ${work.toExponential(1)} step assignments for one diagram (budget ${budget.toExponential(1)}); use fewer steps or a lower order`,
    );
  }
  const steps = new Array<number>(st.d + 1).fill(T);
  // Visit nodes in pre-order so a parent's step is known before its children's.
  const pre = [...st.postOrder].reverse().filter((v) => v !== 0);
  let total = Rational.ZERO;
  const rec = (k: number, w: Rational): void => {
    if (k === pre.length) {
      const f = indexFactor(steps);
      if (!f.isZero()) total = total.add(w.mul(f));
      return;
    }
    const v = pre[k];
    const tp = steps[st.parent[v]];
    for (let t = 0; t < tp; t++) {
      steps[v] = t;
      rec(k + 1, w.mul(stepWeight(t)).mul(edgeWeight(t, tp)));
    }
  };
  rec(0, Rational.ONE);
  return total;
}

/** Falling factorial as a Rational (helper for index factors). */
export function fallingRational(n: number, k: number): Rational {
  return Rational.int(fallingFactorial(n, k));
}
