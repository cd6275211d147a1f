import type { Judgement } from "./verdict.js";
import type { Shard } from "./shard.js";

/**
 * An experiment reproduces one figure of the paper: a seeded, resumable computation that
 * returns data rows, Vega-Lite plot specs and a one-line verdict. `reproduce` (the CLI)
 * writes them to disk (JSON + CSV, SVG + PNG, index.html); experiments never print.
 */
export interface ExperimentContext {
  /** Folder for this experiment's outputs and its resumable checkpoints. */
  readonly outDir: string;
  /** Small sizes that finish in minutes on two cores (CI, demos). */
  readonly quick: boolean;
  /** Base seed; every random stream is derived from it. */
  readonly seed: number;
  /** Progress of the current phase (the CLI draws a bar on stderr). */
  progress(label: string, done: number, total: number): void;
  /** True once the user asked to stop (Ctrl-C): save what is finished and return early. */
  shouldStop(): boolean;
  /**
   * `--models`: real-data experiments run only the models whose label (e.g. `"mnist lenet init
   * 0"`) contains one of these strings (case-insensitive); absent = every model. The checkpoint
   * fingerprint does not depend on it, so a filtered run's chunks are reused by the full run.
   */
  readonly models?: readonly string[];
  /**
   * `--shard i/n`: compute only this shard's chunks of runs ({@link runChunks}: chunk `i` of a
   * stage when `(i + hash(stage)) mod n` is the shard's index); a stage with chunks of other
   * shards then ends the experiment early (as an interrupt would), its chunks saved for `merge`.
   */
  readonly shard?: Shard;
  /** `merge --allow-partial`: compute no chunk of runs, use only the stored ones (missing → partial). */
  readonly storedOnly?: boolean;
}

export interface ExperimentPlot {
  /** File stem, e.g. `"z-vs-t"`. */
  readonly name: string;
  /** One sentence that tells the reader what to see (shown under the figure in the report). */
  readonly caption: string;
  /** A Vega-Lite spec with its data inlined (or, when `svg` is given, the figure's data). */
  readonly spec: object;
  /**
   * A finished SVG document, for figures drawn by code rather than by Vega-Lite (e.g. the
   * space-time grids); when present it is the figure and `spec` only describes its data.
   */
  readonly svg?: string;
}

/**
 * What an experiment returns. Its {@link Judgement} (status, pass, headline, checks) comes from
 * `judge` in ./verdict.ts, the one rule that decides REPRODUCED / PARTIAL / NOT REPRODUCED.
 */
export interface ExperimentResult extends Judgement {
  readonly id: string;
  /** The data behind the figure (also written as CSV). */
  readonly rows: readonly Record<string, string | number | boolean | null>[];
  readonly plots: readonly ExperimentPlot[];
  /** The details behind the headline (numbers per model, per E, …), after it in the report. */
  readonly verdict: string;
  /** Sizes used and anything else worth keeping (seeds, run counts, timings). */
  readonly details?: Readonly<Record<string, unknown>>;
  /** True when interrupted before completion (a rerun resumes). */
  readonly partial?: boolean;
}

export interface Experiment {
  readonly id: string;
  /** One line for `reproduce --list`. */
  readonly title: string;
  /** The paper's figure(s) it reproduces, e.g. "figure 12". */
  readonly figure: string;
  /** Real-data experiments: the labels of the models they run at these sizes (what `--models` filters). */
  modelLabels?(quick: boolean): readonly string[];
  run(ctx: ExperimentContext): Promise<ExperimentResult>;
}
