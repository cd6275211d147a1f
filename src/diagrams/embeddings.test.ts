import { describe, expect, test } from "vitest";
import { Rational } from "../algebra/rational.js";
import { diagramCoefficient } from "./coefficient.js";
import { makeDiagram } from "./diagram.js";
import { enumerateDiagrams } from "./enumerate.js";
import { customSchedule, explicitBatches, gdSchedule, type Schedule, sgdSchedule } from "../schedule/schedule.js";
import { enumerateEmbeddings, illegalExamples, totalWeight, violations } from "./embeddings.js";

function counted(order: number, parents: readonly number[], ties: readonly (readonly number[])[], automorphisms: bigint, batches: number[][]): Rational {
  const sign = order % 2 === 0 ? Rational.ONE : Rational.MINUS_ONE;
  return sign.mul(totalWeight(enumerateEmbeddings({ order, parents, ties }, batches))).div(Rational.int(automorphisms));
}

describe("embeddings enumerated one by one reproduce the engine's coefficients", () => {
  const schedules: [string, Schedule][] = [
    ["vanilla T = N = 4", sgdSchedule(4)],
    ["N = 3, 2 epochs", sgdSchedule(3, { epochs: 2 })],
    ["N = 4, batch 2, 2 epochs", sgdSchedule(4, { batch: 2, epochs: 2 })],
    ["GD N = 2, T = 3", gdSchedule(2, 3)],
    ["custom", customSchedule(3, [[0, 1], [2], [1], [0, 2]])],
  ];
  for (const [name, s] of schedules) {
    test(name, () => {
      const batches = explicitBatches(s);
      for (let d = 1; d <= 3; d++) {
        for (const c of enumerateDiagrams(d)) {
          const want = diagramCoefficient(c.diagram, s, "test");
          const got = counted(d, c.diagram.parents, c.diagram.ties, c.automorphisms, batches);
          expect(got.toString(), `${name} ${c.key}`).toBe(want.toString());
        }
      }
    });
  }
  test("legal embeddings break no rule; illegal examples break exactly one", () => {
    const d = makeDiagram([0, 1, 1], [[2, 3]]);
    const batches = explicitBatches(sgdSchedule(3, { epochs: 2 }));
    for (const e of enumerateEmbeddings(d, batches)) expect(violations(d, batches, e.steps, e.data)).toEqual([]);
    const bad = illegalExamples(d, batches, 3);
    expect([...bad.keys()].sort()).toEqual(["datum not in the step's batch", "parent not strictly later", "tied nodes on different data", "untied nodes on one datum"]);
    for (const [reason, p] of bad) expect(violations(d, batches, p.steps, p.data)).toEqual([reason]);
  });
});
