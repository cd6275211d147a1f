import { beforeAll, describe, expect, test } from "vitest";
import type { TabularData } from "../data/types.js";
import { fromFloat64Array, initNumerics, toFloat64Array, type JaxArray } from "../numerics/index.js";
import { Rng } from "../stats/rng.js";
import { createModel } from "./definedModel.js";
import { IMAGE_MODEL_EXACT_POLICY } from "./imageModelPolicies.js";
import { defineModel, flattenParams, type ModelDefinition, type ModelTools } from "./modelDefinition.js";

beforeAll(async () => {
  await initNumerics();
});

/** A tiny table: `n` rows of `F` inputs with classes `0..K−1` or `K` real targets. */
function table(task: "classification" | "regression", n: number, F: number, K: number, seed: number): TabularData {
  const rng = new Rng(seed);
  const inputs = rng.normals(n * F);
  const labels = task === "classification" ? Int32Array.from({ length: n }, (_, i) => i % K) : null;
  const targets = task === "regression" ? rng.normals(n * K) : null;
  return {
    source: "tiny",
    name: "tiny",
    size: n,
    features: F,
    inputs,
    task,
    classes: task === "classification" ? K : 0,
    labels,
    classNames: null,
    targets,
    targetDims: task === "regression" ? K : 0,
  };
}

/** A 2-layer tanh net written for rows `[..., S, F]`, nested-array init, optional lanes. */
function tinyNet(loss: ModelDefinition["loss"], lanes: boolean): ModelDefinition {
  return defineModel({
    name: `tiny-${loss}-${lanes}`,
    loss,
    lanes,
    init: (ctx) => ({ layers: [{ w: ctx.normal([ctx.features, 3], 0.7), b: [[0.1, -0.2, 0.3]] }, { w: ctx.normal([3, ctx.outputs], 0.7), b: ctx.normal([1, ctx.outputs]) }] }),
    apply(p, x, { np }: ModelTools) {
      const h = np.tanh(np.matmul(x, p.layers[0].w).add(p.layers[0].b));
      return np.matmul(h, p.layers[1].w).add(p.layers[1].b);
    },
  });
}

const shift = (a: Float64Array, v: Float64Array, t: number): Float64Array => a.map((x, j) => x + t * v[j]);
/** `d/dt f(θ + t v)` at 0: central differences with one Richardson step (error O(h⁴)). */
function derivative(f: (theta: Float64Array) => number, theta: Float64Array, v: Float64Array, h: number): number {
  const d = (s: number) => (f(shift(theta, v, s)) - f(shift(theta, v, -s))) / (2 * s);
  return (4 * d(h / 2) - d(h)) / 3;
}

describe("parameter trees", () => {
  test("leaves flatten depth-first in key order, row-major; the layout records paths and shapes", () => {
    const { theta, layout } = flattenParams({ a: [[1, 2], [3, 4]], b: { c: 5, d: Float64Array.of(6, 7) }, e: [{ f: [8] }] });
    expect(Array.from(theta)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(layout.leaves.map((l) => [l.path, l.shape, l.offset])).toEqual([
      ["a", [2, 2], 0],
      ["b.c", [], 4],
      ["b.d", [2], 5],
      ["e.0.f", [1], 7],
    ]);
  });
  test("ragged arrays, non-finite values and malformed definitions are refused", () => {
    expect(() => flattenParams({ a: [[1, 2], [3]] })).toThrow(/rectangular/);
    expect(() => flattenParams({ a: [1, Number.NaN] })).toThrow(/finite/);
    expect(() => defineModel({ name: "x", loss: "hinge" } as unknown as ModelDefinition)).toThrow(/loss must be one of/);
  });
});

describe.each(["softmax-cross-entropy", "mse"] as const)("a tiny model with %s against finite differences (float64, cpu)", (loss) => {
  const data = table(loss === "mse" ? "regression" : "classification", 5, 4, 3, 11);
  const model = () => createModel(tinyNet(loss, false), data, { policy: IMAGE_MODEL_EXACT_POLICY });

  test("loss by hand, gradient, Hessian-vector product and third directional derivative", () => {
    const m = model();
    const theta = m.theta0(2);
    const [v, w] = [new Rng(3).normals(m.dim), new Rng(4).normals(m.dim)];
    const i = 2;
    // The loss computed by hand in plain float64 from the flat θ (layout: w1 [4,3], b1 [1,3], w2 [3,3], b2 [1,3]).
    const x = data.inputs.subarray(i * 4, i * 4 + 4);
    const h = [0, 1, 2].map((j) => Math.tanh(theta[12 + j] + [0, 1, 2, 3].reduce((s, f) => s + x[f] * theta[f * 3 + j], 0)));
    const out = [0, 1, 2].map((k) => theta[24 + k] + [0, 1, 2].reduce((s, j) => s + h[j] * theta[15 + j * 3 + k], 0));
    const byHand =
      loss === "mse"
        ? 0.5 * out.reduce((s, o, k) => s + (o - data.targets![i * 3 + k]) ** 2, 0)
        : Math.log(out.reduce((s, o) => s + Math.exp(o), 0)) - out[data.labels![i]];
    expect(m.directionalDerivative(theta, i, [])).toBeCloseTo(byHand, 13);
    const f0 = (t: Float64Array) => m.directionalDerivative(t, i, []);
    const f1 = (t: Float64Array) => m.directionalDerivative(t, i, [v]);
    const f2 = (t: Float64Array) => m.directionalDerivative(t, i, [v, v]);
    const g = m.directionalGradient(theta, i, []);
    expect(g.reduce((s, gj, j) => s + gj * w[j], 0)).toBeCloseTo(derivative(f0, theta, w, 1e-3), 8);
    const hv = m.directionalGradient(theta, i, [v]);
    expect(hv.reduce((s, x2, j) => s + x2 * w[j], 0)).toBeCloseTo(derivative(f1, theta, w, 1e-3), 7);
    expect(m.directionalDerivative(theta, i, [v, v, w])).toBeCloseTo(derivative(f2, theta, w, 1e-3), 6);
    m.dispose();
  });

  test("lanes declared and vmap over lanes give the same per-row results", () => {
    const a = model();
    const b = createModel(tinyNet(loss, true), data, { policy: IMAGE_MODEL_EXACT_POLICY });
    const theta = a.theta0(5);
    const v = new Rng(8).normals(a.dim);
    const rows = [0, 1, 2, 3, 4];
    expect(b.directionalGradients(theta, rows, [v])).toBeAllclose(a.directionalGradients(theta, rows, [v]), { rtol: 1e-13, atol: 1e-14 });
    const L = 3;
    const lanesTheta = new Float64Array(L * a.dim).map((_, j) => Math.sin(j));
    const x = a.featureRows(rows);
    const run = (m: typeof a): Float64Array => {
      const pol = IMAGE_MODEL_EXACT_POLICY;
      return toFloat64Array(m.batchLoss(fromFloat64Array(lanesTheta, pol, [L, a.dim]), fromFloat64Array(x, pol, [rows.length, a.dataDim])) as JaxArray);
    };
    expect(run(b)).toBeAllclose(run(a), { rtol: 1e-13, atol: 1e-14 });
    a.dispose();
    b.dispose();
  });
});

test("outputs of the wrong shape, and a loss that does not fit the data's task, are one-line errors", () => {
  const data = table("classification", 4, 4, 3, 1);
  const wrongK = defineModel({ ...tinyNet("softmax-cross-entropy", false), init: (ctx) => tinyNet("softmax-cross-entropy", false).init({ ...ctx, outputs: 2 }) });
  const m = createModel(wrongK, data);
  expect(() => m.meanLoss(m.theta0(0), [0, 1])).toThrow(/apply's outputs must be of shape \[2, 3\].*got "\[2, 2\]"/);
  expect(() => createModel(tinyNet("mse", false), data)).toThrow(/regression data for the mse loss/);
});
