import { childrenOf, type Diagram, rootIsTied, tieClassOf } from "./diagram.js";

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
  const d = diag.order;
  const tie = tieClassOf(diag);
  const ids = new Map<number, number>();
  const cls = [-1];
  for (let v = 1; v <= d; v++) {
    let id = ids.get(tie[v]);
    if (id === undefined) ids.set(tie[v], (id = ids.size));
    cls.push(id);
  }
  const children = childrenOf(diag);
  const postOrder: number[] = [];
  const visit = (v: number): void => {
    for (const c of children[v]) visit(c);
    postOrder.push(v);
  };
  visit(0);
  return { d, parent: [-1, ...diag.parents], children, cls, K: ids.size, rootTied: rootIsTied(diag), postOrder };
}
