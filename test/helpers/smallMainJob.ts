import { defaultMainJobConfig, type MainJobConfig, type ModelSetup, setupModel, simulateMainJob, type SimulationResult } from "../../src/mainJob/mainJob.js";
import { sgdSchedule } from "../../src/schedule/schedule.js";
import { SEED } from "./seed.js";

/** A main job small enough for many repetitions: MNIST logistic, N = T = 10, two η, 12 runs. */
export const SMALL_MAIN_JOB: MainJobConfig = { ...defaultMainJobConfig(sgdSchedule(10)), etas: [0.01, 0.1], runs: 12, testSize: 50, seed: SEED };

/** The small job's setup and its uninterrupted simulation (the reference a test compares with). */
export function smallMainJob(c: MainJobConfig = SMALL_MAIN_JOB): { setup: ModelSetup; reference: SimulationResult } {
  const setup = setupModel(c);
  return { setup, reference: simulateMainJob(c, setup) };
}
