import { enumerateRootedTrees } from "../combinatorics/rootedTrees.js";
import { enumerateSetPartitions } from "../combinatorics/setPartitions.js";
import { requireInt } from "../errors.js";
import { type CanonicalDiagram, canonicalize } from "./canonical.js";
import { makeDiagram } from "./diagram.js";

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
 * @throws InvalidArgumentError unless `0 ≤ d ≤ MAX_ENUMERATION_ORDER`.
 */
export function enumerateDiagrams(d: number, options: EnumerateOptions = {}): CanonicalDiagram[] {
  requireInt(d, "enumerateDiagrams", "order", 0, MAX_ENUMERATION_ORDER);
  const rootTies = options.rootTies ?? false;
  const skip = options.skipTiedAncestors ?? false;
  const found = new Map<string, CanonicalDiagram>();
  for (const parents of enumerateRootedTrees(d + 1)) {
    const offset = rootTies ? 0 : 1;
    for (const rgs of enumerateSetPartitions(d + 1 - offset)) {
      // Level-sequence trees number parents before children, so one pass up the parent
      // chain of each node finds a tied ancestor (the root excluded).
      if (skip && tiesAnAncestor(parents, rgs, offset)) continue;
      const blocks: number[][] = [];
      rgs.forEach((b, i) => (blocks[b] ??= []).push(i + offset));
      const canon = canonicalize(makeDiagram(parents, blocks));
      if (!found.has(canon.key)) found.set(canon.key, canon);
    }
  }
  return [...found.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Whether some non-root node shares a block with a non-root ancestor. */
function tiesAnAncestor(parents: readonly number[], blockOf: readonly number[], offset: number): boolean {
  for (let v = 1; v < parents.length + 1; v++) {
    const b = blockOf[v - offset];
    for (let u = parents[v - 1]; u !== 0; u = parents[u - 1]) if (blockOf[u - offset] === b) return true;
  }
  return false;
}
