import type { Diagram } from "../../src/diagrams/diagram.js";

/** All permutations of 0..n-1 (test-only brute force). */
export function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  const out: number[][] = [];
  for (const p of permutations(n - 1)) for (let i = 0; i <= p.length; i++) out.push([...p.slice(0, i), n - 1, ...p.slice(i)]);
  return out;
}

/** The partition of nodes as a set-of-sets string (labels kept), singletons included. */
function partitionString(d: Diagram, relabel: readonly number[]): string {
  const tied = new Set(d.ties.flat());
  const classes = d.ties.map((c) => c.map((v) => relabel[v]).sort((a, b) => a - b).join(","));
  for (let v = 0; v <= d.order; v++) if (!tied.has(v)) classes.push(String(relabel[v]));
  return classes.sort().join("|");
}

/** Applies a node relabelling that fixes the root. */
export function relabel(d: Diagram, perm: readonly number[]): { parents: number[]; ties: number[][] } {
  const parents = new Array<number>(d.order);
  d.parents.forEach((p, i) => (parents[perm[i + 1] - 1] = perm[p]));
  return { parents, ties: d.ties.map((c) => c.map((v) => perm[v])) };
}

/** Number of root-fixing permutations that map the diagram onto itself (brute force). */
export function bruteAutomorphisms(d: Diagram): number {
  const base = partitionString(d, [...Array(d.order + 1).keys()]);
  let count = 0;
  for (const p of permutations(d.order)) {
    const perm = [0, ...p.map((x) => x + 1)];
    const r = relabel(d, perm);
    if (r.parents.every((q, i) => q === d.parents[i]) && partitionString(d, perm) === base) count++;
  }
  return count;
}

/** Whether two diagrams are isomorphic (brute force over root-fixing relabellings). */
export function bruteIsomorphic(a: Diagram, b: Diagram): boolean {
  if (a.order !== b.order) return false;
  const target = partitionString(b, [...Array(b.order + 1).keys()]);
  for (const p of permutations(a.order)) {
    const perm = [0, ...p.map((x) => x + 1)];
    const r = relabel(a, perm);
    if (!r.parents.every((q, i) => q === b.parents[i])) continue;
    if (partitionString(a, perm) === target) return true;
  }
  return false;
}
