import { describe, expect, test } from "vitest";
import { enumerateOrderedPartitions, enumerateSetPartitions } from "../combinatorics/setPartitions.js";
import { enumerateRootedTrees } from "../combinatorics/rootedTrees.js";
import { Rational } from "../algebra/rational.js";
import { sgdSchedule } from "../schedule/schedule.js";
import { edgeWeightOf } from "./coefficient.js";
import { bellNumber, coefficientTableCost, fubiniNumber } from "./cost.js";
import { enumerateDiagrams } from "./enumerate.js";
import { diagramStructure } from "./structure.js";
import { explicitWork } from "./rules/explicit.js";

const count = (g: Iterable<unknown>) => {
  let n = 0;
  for (const _ of g) n++;
  return n;
};

describe("coefficientTableCost", () => {
  test("Bell and Fubini numbers equal the enumerators' counts", () => {
    for (let n = 0; n <= 7; n++) {
      expect(bellNumber(n)).toBe(count(enumerateSetPartitions(n)));
      expect(fubiniNumber(n)).toBe(count(enumerateOrderedPartitions(n)));
    }
  });
  test("candidates bound the diagrams from above and count trees × partitions (test and train)", () => {
    const s = sgdSchedule(6);
    for (const loss of ["test", "train"] as const) {
      let diagrams = 0;
      let candidates = 0;
      for (let d = 0; d <= 5; d++) {
        diagrams += enumerateDiagrams(d, { rootTies: loss === "train" }).length;
        candidates += count(enumerateRootedTrees(d + 1)) * count(enumerateSetPartitions(loss === "train" ? d + 1 : d));
        const cost = coefficientTableCost(s, d, loss);
        expect(cost.candidates).toBe(candidates);
        expect(cost.candidates).toBeGreaterThanOrEqual(diagrams);
      }
    }
  });
  test("momentum: the worst diagram is the engine's own work for the all-untied diagram of the top order", () => {
    const s = sgdSchedule(12, { momentum: Rational.of(1, 2), batch: 3 });
    const chain = enumerateDiagrams(3).map((c) => diagramStructure(c.diagram)).find((st) => st.K === 3)!;
    expect(coefficientTableCost(s, 3, "test").worstDiagram).toBe(explicitWork(4, chain.K, chain.d, 4) + 12);
  });
  test("costs grow with N and order, and are independent of the exact-arithmetic values", () => {
    const m = Rational.of(9, 10);
    expect(coefficientTableCost(sgdSchedule(4000, { momentum: m }), 3, "test").operations).toBeGreaterThan(1e15);
    expect(coefficientTableCost(sgdSchedule(8, { momentum: m }), 3, "test").operations).toBeLessThan(1e9);
  });
});

describe("edgeWeightOf (lazy heavy-ball weights)", () => {
  test("w(Δ) = Σ_{j<Δ} β^j for every Δ, in any order of access", () => {
    const beta = Rational.of(3, 7);
    const s = sgdSchedule(30, { momentum: beta });
    const w = edgeWeightOf(s);
    for (const delta of [17, 1, 30, 2, 9]) {
      let direct = Rational.ZERO;
      for (let j = 0; j < delta; j++) direct = direct.add(beta.pow(j));
      expect(w(0, delta).equals(direct)).toBe(true);
      expect(w(30 - delta, 30).equals(direct)).toBe(true);
    }
  });
});
