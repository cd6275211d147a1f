import { InvalidArgumentError } from "../errors.js";

/**
 * A diagram of the space-time expansion (docs/theory.md#diagrams): a rooted tree on nodes `0..d`
 * (node 0 is the root, the measured function) plus a partition of the nodes into *ties*
 * (nodes evaluated on the same datum).
 *
 * - `parents[i-1]` is the parent of node `i` (`1 ≤ i ≤ d`); following parents from any node
 *   reaches the root.
 * - `ties` lists only the tie classes with more than one node, each sorted ascending, the
 *   classes sorted by their smallest node. Node 0 may appear in a tie (train loss only).
 *
 * The node numbering is arbitrary; {@link canonicalKey} (diagrams/canonical.ts) identifies
 * isomorphism classes.
 */
export interface Diagram {
  readonly order: number;
  readonly parents: readonly number[];
  readonly ties: readonly (readonly number[])[];
}

/**
 * Builds a validated diagram, normalising the tie list (drops singletons, sorts).
 * @throws InvalidArgumentError when `parents` is not a tree rooted at 0 or `ties` is not a
 * partition of a subset of `0..d`.
 */
export function makeDiagram(parents: readonly number[], ties: readonly (readonly number[])[] = []): Diagram {
  const d = parents.length;
  for (let i = 1; i <= d; i++) {
    const p = parents[i - 1];
    if (!Number.isInteger(p) || p < 0 || p > d || p === i) {
      throw new InvalidArgumentError("makeDiagram", `parents[${i - 1}]`, `a node in 0..${d} other than ${i}`, p);
    }
  }
  // Every node must reach the root without a cycle.
  for (let i = 1; i <= d; i++) {
    let v = i;
    for (let steps = 0; v !== 0; steps++) {
      if (steps > d) throw new InvalidArgumentError("makeDiagram", "parents", "a tree rooted at node 0", parents);
      v = parents[v - 1];
    }
  }
  const seen = new Set<number>();
  const classes: number[][] = [];
  for (const cls of ties) {
    for (const v of cls) {
      if (!Number.isInteger(v) || v < 0 || v > d || seen.has(v)) {
        throw new InvalidArgumentError("makeDiagram", "ties", `disjoint classes of nodes in 0..${d}`, ties.map((c) => [...c]));
      }
      seen.add(v);
    }
    if (cls.length > 1) classes.push([...cls].sort((a, b) => a - b));
  }
  classes.sort((a, b) => a[0] - b[0]);
  return Object.freeze({ order: d, parents: Object.freeze([...parents]), ties: Object.freeze(classes.map((c) => Object.freeze(c))) });
}

/** Children lists: `children(d)[v]` are the nodes whose parent is `v`. */
export function childrenOf(d: Diagram): number[][] {
  const ch: number[][] = Array.from({ length: d.order + 1 }, () => []);
  d.parents.forEach((p, i) => ch[p].push(i + 1));
  return ch;
}

/**
 * The tie class of every node as an index `0..k-1`; untied nodes get their own class.
 * Classes are numbered in order of their smallest node, so the root's class is 0.
 */
export function tieClassOf(d: Diagram): number[] {
  const rep = Array.from({ length: d.order + 1 }, (_, v) => v); // representative = smallest node of the class
  for (const c of d.ties) for (const v of c) rep[v] = c[0];
  const ids = new Map<number, number>();
  return rep.map((r) => {
    let id = ids.get(r);
    if (id === undefined) ids.set(r, (id = ids.size));
    return id;
  });
}

/** True when the root is in a tie (possible only for the train loss). */
export function rootIsTied(d: Diagram): boolean {
  return d.ties.some((c) => c[0] === 0);
}
