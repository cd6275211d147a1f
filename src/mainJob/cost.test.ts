import { describe, expect, test } from "vitest";
import { Rational } from "../algebra/rational.js";
import { sgdSchedule } from "../schedule/schedule.js";
import { defaultMainJobConfig } from "./config.js";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { RunResult } from "../simulate/runResult.js";
import { bytesPerFinishedRun, mainJobCost } from "./cost.js";

describe("mainJobCost", () => {
  const base = defaultMainJobConfig(sgdSchedule(1000));
  test("time scales with runs × η × T and is shared by the workers; memory grows only by the finished runs' results", () => {
    const a = mainJobCost({ ...base, runs: 100 }, "simulate", 2);
    const b = mainJobCost({ ...base, runs: 400 }, "simulate", 2);
    const c = mainJobCost({ ...base, runs: 400 }, "simulate", 4);
    expect(b.seconds / a.seconds).toBeCloseTo(4, 10);
    expect(b.seconds / c.seconds).toBeCloseTo(2, 10);
    expect(b.memoryBytes - a.memoryBytes).toBe(300 * bytesPerFinishedRun(base));
    expect(mainJobCost(base, "predict", 8).seconds).toBe(0);
    expect(mainJobCost({ ...base, runs: 1e7 }, "predict", 8).memoryBytes).toBe(mainJobCost(base, "predict", 8).memoryBytes);
  });
  test("bytes per finished run: at least what a map of run results really holds on this Node, and not 3× more", () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    for (const L of [1, 9, 30]) {
      const runs = 20_000;
      gc();
      const before = process.memoryUsage().heapUsed;
      const done = new Map<number, RunResult[]>();
      for (let r = 0; r < runs; r++) done.set(r, Array.from({ length: L }, (_, i) => ({ eta: 0.01 * (i + 1), test: Math.random(), train: Math.random() })));
      gc();
      const held = (process.memoryUsage().heapUsed - before) / runs;
      expect(done.size).toBe(runs);
      const estimate = bytesPerFinishedRun({ ...base, etas: Array.from({ length: L }, () => 0.1) });
      expect(estimate, `${L} η: ${held.toFixed(0)} B held per run`).toBeGreaterThanOrEqual(held);
      expect(estimate).toBeLessThan(3 * held);
    }
  });
  test("memory: the kernel route's N×N Gram matrix for non-SGD optimizers, the training set and batches otherwise", () => {
    const N = 100_000;
    const cfg = { ...defaultMainJobConfig(sgdSchedule(N)), runs: 10 }; // few runs: the finished runs' training sets stay small
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
