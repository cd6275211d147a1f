/**
 * Embeddings of a diagram into the space-time grid of a concrete schedule (docs/theory.md#diagrams),
 * enumerated one by one — for pictures and as an independent check of the engine's counts.
 *
 * An embedding maps every non-root node to a cell (step `t`, training index `n ∈ b_t`) with
 * parents strictly later (the root sits after the last step), tied nodes on one index and
 * untied nodes on different indices. Its weight is `Π_nodes 1/|b_t|`, and
 * `coefficient(D) = (−1)^d/|Aut(D)| · Σ_embeddings weight` (test loss).
 *
 * @module
 */
import { Rational } from "../algebra/rational.js";
import { BudgetExceededError } from "../errors.js";
import type { DiagramRecord } from "./format.js";

/** Where the nodes of a diagram sit; node 0 is the root (step `T`, the test datum `-1`). */
export interface Embedding {
  readonly steps: readonly number[];
  readonly data: readonly number[];
  readonly weight: Rational;
}

type Shape = Pick<DiagramRecord, "order" | "parents" | "ties">;

/** Tie class of every node (untied nodes get their own class), root excluded from ties. */
function classes(d: Shape): number[] {
  const cls = Array.from({ length: d.order + 1 }, (_, v) => v);
  for (const t of d.ties) for (const v of t) cls[v] = t[0];
  return cls;
}

/** Nodes in pre-order (parents before children). */
function preorder(d: Shape): number[] {
  const kids: number[][] = Array.from({ length: d.order + 1 }, () => []);
  d.parents.forEach((p, i) => kids[p].push(i + 1));
  const out: number[] = [];
  const visit = (v: number): void => {
    out.push(v);
    kids[v].forEach(visit);
  };
  visit(0);
  return out;
}

/**
 * Every legal embedding of a test-loss diagram (untied root) into the schedule given by its
 * batches (step `t` uses the indices `batches[t]`).
 *
 * @throws BudgetExceededError beyond `limit` embeddings.
 */
export function enumerateEmbeddings(d: Shape, batches: readonly (readonly number[])[], limit = 200_000): Embedding[] {
  const T = batches.length;
  const cls = classes(d);
  const order = preorder(d).slice(1);
  const steps = new Array<number>(d.order + 1).fill(T);
  const data = new Array<number>(d.order + 1).fill(-1);
  const out: Embedding[] = [];
  const classDatum = new Map<number, number>();
  const used = new Map<number, number>(); // datum → class using it
  const rec = (k: number, weight: Rational): void => {
    if (k === order.length) {
      if (out.length >= limit) throw new BudgetExceededError("enumerateEmbeddings", `more than ${limit} embeddings`);
      out.push({ steps: [...steps], data: [...data], weight });
      return;
    }
    const v = order[k];
    const c = cls[v];
    const tp = steps[d.parents[v - 1]];
    for (let t = 0; t < tp; t++) {
      const fixed = classDatum.get(c);
      for (const n of batches[t]) {
        if (fixed !== undefined ? n !== fixed : used.has(n)) continue;
        steps[v] = t;
        data[v] = n;
        const fresh = fixed === undefined;
        if (fresh) {
          classDatum.set(c, n);
          used.set(n, c);
        }
        rec(k + 1, weight.mul(Rational.of(1, batches[t].length)));
        if (fresh) {
          classDatum.delete(c);
          used.delete(n);
        }
      }
    }
    steps[v] = T;
    data[v] = -1;
  };
  rec(0, Rational.ONE);
  return out;
}

/** `Σ weight` over the embeddings: the coefficient times `(−1)^d |Aut|`. */
export function totalWeight(embeddings: readonly Embedding[]): Rational {
  return embeddings.reduce((s, e) => s.add(e.weight), Rational.ZERO);
}

/** The reasons an assignment of cells to nodes is not an embedding. */
export type Violation = "parent not strictly later" | "tied nodes on different data" | "untied nodes on one datum" | "datum not in the step's batch";

/** Which rules an arbitrary placement (`steps`, `data` for nodes `1..d`) breaks. */
export function violations(d: Shape, batches: readonly (readonly number[])[], steps: readonly number[], data: readonly number[]): Violation[] {
  const T = batches.length;
  const cls = classes(d);
  const out = new Set<Violation>();
  for (let v = 1; v <= d.order; v++) {
    const p = d.parents[v - 1];
    const tp = p === 0 ? T : steps[p];
    if (steps[v] >= tp) out.add("parent not strictly later");
    if (!batches[steps[v]].includes(data[v])) out.add("datum not in the step's batch");
    for (let u = 1; u < v; u++) {
      if (cls[u] === cls[v] && data[u] !== data[v]) out.add("tied nodes on different data");
      if (cls[u] !== cls[v] && data[u] === data[v]) out.add("untied nodes on one datum");
    }
  }
  return [...out];
}

/**
 * For each kind of violation, the first placement (cells in row-major order) that breaks that
 * rule and no other — the "illegal embeddings" of the space-time pictures.
 */
export function illegalExamples(d: Shape, batches: readonly (readonly number[])[], N: number): Map<Violation, { steps: number[]; data: number[] }> {
  const T = batches.length;
  const found = new Map<Violation, { steps: number[]; data: number[] }>();
  const steps = new Array<number>(d.order + 1).fill(T);
  const data = new Array<number>(d.order + 1).fill(-1);
  const cells = T * N;
  const total = cells ** d.order;
  for (let code = 0; code < total && found.size < 4; code++) {
    let rest = code;
    for (let v = 1; v <= d.order; v++) {
      const cell = rest % cells;
      rest = Math.floor(rest / cells);
      steps[v] = Math.floor(cell / N);
      data[v] = cell % N;
    }
    const vs = violations(d, batches, steps, data);
    if (vs.length === 1 && !found.has(vs[0])) found.set(vs[0], { steps: [...steps], data: [...data] });
  }
  return found;
}
