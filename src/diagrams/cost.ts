import { countRootedTrees } from "../combinatorics/rootedTrees.js";
import { explicitBatches, type Schedule, stepCount } from "../schedule/schedule.js";
import { explicitWork, stepAssignmentWork } from "./rules/explicit.js";
import type { LossKind } from "./coefficient.js";

/**
 * Up-front cost of {@link coefficientTable}, from the schedule and order alone (nothing is
 * enumerated or built), so that a caller can refuse a table that would run for hours or
 * exhaust memory before starting it.
 *
 * `candidates` counts the labelled (tree, tie partition) pairs the enumerator canonises:
 * `A000081(d+1)·Bell(d)` per order `d` (`Bell(d+1)` with root ties, for the train loss). It
 * bounds the number of diagrams from above. `operations` adds, per candidate, the work of the
 * coefficient engine the schedule uses for its worst diagram (the all-untied one):
 * - the batch/epoch family without momentum or per-step rates: 1 per diagram for one
 *   epoch, and the `Fubini(d)` ordered batch patterns per diagram for several epochs;
 * - explicit batches (momentum, per-step rates, custom): `types^d·d·T²` class→type maps ×
 *   tree DP, plus the `Σ|b_t|` batch entries it materialises;
 * - shuffled epochs with momentum or rates: `T^d` step assignments.
 * `worstDiagram` is the engine's own per-diagram work (what {@link explicitWeight} checks
 * against its budget), so a table the engine would refuse half-way is refused before it starts.
 */
export interface TableCost {
  readonly candidates: number;
  readonly worstDiagram: number;
  readonly operations: number;
}

/** Default limit on {@link TableCost.operations} (about a minute of work on one core). */
export const DEFAULT_TABLE_OPERATIONS = 1e9;

export function coefficientTableCost(schedule: Schedule, maxOrder: number, loss: LossKind): TableCost {
  const engine = engineCost(schedule);
  let candidates = 0;
  let worstDiagram = 0;
  let operations = 0;
  for (let d = 0; d <= maxOrder; d++) {
    const c = countRootedTrees(d + 1) * bellNumber(loss === "train" ? d + 1 : d);
    const w = engine(d);
    candidates += c;
    worstDiagram = Math.max(worstDiagram, w);
    operations += c * (1 + w);
  }
  return { candidates, worstDiagram, operations };
}

/** The per-diagram work of the engine {@link embeddingWeight} picks for `s`, as a function of the order. */
function engineCost(s: Schedule): (d: number) => number {
  const T = stepCount(s);
  const plain = s.momentum === undefined && s.etaScale === undefined;
  if (plain && s.kind !== "custom") {
    const epochs = s.kind === "sgd" ? s.epochs : s.T;
    return (d) => (epochs === 1 || d === 0 ? 1 : fubiniNumber(d));
  }
  if (s.kind === "sgd" && s.shuffle && s.epochs > 1) return (d) => (d === 0 ? 1 : stepAssignmentWork(T, d));
  const entries = batchEntries(s);
  const types = indexTypes(s);
  return (d) => (d === 0 ? 1 : explicitWork(types, d, d, T) + entries);
}

/** `Σ_t |b_t|`: the entries of the explicit batch list (built once per diagram). */
function batchEntries(s: Schedule): number {
  if (s.kind === "sgd") return s.epochs * s.N;
  if (s.kind === "gd") return s.T * s.N;
  return s.batches.reduce((a, b) => a + b.length, 0);
}

/** Number of index types (indices used at the same steps) of the explicit engine. */
function indexTypes(s: Schedule): number {
  if (s.kind === "sgd") return s.N / s.batch; // the indices of one batch share every step
  if (s.kind === "gd") return 1;
  const sig = new Map<number, string>();
  explicitBatches(s).forEach((b, t) => b.forEach((n) => sig.set(n, `${sig.get(n) ?? ""}${t},`)));
  return new Set(sig.values()).size;
}

/** Bell number `B_n` (set partitions of `n` elements), by the Bell triangle. */
export function bellNumber(n: number): number {
  let row = [1];
  for (let i = 0; i < n; i++) {
    const next = [row[row.length - 1]];
    for (const x of row) next.push(next[next.length - 1] + x);
    row = next;
  }
  return row[0];
}

/** Fubini number (ordered set partitions of `n` elements): `a_n = Σ_{k≥1} C(n,k)·a_{n−k}`. */
export function fubiniNumber(n: number): number {
  const a = [1];
  for (let m = 1; m <= n; m++) {
    let s = 0;
    let c = 1; // C(m, k)
    for (let k = 1; k <= m; k++) {
      c = (c * (m - k + 1)) / k;
      s += c * a[m - k];
    }
    a.push(s);
  }
  return a[n];
}
