import { InvalidArgumentError } from "../errors.js";
import type { DerivativeOracle } from "../landscapes/derivativeOracle.js";
import type { Schedule } from "../schedule/schedule.js";
import type { Rng } from "../stats/rng.js";
import type { RunResult } from "./runResult.js";
import { momentumOf, realiseBatches, stepRates } from "./trainingSteps.js";

/**
 * Trains any model given by a {@link DerivativeOracle} with the SGD family directly on the
 * weights: `v ← βv − η r_t·mean_{n∈b_t} ∇l_{x_n}(θ)`, `θ ← θ + v`. The test loss is the mean
 * loss over `testSet`. Slower than model-specific trainers, and the reference they are
 * checked against.
 */
export function trainDirect<X>(
  oracle: DerivativeOracle<X>,
  theta0: Float64Array,
  train: readonly X[],
  testSet: readonly X[],
  schedule: Schedule,
  etas: readonly number[],
  rng: Rng,
): RunResult[] {
  if (train.length !== schedule.N) throw new InvalidArgumentError("trainDirect", "train", `${schedule.N} data`, train.length);
  const batches = realiseBatches(schedule, rng);
  const rates = stepRates(schedule);
  const beta = momentumOf(schedule);
  return etas.map((eta) => {
    const theta = Float64Array.from(theta0);
    const v = new Float64Array(theta.length);
    for (let t = 0; t < batches.length; t++) {
      const g = new Float64Array(theta.length);
      for (const m of batches[t]) {
        const gm = oracle.directionalGradient(theta, train[m], []);
        for (let j = 0; j < g.length; j++) g[j] += gm[j] / batches[t].length;
      }
      let finite = true;
      for (let j = 0; j < theta.length; j++) {
        v[j] = beta * v[j] - eta * rates[t] * g[j];
        theta[j] += v[j];
        if (!Number.isFinite(theta[j])) finite = false;
      }
      if (!finite) return { eta, diverged: t };
    }
    const mean = (xs: readonly X[]) => xs.reduce((s, x) => s + oracle.directionalDerivative(theta, x, []), 0) / xs.length;
    const result = { eta, test: mean(testSet), train: mean(train) };
    return Number.isFinite(result.test) && Number.isFinite(result.train) ? result : { eta, diverged: batches.length };
  });
}
