/**
 * What every trainer returns: one training run at one η.
 *
 * Every trainer of this folder trains one training set at every η of a list (paired runs) and
 * returns one {@link RunResult} per η; the harness's {@link Model} puts them behind one
 * signature, `train(trainSet, optimizer, etas, rng)`.
 *
 * @module
 */

/** One training run at one η: final losses, or the step where the weights stopped being finite. */
export type RunResult = { eta: number; test: number; train: number; diverged?: undefined } | { eta: number; diverged: number };
