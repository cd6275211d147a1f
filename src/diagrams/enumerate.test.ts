import { describe, expect, test } from "vitest";
import { enumerateRootedTrees } from "../combinatorics/rootedTrees.js";
import { enumerateOrderedPartitions, enumerateSetPartitions } from "../combinatorics/setPartitions.js";
import { fallingFactorial } from "../algebra/rational.js";
import { canonicalize } from "./canonical.js";
import { makeDiagram } from "./diagram.js";
import { enumerateDiagrams, siblingSwaps } from "./enumerate.js";
import { forwardPatternCounts, shuffledWeight, shuffledWeightReference } from "./rules/sgdFamily.js";
import { diagramStructure } from "./structure.js";

/** Reference enumeration: canonise every (tree, partition) candidate, no orbit filter. */
function allKeys(d: number, rootTies: boolean): Map<string, bigint> {
  const offset = rootTies ? 0 : 1;
  const out = new Map<string, bigint>();
  for (const parents of enumerateRootedTrees(d + 1)) {
    for (const rgs of enumerateSetPartitions(d + 1 - offset)) {
      const blocks: number[][] = [];
      rgs.forEach((b, i) => (blocks[b] ??= []).push(i + offset));
      const c = canonicalize(makeDiagram(parents, blocks));
      out.set(c.key, c.automorphisms);
    }
  }
  return out;
}

describe("enumerateDiagrams with the sibling-swap orbit filter", () => {
  test("same keys and automorphism counts as canonising every candidate (d ≤ 6)", () => {
    for (const rootTies of [false, true]) {
      for (let d = 0; d <= 6; d++) {
        const fast = new Map(enumerateDiagrams(d, { rootTies }).map((c) => [c.key, c.automorphisms]));
        expect(fast).toEqual(allKeys(d, rootTies));
      }
    }
  });
  test("sibling swaps are automorphisms: they map the parent array onto itself", () => {
    let swaps = 0;
    for (const parents of enumerateRootedTrees(8)) {
      for (const s of siblingSwaps(parents)) {
        swaps++;
        for (let v = 1; v < 8; v++) expect(s[parents[v - 1]]).toBe(parents[s[v] - 1]);
      }
    }
    expect(swaps).toBeGreaterThan(50);
  });
});

describe("forwardPatternCounts", () => {
  /** Brute force over ordered set partitions. */
  function brute(before: readonly number[], B: number): bigint[] {
    const K = before.length;
    const counts = new Array<bigint>(K + 1).fill(0n);
    for (const rank of enumerateOrderedPartitions(K)) {
      let ok = true;
      for (let c = 0; c < K; c++) for (let p = 0; p < K; p++) if ((before[c] >> p) & 1 && rank[p] >= rank[c]) ok = false;
      if (!ok) continue;
      const blocks = K === 0 ? 0 : Math.max(...rank) + 1;
      const sizes = new Array<number>(blocks).fill(0);
      for (const r of rank) sizes[r]++;
      counts[blocks] += sizes.reduce((w, m) => w * fallingFactorial(B, m), 1n);
    }
    return counts;
  }
  test("matches brute force, in doubles and in bigints (B = 10^6 forces bigints)", () => {
    const posets: number[][] = [[], [0], [0, 1], [0, 0, 0], [0, 1, 3, 0], [0, 1, 1, 6, 0], [0, 0, 3, 3, 0, 16]];
    for (const before of posets) {
      for (const B of [1, 2, 3, 1_000_000]) expect(forwardPatternCounts(before, B)).toEqual(brute(before, B));
    }
  });
});

describe("shuffledWeight (dynamic programme over closed node sets)", () => {
  test("equals the plain sum over ordered partitions of the nodes for every diagram up to order 5", () => {
    let nonzero = 0;
    for (let d = 0; d <= 5; d++) {
      for (const c of enumerateDiagrams(d, { rootTies: true })) {
        const st = diagramStructure(c.diagram);
        for (const [Nb, B, E] of [
          [5, 2, 3],
          [2, 3, 2],
          [3, 1, 4],
          [1, 2, 7],
        ]) {
          const fast = shuffledWeight(st, Nb, B, E);
          expect(fast.toString()).toBe(shuffledWeightReference(st, Nb, B, E).toString());
          if (!fast.isZero()) nonzero++;
        }
      }
    }
    expect(nonzero).toBeGreaterThan(500);
  });
});
