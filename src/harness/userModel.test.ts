import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { UsageError } from "../errors.js";
import { defaultMainJobConfig, predictMainJob, setupModel, type MainJobConfig } from "../mainJob/mainJob.js";
import { initNumerics } from "../numerics/index.js";
import { sgdSchedule } from "../schedule/schedule.js";
import { Rng } from "../stats/rng.js";
import { BatchedTrainer, type BatchTrainable } from "../simulate/batchedTrainer.js";
import { loadModel, type ModelSpec } from "./model.js";
import { loadUserData, loadUserModel } from "./userInputs.js";

const dir = mkdtempSync(join(tmpdir(), "sgd-user-model-"));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

/** A 3-class CSV with text labels: 12 rows of 2 features. */
const rows = Array.from({ length: 12 }, (_, i) => {
  const r = new Rng(100 + i);
  return { x: [r.normal(), r.normal()], y: ["cat", "ant", "bee"][i % 3] };
});
const csv = file("known.csv", ["a,b,kind", ...rows.map((r) => `${r.x.join(",")},${r.y}`)].join("\n") + "\n");

beforeAll(async () => {
  await initNumerics();
});

/** The first line a loader or `loadModel` throws (a UsageError), or "" when it does not throw. */
async function errorLine(f: () => unknown): Promise<string> {
  try {
    await f();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  return "";
}

describe("--model FILE errors: one line naming the file", () => {
  const mlp = (outputs: string, extra = "") =>
    `export default { name: "m", loss: "softmax-cross-entropy", init: ({ features, outputs, normal }) => ({ w: normal([features, ${outputs}]) }), apply: (p, x, { np }) => ${extra || "np.matmul(x, p.w)"} };\n`;
  const cases: [string, string, RegExp][] = [
    ["syntax.mjs", "export default {\n", /syntax\.mjs: the module does not load: \S/],
    ["nodefault.mjs", "export const model = 1;\n", /nodefault\.mjs: no default export/],
    ["notmodel.mjs", 'export default { name: "x", loss: "hinge" };\n', /notmodel\.mjs: the default export is not a model: .*loss must be one of/],
  ];
  test.each(cases)("%s", async (name, text, want) => {
    const line = await errorLine(() => loadUserModel(file(name, text)));
    console.log(line);
    expect(line).toMatch(want);
    expect(line).not.toContain("\n");
  });

  const spec = async (modelFile: string | null, model: ModelSpec["model"] = "user"): Promise<ModelSpec> => ({
    data: "user",
    model,
    initSeed: 1,
    userData: await loadUserData({ data: csv, task: "classification" }),
    ...(modelFile === null ? {} : { userModel: await loadUserModel(modelFile) }),
  });
  test.each([
    ["wrong K", "wrongk.mjs", mlp("2"), /wrongk\.mjs: model "m": apply's outputs must be of shape \[2, 3\] \(3 = classes of the data\), got "\[2, 2\]"/],
    ["NaN at θ0", "nan.mjs", mlp("outputs", "np.sqrt(np.matmul(x, p.w).mul(0).sub(1))"), /nan\.mjs: model "m": the loss at θ0 \(rows 1–2\) must be finite, got NaN/],
    ["apply throws", "throws.mjs", mlp("outputs", "np.nosuch(x)"), /throws\.mjs: the model fails at θ0: .*nosuch/],
  ])("%s", async (_, name, text, want) => {
    const line = await errorLine(async () => loadModel(await spec(file(name, text)), 12, 0));
    console.log(line);
    expect(line).toMatch(want);
  });
  test("a built-in LeNet on data without 784 features", async () => {
    const line = await errorLine(async () => loadModel(await spec(null, "lenet"), 12, 0));
    console.log(line);
    expect(line).toMatch(/known\.csv: model "lenet": data features must be 784 \(the model's inputs\), got "2 \(known\)"/);
  });
});

test("examples/my-mlp.mjs and examples/linear-regression.mjs train through loadModel at tiny sizes", async () => {
  const iris = file("iris.csv", "sepal_length,sepal_width,petal_length,petal_width,species\n5.1,3.5,1.4,0.2,setosa\n7,3.2,4.7,1.4,versicolor\n6.3,3.3,6,2.5,virginica\n4.9,3,1.4,0.2,setosa\n");
  const lin = file("linear.csv", "x1,x2,y\n0.1,0.2,0.5\n-1,0.3,-1.8\n0.4,-0.5,1.8\n1.2,1,1.9\n");
  for (const [model, data, task] of [
    ["examples/my-mlp.mjs", iris, "classification"],
    ["examples/linear-regression.mjs", lin, "regression"],
  ] as const) {
    const spec: ModelSpec = { data: "user", model: "user", initSeed: 0, userData: await loadUserData({ data, task, standardize: true }), userModel: await loadUserModel(resolve(model)) };
    const m = loadModel(spec, 4, 0);
    const run = m.train([0, 1, 2, 3], { kind: "sgd", schedule: sgdSchedule(4) } as never, [0.01, 0.1], new Rng(3));
    for (const r of run) expect("test" in r && Number.isFinite(r.test), `${model} η = ${r.eta}`).toBe(true);
    expect(m.label).toMatch(/@[0-9a-f]{8} .*@[0-9a-f]{8} init 0/);
  }
});

test("a model without lanes trains run by run (float64) to the batched trainer's numbers (float32); trainMany refuses it", async () => {
  const data = await loadUserData({ data: csv, task: "classification" });
  const text = (lanes: boolean) => `export default { name: "l${lanes}", loss: "softmax-cross-entropy", lanes: ${lanes}, init: ({ features, outputs, normal }) => ({ w: normal([features, outputs]), b: normal([1, outputs]) }), apply: (p, x, { np }) => np.tanh(np.matmul(x, p.w).add(p.b)) };\n`;
  const [a, b] = await Promise.all([true, false].map(async (lanes) => loadModel({ data: "user", model: "user", initSeed: 2, userData: data, userModel: await loadUserModel(file(`lanes-${lanes}.mjs`, text(lanes))) }, 12, 0)));
  const sgd = { kind: "sgd", schedule: sgdSchedule(6) } as never;
  const ra = a.train([0, 3, 5, 7, 9, 11], sgd, [0.05, 0.2, 0.5], new Rng(4));
  const rb = b.train([0, 3, 5, 7, 9, 11], sgd, [0.05, 0.2, 0.5], new Rng(4));
  rb.forEach((r, k) => expect((r as { test: number }).test).toBeCloseTo((ra[k] as { test: number }).test, 5));
  expect(b.trainRuns).toBeUndefined();
  expect(() => new BatchedTrainer(b.oracle as unknown as BatchTrainable)).toThrow(/lanes: true/);
});

test("logistic on a 3-class CSV: c0 = ln 3 and c1 = −T·|G|² exactly (zero init, test sample = population)", async () => {
  const userData = await loadUserData({ data: csv, task: "classification" });
  expect(userData.classNames).toEqual(["ant", "bee", "cat"]);
  const c: MainJobConfig = { ...defaultMainJobConfig(sgdSchedule(10)), data: "user", model: "logistic", userData, testSize: rows.length, tuples: 4, batch: 2, etas: [0.01] };
  const p = predictMainJob(c, setupModel(c));
  // Independently: at θ = 0 every softmax is uniform, so l_i = ln K and ∇l_i = s·(1/K − e_{y_i}) ⊗ (x_i, 1)
  // with s = √(2/(F + K)); to first order E[θ_T] = θ0 − ηT·G (G the population mean gradient), so the
  // test loss (test sample = the whole population) moves by −ηT·|G|².
  const K = 3;
  const s = Math.sqrt(2 / (2 + K));
  const cls = (y: string) => ["ant", "bee", "cat"].indexOf(y);
  let G2 = 0;
  for (let k = 0; k < K; k++) {
    for (let j = 0; j < 3; j++) {
      const g = rows.reduce((acc, r) => acc + s * (1 / K - (cls(r.y) === k ? 1 : 0)) * (j < 2 ? r.x[j] : 1), 0) / rows.length;
      G2 += g * g;
    }
  }
  const [c0, c1] = p.coefficients.map((e) => e.value);
  console.log(`c0 = ${c0} (ln 3 = ${Math.log(3)}), c1 = ${c1} (−10·|G|² = ${-10 * G2})`);
  expect(Math.abs(c0 / Math.log(3) - 1)).toBeLessThan(1e-9);
  expect(Math.abs(c1 / (-10 * G2) - 1)).toBeLessThan(1e-9);
});
