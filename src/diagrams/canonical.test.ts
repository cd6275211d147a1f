import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { SEED } from "../../test/helpers/seed.js";
import { bruteAutomorphisms, bruteIsomorphic, permutations, relabel } from "../../test/oracle/bruteIsomorphism.js";
import { canonicalColouredTree } from "../combinatorics/canonical.js";
import { enumeratePermutations } from "../combinatorics/setPartitions.js";
import { type CanonicalDiagram, canonicalize } from "./canonical.js";
import { type Diagram, makeDiagram } from "./diagram.js";
import { enumerateDiagrams } from "./enumerate.js";

/** A random diagram: a recursive tree with random parents and a random tie partition. */
const arbDiagram = (maxOrder: number, rootTies: boolean) =>
  fc
    .integer({ min: 0, max: maxOrder })
    .chain((d) =>
      fc.tuple(
        fc.tuple(...Array.from({ length: d }, (_, i) => fc.integer({ min: 0, max: i }))),
        fc.array(fc.integer({ min: 0, max: d }), { minLength: d + 1, maxLength: d + 1 }),
      ),
    )
    .map(([parents, blockOf]) => {
      const blocks = new Map<number, number[]>();
      blockOf.forEach((b, v) => {
        if (v === 0 && !rootTies) return;
        const arr = blocks.get(b) ?? [];
        arr.push(v);
        blocks.set(b, arr);
      });
      return makeDiagram(parents as number[], [...blocks.values()]);
    });

/**
 * The canonical form by the string route: the AHU strings of every class ordering built in
 * full ({@link canonicalColouredTree}) and the smallest kept (the method before the subtree
 * comparison; a second implementation to compare with).
 */
function canonicalizeByStrings(d: Diagram): CanonicalDiagram {
  const n = d.order + 1;
  const classes = d.ties.filter((c) => c[0] !== 0);
  const colours = new Array<string>(n).fill(".");
  for (const c of d.ties) if (c[0] === 0) for (const v of c) colours[v] = "R";
  let best: ReturnType<typeof canonicalColouredTree> | undefined;
  let hits = 0n;
  for (const perm of enumeratePermutations(classes.length)) {
    classes.forEach((c, i) => c.forEach((v) => (colours[v] = String.fromCharCode(65 + perm[i]))));
    const canon = canonicalColouredTree(d.parents, colours.join(""));
    if (best === undefined || canon.key < best.key) [best, hits] = [canon, 1n];
    else if (canon.key === best.key) hits++;
  }
  const newLabel = new Array<number>(n);
  best!.order.forEach((v, j) => (newLabel[v] = j));
  const parents = new Array<number>(d.order);
  for (let i = 1; i < n; i++) parents[newLabel[i] - 1] = newLabel[d.parents[i - 1]];
  const ties = d.ties.map((cls) => cls.map((v) => newLabel[v]));
  return { key: `v1:${best!.key}`, diagram: makeDiagram(parents, ties), automorphisms: best!.automorphisms * hits };
}

describe("canonical form", () => {
  test("equals the string route: same key, relabelled diagram and |Aut| (random numbering)", () => {
    fc.assert(
      fc.property(arbDiagram(9, true), (d) => {
        expect(canonicalize(d)).toEqual(canonicalizeByStrings(d));
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  test("is invariant under node relabelling", () => {
    fc.assert(
      fc.property(arbDiagram(7, true), fc.nat(), (d, salt) => {
        const perms = permutations(Math.min(d.order, 7));
        const p = perms[salt % perms.length];
        const perm = [0, ...p.map((x) => x + 1)];
        const r = relabel(d, perm);
        const other = makeDiagram(r.parents, r.ties);
        expect(canonicalize(other).key).toBe(canonicalize(d).key);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  test("the canonical relabelling is isomorphic to the input and has the same key", () => {
    fc.assert(
      fc.property(arbDiagram(6, true), (d) => {
        const c = canonicalize(d);
        expect(bruteIsomorphic(d, c.diagram)).toBe(true);
        expect(canonicalize(c.diagram).key).toBe(c.key);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  test("automorphism counts agree with brute force (orbit–stabilizer)", () => {
    fc.assert(
      fc.property(arbDiagram(6, true), (d) => {
        expect(Number(canonicalize(d).automorphisms)).toBe(bruteAutomorphisms(d));
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  test("tie-class names do not matter and class permutations count as automorphisms", () => {
    // Root with four leaves tied in two pairs: Aut swaps within pairs and swaps the pairs.
    const a = makeDiagram([0, 0, 0, 0], [[1, 2], [3, 4]]);
    const b = makeDiagram([0, 0, 0, 0], [[1, 3], [2, 4]]);
    expect(canonicalize(a).key).toBe(canonicalize(b).key);
    expect(canonicalize(a).automorphisms).toBe(8n);
  });
});

describe("enumeration", () => {
  /** Brute force: iso classes among all recursive trees × all partitions, by pairwise brute isomorphism. */
  function bruteClasses(d: number, rootTies: boolean): number {
    const reps: Diagram[] = [];
    const trees: number[][] = [];
    const rec = (p: number[]): void => {
      if (p.length === d) trees.push(p);
      else for (let q = 0; q <= p.length; q++) rec([...p, q]);
    };
    rec([]);
    const parts: number[][][] = [];
    const nodes = Array.from({ length: d + 1 }, (_, v) => v).filter((v) => rootTies || v > 0);
    const recP = (i: number, blocks: number[][]): void => {
      if (i === nodes.length) {
        parts.push(blocks.map((b) => [...b]));
        return;
      }
      for (const b of blocks) {
        b.push(nodes[i]);
        recP(i + 1, blocks);
        b.pop();
      }
      blocks.push([nodes[i]]);
      recP(i + 1, blocks);
      blocks.pop();
    };
    recP(0, []);
    for (const t of trees)
      for (const p of parts) {
        const dg = makeDiagram(t, p);
        if (!reps.some((r) => bruteIsomorphic(r, dg))) reps.push(dg);
      }
    return reps.length;
  }

  test("one diagram per isomorphism class (brute force, orders 0..4)", () => {
    for (let d = 0; d <= 4; d++) {
      expect(enumerateDiagrams(d).length).toBe(bruteClasses(d, false));
      expect(enumerateDiagrams(d, { rootTies: true }).length).toBe(bruteClasses(d, true));
    }
  });

  test("without ties the diagrams are the rooted trees (A000081)", () => {
    const untied = (d: number) => enumerateDiagrams(d).filter((c) => c.diagram.ties.length === 0).length;
    expect([0, 1, 2, 3, 4, 5, 6].map(untied)).toEqual([1, 1, 2, 4, 9, 20, 48]);
  });

  test("keys are distinct and canonical", () => {
    for (let d = 0; d <= 5; d++) {
      const all = enumerateDiagrams(d, { rootTies: true });
      expect(new Set(all.map((c) => c.key)).size).toBe(all.length);
      for (const c of all) expect(canonicalize(c.diagram).key).toBe(c.key);
    }
  });

  test("rejects bad orders", () => {
    expect(() => enumerateDiagrams(-1)).toThrow(/order must be an integer in \[0, 9\], got -1/);
    expect(() => enumerateDiagrams(1.5)).toThrow(RangeError);
    expect(() => enumerateDiagrams(10)).toThrow(RangeError);
  });
});
