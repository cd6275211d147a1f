import { describe, expect, test } from "vitest";
import { Rational } from "../algebra/rational.js";
import { type Check, spacetimeRows, spacetimeVerdict } from "./spacetime.js";

const shape = { order: 2, parents: [1, 2, -1], ties: [], key: "k", value: "E[g[H[g]]]", automorphisms: 1 } as unknown as Check["diagram"];
const check = (counted: Rational, engine: Rational): Check => ({ section: "s", diagram: shape, schedule: "vanilla SGD", count: 6, counted, engine });

describe("spacetime figure: rows and verdict without enumerating", () => {
  test("passes only when every counted coefficient equals the engine's", () => {
    const half = Rational.of(1, 2);
    expect(spacetimeVerdict([check(half, half), check(Rational.ONE, Rational.ONE)])).toMatchObject({ pass: true });
    const bad = spacetimeVerdict([check(half, half), check(half, Rational.ONE)]);
    expect(bad.pass).toBe(false);
    expect(bad.verdict).toMatch(/: 1 differ;/);
    const rows = spacetimeRows([check(half, Rational.ONE)]);
    expect(rows[0]).toMatchObject({ counted_coefficient: "1/2", engine_coefficient: "1", match: false, embeddings: 6 });
  });
});
