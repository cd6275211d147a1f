import type { LossKind } from "../diagrams/coefficient.js";
import { childrenOf, makeDiagram, tieClassOf } from "../diagrams/diagram.js";
import { InvalidArgumentError, requireInt } from "../errors.js";
import { Rng } from "../stats/rng.js";
import type { EstimationSetup, SeriesSpec } from "./estimateSeries.js";

/**
 * Per-tuple unbiased diagram values like `sampleDiagramValues`, with less variance for
 * diagrams that have ties.
 *
 * A tuple holds one batch of `batch` independent data per tie-class slot (and a test batch).
 * Nodes alone in their class enter linearly, so they use the batch mean of their slot (as in
 * `sampleDiagramValues`). A tie class must sit on *one* datum; instead of using only the slot's
 * first datum, the value is averaged over `replicates` replicas `j = 0..replicates−1`, in which
 * every tie class sits on datum `j` of its own slot. Each replica is an unbiased estimate
 * (different classes never share a slot), hence so is their mean, with up to
 * `replicates`-fold less variance from the tied data; subtrees without tied nodes are computed
 * once and shared by the replicas.
 *
 * With `options.testGradient` (the exact mean gradient of the test distribution at `θ0`, e.g.
 * over a finite held-out sample), a test-loss root with one child is contracted with it
 * instead of a test batch: exact, so the root adds no variance.
 *
 * `values[s][t][j]` is diagram `j` of series `s` on tuple `t`.
 *
 * @throws InvalidArgumentError for `tuples < 2`, `batch < 1`, `replicates` outside `[1, batch]`,
 *   or a test-loss diagram whose root is tied.
 */
export function sampleDiagramValuesReplicated<X>(
  setup: EstimationSetup<X>,
  specs: readonly SeriesSpec[],
  tuples: number,
  seed: number,
  batch: number,
  replicates: number,
  onProgress?: (done: number, total: number) => void,
  options: { readonly testGradient?: Float64Array } = {},
): number[][][] {
  const where = "sampleDiagramValuesReplicated";
  requireInt(tuples, where, "tuples", 2, 1e9);
  requireInt(batch, where, "batch", 1, 1e6);
  requireInt(replicates, where, "replicates", 1, batch);
  const rng = new Rng(seed);
  const plans = specs.map((s) => s.diagrams.map((r) => plan(r.parents, r.ties, s.loss)));
  const maxClasses = Math.max(1, ...plans.flat().map((p) => p.classes));
  const out: number[][][] = specs.map(() => []);
  for (let t = 0; t < tuples; t++) {
    const train: X[][] = Array.from({ length: maxClasses }, () => Array.from({ length: batch }, () => setup.drawTrain(rng)));
    const test: X[] = Array.from({ length: batch }, () => setup.drawTest(rng));
    const ctx = new Context(setup, train, test, replicates, options.testGradient);
    plans.forEach((ps, s) => out[s].push(ps.map((p) => ctx.evaluate(p))));
    onProgress?.(t + 1, tuples);
  }
  return out;
}

interface Plan {
  readonly children: number[][];
  /** `-1` for the test data, else the class slot. */
  readonly slot: number[];
  readonly alone: boolean[];
  /** Whether the subtree of the node contains a tied node (its vector depends on the replica). */
  readonly varies: boolean[];
  readonly classes: number;
}

function plan(parents: readonly number[], ties: readonly (readonly number[])[], loss: LossKind): Plan {
  const d = makeDiagram(parents, ties);
  if (loss === "test" && d.ties.some((c) => c[0] === 0)) {
    throw new InvalidArgumentError("sampleDiagramValuesReplicated", "diagram", "untied at the root for the test loss", JSON.stringify(ties));
  }
  const cls = tieClassOf(d);
  const size = new Map<number, number>();
  for (const c of cls) size.set(c, (size.get(c) ?? 0) + 1);
  const alone = cls.map((c) => size.get(c) === 1);
  const children = childrenOf(d);
  const varies = new Array<boolean>(cls.length).fill(false);
  const mark = (v: number): boolean => {
    let any = !alone[v];
    for (const c of children[v]) any = mark(c) || any;
    varies[v] = any;
    return any;
  };
  mark(0);
  return { children, slot: cls.map((c, v) => (loss === "test" && v === 0 ? -1 : c)), alone, varies, classes: Math.max(...cls) + 1 };
}

class Context<X> {
  readonly #meanGrads = new Map<number, Float64Array>();
  readonly #grads = new Map<X, Float64Array>();
  constructor(
    readonly setup: EstimationSetup<X>,
    readonly train: X[][],
    readonly test: X[],
    readonly replicates: number,
    readonly testGradient: Float64Array | undefined,
  ) {}

  #slotData(p: Plan, v: number): X[] {
    return p.slot[v] === -1 ? this.test : this.train[p.slot[v]];
  }

  #mean(data: readonly X[], vs: Float64Array[]): Float64Array {
    const o = this.setup.oracle;
    if (data.length === 1 && vs.length === 0) {
      let g = this.#grads.get(data[0]);
      if (g === undefined) this.#grads.set(data[0], (g = o.directionalGradient(this.setup.theta0, data[0], [])));
      return g;
    }
    if (o.meanDirectionalGradient !== undefined) return o.meanDirectionalGradient(this.setup.theta0, data, vs);
    const out = new Float64Array(o.dim);
    for (const x of data) {
      const g = o.directionalGradient(this.setup.theta0, x, vs);
      for (let j = 0; j < out.length; j++) out[j] += g[j] / data.length;
    }
    return out;
  }

  /**
   * Vector of node `v` in replica `j`. Subtrees without tied nodes use batch means and are
   * shared by the replicas (`shared`); a node whose subtree varies sits on datum `j` of its
   * slot (whether tied or alone), so a replica costs one oracle call per such node.
   */
  #vector(p: Plan, v: number, j: number, shared: Map<number, Float64Array>): Float64Array {
    if (!p.varies[v]) {
      const hit = shared.get(v);
      if (hit !== undefined) return hit;
    }
    const kids = p.children[v].map((c) => this.#vector(p, c, j, shared));
    const all = this.#slotData(p, v);
    let out: Float64Array;
    if (p.varies[v]) out = this.#mean([all[j]], kids);
    else if (kids.length === 0) {
      const s = p.slot[v];
      let g = this.#meanGrads.get(s);
      if (g === undefined) this.#meanGrads.set(s, (g = this.#mean(all, [])));
      out = g;
    } else out = this.#mean(all, kids);
    if (!p.varies[v]) shared.set(v, out);
    return out;
  }

  evaluate(p: Plan): number {
    const shared = new Map<number, Float64Array>();
    const reps = p.varies[0] || p.children[0].some((c) => p.varies[c]) ? this.replicates : 1;
    let total = 0;
    for (let j = 0; j < reps; j++) {
      const vs = p.children[0].map((c) => this.#vector(p, c, j, shared));
      const data = p.alone[0] ? this.#slotData(p, 0) : [this.#slotData(p, 0)[j]];
      if (vs.length === 1) {
        const g = p.slot[0] === -1 && this.testGradient !== undefined ? this.testGradient : p.alone[0] ? this.#rootMean(p, data) : this.#mean(data, []);
        let dot = 0;
        for (let k = 0; k < g.length; k++) dot += g[k] * vs[0][k];
        total += dot;
      } else {
        // A root with several children on the batch (or one datum per replica when they vary).
        const on = reps > 1 ? [data[j % data.length]] : data;
        let s = 0;
        for (const x of on) s += this.setup.oracle.directionalDerivative(this.setup.theta0, x, vs);
        total += s / on.length;
      }
    }
    return total / reps;
  }

  #rootMean(p: Plan, data: readonly X[]): Float64Array {
    const key = p.slot[0];
    let g = this.#meanGrads.get(key);
    if (g === undefined) this.#meanGrads.set(key, (g = this.#mean(data, [])));
    return g;
  }
}
