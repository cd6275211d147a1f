import { describe, expect, test } from "vitest";
import { Rational } from "../algebra/rational.js";
import { sgdSchedule } from "../schedule/schedule.js";
import { defaultMainJobConfig } from "./config.js";
import { mainJobCost } from "./cost.js";

describe("mainJobCost", () => {
  const base = defaultMainJobConfig(sgdSchedule(1000));
  test("time scales with runs × η × T and is shared by the workers; memory does not grow with runs", () => {
    const a = mainJobCost({ ...base, runs: 100 }, "simulate", 2);
    const b = mainJobCost({ ...base, runs: 400 }, "simulate", 2);
    const c = mainJobCost({ ...base, runs: 400 }, "simulate", 4);
    expect(b.seconds / a.seconds).toBeCloseTo(4, 10);
    expect(b.seconds / c.seconds).toBeCloseTo(2, 10);
    expect(b.memoryBytes).toBe(a.memoryBytes);
    expect(mainJobCost(base, "predict", 8).seconds).toBe(0);
  });
  test("memory: the kernel route's N×N Gram matrix for non-SGD optimizers, the training set and batches otherwise", () => {
    const N = 100_000;
    const cfg = defaultMainJobConfig(sgdSchedule(N));
    const sgd = mainJobCost(cfg, "simulate", 1).memoryBytes;
    const gdc = mainJobCost({ ...cfg, optimizer: { name: "gdc", betaScale: 1 } }, "simulate", 1).memoryBytes;
    expect(gdc - sgd).toBeGreaterThanOrEqual(8 * N * N);
    expect(sgd).toBeLessThan(1e9);
    expect(mainJobCost(defaultMainJobConfig(sgdSchedule(1e9)), "simulate", 1).memoryBytes).toBeGreaterThan(8e9);
  });
  test("the prediction's coefficient work: tiny for vanilla SGD, huge for long exact momentum schedules, doubled for the gap", () => {
    const plain = mainJobCost(base, "compare", 1).tableOperations;
    expect(plain).toBeLessThan(1e4);
    expect(mainJobCost({ ...base, loss: "gap" }, "compare", 1).tableOperations).toBeGreaterThan(plain);
    expect(mainJobCost(defaultMainJobConfig(sgdSchedule(4000, { momentum: Rational.of(9, 10) })), "predict", 1).tableOperations).toBeGreaterThan(1e15);
    expect(mainJobCost(base, "simulate", 1).tableOperations).toBe(0);
  });
});
