import { requireInt } from "../errors.js";

/**
 * Enumerates the set partitions of `{0..n-1}` as restricted growth strings `a` (`a[0] = 0`,
 * `a[i] ≤ 1 + max(a[0..i-1])`): element `i` is in block `a[i]`. There are Bell(n) of them.
 * The yielded array is reused between iterations: copy it to keep it.
 */
export function* enumerateSetPartitions(n: number): Generator<readonly number[]> {
  requireInt(n, "enumerateSetPartitions", "n", 0, 16);
  if (n === 0) {
    yield [];
    return;
  }
  const a = new Array<number>(n).fill(0);
  const m = new Array<number>(n).fill(0); // m[i] = max(a[0..i-1]) (m[0] unused)
  for (;;) {
    yield a;
    // Find the rightmost i that can be incremented.
    let i = n - 1;
    while (i > 0 && a[i] === m[i] + 1) i--;
    if (i === 0) return;
    a[i]++;
    for (let j = i + 1; j < n; j++) {
      a[j] = 0;
      m[j] = Math.max(m[j - 1], a[j - 1]);
    }
  }
}

/**
 * Enumerates the ordered set partitions of `{0..n-1}` (weak orderings; Fubini numbers
 * 1, 1, 3, 13, 75, 541, 4683 for n = 0..6) as arrays `rank[i]` of block positions, blocks
 * numbered `0..k-1` with every block non-empty. `maxBlock` limits the block size.
 * The yielded array is reused: copy it to keep it.
 */
export function* enumerateOrderedPartitions(n: number, maxBlock = Infinity): Generator<readonly number[]> {
  requireInt(n, "enumerateOrderedPartitions", "n", 0, 16);
  const rank = new Array<number>(n);
  for (const rgs of enumerateSetPartitions(n)) {
    const k = n === 0 ? 0 : Math.max(...rgs) + 1;
    if (maxBlock < n) {
      const sizes = new Array<number>(k).fill(0);
      for (const b of rgs) sizes[b]++;
      if (sizes.some((s) => s > maxBlock)) continue;
    }
    for (const perm of enumeratePermutations(k)) {
      for (let i = 0; i < n; i++) rank[i] = perm[rgs[i]];
      yield rank;
    }
  }
}

/** Enumerates the permutations of `0..k-1` (Heap's algorithm); the array is reused. */
export function* enumeratePermutations(k: number): Generator<readonly number[]> {
  const a = Array.from({ length: k }, (_, i) => i);
  const c = new Array<number>(k).fill(0);
  yield a;
  let i = 1;
  while (i < k) {
    if (c[i] < i) {
      const j = i % 2 === 0 ? 0 : c[i];
      [a[j], a[i]] = [a[i], a[j]];
      yield a;
      c[i]++;
      i = 1;
    } else {
      c[i] = 0;
      i++;
    }
  }
}
