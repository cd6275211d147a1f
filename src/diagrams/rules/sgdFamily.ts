import { BinomialPoly } from "../../algebra/binomialPoly.js";
import { binomial, fallingFactorial, Rational } from "../../algebra/rational.js";
import { enumerateOrderedPartitions } from "../../combinatorics/setPartitions.js";
import type { DiagramStructure } from "../structure.js";

/**
 * Embedding counts for the batch/epoch family of schedules (docs/theory.md#expansion-rule, #diagrams).
 *
 * Steps are `t = e·N_b + j` (epoch `e < E`, batch `j < N_b`, `N = N_b·B`). A node at step
 * `t` on index `n` needs `n` in batch `j` and has weight `1/B`. Parents are strictly later.
 *
 * ## Method (fixed order)
 * An index lives in one batch for every epoch. Sum over *batch patterns* ω: ordered set
 * partitions of the index classes (classes in one block share a batch, blocks in
 * increasing batch order). A pattern with `a` blocks of sizes `m_1..m_a` occurs
 * `C(N_b, a)·Π fall(B, m_i)` times. Given ω, an edge child→parent needs `e_c < e_p` when
 * the child's batch is not before the parent's, else `e_c ≤ e_p`; the number of epoch
 * assignments is an integer polynomial in `E` computed by a tree DP in the binomial basis.
 */
export interface PatternTerm {
  /** Number of distinct batches used. */
  readonly blocks: number;
  /** Block sizes (classes sharing a batch), sorted descending. */
  readonly sizes: readonly number[];
  /** Σ over patterns with these sizes of the epoch count, as a polynomial in `E`. */
  readonly epochCount: BinomialPoly;
}

/**
 * The pattern table of a diagram for the fixed-order family: `W = Σ_terms C(N_b, blocks)·
 * Π fall(B, size)·epochCount(E)` is the number of embeddings (before the `B^{-d}` weights).
 * `maxBlock` drops patterns with a block larger than `B` (they count 0).
 */
export function fixedOrderPatterns(st: DiagramStructure, maxBlock = Infinity, maxBlocks = Infinity): PatternTerm[] {
  const table = new Map<string, { blocks: number; sizes: number[]; epochCount: BinomialPoly }>();
  const cache = new Map<number, BinomialPoly>();
  for (const rank of enumerateOrderedPartitions(st.K, maxBlock)) {
    let blocks = 0;
    for (const r of rank) blocks = Math.max(blocks, r + 1);
    if (blocks > maxBlocks) continue;
    let mask = 0;
    for (let i = 1; i <= st.d; i++) {
      const p = st.parent[i];
      if (p > 0 && rank[st.cls[i]] >= rank[st.cls[p]]) mask |= 1 << i;
    }
    let F = cache.get(mask);
    if (F === undefined) cache.set(mask, (F = epochCount(st, mask)));
    if (F.isZero()) continue;
    const sizes = new Array<number>(blocks).fill(0);
    for (const r of rank) sizes[r]++;
    sizes.sort((x, y) => y - x);
    const key = `${blocks}|${sizes.join(",")}`;
    const prev = table.get(key);
    if (prev === undefined) table.set(key, { blocks, sizes, epochCount: F });
    else prev.epochCount = prev.epochCount.add(F);
  }
  return [...table.values()];
}

/**
 * Number of ways to give every node an epoch in `[0, E)` with `e_c < e_p` on edges whose
 * bit is set in `strictMask` (bit `c` for the edge above node `c`) and `e_c ≤ e_p` on the
 * other non-root edges, as a polynomial in `E`.
 */
export function epochCount(st: DiagramStructure, strictMask: number): BinomialPoly {
  const f = new Array<BinomialPoly>(st.d + 1);
  for (const v of st.postOrder) {
    let acc = BinomialPoly.ONE;
    for (const c of st.children[v]) {
      const below = v === 0 || (strictMask >> c) & 1 ? f[c].prefixStrict() : f[c].prefixWeak();
      acc = acc.mul(below);
    }
    f[v] = acc;
  }
  return f[0];
}

/** The concrete weight `Σ_terms C(N_b, blocks)·Π fall(B, size)·F(E)` as a bigint. */
export function evaluatePatterns(terms: readonly PatternTerm[], Nb: number, B: number, E: number): bigint {
  let W = 0n;
  for (const t of terms) {
    let c = binomial(Nb, t.blocks);
    if (c === 0n) continue;
    for (const m of t.sizes) c *= fallingFactorial(B, m);
    if (c === 0n) continue;
    W += c * t.epochCount.evaluate(BigInt(E));
  }
  return W;
}

/**
 * Expected embedding weight with an independent uniformly random order in every epoch
 * (before the `B^{-d}` weights), for concrete `N_b`, `B`, `E`.
 *
 * ## Method
 * All injective maps of the K index classes to indices are alike, so fix one and
 * multiply by `fall(N, K)`. Sum over *epoch patterns* (ordered set partitions of the
 * nodes into `g` non-empty epochs, `C(E, g)` placements). Edges must not go back in epochs; within an
 * epoch the classes present occupy uniformly random distinct slots, so the probability of
 * a batch pattern ω of those classes is `C(N_b, |ω|)·Π fall(B, m)/fall(N, K_ε)`, and
 * within-epoch edges need the child's batch strictly before the parent's.
 *
 * The sum over epoch patterns is a dynamic programme over node sets: the nodes of the first
 * epochs form a set `S` closed under taking children (a child's epoch is not after its
 * parent's), and the next epoch's nodes `A` extend it to another closed set; the probability
 * of one epoch depends on its node set alone ({@link epochProbabilities}). All those
 * probabilities have denominators dividing `fall(N, K)`, so the programme runs on integers
 * (`P·fall(N, K)`) and divides once at the end. (The plain sum over the Fubini-many ordered
 * partitions is {@link shuffledWeightReference}; a test compares the two.)
 */
export function shuffledWeight(st: DiagramStructure, Nb: number, B: number, E: number): Rational {
  const N = Nb * B;
  const d = st.d;
  if (st.K > N) return Rational.ZERO;
  const F = fallingFactorial(N, st.K);
  const full = (1 << d) - 1;
  const closed = new Uint8Array(full + 1); // no member has a child outside the set
  const kids = new Int32Array(full + 1); // children (non-root nodes) of the members of a set
  closed[0] = 1;
  for (let A = 1; A <= full; A++) {
    const low = 31 - Math.clz32(A & -A);
    let k = 0;
    for (const c of st.children[low + 1]) k |= 1 << (c - 1);
    kids[A] = kids[A & (A - 1)] | k;
    closed[A] = (kids[A] & ~A) === 0 ? 1 : 0;
  }
  const prob = epochProbabilities(st, Nb, B, F);
  // dp[S·(d+1) + g]: Σ over splits of the closed set S into g ordered epochs of Π P·F.
  const dp: bigint[] = new Array<bigint>((full + 1) * (d + 1)).fill(0n);
  dp[0] = 1n;
  for (let S = 1; S <= full; S++) {
    if (closed[S] === 0) continue;
    const row = S * (d + 1);
    for (let A = S; A > 0; A = (A - 1) & S) {
      const rest = S & ~A;
      if (closed[rest] === 0) continue;
      const p = prob(A);
      if (p === 0n) continue;
      const from = rest * (d + 1);
      for (let g = 0; g < d; g++) {
        const x = dp[from + g];
        if (x !== 0n) dp[row + g + 1] += x * p;
      }
    }
  }
  // W = F·Σ_g C(E, g)·dp[full][g]/F^g, over the common denominator F^d.
  let num = 0n;
  let Fpow = 1n; // F^(d−g), built from g = d down
  for (let g = d; g >= 0; g--) {
    const x = dp[full * (d + 1) + g];
    if (x !== 0n) num += binomial(E, g) * x * Fpow;
    Fpow *= F;
  }
  return Rational.of(num * F, Fpow / F);
}

/**
 * `prob(A)` = `fall(N, K)·P(epoch A)` for a set `A` of nodes (bit `v−1` for node `v`) that
 * make up one epoch: `P = C(N_b, |ω|)·Π fall(B, m)/fall(N, K_A)` summed over the batch
 * patterns ω of the `K_A` classes present in which every edge inside `A` goes strictly
 * forward. Pattern sums depend only on the order constraints among the classes, so they are
 * shared across diagrams ({@link forwardPatternCounts} memoised by constraints and `B`).
 * Memoised per set in an array; classes are numbered locally by rank in the set's class mask.
 */
function epochProbabilities(st: DiagramStructure, Nb: number, B: number, F: bigint): (A: number) => bigint {
  const N = Nb * B;
  const d = st.d;
  const memo = new Array<bigint | undefined>(1 << d);
  const fallN: bigint[] = [1n]; // fall(N, j)
  for (let j = 1; j <= st.K; j++) fallN.push(fallN[j - 1] * BigInt(N - j + 1));
  const prefix = Nb + "," + B + "|";
  return (A) => {
    let p = memo[A];
    if (p !== undefined) return p;
    let classMask = 0;
    for (let v = 1; v <= d; v++) if ((A >> (v - 1)) & 1) classMask |= 1 << st.cls[v];
    const size = popcount(classMask);
    const before = new Array<number>(size).fill(0);
    let blocked = false;
    for (let v = 1; v <= d && !blocked; v++) {
      const q = st.parent[v];
      if (q <= 0 || !((A >> (v - 1)) & 1) || !((A >> (q - 1)) & 1)) continue;
      if (st.cls[v] === st.cls[q]) blocked = true; // a class cannot precede itself
      else before[popcount(classMask & ((1 << st.cls[q]) - 1))] |= 1 << popcount(classMask & ((1 << st.cls[v]) - 1));
    }
    p = blocked ? 0n : (patternSum(before, prefix, Nb, B) * F) / fallN[size];
    memo[A] = p;
    return p;
  };
}

function popcount(x: number): number {
  let c = 0;
  for (; x !== 0; x &= x - 1) c++;
  return c;
}

/** `Σ_a C(N_b, a)·forwardPatternCounts(before, B)[a]`, memoised (`prefix` is `"N_b,B|"`). */
function patternSum(before: readonly number[], prefix: string, Nb: number, B: number): bigint {
  const key = prefix + before.join(",");
  let w = patternSums.get(key);
  if (w === undefined) {
    if (patternSums.size >= MEMO_LIMIT) patternSums.clear();
    w = 0n;
    const counts = forwardPatternCounts(before, B);
    for (let a = 0; a < counts.length; a++) if (counts[a] !== 0n) w += binomial(Nb, a) * counts[a];
    patternSums.set(key, w);
  }
  return w;
}

const patternSums = new Map<string, bigint>();

/** {@link shuffledWeight} as the plain sum over ordered partitions of the nodes (reference for tests). */
export function shuffledWeightReference(st: DiagramStructure, Nb: number, B: number, E: number): Rational {
  const N = Nb * B;
  const d = st.d;
  if (st.K > N) return Rational.ZERO;
  let total = Rational.ZERO;
  const nodes = Array.from({ length: d }, (_, i) => i + 1);
  for (const epochRank of enumerateOrderedPartitions(d)) {
    const ep = (v: number) => epochRank[v - 1];
    let g = 0;
    for (const r of epochRank) g = Math.max(g, r + 1);
    if (g > E) continue;
    let ok = true;
    for (const i of nodes) {
      const p = st.parent[i];
      if (p > 0 && ep(i) > ep(p)) {
        ok = false;
        break;
      }
    }
    if (!ok) continue;
    let prob = Rational.int(binomial(E, g));
    for (let eps = 0; eps < g && !prob.isZero(); eps++) {
      const inEpoch = nodes.filter((v) => ep(v) === eps);
      prob = prob.mul(epochProbability(st, inEpoch, Nb, B, N));
    }
    total = total.add(prob);
  }
  return total.mul(Rational.int(fallingFactorial(N, st.K)));
}

function epochProbability(st: DiagramStructure, inEpoch: readonly number[], Nb: number, B: number, N: number): Rational {
  const classIds = [...new Set(inEpoch.map((v) => st.cls[v]))];
  if (classIds.length > N) return Rational.ZERO; // more distinct indices than data
  const local = new Map(classIds.map((c, i) => [c, i]));
  const edges = inEpoch.filter((v) => st.parent[v] > 0 && inEpoch.includes(st.parent[v]));
  let count = 0n;
  for (const rank of enumerateOrderedPartitions(classIds.length, B)) {
    let blocks = 0;
    for (const r of rank) blocks = Math.max(blocks, r + 1);
    if (blocks > Nb) continue;
    if (edges.some((v) => rank[local.get(st.cls[v])!] >= rank[local.get(st.cls[st.parent[v]])!])) continue;
    const sizes = new Array<number>(blocks).fill(0);
    for (const r of rank) sizes[r]++;
    let c = binomial(Nb, blocks);
    for (const m of sizes) c *= fallingFactorial(B, m);
    count += c;
  }
  return Rational.of(count, fallingFactorial(N, classIds.length));
}

/**
 * Fast path for one epoch (`E = 1`): `Σ_ω C(N_b, |ω|)·Π fall(B, m)` over the batch
 * patterns ω in which every edge goes strictly forward in batch order.
 *
 * ## Method
 * Dynamic programming over subsets of index classes: `dp[S][a]` = weighted number of ways
 * to split the down-closed set `S` into `a` ordered blocks; a block `A` may follow `S∖A`
 * when every class that must precede a member of `A` is already in `S∖A` (3^K steps).
 */
export function singleEpochWeight(st: DiagramStructure, Nb: number, B: number): bigint {
  const perBlocks = singleEpochCounts(st, B);
  let W = 0n;
  perBlocks.forEach((count, a) => {
    if (count !== 0n) W += binomial(Nb, a) * count;
  });
  return W;
}

/**
 * `counts[a]` = Σ over one-epoch batch patterns with `a` blocks (edges strictly forward)
 * of `Π fall(B, m)`; the weight is `Σ_a C(N_b, a)·counts[a]`. Memoised by the order
 * constraints among the classes and `B` (a table asks twice per diagram, for the number and
 * the polynomial, and many diagrams share their constraints); the arrays are shared, so
 * callers must not modify them.
 */
export function singleEpochCounts(st: DiagramStructure, B: number): readonly bigint[] {
  const before = new Array<number>(st.K).fill(0); // classes that must come strictly earlier
  for (let i = 1; i <= st.d; i++) {
    const p = st.parent[i];
    if (p <= 0) continue;
    if (st.cls[i] === st.cls[p]) return NO_PATTERNS;
    before[st.cls[p]] |= 1 << st.cls[i];
  }
  const key = `${B}|${before.join(",")}`;
  let counts = countsMemo.get(key);
  if (counts === undefined) {
    if (countsMemo.size >= MEMO_LIMIT) countsMemo.clear();
    countsMemo.set(key, (counts = forwardPatternCounts(before, B)));
  }
  return counts;
}

/** A class before itself: no pattern. */
const NO_PATTERNS: readonly bigint[] = Object.freeze([]);
/** Entries kept by the memo tables of this module before they start over (bounded memory). */
const MEMO_LIMIT = 100_000;
const countsMemo = new Map<string, readonly bigint[]>();

/**
 * `fall(B, m)` for `m = 0..K` as bigints and as doubles (rounded where above 2^53; the double
 * path is taken only while every product stays below 2^53, see forwardPatternCounts),
 * memoised per `B` and extended on demand.
 */
function fallingFactorialsOf(B: number, K: number): { fallB: readonly number[]; fallBig: readonly bigint[] } {
  let f = fallingMemo.get(B);
  if (f === undefined) fallingMemo.set(B, (f = { fallB: [1], fallBig: [1n] }));
  while (f.fallBig.length <= K) {
    const m = f.fallBig.length;
    f.fallBig.push(f.fallBig[m - 1] * BigInt(B - m + 1));
    f.fallB.push(Number(f.fallBig[m]));
  }
  return f;
}

const fallingMemo = new Map<number, { fallB: number[]; fallBig: bigint[] }>();

/** Reused buffers of {@link forwardPatternCounts} (a table calls it once per diagram). */
let scratch = { need: new Int32Array(0), size: new Int32Array(0), dp: new Float64Array(0) };

/**
 * Ordered set partitions of `K = before.length` classes into blocks where every class `c`
 * comes strictly after the classes in the bit mask `before[c]`: `counts[a]` = Σ over such
 * partitions with `a` blocks of `Π_blocks fall(B, size)`.
 *
 * ## Method
 * Dynamic programming over subsets of classes: `dp[S][a]` = weighted number of ways to
 * split `S` into `a` ordered blocks; a block `A` may follow `S∖A` when every class that must
 * precede a member of `A` is in `S∖A` (the union of those masks is precomputed per `A`).
 * Only sets closed under "must precede" can be split at all. Blocks larger than `B` weigh 0,
 * so `B = 1` adds one class at a time (`2^K·K` steps instead of `3^K`). The counts are exact
 * in doubles while they stay below 2^53 (bounded by Fubini(K)·B^K); otherwise bigints.
 */
export function forwardPatternCounts(before: readonly number[], B: number): bigint[] {
  const K = before.length;
  const full = (1 << K) - 1;
  if (scratch.need.length <= full) scratch = { need: new Int32Array(2 * (full + 1)), size: new Int32Array(2 * (full + 1)), dp: new Float64Array(2 * (full + 1) * (K + 1)) };
  const need = scratch.need; // union of `before` over the members of a set
  const size = scratch.size;
  for (let A = 1; A <= full; A++) {
    const low = 31 - Math.clz32(A & -A);
    need[A] = need[A & (A - 1)] | before[low];
    size[A] = size[A & (A - 1)] + 1;
  }
  let fubini = 1; // Fubini(K) ≥ number of ordered partitions
  for (let k = 1; k <= K; k++) fubini *= 2 * k;
  const exact = fubini * Math.pow(B, K) < Number.MAX_SAFE_INTEGER;
  const { fallB, fallBig } = fallingFactorialsOf(B, K);
  const maxBlock = Math.min(B, K);
  if (exact && maxBlock <= 1) {
    // Singleton blocks only: the number of orders compatible with `before` (linear
    // extensions), weighted fall(B, 1)^K; all K blocks are used.
    const dp = scratch.dp;
    dp.fill(0, 0, full + 1);
    dp[0] = 1;
    for (let S = 1; S <= full; S++) {
      if ((need[S] & ~S) !== 0) continue;
      let sum = 0;
      for (let x = S; x !== 0; x &= x - 1) {
        const c = x & -x;
        if ((need[c] & ~(S & ~c)) === 0) sum += dp[S & ~c];
      }
      dp[S] = sum * fallB[1];
    }
    const counts = new Array<bigint>(K + 1).fill(0n);
    counts[K] = BigInt(dp[full]);
    return counts;
  }
  if (exact) {
    if (scratch.dp.length < (full + 1) * (K + 1)) scratch.dp = new Float64Array((full + 1) * (K + 1));
    const dp = scratch.dp;
    dp.fill(0, 0, (full + 1) * (K + 1));
    dp[0] = 1;
    for (let S = 1; S <= full; S++) {
      if ((need[S] & ~S) !== 0) continue; // not closed: some class lacks a predecessor
      const row = S * (K + 1);
      const add = (A: number): void => {
        const rest = S & ~A;
        if ((need[A] & ~rest) !== 0) return;
        const w = fallB[size[A]];
        const from = rest * (K + 1);
        for (let a = 0; a < K; a++) if (dp[from + a] !== 0) dp[row + a + 1] += dp[from + a] * w;
      };
      if (maxBlock === 1) {
        for (let x = S; x !== 0; x &= x - 1) add(x & -x);
      } else {
        for (let A = S; A > 0; A = (A - 1) & S) if (size[A] <= maxBlock) add(A);
      }
    }
    const counts: bigint[] = [];
    for (let a = 0; a <= K; a++) counts.push(BigInt(dp[full * (K + 1) + a]));
    return counts;
  }
  const dp: bigint[][] = Array.from({ length: full + 1 }, () => new Array<bigint>(K + 1).fill(0n));
  dp[0][0] = 1n;
  for (let S = 1; S <= full; S++) {
    if ((need[S] & ~S) !== 0) continue;
    for (let A = S; A > 0; A = (A - 1) & S) {
      const rest = S & ~A;
      if (size[A] > maxBlock || (need[A] & ~rest) !== 0) continue;
      const w = fallBig[size[A]];
      for (let a = 0; a < K; a++) if (dp[rest][a] !== 0n) dp[S][a + 1] += dp[rest][a] * w;
    }
  }
  return dp[full];
}
