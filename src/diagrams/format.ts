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
  const rec: DiagramRecord = {
    order: c.diagram.order,
    parents: [...c.diagram.parents],
    ties: c.diagram.ties.map((t) => [...t]),
    coefficient: coefficient.toString(),
    key: c.key,
    automorphisms: c.automorphisms.toString(),
    value: valueExpression(c),
  };
  return polynomial === undefined ? rec : { ...rec, polynomial };
}

/**
 * A readable name for the diagram's value: each node is the derivative tensor of its
 * datum, `∇^{k+1}l` for a node with `k` children (`g`, `H`, `J`, `Q`, `∇5l`, …) and
 * `∇^k l` at the root; tie classes get subscripts `x`, `y`, …; untied nodes are independent.
 * Example: `E[∇l(H_x g_x)]`.
 */
export function valueExpression(c: CanonicalDiagram): string {
  const d = c.diagram;
  const ch: number[][] = Array.from({ length: d.order + 1 }, () => []);
  d.parents.forEach((p, i) => ch[p].push(i + 1));
  const label = new Array<string>(d.order + 1).fill("");
  const names = "xyzuvw";
  d.ties.forEach((t, i) => t.forEach((v) => (label[v] = `_${names[i] ?? `c${i}`}`)));
  const tensor = (k: number) => (k === 0 ? "l" : k === 1 ? "g" : k === 2 ? "H" : k === 3 ? "J" : k === 4 ? "Q" : `∇${k}l`);
  const rec = (v: number): string => {
    const k = v === 0 ? ch[v].length : ch[v].length + 1;
    const name = tensor(k) + label[v];
    return ch[v].length === 0 ? name : `${name}[${ch[v].map(rec).join(",")}]`;
  };
  return `E[${rec(0)}]`;
}
