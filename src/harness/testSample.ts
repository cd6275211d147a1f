/**
 * The fixed held-out test sample of a model, drawn from a named seed. Pure (no data loading,
 * no jax-js), so the explorer page draws the same sample as the CLI.
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.js";
import { Rng } from "../stats/rng.js";
import { namedSeed } from "../stats/seeds.js";

/**
 * The fixed held-out test sample: `testSize` distinct images, from the named sub-stream
 * "test sample" of `seed` (so the main job and the figures draw the same sample for one seed).
 * @throws InvalidArgumentError for a test size outside `[1, size]`.
 */
export function testSample(size: number, testSize: number, seed: number, caller = "loadModel"): number[] {
  if (!(Number.isInteger(testSize) && testSize >= 1 && testSize <= size)) {
    throw new InvalidArgumentError(caller, "testSize", `an integer in [1, ${size}]`, testSize);
  }
  return Array.from(new Rng(namedSeed(seed, "test sample")).permutation(size).slice(0, testSize));
}
