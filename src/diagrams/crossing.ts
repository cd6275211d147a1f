import { canonicalize } from "./canonical.js";
import { childrenOf, type Diagram, makeDiagram } from "./diagram.js";

/**
 * Crossing-symmetry class of a test-loss diagram (docs/theory.md#diagrams): for the test loss on
 * i.i.d. data the root's tensor `∇^k l` has the same law as an untied training node's
 * `∇^{k+1} l` with one slot facing its parent, so diagrams that differ only in which untied
 * node is the root have equal values. The class key is the smallest canonical key over all
 * re-rootings of the (unrooted) tree at an untied node.
 */
export function crossingKey(d: Diagram): string {
  const tied = new Set(d.ties.flat());
  const n = d.order + 1;
  const adj: number[][] = childrenOf(d).map((c) => [...c]);
  d.parents.forEach((p, i) => adj[i + 1].push(p));
  let best: string | undefined;
  for (let r = 0; r < n; r++) {
    if (tied.has(r)) continue;
    // BFS from r gives the re-rooted parent array; relabel so that r becomes node 0.
    const order = [r];
    const parent = new Array<number>(n).fill(-1);
    const seen = new Set([r]);
    for (let k = 0; k < order.length; k++) {
      for (const w of adj[order[k]]) {
        if (seen.has(w)) continue;
        seen.add(w);
        parent[w] = order[k];
        order.push(w);
      }
    }
    const label = new Array<number>(n);
    order.forEach((v, i) => (label[v] = i));
    const parents = order.slice(1).map((v) => label[parent[v]]);
    const ties = d.ties.map((c) => c.map((v) => label[v]));
    const key = canonicalize(makeDiagram(parents, ties)).key;
    if (best === undefined || key < best) best = key;
  }
  return best ?? canonicalize(d).key;
}
