import { beforeAll, expect, test } from "vitest";
import { initNumerics, toFloat64Array, fromFloat64Array } from "../numerics/index.js";
import { Rng } from "../stats/rng.js";
import { loadDataset, type ImageDataset } from "./datasets.js";
import { createImageModel } from "./imageModels.js";
import { createModel } from "./definedModel.js";
import { lenetDefinition, logisticDefinition, mlpDefinition } from "./builtinModels.js";

let data: ImageDataset;
beforeAll(async () => {
  await initNumerics();
  data = loadDataset("mnist");
});
const rel = (a: Float64Array, b: Float64Array) => {
  let n = 0, d = 0;
  for (let i = 0; i < a.length; i++) (n = Math.max(n, Math.abs(a[i] - b[i]))), (d = Math.max(d, Math.abs(b[i])));
  return n / d;
};
test.each(["lenet", "mlp", "logistic"] as const)("old vs new %s", (kind) => {
  const old = createImageModel(kind, data);
  const def = kind === "lenet" ? lenetDefinition() : kind === "mlp" ? mlpDefinition() : logisticDefinition();
  const neu = createModel(def, data);
  expect(neu.dim).toBe(old.dim);
  for (const seed of [0, 3]) {
    const t0 = old.theta0(seed);
    const t1 = neu.theta0(seed);
    expect(Array.from(t1)).toEqual(Array.from(t0));
    const theta = kind === "logistic" ? new Rng(9).normals(old.dim) : t0;
    const v = new Rng(5).normals(old.dim);
    const w = new Rng(6).normals(old.dim);
    const idx = [0, 1, 2, 3, 4, 5, 6];
    const out: Record<string, number> = {};
    out.loss = Math.abs(neu.meanLoss(theta, idx) / old.meanLoss(theta, idx) - 1);
    out.grad = rel(neu.meanGradient(theta, idx), old.meanGradient(theta, idx));
    out.hvp = rel(neu.meanDirectionalGradient(theta, idx, [v]), old.meanDirectionalGradient(theta, idx, [v]));
    out.d3 = Math.abs(neu.meanDirectionalDerivative(theta, idx, [v, w, v]) / old.meanDirectionalDerivative(theta, idx, [v, w, v]) - 1);
    out.rowsGrad = rel(neu.directionalGradients(theta, idx.slice(0, 3), [v]), old.directionalGradients(theta, idx.slice(0, 3), [v]));
    out.single = Math.abs(neu.directionalDerivative(theta, 2, [v]) / old.directionalDerivative(theta, 2, [v]) - 1);
    // lanes, float32
    const L = 3;
    const th = new Float64Array(L * old.dim);
    for (let l = 0; l < L; l++) th.set(new Rng(20 + l).normals(old.dim), l * old.dim);
    const x = old.featureRows(idx);
    const pol = { dtype: "float32", device: "wasm", jit: false } as const;
    const a = toFloat64Array(old.batchLoss(fromFloat64Array(th, pol, [L, old.dim]), fromFloat64Array(x, pol, [idx.length, old.dataDim])));
    const b = toFloat64Array(neu.batchLoss(fromFloat64Array(th, pol, [L, old.dim]), fromFloat64Array(x, pol, [idx.length, old.dataDim])));
    out.lanes32 = rel(b, a);
    console.log(kind, seed, JSON.stringify(out));
    for (const [k, e] of Object.entries(out)) expect(e, `${kind} ${k}`).toBeLessThan(1e-6);
  }
  old.dispose();
  neu.dispose();
}, 120_000);
