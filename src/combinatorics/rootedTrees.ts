import { requireInt } from "../errors.js";

/**
 * Enumerates the unlabeled rooted trees with `n` nodes, one per isomorphism class, as
 * parent arrays: `parents[i-1]` is the parent of node `i`, node 0 is the root, and nodes are
 * numbered in preorder (so `parents[i-1] < i`).
 *
 * ## Method
 * Canonical level sequences in reverse lexicographic order (Beyer & Hedetniemi 1980,
 * "Constant time generation of rooted trees", SIAM J. Comput. 9(4)). The level sequence is
 * the depth of each node in a preorder walk that visits larger subtrees first.
 *
 * Counts follow OEIS A000081: 1, 1, 2, 4, 9, 20, 48, 115, 286, 719 for n = 1..10.
 * @throws InvalidArgumentError unless `1 ≤ n ≤ 20`.
 */
export function* enumerateRootedTrees(n: number): Generator<number[]> {
  requireInt(n, "enumerateRootedTrees", "n", 1, 20);
  if (n === 1) {
    yield [];
    return;
  }
  if (n === 2) {
    yield [0];
    return;
  }
  // Level sequence L[0..n-1], L[0] = 0; start with the path 0,1,...,n-1.
  const L = Array.from({ length: n }, (_, i) => i);
  for (;;) {
    yield levelSequenceToParents(L);
    // Find the last position p with L[p] > 1 (can be "decremented").
    let p = n - 1;
    while (p > 0 && L[p] <= 1) p--;
    if (p === 0) return; // the star: last tree
    // q = last position before p with L[q] = L[p] - 1 (the parent of node p).
    let q = p - 1;
    while (L[q] !== L[p] - 1) q--;
    // Copy the segment L[q..p-1] periodically into positions p..n-1.
    for (let i = p; i < n; i++) L[i] = L[i - (p - q)];
  }
}

/** Converts a preorder level sequence into a parent array. */
export function levelSequenceToParents(levels: readonly number[]): number[] {
  const parents: number[] = [];
  const lastAtDepth: number[] = [0];
  for (let i = 1; i < levels.length; i++) {
    parents.push(lastAtDepth[levels[i] - 1]);
    lastAtDepth[levels[i]] = i;
  }
  return parents;
}

/** Number of rooted trees with `n` nodes (OEIS A000081), counted by enumeration. */
export function countRootedTrees(n: number): number {
  let c = 0;
  for (const _ of enumerateRootedTrees(n)) c++;
  return c;
}
