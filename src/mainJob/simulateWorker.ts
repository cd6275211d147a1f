/**
 * Worker-thread entry for {@link simulateMainJobParallel}: builds the model once (starting
 * jax-js first for LeNet/MLP/a user's model, and loading the user's files), then trains the chunks of runs it is sent and posts each
 * chunk's results back.
 */
import { parentPort, workerData } from "node:worker_threads";
import { type MainJobConfig, prepareModelNumerics, runChunk } from "./mainJob.js";
import { setupForConfig } from "./optimizerSetup.js";

interface Job {
  readonly config: MainJobConfig;
}

const job = workerData as Job;
await prepareModelNumerics(job.config); // jax-js, and the user's model and data files
const setup = setupForConfig(job.config);
// One `[from, to)` chunk per message (`missingChunks`): the main thread hands out the next one
// when this one is back, so nothing is queued per run and memory is flat in `--runs`.
parentPort!.on("message", (m: { chunk: readonly [number, number] }) => {
  const [from, to] = m.chunk;
  parentPort!.postMessage({ from, results: runChunk(job.config, setup, from, to) });
});
parentPort!.postMessage({ ready: true });
