/**
 * The training speed of a model with no known rate (a user's `--model FILE`), measured at
 * start-up so that `--max-hours` applies to it as to the built-in models: a few short training
 * runs of the config's own model, data, optimizer and batch size, timed at two lengths.
 *
 * Two lengths separate what a run costs once (its final test/train-loss evaluation, setting
 * up lanes) from what each step costs, so a long schedule is not over- or under-estimated by
 * the fixed part of a short probe. Warm-up calls first pay jax-js's compilation.
 *
 * @module
 */
import { drawRun } from "../harness/model.js";
import { gdSchedule, largestBatch, sgdSchedule } from "../schedule/schedule.js";
import { Rng } from "../stats/rng.js";
import type { MainJobConfig } from "./config.js";
import { setupForConfig } from "./optimizerSetup.js";

/** Seconds a training run costs: once per (run, η), and per per-datum gradient step. */
export interface TrainingRate {
  readonly secondsPerRun: number;
  readonly secondsPerDatumStep: number;
}

/** Steps of the short probe run (even, so a split-half optimizer such as gdc accepts it). */
const SHORT_STEPS = 4;
/** The long probe run: as many steps (a multiple of 4, 16 to 256) as take about this long. */
const LONG_PROBE_SECONDS = 0.5;

/**
 * Times training runs of `c`'s model (which must be loaded in this process: jax-js started and
 * the user's files registered, see `prepareModelNumerics`) on short schedules of `c`'s batch
 * size: 4 steps and as many more as take about half a second (16 to 256: the per-step
 * time of a long loop is what a real run sees), as many runs as fill one batched call (at most `c.runs`),
 * every η of `c`, each length timed up to three times after warm-up calls. Returns the line through the two timings, clamped so that neither part is
 * negative (noise on a loaded machine): then the per-step part carries the whole time.
 */
export function measureTrainingRate(c: MainJobConfig): TrainingRate {
  const B = largestBatch(c.schedule);
  const probe = (T: number) => {
    const schedule = c.schedule.kind === "gd" ? gdSchedule(c.schedule.N, T) : sgdSchedule(T * B, { batch: B });
    return setupForConfig({ ...c, schedule });
  };
  const first = probe(SHORT_STEPS);
  const runs = Math.max(1, Math.min(c.runs, first.trainRuns?.runsPerCall(c.etas.length) ?? 1));
  const time = (T: number, seed: number): number => {
    const setup = probe(T);
    const specs = Array.from({ length: runs }, (_, r) => {
      const d = drawRun(c.seed, "training-rate probe", seed * runs + r, T * B, setup.populationSize);
      return { trainSet: d.trainSet, rng: new Rng(d.orderSeed) };
    });
    const t0 = performance.now();
    if (setup.trainRuns !== undefined) setup.trainRuns.train(specs, c.etas);
    else for (const s of specs) setup.train(s.trainSet, c.etas, s.rng);
    return (performance.now() - t0) / 1000;
  };
  // Warm-up calls: jax-js compiles per shape, and V8 optimises the trainer's own loops only
  // after a few calls (a tiny model's steps are mostly that JavaScript).
  const T1 = SHORT_STEPS;
  time(T1, 0);
  const w1 = time(T1, 0);
  const T2 = Math.min(256, Math.max(16, 4 * Math.round((T1 * LONG_PROBE_SECONDS) / Math.max(w1, 1e-3) / 4)));
  const w2 = time(T2, 0);
  // The fastest of a few timings (other processes only ever add time); one when a call is slow.
  const reps = w2 > 2 * LONG_PROBE_SECONDS ? 1 : 3;
  const fastest = (T: number, seed: number) => Math.min(...Array.from({ length: reps }, (_, k) => time(T, seed + k)));
  const t1 = fastest(T1, 1);
  const t2 = fastest(T2, 1 + reps);
  const lanes = runs * c.etas.length;
  const perStep = Math.max(0, (t2 - t1) / (T2 - T1)) / (lanes * B);
  const perRun = Math.max(0, t1 / lanes - perStep * T1 * B);
  return perStep > 0 ? { secondsPerRun: perRun, secondsPerDatumStep: perStep } : { secondsPerRun: 0, secondsPerDatumStep: t2 / (lanes * T2 * B) };
}
