import { InvalidArgumentError } from "../errors.js";

/** Result of canonising a vertex-coloured rooted tree. */
export interface ColouredTreeCanon {
  /** AHU string: `(` + colour + sorted child strings + `)`; equal iff isomorphic. */
  readonly key: string;
  /** Number of colour-preserving automorphisms (as a bigint: it can reach n!). */
  readonly automorphisms: bigint;
  /** `order[j]` = the original node placed at canonical position `j` (canonical preorder). */
  readonly order: readonly number[];
}

/**
 * Canonical form of a rooted tree whose nodes carry colours (single characters).
 *
 * ## Method
 * Aho–Hopcroft–Ullman (1974) encoding: a node's string is its colour followed by the
 * sorted strings of its children, in parentheses. Two coloured rooted trees are isomorphic
 * iff their root strings are equal. Automorphisms: at each node, children with equal
 * strings can be permuted freely, so `|Aut| = Π_v Π_groups (multiplicity)!`.
 *
 * @param parents `parents[i-1]` is the parent of node `i`; node 0 is the root.
 * @param colours one character per node (`colours.length = parents.length + 1`).
 */
export function canonicalColouredTree(parents: readonly number[], colours: string): ColouredTreeCanon {
  const n = parents.length + 1;
  if (colours.length !== n) {
    throw new InvalidArgumentError("canonicalColouredTree", "colours", `a string of ${n} characters`, colours);
  }
  const ch: number[][] = Array.from({ length: n }, () => []);
  for (let i = 1; i < n; i++) ch[parents[i - 1]].push(i);
  const str = new Array<string>(n);
  let automorphisms = 1n;
  // Children have larger labels than nothing in particular, so compute strings by an
  // explicit post-order walk (parents may be numbered arbitrarily).
  const post: number[] = [];
  const stack: number[] = [0];
  while (stack.length > 0) {
    const v = stack.pop()!;
    post.push(v);
    for (const c of ch[v]) stack.push(c);
  }
  for (let idx = post.length - 1; idx >= 0; idx--) {
    const v = post[idx];
    const kids = ch[v];
    kids.sort((a, b) => (str[a] < str[b] ? -1 : str[a] > str[b] ? 1 : a - b));
    let run = 1;
    for (let j = 1; j <= kids.length; j++) {
      if (j < kids.length && str[kids[j]] === str[kids[j - 1]]) run++;
      else {
        for (let r = 2; r <= run; r++) automorphisms *= BigInt(r);
        run = 1;
      }
    }
    let s = "(" + colours[v];
    for (const c of kids) s += str[c];
    str[v] = s + ")";
  }
  const order: number[] = [];
  const walk: number[] = [0];
  while (walk.length > 0) {
    const v = walk.pop()!;
    order.push(v);
    for (let j = ch[v].length - 1; j >= 0; j--) walk.push(ch[v][j]);
  }
  return { key: str[0], automorphisms, order };
}
