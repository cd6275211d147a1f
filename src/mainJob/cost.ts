/**
 * Up-front cost of a main-job command from its config alone (no data loaded, nothing built),
 * so that the CLI can refuse a run that would take days or exhaust memory before starting it,
 * with the estimate in the message.
 *
 * The estimates are deliberately simple and on the high side:
 * - memory per worker: the run's training set (`N` indices in a JS array), its realised batch
 *   list (`T` arrays of `B` indices), and for the logistic model trained in kernel
 *   coordinates (non-SGD optimizers, or at most {@link KERNEL_MAX_POINTS} points) the `N × N`
 *   Gram matrix and its `S × N` block against the test sample;
 * - memory per finished run, kept until the means are taken: its results (a small object per η
 *   in a map by run index, about 90 + 105·η bytes measured on Node 20) and, while the means are
 *   summarised, its control variates ({@link bytesPerFinishedRun});
 *   this grows with `--runs` (about 1 KB per run at 9 η: `--runs 10000000` needs ~12 GB);
 * - time: `runs × η × T × B` per-datum gradient steps at a per-model rate (measured on one
 *   core: logistic SGD ≈ 50 µs per datum-step), shared by the workers; for a user's model, the
 *   rate measured at start-up ({@link TrainingRate}, `measuredRate.ts`), plus its per-run part.
 *
 * @module
 */
import { coefficientTableCost } from "../diagrams/cost.js";
import { largestBatch, stepCount } from "../schedule/schedule.js";
import type { MainJobConfig } from "./config.js";
import type { TrainingRate } from "./measuredRate.js";

/** Above this many training points the logistic model trains SGD in θ-space (harness `loadModel`). */
export const KERNEL_MAX_POINTS = 40;

/**
 * Seconds per per-datum gradient step on one core, by model (rough, measured; high side). A
 * user's model (`--model FILE`) has no known rate: 0 here, so without a measured
 * {@link TrainingRate} its training time is not estimated (the CLI measures one).
 */
const SECONDS_PER_DATUM_STEP: Record<MainJobConfig["model"], number> = { logistic: 5e-5, lenet: 5e-3, mlp: 5e-4, user: 0 };

/** Memory the process holds whatever the flags (code, the data set, the model): about 0.5 GB. */
const BASE_BYTES = 5e8;

/** Bytes of one number in a JS array (8 on 64-bit Node) and of one small JS array's overhead. */
const NUMBER_BYTES = 8;
const ARRAY_BYTES = 64;

export interface MainJobCost {
  /** Peak memory of the process (all workers), bytes. */
  readonly memoryBytes: number;
  /** Wall time of the simulation on `workers` cores, seconds (0 for predict). */
  readonly seconds: number;
  /** Exact operations of the prediction's coefficient tables (0 for simulate). */
  readonly tableOperations: number;
}

/**
/**
 * Bytes held per finished run until the means are summarised (high side of a measurement on
 * Node 20: 189 B at 1 η, 1021 B at 9 η, 3205 B at 30 η for the map of results): the results,
 * plus its index, its three control variates and its value at one η while the means are taken
 * (training sets are rebuilt for the variates a block at a time, see `controlVariates`).
 */
export function bytesPerFinishedRun(c: Pick<MainJobConfig, "etas">): number {
  return 128 + 112 * c.etas.length + 5 * NUMBER_BYTES;
}

/**
 * The cost of `command` (simulate and compare train `runs` runs; predict trains none). `rate`:
 * a measured training rate, which replaces the model's table rate.
 */
export function mainJobCost(c: MainJobConfig, command: "predict" | "simulate" | "compare", workers: number, rate?: TrainingRate): MainJobCost {
  const { N } = c.schedule;
  const T = stepCount(c.schedule);
  const B = largestBatch(c.schedule);
  const kernel = c.model === "logistic" && (c.optimizer !== undefined || N <= KERNEL_MAX_POINTS);
  const perRun =
    N * NUMBER_BYTES + // the training set
    T * (ARRAY_BYTES + (c.schedule.kind === "gd" ? 0 : B * NUMBER_BYTES)) + // the realised batches (gd shares one)
    (kernel ? (N * N + c.testSize * N) * 8 : 0);
  const trains = command !== "predict";
  const lanes = trains ? Math.max(1, Math.min(workers, c.runs)) : 1;
  const memoryBytes = BASE_BYTES + lanes * perRun + (trains ? c.runs * bytesPerFinishedRun(c) : 0);
  const { secondsPerRun, secondsPerDatumStep } = rate ?? { secondsPerRun: 0, secondsPerDatumStep: SECONDS_PER_DATUM_STEP[c.model] };
  const seconds = trains ? (c.runs * c.etas.length * (secondsPerRun + T * B * secondsPerDatumStep)) / lanes : 0;
  const losses: ("test" | "train")[] = c.loss === "gap" ? ["test", "train"] : [c.loss];
  let tableOperations = 0;
  if (command !== "simulate") for (const l of losses) tableOperations += coefficientTableCost(c.schedule, c.order, l).operations;
  return { memoryBytes, seconds, tableOperations };
}
