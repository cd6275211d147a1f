/** The main job's optimizer field: worker-safe setup, pairing across optimizers, checkpoint keys. */
import { describe, expect, test } from "vitest";
import { Rational } from "../algebra/rational.js";
import { sgdSchedule } from "../schedule/schedule.js";
import { configKey, defaultMainJobConfig, type MainJobConfig, runOne, setupModel } from "./mainJob.js";
import { configOptimizer, reviveConfig, setupForConfig } from "./optimizerSetup.js";

const half = Rational.of(1, 2);
const base: MainJobConfig = {
  ...defaultMainJobConfig(sgdSchedule(10, { momentum: half, etaScale: Array.from({ length: 10 }, (_, t) => (t < 5 ? Rational.ONE : half)) })),
  etas: [0.05, 0.1],
  testSize: 30,
};

describe("setupForConfig", () => {
  test("a structured-cloned config (what a worker thread receives) trains exactly like the original", () => {
    const clone = structuredClone(base);
    expect(clone.schedule.momentum instanceof Rational).toBe(false);
    expect(reviveConfig(clone).schedule.momentum).toEqual(half);
    for (const r of [0, 1]) expect(runOne(clone, setupForConfig(clone), r)).toEqual(runOne(base, setupModel(base), r));
  });
  test("every optimizer sees run r's training set (paired), and keys its checkpoint apart", () => {
    const c: MainJobConfig = { ...defaultMainJobConfig(sgdSchedule(10)), etas: [0.05], testSize: 30 };
    const variants: MainJobConfig[] = [
      c,
      { ...c, optimizer: { name: "gd" } },
      { ...c, optimizer: { name: "gdc", betaScale: 0 } },
      { ...c, optimizer: { name: "ode", substeps: 1 } },
      { ...c, optimizer: { name: "sde", substeps: 2 } },
      { ...c, optimizer: { name: "hessian", lambda: 0.5 } },
    ];
    expect(new Set(variants.map(configKey)).size).toBe(variants.length);
    const [sgd, gd, gdc0, ode1, sde] = variants.map((v) => runOne(v, setupForConfig(v), 3)[0] as { test: number });
    // GD, GDC with β = 0 and one-sub-step gradient flow are the same computation on the same data
    expect(gdc0.test).toBeAllclose(gd.test, { rtol: 1e-12 });
    expect(ode1.test).toBeAllclose(gd.test, { rtol: 1e-12 });
    expect(sgd.test).not.toBe(gd.test);
    expect(sde.test).not.toBe(gd.test);
    expect(configOptimizer(variants[4])).toEqual({ kind: "sde", schedule: c.schedule, substeps: 2 });
  });
});
