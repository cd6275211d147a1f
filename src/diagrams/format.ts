import type { Rational } from "../algebra/rational.js";
import type { CanonicalDiagram } from "./canonical.js";

/** The JSON form of one diagram with its coefficient (the `diagrams --json` contract). */
export interface DiagramRecord {
  readonly order: number;
  /** `parents[i-1]` is the parent of node `i`; node 0 is the root. */
  readonly parents: readonly number[];
  /** Tie classes with more than one node (0 may appear for the train loss). */
  readonly ties: readonly (readonly number[])[];
  /** Exact coefficient `"p/q"`: the diagram contributes `coefficient · η^order · value`. */
  readonly coefficient: string;
  /** Versioned canonical key (`v1:` + coloured AHU string). */
  readonly key: string;
  /** `|Aut(D)|` as a decimal string. */
  readonly automorphisms: string;
  /** Human-readable tensor contraction, e.g. `G·H·G`. */
  readonly value: string;
  /** The coefficient as a polynomial in the schedule's parameters, where available. */
  readonly polynomial?: string;
}

export function toRecord(c: CanonicalDiagram, coefficient: Rational, polynomial?: string): DiagramRecord {
  // One object literal per shape (a spread that adds `polynomial` gave every record its own
  // hidden class); the arrays are the canonical diagram's own, which are frozen.
  const { order, parents, ties } = c.diagram;
  const coef = coefficient.toString();
  const automorphisms = c.automorphisms.toString();
  const value = valueExpression(c);
  if (polynomial === undefined) return { order, parents, ties, coefficient: coef, key: c.key, automorphisms, value };
  return { order, parents, ties, coefficient: coef, key: c.key, automorphisms, value, polynomial };
}

/**
 * A readable name for the diagram's value: each node is the derivative tensor of its
 * datum, `∇^{k+1}l` for a node with `k` children (`g`, `H`, `J`, `Q`, `∇5l`, …) and
 * `∇^k l` at the root; tie classes get subscripts `x`, `y`, …; untied nodes are independent.
 * Example: `E[∇l(H_x g_x)]`.
 */
export function valueExpression(c: CanonicalDiagram): string {
  const d = c.diagram;
  const n = d.order + 1;
  const kids = new Array<number>(n).fill(0);
  for (const p of d.parents) kids[p]++;
  const label = new Array<string>(n).fill("");
  const names = "xyzuvw";
  d.ties.forEach((t, i) => t.forEach((v) => (label[v] = `_${names[i] ?? `c${i}`}`)));
  const tensor = (k: number) => (k === 0 ? "l" : k === 1 ? "g" : k === 2 ? "H" : k === 3 ? "J" : k === 4 ? "Q" : `∇${k}l`);
  // Pieces joined once (a flat string; nested concatenation left a rope per record). Children
  // are listed in increasing node order, which `parents` gives in one pass per node.
  const parts: string[] = ["E["];
  const rec = (v: number): void => {
    parts.push(tensor(v === 0 ? kids[v] : kids[v] + 1), label[v]);
    if (kids[v] === 0) return;
    parts.push("[");
    let first = true;
    for (let i = 1; i < n; i++) {
      if (d.parents[i - 1] !== v) continue;
      if (!first) parts.push(",");
      first = false;
      rec(i);
    }
    parts.push("]");
  };
  rec(0);
  parts.push("]");
  return parts.join("");
}
