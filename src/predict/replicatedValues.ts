import type { LossKind } from "../diagrams/coefficient.js";
import { childrenOf, makeDiagram, tieClassOf } from "../diagrams/diagram.js";
import { InvalidArgumentError, requireInt } from "../errors.js";
import { Rng } from "../stats/rng.js";
import type { EstimationSetup, SeriesSpec } from "./estimateSeries.js";

/** Options of {@link sampleDiagramValuesReplicated}. */
export interface ReplicatedOptions<X> {
  /**
   * The exact mean gradient of the test distribution at `θ0` (e.g. over a finite held-out
   * sample): a test-loss root with one child is contracted with it instead of a test batch.
   * Computed from `exact.test` when that is given.
   */
  readonly testGradient?: Float64Array;
  /**
   * Test data per replica for a test-loss root whose children vary (the root's contraction
   * is cheap next to the vectors it contracts, so more test data per replica cut its variance
   * at little cost). The tuple's test batch then holds `replicates × testBlock` data.
   * @defaultValue the block size `⌊batch/replicates⌋` of the training slots
   */
  readonly testBlock?: number;
  /**
   * Finite populations (uniform weights) of the training distribution and, optionally, of the
   * test distribution. With them, every subtree without tied nodes is replaced by its exact
   * nested mean over `train` (each of its nodes an independent draw, so the mean of the
   * contraction is the contraction of the means; computed once and shared by all diagrams and
   * tuples), and a root whose diagram has no ties is evaluated exactly over its population
   * (`test` for the test loss, `train` for the train loss). Those parts add no variance.
   * Costs one pass over `train` per distinct untied node (see `internal`).
   */
  readonly exact?: {
    /** Without it, only a test-loss root with no children (`c0`) and the test gradient are exact. */
    readonly train?: readonly X[];
    readonly test?: readonly X[];
    /**
     * Whether untied *internal* nodes (those with children) are exact too. When false, only
     * untied leaves (the mean gradient) and roots over exact children are exact; untied
     * internal nodes are batch means of their slot (one pass over `batch` data per tuple
     * instead of one over the population). @defaultValue true
     */
    readonly internal?: boolean;
    /** The mean gradient over `train`, if already known (saves a pass). */
    readonly trainGradient?: Float64Array;
  };
  /**
   * Which tuples to evaluate (a shard's share, see `harness/shard.ts`): the others still draw
   * their data, so tuple `t` sees the same data as in a full run, but are not evaluated and are
   * left out of the result (which keeps the selected tuples in order). @defaultValue every tuple
   */
  readonly select?: (tuple: number) => boolean;
}

/** An oracle that may also average directional derivatives over a batch in one call. */
interface BatchOracle<X> {
  meanDirectionalDerivative?(theta: Float64Array, xs: readonly X[], directions: readonly Float64Array[]): number;
  /** Several direction sets on the same data (see `LogisticPointOracle`). */
  meanDirectionalDerivatives?(theta: Float64Array, xs: readonly X[], sets: readonly (readonly Float64Array[])[]): number[];
}

/** Root contractions queued by their data, evaluated together. */
class Pending<X> {
  readonly #groups = new Map<string, { data: readonly X[]; sets: Float64Array[][]; done: ((v: number) => void)[] }>();

  add(key: string, data: () => readonly X[], vs: Float64Array[], done: (v: number) => void): void {
    let g = this.#groups.get(key);
    if (g === undefined) this.#groups.set(key, (g = { data: data(), sets: [], done: [] }));
    g.sets.push(vs);
    g.done.push(done);
  }

  flush(setup: EstimationSetup<X>): void {
    const o = setup.oracle as EstimationSetup<X>["oracle"] & BatchOracle<X>;
    for (const g of this.#groups.values()) {
      const values = o.meanDirectionalDerivatives !== undefined ? o.meanDirectionalDerivatives(setup.theta0, g.data, g.sets) : g.sets.map((vs) => meanDerivative(setup, g.data, vs));
      values.forEach((v, k) => g.done[k](v));
    }
    this.#groups.clear();
  }
}

/**
 * Per-tuple unbiased diagram values like `sampleDiagramValues`, with less variance for
 * diagrams that have ties.
 *
 * A tuple holds one batch of `batch` independent data per tie-class slot (and a test batch).
 * Nodes alone in their class enter linearly, so they use the batch mean of their slot (as in
 * `sampleDiagramValues`). A tie class must sit on *one* datum; instead of using only the slot's
 * first datum, the value is averaged over `replicates` replicas `j = 0..replicates−1`. Replica
 * `j` owns the block of `q = ⌊batch/replicates⌋` data `[jq, (j+1)q)` of every slot: a tie class
 * sits on the first datum of its slot's block, and a node alone in its class whose subtree
 * holds a tie (so it cannot be shared by the replicas) uses the mean over its slot's block, as
 * does a root alone in its class. Each replica is an unbiased estimate (different classes never
 * share a slot), hence so is their mean, with up to `replicates`-fold less variance from the
 * tied data; subtrees without tied nodes are computed once and shared by the replicas. Within a tuple, a subtree that occurs in several diagrams
 * with the same slots is computed once (each diagram's value stays unbiased; the series' error
 * bars come from per-tuple sums, so the shared data's covariances are counted).
 *
 * With `options.testGradient`, a test-loss root with one child is contracted with the exact
 * test gradient; with `options.exact`, untied subtrees and roots are exact population means
 * (see {@link ReplicatedOptions}).
 *
 * `values[s][t][j]` is diagram `j` of series `s` on tuple `t`.
 *
 * @throws InvalidArgumentError for `tuples < 2`, `batch < 1`, `replicates` outside `[1, batch]`,
 *   an empty exact population, or a test-loss diagram whose root is tied.
 */
export function sampleDiagramValuesReplicated<X>(
  setup: EstimationSetup<X>,
  specs: readonly SeriesSpec[],
  tuples: number,
  seed: number,
  batch: number,
  replicates: number,
  onProgress?: (done: number, total: number) => void,
  options: ReplicatedOptions<X> = {},
): number[][][] {
  const where = "sampleDiagramValuesReplicated";
  requireInt(tuples, where, "tuples", 2, 1e9);
  requireInt(batch, where, "batch", 1, 1e6);
  requireInt(replicates, where, "replicates", 1, batch);
  if (options.testBlock !== undefined) requireInt(options.testBlock, where, "testBlock", 1, 1e6);
  const testSize = options.testBlock === undefined ? batch : replicates * options.testBlock;
  if (options.exact !== undefined) {
    if (options.exact.train !== undefined && options.exact.train.length === 0) throw new InvalidArgumentError(where, "exact.train", "a non-empty population", 0);
    if (options.exact.test !== undefined && options.exact.test.length === 0) throw new InvalidArgumentError(where, "exact.test", "a non-empty population", 0);
  }
  const rng = new Rng(seed);
  const shared = new Exact(setup, options);
  const pool = new VectorPool(setup);
  const plans = specs.map((s) => s.diagrams.map((r) => shared.mark(plan(r.parents, r.ties, s.loss))));
  const all = plans.flat();
  shared.prepare(all);
  const maxClasses = Math.max(1, ...all.map((p) => p.classes));
  const out: number[][][] = specs.map(() => []);
  for (let t = 0; t < tuples; t++) {
    const train: X[][] = Array.from({ length: maxClasses }, () => Array.from({ length: batch }, () => setup.drawTrain(rng)));
    const test: X[] = Array.from({ length: testSize }, () => setup.drawTest(rng));
    if (options.select !== undefined && !options.select(t)) continue;
    const ctx = new Context(setup, train, test, replicates, shared, pool);
    const values = ctx.evaluateAll(all);
    let at = 0;
    plans.forEach((ps, s) => {
      out[s].push(values.slice(at, at + ps.length));
      at += ps.length;
    });
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
  /** Subtree signature with slots (equal signatures on one tuple and replica: equal vectors). */
  readonly sig: string[];
  /** Subtree shape (for untied subtrees, whose exact means do not depend on slots). */
  readonly shape: string[];
  /** Whether the node's vector is an exact population mean (set by {@link Exact.mark}). */
  exact: boolean[];
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
  const slot = cls.map((c, v) => (loss === "test" && v === 0 ? -1 : c));
  const varies = new Array<boolean>(cls.length).fill(false);
  const sig = new Array<string>(cls.length).fill("");
  const shape = new Array<string>(cls.length).fill("");
  const mark = (v: number): boolean => {
    let any = !alone[v];
    for (const c of children[v]) any = mark(c) || any;
    varies[v] = any;
    sig[v] = `${slot[v]}${alone[v] ? "a" : "t"}(${children[v].map((c) => sig[c]).sort().join(",")})`;
    shape[v] = `(${children[v].map((c) => shape[c]).sort().join(",")})`;
    return any;
  };
  mark(0);
  return { children, slot, alone, varies, sig, shape, exact: varies.map(() => false), classes: Math.max(...cls) + 1 };
}

/** Shape of a leaf (see `Plan.shape`). */
const LEAF = "()";

/** Exact population means, shared by every tuple. */
class Exact<X> {
  readonly #vectors = new Map<string, Float64Array>();
  readonly #roots = new Map<string, number>();
  #testGradient: Float64Array | undefined;
  constructor(
    readonly setup: EstimationSetup<X>,
    readonly options: ReplicatedOptions<X>,
  ) {
    this.#testGradient = options.testGradient;
    if (options.exact?.trainGradient !== undefined) this.#vectors.set(LEAF, options.exact.trainGradient);
  }

  /** Whether the training population is known (then untied parts may be exact). */
  get enabled(): boolean {
    return this.options.exact?.train !== undefined;
  }

  /** Marks the nodes of `p` whose vectors are exact population means. */
  mark(p: Plan): Plan {
    if (!this.enabled) return p;
    const internal = this.options.exact!.internal ?? true;
    const rec = (v: number): boolean => {
      const kids = p.children[v].map(rec);
      return (p.exact[v] = !p.varies[v] && (internal ? true : p.children[v].length === 0) && kids.every((k) => k));
    };
    p.children[0].forEach(rec);
    return p;
  }

  /** Whether the value of `p` is exact (no ties, exact children, root population known). */
  exactRoot(p: Plan): boolean {
    return !p.varies[0] && p.children[0].every((c) => p.exact[c]) && this.rootPopulation(p) !== undefined;
  }

  testGradient(): Float64Array | undefined {
    if (this.#testGradient === undefined && this.options.exact?.test !== undefined) this.#testGradient = meanGradient(this.setup, this.options.exact.test, []);
    return this.#testGradient;
  }

  /** Population the root of `p` is drawn from, if it is known exactly. */
  rootPopulation(p: Plan): readonly X[] | undefined {
    return p.slot[0] === -1 ? this.options.exact?.test : this.options.exact?.train;
  }

  /** Exact mean gradient over the training population. */
  trainGradient(): Float64Array {
    return this.#byShape(LEAF, () => []);
  }

  #byShape(key: string, kids: () => Float64Array[]): Float64Array {
    let out = this.#vectors.get(key);
    if (out === undefined) this.#vectors.set(key, (out = meanGradient(this.setup, this.options.exact!.train!, kids())));
    return out;
  }

  /** Exact nested mean of the untied subtree of node `v` over the training population. */
  vector(p: Plan, v: number): Float64Array {
    return this.#byShape(p.shape[v], () => p.children[v].map((c) => this.vector(p, c)));
  }

  /**
   * Computes the exact values of the given diagrams' roots with several (or no) children in
   * one pass per population, so that an oracle may share work between them.
   */
  prepare(ps: readonly Plan[]): void {
    const groups = new Map<readonly X[], { keys: string[]; sets: Float64Array[][] }>();
    for (const p of ps) {
      const key = this.#rootKey(p);
      if (!this.exactRoot(p) || p.children[0].length === 1 || this.#roots.has(key)) continue;
      const pop = this.rootPopulation(p)!;
      let g = groups.get(pop);
      if (g === undefined) groups.set(pop, (g = { keys: [], sets: [] }));
      if (g.keys.includes(key)) continue;
      g.keys.push(key);
      g.sets.push(p.children[0].map((c) => this.vector(p, c)));
    }
    const o = this.setup.oracle as EstimationSetup<X>["oracle"] & BatchOracle<X>;
    for (const [pop, g] of groups) {
      const values = o.meanDirectionalDerivatives !== undefined ? o.meanDirectionalDerivatives(this.setup.theta0, pop, g.sets) : g.sets.map((vs) => meanDerivative(this.setup, pop, vs));
      g.keys.forEach((k, i) => this.#roots.set(k, values[i]));
    }
  }

  #rootKey(p: Plan): string {
    return `${p.slot[0] === -1 ? "test" : "train"}:${p.shape[0]}`;
  }

  /** Exact value of a diagram without ties (its root population must be known). */
  root(p: Plan): number {
    const key = this.#rootKey(p);
    let value = this.#roots.get(key);
    if (value === undefined) {
      const vs = p.children[0].map((c) => this.vector(p, c));
      const pop = this.rootPopulation(p)!;
      if (vs.length === 1) {
        const g = p.slot[0] === -1 ? this.testGradient()! : this.trainGradient();
        value = dot(g, vs[0]);
      } else value = meanDerivative(this.setup, pop, vs);
      this.#roots.set(key, value);
    }
    return value;
  }
}

class Context<X> {
  /** Vectors that do not depend on the replica, by signature. */
  readonly #fixed = new Map<string, Float64Array>();
  /** Per-replica vectors, by replica then signature. */
  readonly #perReplica: Map<string, Float64Array>[];
  constructor(
    readonly setup: EstimationSetup<X>,
    readonly train: X[][],
    readonly test: X[],
    readonly replicates: number,
    readonly exact: Exact<X>,
    readonly pool: VectorPool<X>,
  ) {
    this.#perReplica = Array.from({ length: replicates }, () => new Map());
    this.#block = Math.floor(train[0].length / replicates);
    this.#testBlock = Math.floor(test.length / replicates);
  }

  /** Data per replica block: replica `j` owns data `[j·block, (j+1)·block)` of every slot. */
  readonly #block: number;
  readonly #testBlock: number;

  #slotData(p: Plan, v: number): X[] {
    return p.slot[v] === -1 ? this.test : this.train[p.slot[v]];
  }

  /** Data of node `v` in replica `j`: its slot's block (alone) or the block's first datum (tied). */
  #replicaData(p: Plan, v: number, j: number): X[] {
    const all = this.#slotData(p, v);
    const q = p.slot[v] === -1 ? this.#testBlock : this.#block;
    return p.alone[v] && q > 1 ? all.slice(j * q, (j + 1) * q) : [all[j * q]];
  }

  /** A mean gradient in a buffer of the pool (returned to it with the memo that keeps it). */
  #mean(data: readonly X[], vs: Float64Array[]): Float64Array {
    return this.pool.mean(data, vs);
  }

  /**
   * Vector of node `v` in replica `j`. Subtrees without tied nodes use batch means (or exact
   * means) and are shared by the replicas; a node whose subtree varies sits on replica `j`'s
   * data of its slot (see {@link #replicaData}).
   */
  #vector(p: Plan, v: number, j: number): Float64Array {
    if (p.exact[v]) return this.exact.vector(p, v);
    const memo = p.varies[v] ? this.#perReplica[j] : this.#fixed;
    const hit = memo.get(p.sig[v]);
    if (hit !== undefined) return hit;
    const kids = p.children[v].map((c) => this.#vector(p, c, j));
    const all = this.#slotData(p, v);
    const out = p.varies[v] ? this.#mean(this.#replicaData(p, v, j), kids) : this.#mean(all, kids);
    memo.set(p.sig[v], out);
    return out;
  }

  /**
   * Values of every diagram on this tuple. Replicas are evaluated one after the other (each
   * replica's vectors are dropped when it is done); within a replica, root contractions on the
   * same data are passed to the oracle together, so that it may share work between them.
   */
  evaluateAll(ps: readonly Plan[]): number[] {
    const out = new Array<number>(ps.length).fill(0);
    const varying: number[] = [];
    ps.forEach((p, i) => {
      if (this.exact.exactRoot(p)) out[i] = this.exact.root(p);
      else if (p.varies[0] || p.children[0].some((c) => p.varies[c])) varying.push(i);
      else {
        const pending = new Pending<X>();
        const now = this.#replicaValue(p, 0, false, (v) => (out[i] += v), pending);
        if (now !== undefined) out[i] = now;
        pending.flush(this.setup);
      }
    });
    const reps = this.replicates;
    for (let j = 0; j < reps; j++) {
      const pending = new Pending<X>();
      for (const i of varying) {
        const now = this.#replicaValue(ps[i], j, true, (v) => (out[i] += v / reps), pending);
        if (now !== undefined) out[i] += now / reps;
      }
      pending.flush(this.setup);
      this.pool.release(this.#perReplica[j]);
    }
    this.pool.release(this.#fixed);
    return out;
  }

  /**
   * Replica `j`'s value of `p` (`varying`: the diagram has a tie), or undefined when its root
   * contraction was queued in `pending` (then `done` receives it).
   */
  #replicaValue(p: Plan, j: number, varying: boolean, done: (v: number) => void, pending: Pending<X>): number | undefined {
    const data = p.alone[0] ? this.#slotData(p, 0) : this.#replicaData(p, 0, j);
    const kids = p.children[0];
    if (kids.length === 1) {
      const g = this.#rootGradient(p, data, j);
      const c = kids[0];
      if (p.varies[c] && p.children[c].length > 0 && !this.#perReplica[j].has(p.sig[c])) {
        // g·∇^{k+1}l_x[v_1..v_k, ·] = ∇^{k+1}l_x[v_1..v_k, g] on the child's data:
        // the same number without forming the child's vector.
        const vs = p.children[c].map((cc) => this.#vector(p, cc, j));
        return meanDerivative(this.setup, this.#replicaData(p, c, j), [...vs, g]);
      }
      return dot(g, this.#vector(p, c, j));
    }
    const vs = kids.map((c) => this.#vector(p, c, j));
    // A root with several children on the batch (or on the replica's data when they vary).
    if (varying) pending.add(`${p.slot[0]}${p.alone[0] ? "a" : "t"}`, () => this.#replicaData(p, 0, j), vs, done);
    // (Untied: the slot's first `batch` data — a longer test batch only serves the replicas.)
    else pending.add(`${p.slot[0]}all`, () => data.slice(0, this.train[0].length), vs, done);
    return undefined;
  }

  /** Gradient of the root's data: exact where known, else the (shared) batch mean. */
  #rootGradient(p: Plan, data: readonly X[], j: number): Float64Array {
    if (p.alone[0]) {
      if (p.slot[0] === -1) {
        const g = this.exact.testGradient();
        if (g !== undefined) return g;
      } else if (this.exact.enabled) return this.exact.trainGradient();
      const key = `${p.slot[0]}a${LEAF}`; // the signature of a leaf on the root's slot: shared with such leaves
      let g = this.#fixed.get(key);
      if (g === undefined) this.#fixed.set(key, (g = this.#mean(data, [])));
      return g;
    }
    // A tied root: the gradient of the replica's datum, shared with tied leaves on that slot.
    const memo = this.#perReplica[j];
    const key = `${p.slot[0]}t${LEAF}`;
    let g = memo.get(key);
    if (g === undefined) memo.set(key, (g = this.#mean(data, [])));
    return g;
  }
}

/**
 * Buffers for the vectors of a tuple, reused from tuple to tuple and replica to replica when
 * the oracle can write into a given buffer (allocating and collecting `P`-vectors costs more
 * than the sparse passes that fill them).
 */
class VectorPool<X> {
  readonly #free: Float64Array[] = [];
  readonly #into: ((out: Float64Array, theta: Float64Array, xs: readonly X[], dirs: readonly Float64Array[]) => void) | undefined;
  constructor(readonly setup: EstimationSetup<X>) {
    const o = setup.oracle as EstimationSetup<X>["oracle"] & {
      meanDirectionalGradientInto?(out: Float64Array, theta: Float64Array, xs: readonly X[], dirs: readonly Float64Array[]): void;
    };
    this.#into = o.meanDirectionalGradientInto?.bind(o);
  }

  mean(data: readonly X[], vs: readonly Float64Array[]): Float64Array {
    if (this.#into === undefined) return meanGradient(this.setup, data, vs);
    const out = this.#free.pop() ?? new Float64Array(this.setup.oracle.dim);
    this.#into(out, this.setup.theta0, data, vs);
    return out;
  }

  /** Returns the memo's vectors to the pool (zeroed) and clears it. */
  release(memo: Map<string, Float64Array>): void {
    if (this.#into !== undefined) {
      for (const v of new Set(memo.values())) {
        v.fill(0);
        this.#free.push(v);
      }
    }
    memo.clear();
  }
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k] * b[k];
  return s;
}

function meanGradient<X>(setup: EstimationSetup<X>, data: readonly X[], vs: readonly Float64Array[]): Float64Array {
  const o = setup.oracle;
  if (o.meanDirectionalGradient !== undefined) return o.meanDirectionalGradient(setup.theta0, data, vs);
  const out = new Float64Array(o.dim);
  for (const x of data) {
    const g = o.directionalGradient(setup.theta0, x, vs);
    for (let j = 0; j < out.length; j++) out[j] += g[j] / data.length;
  }
  return out;
}

function meanDerivative<X>(setup: EstimationSetup<X>, data: readonly X[], vs: readonly Float64Array[]): number {
  const o = setup.oracle as EstimationSetup<X>["oracle"] & BatchOracle<X>;
  if (o.meanDirectionalDerivative !== undefined) return o.meanDirectionalDerivative(setup.theta0, data, vs);
  let s = 0;
  for (const x of data) s += o.directionalDerivative(setup.theta0, x, vs);
  return s / data.length;
}
