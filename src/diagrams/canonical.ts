import type { Diagram } from "./diagram.js";

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

/** Colour of an untied node in the key (`.`), of the root's class (`R`), of the first other class (`A`). */
const UNTIED = 46;
const ROOT_CLASS = 82;
const FIRST_CLASS = 65;
const OPEN = 40; // "("
const CLOSE = 41; // ")"
const KEY_PREFIX = `v${CANONICAL_FORMAT}:`;

/** `cls[v]` for an untied node, and for a node in the root's tie class. */
export const NO_CLASS = -1;
export const ROOT_TIE = -2;

/**
 * Canonical form of a diagram: a rooted tree with an *unlabeled* tie partition.
 *
 * ## Method
 * Colour every node by its tie class (untied nodes `.`, the root's class `R`, the other
 * classes `A`, `B`, …) and take the minimum AHU string (Aho–Hopcroft–Ullman 1974: a node's
 * string is `(` + colour + its children's strings in increasing order + `)`) of the coloured
 * tree over all orderings of the non-root tie classes (there are at most ⌊d/2⌋ of them, so
 * this is cheap). Isomorphic diagrams give equal sets of strings, hence equal minima.
 * `|Aut(D)| = |Aut_colour(D)| · #{orderings reaching the minimum}`: the automorphisms
 * that fix every class (at each node, children with equal strings permute freely), times
 * the class permutations some automorphism realises.
 */
export function canonicalize(d: Diagram): CanonicalDiagram {
  const n = d.order + 1;
  const cls = new Array<number>(n).fill(NO_CLASS);
  let k = 0;
  for (const c of d.ties) {
    const id = c[0] === 0 ? ROOT_TIE : k++;
    for (const v of c) cls[v] = id;
  }
  return canonicalizeClasses(d.parents, cls, k);
}

/** The canonical key alone. */
export function canonicalKey(d: Diagram): string {
  return canonicalize(d).key;
}

/** `|Aut(D)|`. */
export function automorphismCount(d: Diagram): bigint {
  return canonicalize(d).automorphisms;
}

/**
 * Scratch space of {@link canonicalizeClasses}, grown on demand (the enumerator calls it
 * about 50 000 times for one order-8 table; fresh arrays per call were a large part of the
 * garbage collector's work). Not reentrant, which the synchronous callers never need.
 */
let cap = 0;
let kidOff = new Int32Array(0); // children of v: kids*[kidOff[v] .. kidOff[v+1])
let kidsBase = new Int32Array(0); // children of every node in increasing node order
let pre = new Int32Array(0); // a preorder; reversed, children come before their parent
let stack = new Int32Array(0);
let colA = new Int32Array(0); // colour codes of one colouring
let colB = new Int32Array(0); // colour codes of another (the best so far)
let kidsA = new Int32Array(0); // children of each node in increasing string order under colA
let kidsB = new Int32Array(0); // the same under colB
let perm = new Int32Array(0); // Heap's algorithm: class i gets letter FIRST_CLASS + perm[i]
let heapC = new Int32Array(0);

function reserve(n: number, k: number): void {
  if (n <= cap && k <= cap) return;
  cap = Math.max(n, k, 2 * cap);
  kidOff = new Int32Array(cap + 1);
  kidsBase = new Int32Array(cap);
  pre = new Int32Array(cap);
  stack = new Int32Array(cap);
  colA = new Int32Array(cap);
  colB = new Int32Array(cap);
  kidsA = new Int32Array(cap);
  kidsB = new Int32Array(cap);
  perm = new Int32Array(cap);
  heapC = new Int32Array(cap);
}

/**
 * Order of the AHU strings of `u` (colours `cu`, sorted children `ku`) and `v` (`cv`, `kv`)
 * of one tree, compared without building them: the colour decides first; then the children's
 * strings one by one (AHU strings are balanced, so none is a proper prefix of another and
 * the first differing child decides); a node whose children run out first continues with
 * `)`, which sorts after the `(` of the other's next child.
 */
function compareNodes(u: number, cu: Int32Array, ku: Int32Array, v: number, cv: Int32Array, kv: Int32Array): number {
  const a = cu[u];
  const b = cv[v];
  if (a !== b) return a - b;
  const ou = kidOff[u];
  const nu = kidOff[u + 1] - ou;
  const ov = kidOff[v];
  const nv = kidOff[v + 1] - ov;
  const m = nu < nv ? nu : nv;
  for (let i = 0; i < m; i++) {
    const c = compareNodes(ku[ou + i], cu, ku, kv[ov + i], cv, kv);
    if (c !== 0) return c;
  }
  return nv - nu;
}

/**
 * Sorts every node's children by AHU string under colouring `col`, children before parents
 * (insertion sort, stable: equal strings keep increasing node order, as a sort with node
 * order as the tie-break would).
 */
function sortChildren(n: number, col: Int32Array, kids: Int32Array): void {
  kids.set(kidsBase.subarray(0, n - 1));
  for (let i = n - 1; i >= 0; i--) {
    const v = pre[i];
    const lo = kidOff[v];
    const hi = kidOff[v + 1];
    for (let j = lo + 1; j < hi; j++) {
      const x = kids[j];
      let p = j - 1;
      while (p >= lo && compareNodes(kids[p], col, kids, x, col, kids) > 0) {
        kids[p + 1] = kids[p];
        p--;
      }
      kids[p + 1] = x;
    }
  }
}

/**
 * {@link canonicalize} of the tree `parents` with tie classes `cls[v]`: {@link NO_CLASS},
 * {@link ROOT_TIE} or a class `0..k−1` (classes of at least two nodes). The enumerator calls
 * it directly with a partition it has not turned into a {@link Diagram}.
 *
 * Each ordering of the `k` classes (Heap's algorithm) colours the tree and sorts children by
 * comparing subtrees ({@link compareNodes}); only the minimum is written out as a string.
 */
export function canonicalizeClasses(parents: readonly number[], cls: ArrayLike<number>, k: number): CanonicalDiagram {
  const n = parents.length + 1;
  reserve(n, k);
  // Children in increasing node order (counting sort by parent).
  kidOff.fill(0, 0, n + 1);
  for (let i = 1; i < n; i++) kidOff[parents[i - 1] + 1]++;
  for (let v = 0; v < n; v++) kidOff[v + 1] += kidOff[v];
  for (let i = 1; i < n; i++) kidsBase[kidOff[parents[i - 1]]++] = i;
  for (let v = n; v > 0; v--) kidOff[v] = kidOff[v - 1];
  kidOff[0] = 0;
  // A preorder (parents may be numbered arbitrarily).
  let sp = 0;
  let len = 0;
  stack[sp++] = 0;
  while (sp > 0) {
    const v = stack[--sp];
    pre[len++] = v;
    for (let j = kidOff[v]; j < kidOff[v + 1]; j++) stack[sp++] = kidsBase[j];
  }
  for (let i = 0; i < k; i++) {
    perm[i] = i;
    heapC[i] = 0;
  }
  let hits = 0;
  let cur = colA;
  let curKids = kidsA;
  let best = colB;
  let bestKids = kidsB;
  for (let i = 1; ; ) {
    for (let v = 0; v < n; v++) {
      const c = cls[v];
      cur[v] = c === NO_CLASS ? UNTIED : c === ROOT_TIE ? ROOT_CLASS : FIRST_CLASS + perm[c];
    }
    sortChildren(n, cur, curKids);
    const c = hits === 0 ? -1 : compareNodes(0, cur, curKids, 0, best, bestKids);
    if (c < 0) {
      [cur, best] = [best, cur];
      [curKids, bestKids] = [bestKids, curKids];
      hits = 1;
    } else if (c === 0) hits++;
    // Next ordering of the class letters (Heap's algorithm), or stop.
    while (i < k && heapC[i] >= i) heapC[i++] = 0;
    if (i >= k) break;
    const j = i % 2 === 0 ? 0 : heapC[i];
    const t = perm[j];
    perm[j] = perm[i];
    perm[i] = t;
    heapC[i]++;
    i = 1;
  }
  return writeCanonical(n, cls, best, bestKids, hits);
}

/** The key, the canonical relabelling and `|Aut|` of the minimal colouring `col` (reached by `hits` orderings). */
function writeCanonical(n: number, cls: ArrayLike<number>, col: Int32Array, kids: Int32Array, hits: number): CanonicalDiagram {
  // |Aut_colour| = Π over runs of equal sibling strings of (run length)!. |Aut(D)| ≤ (n−1)!
  // (an automorphism fixes the root), far below 2^53 for the n ≤ 21 nodes of any table.
  let aut = hits;
  for (let v = 0; v < n; v++) {
    let run = 1;
    for (let j = kidOff[v] + 1; j < kidOff[v + 1]; j++) {
      if (compareNodes(kids[j - 1], col, kids, kids[j], col, kids) === 0) aut *= ++run;
      else run = 1;
    }
  }
  // Canonical preorder (children in string order) gives the key and the new labels. The key
  // is written as character codes and decoded once (a flat string, not a rope of `+=`).
  const newLabel = new Array<number>(n);
  const parents = new Array<number>(n - 1);
  const chars: number[] = [];
  walkCanonical(0, col, kids, { next: 0 }, newLabel, parents, chars);
  const key = KEY_PREFIX + String.fromCharCode.apply(null, chars);
  // Tie classes in canonical labels: visiting labels in increasing order lists every class
  // sorted and the classes by their smallest label. Arrays of their exact sizes (a table
  // keeps them in its records).
  const order = new Array<number>(n);
  for (let v = 0; v < n; v++) order[newLabel[v]] = v;
  const slot: number[] = []; // class c → index of its array in ties, at c − ROOT_TIE
  const ties: number[][] = [];
  const filled: number[] = [];
  for (let j = 0; j < n; j++) {
    const c = cls[order[j]];
    if (c === NO_CLASS) continue;
    let t = slot[c - ROOT_TIE];
    if (t === undefined) {
      let size = 0;
      for (let v = 0; v < n; v++) if (cls[v] === c) size++;
      slot[c - ROOT_TIE] = t = ties.length;
      ties.push(new Array<number>(size));
      filled.push(0);
    }
    ties[t][filled[t]++] = j;
  }
  const diagram: Diagram = Object.freeze({ order: n - 1, parents: Object.freeze(parents), ties: Object.freeze(ties.map((t) => Object.freeze(t))) });
  return { key, diagram, automorphisms: BigInt(aut) };
}

/** Preorder of the sorted tree from `v`: new labels, parents in new labels, and the key's codes. */
function walkCanonical(v: number, col: Int32Array, kids: Int32Array, at: { next: number }, newLabel: number[], parents: number[], chars: number[]): void {
  const label = at.next++;
  newLabel[v] = label;
  chars.push(OPEN, col[v]);
  for (let j = kidOff[v]; j < kidOff[v + 1]; j++) {
    parents[at.next - 1] = label;
    walkCanonical(kids[j], col, kids, at, newLabel, parents, chars);
  }
  chars.push(CLOSE);
}
