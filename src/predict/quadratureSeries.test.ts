import { describe, expect, test } from "vitest";
import { cubicChi, gaussFit } from "../landscapes/builtin.js";
import { gdSchedule, sgdSchedule } from "../schedule/schedule.js";
import { quadratureSeries } from "./quadratureSeries.js";

describe("series on built-in landscapes (exact over the quadrature)", () => {
  test("cubic-chi: E l(θ_T) = 8Tη³ + O(η⁴) (docs/theory.md#cubic-chi)", async () => {
    for (const T of [1, 4]) {
      const r = await quadratureSeries(cubicChi(), sgdSchedule(T), 3, "test");
      expect(r.coefficients).toBeAllclose([0, 0, 0, 8 * T], { atol: 1e-9, rtol: 1e-9 });
    }
  });
  test("gauss-fit: η²T/8 − η³(T(T−1)/16 + T/12) (docs/theory.md#continuous-time)", async () => {
    for (const T of [1, 3]) {
      const r = await quadratureSeries(gaussFit(), sgdSchedule(T), 3, "test");
      expect(r.coefficients).toBeAllclose([0, 0, T / 8, -((T * (T - 1)) / 16 + T / 12)], { atol: 1e-7, rtol: 1e-6 });
    }
  });
  test("the check can fail: GD on gauss-fit differs from SGD at order 3", async () => {
    const sgd = await quadratureSeries(gaussFit(), sgdSchedule(2), 3, "test");
    const gd = await quadratureSeries(gaussFit(), gdSchedule(2, 2), 3, "test");
    expect(Math.abs(sgd.coefficients[3] - gd.coefficients[3])).toBeGreaterThan(1e-3);
  });
});
