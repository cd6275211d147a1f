/**
 * The one model of the harness: a data set, an architecture at its init, a fixed held-out test
 * sample, and training with any {@link Optimizer}. The main job and every real-data figure load
 * their models here, so a new architecture or trainer is added once.
 *
 * @module
 */
import { InvalidArgumentError, UsageError } from "../errors.js";
import { type DatasetName, loadDataset } from "../landscapes/datasets.js";
import type { DerivativeOracle } from "../landscapes/derivativeOracle.js";
import { type ClassificationData, LogisticModel, logisticData } from "../landscapes/logistic.js";
import { pooledDataset } from "../landscapes/pooledDataset.js";
import { initNumerics, isNumericsReady } from "../numerics/index.js";
import { BatchedTrainer } from "../simulate/batchedTrainer.js";
import { LogisticOptimizerTrainer } from "../simulate/logisticOptimizers.js";
import { LogisticSparseTrainer } from "../simulate/logisticSparse.js";
import { batchedTrainer, logisticOptimizerTrainer, oracleTrainer, sparseTrainer, type Trainer } from "../simulate/trainer.js";
import { namedStream } from "../stats/seeds.js";
import type { ExperimentContext } from "./experiment.js";
import { testSample } from "./testSample.js";

export { testSample } from "./testSample.js";
import { definedModelParts, modelData } from "./userModel.js";
import { refLabel, type UserDataRef, type UserModelRef } from "./userInputs.js";

export const MODELS = ["logistic", "lenet", "mlp"] as const;
export type ModelName = (typeof MODELS)[number];

/** Which model: data set, architecture, init seed and (logistic only) input resolution. */
export interface ModelSpec {
  /** A built-in data set, or `"user"`: the data set of {@link ModelSpec.userData}. */
  readonly data: DatasetName | "user";
  /** A built-in architecture, or `"user"`: the model file of {@link ModelSpec.userModel}. */
  readonly model: ModelName | "user";
  /**
   * Init seed. Logistic: 0 is the zero init, `k ≥ 1` standard-normal weights (the Xavier init
   * of this parameterization) from seed `k`. LeNet, MLP: `theta0(initSeed)` of the image model.
   */
  readonly initSeed: number;
  /** Logistic only: images mean-pooled to `resolution × resolution` (28, 14, 7 or 4). @defaultValue 28 */
  readonly resolution?: number;
  /** With `data: "user"`: a data set loaded by `loadUserData` (its fingerprint keys checkpoints). */
  readonly userData?: UserDataRef;
  /** With `model: "user"`: a model file loaded by `loadUserModel` (its fingerprint keys checkpoints). */
  readonly userModel?: UserModelRef;
}

export type { RunSpec, Trainer } from "../simulate/trainer.js";

/** A model ready to train (the one {@link Trainer} interface of `simulate/trainer.ts`) and to measure. */
export interface Model extends Trainer {
  readonly spec: ModelSpec;
  readonly label: string;
  readonly oracle: DerivativeOracle<number>;
  readonly theta0: Float64Array;
  readonly dim: number;
  readonly populationSize: number;
  readonly testSet: readonly number[];
}

/**
 * Short label, e.g. `"mnist logistic init 0"`, `"fashion logistic 14×14 init 2"` or, for a
 * user's files, `"iris@3f2a9c1b my-mlp@77d0e5a2 init 0"` (name @ fingerprint of the contents).
 */
export function modelLabel(s: ModelSpec): string {
  const res = s.resolution !== undefined && s.resolution !== 28 ? ` ${s.resolution}×${s.resolution}` : "";
  return `${specDataName(s)} ${specModelName(s)}${res} init ${s.initSeed}`;
}

/** The data set's name in labels: the built-in name or `name@fingerprint`. */
export function specDataName(s: Pick<ModelSpec, "data" | "userData">): string {
  return s.data === "user" && s.userData !== undefined ? refLabel(s.userData) : s.data;
}

/** The model's name in labels: the built-in name or `name@fingerprint`. */
export function specModelName(s: Pick<ModelSpec, "model" | "userModel">): string {
  return s.model === "user" && s.userModel !== undefined ? refLabel(s.userModel) : s.model;
}

/** Whether `--models` (see {@link ExperimentContext.models}) keeps the model with this label. */
export function labelSelected(models: readonly string[] | undefined, label: string): boolean {
  if (models === undefined) return true;
  const l = label.toLowerCase();
  return models.some((m) => l.includes(m.toLowerCase()));
}

/** The specs that `ctx.models` keeps (all of them without `--models`). */
export function selectModels<T extends { readonly spec: ModelSpec } | ModelSpec>(ctx: ExperimentContext, specs: readonly T[]): T[] {
  return specs.filter((s) => labelSelected(ctx.models, modelLabel("spec" in s ? s.spec : s)));
}

/** Starts jax-js when any of the models is not logistic (whose derivatives are analytic). */
export async function prepareNumerics(specs: readonly Pick<ModelSpec, "model">[]): Promise<void> {
  if (specs.some((s) => s.model !== "logistic")) await initNumerics();
}

const modelCache = new Map<string, Model>();

/**
 * Loads (once per process) the model of `spec` with a fixed held-out test sample of `testSize`
 * images drawn from `seed` ({@link testSample}).
 *
 * - `logistic`: the analytic model, trained exactly in kernel coordinates (few training points)
 *   or θ-space sparse coordinates (SGD on more than 40 points), for every optimizer.
 * - `lenet`, `mlp` (32 hidden units): `createImageModel` on jax-js at `theta0(initSeed)`. Its
 *   float64 oracle serves the predictions; SGD-family runs train with {@link BatchedTrainer} in
 *   float32, many runs × η at once ({@link Model.trainRuns}); other optimizers through the
 *   generic oracle trainer. jax-js must be initialised first (`await initNumerics()`).
 *
 * @throws InvalidArgumentError for an unknown architecture or a test size outside `[1, data size]`.
 * @throws UsageError for LeNet/MLP before `initNumerics()` has completed.
 */
export function loadModel(spec: ModelSpec, testSize: number, seed: number, caller = "loadModel"): Model {
  if (!([...MODELS, "user"] as readonly string[]).includes(spec.model)) throw new InvalidArgumentError(caller, "model", `one of ${MODELS.join(", ")} or "user"`, spec.model);
  if (spec.model === "user" && spec.userModel === undefined) throw new InvalidArgumentError(caller, "userModel", "a loaded model file with model \"user\"", undefined);
  if (spec.data === "user" && spec.userData === undefined) throw new InvalidArgumentError(caller, "userData", "a loaded data set with data \"user\"", undefined);
  const key = JSON.stringify([spec, testSize, seed]);
  const hit = modelCache.get(key);
  if (hit !== undefined) return hit;
  const model = spec.model === "logistic" ? logisticModel(spec, testSize, seed, caller) : definedModel(spec, testSize, seed, caller);
  modelCache.set(key, model);
  return model;
}

/** The fields every {@link Model} shares. */
function modelBase(spec: ModelSpec, oracle: DerivativeOracle<number>, theta0: Float64Array, populationSize: number, testSet: readonly number[]): Omit<Model, keyof Trainer> {
  return { spec, label: modelLabel(spec), oracle, theta0, dim: oracle.dim, populationSize, testSet };
}

function logisticModel(spec: ModelSpec, testSize: number, seed: number, caller: string): Model {
  const { data, populationSize, testSet } = logisticInputs(spec, testSize, seed, caller);
  const model = new LogisticModel(data);
  const theta0 = model.theta0(spec.initSeed);
  let kernel: Trainer | null = null;
  let sparse: Trainer | null = null;
  return {
    ...modelBase(spec, model, theta0, populationSize, testSet),
    train(trainSet, optimizer, etas, rng) {
      // Kernel coordinates are cheapest for few training points; θ-space (sparse) for many.
      const t =
        optimizer.kind === "sgd" && trainSet.length > 40
          ? (sparse ??= sparseTrainer(new LogisticSparseTrainer(model, theta0, testSet)))
          : (kernel ??= logisticOptimizerTrainer(new LogisticOptimizerTrainer(model, theta0, testSet)));
      return t.train(trainSet, optimizer, etas, rng);
    },
  };
}

/** The logistic model's data (pooled images, or a user's classification table with its test rows appended). */
function logisticInputs(spec: ModelSpec, testSize: number, seed: number, caller: string): { data: ClassificationData; populationSize: number; testSet: number[] } {
  if (spec.data !== "user") {
    const data = pooledDataset(loadDataset(spec.data), spec.resolution ?? 28);
    return { data, populationSize: data.size, testSet: testSample(data.size, testSize, seed, caller) };
  }
  const d = modelData(spec, testSize, seed, caller);
  if (d.kind !== "table") throw new InvalidArgumentError(caller, "data", "a table", spec.data);
  return { data: logisticData(d.rows), populationSize: d.populationSize, testSet: d.testSet };
}

function definedModel(spec: ModelSpec, testSize: number, seed: number, caller: string): Model {
  if (!isNumericsReady()) throw new UsageError(`${caller}: the ${specModelName(spec)} model runs on jax-js; await initNumerics() (or prepareModelNumerics) before ${caller}`);
  const { model, theta0, populationSize, testSet } = definedModelParts(spec, testSize, seed, caller);
  const base = modelBase(spec, model, theta0, populationSize, testSet);
  const byOracle = oracleTrainer(model, theta0, testSet);
  // Without `lanes: true` every run trains on its own with the float64 oracle (see BatchTrainable.lanesNative).
  if (!model.lanesNative) return { ...base, ...byOracle };
  // Final test losses: float32 on every image plus an unbiased float64 correction on a few per run
  // (see TrainManyOptions.exactTestImages), where that saves work; float64 on every image otherwise.
  const trainer = new BatchedTrainer(model, testSet.length >= 4 * EXACT_TEST_IMAGES ? { exactTestImages: EXACT_TEST_IMAGES } : {});
  return { ...base, ...batchedTrainer(trainer, theta0, testSet, byOracle) };
}

/**
 * Test images per run whose final loss a batched LeNet/MLP/user-model run evaluates in float64
 * (the rest in float32, corrected without bias: `TrainManyOptions.exactTestImages`). Measured on
 * the LeNet at the default job: the correction's noise is ~4e−8 per run, against a run-to-run
 * spread of ~1.5e−6 at the smallest η (0.08 % more variance), and it costs ~5 % of the float32
 * pass over 1000 images.
 */
export const EXACT_TEST_IMAGES = 16;

/** A run's training set and the seed of its batch-order stream (the same stream for every optimizer of a paired run). */
export interface RunDraw {
  readonly trainSet: number[];
  readonly orderSeed: number;
}

/**
 * Run `run` of the named family `family`: its own sub-stream of `seed` ({@link namedStream})
 * draws `N` i.i.d. training indices from `0..populationSize−1`, then the seed of the run's
 * batch-order stream. A function of `(seed, family, run)` alone, so results do not depend on
 * chunking, workers or resumption.
 */
export function drawRun(seed: number, family: string, run: number, N: number, populationSize: number): RunDraw {
  const rng = namedStream(seed, `${family}/run ${run}`);
  const trainSet = Array.from({ length: N }, () => rng.int(populationSize));
  return { trainSet, orderSeed: rng.int(2 ** 31) };
}
