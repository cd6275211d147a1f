import { expect, test } from "vitest";
import { Rational } from "../algebra/rational.js";
import { sgdSchedule } from "../schedule/schedule.js";
import { crossingKey } from "./crossing.js";
import { makeDiagram } from "./diagram.js";
import { coefficientTable } from "./table.js";

test("order 3 of vanilla SGD groups into the paper's classes with history counts 4, 2; 2, 2, 3; 1", () => {
  const T = 7;
  const rows = coefficientTable(sgdSchedule(T), 3, "test").filter((r) => r.order === 3);
  const groups = new Map<string, Rational>();
  for (const r of rows) {
    const k = crossingKey(makeDiagram(r.parents, r.ties));
    groups.set(k, (groups.get(k) ?? Rational.ZERO).add(Rational.parse(r.coefficient).abs()));
  }
  expect(groups.size).toBe(6);
  const C = (k: number) => [1, T, (T * (T - 1)) / 2, (T * (T - 1) * (T - 2)) / 6][k];
  // Histories per group: |Σ coefficient| · (1/d_t! weights undone) / C(T, #steps).
  const counts = [...groups.entries()].map(([key, c]) => {
    const steps = (key.match(/\./g) ?? []).length - 1 + (/A/.test(key) ? 1 : 0);
    const factorial = /A.*A.*A/.test(key) ? 6 : /A.*A/.test(key) ? 2 : 1;
    return c.mul(Rational.int(factorial)).div(Rational.int(C(steps))).toNumber();
  });
  expect(counts.sort()).toEqual([1, 2, 2, 2, 3, 4]);
});

test("re-rooting at an untied node keeps the class; tied nodes are never roots", () => {
  const chain = makeDiagram([0, 1, 2]);
  const branched = makeDiagram([0, 1, 0]); // root with children a(b) and c
  expect(crossingKey(chain)).toBe(crossingKey(branched));
  expect(crossingKey(makeDiagram([0, 0, 0]))).not.toBe(crossingKey(chain));
  const tiedLeaves = makeDiagram([0, 1, 1], [[2, 3]]);
  expect(crossingKey(tiedLeaves)).toBe(crossingKey(makeDiagram([0, 0, 0], [[2, 3]])));
});
