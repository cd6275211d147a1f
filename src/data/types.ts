/**
 * The shape of a user's data set once read from a file (CSV, NPY or IDX): the contract between
 * the file readers of `src/data/` and the models of the harness, which adapt it to their own
 * layout. Nothing here reads a file.
 *
 * @module
 */

/** What the targets are: class indices (softmax cross-entropy) or real values (mean squared error). */
export type DataTask = "classification" | "regression";

/** A supervised data set read from files: `size` rows of `features` inputs and their targets. */
export interface TabularData {
  /** The file(s) it came from, as the user named them (for messages and labels). */
  readonly source: string;
  /** Short name for labels and output folders, e.g. `"iris"` for `iris.csv`. */
  readonly name: string;
  /** Number of rows (data points). */
  readonly size: number;
  /** Inputs per row. */
  readonly features: number;
  /** Row-major `size × features` inputs, every one finite. */
  readonly inputs: Float64Array;
  /** Optional names of the feature columns (CSV header), `features` of them. */
  readonly featureNames?: readonly string[];
  readonly task: DataTask;
  /** Classification: the number of classes `K` (labels in `0..K−1`). Regression: 0. */
  readonly classes: number;
  /** Classification: the class of each row, `size` of them in `0..K−1`. Regression: `null`. */
  readonly labels: Int32Array | null;
  /** Classification with string labels: the class names, index = class (sorted order). Otherwise `null`. */
  readonly classNames: readonly string[] | null;
  /** Regression: row-major `size × targetDims` real targets, every one finite. Classification: `null`. */
  readonly targets: Float64Array | null;
  /** Regression: outputs per row (1 for a single target column). Classification: 0. */
  readonly targetDims: number;
  /**
   * When the features were standardized (`--standardize`): the map applied to each raw
   * feature, `x' = (x − mean) / scale`, fitted on this population. A test set or new inputs
   * must go through the same map. Absent when the values are used as they are.
   */
  readonly standardization?: FeatureStandardization;
}

/**
 * Per-feature standardization fitted on a population: `mean` and `scale` (the population
 * standard deviation, or 1 for a constant feature, which is only centred), `features` each.
 */
export interface FeatureStandardization {
  readonly mean: Float64Array;
  readonly scale: Float64Array;
}
