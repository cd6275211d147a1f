import { expect } from "vitest";
import type { RunResult } from "../../src/simulate/runResult.js";

/** Two trainers' results for the same runs agree (no divergence expected) to `rtol`. */
export function expectSameRunResults(a: readonly RunResult[], b: readonly RunResult[], rtol = 1e-10): void {
  expect(a.length).toBe(b.length);
  a.forEach((r, k) => {
    const q = b[k];
    if (r.diverged !== undefined || q.diverged !== undefined) throw new Error("unexpected divergence");
    expect(r.test).toBeAllclose(q.test, { rtol });
    expect(r.train).toBeAllclose(q.train, { rtol });
  });
}
