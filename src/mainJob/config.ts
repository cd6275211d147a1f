/**
 * The main job's configuration: everything that determines a prediction or a simulation,
 * its defaults per model, and the stable keys that name its output and checkpoints.
 *
 * @module
 */
import type { ModelName } from "../harness/model.js";
import { ensureUserInputs } from "../harness/userInputs.js";
import { initNumerics } from "../numerics/index.js";
import { fnv1aHex } from "../stats/hash.js";
import type { MainJobConfig } from "./configDefaults.js";

export { MODELS, type ModelName } from "../harness/model.js";
export { defaultMainJobConfig, type MainJobConfig, type MeasuredQuantity } from "./configDefaults.js";

/**
 * Estimator sizes for the models whose derivatives run on jax-js, where the logistic defaults
 * (analytic derivatives) would take far too long: `predict --model lenet` takes a few minutes
 * on one core with these (LeNet: ~1–2 s per tuple for the order-3 test loss).
 */
export const JAX_MODEL_DEFAULTS: Readonly<Pick<MainJobConfig, "tuples" | "batch">> = Object.freeze({ tuples: 100, batch: 16 });

/** The defaults of a model: {@link defaultMainJobConfig}, with {@link JAX_MODEL_DEFAULTS} for LeNet, MLP and a user's model. */
export function modelDefaults(model: ModelName | "user"): Partial<MainJobConfig> {
  return model === "logistic" ? {} : { model, ...JAX_MODEL_DEFAULTS };
}

/**
 * Starts jax-js when the config's model needs it (LeNet, MLP, a user's model) and loads the
 * user's files it names unless this process has them (a worker thread); call before
 * {@link setupModel}.
 */
export async function prepareModelNumerics(c: Pick<MainJobConfig, "model" | "userData" | "userModel">): Promise<void> {
  if (c.model !== "logistic") await initNumerics();
  await ensureUserInputs(c);
}

/** Stable text of a config for naming its output (everything but the run and estimator counts). */
export function configKey(c: MainJobConfig): string {
  return fnv1aHex(JSON.stringify({ ...c, runs: undefined, tuples: undefined, batch: undefined }));
}

/**
 * Stable text of what determines the simulated runs, naming their checkpoint: {@link configKey}
 * without the measured quantity and the order (each run records test and train losses), so
 * `--loss test|train|gap` and every `--order` share one set of runs.
 */
export function simulationKey(c: MainJobConfig): string {
  return fnv1aHex(JSON.stringify({ ...c, runs: undefined, tuples: undefined, batch: undefined, loss: undefined, order: undefined }));
}


