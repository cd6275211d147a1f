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
  const found = new Map<string, CanonicalDiagram>();
  for (const parents of enumerateRootedTrees(d + 1)) {
    const offset = rootTies ? 0 : 1;
    for (const rgs of enumerateSetPartitions(d + 1 - offset)) {
      const blocks: number[][] = [];
      rgs.forEach((b, i) => (blocks[b] ??= []).push(i + offset));
      const canon = canonicalize(makeDiagram(parents, blocks));
      if (!found.has(canon.key)) found.set(canon.key, canon);
    }
  }
  return [...found.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
