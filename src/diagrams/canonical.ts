import { canonicalColouredTree } from "../combinatorics/canonical.js";
import { enumeratePermutations } from "../combinatorics/setPartitions.js";
import { type Diagram, makeDiagram } from "./diagram.js";

/** Version of the canonical key format; bump when the encoding changes (golden files use it). */
export const CANONICAL_FORMAT = 1;

/** A diagram in canonical form with its symmetry data. */
export interface CanonicalDiagram {
  /** Versioned canonical key, equal for two diagrams iff they are isomorphic. */
  readonly key: string;
  /** The diagram relabelled in canonical preorder (node 0 the root). */
  readonly diagram: Diagram;
  /** `|Aut(D)|`: tree automorphisms that map tie classes onto tie classes. */
  readonly automorphisms: bigint;
}

const UNTIED = ".";
const ROOT_CLASS = "R";

/**
 * Canonical form of a diagram: a rooted tree with an *unlabeled* tie partition.
 *
 * ## Method
 * Colour every node by its tie class (untied nodes `.`, the root's class `R`, the other
 * classes `A`, `B`, …) and take the minimum AHU string of the coloured tree over all
 * orderings of the non-root tie classes (there are at most ⌊d/2⌋ of them, so this is
 * cheap). Isomorphic diagrams give equal sets of strings, hence equal minima.
 * `|Aut(D)| = |Aut_colour(D)| · #{orderings reaching the minimum}`: the automorphisms
 * that fix every class, times the class permutations some automorphism realises.
 */
export function canonicalize(d: Diagram): CanonicalDiagram {
  const n = d.order + 1;
  const classes = d.ties.filter((c) => c[0] !== 0);
  const rootClass = d.ties.find((c) => c[0] === 0);
  const base = new Array<string>(n).fill(UNTIED);
  if (rootClass !== undefined) for (const v of rootClass) base[v] = ROOT_CLASS;
  let best: ReturnType<typeof canonicalColouredTree> | undefined;
  let hits = 0n;
  const colours = base.slice();
  for (const perm of enumeratePermutations(classes.length)) {
    classes.forEach((c, i) => {
      const tag = String.fromCharCode(65 + perm[i]);
      for (const v of c) colours[v] = tag;
    });
    const canon = canonicalColouredTree(d.parents, colours.join(""));
    if (best === undefined || canon.key < best.key) {
      best = canon;
      hits = 1n;
    } else if (canon.key === best.key) hits++;
  }
  const c = best!;
  // Relabel: canonical position j holds original node order[j].
  const newLabel = new Array<number>(n);
  c.order.forEach((v, j) => (newLabel[v] = j));
  const parents = new Array<number>(d.order);
  for (let i = 1; i < n; i++) parents[newLabel[i] - 1] = newLabel[d.parents[i - 1]];
  const ties = d.ties.map((cls) => cls.map((v) => newLabel[v]));
  return {
    key: `v${CANONICAL_FORMAT}:${c.key}`,
    diagram: makeDiagram(parents, ties),
    automorphisms: c.automorphisms * hits,
  };
}

/** The canonical key alone. */
export function canonicalKey(d: Diagram): string {
  return canonicalize(d).key;
}

/** `|Aut(D)|`. */
export function automorphismCount(d: Diagram): bigint {
  return canonicalize(d).automorphisms;
}
