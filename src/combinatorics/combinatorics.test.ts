import { describe, expect, test } from "vitest";
import { countRootedTrees, enumerateRootedTrees } from "./rootedTrees.js";
import { enumerateOrderedPartitions, enumeratePermutations, enumerateSetPartitions } from "./setPartitions.js";

/** An independent canonical string of a rooted tree (AHU), for the brute-force check. */
function ahu(parents: readonly number[]): string {
  const ch: number[][] = Array.from({ length: parents.length + 1 }, () => []);
  parents.forEach((p, i) => ch[p].push(i + 1));
  const rec = (v: number): string => `(${ch[v].map(rec).sort().join("")})`;
  return rec(0);
}

describe("rooted trees", () => {
  test("counts match OEIS A000081 for n = 1..10", () => {
    const counts = Array.from({ length: 10 }, (_, i) => countRootedTrees(i + 1));
    expect(counts).toEqual([1, 1, 2, 4, 9, 20, 48, 115, 286, 719]);
  });
  test("every tree is a valid preorder parent array and classes are distinct", () => {
    for (let n = 1; n <= 9; n++) {
      const keys = new Set<string>();
      for (const p of enumerateRootedTrees(n)) {
        expect(p.length).toBe(n - 1);
        p.forEach((q, i) => expect(q).toBeLessThan(i + 1));
        keys.add(ahu(p));
      }
      expect(keys.size).toBe(countRootedTrees(n));
    }
  });
  test("brute force: all labeled parent arrays of n = 6 nodes fall into the enumerated classes", () => {
    const n = 6;
    const classes = new Set([...enumerateRootedTrees(n)].map(ahu));
    const found = new Set<string>();
    // Every recursive tree (parent[i] < i) — each isomorphism class appears among them.
    const rec = (p: number[]): void => {
      if (p.length === n - 1) {
        found.add(ahu(p));
        return;
      }
      for (let q = 0; q <= p.length; q++) rec([...p, q]);
    };
    rec([]);
    expect(found).toEqual(classes);
  });
  test("rejects bad sizes", () => {
    expect(() => [...enumerateRootedTrees(0)]).toThrow(/n must be an integer in \[1, 20\], got 0/);
    expect(() => [...enumerateRootedTrees(2.5)]).toThrow(RangeError);
  });
});

describe("partitions", () => {
  test("set partitions: Bell numbers, all distinct", () => {
    const bell = [1, 1, 2, 5, 15, 52, 203, 877];
    bell.forEach((b, n) => {
      const all = Array.from(enumerateSetPartitions(n), (a) => a.join(","));
      expect(all.length).toBe(b);
      expect(new Set(all).size).toBe(b);
    });
  });
  test("ordered partitions: Fubini numbers, all distinct, block-size limit", () => {
    const fubini = [1, 1, 3, 13, 75, 541, 4683];
    fubini.forEach((f, n) => {
      const all = Array.from(enumerateOrderedPartitions(n), (a) => a.join(","));
      expect(all.length).toBe(f);
      expect(new Set(all).size).toBe(f);
    });
    // With blocks of size ≤ 1 the ordered partitions are the permutations.
    expect([...enumerateOrderedPartitions(5, 1)].length).toBe(120);
  });
  test("permutations: k! distinct", () => {
    const all = Array.from(enumeratePermutations(5), (a) => a.join(","));
    expect(new Set(all).size).toBe(120);
  });
});
