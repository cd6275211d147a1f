/**
 * The data and the jax-js model of a {@link ModelSpec} whose model is defined with
 * `defineModel` (the built-in LeNet and MLP, or a user's model file), on a built-in image set
 * or a user's table: the pieces `loadModel` assembles into a harness {@link Model}.
 *
 * @module
 */
import type { TabularData } from "../data/types.js";
import { InvalidArgumentError, UsageError } from "../errors.js";
import { lenetDefinition, mlpDefinition } from "../landscapes/builtinModels.js";
import { type ImageDataset, loadDataset } from "../landscapes/datasets.js";
import { createModel, type DefinedModel } from "../landscapes/definedModel.js";
import type { ModelDefinition } from "../landscapes/modelDefinition.js";
import type { Model, ModelSpec } from "./model.js";
import { testSample } from "./model.js";
import { userDataset, userDefinition } from "./userInputs.js";

/** A spec's data: the population is rows `0..populationSize−1`; `testSet` indexes the same rows (or appended test rows). */
export type ModelData =
  | { readonly kind: "images"; readonly data: ImageDataset; readonly populationSize: number; readonly testSet: number[] }
  | { readonly kind: "table"; readonly rows: TabularData; readonly populationSize: number; readonly testSet: number[] };

/**
 * The data of `spec` with its fixed test sample of `testSize` rows from `seed`: drawn from the
 * population, or, when the user gave a separate test set, from that set's rows (appended after
 * the population's).
 */
export function modelData(spec: ModelSpec, testSize: number, seed: number, caller: string): ModelData {
  if (spec.data !== "user") {
    const data = loadDataset(spec.data);
    return { kind: "images", data, populationSize: data.size, testSet: testSample(data.size, testSize, seed, caller) };
  }
  if (spec.userData === undefined) throw new InvalidArgumentError(caller, "userData", "a loaded data set", undefined);
  const { population, test } = userDataset(spec.userData);
  if (test === null) return { kind: "table", rows: population, populationSize: population.size, testSet: testSample(population.size, testSize, seed, caller) };
  const testSet = testSample(test.size, testSize, seed, caller).map((i) => population.size + i);
  return { kind: "table", rows: joinRows(population, test), populationSize: population.size, testSet };
}

/** `a`'s rows, then `b`'s (same features and task). */
export function joinRows(a: TabularData, b: TabularData): TabularData {
  const cat = <T extends Float64Array | Int32Array>(x: T | null, y: T | null, make: (n: number) => T): T | null => {
    if (x === null || y === null) return null;
    const out = make(x.length + y.length);
    out.set(x);
    out.set(y, x.length);
    return out;
  };
  return {
    ...a,
    source: `${a.source} + ${b.source}`,
    size: a.size + b.size,
    inputs: cat(a.inputs, b.inputs, (n) => new Float64Array(n))!,
    labels: cat(a.labels, b.labels, (n) => new Int32Array(n)),
    targets: cat(a.targets, b.targets, (n) => new Float64Array(n)),
  };
}

/** The definition a spec names: the built-in LeNet or MLP (32 hidden units), or the user's. */
export function specDefinition(spec: ModelSpec): ModelDefinition {
  if (spec.model === "user") {
    if (spec.userModel === undefined) throw new InvalidArgumentError("loadModel", "userModel", "a loaded model file", undefined);
    return userDefinition(spec.userModel);
  }
  if (spec.model === "lenet") return lenetDefinition();
  if (spec.model === "mlp") return mlpDefinition();
  throw new InvalidArgumentError("loadModel", "model", "lenet, mlp or user", spec.model);
}

/**
 * The defined model of `spec` on its data at `theta0(initSeed)`, checked there when a user's
 * file is involved: one batched loss and gradient on the first two rows must run and be finite.
 * @throws UsageError (one line naming the user's file) when the model does not fit the data
 *   (inputs, outputs' shape, loss vs task), its `init` or `apply` fails, or the loss or
 *   gradient at θ0 is not finite.
 */
export function definedModelParts(spec: ModelSpec, testSize: number, seed: number, caller: string): { model: DefinedModel; theta0: Float64Array } & Pick<Model, "populationSize" | "testSet"> {
  const d = modelData(spec, testSize, seed, caller);
  const def = specDefinition(spec);
  const userFiles = spec.model === "user" || spec.data === "user";
  try {
    const model = createModel(def, d.kind === "images" ? d.data : d.rows);
    const theta0 = model.theta0(spec.initSeed);
    if (userFiles) checkAtInit(model, theta0, d.populationSize);
    return { model, theta0, populationSize: d.populationSize, testSet: d.testSet };
  } catch (e) {
    if (!userFiles || e instanceof UsageError) throw e;
    const file = spec.userModel?.file ?? spec.userData?.options.data ?? "";
    throw new UsageError(`${file}: ${e instanceof InvalidArgumentError ? e.message : `the model fails at θ0: ${String(e instanceof Error ? e.message : e).split("\n")[0]}`}`);
  }
}

/** The loss and its gradient at θ0 on the first (up to) two rows are finite. */
function checkAtInit(model: DefinedModel, theta0: Float64Array, populationSize: number): void {
  const rows = populationSize >= 2 ? [0, 1] : [0];
  const loss = model.meanLoss(theta0, rows);
  if (!Number.isFinite(loss)) throw new InvalidArgumentError(`model "${model.kind}"`, "the loss at θ0 (rows 1–2)", "finite", loss);
  const g = model.meanGradient(theta0, rows);
  const bad = g.findIndex((x) => !Number.isFinite(x));
  if (bad >= 0) throw new InvalidArgumentError(`model "${model.kind}"`, `the gradient at θ0 (rows 1–2), entry ${bad}`, "finite", g[bad]);
}
