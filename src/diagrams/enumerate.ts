import { enumerateRootedTrees } from "../combinatorics/rootedTrees.js";
import { enumerateSetPartitions } from "../combinatorics/setPartitions.js";
import { requireInt } from "../errors.js";
import { type CanonicalDiagram, canonicalizeClasses, NO_CLASS, ROOT_TIE } from "./canonical.js";

/** Largest order the enumerator accepts (Bell(d+1)·A000081(d+1) labelled candidates). */
export const MAX_ENUMERATION_ORDER = 9;

export interface EnumerateOptions {
  /**
   * Whether the root may be tied to other nodes (the train loss measures on a training
   * datum; the test loss on a fresh one). @defaultValue false
   */
  rootTies?: boolean;
  /**
   * Skip tie partitions in which a non-root node is tied to one of its descendants. Their
   * coefficients vanish for every one-epoch schedule (tied nodes share a batch, hence a
   * step, but a parent acts strictly later), so one-epoch tables need not canonise them.
   * @defaultValue false
   */
  skipTiedAncestors?: boolean;
}

/**
 * All diagrams of order `d` (`d` edges, `d+1` nodes), one per isomorphism class, in
 * canonical form, sorted by canonical key.
 *
 * ## Method
 * For every unlabeled rooted tree (Beyer–Hedetniemi) and every set partition of its
 * non-root nodes (all nodes when `rootTies`), canonise and keep one per key.
 *
 * Most partitions of a symmetric tree are images of one another under the tree's
 * automorphisms, and canonising each is the bulk of the work. So a partition is first
 * compared with its images under the generating swaps of identical sibling subtrees
 * ({@link siblingSwaps}): if one image has a smaller restricted growth string, the partition
 * is not the lexicographically smallest of its orbit and is skipped without canonising.
 * The smallest of every orbit is never skipped (it is ≤ all its images), so the set of keys
 * is the same as without the filter; survivors that are still isomorphic (the generators'
 * test is necessary, not sufficient, for being the smallest) are merged by key as before.
 * @throws InvalidArgumentError unless `0 ≤ d ≤ MAX_ENUMERATION_ORDER`.
 */
export function enumerateDiagrams(d: number, options: EnumerateOptions = {}): CanonicalDiagram[] {
  requireInt(d, "enumerateDiagrams", "order", 0, MAX_ENUMERATION_ORDER);
  const rootTies = options.rootTies ?? false;
  const skip = options.skipTiedAncestors ?? false;
  const found = new Map<string, CanonicalDiagram>();
  const offset = rootTies ? 0 : 1;
  const cls = new Array<number>(d + 1);
  for (const parents of enumerateRootedTrees(d + 1)) {
    const swaps = siblingSwaps(parents);
    const visit = (rgs: readonly number[]): void => {
      for (const s of swaps) if (imageIsSmaller(rgs, s, offset)) return;
      const k = tieClasses(rgs, offset, cls);
      const canon = canonicalizeClasses(parents, cls, k);
      if (!found.has(canon.key)) found.set(canon.key, canon);
    };
    if (skip) forEachPartitionWithoutTiedAncestors(parents, offset, visit);
    else for (const rgs of enumerateSetPartitions(d + 1 - offset)) visit(rgs);
  }
  return [...found.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

const blockSize = new Int32Array(32);
const blockClass = new Int32Array(32);

/**
 * The tie classes of the partition `rgs` (`rgs[v − offset]` the block of node `v`) as
 * {@link canonicalizeClasses} takes them, written into `cls`: blocks of one node are untied,
 * the root's block is {@link ROOT_TIE}, the others are numbered in order of their smallest
 * node. Returns the number of those others.
 */
function tieClasses(rgs: readonly number[], offset: number, cls: number[]): number {
  const m = rgs.length;
  blockSize.fill(0, 0, m);
  for (let i = 0; i < m; i++) blockSize[rgs[i]]++;
  let k = 0;
  for (let b = 0; b < m && blockSize[b] > 0; b++) {
    blockClass[b] = blockSize[b] < 2 ? NO_CLASS : offset === 0 && b === rgs[0] ? ROOT_TIE : k++;
  }
  if (offset === 1) cls[0] = NO_CLASS;
  for (let i = 0; i < m; i++) cls[i + offset] = blockClass[rgs[i]];
  return k;
}

/**
 * Calls `visit` with every set partition (restricted growth string, `rgs[v − offset]` the
 * block of node `v`) in which no non-root node shares a block with a non-root ancestor.
 * Level-sequence trees number parents before children, so the partition is built node by
 * node and a block is refused as soon as an ancestor already holds it: most partitions of a
 * deep tree tie some ancestor, and are never generated. The array passed is reused.
 */
function forEachPartitionWithoutTiedAncestors(parents: readonly number[], offset: number, visit: (rgs: readonly number[]) => void): void {
  const n = parents.length + 1 - offset;
  const rgs = new Array<number>(n).fill(0);
  const rec = (i: number, blocks: number): void => {
    if (i === n) {
      visit(rgs);
      return;
    }
    const v = i + offset;
    for (let b = 0; b <= blocks; b++) {
      let free = true;
      if (v > 0) for (let u = parents[v - 1]; u !== 0 && free; u = parents[u - 1]) free = rgs[u - offset] !== b;
      if (!free) continue;
      rgs[i] = b;
      rec(i + 1, b === blocks ? blocks + 1 : blocks);
    }
  };
  rec(0, 0);
}

/**
 * Node permutations (involutions, as arrays `σ[v]`) that generate the automorphism group of
 * a tree numbered in canonical preorder (`enumerateRootedTrees`): for every pair of
 * consecutive siblings with identical subtrees, the swap of those two subtrees. In a
 * canonical level sequence every subtree is itself canonical, so isomorphic sibling subtrees
 * are equal as preorder segments and the swap maps the `k`-th node of one onto the `k`-th
 * node of the other.
 */
export function siblingSwaps(parents: readonly number[]): Int32Array[] {
  const n = parents.length + 1;
  const depth = new Int32Array(n);
  const size = new Int32Array(n).fill(1);
  for (let v = 1; v < n; v++) depth[v] = depth[parents[v - 1]] + 1;
  for (let v = n - 1; v >= 1; v--) size[parents[v - 1]] += size[v];
  const out: Int32Array[] = [];
  for (let a = 1; a < n; a++) {
    const b = a + size[a]; // the next sibling of a, if any, starts right after a's subtree
    if (b >= n || parents[b - 1] !== parents[a - 1] || size[b] !== size[a]) continue;
    let same = true;
    for (let k = 1; k < size[a] && same; k++) same = depth[a + k] - depth[a] === depth[b + k] - depth[b];
    if (!same) continue;
    const s = new Int32Array(n);
    for (let v = 0; v < n; v++) s[v] = v;
    for (let k = 0; k < size[a]; k++) {
      s[a + k] = b + k;
      s[b + k] = a + k;
    }
    out.push(s);
  }
  return out;
}

const relabel = new Int32Array(32);

/**
 * Whether the partition `σ(P)` (node `v` in the block of `σ(v)`, `σ` an involution) has a
 * lexicographically smaller restricted growth string than `P` (`rgs[v − offset]` is the block
 * of node `v`).
 */
function imageIsSmaller(rgs: readonly number[], s: Int32Array, offset: number): boolean {
  relabel.fill(-1, 0, rgs.length);
  let next = 0;
  for (let i = 0; i < rgs.length; i++) {
    const b = rgs[s[i + offset] - offset];
    let x = relabel[b];
    if (x < 0) x = relabel[b] = next++;
    if (x !== rgs[i]) return x < rgs[i];
  }
  return false;
}
