import type { Diagram } from "./diagram.js";

/**
 * The facts about a diagram that every embedding counter needs.
 *
 * An *index class* is a tie class that contains at least one non-root node: it consumes
 * one training index. The root's own index (train loss) is accounted for separately.
 */
export interface DiagramStructure {
  readonly d: number;
  /** `parent[i]` for `i ≥ 1`; `parent[0] = -1`. */
  readonly parent: readonly number[];
  readonly children: readonly (readonly number[])[];
  /** Index class of each node `1..d` (`cls[0] = -1`), numbered `0..K-1`. */
  readonly cls: readonly number[];
  /** Number of index classes `K`. */
  readonly K: number;
  /** Whether the root is tied to an index class (train loss). */
  readonly rootTied: boolean;
  /** Nodes in post-order (children before parents), root last. */
  readonly postOrder: readonly number[];
}

export function diagramStructure(diag: Diagram): DiagramStructure {
  // Plain loops over small arrays: a table builds one structure per diagram (about 50 000 at
  // order 8), so maps and closures here showed up in its profile.
  const d = diag.order;
  const n = d + 1;
  const rep = new Array<number>(n); // smallest node of each node's tie class
  for (let v = 0; v < n; v++) rep[v] = v;
  let rootTied = false;
  for (const c of diag.ties) {
    if (c[0] === 0) rootTied = true;
    for (const v of c) rep[v] = c[0];
  }
  const idOf = new Array<number>(n).fill(-1); // class id by representative, in order of first use
  const cls = new Array<number>(n);
  cls[0] = -1;
  let K = 0;
  for (let v = 1; v < n; v++) {
    const r = rep[v];
    if (idOf[r] < 0) idOf[r] = K++;
    cls[v] = idOf[r];
  }
  const parent = new Array<number>(n);
  parent[0] = -1;
  const children: number[][] = new Array<number[]>(n);
  for (let v = 0; v < n; v++) children[v] = [];
  for (let v = 1; v < n; v++) {
    const p = diag.parents[v - 1];
    parent[v] = p;
    children[p].push(v);
  }
  const postOrder: number[] = [];
  pushPostOrder(children, 0, postOrder);
  return { d, parent, children, cls, K, rootTied, postOrder };
}

function pushPostOrder(children: readonly (readonly number[])[], v: number, out: number[]): void {
  for (const c of children[v]) pushPostOrder(children, c, out);
  out.push(v);
}
