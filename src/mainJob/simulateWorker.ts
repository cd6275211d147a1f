/**
 * Worker-thread entry for {@link simulateMainJobParallel}: builds the model once (starting
 * jax-js first for LeNet/MLP), then trains the chunks of runs it is sent and posts each
 * chunk's results back.
 */
import { parentPort, workerData } from "node:worker_threads";
import { initNumerics } from "../numerics/index.js";
import { type MainJobConfig, runChunk } from "./mainJob.js";
import { setupForConfig } from "./optimizerSetup.js";

interface Job {
  readonly config: MainJobConfig;
  /** `[from, to)` run ranges, each trained as one chunk (`simulationChunks`). */
  readonly chunks: readonly (readonly [number, number])[];
}

const job = workerData as Job;
if (job.config.model !== "logistic") await initNumerics();
const setup = setupForConfig(job.config);
for (const [from, to] of job.chunks) parentPort!.postMessage({ from, results: runChunk(job.config, setup, from, to) });
parentPort!.postMessage({ done: true });
